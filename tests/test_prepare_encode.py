"""Prepare's per-video work: merging layout items, loading covers and descriptions, encoding, writing pieces."""

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from media_helpers import write_textured_clip
from PIL import Image

from data_interface.prepare import encode, examples, shards, tfrecord
from data_interface.prepare.example_proto import parse_example
from data_interface.prepare.examples import ExampleSource, Failure
from mmvideo import taxonomy
from mmvideo.layout import LayoutItem, ScanReport, scan_layout
from mmvideo.media import limits
from mmvideo.records import VideoRecord

PROJECT = Path(__file__).resolve().parents[1]
REAL_ITEM = PROJECT.parent / "shared" / "fixtures" / "xinpianchang_sample" / "99945958"


# --- merging layout items ---------------------------------------------------------------------


def _layout_item(category, mp4_id, mp4=True, cover=True, txt=True):
    folder = Path("/r") / category / mp4_id
    return LayoutItem(category, mp4_id, folder, folder / f"{mp4_id}.mp4" if mp4 else None,
                      folder / f"{mp4_id}.jpeg" if cover else None, folder / f"{mp4_id}.txt" if txt else None)


def test_merge_unites_categories_and_takes_each_file_from_the_first_folder_having_it():
    items = [_layout_item("Sea", "1", cover=False), _layout_item("Beach", "1", mp4=False),
             _layout_item("Sea", "2"), _layout_item("Nature", "3", mp4=False)]
    manifest = {"2": VideoRecord("2", labels=("Abstract",), description="from the manifest")}
    sources, failures = examples.merge_items(items, manifest)
    assert [source.mp4_id for source in sources] == ["1", "2"]
    first, second = sources
    assert first.class_ids == tuple(sorted((taxonomy.class_id("Sea"), taxonomy.class_id("Beach"))))
    assert first.video == "/r/Sea/1/1.mp4" and first.cover == "/r/Beach/1/1.jpeg"  # Beach < Sea in class ids
    assert first.label == taxonomy.class_id("Beach")
    assert second.class_ids == (taxonomy.class_id("Abstract"), taxonomy.class_id("Sea"))
    assert second.fallback_description == "from the manifest"
    assert failures == [Failure("3", "/r/Nature/3", examples.MISSING_VIDEO, failures[0].detail)]


def test_folders_the_scan_refused_become_failures(tmp_path):
    (tmp_path / "Misc" / "1").mkdir(parents=True)
    (tmp_path / "Sea" / "bad id!").mkdir(parents=True)
    report = ScanReport()
    assert list(scan_layout(tmp_path, report)) == []
    failures = examples.scan_failures(report, tmp_path)
    assert {(failure.mp4_id, failure.reason) for failure in failures} == {
        ("Misc", examples.UNKNOWN_CATEGORY), ("bad id!", examples.BAD_ID)}


# --- covers and descriptions ------------------------------------------------------------------


def _source(tmp_path, txt_text=None, fallback=""):
    txt = None
    if txt_text is not None:
        txt = tmp_path / "7.txt"
        txt.write_text(txt_text, encoding="utf-8")
    return ExampleSource("7", (0,), str(tmp_path / "7.mp4"), None, str(txt) if txt else None, fallback)


@pytest.mark.parametrize(
    "txt_text, fallback, expected",
    [
        (json.dumps({"mp4_id": "7", "mp4_txt_brief": "  waves  "}), "", ("waves", None)),
        ("{'mp4_id': 7, 'mp4_txt_brief': '海浪'}", "", ("海浪", None)),  # the corpus's dict literal
        ("__import__('os').system('echo hi')", "", ("", "not_a_record")),
        (json.dumps({"mp4_id": "8", "mp4_txt_brief": "other"}), "", ("", encode.ID_MISMATCH)),
        (json.dumps({"mp4_id": "7", "mp4_txt_brief": " "}), "", ("", encode.EMPTY)),
        (json.dumps({"mp4_id": "7", "mp4_txt_brief": ""}), "manifest text", ("manifest text", None)),
        (None, "", ("", encode.MISSING)),
    ],
)
def test_descriptions(tmp_path, txt_text, fallback, expected):
    text, absent = encode.load_description(_source(tmp_path, txt_text, fallback))
    assert (text, absent.reason if absent else None) == expected


def test_covers_of_any_mode_and_orientation_become_rgb_boxes(tmp_path):
    rgba = np.zeros((40, 80, 4), np.uint8)
    rgba[:, :40, 0] = 255  # left half red
    Image.fromarray(rgba, "RGBA").save(tmp_path / "a.png")
    cover, absent = encode.load_cover(str(tmp_path / "a.png"), 16)
    assert absent is None and cover.shape == (16, 16, 3) and cover.dtype == np.uint8
    Image.fromarray(np.full((20, 30), 200, np.uint8), "L").save(tmp_path / "gray.jpeg")
    assert encode.load_cover(str(tmp_path / "gray.jpeg"), 16)[0].shape == (16, 16, 3)

    landscape = np.zeros((40, 80, 3), np.uint8)
    landscape[:20] = 255  # top half white
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 CW to display": the top half ends up on the right
    Image.fromarray(landscape).save(tmp_path / "rotated.jpeg", exif=exif, quality=95)
    cover, _ = encode.load_cover(str(tmp_path / "rotated.jpeg"), 16)
    assert cover[:, 12:].mean() > 200 and cover[:, :4].mean() < 50


@pytest.mark.parametrize("content, reason", [(b"", encode.CORRUPT), (b"<html>", encode.CORRUPT)])
def test_bad_covers_are_absent_with_a_reason(tmp_path, content, reason):
    path = str(tmp_path / "c.jpeg")
    (tmp_path / "c.jpeg").write_bytes(content)
    cover, absent = encode.load_cover(path, 16)
    assert cover is None and (absent.modality, absent.reason, absent.path) == ("cover", reason, path)
    assert absent.detail  # says what Pillow said
    assert encode.load_cover(str(tmp_path / "none.jpeg"), 16)[1].reason == encode.MISSING
    assert encode.load_cover(str(tmp_path), 16)[1].reason == encode.UNREADABLE


def test_a_cover_beyond_the_pixel_limit_is_too_large(tmp_path, monkeypatch):
    Image.fromarray(np.zeros((40, 80, 3), np.uint8)).save(tmp_path / "c.jpeg")
    monkeypatch.setattr(limits, "MAX_FRAME_PIXELS", 1000)
    assert encode.load_cover(str(tmp_path / "c.jpeg"), 16)[1].reason == encode.TOO_LARGE


def test_encode_turns_every_error_into_a_failure(tmp_path, monkeypatch):
    source = _source(tmp_path)
    failure = encode.encode_example(source, encode.EncodeSettings(frames=2, size=16))
    assert isinstance(failure, Failure) and failure.reason == "not_found" and failure.path == source.video

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(encode, "sample_frames", broken)
    failure = encode.encode_example(source, encode.EncodeSettings(frames=2, size=16))
    assert failure.reason == encode.UNEXPECTED_ERROR and "RuntimeError: a bug" in failure.detail


def test_a_mosaic_is_the_frames_stacked_vertically(tmp_path):
    frames = np.zeros((3, 16, 16, 3), np.uint8)
    frames[1] = 255
    mosaic = np.asarray(Image.open(io.BytesIO(encode.frames_bytes(frames, "jpeg"))))
    assert mosaic.shape == (48, 16, 3)
    assert mosaic[:16].mean() < 5 and mosaic[16:32].mean() > 250 and mosaic[32:].mean() < 5
    assert encode.frames_bytes(frames, "raw") == frames.tobytes()


@pytest.mark.skipif(not REAL_ITEM.is_dir(), reason="the real corpus sample is not present")
def test_a_real_item_encodes_within_the_size_estimate():
    source = ExampleSource("99945958", (0,), str(REAL_ITEM / "99945958.mp4"), str(REAL_ITEM / "99945958.jpeg"),
                           str(REAL_ITEM / "99945958.txt"))
    encoded = encode.encode_example(source, encode.EncodeSettings())
    assert isinstance(encoded, encode.EncodedExample) and not encoded.absent and encoded.text
    assert 0.5 * shards.estimate_example_bytes(8, 112, "jpeg") < len(encoded.data) < shards.estimate_example_bytes(
        8, 112, "jpeg")


def test_a_piece_writes_records_and_a_sidecar(tmp_path):
    write_textured_clip(tmp_path / "ok.mp4", num_frames=6)
    (tmp_path / "bad.mp4").write_bytes(b"")
    piece = shards.Piece("train", 0, 1, 0, (ExampleSource("a", (1,), str(tmp_path / "ok.mp4")),
                                           ExampleSource("b", (2,), str(tmp_path / "bad.mp4"))))
    result = shards.write_piece(piece, encode.EncodeSettings(frames=2, size=16), tmp_path)
    assert (result["num_examples"], result["num_failed"], result["pid"]) == (1, 1, os.getpid())
    (record,) = tfrecord.iter_records(tmp_path / "train-00000-00000.tfrecord")
    assert parse_example(record)["id"] == b"a"
    lines = [json.loads(line) for line in (tmp_path / "train-00000-00000.jsonl").read_text().splitlines()]
    assert [(line["id"], line["status"]) for line in lines] == [("a", "ok"), ("b", "failed")]
    assert lines[0]["absent"][0]["modality"] == "cover" and lines[1]["reason"] == "empty_file"
    assert not list(tmp_path.glob("*.part"))
