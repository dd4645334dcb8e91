"""Prepare's data layout: TFRecord framing, the Example proto, hash splits and shard plans."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from data_interface.features import FeatureSpec
from data_interface.prepare import shards, splits, tfrecord
from data_interface.prepare.example_proto import parse_example, serialize_example
from data_interface.prepare.examples import ExampleSource

PROJECT = Path(__file__).resolve().parents[1]


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
