"""prepare_dataset on the injected corpus: what is kept, what fails and why, and what the shards hold."""

import io
import json

import numpy as np
import pytest
from PIL import Image, ImageOps
from prepare_fixtures import (
    CHINESE,
    EXPECTED_FAILURES,
    EXPECTED_FLAGS,
    FRAMES,
    SIZE,
    _all_ids,
    _flat,
    _info,
    _read_split,
    shared_corpus,
    shared_prepared,
)

from data_interface.features import FORMAT_VERSION, FeatureSpec
from data_interface.prepare.splits import SPLITS, order_point, split_of
from mmvideo import taxonomy
from mmvideo.layout import scan_layout
from mmvideo.media import sample_frames


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return shared_corpus(tmp_path_factory)


@pytest.fixture(scope="module")
def prepared(corpus, tmp_path_factory):
    return shared_prepared(corpus, tmp_path_factory)


@pytest.fixture(scope="module")
def examples(prepared):
    out, _, _ = prepared
    return {split: _read_split(out, split) for split in SPLITS}


# --- what is kept, what fails -------------------------------------------------------------------


def test_counts_per_split_match_the_hash_split_exactly(corpus, prepared):
    out, summary, _ = prepared
    kept = _all_ids(corpus) - set(EXPECTED_FAILURES)
    expected = {split: sorted(i for i in kept if split_of(i, 0.1, 0.1) == split) for split in SPLITS}
    info = _info(out)
    assert info["splits"] == {split: len(ids) for split, ids in expected.items()} == summary.splits
    for split in SPLITS:
        assert (out / f"{split}.ids").read_text(encoding="utf-8").splitlines() == expected[split]
    assert sum(info["splits"].values()) == 31 + len(EXPECTED_FLAGS)


def test_every_bad_clip_is_reported_with_its_reason(prepared):
    out, summary, _ = prepared
    lines = [json.loads(line) for line in (out / "failures.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {line["id"] for line in lines} == set(EXPECTED_FAILURES)
    for line in lines:
        assert line["reason"] in EXPECTED_FAILURES[line["id"]], line
        assert line["path"] and set(line) >= {"id", "path", "reason"}
    assert _info(out)["num_failed"] == summary.num_failed == len(EXPECTED_FAILURES)
    assert sum(_info(out)["failures_by_reason"].values()) == len(EXPECTED_FAILURES)


def test_every_usable_clip_is_kept_in_exactly_one_split(corpus, examples):
    per_split = {split: set(found) for split, found in examples.items()}
    assert set().union(*per_split.values()) == _all_ids(corpus) - set(EXPECTED_FAILURES)
    for first in SPLITS:
        for second in SPLITS:
            if first < second:
                assert not per_split[first] & per_split[second]
    for split, found in per_split.items():
        assert all(split_of(mp4_id, 0.1, 0.1) == split for mp4_id in found)


def test_presence_flags_and_absent_reasons(examples, prepared):
    out, _, _ = prepared
    flat = _flat(examples)
    for mp4_id, (has_cover, has_text) in EXPECTED_FLAGS.items():
        example = flat[mp4_id]
        assert (example["has_cover"], example["has_text"], example["has_frames"]) == (has_cover, has_text, 1), mp4_id
        assert (example["cover"] == b"") == (not has_cover)
        assert (example["text"] == b"") == (not has_text)
    absent = {(row["id"], row["modality"]): row["reason"]
              for row in map(json.loads, (out / "absent.jsonl").read_text(encoding="utf-8").splitlines())}
    assert absent == {("ok_no_cover", "cover"): "missing", ("ok_bad_cover", "cover"): "corrupt",
                      ("ok_no_txt", "text"): "missing"}
    assert _info(out)["absent"] == {"cover": {"corrupt": 1, "missing": 1}, "text": {"missing": 1}}
    assert _info(out)["num_truncated"] == 1  # ok_cut_usable


def test_labels_are_merged_for_videos_under_two_categories(examples, corpus):
    flat = _flat(examples)
    expected = sorted([taxonomy.class_id("Sport"), taxonomy.class_id("Aerial")])
    assert flat["ok_two_categories"]["labels"] == expected
    assert flat["ok_two_categories"]["label"] == expected[0]
    folders: dict[str, list[str]] = {}
    for item in scan_layout(corpus):
        folders.setdefault(item.mp4_id, []).append(item.category)
    multi = {mp4_id for mp4_id, categories in folders.items() if len(categories) > 1}
    assert len(multi) >= 3  # two from synth, one injected
    for mp4_id in multi:
        ids = sorted(taxonomy.class_id(name) for name in folders[mp4_id])
        assert flat[mp4_id]["labels"] == ids and flat[mp4_id]["label"] == ids[0]
    single = set(flat) - multi
    assert all(len(flat[mp4_id]["labels"]) == 1 for mp4_id in single)


def test_descriptions_are_stored_as_utf8_text(examples, corpus):
    flat = _flat(examples)
    assert flat["ok_chinese"]["text"].decode("utf-8") == CHINESE
    synth_item = next(item for item in scan_layout(corpus) if item.mp4_id.isdigit())
    stored = flat[synth_item.mp4_id]["text"].decode("utf-8")
    assert stored and stored == json.loads(synth_item.txt.read_text(encoding="utf-8"))["mp4_txt_brief"].strip()


def _jpeg_roundtrip(rgb: np.ndarray) -> np.ndarray:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=90)
    return np.asarray(Image.open(buffer).convert("RGB"))


def test_frames_are_the_sampled_frames_of_the_clip(examples, corpus):
    flat = _flat(examples)
    videos = {}
    for item in scan_layout(corpus):
        videos.setdefault(item.mp4_id, item.mp4)
    checked = ("ok_portrait", "ok_vp9", "ok_hevc", "ok_two_frames", "ok_cut_usable", "ok_chinese",
               *sorted(i for i in flat if i.isdigit())[:3])
    references = {mp4_id: sample_frames(videos[mp4_id], FRAMES, SIZE) for mp4_id in checked}
    for mp4_id, reference in references.items():
        stored = flat[mp4_id]["frames_rgb"]
        assert stored.shape == reference.shape == (FRAMES, SIZE, SIZE, 3)
        mosaic = reference.reshape(FRAMES * SIZE, SIZE, 3)
        jpeg_error = np.abs(_jpeg_roundtrip(mosaic).astype(int) - mosaic.astype(int)).mean()
        error = np.abs(stored.astype(int) - reference.astype(int)).mean()
        assert error <= 1.2 * jpeg_error + 1, (mp4_id, error, jpeg_error)  # JPEG tolerance, no more
        for other_id, other in references.items():  # and not the frames of a different-looking clip
            if np.abs(other.astype(int) - reference.astype(int)).mean() > 3 * error + 6:
                assert np.abs(stored.astype(int) - other.astype(int)).mean() > 2 * error + 3, (mp4_id, other_id)
    two = flat["ok_two_frames"]["frames_rgb"].astype(int)
    assert np.abs(two[1] - two[3]).mean() < 2 and np.abs(two[0] - two[1]).mean() > 2  # last frame repeats


def test_the_cover_is_covered_and_centre_cropped(examples, corpus):
    flat = _flat(examples)
    for item in scan_layout(corpus):
        if item.mp4_id not in flat or not flat[item.mp4_id]["has_cover"] or not item.mp4_id.isdigit():
            continue
        stored = flat[item.mp4_id]["cover_rgb"]
        with Image.open(item.cover) as image:  # an independent cover-then-centre-crop (Pillow)
            expected = np.asarray(ImageOps.fit(image.convert("RGB"), (SIZE, SIZE), Image.BILINEAR))
        assert stored.shape == (SIZE, SIZE, 3)
        assert np.abs(stored.astype(int) - expected.astype(int)).mean() < 6


def test_info_json_holds_the_contract_fields(prepared):
    out, summary, _ = prepared
    info = _info(out)
    assert info["categories"] == [category.name for category in taxonomy.CATEGORIES] and len(info["categories"]) == 31
    assert (info["frames"], info["size"], info["sampling"], info["storage"]) == (FRAMES, SIZE, "uniform", "jpeg")
    assert info["format_version"] == FORMAT_VERSION
    assert FeatureSpec.from_dict(info["spec"]) == FeatureSpec(frames_per_clip=FRAMES, frame_size=SIZE, cover_size=SIZE)
    for split in SPLITS:
        names = info["shards"][split]
        assert names == [f"{split}-{k:05d}-of-{len(names):05d}.tfrecord" for k in range(len(names))]
        assert all((out / name).is_file() for name in names)
    vocabulary = (out / info["vocabulary"]).read_text(encoding="utf-8").splitlines()
    assert info["vocabulary_size"] == len(vocabulary) == summary.vocabulary_size > 10
    assert not any(path.name.startswith(".tmp") for path in out.iterdir())


def test_the_vocabulary_comes_from_train_descriptions_only(prepared, examples):
    out, _, _ = prepared
    from data_interface.text import learn_vocabulary

    train_texts = [e["text"].decode() for e in examples["train"].values() if e["has_text"]]
    vocabulary = (out / "vocab.txt").read_text(encoding="utf-8").splitlines()
    assert vocabulary == learn_vocabulary(train_texts)
    held_out = {e["text"].decode() for split in ("val", "test") for e in examples[split].values()}
    assert held_out - set(train_texts)  # otherwise this test could not tell the difference


def test_two_worker_processes_did_the_work_and_progress_was_reported(prepared):
    _, summary, calls = prepared
    assert summary.worker_processes == 2
    assert calls[0][0] == "scan" and calls[-1] == ("finish", 0, None)
    assert calls[-2] == ("encode", summary.num_videos, summary.num_videos)
    assert [call[1] for call in calls if call[0] == "encode"] == sorted(call[1] for call in calls if call[0] == "encode")
    assert summary.num_videos == 31 + len(EXPECTED_FLAGS) + len(EXPECTED_FAILURES) - 1  # bad_novideo: no clip


def test_each_shard_is_in_hash_order(prepared):
    import tensorflow as tf

    out, _, _ = prepared
    info = _info(out)
    for split in SPLITS:
        for name in info["shards"][split]:
            ids = [tf.train.Example.FromString(record.numpy()).features.feature["id"].bytes_list.value[0].decode()
                   for record in tf.data.TFRecordDataset(str(out / name))]
            assert len(ids) >= 2 and ids == sorted(ids, key=order_point), name
