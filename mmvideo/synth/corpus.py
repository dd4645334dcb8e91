"""The driver: plan the corpus, render and write every clip (in a small process pool), link the
videos listed under two categories into both folders, and write the metadata file.

    OUT/<Category>/<id>/<id>.mp4 | .jpeg | .txt     (seed layout, ``mmvideo.paths.item_paths``)
    OUT/multimodal_data_info.json                    (JSON lines, one row per (video, category))
"""

from __future__ import annotations

import concurrent.futures
import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmvideo import paths
from mmvideo.records import VideoRecord
from mmvideo.synth import encode, images, plan, text

MANIFEST_NAME = "multimodal_data_info.json"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
MIN_SIDE, MAX_SIDE = 32, 1920
# Below this many clips a process pool costs more (interpreter start-up) than it saves.
POOL_MIN_CLIPS = 48
MAX_WORKERS = 4

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SynthSummary:
    """What ``synthesize_corpus`` wrote. ``bytes`` counts a hard-linked file once; ``paths`` lists
    every file (both copies of a multi-label video's files), sorted."""

    num_videos: int
    num_rows: int
    num_multi_label: int
    bytes: int
    seconds: float
    paths: tuple[Path, ...]
    manifest: Path


@dataclass(frozen=True)
class ClipContent:
    description: str
    cover: np.ndarray  # uint8 [H, W, 3]
    frames: np.ndarray  # uint8 [T, H, W, 3]


def render_clip(clip: plan.ClipPlan, seed: int, width: int, height: int) -> ClipContent:
    """The clip's three modalities, each from its own generator and its own part of the code."""
    code = clip.code

    def rng(stream: str) -> np.random.Generator:
        return plan.clip_rng(seed, clip.class_id, clip.index, stream)

    scene = images.draw_scene(rng("frames"), width, height, clip.num_frames)
    return ClipContent(
        description=text.describe(code.topic, rng("text")),
        cover=images.render_cover(code.hue, rng("cover"), width, height),
        frames=images.render_frames(code.motion, scene),
    )


def write_clip(
    out_dir: Path, clip: plan.ClipPlan, seed: int, width: int, height: int, base_url: str
) -> tuple[int, VideoRecord]:
    """Renders ``clip``, writes its three files into its first category's folder; returns
    ``(bytes written, record)``."""
    content = render_clip(clip, seed, width, height)
    record = plan.make_record(clip, content.description, base_url)
    files = paths.item_paths(out_dir, clip.labels[0], clip.mp4_id)
    files["mp4"].parent.mkdir(parents=True, exist_ok=True)
    size = (
        encode.write_h264(files["mp4"], content.frames, clip.fps)
        + encode.write_jpeg(files["cover"], content.cover)
        + encode.write_text(files["txt"], record.to_txt())
    )
    return size, record


def _write_clip_job(job: tuple) -> tuple[int, VideoRecord]:
    return write_clip(*job)


def link_or_copy(source: Path, target: Path) -> bool:
    """Hard-links ``source`` at ``target``, copying when the file system refuses; True if linked."""
    try:
        os.link(source, target)
        return True
    except OSError:
        shutil.copyfile(source, target)
        return False


def _check_arguments(out_dir: Path, width: int, height: int, base_url: str) -> None:
    for name, side in (("width", width), ("height", height)):
        if isinstance(side, bool) or not isinstance(side, int) or not MIN_SIDE <= side <= MAX_SIDE or side % 2:
            raise ValueError(f"`{name}` must be an even integer in [{MIN_SIDE}, {MAX_SIDE}], got {side!r}")
    if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"`base_url` must be an http(s) URL, got {base_url!r}")
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ValueError(f"{out_dir} exists and is not an empty folder; synth writes a fresh corpus")


def _worker_count(workers: int | None, num_clips: int) -> int:
    if workers is None:
        workers = min(MAX_WORKERS, os.cpu_count() or 1) if num_clips >= POOL_MIN_CLIPS else 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"`workers` must be an integer >= 1 or None, got {workers!r}")
    return workers


def _write_all(jobs: list[tuple], workers: int, progress: Progress | None) -> tuple[int, list[VideoRecord]]:
    """Writes every clip, in order or in a pool (spawned: safe after threads or TensorFlow started)."""
    total_bytes, records = 0, []
    if progress:
        progress(0, len(jobs))
    if workers == 1:
        results = map(_write_clip_job, jobs)
        executor = None
    else:
        executor = concurrent.futures.ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        results = executor.map(_write_clip_job, jobs, chunksize=4)
    try:
        for done, (size, record) in enumerate(results, start=1):
            total_bytes += size
            records.append(record)
            if progress:
                progress(done, len(jobs))
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    return total_bytes, records


def synthesize_corpus(
    out_dir: str | Path,
    per_category: int = 20,
    seed: int = 0,
    base_url: str = DEFAULT_BASE_URL,
    width: int = 320,
    height: int = 180,
    progress: Progress | None = None,
    workers: int | None = None,
) -> SynthSummary:
    """Writes the embedded demo corpus (see ``mmvideo.synth.design`` for what it holds) into the
    empty or absent folder ``out_dir``.

    ``progress(done, total)`` is called with ``done == 0`` first, then after each clip is written.
    ``workers`` processes render and encode (default: up to ``MAX_WORKERS``, one for small corpora);
    the files do not depend on it. The pool spawns fresh interpreters, so a script calling this
    with ``workers != 1`` needs the usual ``if __name__ == "__main__":`` guard. Raises
    ``ValueError`` for a bad argument or a non-empty folder, before writing anything.
    """
    started = time.perf_counter()
    out_dir = Path(out_dir)
    clips = plan.plan_corpus(per_category, seed)
    _check_arguments(out_dir, width, height, base_url)
    workers = _worker_count(workers, len(clips))
    out_dir.mkdir(parents=True, exist_ok=True)

    jobs = [(out_dir, clip, seed, width, height, base_url) for clip in clips]
    total_bytes, records = _write_all(jobs, workers, progress)

    written: list[Path] = []
    for clip in clips:
        files = paths.item_paths(out_dir, clip.labels[0], clip.mp4_id)
        written.extend(files.values())
        for label in clip.labels[1:]:
            targets = paths.item_paths(out_dir, label, clip.mp4_id)
            targets["mp4"].parent.mkdir(parents=True, exist_ok=True)
            for key, source in files.items():
                if not link_or_copy(source, targets[key]):
                    total_bytes += source.stat().st_size
                written.append(targets[key])

    rows = plan.manifest_rows(records)
    manifest = out_dir / MANIFEST_NAME
    total_bytes += encode.write_text(manifest, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    written.append(manifest)
    return SynthSummary(
        num_videos=len(clips),
        num_rows=len(rows),
        num_multi_label=sum(len(clip.labels) > 1 for clip in clips),
        bytes=total_bytes,
        seconds=time.perf_counter() - started,
        paths=tuple(sorted(written)),
        manifest=manifest,
    )
