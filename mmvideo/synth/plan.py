"""What the corpus holds, decided before anything is rendered: pure functions of the arguments.

Clip ``j`` of class ``k`` draws its content from generators seeded with ``(seed, k, j, stream)``,
so its content does not depend on ``per_category`` or on the order clips are rendered in (a pool
of processes gives the same files). Ids and the multi-label choice come from one generator
seeded with ``seed`` alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

import numpy as np

from mmvideo import taxonomy
from mmvideo.records import VideoRecord
from mmvideo.synth import design

MULTI_LABEL_RATE = 0.05  # share of videos also listed under a second category
FPS_CHOICES = (12, 15)
MIN_SECONDS, MAX_SECONDS = 2, 4
ID_DIGITS = 8
# Independent generator streams of one clip (so e.g. the cover never depends on the text's draws).
STREAMS = {"layout": 0, "text": 1, "cover": 2, "frames": 3}


@dataclass(frozen=True)
class ClipPlan:
    """One video: its id, the class it is rendered for, all its labels and its timing."""

    mp4_id: str
    class_id: int  # the class the content is rendered for; always labels[0]
    index: int  # its rank among the clips of that class
    labels: tuple[str, ...]  # English category names in class-id order
    fps: int
    num_frames: int

    @property
    def duration_s(self) -> float:
        return self.num_frames / self.fps

    @property
    def code(self) -> design.Code:
        return design.class_code(self.class_id)


def clip_rng(seed: int, class_id: int, index: int, stream: str) -> np.random.Generator:
    """The generator of one stream of clip ``index`` of class ``class_id``."""
    return np.random.default_rng([seed, class_id, index, STREAMS[stream]])


def make_ids(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct numeric-looking ids of ``ID_DIGITS`` digits (no leading zero)."""
    low, high = 10 ** (ID_DIGITS - 1), 10**ID_DIGITS
    ids: list[str] = []
    seen: set[int] = set()
    while len(ids) < count:
        for value in rng.integers(low, high, size=count - len(ids)):
            if int(value) not in seen:
                seen.add(int(value))
                ids.append(str(int(value)))
    return ids


def choose_multi_label(
    primaries: list[int], rng: np.random.Generator, rate: float = MULTI_LABEL_RATE
) -> dict[int, int]:
    """``{position: second class id}`` for ``round(rate * len(primaries))`` videos.

    The second class is drawn uniformly among classes with a larger id than the primary, so the
    primary stays ``labels[0]``; a video of the last class is never chosen.
    """
    candidates = [position for position, class_id in enumerate(primaries) if class_id < taxonomy.NUM_CLASSES - 1]
    count = min(int(round(rate * len(primaries))), len(candidates))
    chosen = sorted(int(p) for p in rng.choice(candidates, size=count, replace=False)) if count else []
    return {p: int(rng.integers(primaries[p] + 1, taxonomy.NUM_CLASSES)) for p in chosen}


def clip_timing(rng: np.random.Generator) -> tuple[int, int]:
    """``(fps, num_frames)`` for a clip of ``MIN_SECONDS``-``MAX_SECONDS`` seconds."""
    fps = int(rng.choice(FPS_CHOICES))
    return fps, int(rng.integers(MIN_SECONDS * fps, MAX_SECONDS * fps + 1))


def plan_corpus(per_category: int, seed: int) -> list[ClipPlan]:
    """Every video of the corpus, class by class (class-id order), ``per_category`` each."""
    if isinstance(per_category, bool) or not isinstance(per_category, int) or per_category < 1:
        raise ValueError(f"`per_category` must be an integer >= 1, got {per_category!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"`seed` must be an integer >= 0, got {seed!r}")
    primaries = [k for k in range(taxonomy.NUM_CLASSES) for _ in range(per_category)]
    rng = np.random.default_rng([seed, taxonomy.NUM_CLASSES])
    ids = make_ids(len(primaries), rng)
    seconds = choose_multi_label(primaries, rng)
    plans = []
    for position, class_id in enumerate(primaries):
        index = position % per_category
        class_ids = (class_id,) + ((seconds[position],) if position in seconds else ())
        fps, num_frames = clip_timing(clip_rng(seed, class_id, index, "layout"))
        labels = tuple(taxonomy.by_id(k).name for k in class_ids)
        plans.append(ClipPlan(ids[position], class_id, index, labels, fps, num_frames))
    return plans


def file_url(base_url: str, category: str, mp4_id: str, suffix: str) -> str:
    """``{base_url}/<Category>/<id>/<id>.<suffix>``, the category URL-quoted (names have spaces)."""
    return f"{base_url.rstrip('/')}/{quote(category, safe='')}/{mp4_id}/{mp4_id}.{suffix}"


def make_record(plan: ClipPlan, description: str, base_url: str) -> VideoRecord:
    """The clip's record; its URLs point at the files in its first (rendered) category's folder."""
    return VideoRecord(
        mp4_id=plan.mp4_id,
        labels=plan.labels,
        duration_s=plan.duration_s,
        mp4_url=file_url(base_url, plan.labels[0], plan.mp4_id, "mp4"),
        cover_url=file_url(base_url, plan.labels[0], plan.mp4_id, "jpeg"),
        description=description,
    )


def manifest_rows(records: list[VideoRecord]) -> list[dict[str, str]]:
    """One metadata row per (video, category), ordered by category (class id), then id."""
    rows = [row for record in records for row in record.to_rows()]
    return sorted(rows, key=lambda row: (taxonomy.class_id(row["video_label"]), row["mp4_id"]))
