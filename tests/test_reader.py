"""load_dataset / numpy_batches on a tiny dataset written from known arrays (tfrecord_fixtures)."""

import dataclasses
import itertools
import json
import subprocess
import sys

import numpy as np
import pytest
from tfrecord_fixtures import make_examples, write_dataset

from data_interface import FeatureSpec, load_dataset, numpy_batches
from data_interface.features import MODALITIES
from data_interface.text import DEFAULT_OOV_BUCKETS, tokenize_python

SPEC = FeatureSpec(frames_per_clip=4, frame_size=16, cover_size=16, max_tokens=12)
SUBSETS = [subset for size in (1, 2, 3) for subset in itertools.combinations(MODALITIES, size)]
JPEG_MEAN_ERROR, JPEG_MAX_ERROR = 3.0, 16


@pytest.fixture(scope="module")
def examples():
    return make_examples(20, SPEC, seed=0)


@pytest.fixture(scope="module")
def data(tmp_path_factory, examples):
    return write_dataset(
        tmp_path_factory.mktemp("data"), {"train": examples[:14], "test": examples[14:]}, SPEC
    )


def read_all(data, split="train", **kwargs):
    """Every batch of the split as numpy, plus the ids in order."""
    batches = list(
        numpy_batches(data, split, batch_size=kwargs.pop("batch_size", 5), shuffle=False, **kwargs)
    )
    return batches, [str(item) for features, _ in batches for item in features["id"]]


@pytest.mark.parametrize(
    "modalities, label_mode",
    [(subset, "single") for subset in SUBSETS] + [(subset, "multi") for subset in SUBSETS[::3]],
    ids=lambda value: "+".join(value) if isinstance(value, tuple) else value,
)
def test_shapes_and_dtypes(data, modalities, label_mode):
    dataset = load_dataset(data, "train", batch_size=5, modalities=modalities, label_mode=label_mode)
    expected = {"id": ((None,), "string")}
    for modality in modalities:
        shape, dtype = SPEC.input_shapes()[modality]
        expected[modality] = ((None, *shape), dtype)
        expected[f"has_{modality}"] = ((None,), "float32")
    features_spec, labels_spec = dataset.element_spec
    assert {key: (tuple(spec.shape), spec.dtype.name) for key, spec in features_spec.items()} == expected
    labels_shape = (None,) if label_mode == "single" else (None, SPEC.num_classes)
    assert (tuple(labels_spec.shape), labels_spec.dtype.name) == (
        labels_shape,
        "int32" if label_mode == "single" else "float32",
    )
    features, labels = next(iter(dataset))
    assert {key: value.shape[1:] for key, value in features.items()} == {
        key: shape[1:] for key, (shape, _) in expected.items()
    }
    assert features["id"].shape[0] == labels.shape[0] == 5


def test_decoded_content_matches_what_was_written(data, examples):
    batches, ids = read_all(data, label_mode="multi")
    by_id = {example.id: example for example in examples}
    assert sorted(ids) == sorted(example.id for example in examples[:14])
    assert [len(labels) for _, labels in batches] == [5, 5, 4]
    checked = 0
    for features, labels in batches:
        for row, video_id in enumerate(features["id"]):
            example = by_id[str(video_id)]
            for key, truth in (("frames", example.frames), ("cover", example.cover)):
                assert features[f"has_{key}"][row] == float(truth is not None)
                if truth is None:
                    assert not features[key][row].any(), f"absent {key} of {video_id} is not all zeros"
                    continue
                error = np.abs(features[key][row].astype(int) - truth)
                assert error.mean() < JPEG_MEAN_ERROR and error.max() <= JPEG_MAX_ERROR, (
                    key,
                    video_id,
                    error.max(),
                )
                checked += 1
            assert features["has_text"][row] == float(bool(example.text))
            num_tokens = min(len(tokenize_python([example.text])[0]), SPEC.max_tokens)
            assert (features["text"][row] > 0).sum() == num_tokens and num_tokens == (
                example.text != ""
            ) * num_tokens
            assert not features["text"][row][num_tokens:].any()
            np.testing.assert_array_equal(np.flatnonzero(labels[row]), example.labels)
    assert checked > 20


def test_frames_are_in_written_order(data, examples):
    """Frame t of the output is frame t that was written (not a neighbour in the mosaic)."""
    batches, _ = read_all(data, modalities=["frames"])
    by_id = {example.id: example for example in examples}
    for features, _ in batches:
        for row, video_id in enumerate(features["id"]):
            written = by_id[str(video_id)].frames
            if written is None:
                continue
            decoded = features["frames"][row].astype(float)
            distances = ((decoded[:, None] - written[None].astype(float)) ** 2).mean(axis=(2, 3, 4))
            np.testing.assert_array_equal(distances.argmin(axis=1), np.arange(SPEC.frames_per_clip))


def test_single_labels_are_the_primary_class(data, examples):
    batches, ids = read_all(data, split="test", modalities=["cover"])
    by_id = {example.id: example for example in examples}
    labels = np.concatenate([labels for _, labels in batches])
    assert labels.dtype == np.int32
    assert labels.tolist() == [by_id[video_id].label for video_id in ids]
    assert any(len(by_id[video_id].labels) > 1 for video_id in ids)


def test_text_of_chinese_descriptions_is_per_character(data, examples):
    batches, _ = read_all(data, modalities=["text"])
    for features, _ in batches:
        for row, video_id in enumerate(features["id"]):
            text = next(example.text for example in examples if example.id == str(video_id))
            if text.startswith("太空"):  # 太空中的星空与星云: 9 characters, all in the vocabulary
                ids = features["text"][row]
                assert (ids > DEFAULT_OOV_BUCKETS).sum() == 9 and not ids[9:].any()
                assert ids[1] == ids[5] and ids[4] == ids[7] and len(set(ids[:9])) == 7  # 空, 星 repeat
                return
    pytest.fail("no Chinese description in the train split")


def test_unrequested_frames_are_not_decoded(tmp_path, examples):
    """Corrupt frames bytes only fail when frames are asked for."""
    broken = [dataclasses.replace(example, frames_payload=b"not a jpeg") for example in examples[:6]]
    data = write_dataset(tmp_path / "data", {"train": broken}, SPEC, num_shards=1)
    features, _ = next(iter(load_dataset(data, "train", modalities=("text", "cover"))))
    assert "frames" not in features and features["cover"].shape[0] == 6
    with pytest.raises(Exception, match="(?i)jpeg|image"):
        next(iter(load_dataset(data, "train", modalities=("frames",))))


def test_raw_storage_is_exact(tmp_path, examples):
    spec = FeatureSpec(frames_per_clip=4, frame_size=16, cover_size=16, max_tokens=12, storage="raw")
    data = write_dataset(tmp_path / "raw", {"train": examples[:8]}, spec, num_shards=2)
    batches, ids = read_all(data, modalities=["frames"], batch_size=3)
    frames = np.concatenate([features["frames"] for features, _ in batches])
    for video_id, decoded in zip(ids, frames, strict=True):
        written = next(example.frames for example in examples if example.id == video_id)
        np.testing.assert_array_equal(decoded, np.zeros_like(decoded) if written is None else written)


def test_numpy_batches_equal_load_dataset(data):
    arguments = {"batch_size": 4, "label_mode": "multi", "shuffle": False}
    pairs = zip(
        load_dataset(data, "train", **arguments), numpy_batches(data, "train", **arguments), strict=True
    )
    for (features, labels), (arrays, label_array) in pairs:
        assert set(arrays) == set(features)
        assert arrays["id"].tolist() == [item.decode() for item in features["id"].numpy()]
        for key in set(features) - {"id"}:
            np.testing.assert_array_equal(arrays[key], features[key].numpy())
            assert arrays[key].dtype == features[key].dtype.as_numpy_dtype
        np.testing.assert_array_equal(label_array, labels.numpy())


def ids_of(data, split="train", **kwargs):
    """The ids in the order read (covers only: cheap)."""
    batches = numpy_batches(data, split, **{"batch_size": 4, "modalities": ["cover"], **kwargs})
    return [str(item) for features, _ in batches for item in features["id"]]


def test_shuffle_with_a_seed_is_deterministic(data):
    first, again, other = (ids_of(data, shuffle=True, seed=seed) for seed in (7, 7, 8))
    assert first == again and sorted(first) == sorted(other)
    assert first != other and first != ids_of(data, shuffle=False)


def test_repeat_goes_on_past_one_epoch(data):
    one_epoch = ids_of(data, shuffle=False)
    batches = numpy_batches(data, "train", batch_size=4, shuffle=False, repeat=True, modalities=["cover"])
    ids = [str(item) for features, _ in itertools.islice(batches, 9) for item in features["id"]]
    assert len(ids) == 36 and ids[:28] == one_epoch * 2 and ids[28:] == one_epoch[:8]


def test_default_shuffles_train_only(data):
    assert ids_of(data, "test") == ids_of(data, "test", shuffle=False)
    assert len({tuple(ids_of(data)) for _ in range(3)}) > 1


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"split": "validation"}, "validation"),
        ({"modalities": ("text", "audio")}, "audio"),
        ({"modalities": "video"}, "video"),
        ({"modalities": ()}, "modalities"),
        ({"label_mode": "multilabel"}, "multilabel"),
        ({"batch_size": 0}, "batch_size"),
        ({"shuffle": "yes"}, "yes"),
    ],
)
def test_bad_arguments_name_the_value(data, arguments, message):
    with pytest.raises(ValueError, match=message):
        load_dataset(data, **{"split": "train", **arguments})


def test_missing_data_is_a_clear_error(tmp_path, data):
    with pytest.raises(FileNotFoundError, match="not a directory"):
        load_dataset(tmp_path / "nowhere", "train")
    with pytest.raises(FileNotFoundError, match="info.json"):
        load_dataset(tmp_path, "train")
    (data / "vocab.txt").rename(data / "vocab.moved")
    try:
        with pytest.raises(FileNotFoundError, match="vocab"):
            load_dataset(data, "train", modalities=("text",))
        assert load_dataset(data, "train", modalities=("cover",)) is not None
        (data / "vocab.txt").write_text("")
        with pytest.raises(ValueError, match="empty"):
            load_dataset(data, "train", modalities=("text",))
    finally:
        (data / "vocab.moved").rename(data / "vocab.txt")


def test_info_without_shard_list_globs_the_split(tmp_path, examples):
    data = write_dataset(tmp_path / "data", {"train": examples[:9]}, SPEC, num_shards=3)
    info = json.loads((data / "info.json").read_text())
    del info["shards"], info["storage"]
    (data / "info.json").write_text(json.dumps(info))
    assert len(ids_of(data, shuffle=False)) == 9
    info["shards"] = {"train": 3}
    (data / "info.json").write_text(json.dumps(info))
    assert sorted(ids_of(data)) == [example.id for example in examples[:9]]


def test_import_loads_neither_torch_nor_tensorflow():
    code = "import sys, data_interface; data_interface.load_dataset; print(sorted(m for m in ('torch', 'tensorflow') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_raw_frames_of_another_size_are_an_error(tmp_path, examples):
    spec = FeatureSpec(frames_per_clip=4, frame_size=16, cover_size=16, max_tokens=12, storage="raw")
    short = [dataclasses.replace(example, frames_payload=b"\x01" * 100) for example in examples[:2]]
    data = write_dataset(tmp_path / "raw", {"train": short}, spec, num_shards=1)
    with pytest.raises(Exception, match="another size"):
        next(iter(load_dataset(data, "train", modalities=["frames"])))


def _by_id(dataset):
    """``{id: {key: array}}`` over every batch of ``dataset`` (labels under ``"label"``)."""
    rows = {}
    for features, labels in dataset:
        for index, mp4_id in enumerate(features["id"].numpy()):
            row = {key: value[index].numpy() for key, value in features.items() if key != "id"}
            rows[mp4_id.decode()] = row | {"label": labels[index].numpy()}
    return rows


@pytest.mark.parametrize("label_mode", ["single", "multi"])
def test_decoded_cache_gives_the_same_examples_and_reshuffles_each_pass(data, label_mode):
    plain = _by_id(load_dataset(data, "train", batch_size=4, shuffle=False, label_mode=label_mode))
    cached = load_dataset(data, "train", batch_size=4, shuffle=True, seed=3, cache=True, label_mode=label_mode)
    passes = [_by_id(cached) for _ in range(2)]  # the second pass is served from the cache
    for rows in passes:
        assert sorted(rows) == sorted(plain)
        for mp4_id, row in plain.items():
            for key, value in row.items():
                np.testing.assert_array_equal(rows[mp4_id][key], value)
    def orders(dataset):
        return [tuple(str(i) for features, _ in dataset for i in features["id"].numpy()) for _ in range(3)]

    first = orders(load_dataset(data, "train", batch_size=4, shuffle=True, seed=3, cache=True, label_mode=label_mode))
    assert len(set(first)) > 1  # shuffled after the cache, every pass
    again = load_dataset(data, "train", batch_size=4, shuffle=True, seed=3, cache=True, label_mode=label_mode)
    assert orders(again) == first  # and reproducibly with a seed
