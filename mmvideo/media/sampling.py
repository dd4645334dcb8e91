"""``sample_frames``: the one place frames are chosen from a clip (prepare and predict call it).

Steps: open and check the file (``container.open_video``); demux once without decoding to learn
the exact frame count, timestamps and keyframes (``container.scan_packets``); choose frame indices
(``indices``); plan which packets to decode (``plan``: only from the keyframe before each target
up to the target, restarting only when the next keyframe lies beyond what was decoded); decode
with FFmpeg's threads (``decode``); convert only the kept frames, scaling inside swscale
(``resize``).

Truncated or damaged files: the clip is the gap-free run of frames that can be read before the
damage. With at least ``limits.MIN_USABLE_FRAMES`` of them (1) the indices are chosen over
those frames as over any clip (fewer than ``num_frames`` -> the last one repeats) and
``SampleInfo.truncated`` is set; with fewer, ``MediaError("truncated")``. A target whose frame the
decoder cannot produce is replaced by the nearest frame that was decoded (``SampleInfo`` shows it).
"""

import logging
from dataclasses import dataclass

import numpy as np

from mmvideo.media import errors, indices, limits, plan
from mmvideo.media.container import Demuxed, media_guard, open_video, scan_packets
from mmvideo.media.decode import Landing, decode_runs
from mmvideo.media.errors import MediaError
from mmvideo.media.resize import frame_to_rgb, parse_size

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SampleInfo:
    """How a ``sample_frames`` call went."""

    requested_indices: tuple[int, ...]  # frames the strategy chose (presentation order)
    decoded_indices: tuple[int, ...]  # frames actually returned, same order
    max_offset_frames: int  # max |decoded - requested|; 0 in exact mode on an undamaged clip
    max_offset_s: float  # the same, in seconds of presentation time
    num_frames: int  # usable frames in the clip
    fps: float
    duration_s: float
    strategy: str
    approximate: bool
    truncated: bool  # the file ended early or was damaged; frames come from what could be read


def _check_tolerance(tolerance_s):
    if tolerance_s is None:
        return None
    if isinstance(tolerance_s, bool) or not isinstance(tolerance_s, int | float) or not tolerance_s >= 0:
        raise ValueError(f"`tolerance_s` must be a number >= 0 or None, got {tolerance_s!r}")
    return float(tolerance_s)


def _fill_missing(path, requested, landings: dict[int, Landing]) -> dict[int, Landing]:
    """Targets the decoder gave nothing for take the landing of the nearest target that has one."""
    missing = [t for t in set(requested) if t not in landings]
    if missing:
        logger.warning(
            "%s: no frame decoded near frame(s) %s; using the nearest decoded one", path, sorted(missing)
        )
    filled = dict(landings)
    for target in missing:
        nearest = min(landings, key=lambda other: (abs(other - target), other))
        filled[target] = landings[nearest]
    return filled


def _offset_seconds(demuxed: Demuxed, requested, decoded) -> float:
    table = demuxed.table
    if table.sequential:
        worst = max(abs(d - r) for r, d in zip(requested, decoded, strict=True))
        return worst / demuxed.fps if demuxed.fps else 0.0
    worst_ticks = max(
        abs(table.frame_pts[d] - table.frame_pts[r]) for r, d in zip(requested, decoded, strict=True)
    )
    return float(worst_ticks * demuxed.time_base)


def sample_frames(
    path,
    num_frames: int = 8,
    size=112,
    strategy: str = "uniform",
    rng: np.random.Generator | None = None,
    approximate: bool = False,
    *,
    tolerance_s: float | None = None,
    return_info: bool = False,
):
    """Decodes ``num_frames`` RGB frames of the video at ``path``.

    Args:
        path: a video file (mp4, webm, mkv, gif, ...; any FFmpeg reads, with a video stream).
        num_frames: ``T``, frames returned.
        size: ``S`` for an ``S x S`` box or ``(H, W)``; frames are scaled to cover it (aspect
            kept) and centre-cropped (see ``mmvideo.media.resize``).
        strategy: ``"uniform"``, ``"first"`` or ``"segments"`` (see ``mmvideo.media.indices``).
        rng: a ``numpy.random.Generator`` for random offsets inside segments (``segments`` only).
        approximate: trade exact positions for speed: a target within ``tolerance_s`` of a
            keyframe lands on it, other targets are decoded skipping non-reference frames and
            land on the nearest frame still decoded. ``SampleInfo`` reports the offsets.
        tolerance_s: approximate mode only; default: just under half the spacing between targets,
            so two targets never share a keyframe. ``float("inf")``: every target lands on its
            nearest keyframe (fastest; coarse on clips with few keyframes).
        return_info: also return a ``SampleInfo``.

    Returns:
        ``uint8 [T, H, W, 3]`` RGB, or ``(frames, SampleInfo)`` with ``return_info=True``.

    Raises:
        ValueError / TypeError: bad arguments.
        MediaError: the file cannot be used; ``.reason`` says why.
    """
    num_frames = indices.check_num_frames(num_frames)
    box = parse_size(size)
    indices.check_strategy(strategy)
    indices.check_rng(rng)
    tolerance_s = _check_tolerance(tolerance_s)

    with open_video(path) as video, media_guard(video.path, errors.DECODE_ERROR):
        demuxed = scan_packets(video)
        table = demuxed.table
        bad_reason = errors.TRUNCATED if demuxed.truncated else errors.DECODE_ERROR
        if table.num_frames < limits.MIN_USABLE_FRAMES:
            raise MediaError(
                bad_reason, video.path, f"{table.num_frames} usable frames (< {limits.MIN_USABLE_FRAMES})"
            )
        requested = indices.select_indices(strategy, table.num_frames, num_frames, rng)
        if approximate:
            if tolerance_s is None:
                tolerance = plan.default_tolerance(requested, table.num_frames)
            elif tolerance_s * demuxed.fps >= table.num_frames:  # e.g. inf: keyframes only
                tolerance = table.num_frames
            else:
                tolerance = int(tolerance_s * demuxed.fps)
            runs = plan.plan_approximate(table, requested, tolerance)
        else:
            runs = plan.plan_exact(table, requested)
        landings = decode_runs(video, demuxed, runs)
        if not landings:
            raise MediaError(bad_reason, video.path, "no frame could be decoded")
        landings = _fill_missing(video.path, requested, landings)

        frames = np.empty((num_frames, *box, 3), dtype=np.uint8)
        converted: dict[int, int] = {}  # decoded index -> row of `frames` already holding it
        for row, target in enumerate(requested):
            landing = landings[target]
            if landing.index in converted:
                frames[row] = frames[converted[landing.index]]
            else:
                frames[row] = frame_to_rgb(landing.frame, box, video.sample_aspect)
                converted[landing.index] = row

    if not return_info:
        return frames
    decoded = tuple(landings[t].index for t in requested)
    info = SampleInfo(
        requested_indices=tuple(requested),
        decoded_indices=decoded,
        max_offset_frames=max(abs(d - r) for r, d in zip(requested, decoded, strict=True)),
        max_offset_s=_offset_seconds(demuxed, requested, decoded),
        num_frames=table.num_frames,
        fps=demuxed.fps,
        duration_s=demuxed.duration_s,
        strategy=strategy,
        approximate=bool(approximate),
        truncated=demuxed.truncated,
    )
    return frames, info
