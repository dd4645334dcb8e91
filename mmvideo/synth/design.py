"""The embedded demo corpus's design: each class is split across the three modalities.

Every class id ``k`` in ``0..30`` gets a distinct code ``(topic, hue, motion)`` = ``class_code(k)``:
``topic = k // 8`` (4 values), ``hue = (k // 2) % 4`` (4 values), ``motion = k % 2`` (2 values);
4 * 4 * 2 = 32 codes, 31 used (``(3, 3, 1)`` is unused). Each part is carried by ONE modality only:

- text -> ``topic``: the description holds 2-3 words of the topic's word family (English, or
  Chinese for ~17% of clips: ~9% mix a Chinese topic word into an English sentence, ~8% are
  Chinese only) plus filler words shared by all classes. Noise: random fillers and templates,
  and in 15% of descriptions one word of another family (the true family always outnumbers it).
  Chinese words are space-delimited and the families share no Chinese character, so whitespace,
  per-character and word-piece tokenizers all see the topic. No description names a category.
- cover -> ``hue``: the cover's dominant (background) colour lies in one of 4 hue families
  centred on 0, 90, 180, 270 degrees (jitter +-20 degrees, random saturation/value, faint
  texture); a random emblem in a random colour covers under a quarter of it.
- frames -> ``motion``, and ONLY through temporal order: a disc or square crosses the visible
  centre square vertically, rising (bottom to top, ``RISE``) or falling (``FALL``), over at least
  half of the frame height. Background colour, texture, object colour, size, shape, start point,
  horizontal drift and speed are drawn independently of the class. A falling clip is exactly a
  rising clip played backwards, so the set of frames is equally likely under both values: a
  model that pools frames order-blind cannot tell them apart, and a reversed clip means the
  other value. Vertical motion survives horizontal flips and the centre-square crop to 112x112.

So the best single-modality accuracy is 1/8 (text or cover: 8 classes share a value, 7 for
topic 3 / hue 3), 1/16 (frames), and 1/2 or 1/4 for two modalities; all three together identify
the class, and each part is decodable without error (``text.topic_of``,
``images.cover_hue_family``, ``images.object_track`` + ``motion_from_track``), so the
Bayes-optimal fused accuracy is 100% on single-label clips.

Multi-label clips (~5%): a clip is rendered for its primary class and also listed under a second
category with a LARGER class id (as in the real corpus, where a video sits in several folders
whose labels overlap). Labels are kept in class-id order, so ``labels[0]`` is always the class
the clip was rendered for; the second label is not predictable from the content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mmvideo import taxonomy

NUM_TOPICS = 4
NUM_HUES = 4
NUM_MOTIONS = 2
RISE, FALL = 0, 1  # motion values: object moves bottom -> top, top -> bottom
MOTION_NAMES = ("rise", "fall")

# Cover hue families: centres in degrees and the jitter drawn around them (< half the spacing).
HUE_CENTRES_DEG = (0.0, 90.0, 180.0, 270.0)
HUE_JITTER_DEG = 20.0

DESIGN = __doc__


@dataclass(frozen=True)
class Code:
    """What each modality carries for one class: text ``topic``, cover ``hue``, frames ``motion``."""

    topic: int
    hue: int
    motion: int


def class_code(class_id: int) -> Code:
    """The code of class ``class_id`` (see the module docstring)."""
    if isinstance(class_id, bool) or not isinstance(class_id, int | np.integer):
        raise ValueError(f"`class_id` must be an int, got {class_id!r}")
    if not 0 <= class_id < taxonomy.NUM_CLASSES:
        raise ValueError(f"`class_id` must be in [0, {taxonomy.NUM_CLASSES}), got {class_id}")
    k = int(class_id)
    return Code(topic=k // (NUM_HUES * NUM_MOTIONS), hue=(k // NUM_MOTIONS) % NUM_HUES, motion=k % NUM_MOTIONS)


def code_class(code: Code) -> int | None:
    """The class whose code is ``code`` (the fused decision), or ``None`` for the unused code."""
    k = (code.topic * NUM_HUES + code.hue) * NUM_MOTIONS + code.motion
    return k if 0 <= k < taxonomy.NUM_CLASSES and class_code(k) == code else None


def classes_with(topic: int | None = None, hue: int | None = None, motion: int | None = None) -> list[int]:
    """Class ids whose code matches every given part (what one or two modalities leave open)."""
    found = []
    for k in range(taxonomy.NUM_CLASSES):
        code = class_code(k)
        if (topic is None or code.topic == topic) and (hue is None or code.hue == hue) and (
            motion is None or code.motion == motion
        ):
            found.append(k)
    return found


def reversed_motion(motion: int) -> int:
    """The motion value a clip played backwards shows."""
    return FALL if motion == RISE else RISE


def motion_from_track(rows: np.ndarray) -> int:
    """``RISE`` or ``FALL`` from the object's row (y, down is positive) in each frame, in time order.

    The sign of the least-squares slope: rows decreasing over time (moving up) is a rise.
    Frames where the object was not found (``nan``) are ignored.
    """
    rows = np.asarray(rows, dtype=np.float64)
    times = np.arange(len(rows), dtype=np.float64)
    found = np.isfinite(rows)
    if found.sum() < 2:
        raise ValueError(f"need the object in at least 2 frames, found it in {int(found.sum())}")
    slope = np.polyfit(times[found], rows[found], 1)[0]
    return RISE if slope < 0 else FALL


def hue_family(hue_deg: float) -> int:
    """The cover hue family (index into ``HUE_CENTRES_DEG``) nearest to ``hue_deg`` on the circle."""
    spacing = 360.0 / NUM_HUES
    return int(np.round((hue_deg % 360.0) / spacing)) % NUM_HUES
