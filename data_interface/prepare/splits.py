"""Stable splits: a video's split is a pure function of its id and the split fractions.

``sha256(id)`` is read as three independent numbers in ``[0, 1)`` (bytes 0-7, 8-15, 16-23):

- ``split_point``: ``< test_fraction`` -> ``test``; ``< test_fraction + val_fraction`` -> ``val``;
  else ``train``. Adding videos never moves another video; raising ``val_fraction`` only moves
  train videos into val (test stays put).
- ``order_point``: the video's place inside its split. Shard ``k`` of ``n`` holds the points in
  ``[k/n, (k+1)/n)``, in increasing order, so shards are a stable pseudo-random mix of categories
  and upload dates (ids grow with upload time) that a reader can stream without a big shuffle.
- ``seed_point``: seeds the generator of ``segments`` sampling, so it is the same on every run.
"""

from __future__ import annotations

import hashlib

import numpy as np

SPLITS = ("train", "val", "test")
_SCALE = float(1 << 64)


def id_digest(mp4_id: str) -> bytes:
    return hashlib.sha256(mp4_id.encode("utf-8")).digest()


def _point(digest: bytes, part: int) -> float:
    return int.from_bytes(digest[8 * part : 8 * part + 8], "big") / _SCALE


def split_point(mp4_id: str) -> float:
    return _point(id_digest(mp4_id), 0)


def order_point(mp4_id: str) -> float:
    return _point(id_digest(mp4_id), 1)


def check_fractions(val_fraction: float, test_fraction: float) -> tuple[float, float]:
    """Both in ``[0, 1)`` with a sum below 1 (train keeps a share); ValueError otherwise."""
    for name, value in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value < 1:
            raise ValueError(f"`{name}` must be a number in [0, 1), got {value!r}")
    if val_fraction + test_fraction >= 1:
        raise ValueError(
            f"`val_fraction + test_fraction` must be < 1, got {val_fraction!r} + {test_fraction!r}"
        )
    return float(val_fraction), float(test_fraction)


def split_of(mp4_id: str, val_fraction: float = 0.1, test_fraction: float = 0.1) -> str:
    """``"train"``, ``"val"`` or ``"test"`` for ``mp4_id``."""
    point = split_point(mp4_id)
    if point < test_fraction:
        return "test"
    if point < test_fraction + val_fraction:
        return "val"
    return "train"


def shard_of(mp4_id: str, num_shards: int) -> int:
    """The shard (of ``num_shards`` in its split) that holds ``mp4_id``."""
    if num_shards < 1:
        raise ValueError(f"`num_shards` must be >= 1, got {num_shards!r}")
    return min(int(order_point(mp4_id) * num_shards), num_shards - 1)


def order_key(mp4_id: str) -> tuple[float, str]:
    """Sort key of a video inside its shard (the id breaks a tie that never happens in practice)."""
    return order_point(mp4_id), mp4_id


def sampling_rng(mp4_id: str) -> np.random.Generator:
    """The generator ``segments`` sampling uses for ``mp4_id``: the same on every run and machine."""
    return np.random.default_rng(int.from_bytes(id_digest(mp4_id)[16:24], "big"))
