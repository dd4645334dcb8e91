"""The run directory: where ``mmvideo train`` writes and evaluate / predict / export read.

    RUN/config.yaml             the resolved config (model, train, modalities, seed, data, model_fn)
    RUN/data_info.json          copy of DATA/info.json (frames, size, sampling, spec, categories)
    RUN/vocab.txt               copy of DATA/vocab.txt (absent when DATA has none)
    RUN/model.keras             the best model so far (by ``train.monitor``, val loss by default)
    RUN/checkpoints/epoch-NNNN.keras  the model after epoch N, optimizer state included: the last
                                one (the resume point) and the best one are kept
    RUN/checkpoints/state.json  {"epoch": completed epochs, "checkpoint": its file, "best", ...}
    RUN/history.csv             one row per epoch (appended on resume)
    RUN/curves.png              loss and accuracy (or AUC / mAP) per epoch, train and val
    RUN/logs/                   TensorBoard
    RUN/train_summary.json      epochs run, best epoch and its metrics, samples/s, seconds

At the end of an epoch its checkpoint is written under a name of its own, then ``state.json``
(temp file + rename) names it: that rename commits the epoch. Only then is ``model.keras`` linked
to the best checkpoint and older checkpoints removed (:meth:`RunDir.publish`, redone on resume).
A run killed at any point resumes from the epoch state.json names, with that epoch's weights and
optimizer state; history rows past it are dropped.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

CONFIG_NAME = "config.yaml"
DATA_INFO_NAME = "data_info.json"
VOCABULARY_NAME = "vocab.txt"
MODEL_NAME = "model.keras"
CHECKPOINTS_NAME = "checkpoints"
CHECKPOINT_FORMAT = "epoch-{:04d}.keras"
STATE_NAME = "state.json"
HISTORY_NAME = "history.csv"
CURVES_NAME = "curves.png"
LOGS_NAME = "logs"
SUMMARY_NAME = "train_summary.json"


@dataclass
class RunState:
    """Progress of a run, saved with every epoch (``RUN/checkpoints/state.json``)."""

    epoch: int = 0  # completed epochs
    best: float | None = None  # best value of `monitor` so far
    best_epoch: int = 0  # 1-based epoch of `best` (0: none yet)
    monitor: str = "val_loss"
    mode: str = "min"
    best_logs: dict = field(default_factory=dict)  # every figure of the best epoch
    stopped_early: bool = False
    train_seconds: float = 0.0  # summed over invocations
    samples_seen: int = 0
    checkpoint: str = ""  # file in checkpoints/ holding the model after `epoch` epochs
    best_checkpoint: str = ""  # file in checkpoints/ holding the model of `best_epoch`

    @classmethod
    def from_dict(cls, data: dict) -> RunState:
        return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to a temp file beside ``path`` and rename it into place."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def save_model_atomic(model, path: Path) -> None:
    """``model.save`` into a temp ``.keras`` file beside ``path``, then rename (never half a file)."""
    temporary = path.with_name(f".tmp-{path.name}")
    model.save(temporary)
    os.replace(temporary, path)


@dataclass(frozen=True)
class RunDir:
    """Paths of ``RUN`` and reading / writing its small files."""

    path: Path

    def __post_init__(self):
        object.__setattr__(self, "path", Path(self.path))

    config = property(lambda self: self.path / CONFIG_NAME)
    data_info = property(lambda self: self.path / DATA_INFO_NAME)
    vocabulary = property(lambda self: self.path / VOCABULARY_NAME)
    model = property(lambda self: self.path / MODEL_NAME)
    checkpoints = property(lambda self: self.path / CHECKPOINTS_NAME)
    state = property(lambda self: self.path / CHECKPOINTS_NAME / STATE_NAME)
    history = property(lambda self: self.path / HISTORY_NAME)
    curves = property(lambda self: self.path / CURVES_NAME)
    logs = property(lambda self: self.path / LOGS_NAME)
    summary = property(lambda self: self.path / SUMMARY_NAME)

    def checkpoint_path(self, epochs: int) -> Path:
        """Where the model after ``epochs`` completed epochs is saved."""
        return self.checkpoints / CHECKPOINT_FORMAT.format(epochs)

    @property
    def last_checkpoint(self) -> Path | None:
        """The checkpoint ``state.json`` names (the resume point); None before the first epoch."""
        if not self.state.is_file():
            return None
        return self._checkpoint_file(self.read_state().checkpoint)

    def _checkpoint_file(self, name: str) -> Path | None:
        # A plain file name, never a path: a hand-edited state.json cannot point outside the run.
        if not name or name != Path(name).name or name in (".", ".."):
            return None
        return self.checkpoints / name

    def has_checkpoint(self) -> bool:
        """Whether a rerun resumes: state.json and the checkpoint it names are both there."""
        last = self.last_checkpoint
        return last is not None and last.is_file()

    def publish(self, state: RunState) -> None:
        """After ``state`` is committed: ``model.keras`` becomes the best checkpoint (a hard link,
        a copy where links are not possible) and checkpoints ``state`` does not name are removed
        (older epochs, and one written before an interruption could commit it)."""
        best = self._checkpoint_file(state.best_checkpoint)
        if best is not None:
            if best.is_file() and not (self.model.is_file() and os.path.samefile(best, self.model)):
                temporary = self.model.with_name(f".tmp-{self.model.name}")
                temporary.unlink(missing_ok=True)
                try:
                    os.link(best, temporary)
                except OSError:
                    shutil.copyfile(best, temporary)
                os.replace(temporary, self.model)
        keep = {state.checkpoint, state.best_checkpoint}
        for path in self.checkpoints.glob("*.keras"):
            if path.name not in keep:
                path.unlink(missing_ok=True)

    def create(self) -> None:
        self.checkpoints.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)

    def read_config(self) -> dict:
        import yaml

        data = yaml.safe_load(self.config.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{self.config}: expected a mapping")
        return data

    def write_config(self, config: dict) -> None:
        import yaml

        write_text_atomic(self.config, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))

    def read_data_info(self) -> dict:
        return json.loads(self.data_info.read_text(encoding="utf-8"))

    def copy_dataset_files(self, info_path: Path, vocabulary_path: Path) -> None:
        """Copy ``DATA/info.json`` and the vocabulary (when there is one) into the run."""
        shutil.copyfile(info_path, self.data_info)
        if vocabulary_path.is_file():
            shutil.copyfile(vocabulary_path, self.vocabulary)

    def read_state(self) -> RunState:
        return RunState.from_dict(json.loads(self.state.read_text(encoding="utf-8")))

    def write_state(self, state: RunState) -> None:
        write_text_atomic(self.state, json.dumps(asdict(state), indent=2) + "\n")

    def read_history(self) -> list[dict]:
        """``history.csv`` rows with numbers as floats (``epoch`` as int, 0-based as Keras writes it)."""
        if not self.history.is_file():
            return []
        with self.history.open(newline="", encoding="utf-8") as file:
            rows = list(csv.DictReader(file))
        return [{key: (int(value) if key == "epoch" else _number(value)) for key, value in row.items()} for row in rows]

    def truncate_history(self, epochs: int) -> None:
        """Drop rows of epochs past ``epochs`` completed ones (written before an interruption)."""
        if not self.history.is_file():
            return
        if epochs == 0:
            self.history.unlink()
            return
        with self.history.open(newline="", encoding="utf-8") as file:
            rows = list(csv.reader(file))
        header = rows[0]
        # A row cut short by a kill has fewer fields (or a truncated epoch number): never kept.
        kept = [row for row in rows[1:] if len(row) == len(header) and row[0].isdigit() and int(row[0]) < epochs]
        if len(kept) == len(rows) - 1:
            return
        text = io.StringIO()
        csv.writer(text).writerows([header, *kept])
        write_text_atomic(self.history, text.getvalue())

    def write_summary(self, summary: dict) -> None:
        write_text_atomic(self.summary, json.dumps(summary, indent=2) + "\n")


def _number(value: str):
    try:
        return float(value)
    except ValueError:
        return value
