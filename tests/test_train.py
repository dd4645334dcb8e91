"""mmvideo train end to end on a tiny prepared dataset: the RUN layout, resuming, determinism."""

import json

import keras
import numpy as np
import pytest
from train_helpers import STEPS_PER_EPOCH, TINY_SETS, cli_sets, prepared_dataset

from baseline_model.training import RunDir, model_setup, train
from mmvideo.cli.main import main

# Keras's own model.save converts variables with np.array(x): numpy 2 warns, nothing to fix here.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return prepared_dataset(tmp_path_factory)


def weights_of(path):
    return [np.asarray(w) for w in keras.models.load_model(path).get_weights()]


def test_train_writes_the_run_then_resumes_with_the_optimizer_state(data, tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    assert main(["train", str(data), "--out", str(out), "--epochs", "2", "--quiet", *cli_sets()]) == 0
    printed = capsys.readouterr().out
    assert "trained epochs 1-2 (of 2)" in printed and "samples/s" in printed and "best epoch" in printed
    run = RunDir(out)
    for path in (run.config, run.data_info, run.vocabulary, run.model, run.last_checkpoint, run.state,
                 run.history, run.curves, run.summary):
        assert path.is_file(), path
    assert run.curves.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((run.logs / "train").glob("events.out.tfevents.*"))
    assert list((run.logs / "validation").glob("events.out.tfevents.*"))
    config = run.read_config()
    assert config["data"] == str(data.resolve()) and config["seed"] == 0 and config["model_fn"] is None
    assert config["modalities"] == ["text", "cover", "frames"] and config["model"]["branch_dim"] == 8
    assert config["train"]["epochs"] == 2 and config["train"]["early_stopping_patience"] == 10
    assert run.read_data_info() == json.loads((data / "info.json").read_text())
    assert run.vocabulary.read_text() == (data / "vocab.txt").read_text()
    state = run.read_state()
    assert state.epoch == 2 and 1 <= state.best_epoch <= 2 and state.monitor == "val_loss"
    first_rows = run.read_history()
    assert [row["epoch"] for row in first_rows] == [0, 1]
    assert {"loss", "accuracy", "top5_accuracy", "val_loss", "val_accuracy", "learning_rate"} <= set(first_rows[0])
    saved = keras.models.load_model(run.last_checkpoint)
    assert int(saved.optimizer.iterations) == 2 * STEPS_PER_EPOCH
    saved_weights = [np.asarray(w) for w in saved.get_weights()]
    best = keras.models.load_model(run.model)
    assert best.output.shape[-1] == 31

    loaded = {}
    original = model_setup.resume_model

    def spy(*args, **kwargs):
        model = original(*args, **kwargs)
        loaded["iterations"] = int(model.optimizer.iterations)
        loaded["weights"] = [np.asarray(w) for w in model.get_weights()]
        return model

    monkeypatch.setattr(model_setup, "resume_model", spy)
    # no --set: the saved config is the base of a resumed run
    assert main(["train", str(data), "--out", str(out), "--epochs", "4", "--quiet"]) == 0
    assert "trained epochs 3-4 (of 4)" in capsys.readouterr().out
    assert loaded["iterations"] == 2 * STEPS_PER_EPOCH  # epochs 3-4 start from the saved state
    for before, after in zip(saved_weights, loaded["weights"], strict=True):
        np.testing.assert_array_equal(before, after)
    rows = run.read_history()
    assert [row["epoch"] for row in rows] == [0, 1, 2, 3] and rows[:2] == first_rows
    assert int(keras.models.load_model(run.last_checkpoint).optimizer.iterations) == 4 * STEPS_PER_EPOCH
    assert run.read_config()["train"]["epochs"] == 4 and run.read_config()["model"]["branch_dim"] == 8
    summary = json.loads(run.summary.read_text())
    assert summary["epochs_completed"] == 4 and summary["resumed_from_epoch"] == 2 and summary["epochs_run"] == 2
    assert summary["samples_per_second"] > 0 and summary["best_metrics"]["val_loss"] == summary["best_value"]

    # complete: nothing to do; a change of architecture is refused (exit 2, one line)
    assert main(["train", str(data), "--out", str(out), "--epochs", "4", "--quiet"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert len(run.read_history()) == 4
    assert main(["train", str(data), "--out", str(out), "--set", "model.temporal=lstm"]) == 2
    assert "another model" in capsys.readouterr().err


def test_progress_by_epochs_is_one_bar_over_the_run(data, tmp_path, capsys):
    out = tmp_path / "run"
    argv = ["train", str(data), "--out", str(out), "--epochs", "2", "--progress", "epochs", *cli_sets()]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "Epoch 1/2" not in captured.out  # no Keras bar or line per epoch
    assert "train run: 100%" in captured.err and "2/2" in captured.err and "val_loss=" in captured.err
    with pytest.raises(ValueError, match="`progress`"):
        train(data, out, overrides=TINY_SETS, epochs=3, progress="sometimes")


def test_same_seed_same_weights_and_loss(data, tmp_path):
    summaries, weights = [], []
    for name in ("a", "b"):
        overrides = (*TINY_SETS, "train.class_weights=balanced")
        summary = train(data, tmp_path / name, overrides=overrides, epochs=1, seed=3, progress=False)
        summaries.append(summary)
        weights.append(weights_of(RunDir(tmp_path / name).last_checkpoint))
        assert RunDir(tmp_path / name).read_config()["seed"] == 3
    assert summaries[0].best_metrics["loss"] == summaries[1].best_metrics["loss"]
    assert summaries[0].best_metrics["val_loss"] == summaries[1].best_metrics["val_loss"]
    for first, second in zip(*weights, strict=True):
        np.testing.assert_array_equal(first, second)


def test_trained_model_reloads_in_a_fresh_process_with_only_the_package_imported(data, tmp_path):
    """RUN/model.keras holds the optimizer and its WarmupCosine schedule: importing baseline_model
    must be enough for plain keras.models.load_model."""
    import subprocess
    import sys

    out = tmp_path / "run"
    train(data, out, overrides=TINY_SETS, epochs=1, progress=False)
    script = (
        "import sys, keras, baseline_model\n"
        "model = keras.models.load_model(sys.argv[1])\n"
        "print(model.optimizer.get_config()['learning_rate']['class_name'], model.output.shape[-1])\n"
    )
    for path in (out / "model.keras", RunDir(out).last_checkpoint):
        done = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        assert done.stdout.split()[-2:] == ["WarmupCosine", "31"]


def test_a_killed_run_resumes_from_its_last_completed_epoch(data, tmp_path, capsys):
    """SIGKILL mid-training (no chance to clean up), then the same command: training goes on
    after the last epoch state.json names, with that epoch's optimizer state; history has no gap
    and no duplicate."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "run"
    argv = [sys.executable, "-m", "mmvideo.cli.main", "train", str(data), "--out", str(out), "--epochs", "200",
            "--quiet", *cli_sets("train.early_stopping_patience=0")]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ | {
        "PYTHONPATH": os.pathsep.join(sys.path)})
    run = RunDir(out)
    deadline = time.monotonic() + 240
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if run.state.is_file() and run.read_state().epoch >= 2:
                break
            time.sleep(0.2)
        assert process.poll() is None, process.stderr.read().decode()[-2000:]
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    completed = run.read_state().epoch
    assert 2 <= completed < 200
    assert main(["train", str(data), "--out", str(out), "--epochs", str(completed + 1), "--quiet"]) == 0
    assert f"trained epoch {completed + 1} (of {completed + 1})" in capsys.readouterr().out
    assert [row["epoch"] for row in run.read_history()] == list(range(completed + 1))
    resumed = keras.models.load_model(run.last_checkpoint)
    assert int(resumed.optimizer.iterations) == (completed + 1) * STEPS_PER_EPOCH
    assert not list(out.rglob("*.tmp*"))  # no partial files left behind
