"""How a decoded frame becomes a ``[H, W, 3]`` RGB array: one policy, pure functions.

Policy ("cover, then centre-crop"):

1. The frame is first put in its *display* geometry: the sample aspect ratio (non-square pixels)
   stretches its width, and the rotation of its display matrix (``frame.rotation``, degrees
   counter-clockwise, rounded to a multiple of 90; flips are ignored) turns it.
2. It is scaled, preserving its aspect ratio, to the smallest size that covers the target box
   ``(H, W)``: one side equals the box, the other is at least as large (rounded half up).
   The scaling and the YUV -> RGB conversion happen in one swscale call
   (``reformat(frame, width=, height=, format="rgb24")``), with ``INTERPOLATION``.
3. The middle ``H x W`` is cut out (extra pixels split evenly; an odd extra pixel goes to the
   bottom/right).

So a 640x360 landscape frame at ``size=112`` becomes 199x112 and loses 43 columns on the left
and 44 on the right; a 360x640 portrait frame becomes 112x199 and loses rows at top and bottom.
Nothing is padded or distorted.
"""

import functools
import threading
from dataclasses import dataclass

import numpy as np

from mmvideo.media import limits

INTERPOLATION = "BILINEAR"  # swscale's bilinear widens its kernel when downscaling (no aliasing)


def parse_size(size) -> tuple[int, int]:
    """``112`` -> ``(112, 112)``; ``(H, W)`` -> ``(H, W)``. Raises ValueError naming a bad value."""

    def _side(value) -> int:
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"`size` must be an int or an (height, width) pair of ints, got {size!r}")
        if not 1 <= value <= limits.MAX_OUTPUT_SIDE:
            raise ValueError(f"`size` sides must be in [1, {limits.MAX_OUTPUT_SIDE}], got {size!r}")
        return int(value)

    if isinstance(size, tuple | list):
        if len(size) != 2:
            raise ValueError(f"`size` must be an int or an (height, width) pair of ints, got {size!r}")
        return _side(size[0]), _side(size[1])
    side = _side(size)
    return side, side


def quarter_turns(rotation) -> int:
    """Counter-clockwise quarter turns (0-3) for a display rotation in degrees (CCW)."""
    return int(round(float(rotation or 0) / 90.0)) % 4


def cover_size(src_width: float, src_height: float, box_width: int, box_height: int) -> tuple[int, int]:
    """Smallest ``(width, height)`` with the source's aspect ratio that covers the box."""
    scale = max(box_width / src_width, box_height / src_height)
    width = max(box_width, int(src_width * scale + 0.5))
    height = max(box_height, int(src_height * scale + 0.5))
    return width, height


@dataclass(frozen=True)
class ResizePlan:
    """What to ask swscale for, then how to turn and crop its output."""

    scaled_width: int  # swscale output, in the frame's coded (unrotated) orientation
    scaled_height: int
    turns: int  # np.rot90 quarter turns (counter-clockwise) after scaling
    top: int  # crop offsets in the rotated, scaled image
    left: int
    height: int  # the box
    width: int


@functools.lru_cache(maxsize=256)
def plan_resize(
    coded_width: int, coded_height: int, rotation: int, box: tuple[int, int], sample_aspect: float = 1.0
) -> ResizePlan:
    """The ``ResizePlan`` for a ``coded_width x coded_height`` frame and a ``(H, W)`` box."""
    box_height, box_width = box
    turns = quarter_turns(rotation)
    display_width = coded_width * (sample_aspect if sample_aspect and sample_aspect > 0 else 1.0)
    display_height = float(coded_height)
    if turns % 2:
        display_width, display_height = display_height, display_width
    cover_width, cover_height = cover_size(display_width, display_height, box_width, box_height)
    scaled_width, scaled_height = (cover_height, cover_width) if turns % 2 else (cover_width, cover_height)
    return ResizePlan(
        scaled_width=scaled_width,
        scaled_height=scaled_height,
        turns=turns,
        top=(cover_height - box_height) // 2,
        left=(cover_width - box_width) // 2,
        height=box_height,
        width=box_width,
    )


def turn_and_crop(scaled_rgb: np.ndarray, plan: ResizePlan) -> np.ndarray:
    """Rotates swscale's ``[h, w, 3]`` output by ``plan.turns`` and cuts out the box (a view)."""
    turned = np.rot90(scaled_rgb, plan.turns) if plan.turns else scaled_rgb
    return turned[plan.top : plan.top + plan.height, plan.left : plan.left + plan.width]


_per_thread = threading.local()


def _reformatter():
    """This thread's ``VideoReformatter``. ``frame.to_ndarray(width=, height=)`` gives every frame a
    reformatter of its own, so swscale sets up its filters for each frame (~0.7 ms at 640x360 -> 112,
    more than the scaling itself; bench/bench_convert.py). One per thread keeps swscale's context
    between frames of the same geometry (thread-local: a context is not safe to share)."""
    reformatter = getattr(_per_thread, "reformatter", None)
    if reformatter is None:
        from av.video.reformatter import VideoReformatter

        reformatter = _per_thread.reformatter = VideoReformatter()
    return reformatter


def frame_to_rgb(frame, box: tuple[int, int], sample_aspect: float = 1.0) -> np.ndarray:
    """A decoded ``av.VideoFrame`` -> ``uint8 [H, W, 3]`` RGB, per the module's policy."""
    plan = plan_resize(frame.width, frame.height, frame.rotation, box, sample_aspect)
    scaled = _reformatter().reformat(
        frame, width=plan.scaled_width, height=plan.scaled_height, format="rgb24", interpolation=INTERPOLATION
    )
    return turn_and_crop(scaled.to_ndarray(), plan)
