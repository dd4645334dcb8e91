"""``prepare_dataset`` end to end on a generated corpus with injected bad files: what is kept, what
fails and why, splits, labels, presence flags, shard contents read back with tf.data and the spec,
determinism across runs and worker counts, reruns, --overwrite, interruptions, and the CLI."""

import io
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from media_helpers import write_clip, write_indexed_clip, write_textured_clip
from PIL import Image, ImageOps

from data_interface.features import FORMAT_VERSION, FeatureSpec
from data_interface.prepare import OutputExistsError, prepare_dataset
from data_interface.prepare import info as info_files
from data_interface.prepare.splits import SPLITS, order_point, split_of
from mmvideo import taxonomy
from mmvideo.cli.main import main
from mmvideo.layout import scan_layout
from mmvideo.media import sample_frames
from mmvideo.records import VideoRecord
from mmvideo.synth import synthesize_corpus

FRAMES, SIZE = 4, 32  # small, so shards are tiny and JPEG work is quick
ARGS = dict(frames=FRAMES, size=SIZE)
CHINESE = "海边日落，金色的阳光洒在海面上"

# id -> the reason it must fail with (any of the listed reasons)
EXPECTED_FAILURES = {
    "bad_empty": {"empty_file"},
    "bad_html": {"not_a_video"},
    "bad_truncated": {"truncated"},
    "bad_novideo": {"missing_video"},
}
# kept ids -> (has_cover, has_text)
EXPECTED_FLAGS = {
    "ok_two_frames": (1, 1),
    "ok_portrait": (1, 1),
    "ok_vp9": (1, 1),
    "ok_hevc": (1, 1),
    "ok_audio_first": (1, 1),
    "ok_chinese": (1, 1),
    "ok_cut_usable": (1, 1),
    "ok_no_cover": (0, 1),
    "ok_bad_cover": (0, 1),
    "ok_no_txt": (1, 0),
    "ok_two_categories": (1, 1),
}


def _cover(path: Path, seed: int, width: int = 80, height: int = 48) -> None:
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    rgb = np.clip(gradient + rng.integers(0, 60, size=(height, 1, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(np.broadcast_to(rgb, (height, width, 3)).copy()).save(path, quality=95)


def _item(root: Path, category: str, mp4_id: str, description: str = "a test clip", cover=True, txt=True) -> dict:
    folder = root / category / mp4_id
    folder.mkdir(parents=True)
    files = {"mp4": folder / f"{mp4_id}.mp4", "cover": folder / f"{mp4_id}.jpeg", "txt": folder / f"{mp4_id}.txt"}
    if cover:
        _cover(files["cover"], len(mp4_id))
    if txt:
        files["txt"].write_text(VideoRecord(mp4_id, description=description).to_txt(), encoding="utf-8")
    return files


def _cut(source: Path, target: Path, fraction: float) -> None:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])


def build_corpus(root: Path) -> Path:
    """The synth corpus (31 videos, 2 of them under two categories) plus injected items."""
    synthesize_corpus(root, per_category=1, seed=0, width=96, height=64, workers=1)
    files = _item(root, "Nature", "bad_empty")
    files["mp4"].write_bytes(b"")
    files = _item(root, "Nature", "bad_html")
    files["mp4"].write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>\n", encoding="utf-8")
    files = _item(root, "Nature", "bad_truncated")  # the index (moov) is written last: cut it off
    write_textured_clip(files["mp4"].with_suffix(".full"), num_frames=24)
    _cut(files["mp4"].with_suffix(".full"), files["mp4"], 0.6)
    files["mp4"].with_suffix(".full").unlink()
    _item(root, "Nature", "bad_novideo")
    files = _item(root, "Sea", "ok_cut_usable")  # index first, so the frames before the cut are usable
    write_textured_clip(files["mp4"].with_suffix(".full"), num_frames=40, gop=10,
                        container_options={"movflags": "faststart"})
    _cut(files["mp4"].with_suffix(".full"), files["mp4"], 0.6)
    files["mp4"].with_suffix(".full").unlink()
    write_indexed_clip(_item(root, "Sea", "ok_two_frames")["mp4"], num_frames=2)
    write_indexed_clip(_item(root, "Sea", "ok_portrait")["mp4"], num_frames=12, width=48, height=96, marker=True)
    files = _item(root, "Sea", "ok_vp9")
    write_indexed_clip(files["mp4"].with_suffix(".webm"), num_frames=12, codec="libvpx-vp9")
    write_indexed_clip(_item(root, "Sea", "ok_hevc")["mp4"], num_frames=12, codec="libx265")
    write_indexed_clip(_item(root, "Sea", "ok_audio_first")["mp4"], num_frames=12, audio_first=True)
    write_textured_clip(_item(root, "Beach", "ok_chinese", description=CHINESE)["mp4"], num_frames=12, seed=3)
    write_textured_clip(_item(root, "Beach", "ok_no_cover", cover=False)["mp4"], num_frames=12, seed=4)
    files = _item(root, "Beach", "ok_bad_cover")
    write_textured_clip(files["mp4"], num_frames=12, seed=5)
    files["cover"].write_bytes(files["cover"].read_bytes()[:200])  # a JPEG cut short
    write_textured_clip(_item(root, "Beach", "ok_no_txt", txt=False)["mp4"], num_frames=12, seed=6)
    files = _item(root, "Sport", "ok_two_categories")
    write_textured_clip(files["mp4"], num_frames=12, seed=7)
    shutil.copytree(files["mp4"].parent, root / "Aerial" / "ok_two_categories")  # a copy, not a link
    return root


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return build_corpus(tmp_path_factory.mktemp("prepare") / "corpus")


@pytest.fixture(scope="module")
def prepared(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("prepared") / "data"
    calls = []
    summary = prepare_dataset(corpus, out, workers=2, progress=lambda *call: calls.append(call), **ARGS)
    return out, summary, calls


def _all_ids(corpus: Path) -> set[str]:
    return {item.mp4_id for item in scan_layout(corpus)}


def _info(out: Path) -> dict:
    return json.loads((out / "info.json").read_text(encoding="utf-8"))


def _read_split(out: Path, split: str) -> dict[str, dict]:
    """Every example of a split, parsed with tf.data and the spec's parsing features."""
    import tensorflow as tf

    info = _info(out)
    spec = FeatureSpec.from_dict(info["spec"])
    files = [str(out / name) for name in info["shards"][split]]
    examples = {}
    for record in tf.data.TFRecordDataset(files):
        parsed = tf.io.parse_single_example(record, spec.tfrecord_features())
        example = {key: value.numpy() for key, value in parsed.items() if key != "labels"}
        example["labels"] = tf.sparse.to_dense(parsed["labels"]).numpy().tolist()
        example["frames_rgb"] = tf.io.decode_jpeg(parsed["frames"]).numpy().reshape(spec.frames_shape)
        if example["has_cover"]:
            example["cover_rgb"] = tf.io.decode_jpeg(parsed["cover"]).numpy()
        examples[example["id"].decode()] = example
    return examples


@pytest.fixture(scope="module")
def examples(prepared):
    out, _, _ = prepared
    return {split: _read_split(out, split) for split in SPLITS}


def _flat(examples):
    return {mp4_id: example for split in examples.values() for mp4_id, example in split.items()}


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


# --- determinism, reruns, overwrite, interruption ---------------------------------------------


def _dataset_bytes(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()}


def test_the_same_input_gives_the_same_bytes_whatever_the_workers(corpus, prepared, tmp_path):
    out, _, _ = prepared
    again = prepare_dataset(corpus, tmp_path / "again", workers=2, **ARGS)
    single = prepare_dataset(corpus, tmp_path / "single", workers=1, **ARGS)
    reference = _dataset_bytes(out)
    assert any(name.endswith(".tfrecord") and len(data) > 1000 for name, data in reference.items())
    assert _dataset_bytes(tmp_path / "again") == reference
    assert _dataset_bytes(tmp_path / "single") == reference
    assert again.worker_processes == 2 and single.worker_processes == 1


def test_a_rerun_says_finished_and_overwrite_rebuilds(corpus, tmp_path, capsys):
    out = tmp_path / "data"
    first = prepare_dataset(corpus, out, workers=1, **ARGS)
    before = _dataset_bytes(out)
    stamp = (out / "info.json").stat().st_mtime_ns
    rerun = prepare_dataset(corpus, out, workers=1, **ARGS)
    assert rerun.already_prepared and rerun.splits == first.splits
    assert (out / "info.json").stat().st_mtime_ns == stamp
    assert "already prepared" in rerun.format()

    with pytest.raises(OutputExistsError, match=r"frames 4 != 2"):
        prepare_dataset(corpus, out, workers=1, frames=2, size=SIZE)
    assert _dataset_bytes(out) == before  # untouched

    rebuilt = prepare_dataset(corpus, out, workers=1, frames=2, size=SIZE, overwrite=True)
    assert not rebuilt.already_prepared and _info(out)["frames"] == 2
    assert _dataset_bytes(out) != before


def test_an_interrupted_prepare_leaves_no_finished_looking_dataset(corpus, tmp_path, monkeypatch):
    from data_interface.prepare import pipeline

    out = tmp_path / "data"
    real_run = pipeline.run_pipeline

    def run_then_die(*args, **kwargs):
        real_run(*args, **kwargs)
        raise KeyboardInterrupt  # after the shards were written into the temporary folder

    monkeypatch.setattr(pipeline, "run_pipeline", run_then_die)
    with pytest.raises(KeyboardInterrupt):
        prepare_dataset(corpus, out, workers=1, **ARGS)
    assert list(out.iterdir()) == []
    # A prepare killed outright leaves its temporary folder: the next run removes it and starts over.
    stale = out / f"{info_files.TMP_PREFIX}123-dead"
    (stale / "pieces").mkdir(parents=True)
    (stale / "train-00000-of-00001.tfrecord").write_bytes(b"half")
    monkeypatch.setattr(pipeline, "run_pipeline", real_run)
    summary = prepare_dataset(corpus, out, workers=1, **ARGS)
    assert not summary.already_prepared and not stale.exists() and (out / "info.json").is_file()


def test_a_failing_pipeline_is_one_error_and_leaves_nothing(corpus, tmp_path, monkeypatch, capsys):
    from data_interface.prepare import PipelineError, shards

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shards, "write_piece", disk_full)  # workers=1 runs the DoFns in this process
    with pytest.raises(PipelineError, match="No space left on device"):
        prepare_dataset(corpus, tmp_path / "data", workers=1, **ARGS)
    assert list((tmp_path / "data").iterdir()) == []
    assert main(["prepare", str(corpus), "--out", str(tmp_path / "data"), "--workers", "1", "--quiet"]) == 1
    error = capsys.readouterr().err.strip()
    assert error.startswith("mmvideo prepare: error: the Beam pipeline failed") and "No space left" in error
    assert len(error.splitlines()) == 1


def test_a_folder_with_other_files_is_refused_without_overwrite(corpus, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputExistsError, match="not empty"):
        prepare_dataset(corpus, out, workers=1, **ARGS)
    prepare_dataset(corpus, out, workers=1, overwrite=True, **ARGS)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # only prepare's own files are replaced
    assert (out / "info.json").is_file()


def test_a_manifest_adds_labels_and_fallback_descriptions(tmp_path):
    root = tmp_path / "corpus"
    files = _item(root, "Sea", "m1", txt=False)
    write_textured_clip(files["mp4"], num_frames=8)
    manifest = tmp_path / "manifest.jsonl"
    rows = [
        {"mp4_id": "m1", "video_label": "Sea", "mp4_txt_brief": "waves from the manifest"},
        {"mp4_id": "m1", "video_label": "Beach", "mp4_txt_brief": "waves from the manifest"},
        {"mp4_id": "not_downloaded", "video_label": "Sea", "mp4_txt_brief": "x"},
    ]
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    out = tmp_path / "data"
    prepare_dataset(root, out, workers=1, manifest=manifest, val_fraction=0, test_fraction=0, **ARGS)
    (example,) = _read_split(out, "train").values()
    assert example["labels"] == sorted([taxonomy.class_id("Sea"), taxonomy.class_id("Beach")])
    assert example["text"].decode() == "waves from the manifest" and example["has_text"] == 1
    info = _info(out)
    assert info["source"]["manifest_only"] == 1 and info["splits"] == {"train": 1, "val": 0, "test": 0}
    assert info["shards"]["val"] == [] and (out / "val.ids").read_text() == ""


def test_segments_sampling_is_seeded_by_the_id(corpus, tmp_path):
    first = prepare_dataset(corpus, tmp_path / "a", workers=1, sampling="segments", **ARGS)
    prepare_dataset(corpus, tmp_path / "b", workers=1, sampling="segments", **ARGS)
    assert first.num_examples and _dataset_bytes(tmp_path / "a") == _dataset_bytes(tmp_path / "b")


def test_raw_storage_holds_the_exact_sampled_frames(tmp_path):
    root = tmp_path / "corpus"
    files = _item(root, "Sea", "raw1")
    write_clip(files["mp4"], [np.full((64, 96, 3), 16 * k, np.uint8) for k in range(10)])
    out = tmp_path / "data"
    prepare_dataset(root, out, workers=1, storage="raw", val_fraction=0, test_fraction=0, **ARGS)
    info = _info(out)
    assert info["storage"] == "raw" and info["spec"]["storage"] == "raw"
    import tensorflow as tf

    spec = FeatureSpec.from_dict(info["spec"])
    (record,) = list(tf.data.TFRecordDataset([str(out / name) for name in info["shards"]["train"]]))
    parsed = tf.io.parse_single_example(record, spec.tfrecord_features())
    frames = np.frombuffer(parsed["frames"].numpy(), np.uint8).reshape(spec.frames_shape)
    np.testing.assert_array_equal(frames, sample_frames(files["mp4"], FRAMES, SIZE))


# --- the command line --------------------------------------------------------------------------


def test_cli_prints_a_summary_then_finished_then_refuses_other_settings(corpus, tmp_path, capfd):
    """capfd: the worker processes' stderr too, which must stay free of Beam's start-up chatter."""
    out = str(tmp_path / "data")
    base = ["prepare", str(corpus), "--out", out, "--frames", str(FRAMES), "--size", str(SIZE), "--quiet"]
    assert main([*base, "--workers", "2"]) == 0
    printed, errors = capfd.readouterr()
    assert errors == ""
    assert "prepared 42 examples from 45 videos" in printed and "videos/s" in printed
    assert "failed 4:" in printed and "empty_file 1" in printed and "kept without cover: 2" in printed
    assert main([*base, "--workers", "1"]) == 0
    assert "already prepared" in capfd.readouterr().out
    assert main([*base, "--frames", "2"]) == 2
    error = capfd.readouterr().err.strip()
    assert "--overwrite" in error and "frames 4 != 2" in error and len(error.splitlines()) == 1
    assert main([*base, "--frames", "2", "--overwrite", "--workers", "1"]) == 0
    assert _info(Path(out))["frames"] == 2


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--val-fraction", "0.6", "--test-fraction", "0.5"], "must be < 1"),
        (["--beam-option", "=oops"], "KEY=VALUE"),
    ],
)
def test_cli_bad_usage_is_one_line_and_exit_2(corpus, tmp_path, capsys, extra, message):
    assert main(["prepare", str(corpus), "--out", str(tmp_path / "d"), "--quiet", *extra]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


def test_cli_missing_root_is_exit_2(tmp_path, capsys):
    assert main(["prepare", str(tmp_path / "nowhere"), "--out", str(tmp_path / "d"), "--quiet"]) == 2
    assert "is not a directory" in capsys.readouterr().err
