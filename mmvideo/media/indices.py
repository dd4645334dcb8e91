"""Which frames to take: pure functions from (frames available, frames wanted) to frame indices.

Index ``i`` is the ``i``-th frame of the clip in presentation (display) order, counted from 0.
Every function returns ``num_frames`` indices in non-decreasing order, each in ``[0, N - 1]``
where ``N`` is the number of frames available.

Strategies:

- ``uniform``: evenly spaced over the whole clip, first and last frame included:
  ``round_half_up(k * (N - 1) / (T - 1))`` for ``k = 0 .. T-1`` (the middle frame when ``T == 1``).
- ``first``: the first ``T`` frames, ``0 .. T-1`` (the original baseline).
- ``segments``: the clip cut into ``T`` equal segments ``[k*N//T, (k+1)*N//T)``; one frame per
  segment, drawn uniformly inside it when a ``numpy.random.Generator`` is given (training
  jitter, deterministic for a seeded generator), else the segment's centre
  ``(start + stop - 1) // 2`` (evaluation).

Short clips (``N < T``) use every frame once, in order, then repeat the last one, whatever the
strategy: ``[0, 1, ..., N-1, N-1, ..., N-1]``.
"""

import numpy as np

STRATEGIES = ("uniform", "first", "segments")


def check_num_frames(num_frames) -> int:
    """Returns ``num_frames`` as an int; raises ValueError unless it is an integer >= 1."""
    if isinstance(num_frames, bool) or not isinstance(num_frames, int | np.integer):
        raise ValueError(f"`num_frames` must be an integer >= 1, got {num_frames!r}")
    if num_frames < 1:
        raise ValueError(f"`num_frames` must be >= 1, got {num_frames!r}")
    return int(num_frames)


def check_strategy(strategy) -> str:
    if strategy not in STRATEGIES:
        raise ValueError(f"`strategy` must be one of {', '.join(STRATEGIES)}; got {strategy!r}")
    return strategy


def check_rng(rng):
    if rng is not None and not isinstance(rng, np.random.Generator):
        raise TypeError(f"`rng` must be a numpy.random.Generator or None, got {type(rng).__name__}")
    return rng


def short_clip_indices(num_available: int, num_frames: int) -> tuple[int, ...]:
    """Every frame once, then the last frame repeated up to ``num_frames``."""
    return tuple(range(num_available)) + (num_available - 1,) * (num_frames - num_available)


def uniform_indices(num_available: int, num_frames: int) -> tuple[int, ...]:
    """Evenly spaced over ``[0, N - 1]``, both ends included (rounded half up)."""
    if num_available < num_frames:
        return short_clip_indices(num_available, num_frames)
    if num_frames == 1:
        return ((num_available - 1) // 2,)
    last, gaps = num_available - 1, num_frames - 1
    # round(k * last / gaps) with halves rounded up, in integers: floor((2*k*last + gaps) / (2*gaps)).
    return tuple((2 * k * last + gaps) // (2 * gaps) for k in range(num_frames))


def first_indices(num_available: int, num_frames: int) -> tuple[int, ...]:
    """The first ``num_frames`` frames."""
    if num_available < num_frames:
        return short_clip_indices(num_available, num_frames)
    return tuple(range(num_frames))


def segment_bounds(num_available: int, num_frames: int) -> list[tuple[int, int]]:
    """``[start, stop)`` of each of ``num_frames`` equal segments of ``num_available`` frames."""
    return [
        (k * num_available // num_frames, (k + 1) * num_available // num_frames) for k in range(num_frames)
    ]


def segment_indices(
    num_available: int, num_frames: int, rng: np.random.Generator | None = None
) -> tuple[int, ...]:
    """One frame per equal segment: random inside it with ``rng``, else its centre."""
    if num_available < num_frames:
        return short_clip_indices(num_available, num_frames)
    bounds = segment_bounds(num_available, num_frames)
    if rng is None:
        return tuple((start + stop - 1) // 2 for start, stop in bounds)
    return tuple(int(rng.integers(start, stop)) for start, stop in bounds)


def select_indices(
    strategy: str, num_available: int, num_frames: int, rng: np.random.Generator | None = None
) -> tuple[int, ...]:
    """The frame indices ``strategy`` picks; ``rng`` is used by ``segments`` only."""
    check_strategy(strategy)
    num_frames = check_num_frames(num_frames)
    check_rng(rng)
    if num_available < 1:
        raise ValueError(f"`num_available` must be >= 1, got {num_available!r}")
    if strategy == "uniform":
        return uniform_indices(num_available, num_frames)
    if strategy == "first":
        return first_indices(num_available, num_frames)
    return segment_indices(num_available, num_frames, rng)
