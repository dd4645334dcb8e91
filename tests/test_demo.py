from mmvideo.cli.main import main
from mmvideo.layout import scan_layout


def test_demo_runs_what_exists_end_to_end(tmp_path, capsys):
    workdir = tmp_path / "demo"
    assert main(["demo", "--workdir", str(workdir), "--per-category", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "31 of 31 items" in out and "31 ok" in out and "0 failed" in out
    items = list(scan_layout(workdir / "raw"))
    assert len({item.mp4_id for item in items}) == 31 and all(item.complete for item in items)
    served = {p.relative_to(workdir / "served") for p in (workdir / "served").rglob("*.mp4")}
    downloaded = {p.relative_to(workdir / "raw") for p in (workdir / "raw").rglob("*.mp4")}
    assert downloaded == served
    assert (workdir / "stats.png").stat().st_size > 10_000
    # A second run rebuilds its own output instead of failing on it.
    assert main(["demo", "--workdir", str(workdir), "--per-category", "1", "--quiet"]) == 0
