"""What ``predict`` reads: command-line inputs -> clips -> raw modalities, the way prepare made them.

An input is one of:

- a video file (``.mp4``, ``.gif``, ``.webm``, anything FFmpeg decodes); the cover
  ``<stem>.jpeg|.jpg|.png|.webp`` and the description ``<stem>.txt`` beside it are used when present;
- an item folder ``<id>/`` holding ``<id>.mp4`` (and ``<id>.jpeg``, ``<id>.txt``);
- a folder in the seed layout ``ROOT/<Category>/<id>/``: every item, once per id (a video under
  several categories is one clip; each file comes from the first folder that has it); or one
  category folder of it (its item folders).

Each clip is turned into raw modalities exactly as prepare does: frames by
``mmvideo.media.sample_frames`` with the run's ``frames`` / ``size`` / ``sampling`` (``segments``
takes the centre of each segment: no random offsets at serving time), the cover by prepare's
``load_cover``, the description from the ``.txt`` record (``mmvideo.records.parse_txt``; a file
that is not a record but plain text is taken as the description itself), stripped.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mmvideo.layout import find_item_files, scan_layout
from mmvideo.records import MAX_TXT_BYTES, RecordError, parse_txt


@dataclass(frozen=True)
class Clip:
    """One clip to classify; ``input`` is how the user named it (or the video, inside a folder)."""

    input: str
    mp4_id: str
    video: Path
    cover: Path | None = None
    txt: Path | None = None


@dataclass(frozen=True)
class InputError:
    """An input that yields no clip, and why."""

    input: str
    error: str


@dataclass(frozen=True)
class RawClip:
    """The raw modalities of a clip: ``frames`` uint8 ``[T, S, S, 3]``, ``cover`` uint8 ``[S, S, 3]``
    or ``None`` (absent), ``text`` ("" when absent); ``absent`` says why a modality is missing."""

    frames: np.ndarray
    cover: np.ndarray | None
    text: str
    absent: dict[str, str]


def resolve_inputs(paths) -> list[Clip | InputError]:
    """The clips of every input, in the order given (a seed layout's items sorted by category, id)."""
    resolved: list[Clip | InputError] = []
    for raw in paths:
        path = Path(raw)
        if not path.exists():
            resolved.append(InputError(str(raw), "not_found: no such file or folder"))
        elif path.is_file():
            found = find_item_files(path.parent, path.stem)
            resolved.append(Clip(str(raw), path.stem, path, found["cover"], found["txt"]))
        elif path.is_dir():
            resolved.extend(_folder_clips(path, str(raw)))
        else:
            resolved.append(InputError(str(raw), "unreadable: not a regular file or folder"))
    return resolved


def _folder_clips(folder: Path, name: str) -> list[Clip | InputError]:
    found = find_item_files(folder, folder.name)
    if found["mp4"] is not None:
        return [Clip(name, folder.name, found["mp4"], found["cover"], found["txt"])]
    by_id: dict[str, dict] = {}
    for item in scan_layout(folder):
        files = by_id.setdefault(item.mp4_id, {"mp4": None, "cover": None, "txt": None, "folder": item.folder})
        for key in files.keys() - {"folder"}:
            files[key] = files[key] or getattr(item, key)
    if not by_id:  # a category folder: item folders directly inside
        items = [child for child in sorted(folder.iterdir()) if child.is_dir()]
        clips = [clip for child in items for clip in _folder_clips_flat(child)]
        if clips:
            return clips
        return [InputError(name, "no_clips: neither a video, an item folder <id>/<id>.mp4 nor a seed layout")]
    clips: list[Clip | InputError] = []
    for mp4_id, files in by_id.items():
        if files["mp4"] is None:
            clips.append(InputError(str(files["folder"]), f"missing_video: no video for {mp4_id}"))
        else:
            clips.append(Clip(str(files["mp4"]), mp4_id, files["mp4"], files["cover"], files["txt"]))
    return clips


def _folder_clips_flat(folder: Path) -> list[Clip]:
    found = find_item_files(folder, folder.name)
    return [] if found["mp4"] is None else [Clip(str(found["mp4"]), folder.name, found["mp4"], found["cover"], found["txt"])]


def read_description(path: Path | None) -> tuple[str, str | None]:
    """``(description, None)`` or ``("", why it is absent)``."""
    if path is None:
        return "", "missing"
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_TXT_BYTES + 1)
    except OSError as error:
        return "", f"unreadable: {type(error).__name__}"
    try:
        text = parse_txt(raw).description.strip()
    except RecordError as error:
        decoded = raw.decode("utf-8", errors="replace").strip()
        if error.reason != "not_a_record" or decoded.startswith(("{", "[")):
            return "", error.reason
        text = decoded  # a plain-text description
    return (text, None) if text else ("", "empty")


def load_clip(clip: Clip, frames: int, size: int, sampling: str, modalities=("text", "cover", "frames")) -> RawClip:
    """The clip's raw modalities; a bad video raises ``MediaError`` (a missing cover or text does not)."""
    from data_interface.prepare.encode import load_cover
    from mmvideo.media import sample_frames

    video = sample_frames(clip.video, frames, size, sampling)
    absent: dict[str, str] = {}
    cover = None
    if "cover" in modalities:
        cover, problem = load_cover(None if clip.cover is None else str(clip.cover), size)
        if problem is not None:
            absent["cover"] = problem.reason
    text = ""
    if "text" in modalities:
        text, reason = read_description(clip.txt)
        if reason is not None:
            absent["text"] = reason
    return RawClip(video, cover, text, absent)


def feature_batch(clips: list[RawClip], spec, encoder=None) -> dict:
    """Model features for raw clips, as the reader builds them (absent: zeros and mask 0)."""
    cover_shape = spec.cover_shape
    features = {
        "frames": np.stack([clip.frames for clip in clips]).astype(np.uint8),
        "cover": np.stack([clip.cover if clip.cover is not None else np.zeros(cover_shape, np.uint8) for clip in clips]),
        "has_frames": np.ones(len(clips), np.float32),
        "has_cover": np.array([clip.cover is not None for clip in clips], np.float32),
        "has_text": np.array([bool(clip.text) for clip in clips], np.float32),
    }
    if encoder is not None:
        features["text"] = np.asarray(encoder(np.array([clip.text for clip in clips], dtype=object)))
    return features
