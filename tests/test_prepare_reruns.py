"""prepare_dataset runs: determinism, reruns, --overwrite, interruptions, failures, manifest/sampling/storage."""

import json

import numpy as np
import pytest
from media_helpers import write_clip, write_textured_clip
from prepare_fixtures import (
    ARGS,
    FRAMES,
    SIZE,
    _dataset_bytes,
    _info,
    _item,
    _read_split,
    shared_corpus,
    shared_prepared,
)

from data_interface.features import FeatureSpec
from data_interface.prepare import OutputExistsError, prepare_dataset
from data_interface.prepare import info as info_files
from mmvideo import taxonomy
from mmvideo.cli.main import main
from mmvideo.media import sample_frames


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return shared_corpus(tmp_path_factory)


@pytest.fixture(scope="module")
def prepared(corpus, tmp_path_factory):
    return shared_prepared(corpus, tmp_path_factory)


# --- determinism, reruns, overwrite, interruption ---------------------------------------------


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
