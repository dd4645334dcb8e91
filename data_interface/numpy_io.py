"""The batches of :func:`~data_interface.reader.load_dataset` as numpy arrays, for frameworks
other than Keras (JAX, scikit-learn, PyTorch through :mod:`data_interface.torch_io`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from data_interface.features import MODALITIES


def to_numpy(features: dict, labels) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """One ``(features, labels)`` batch of tensors -> numpy; ``id`` becomes a str array."""
    arrays = {key: value.numpy() for key, value in features.items()}
    if "id" in arrays:
        arrays["id"] = np.array([item.decode("utf-8") for item in arrays["id"]], dtype=str)
    return arrays, labels.numpy()


def numpy_batches(
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
) -> Iterator[tuple[dict[str, np.ndarray], np.ndarray]]:
    """Yields ``(features, labels)`` as numpy arrays: the batches of ``load_dataset`` with the same
    arguments, in the same order (with ``shuffle`` off or a ``seed``). Arguments are checked on the
    call, before the first batch is asked for."""
    from data_interface.reader import load_dataset

    dataset = load_dataset(
        data_dir,
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
    return (to_numpy(features, labels) for features, labels in dataset)
