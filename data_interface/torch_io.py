"""The prepared dataset as a ``torch.utils.data.IterableDataset`` (imported only when asked for).

    loader = DataLoader(torch_dataset(DATA, "train"), num_workers=2, batch_size=None)

Batches are made by the reader (``batch_size`` here, ``batch_size=None`` in the ``DataLoader``).
Each worker reads a disjoint set of shard files; with fewer shards than workers, every worker
reads all shards and keeps every ``num_workers``-th example, so each example is still seen exactly
once per epoch. The dataset object holds no TensorFlow state: each worker builds its own pipeline
on iteration.

TensorFlow is not fork-safe: once it has run in a process, a worker forked from it hangs in its
first op. A worker that finds TensorFlow started before the fork raises ``RuntimeError`` instead;
then create the loader with ``multiprocessing_context="spawn"``, or keep TensorFlow out of the
parent (building a ``torch_dataset`` does not start it).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import IterableDataset, get_worker_info

from data_interface.features import MODALITIES
from data_interface.info import read_info
from data_interface.reader import ReadOptions, check_options


def tensorflow_started() -> bool:
    """Whether TensorFlow's runtime (its eager context) has started in this process."""
    import sys

    context = sys.modules.get("tensorflow.python.eager.context")
    return context is not None and bool(getattr(getattr(context, "_context", None), "_initialized", False))


_forked_after_tensorflow = False  # set in a child forked from a process where TensorFlow had started


def _note_fork() -> None:
    global _forked_after_tensorflow
    _forked_after_tensorflow = tensorflow_started()


os.register_at_fork(after_in_child=_note_fork)


def to_torch(features: dict, labels) -> tuple[dict, torch.Tensor]:
    """One tf batch -> torch: uint8 images, int64 token ids, float32 masks, int64 / float32
    labels; ``id`` a list of str."""
    batch = {}
    for key, value in features.items():
        array = value.numpy()
        if key == "id":
            batch[key] = [item.decode("utf-8") for item in array]
        elif key == "text":
            batch[key] = torch.from_numpy(array.astype(np.int64))
        else:
            batch[key] = torch.from_numpy(np.require(array, requirements="W"))
    labels = labels.numpy()
    return batch, torch.from_numpy(labels.astype(np.int64 if labels.ndim == 1 else np.float32))


class VideoIterableDataset(IterableDataset):
    """Yields ``(features, labels)`` batches of torch tensors; see :func:`torch_dataset`."""

    def __init__(self, data_dir: str | Path, options: ReadOptions):
        super().__init__()
        self.info = read_info(data_dir)
        self.files = self.info.shard_files(options.split)
        self.options = options
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """With a ``seed``, epoch ``e`` shuffles with ``seed + e`` (call before each epoch)."""
        self.epoch = int(epoch)

    def worker_plan(self, worker=None) -> tuple[tuple[Path, ...], tuple[int, int] | None]:
        """(this worker's shard files, ``(num_workers, worker_id)`` example sharding or None)."""
        worker = worker if worker is not None else get_worker_info()
        if worker is None or worker.num_workers == 1:
            return self.files, None
        if len(self.files) >= worker.num_workers:
            return self.files[worker.id :: worker.num_workers], None
        return self.files, (worker.num_workers, worker.id)

    def __iter__(self):
        from data_interface.reader import build_dataset

        if _forked_after_tensorflow:
            raise RuntimeError(
                "TensorFlow ran in the parent process before the DataLoader forked this worker, and it "
                "is not fork-safe; create the DataLoader with multiprocessing_context='spawn'"
            )
        files, example_shard = self.worker_plan()
        options = self.options
        if options.seed is not None:
            options = replace(options, seed=options.seed + self.epoch)
        for features, labels in build_dataset(self.info, files, options, example_shard):
            yield to_torch(features, labels)


def torch_dataset(
    data_dir: str | Path,
    split: str,
    batch_size: int = 32,
    modalities: Sequence[str] = MODALITIES,
    shuffle: bool | int | None = None,
    repeat: bool = False,
    label_mode: str = "single",
    augment: bool = False,
    seed: int | None = None,
    drop_remainder: bool = False,
) -> VideoIterableDataset:
    """A ``torch.utils.data.IterableDataset`` of the batches ``load_dataset`` would give (same
    arguments); use it with ``DataLoader(dataset, batch_size=None, num_workers=k)``."""
    options = check_options(
        split,
        batch_size=batch_size,
        modalities=modalities,
        shuffle=shuffle,
        repeat=repeat,
        label_mode=label_mode,
        augment=augment,
        seed=seed,
        drop_remainder=drop_remainder,
    )
    return VideoIterableDataset(data_dir, options)
