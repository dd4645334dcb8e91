import os

import pytest

from mmvideo.layout import ScanReport, scan_layout
from mmvideo.paths import UnsafePathError, item_dir, item_paths, safe_join
from mmvideo.records import RecordError
from mmvideo.taxonomy import UnknownCategoryError


def _touch(path, data=b"x"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.mark.parametrize("part", ["..", ".", "", "a/b", "/etc", "a\\b", "x\0y"])
def test_safe_join_refuses_unsafe_parts(tmp_path, part):
    with pytest.raises(UnsafePathError):
        safe_join(tmp_path, part)


def test_safe_join_refuses_symlink_escape(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "out").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="outside"):
        safe_join(root, "out", "x")
    assert safe_join(root, "City", "1") == root / "City" / "1"


def test_item_paths_validate_category_and_id(tmp_path):
    paths = item_paths(tmp_path, "城市", "123")
    assert paths["mp4"] == tmp_path / "City" / "123" / "123.mp4"
    assert paths["cover"].name == "123.jpeg" and paths["txt"].name == "123.txt"
    with pytest.raises(RecordError):
        item_dir(tmp_path, "City", "../x")
    with pytest.raises(UnknownCategoryError):
        item_dir(tmp_path, "..", "1")


def test_scan_reports_present_and_missing(tmp_path):
    for name in ("1.mp4", "1.jpeg", "1.txt"):
        _touch(tmp_path / "City" / "1" / name)
    _touch(tmp_path / "City" / "2" / "2.mp4")
    _touch(tmp_path / "Sea" / "1" / "1.mp4")
    _touch(tmp_path / "Sea" / "1" / "1.jpg")
    _touch(tmp_path / "Nonsense" / "3" / "3.mp4")
    _touch(tmp_path / "City" / "bad id" / "x.mp4")
    (tmp_path / ".partial").mkdir()
    _touch(tmp_path / "download_log.jsonl")
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    _touch(outside / "4.mp4")
    os.symlink(outside, tmp_path / "City" / "4")

    report = ScanReport()
    items = list(scan_layout(tmp_path, report))
    assert [(i.category, i.mp4_id) for i in items] == [("City", "1"), ("City", "2"), ("Sea", "1")]
    assert items[0].complete and items[0].missing == ()
    assert items[1].missing == ("cover", "txt")
    assert items[2].cover.name == "1.jpg" and items[2].missing == ("txt",)
    skipped = {path.name: reason for path, reason in report.skipped}
    assert set(skipped) == {"Nonsense", "bad id", "4"}
    assert skipped["Nonsense"].startswith("unknown category 'Nonsense'")
    assert skipped["bad id"].startswith("bad_id")
    assert skipped["4"] == "links outside the root"


def test_scan_requires_a_directory(tmp_path):
    with pytest.raises(NotADirectoryError):
        list(scan_layout(tmp_path / "missing"))
