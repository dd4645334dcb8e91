"""What a training invocation did: ``RUN/train_summary.json`` and the CLI's short summary."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class TrainSummary:
    run_dir: str
    epochs_completed: int  # in the run, over every invocation
    epochs_run: int  # by this invocation
    resumed_from_epoch: int  # 0: a fresh run
    target_epochs: int  # train.epochs
    best_epoch: int  # 1-based; 0 when no epoch has run
    monitor: str
    best_value: float | None
    best_metrics: dict = field(default_factory=dict)  # every figure of the best epoch
    stopped_early: bool = False
    seconds: float = 0.0  # wall time of this invocation, set-up included
    train_seconds: float = 0.0  # time in epochs, this invocation
    samples_per_second: float = 0.0  # train examples per second of epoch time, this invocation
    num_train_examples: int = 0
    num_val_examples: int = 0
    num_parameters: int = 0
    model: str = "baseline"  # or the --model function
    strategy: str = "default"
    replicas: int = 1

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def best_accuracy(self) -> float | None:
        """Val accuracy of the best epoch (single-label runs; the train figure without a val split)."""
        return self.best_metrics.get("val_accuracy", self.best_metrics.get("accuracy"))

    def format(self) -> str:
        if self.epochs_run:
            first = self.resumed_from_epoch + 1
            span = f"epoch {first}" if first == self.epochs_completed else f"epochs {first}-{self.epochs_completed}"
            status = "stopped early" if self.stopped_early else f"of {self.target_epochs}"
            head = (
                f"trained {span} ({status}) in {_duration(self.seconds)}, "
                f"{self.samples_per_second:.1f} samples/s ({self.num_train_examples} train examples)"
            )
        else:
            reason = "stopped early" if self.stopped_early else f"{self.target_epochs} epochs"
            head = f"nothing to do: the run already completed {self.epochs_completed} epochs ({reason})"
        lines = [head]
        if self.best_epoch:
            shown = [key for key in self.best_metrics if key.startswith("val_")] or [
                key for key in self.best_metrics if key != "learning_rate"
            ]
            figures = ", ".join(f"{key} {self.best_metrics[key]:.4f}" for key in shown)
            lines.append(f"best epoch {self.best_epoch} (by {self.monitor}): {figures}")
        lines.append(f"run: {self.run_dir} (model.keras: best; checkpoints/: resume point)")
        return "\n".join(lines)


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"
