"""``mmvideo demo`` end to end at a tiny scale (31 clips, 2 frames of 32 px, tiny widths, 1-2
epochs), and the demo's report on the shared tiny run (tests/run_fixtures.py)."""

import json

import pytest
from run_fixtures import tiny_run
from train_helpers import TINY_SETS

from baseline_model.evaluation.evaluate import evaluate_run
from mmvideo.cli.main import main
from mmvideo.demo_report import format_accuracy_table, held_out_folders, predict_held_out
from mmvideo.layout import scan_layout

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def test_demo_runs_the_whole_flow_end_to_end(tmp_path, capsys):
    workdir = tmp_path / "demo"
    tiny = [argument for key in TINY_SETS if key != "train.batch_size=8" for argument in ("--set", key)]
    argv = ["demo", "--workdir", str(workdir), "--per-category", "1", "--epochs", "2", "--single-epochs", "1",
            "--frames", "2", "--size", "32", "--quiet", *tiny]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "31 of 31 items" in out and "31 ok" in out and "0 failed" in out
    items = list(scan_layout(workdir / "raw"))
    assert len({item.mp4_id for item in items}) == 31 and all(item.complete for item in items)
    served = {p.relative_to(workdir / "served") for p in (workdir / "served").rglob("*.mp4")}
    downloaded = {p.relative_to(workdir / "raw") for p in (workdir / "raw").rglob("*.mp4")}
    assert downloaded == served
    assert (workdir / "stats.png").stat().st_size > 10_000
    # every step ran as the subcommand a user would type
    for command in ("prepare", "train", "evaluate"):
        assert f"$ mmvideo {command} " in out
    info = json.loads((workdir / "data" / "info.json").read_text())
    assert info["spec"]["frames_per_clip"] == 2 and sum(info["splits"].values()) == 31
    for name, modalities in (("fused", ["text", "cover", "frames"]), ("text", ["text"]),
                             ("cover", ["cover"]), ("frames", ["frames"])):
        metrics = json.loads((workdir / "runs" / name / "eval-test" / "metrics.json").read_text())
        assert metrics["modalities"] == modalities and metrics["num_examples"] == info["splits"]["test"]
    fused = json.loads((workdir / "runs" / "fused" / "eval-test" / "metrics.json").read_text())
    assert set(fused["ablation"]) == {"without_text", "without_cover", "without_frames"}
    table = out[out.index("== results"):]
    for row in ("fused ", "text ", "cover ", "frames ", "fused, without text", "fused via predict"):
        assert row in table
    assert f"{info['splits']['test']} held-out clips" in out


def test_demo_report_predicts_the_held_out_clips_as_evaluate_scores_them(tmp_path_factory):
    run = tiny_run(tmp_path_factory)
    test_ids = (run.data / "test.ids").read_text().split()
    folders = held_out_folders(run.data, run.corpus)
    assert sorted(folders) == sorted(test_ids)
    for mp4_id, (folder, labels) in folders.items():
        assert folder.name == mp4_id and labels
    report = predict_held_out(run.path, run.data, run.corpus)
    assert report.num_clips == len(test_ids) and not report.errors
    evaluated = evaluate_run(run.path, split="test")
    assert report.accuracy == pytest.approx(evaluated["accuracy"])
    models = {"fused": ("text,cover,frames", 1)}
    table = format_accuracy_table(models, {"fused": evaluated}, report)
    assert table.splitlines()[1].split()[:3] == ["fused", "text,cover,frames", f"{evaluated['accuracy']:.3f}"]
    assert f"{report.accuracy:.3f}" in table.splitlines()[-1]


@pytest.mark.parametrize("flag, value, message", [("--per-category", "0", "must be >= 1, got 0"),
                                                  ("--epochs", "x", "expected an integer, got 'x'")])
def test_bad_counts_are_usage_errors(tmp_path, capsys, flag, value, message):
    with pytest.raises(SystemExit) as exited:
        main(["demo", "--workdir", str(tmp_path), flag, value])
    assert exited.value.code == 2 and message in capsys.readouterr().err
    assert not (tmp_path / "raw").exists()
