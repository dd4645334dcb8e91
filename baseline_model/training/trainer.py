"""``train``: fit the baseline (or a ``--model`` plugin) on a prepared dataset into a run directory.

    from baseline_model.training import train
    summary = train("data", "runs/baseline", overrides=["model.temporal=lstm"], epochs=20, seed=0)

A rerun on a directory holding a checkpoint resumes after its last completed epoch, with the
optimizer state (iterations, moments) and the best value / patience of the run; the saved
``config.yaml`` is then the base config. The files written are described in
:mod:`baseline_model.training.run_dir`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from baseline_model.training.config import ConfigError, RunConfig, TrainSetupError, resolve_config
from baseline_model.training.data import (
    balanced_class_weights,
    input_structure,
    make_datasets,
    primary_label_counts,
    steps_per_epoch,
)
from baseline_model.training.plugin import input_names, load_model_fn
from baseline_model.training.run_dir import RunDir, RunState
from baseline_model.training.summary import TrainSummary
from baseline_model.training.train_config import monitor_for
from data_interface.features import FeatureSpec
from data_interface.info import INFO_NAME, DatasetInfo, read_info

PROGRESS_MODES = ("steps", "epochs", "none")


def _progress_mode(progress: bool | str) -> str:
    if progress is True or progress is False:
        return "steps" if progress else "none"
    if progress not in PROGRESS_MODES:
        raise ValueError(f"`progress` must be a bool or one of {PROGRESS_MODES}, got {progress!r}")
    return progress


def _verbosity(mode: str) -> int:
    """``steps``: Keras's bar per epoch at a terminal, one line per epoch in a log; else silent."""
    return (1 if sys.stdout.isatty() else 2) if mode == "steps" else 0


def _read_dataset(data_dir) -> DatasetInfo:
    try:
        info = read_info(data_dir)
    except (FileNotFoundError, ValueError) as error:
        raise TrainSetupError(str(error)) from None
    if info.splits.get("train", 0) < 1:
        raise TrainSetupError(f"{info.data_dir} has no train examples")
    return info


def _check_same_dataset(run: RunDir, info: DatasetInfo) -> None:
    """A resumed run must see data of the shapes and categories its checkpoint was built for."""
    saved = run.read_data_info()
    saved_spec = FeatureSpec.from_dict(saved.get("spec") or {})
    if saved_spec != info.spec or list(saved.get("categories") or []) != list(info.categories):
        raise ConfigError(
            f"{info.data_dir} differs from the dataset {run.path} was trained on "
            f"(spec {saved_spec} vs {info.spec}, or other categories); use a new --out"
        )


def _resolve(run: RunDir, info: DatasetInfo, resuming: bool, **options) -> RunConfig:
    saved = None
    if resuming:
        try:
            saved = run.read_config()
        except (OSError, ValueError) as error:
            raise TrainSetupError(f"cannot resume {run.path}: unreadable {run.config.name}: {error}") from None
        _check_same_dataset(run, info)
    return resolve_config(data=str(info.data_dir), saved=saved, **options)


def _write_run_files(writer: RunDir, config: RunConfig, info: DatasetInfo, completed_epochs: int) -> None:
    """Config, prepare settings and vocabulary; history cut back to the completed epochs."""
    writer.create()
    writer.truncate_history(completed_epochs)  # rows of an epoch interrupted before its checkpoint
    writer.write_config(config.to_dict())
    writer.copy_dataset_files(info.data_dir / INFO_NAME, info.vocabulary_path)


def train(
    data_dir,
    run_dir,
    config_path=None,
    overrides=(),
    modalities=None,
    epochs: int | None = None,
    seed: int | None = None,
    model_fn: str | None = None,
    progress: bool | str = True,
) -> TrainSummary:
    """Train into ``run_dir`` (resuming from its checkpoint when it has one); see the module doc.

    ``overrides``: ``"key=value"`` strings (``model.temporal=lstm``, ``train.epochs=3``);
    ``modalities``: a subset of text, cover, frames (list or comma-separated); ``model_fn``:
    ``"module:function"`` building the model as ``function(spec, num_classes, modalities)``.
    ``progress``: ``"steps"`` (or True) Keras's bar per epoch, ``"epochs"`` one bar over the epochs,
    ``"none"`` (or False) nothing.
    Raises :class:`TrainSetupError` (a ``ValueError``) for a user mistake found before training.
    """
    started = time.perf_counter()
    progress = _progress_mode(progress)
    info = _read_dataset(Path(data_dir).resolve())
    run = RunDir(Path(run_dir))
    resuming = run.has_checkpoint()
    config = _resolve(run, info, resuming, config_path=config_path, overrides=tuple(overrides),
                      modalities=modalities, epochs=epochs, seed=seed, model_fn=model_fn)
    has_val = info.splits.get("val", 0) > 0
    try:
        monitor, mode = monitor_for(config.train.monitor, config.model.label_mode, has_val)
    except ValueError as error:
        raise ConfigError(str(error)) from None
    state = run.read_state() if resuming else RunState(monitor=monitor, mode=mode)
    if state.monitor != monitor:
        raise ConfigError(f"{run.path} watches {state.monitor!r}; a resumed run cannot switch to {monitor!r}")
    function = load_model_fn(config.model_fn) if config.model_fn else None
    return _fit(config, info, run, state, resuming, function, progress, started)


def _fit(config: RunConfig, info: DatasetInfo, run: RunDir, state: RunState, resuming: bool, function,
         progress: str, started: float) -> TrainSummary:
    import keras
    import tensorflow as tf

    from baseline_model.training.callbacks import (
        EpochBar,
        LearningRateLogger,
        RunCheckpoint,
        ScalarLogger,
        patience_exhausted,
    )
    from baseline_model.training.curves import plot_curves
    from baseline_model.training.distribute import (
        choose_strategy,
        is_chief,
        is_multi_worker,
        patch_keras_for_replicas,
    )
    from baseline_model.training.model_setup import compile_model, new_model, resume_model
    from baseline_model.training.schedule import make_schedule

    strategy = choose_strategy()
    if strategy.num_replicas_in_sync > 1:
        patch_keras_for_replicas()
    keras.utils.set_random_seed(config.seed)
    if config.train.deterministic:
        tf.config.experimental.enable_op_determinism()
        # Under op determinism TensorFlow refuses its unseeded global generator, which keras-cv's
        # augmentation layers draw from (train.augment): give it the run's seed.
        tf.random.set_global_generator(tf.random.Generator.from_seed(config.seed))
    train_cfg, label_mode, num_classes = config.train, config.model.label_mode, info.spec.num_classes
    num_train = info.splits["train"]
    global_batch = train_cfg.batch_size * strategy.num_replicas_in_sync
    schedule = make_schedule(train_cfg, steps_per_epoch(num_train, global_batch))
    patience = train_cfg.early_stopping_patience
    first_epoch, seconds_before, num_parameters = state.epoch, state.train_seconds, 0
    done = state.epoch >= train_cfg.epochs or (
        state.stopped_early and patience_exhausted(state.epoch, state.best_epoch, patience)
    )
    model = None
    if not done:  # the model first: a --model that fails leaves RUN untouched
        with strategy.scope():
            if resuming:
                model = resume_model(run.last_checkpoint, schedule, label_mode, num_classes)
            else:
                optimizer = keras.optimizers.Adam(learning_rate=schedule)
                model = compile_model(new_model(config, info, function), optimizer, label_mode, num_classes)
    chief = is_chief(strategy)
    writer = run if chief else RunDir(Path(tempfile.mkdtemp(prefix="mmvideo-train-worker-")))
    _write_run_files(writer, config, info, state.epoch if resuming else 0)
    if resuming:
        writer.publish(state)  # finishes an epoch committed just before an interruption
    if model is not None:
        state.stopped_early = False
        train_data, val_data = make_datasets(info, config, input_names(model), input_structure(model),
                                             global_batch, config.seed + state.epoch, is_multi_worker(strategy))
        class_weight = None
        if train_cfg.class_weights == "balanced":
            class_weight = balanced_class_weights(primary_label_counts(info))
        callbacks = [
            LearningRateLogger(),
            keras.callbacks.CSVLogger(str(writer.history), append=True),
            ScalarLogger(writer.logs),
            RunCheckpoint(writer, state, patience, num_train),
        ]
        if progress == "epochs" and chief:
            callbacks.append(EpochBar(train_cfg.epochs, state.epoch, f"train {run.path.name}"))
        steps = {}
        if is_multi_worker(strategy):  # the input repeats (see make_datasets): say where epochs end
            steps["steps_per_epoch"] = steps_per_epoch(num_train, global_batch)
            if val_data is not None:
                steps["validation_steps"] = steps_per_epoch(info.splits["val"], global_batch)
        model.fit(train_data, validation_data=val_data, epochs=train_cfg.epochs, initial_epoch=state.epoch, **steps,
                  callbacks=callbacks, verbose=_verbosity(progress), class_weight=class_weight, shuffle=False)
        num_parameters = model.count_params()
    plot_curves(writer.read_history(), writer.curves, title=f"{writer.path.name}: {config.model_fn or 'baseline'}")
    epochs_run = state.epoch - first_epoch
    train_seconds = state.train_seconds - seconds_before
    summary = TrainSummary(
        run_dir=str(run.path),
        epochs_completed=state.epoch,
        epochs_run=epochs_run,
        resumed_from_epoch=first_epoch,
        target_epochs=train_cfg.epochs,
        best_epoch=state.best_epoch,
        monitor=state.monitor,
        best_value=state.best,
        best_metrics=dict(state.best_logs),
        stopped_early=state.stopped_early,
        seconds=time.perf_counter() - started,
        train_seconds=train_seconds,
        samples_per_second=epochs_run * num_train / train_seconds if train_seconds > 0 else 0.0,
        num_train_examples=num_train,
        num_val_examples=info.splits.get("val", 0),
        num_parameters=num_parameters,
        model=config.model_fn or "baseline",
        strategy=type(strategy).__name__,
        replicas=strategy.num_replicas_in_sync,
    )
    if epochs_run or not writer.summary.exists():
        writer.write_summary(summary.to_dict())
    if not chief:
        shutil.rmtree(writer.path, ignore_errors=True)
    return summary
