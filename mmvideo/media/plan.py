"""Which packets to decode for a set of target frames: pure planning over a ``FrameTable``.

A plan is a list of ``DecodeRun``: feed packets ``start .. stop`` (decode order, ``start`` a
keyframe) to a freshly flushed decoder, drain it, and keep, for each of the run's targets, the
emitted frame nearest to it. Packets outside every run are never decoded; that is the "seek".

- Exact: each target needs the packets from its start keyframe to its own packet (its references
  all precede it in decode order, so nothing after it is needed). Overlapping or adjacent spans
  are merged, so a run only restarts at a keyframe that lies *after* what was already decoded.
- Approximate: a target within ``tolerance`` frames of a keyframe lands on that keyframe (one
  packet decoded); any other target is decoded from its keyframe with non-reference frames
  skipped (``skip_frame="NONREF"``) and lands on the nearest frame the decoder still emits.
"""

import bisect
from dataclasses import dataclass

from mmvideo.media.frametable import FrameTable


@dataclass(frozen=True)
class DecodeRun:
    start: int  # first packet fed, in decode order (a keyframe)
    stop: int  # last packet fed, inclusive; the decoder is then drained and flushed
    targets: tuple[int, ...]  # presentation indices to land on
    skip_nonref: bool = False  # approximate: let the decoder drop non-reference frames


def merge_requests(requests: list[tuple[int, int, int, bool]]) -> list[DecodeRun]:
    """``(start, stop, target, skip_nonref)`` requests -> runs; overlapping or touching spans merge."""
    runs: list[DecodeRun] = []
    for start, stop, target, skip in sorted(requests):
        last = runs[-1] if runs else None
        if last is not None and start <= last.stop + 1:
            runs[-1] = DecodeRun(
                last.start,
                max(last.stop, stop),
                tuple(sorted({*last.targets, target})),
                last.skip_nonref or skip,
            )
        else:
            runs.append(DecodeRun(start, stop, (target,), skip))
    return runs


def plan_exact(table: FrameTable, targets) -> list[DecodeRun]:
    """Runs that decode exactly the frames ``targets`` need."""
    wanted = sorted(set(targets))
    if table.sequential:
        return [DecodeRun(0, table.num_packets - 1, tuple(wanted))]
    return merge_requests([(table.start_pos[t], table.decode_pos[t], t, False) for t in wanted])


def nearest_keyframe(table: FrameTable, target: int) -> int | None:
    """The keyframe (presentation index) nearest to ``target``; the earlier one on a tie."""
    keys = table.keyframes
    if not keys:
        return None
    i = bisect.bisect_left(keys, target)
    candidates = [
        k for k in (keys[i - 1] if i > 0 else None, keys[i] if i < len(keys) else None) if k is not None
    ]
    return min(candidates, key=lambda k: (abs(k - target), k))


def default_tolerance(targets, num_frames: int) -> int:
    """Half the smallest spacing between distinct targets, rounded so that two targets can never
    land on the same keyframe: ``(spacing - 1) // 2``."""
    distinct = sorted(set(targets))
    spacing = min((b - a for a, b in zip(distinct, distinct[1:], strict=False)), default=num_frames)
    return max(0, (spacing - 1) // 2)


def plan_approximate(table: FrameTable, targets, tolerance: int) -> list[DecodeRun]:
    """Runs that land each target on a nearby keyframe or a cheaply decoded reference frame."""
    wanted = sorted(set(targets))
    if table.sequential:
        return [DecodeRun(0, table.num_packets - 1, tuple(wanted), skip_nonref=True)]
    requests = []
    for target in wanted:
        key = nearest_keyframe(table, target)
        if key is not None and abs(key - target) <= tolerance:
            requests.append((table.start_pos[key], table.decode_pos[key], target, False))
        else:
            requests.append((table.start_pos[target], table.decode_pos[target], target, True))
    return merge_requests(requests)
