"""One corpus item as a record: id, labels, duration, URLs and description.

Records come from untrusted files (metadata dumps, ``.txt`` files beside clips, downloads), so every
field is validated here once: an id must match :data:`ID_PATTERN` (it becomes a folder name) and every
label must be a taxonomy category. Invalid input raises :class:`RecordError` naming the reason.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from mmvideo import taxonomy

ID_PATTERN = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
# A description record is a few hundred bytes; anything far larger is not one.
MAX_TXT_BYTES = 1 << 20
# The metadata's field names, in the order the corpus writes them.
FIELDS = ("mp4_id", "video_label", "mp4_time", "mp4_download_url", "mp4_background_image_url", "mp4_txt_brief")


class RecordError(ValueError):
    """A row or file that cannot be a record; ``reason`` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str):
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason}: {detail}")


@dataclass(frozen=True)
class VideoRecord:
    """One video. ``labels`` are English category names in class-id order (several when the
    video is listed under several categories)."""

    mp4_id: str
    labels: tuple[str, ...] = ()
    duration_s: float | None = None
    mp4_url: str = ""
    cover_url: str = ""
    description: str = ""

    @property
    def class_ids(self) -> tuple[int, ...]:
        return tuple(taxonomy.class_id(label) for label in self.labels)

    @property
    def mp4_time(self) -> str:
        """The duration written the corpus's way (``m:ss``), or ``""`` when unknown."""
        if self.duration_s is None:
            return ""
        seconds = round(self.duration_s)
        hours, rest = divmod(seconds, 3600)
        minutes, secs = divmod(rest, 60)
        return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

    def to_row(self, label: str | None = None) -> dict[str, str]:
        """A metadata row (the corpus's field names) for one of the labels (the first by default)."""
        if label is None:
            label = self.labels[0] if self.labels else ""
        return {
            "mp4_id": self.mp4_id,
            "video_label": label,
            "mp4_time": self.mp4_time,
            "mp4_download_url": self.mp4_url,
            "mp4_background_image_url": self.cover_url,
            "mp4_txt_brief": self.description,
        }

    def to_rows(self) -> list[dict[str, str]]:
        """One metadata row per label, as the corpus lists a video under several categories."""
        return [self.to_row(label) for label in (self.labels or ("",))]

    def to_txt(self) -> str:
        """The ``.txt`` stored beside a clip, as JSON (old dict-literal readers accept it too)."""
        row = self.to_row()
        del row["video_label"]
        return json.dumps(row, ensure_ascii=False)


def validate_id(mp4_id: object) -> str:
    """``mp4_id`` as a string when it is a safe id, else :class:`RecordError`."""
    if isinstance(mp4_id, int) and not isinstance(mp4_id, bool):
        mp4_id = str(mp4_id)
    if not isinstance(mp4_id, str) or not ID_PATTERN.match(mp4_id):
        raise RecordError("bad_id", f"id must match {ID_PATTERN.pattern}, got {mp4_id!r}")
    return mp4_id


def parse_duration(mp4_time: object) -> float | None:
    """Seconds from ``"0:15"``, ``"1:02:03"`` or a plain number; ``None`` when empty or unreadable."""
    if isinstance(mp4_time, int | float) and not isinstance(mp4_time, bool):
        return float(mp4_time) if mp4_time >= 0 else None
    if not isinstance(mp4_time, str) or not mp4_time.strip():
        return None
    parts = mp4_time.strip().split(":")
    if len(parts) > 3 or "-" in mp4_time:
        return None
    try:
        values = [float(part) for part in parts]
    except ValueError:
        return None
    if any(value < 0 for value in values):
        return None
    seconds = 0.0
    for value in values:
        seconds = seconds * 60 + value
    return seconds


def _text(row: Mapping[str, object], key: str) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise RecordError("bad_field", f"{key} must be text, got {type(value).__name__}")
    return str(value)


def _labels(value: object) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    names = value if isinstance(value, list | tuple) else [value]
    labels = set()
    for name in names:
        try:
            labels.add(taxonomy.canonical_name(name))
        except taxonomy.UnknownCategoryError as error:
            raise RecordError("unknown_label", str(error)) from None
    return tuple(sorted(labels, key=taxonomy.class_id))


def record_from_row(row: Mapping[str, object], extra_labels: Iterable[str] = ()) -> VideoRecord:
    """A record from one metadata row (the corpus's field names); :class:`RecordError` if invalid."""
    if not isinstance(row, Mapping):
        raise RecordError("not_a_record", f"expected a mapping, got {type(row).__name__}")
    mp4_id = validate_id(row.get("mp4_id"))
    labels = _labels(row.get("video_label", row.get("labels")))
    if extra_labels:
        labels = _labels([*labels, *extra_labels])
    return VideoRecord(
        mp4_id=mp4_id,
        labels=labels,
        duration_s=parse_duration(row.get("mp4_time")),
        mp4_url=_text(row, "mp4_download_url"),
        cover_url=_text(row, "mp4_background_image_url"),
        description=_text(row, "mp4_txt_brief"),
    )


def merge(first: VideoRecord, second: VideoRecord) -> VideoRecord:
    """One record for two rows of the same video: labels united, first non-empty field kept."""
    if first.mp4_id != second.mp4_id:
        raise ValueError(f"cannot merge records of {first.mp4_id!r} and {second.mp4_id!r}")
    return VideoRecord(
        mp4_id=first.mp4_id,
        labels=tuple(sorted(set(first.labels) | set(second.labels), key=taxonomy.class_id)),
        duration_s=first.duration_s if first.duration_s is not None else second.duration_s,
        mp4_url=first.mp4_url or second.mp4_url,
        cover_url=first.cover_url or second.cover_url,
        description=first.description or second.description,
    )


def parse_txt(text: str | bytes, labels: Iterable[str] = ()) -> VideoRecord:
    """The record in a ``.txt`` beside a clip: JSON, or a Python dict *literal*.

    Only literals are read (``ast.literal_eval``): a file holding code is refused as data and
    nothing in it runs. ``labels`` come from the folder the file sits in.
    """
    if isinstance(text, bytes):
        if len(text) > MAX_TXT_BYTES:
            raise RecordError("too_large", f"description file over {MAX_TXT_BYTES} bytes")
        text = text.decode("utf-8-sig", errors="replace")
    if len(text) > MAX_TXT_BYTES:
        raise RecordError("too_large", f"description file over {MAX_TXT_BYTES} characters")
    try:
        value = json.loads(text)
    except RecursionError:
        raise RecordError("not_a_record", "description file is nested too deeply") from None
    except ValueError:
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise RecordError("not_a_record", "description file is neither JSON nor a dict literal") from None
    if not isinstance(value, dict):
        raise RecordError("not_a_record", f"description file holds a {type(value).__name__}, not a dict")
    return record_from_row(value, extra_labels=labels)
