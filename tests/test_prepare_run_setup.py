"""Prepare's run setup and report: the output folder's state, Beam pipeline options, the summary text."""

from pathlib import Path

import pytest

from data_interface.prepare import info, pipeline

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
