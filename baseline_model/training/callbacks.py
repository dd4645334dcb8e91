"""End-of-epoch bookkeeping of a run: best and last checkpoints, state, early stopping, the LR."""

from __future__ import annotations

import math
import time

import keras

from baseline_model.training.run_dir import RunDir, RunState, save_model_atomic


def improved(value: float, best: float | None, mode: str) -> bool:
    """Whether ``value`` beats ``best`` (``None``: nothing yet); NaN never does."""
    if not math.isfinite(value):
        return False
    return best is None or (value < best if mode == "min" else value > best)


def patience_exhausted(epoch: int, best_epoch: int, patience: int) -> bool:
    """``patience`` epochs (> 0) have passed since the best one."""
    return patience > 0 and epoch - best_epoch >= patience


class LearningRateLogger(keras.callbacks.Callback):
    """Adds the learning rate the epoch ended with to the logs (so history.csv has it)."""

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(keras.ops.convert_to_numpy(self.model.optimizer.learning_rate))


class RunCheckpoint(keras.callbacks.Callback):
    """After each epoch: its checkpoint (optimizer state included), then ``state.json`` naming it
    (the commit), then ``RUN/model.keras`` when ``monitor`` improved; stops training when
    ``patience`` epochs passed without improvement. Starts from ``state``, so a resumed run keeps
    its best and its patience."""

    def __init__(self, run: RunDir, state: RunState, patience: int, examples_per_epoch: int):
        super().__init__()
        self.run = run
        self.state = state
        self.patience = patience
        self.examples_per_epoch = examples_per_epoch
        self._started = None

    def on_epoch_begin(self, epoch, logs=None):
        self._started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        logs = {key: float(keras.ops.convert_to_numpy(value)) for key, value in (logs or {}).items()}
        state = self.state
        if state.monitor not in logs:
            raise ValueError(f"`monitor` {state.monitor!r} is not in the epoch logs {sorted(logs)}")
        checkpoint = self.run.checkpoint_path(epoch + 1)
        save_model_atomic(self.model, checkpoint)
        if improved(logs[state.monitor], state.best, state.mode):
            state.best, state.best_epoch, state.best_logs = logs[state.monitor], epoch + 1, logs
            state.best_checkpoint = checkpoint.name
        state.epoch, state.checkpoint = epoch + 1, checkpoint.name
        state.train_seconds += time.perf_counter() - (self._started or time.perf_counter())
        state.samples_seen += self.examples_per_epoch
        if patience_exhausted(state.epoch, state.best_epoch, self.patience):
            self.model.stop_training = True
            state.stopped_early = True
        self.run.write_state(state)
        self.run.publish(state)


class ScalarLogger(keras.callbacks.Callback):
    """TensorBoard scalars per epoch (``logs/train``, ``logs/validation``; tags ``epoch_<name>`` as
    Keras writes them), written with TensorFlow's own ``tf.summary.write``: the ``tensorboard``
    package is needed to view them, not to train."""

    def __init__(self, log_dir):
        super().__init__()
        self.log_dir = str(log_dir)
        self._writers = {}

    def _writer(self, name: str):
        import tensorflow as tf

        if name not in self._writers:
            self._writers[name] = tf.summary.create_file_writer(f"{self.log_dir}/{name}")
        return self._writers[name]

    def on_epoch_end(self, epoch, logs=None):
        import tensorflow as tf
        from tensorflow.core.framework.summary_pb2 import SummaryMetadata

        metadata = SummaryMetadata()
        metadata.plugin_data.plugin_name = "scalars"
        for key, value in (logs or {}).items():
            folder, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
            with self._writer(folder).as_default():
                tensor = tf.constant(float(keras.ops.convert_to_numpy(value)), tf.float32)
                tf.summary.write(f"epoch_{name}", tensor, step=epoch, metadata=metadata)
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs=None):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}


class EpochBar(keras.callbacks.Callback):
    """One progress bar over the run's epochs (stderr), the last epoch's loss and validation
    figures beside it: a compact alternative to Keras's bar per epoch."""

    SHOWN = ("loss", "val_loss", "val_accuracy", "val_auc", "val_map")

    def __init__(self, total: int, initial: int, description: str):
        super().__init__()
        self.total = total
        self.initial = initial
        self.description = description
        self._bar = None

    def on_train_begin(self, logs=None):
        from tqdm import tqdm

        self._bar = tqdm(total=self.total, initial=self.initial, desc=self.description, unit="epoch",
                         dynamic_ncols=True)

    def on_epoch_end(self, epoch, logs=None):
        figures = {key: f"{float(keras.ops.convert_to_numpy(logs[key])):.4g}" for key in self.SHOWN
                   if logs and key in logs}
        self._bar.set_postfix(figures, refresh=False)
        self._bar.update(1)

    def on_train_end(self, logs=None):
        if self._bar is not None:
            self._bar.close()
