import json
import os

import pytest

from mmvideo import plots
from mmvideo.cli.main import main
from mmvideo.paths import item_paths
from mmvideo.records import VideoRecord
from mmvideo.stats import compute_stats, format_table


def _item(root, category, mp4_id, seconds, files=("mp4", "cover", "txt"), size=1000):
    paths = item_paths(root, category, mp4_id)
    paths["mp4"].parent.mkdir(parents=True, exist_ok=True)
    if "mp4" in files:
        paths["mp4"].write_bytes(b"\0" * size)
    if "cover" in files:
        paths["cover"].write_bytes(b"\xff\xd8\xff" + b"\0" * 97)
    if "txt" in files:
        paths["txt"].write_text(VideoRecord(mp4_id, (category,), seconds).to_txt(), encoding="utf-8")
    return paths


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    _item(root, "City", "1", 15)
    _item(root, "City", "2", 12, files=("mp4", "txt"))
    _item(root, "Sea", "3", 9)
    shared = _item(root, "Beach", "4", 20)
    # The same video listed under a second category, hard-linked as download does.
    other = item_paths(root, "Sea", "4")
    other["mp4"].parent.mkdir(parents=True)
    for key in ("mp4", "cover", "txt"):
        os.link(shared[key], other[key])
    (root / "NotACategory" / "5").mkdir(parents=True)
    return root


def test_counts_duplicates_bytes_and_durations(corpus):
    stats = compute_stats(corpus)
    by_name = {row.name: row for row in stats.categories}
    assert len(stats.categories) == 31
    assert (by_name["City"].items, by_name["City"].complete, by_name["City"].incomplete) == (2, 1, 1)
    assert by_name["City"].missing == {"mp4": 0, "cover": 1, "txt": 0}
    assert (by_name["Sea"].items, by_name["Sea"].shared, by_name["Beach"].shared) == (2, 1, 1)
    assert stats.num_items == 5 and stats.num_videos == 4 and stats.num_duplicates == 1
    assert stats.num_complete_videos == 3
    per_category = sum(row.bytes for row in stats.categories)
    linked = sum(p.stat().st_size for p in (corpus / "Sea" / "4").iterdir())
    assert stats.bytes_on_disk == per_category - linked
    assert sorted(stats.durations_s) == [9, 12, 15, 20]
    assert stats.duration_sources == {"txt": 4}
    assert [entry["path"].endswith("NotACategory") for entry in stats.skipped] == [True]
    table = format_table(stats)
    assert "City (城市)" in table and "4 distinct videos" in table and "1 under several categories" in table


def test_cli_writes_json_and_a_readable_plot(corpus, tmp_path, capsys):
    out_json, out_png = tmp_path / "s.json", tmp_path / "plots" / "s.png"
    assert main(["stats", str(corpus), "--json", str(out_json), "--plot", str(out_png)]) == 0
    printed = capsys.readouterr().out
    assert "5 item folders" in printed
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["num_videos"] == 4 and data["duration_summary"]["median"] == 13.5
    assert out_png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out_png.stat().st_size > 20_000


def test_cli_missing_root_is_one_line_error(tmp_path, capsys):
    assert main(["stats", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "is not a directory" in err[0]


def test_labels_fall_back_to_english_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(plots, "cjk_font_name", lambda: None)
    assert plots.category_label("Sport", "运动") == "Sport"
    monkeypatch.setattr(plots, "cjk_font_name", lambda: "Some CJK Font")
    assert plots.category_label("Sport", "运动") == "Sport (运动)"
    assert plots.category_label("R3d", "R3d") == "R3d"


def test_placeholder_font_is_not_taken_for_cjk():
    plots.cjk_font_name.cache_clear()
    assert (plots.cjk_font_name() or "").lower().startswith("last resort") is False
