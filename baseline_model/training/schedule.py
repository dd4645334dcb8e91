"""The learning-rate schedule: linear warm-up, then cosine decay to 0 (or constant)."""

from __future__ import annotations

import math

import keras


@keras.saving.register_keras_serializable(package="mmvideo")
class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):
    """``learning_rate * (step + 1) / warmup_steps`` for the first ``warmup_steps`` steps, then a
    half cosine from ``learning_rate`` down to ``learning_rate * final_ratio`` at ``total_steps``
    (``decay=False``: flat after the warm-up). ``step`` is the optimizer's iteration count, so a
    resumed run continues where it stopped."""

    def __init__(self, learning_rate, total_steps, warmup_steps=0, decay=True, final_ratio=0.0):
        if learning_rate <= 0:
            raise ValueError(f"`learning_rate` must be > 0, got {learning_rate}")
        if total_steps < 1 or warmup_steps < 0:
            raise ValueError(f"`total_steps` must be >= 1 and `warmup_steps` >= 0, got {total_steps}, {warmup_steps}")
        self.learning_rate = float(learning_rate)
        self.total_steps = int(total_steps)
        self.warmup_steps = int(warmup_steps)
        self.decay = bool(decay)
        self.final_ratio = float(final_ratio)

    def __call__(self, step):
        ops = keras.ops
        step = ops.cast(step, "float32")
        peak = self.learning_rate
        warm = peak * ops.minimum(1.0, (step + 1.0) / max(self.warmup_steps, 1))
        if not self.decay:
            return warm if self.warmup_steps else ops.full_like(step, peak)
        span = max(self.total_steps - self.warmup_steps, 1)
        progress = ops.clip((step - self.warmup_steps) / span, 0.0, 1.0)
        cosine = peak * (self.final_ratio + (1.0 - self.final_ratio) * 0.5 * (1.0 + ops.cos(math.pi * progress)))
        return ops.where(step < self.warmup_steps, warm, cosine)

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "total_steps": self.total_steps,
            "warmup_steps": self.warmup_steps,
            "decay": self.decay,
            "final_ratio": self.final_ratio,
        }


def make_schedule(train_config, steps_per_epoch: int) -> WarmupCosine:
    """The schedule of a ``train:`` section over its ``epochs`` of ``steps_per_epoch`` steps."""
    return WarmupCosine(
        train_config.learning_rate,
        total_steps=max(1, train_config.epochs * steps_per_epoch),
        warmup_steps=round(train_config.warmup_epochs * steps_per_epoch),
        decay=train_config.schedule == "cosine",
    )
