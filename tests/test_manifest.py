import csv
import json

import pytest

from mmvideo.manifest import ManifestError, detect_format, read_manifest

ROWS = [
    {"mp4_id": "1", "video_label": "Sea", "mp4_time": "0:15", "mp4_download_url": "http://h/1.mp4",
     "mp4_background_image_url": "http://h/1.jpeg", "mp4_txt_brief": "waves"},
    {"mp4_id": "2", "video_label": "City", "mp4_time": "0:10", "mp4_download_url": "http://h/2.mp4",
     "mp4_background_image_url": "", "mp4_txt_brief": "城市"},
    {"mp4_id": "1", "video_label": "Beach", "mp4_time": "0:15", "mp4_download_url": "http://h/1.mp4",
     "mp4_background_image_url": "http://h/1.jpeg", "mp4_txt_brief": "waves"},
    {"mp4_id": "../evil", "video_label": "City"},
    {"mp4_id": "3", "video_label": "Nope"},
]


def _check(manifest):
    assert manifest.num_rows == 5
    assert list(manifest.records) == ["1", "2"]
    assert manifest.records["1"].labels == ("Beach", "Sea")
    assert manifest.records["2"].description == "城市"
    assert [(r.row_number > 0, r.reason) for r in manifest.rejected] == [(True, "bad_id"), (True, "unknown_label")]


def test_json_lines(tmp_path):
    path = tmp_path / "multimodal_data_info.json"
    lines = [json.dumps(row, ensure_ascii=False) for row in ROWS]
    path.write_text("\n".join(lines[:2]) + "\n\n" + "\n".join(lines[2:]) + "\n", encoding="utf-8")
    assert detect_format(path) == "jsonl"
    _check(read_manifest(path))


def test_json_lines_with_dict_literals_and_garbage(tmp_path):
    path = tmp_path / "m.jsonl"
    path.write_text(repr(ROWS[0]) + "\nnot json at all\n__import__('os')\n", encoding="utf-8")
    manifest = read_manifest(path)
    assert list(manifest.records) == ["1"]
    assert [r.reason for r in manifest.rejected] == ["bad_row", "bad_row"]


def test_json_array(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(json.dumps(ROWS), encoding="utf-8")
    assert detect_format(path) == "json"
    _check(read_manifest(path))


def test_csv(tmp_path):
    path = tmp_path / "m.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ROWS[0]))
        writer.writeheader()
        for row in ROWS:
            writer.writerow({key: row.get(key, "") for key in ROWS[0]})
    _check(read_manifest(path))


def test_unreadable_manifests(tmp_path):
    with pytest.raises(ManifestError, match="cannot read manifest"):
        read_manifest(tmp_path / "missing.json")
    bad_array = tmp_path / "bad.json"
    bad_array.write_text("[1, 2", encoding="utf-8")
    with pytest.raises(ManifestError, match="not a JSON array"):
        read_manifest(bad_array)
    no_id = tmp_path / "bad.csv"
    no_id.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="no mp4_id"):
        read_manifest(no_id)
    with pytest.raises(ManifestError, match="not a file"):
        read_manifest(tmp_path)
