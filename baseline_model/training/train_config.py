"""The ``train:`` section of the config: how the baseline (or a plugged-in model) is fitted."""

from __future__ import annotations

import dataclasses
import numbers
from dataclasses import dataclass

from baseline_model import checks

SCHEDULES = ("cosine", "constant")
CLASS_WEIGHTS = ("none", "balanced")
# What a run can watch for the best model and early stopping, per label mode (``val_`` + these,
# or the train figures themselves when the dataset has no val split).
MONITORS = {"single": ("loss", "accuracy", "top5_accuracy"), "multi": ("loss", "auc", "map")}


@dataclass(frozen=True)
class TrainConfig:
    """Trainer settings (every field is a ``train:`` key of the YAML config)."""

    epochs: int = 30
    batch_size: int = 32  # per replica: the global batch is this times the replicas in sync
    learning_rate: float = 0.001  # Adam, peak
    schedule: str = "cosine"  # cosine decay to 0 over the run's epochs | constant
    warmup_epochs: float = 1.0  # linear warm-up from ~0 to learning_rate first
    early_stopping_patience: int = 10  # epochs without improvement of `monitor` before stopping (0: never)
    monitor: str = "val_loss"  # picks RUN/model.keras and drives early stopping (loss: lower is better)
    class_weights: str = "none"  # none | balanced (weight n / (K * count) per primary label)
    augment: bool = False  # random crop / flip / colour shift of the train clips
    deterministic: bool = True  # tf.config.experimental.enable_op_determinism (slower on GPU)
    cache: bool | str = "auto"  # keep decoded examples in memory: auto (when they fit) | true | false

    def __post_init__(self):
        checks.positive_int("epochs", self.epochs)
        checks.positive_int("batch_size", self.batch_size)
        checks.positive_int("early_stopping_patience", self.early_stopping_patience, minimum=0)
        checks.one_of("schedule", self.schedule, SCHEDULES)
        checks.one_of("class_weights", self.class_weights, CLASS_WEIGHTS)
        for name, minimum in (("learning_rate", None), ("warmup_epochs", 0)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(f"`{name}` must be a number, got {value!r}")
            if (minimum is None and value <= 0) or (minimum is not None and value < minimum):
                raise ValueError(f"`{name}` must be {'> 0' if minimum is None else '>= 0'}, got {value!r}")
            object.__setattr__(self, name, float(value))
        known = {f"{prefix}{name}" for names in MONITORS.values() for name in names for prefix in ("", "val_")}
        checks.one_of("monitor", self.monitor, sorted(known))
        if self.cache != "auto" and not isinstance(self.cache, bool):
            raise ValueError(f"`cache` must be auto, true or false, got {self.cache!r}")
        for name in ("augment", "deterministic"):
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"`{name}` must be true or false, got {getattr(self, name)!r}")

    @classmethod
    def from_dict(cls, data: dict | None) -> TrainConfig:
        """A config from ``data`` (missing keys keep their defaults; unknown keys are an error)."""
        data = dict(data or {})
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown train config key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**data)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def replace(self, **changes) -> TrainConfig:
        return dataclasses.replace(self, **changes)


def monitor_for(monitor: str, label_mode: str, has_validation: bool) -> tuple[str, str]:
    """``(key in the epoch logs, "min" | "max")`` for ``monitor`` under ``label_mode``.

    Without a val split the train figure of the same name is watched instead."""
    name = monitor.removeprefix("val_")
    if name not in MONITORS[label_mode]:
        raise ValueError(
            f"`monitor` {monitor!r} is not computed for label_mode {label_mode!r}; "
            f"choose one of {[f'val_{known}' for known in MONITORS[label_mode]]}"
        )
    key = f"val_{name}" if has_validation and monitor.startswith("val_") else name
    return key, "min" if name == "loss" else "max"
