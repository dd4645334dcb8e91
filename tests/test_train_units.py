"""The trainer's parts without training: config resolution, schedule, callbacks, run files, CLI errors."""

import keras
import pytest
from train_helpers import REPO

from baseline_model import ModelConfig
from baseline_model.training import config as config_module
from baseline_model.training.callbacks import RunCheckpoint, improved, patience_exhausted
from baseline_model.training.config import ConfigError, resolve_config
from baseline_model.training.data import balanced_class_weights
from baseline_model.training.plugin import MODEL_FN_PATTERN, PluginError, load_model_fn
from baseline_model.training.run_dir import RunDir, RunState
from baseline_model.training.schedule import WarmupCosine
from baseline_model.training.summary import TrainSummary
from baseline_model.training.train_config import TrainConfig, monitor_for
from mmvideo.cli.main import main

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


def test_defaults_come_from_the_yaml_or_the_dataclasses(monkeypatch):
    config = resolve_config()
    assert config_module.DEFAULT_CONFIG_PATH == REPO / "configs" / "baseline.yaml"
    assert config.model == ModelConfig() and config.train == TrainConfig()
    assert config.train.epochs == 30 and config.train.early_stopping_patience == 10
    assert config.modalities == ("text", "cover", "frames") and config.seed == 0 and config.model_fn is None
    monkeypatch.setattr(config_module, "DEFAULT_CONFIG_PATH", REPO / "absent.yaml")  # e.g. an installed wheel
    assert resolve_config() == config


def test_overrides_then_flags(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("model:\n  temporal: lstm\ntrain:\n  epochs: 7\nseed: 4\n")
    config = resolve_config(path, ["train.learning_rate=3e-4", "model.frame_filters=[8, 16]", "seed=9",
                                   "modalities=frames,cover"], epochs=2)
    assert config.model.temporal == "lstm" and config.model.frame_filters == (8, 16)
    assert config.train.learning_rate == pytest.approx(3e-4) and config.train.epochs == 2
    assert config.seed == 9 and config.modalities == ("cover", "frames")
    assert resolve_config(path, ["seed=9"], seed=1, modalities=["text"]).seed == 1
    again = resolve_config(overrides=[], saved=config.to_dict())
    assert again == config


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("model.temporl=lstm", "did you mean model.temporal"),
        ("epochs=3", "did you mean train.epochs"),
        ("train.epochs=0", "`epochs` must be an int >= 1"),
        ("model.temporal=nope", "`temporal` must be one of"),
        ("train.monitor=val_f1", "`monitor` must be one of"),
        ("novalue", "expects key=value"),
        ("modalities=audio", "non-empty subset"),
    ],
)
def test_bad_overrides_name_the_problem(override, message):
    with pytest.raises(ConfigError, match=message):
        resolve_config(overrides=[override])


def test_a_resumed_run_keeps_its_architecture():
    saved = resolve_config(overrides=["model.branch_dim=8"]).to_dict()
    assert resolve_config(overrides=["train.epochs=50"], saved=saved).model.branch_dim == 8
    for change in (["model.branch_dim=16"], ["modalities=cover"]):
        with pytest.raises(ConfigError, match="another model"):
            resolve_config(overrides=change, saved=saved)
    with pytest.raises(ConfigError, match="another model"):
        resolve_config(model_fn="pkg.mod:fn", saved=saved)


def test_monitor_follows_the_label_mode_and_the_val_split():
    assert monitor_for("val_loss", "single", True) == ("val_loss", "min")
    assert monitor_for("val_accuracy", "single", False) == ("accuracy", "max")
    assert monitor_for("val_map", "multi", True) == ("val_map", "max")
    with pytest.raises(ValueError, match="not computed"):
        monitor_for("val_accuracy", "multi", True)


@pytest.mark.parametrize("spec", ["pkg.mod:fn", "m:f", "_a.b_1:C"])
def test_model_fn_pattern_accepts_dotted_names(spec):
    assert MODEL_FN_PATTERN.match(spec)


@pytest.mark.parametrize("spec", ["m", "m:f:g", "../m:f", "m:f()", "__import__('os'):f", "m.:f", " m:f", "1m:f"])
def test_model_fn_pattern_rejects_anything_else(spec):
    with pytest.raises(PluginError, match="must look like"):
        load_model_fn(spec)


def test_schedule_warms_up_then_decays_to_zero():
    schedule = WarmupCosine(0.01, total_steps=10, warmup_steps=2)
    rates = [float(schedule(step)) for step in range(11)]
    assert rates[0] == pytest.approx(0.005) and rates[1] == pytest.approx(0.01) and rates[2] == pytest.approx(0.01)
    assert all(a >= b for a, b in zip(rates[2:], rates[3:], strict=False)) and rates[10] == pytest.approx(0.0, abs=1e-9)
    assert float(WarmupCosine(0.01, 10, decay=False)(7)) == pytest.approx(0.01)
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(schedule))
    assert restored.get_config() == schedule.get_config()


def test_best_and_patience_rules():
    assert improved(1.0, None, "min") and improved(0.5, 1.0, "min") and not improved(1.0, 1.0, "min")
    assert improved(0.9, 0.8, "max") and not improved(float("nan"), None, "min")
    assert patience_exhausted(5, 2, 3) and not patience_exhausted(4, 2, 3) and not patience_exhausted(50, 1, 0)
    assert balanced_class_weights([2, 0, 6]) == {0: 2.0, 1: 1.0, 2: pytest.approx(2 / 3)}


def test_checkpoint_callback_keeps_best_last_state_and_stops(tmp_path):
    run = RunDir(tmp_path / "run")
    run.create()
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    state = RunState(monitor="val_loss", mode="min")
    callback = RunCheckpoint(run, state, patience=2, examples_per_epoch=10)
    callback.set_model(model)
    for epoch, value in enumerate([3.0, 2.0, 2.5, 2.1]):
        callback.on_epoch_begin(epoch)
        callback.on_epoch_end(epoch, {"loss": 1.0, "val_loss": value})
    saved = run.read_state()
    assert (saved.epoch, saved.best, saved.best_epoch, saved.samples_seen) == (4, 2.0, 2, 40)
    assert saved.stopped_early and model.stop_training
    assert run.model.is_file() and run.last_checkpoint.is_file() and not list(run.path.glob(".tmp-*"))
    # the last epoch (the resume point) and the best one are kept; model.keras is the best one
    assert sorted(path.name for path in run.checkpoints.glob("*.keras")) == ["epoch-0002.keras", "epoch-0004.keras"]
    assert run.last_checkpoint == run.checkpoint_path(4) and saved.best_checkpoint == "epoch-0002.keras"
    assert run.model.samefile(run.checkpoint_path(2))


class Killed(Exception):
    """Stands for the process dying at that point."""


def _checkpointing(run):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    callback = RunCheckpoint(run, RunState(monitor="val_loss", mode="min"), patience=0, examples_per_epoch=10)
    callback.set_model(model)
    return callback


@pytest.mark.parametrize("killed_in", ["write_state", "publish"])
def test_an_epoch_counts_once_state_json_names_its_checkpoint(tmp_path, monkeypatch, killed_in):
    """A kill between the checkpoint and state.json leaves the previous epoch as the resume point
    (the orphan is removed on resume); a kill after state.json leaves the new one, and resuming
    finishes its publication (model.keras)."""
    run = RunDir(tmp_path / "run")
    run.create()
    callback = _checkpointing(run)
    for epoch, value in enumerate([3.0, 2.0]):
        callback.on_epoch_end(epoch, {"loss": 1.0, "val_loss": value})

    def die(*args):
        raise Killed

    with monkeypatch.context() as patch:
        patch.setattr(RunDir, killed_in, die)
        with pytest.raises(Killed):
            callback.on_epoch_end(2, {"loss": 1.0, "val_loss": 1.0})
    state = run.read_state()
    committed = 3 if killed_in == "publish" else 2
    assert state.epoch == committed and run.has_checkpoint()
    assert run.last_checkpoint == run.checkpoint_path(committed) and run.checkpoint_path(3).is_file()
    assert run.model.samefile(run.checkpoint_path(2))  # not yet published either way
    run.publish(state)  # what a resumed run does first
    kept = {run.checkpoint_path(committed), run.checkpoint_path(state.best_epoch)}
    assert set(run.checkpoints.glob("*.keras")) == kept
    assert run.model.samefile(run.checkpoint_path(state.best_epoch))
    assert state.best_epoch == committed


def test_state_json_cannot_name_a_checkpoint_outside_the_run(tmp_path):
    run = RunDir(tmp_path / "run")
    run.create()
    (tmp_path / "elsewhere.keras").write_bytes(b"")
    state = RunState(epoch=1, checkpoint="../../elsewhere.keras", best_checkpoint="../../elsewhere.keras")
    run.write_state(state)
    assert run.last_checkpoint is None and not run.has_checkpoint()
    run.publish(state)
    assert not run.model.exists() and (tmp_path / "elsewhere.keras").is_file()


def test_history_is_cut_back_to_the_saved_state(tmp_path):
    run = RunDir(tmp_path)
    run.history.write_text("epoch,loss\n0,1.5\n1,1.2\n2,1.1\n")
    run.truncate_history(2)
    assert run.read_history() == [{"epoch": 0, "loss": 1.5}, {"epoch": 1, "loss": 1.2}]
    run.history.write_text("epoch,loss\n0,1.5\n1,1.2\n1")  # a row cut short by a kill
    run.truncate_history(2)
    assert run.read_history() == [{"epoch": 0, "loss": 1.5}, {"epoch": 1, "loss": 1.2}]
    assert not list(run.path.glob(".*.tmp"))


def test_summary_reads_well():
    summary = TrainSummary(run_dir="runs/a", epochs_completed=12, epochs_run=12, resumed_from_epoch=0,
                           target_epochs=30, best_epoch=8, monitor="val_loss", best_value=0.05,
                           best_metrics={"loss": 0.1, "val_loss": 0.05, "val_accuracy": 0.99},
                           stopped_early=True, seconds=83.0, samples_per_second=245.3, num_train_examples=500)
    text = summary.format()
    assert "epochs 1-12 (stopped early) in 1 min 23 s, 245.3 samples/s" in text
    assert "best epoch 8 (by val_loss): val_loss 0.0500, val_accuracy 0.9900" in text
    assert summary.best_accuracy == 0.99


def test_cli_errors_are_one_line_with_exit_2(tmp_path, capsys):
    assert main(["train", str(tmp_path / "absent"), "--out", str(tmp_path / "run")]) == 2
    assert "not found" in capsys.readouterr().err
    (tmp_path / "data").mkdir()
    assert main(["train", str(tmp_path / "data"), "--out", str(tmp_path / "run")]) == 2
    assert "mmvideo prepare" in capsys.readouterr().err
    with pytest.raises(SystemExit) as raised:
        main(["train", str(tmp_path / "data"), "--out", str(tmp_path / "run"), "--epochs", "0"])
    assert raised.value.code == 2
    assert not (tmp_path / "run").exists()


def test_decoded_cache_is_used_when_it_fits(tmp_path):
    from baseline_model.training.data import cache_budget, decoded_bytes, use_cache
    from data_interface.features import MODALITIES, FeatureSpec
    from data_interface.info import DatasetInfo

    spec = FeatureSpec(frames_per_clip=8, frame_size=112, cover_size=112, max_tokens=64)
    small = DatasetInfo(tmp_path, spec, {"train": 100, "val": 10, "test": 10}, {})
    per_clip = 8 * 112 * 112 * 3 + 112 * 112 * 3 + 4 * 64 + 64
    assert decoded_bytes(small, ("text", "cover", "frames")) == 110 * per_clip
    assert decoded_bytes(small, ("text",)) == 110 * (4 * 64 + 64)
    assert 0 < cache_budget() <= 8 << 30
    huge = DatasetInfo(tmp_path, spec, {"train": 500_000, "val": 50_000}, {})
    assert use_cache("auto", small, MODALITIES) and not use_cache("auto", huge, MODALITIES)
    assert use_cache(True, huge, MODALITIES) and not use_cache(False, small, MODALITIES)
    with pytest.raises(ValueError, match="cache"):
        TrainConfig(cache="sometimes")
