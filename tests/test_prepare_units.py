"""The parts of prepare one by one: TFRecord framing, the Example proto, splits, shard plans,
merging layout items, loading covers and descriptions, the output folder state, Beam options."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from media_helpers import write_textured_clip
from PIL import Image

from data_interface.features import FeatureSpec
from data_interface.prepare import encode, examples, info, pipeline, shards, splits, tfrecord
from data_interface.prepare.example_proto import parse_example, serialize_example
from data_interface.prepare.examples import ExampleSource, Failure
from mmvideo import taxonomy
from mmvideo.layout import LayoutItem, ScanReport, scan_layout
from mmvideo.media import limits
from mmvideo.records import VideoRecord

PROJECT = Path(__file__).resolve().parents[1]
REAL_ITEM = PROJECT.parent / "shared" / "fixtures" / "xinpianchang_sample" / "99945958"


# --- TFRecord framing and the Example proto, checked against TensorFlow ------------------------


def _reference_crc32c(data: bytes) -> int:
    register = 0xFFFFFFFF
    for byte in data:
        register ^= byte
        for _ in range(8):
            register = (register >> 1) ^ 0x82F63B78 if register & 1 else register >> 1
    return register ^ 0xFFFFFFFF


def test_crc32c_matches_the_standard_and_a_bitwise_reference():
    assert tfrecord.crc32c(b"123456789") == 0xE3069283
    assert tfrecord.crc32c(b"") == 0
    rng = np.random.default_rng(0)
    for size in (1, 63, 64, 1023, 1024, 1025, 4099, 65536 + 17):
        data = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
        assert tfrecord.crc32c(data) == _reference_crc32c(data), size


def test_records_are_byte_identical_to_tensorflows_writer(tmp_path):
    import tensorflow as tf

    rng = np.random.default_rng(1)
    payloads = [b"", b"x", rng.integers(0, 256, 40_000, dtype=np.uint8).tobytes(), "文字".encode()]
    with tf.io.TFRecordWriter(str(tmp_path / "tf.tfrecord")) as writer:
        for payload in payloads:
            writer.write(payload)
    with open(tmp_path / "ours.tfrecord", "wb") as handle:
        for payload in payloads:
            tfrecord.write_record(handle, payload)
    assert (tmp_path / "ours.tfrecord").read_bytes() == (tmp_path / "tf.tfrecord").read_bytes()
    assert list(tfrecord.iter_records(tmp_path / "ours.tfrecord")) == payloads
    for position in (40, 20_000):  # in the third record's length, in its data
        damaged = bytearray((tmp_path / "ours.tfrecord").read_bytes())
        damaged[position] ^= 1
        (tmp_path / "damaged.tfrecord").write_bytes(bytes(damaged))
        with pytest.raises(ValueError, match="checksum"):
            list(tfrecord.iter_records(tmp_path / "damaged.tfrecord"))


def test_examples_parse_with_tensorflow_and_the_spec():
    import tensorflow as tf

    features = {"id": b"42", "text": "海 sea".encode(), "cover": b"", "frames": b"\x00\x01", "label": 3,
                "labels": [3, 17], "has_text": 1, "has_cover": 0, "has_frames": 1}
    data = serialize_example(features)
    assert serialize_example(dict(reversed(list(features.items())))) == data  # key order does not matter
    assert tf.train.Example.FromString(data).features.feature["labels"].int64_list.value == [3, 17]
    parsed = tf.io.parse_single_example(data, FeatureSpec().tfrecord_features())
    assert parsed["text"].numpy().decode() == "海 sea" and int(parsed["label"]) == 3
    assert tf.sparse.to_dense(parsed["labels"]).numpy().tolist() == [3, 17]
    assert int(parsed["has_cover"]) == 0 and parsed["cover"].numpy() == b""
    assert parse_example(data)["labels"] == [3, 17]
    with pytest.raises(TypeError, match="label"):
        serialize_example({"label": 1.5})


def test_prepare_workers_import_no_tensorflow():
    code = (
        "import sys\n"
        "import data_interface.prepare.pipeline, data_interface.prepare.shards\n"
        "print(sorted(name for name in ('tensorflow', 'keras', 'torch') if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# --- splits -----------------------------------------------------------------------------------


def test_split_fractions_are_close_to_the_requested_shares():
    ids = [str(10_000_000 + k) for k in range(20_000)]
    counts = {split: 0 for split in splits.SPLITS}
    for mp4_id in ids:
        counts[splits.split_of(mp4_id, 0.1, 0.1)] += 1
    assert abs(counts["train"] / len(ids) - 0.8) < 0.01
    assert abs(counts["val"] / len(ids) - 0.1) < 0.01 and abs(counts["test"] / len(ids) - 0.1) < 0.01


def test_more_val_only_moves_train_videos_and_test_never_moves():
    ids = [f"v{k}" for k in range(5000)]
    before = {i: splits.split_of(i, 0.1, 0.1) for i in ids}
    after = {i: splits.split_of(i, 0.2, 0.1) for i in ids}
    moved = {i for i in ids if before[i] != after[i]}
    assert moved and all(before[i] == "train" and after[i] == "val" for i in moved)
    assert {i for i in ids if before[i] == "test"} == {i for i in ids if after[i] == "test"}


@pytest.mark.parametrize("val, test, named", [(-0.1, 0.1, "val_fraction"), (0.1, 1.0, "test_fraction"),
                                              (0.5, 0.5, "< 1"), (True, 0.1, "val_fraction")])
def test_bad_fractions_raise_naming_the_value(val, test, named):
    with pytest.raises(ValueError, match=named):
        splits.check_fractions(val, test)


def test_segments_generator_depends_only_on_the_id():
    first = splits.sampling_rng("123").integers(0, 1 << 30, 4)
    assert first.tolist() == splits.sampling_rng("123").integers(0, 1 << 30, 4).tolist()
    assert first.tolist() != splits.sampling_rng("124").integers(0, 1 << 30, 4).tolist()


# --- shard plans ------------------------------------------------------------------------------


def _sources(count: int) -> list[ExampleSource]:
    return [ExampleSource(str(1000 + k), (k % 31,), f"/v/{k}.mp4") for k in range(count)]


def test_count_shards_targets_the_shard_size():
    per_example = shards.estimate_example_bytes(8, 112, "jpeg")
    assert 20_000 < per_example < 60_000
    assert shards.estimate_example_bytes(8, 112, "raw") > 8 * 112 * 112 * 3
    assert shards.count_shards(0, per_example) == 0
    assert shards.count_shards(10, per_example) == 1
    count = shards.count_shards(400_000, per_example)
    assert 100e6 <= 400_000 * per_example / count <= shards.TARGET_SHARD_BYTES


def test_pieces_cover_each_example_once_in_hash_order_whatever_their_size():
    sources = _sources(300)
    by_split = {"train": sources[:200], "val": sources[200:260], "test": sources[260:]}
    num_shards = {"train": 3, "val": 1, "test": 2}
    orders = []
    for size in (1, 7, 32):
        pieces = shards.plan_pieces(by_split, num_shards, size)
        assert all(len(piece.sources) <= size for piece in pieces)
        seen = [source.mp4_id for piece in pieces for source in piece.sources]
        assert sorted(seen) == sorted(source.mp4_id for source in sources)
        for piece in pieces:
            assert all(splits.shard_of(s.mp4_id, piece.num_shards) == piece.shard for s in piece.sources)
        order = {}
        for piece in pieces:
            order.setdefault(piece.shard_file, []).extend(s.mp4_id for s in piece.sources)
        for ids in order.values():
            assert ids == sorted(ids, key=splits.order_point)
        orders.append(order)
    assert orders[0] == orders[1] == orders[2]  # the content of a shard does not depend on the cut
    assert set(orders[0]) == {"train-00000-of-00003.tfrecord", "train-00001-of-00003.tfrecord",
                              "train-00002-of-00003.tfrecord", "val-00000-of-00001.tfrecord",
                              "test-00000-of-00002.tfrecord", "test-00001-of-00002.tfrecord"}


def test_a_piece_survives_its_worklist_line():
    piece = shards.plan_pieces({"train": _sources(3)}, {"train": 1}, 8)[0]
    assert shards.Piece.from_json(piece.to_json()) == piece


def test_piece_size_gives_each_worker_several_pieces():
    assert shards.piece_size(10, 2) == 1
    assert shards.piece_size(320, 2) == 20
    assert shards.piece_size(1_000_000, 64) == shards.MAX_PIECE_EXAMPLES


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


# --- the output folder ------------------------------------------------------------------------


def _settings(**changes):
    values = dict(frames=8, size=112, sampling="uniform", storage="jpeg", val_fraction=0.1, test_fraction=0.1,
                  root="/corpus", manifest=None)
    values.update(changes)
    return info.RunSettings(**values)


def _finished(out: Path, settings) -> None:
    out.mkdir(parents=True, exist_ok=True)
    data = {**{k: v for k, v in settings.to_dict().items() if k not in ("root", "manifest")},
            "source": {"root": settings.root, "manifest": settings.manifest},
            "shards": {"train": ["train-00000-of-00001.tfrecord"]}, "ids": {"train": "train.ids"}}
    for name in info.listed_files(data):
        (out / name).write_text("")
    info.write_json(out / info.INFO_NAME, data)


def test_output_states(tmp_path):
    settings = _settings()
    assert info.output_state(tmp_path / "absent", settings).kind == "fresh"
    (tmp_path / "leftovers" / ".tmp-prepare-1-ab").mkdir(parents=True)
    (tmp_path / "leftovers" / "train-00000-of-00002.tfrecord").write_text("")
    assert info.output_state(tmp_path / "leftovers", settings).kind == "fresh"
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "notes.txt").write_text("")
    assert info.output_state(tmp_path / "foreign", settings).kind == "foreign"
    _finished(tmp_path / "done", settings)
    assert info.output_state(tmp_path / "done", settings).kind == "finished"
    state = info.output_state(tmp_path / "done", _settings(size=64, sampling="first"))
    assert state.kind == "different" and "size 112 != 64" in state.detail and "sampling" in state.detail
    (tmp_path / "done" / "train.ids").unlink()
    assert info.output_state(tmp_path / "done", settings).kind == "damaged"
    (tmp_path / "done" / info.INFO_NAME).write_text("{not json")
    assert info.output_state(tmp_path / "done", settings).kind == "damaged"


# --- Beam options -----------------------------------------------------------------------------


def test_local_runs_use_direct_runner_worker_processes():
    from apache_beam.options.pipeline_options import DirectOptions, StandardOptions

    options = pipeline.pipeline_options(2)
    assert options.view_as(StandardOptions).runner == "DirectRunner" and pipeline.is_local(options)
    direct = options.view_as(DirectOptions)
    assert (direct.direct_running_mode, direct.direct_num_workers) == ("multi_processing", 2)
    assert pipeline.pipeline_options(1).view_as(DirectOptions).direct_running_mode == "in_memory"
    explicit = pipeline.pipeline_options(2, ["direct_num_workers=3"]).view_as(DirectOptions)
    assert explicit.direct_num_workers == 3 and explicit.direct_running_mode == "multi_processing"


def test_other_runners_come_from_beam_options():
    from apache_beam.options.pipeline_options import GoogleCloudOptions, StandardOptions

    flink = pipeline.pipeline_options(2, ["runner=FlinkRunner", "flink_master=localhost:8081"])
    assert flink.view_as(StandardOptions).runner == "FlinkRunner" and not pipeline.is_local(flink)
    assert flink.get_all_options()["flink_master"] == "localhost:8081"
    dataflow = pipeline.pipeline_options(2, ["runner=DataflowRunner", "project=p", "region=europe-west1",
                                             "temp_location=gs://b/tmp", "save_main_session"])
    cloud = dataflow.view_as(GoogleCloudOptions)
    assert (cloud.project, cloud.region, cloud.temp_location) == ("p", "europe-west1", "gs://b/tmp")
    with pytest.raises(ValueError, match="KEY=VALUE"):
        pipeline.pipeline_options(2, ["=x"])


def test_summary_format_names_counts_and_reasons(tmp_path):
    from data_interface.prepare import PrepareSummary

    summary = PrepareSummary(out=tmp_path, splits={"train": 8, "val": 1, "test": 1}, num_failed=3,
                             failures_by_reason={"truncated": 2, "empty_file": 1},
                             absent={"cover": {"missing": 2}, "text": {}}, num_truncated=1,
                             shards={"train": 2, "val": 1, "test": 1}, vocabulary_size=50, num_videos=13,
                             seconds=2.0)
    text = summary.format()
    assert "prepared 10 examples from 13 videos" in text and "6.5 videos/s" in text
    assert "train 8 (2 shards), val 1 (1 shard)" in text
    assert "failed 3: truncated 2, empty_file 1" in text and "kept without cover: 2 (missing 2)" in text
