"""Seed layout (and optional manifest) -> one ``ExampleSource`` per video: pure, nothing decoded.

A video listed under several categories has one folder per category (hard links or copies); it
becomes ONE example whose ``class_ids`` are all its categories in class-id order (the primary label
is the first). Each file (clip, cover, description) is taken from the first folder, in class-id
order, that has it. A manifest adds the labels it lists for the id and a fallback description
(used when the ``.txt`` is missing or unreadable); manifest ids without a folder are not examples.

A folder with no clip cannot be an example: it becomes a ``Failure("missing_video")``, as do
folders the scan refused (a name that is not a category or not an id, a link out of the root).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from mmvideo import taxonomy
from mmvideo.layout import LayoutItem, ScanReport
from mmvideo.records import VideoRecord

MISSING_VIDEO = "missing_video"
UNKNOWN_CATEGORY = "unknown_category"
BAD_ID = "bad_id"
OUTSIDE_ROOT = "outside_root"


@dataclass(frozen=True, slots=True)
class ExampleSource:
    """What one example is made from; paths are strings (``None`` when the file is missing)."""

    mp4_id: str
    class_ids: tuple[int, ...]  # sorted; class_ids[0] is the primary label
    video: str
    cover: str | None = None
    txt: str | None = None
    fallback_description: str = ""  # from the manifest; used when the .txt gives nothing

    @property
    def label(self) -> int:
        return self.class_ids[0]

    def to_dict(self) -> dict:
        return {
            "id": self.mp4_id,
            "class_ids": list(self.class_ids),
            "video": self.video,
            "cover": self.cover,
            "txt": self.txt,
            "fallback_description": self.fallback_description,
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> ExampleSource:
        return cls(
            mp4_id=data["id"],
            class_ids=tuple(data["class_ids"]),
            video=data["video"],
            cover=data.get("cover"),
            txt=data.get("txt"),
            fallback_description=data.get("fallback_description", ""),
        )


@dataclass(frozen=True)
class Failure:
    """An item that could not be used: one line of ``failures.jsonl``."""

    mp4_id: str
    path: str
    reason: str
    detail: str = ""

    def to_dict(self) -> dict:
        return {"id": self.mp4_id, "path": self.path, "reason": self.reason, "detail": self.detail}

    @classmethod
    def from_dict(cls, data: Mapping) -> Failure:
        return cls(data["id"], data["path"], data["reason"], data.get("detail", ""))


@dataclass(slots=True)
class _Partial:
    """What is known of one id while the scan runs: its categories and, per file, the first
    ``(class id, path)`` seen in class-id order (slots and tuples: ~0.5 KB per video)."""

    class_ids: tuple[int, ...]
    folder: tuple[int, str]
    video: tuple[int, str] | None = None
    cover: tuple[int, str] | None = None
    txt: tuple[int, str] | None = None


def _first(known: tuple[int, str] | None, class_id: int, path) -> tuple[int, str] | None:
    if path is None or (known is not None and known[0] <= class_id):
        return known
    return class_id, str(path)


def merge_items(
    items: Iterable[LayoutItem], manifest_records: Mapping[str, VideoRecord] | None = None
) -> tuple[list[ExampleSource], list[Failure]]:
    """Examples (sorted by id) and the items without a clip (sorted by id). ``items`` is consumed
    as it comes (a scan of half a million folders is never held as a list)."""
    partials: dict[str, _Partial] = {}
    for item in items:
        class_id = taxonomy.class_id(item.category)
        partial = partials.get(item.mp4_id)
        if partial is None:
            partial = partials[item.mp4_id] = _Partial((), (class_id, str(item.folder)))
        if class_id not in partial.class_ids:
            partial.class_ids += (class_id,)
        partial.folder = min(partial.folder, (class_id, str(item.folder)))
        partial.video = _first(partial.video, class_id, item.mp4)
        partial.cover = _first(partial.cover, class_id, item.cover)
        partial.txt = _first(partial.txt, class_id, item.txt)

    sources, failures = [], []
    for mp4_id in sorted(partials):
        partial = partials.pop(mp4_id)
        record = manifest_records.get(mp4_id) if manifest_records else None
        class_ids = set(partial.class_ids)
        if record is not None:
            class_ids.update(record.class_ids)
        if partial.video is None:
            failures.append(
                Failure(mp4_id, partial.folder[1], MISSING_VIDEO, "no video file in the item folder")
            )
            continue
        sources.append(
            ExampleSource(
                mp4_id=mp4_id,
                class_ids=tuple(sorted(class_ids)),
                video=partial.video[1],
                cover=partial.cover[1] if partial.cover else None,
                txt=partial.txt[1] if partial.txt else None,
                fallback_description=record.description.strip() if record is not None else "",
            )
        )
    return sources, failures


def scan_failures(report: ScanReport, root: str | Path) -> list[Failure]:
    """The folders ``scan_layout`` refused, as failures (id: the folder name), sorted."""
    root = Path(root)
    failures = []
    for path, message in report.skipped:
        if "outside the root" in message:
            reason = OUTSIDE_ROOT
        elif path.parent == root:
            reason = UNKNOWN_CATEGORY
        else:
            reason = BAD_ID
        failures.append(Failure(path.name, str(path), reason, message))
    return sorted(failures, key=lambda failure: (failure.mp4_id, failure.path))
