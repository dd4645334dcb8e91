"""Reader stage: the manifest and the selection options -> the work items, in manifest order.

Selection happens in this order: categories, ``ids``, ``limit_per_category`` (the first N of each
category in manifest order), then the shard. The shard is last so that the N shards of any
selection partition exactly that selection, whatever the other options are.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from download_tools.options import Shard
from mmvideo import taxonomy
from mmvideo.manifest import Manifest, RejectedRow
from mmvideo.records import RecordError, VideoRecord, validate_id

logger = logging.getLogger(__name__)

# An ids file is a list of short ids; one this large is something else.
MAX_IDS_FILE_BYTES = 256 << 20


@dataclass(frozen=True)
class WorkItem:
    """One video to fetch and the category folders it goes in (English names, class-id order)."""

    record: VideoRecord
    categories: tuple[str, ...]

    @property
    def mp4_id(self) -> str:
        return self.record.mp4_id


@dataclass
class Selection:
    """The items chosen, the manifest rows that could not be read, and ids asked for but not found."""

    items: list[WorkItem] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    missing_ids: list[str] = field(default_factory=list)


def resolve_categories(names: Iterable[str]) -> tuple[str, ...]:
    """English names, class-id order, for English or Chinese ``names``; ``UnknownCategoryError``."""
    return tuple(sorted({taxonomy.canonical_name(name) for name in names}, key=taxonomy.class_id))


def read_ids_file(path: str | Path) -> list[str]:
    """The ids in ``path``, one a line (blank lines and ``#`` comments skipped), in file order.

    ``ValueError`` naming the line for anything that is not an id; ``OSError`` if unreadable.
    """
    path = Path(path)
    if path.stat().st_size > MAX_IDS_FILE_BYTES:
        raise ValueError(f"ids file {path} is over {MAX_IDS_FILE_BYTES} bytes")
    ids = []
    with path.open(encoding="utf-8-sig", errors="replace") as handle:
        for number, line in enumerate(handle, 1):
            text = line.split("#", 1)[0].strip()
            if not text:
                continue
            try:
                ids.append(validate_id(text))
            except RecordError as error:
                raise ValueError(f"{path}, line {number}: {error.detail}") from None
    return ids


def select(
    manifest: Manifest,
    categories: Iterable[str] = (),
    ids: Iterable[str] | None = None,
    limit_per_category: int | None = None,
    shard: Shard | None = None,
) -> Selection:
    """The work items of ``manifest`` for these options (see the module docstring for the order)."""
    wanted = resolve_categories(categories)
    wanted_ids = None if ids is None else set(ids)
    taken: Counter[str] = Counter()
    selection = Selection(rejected=list(manifest.rejected))
    for record in manifest:
        if wanted_ids is not None and record.mp4_id not in wanted_ids:
            continue
        places = tuple(label for label in record.labels if not wanted or label in wanted)
        if wanted and not places:
            continue
        if limit_per_category is not None and record.labels:
            places = tuple(label for label in places if taken[label] < limit_per_category)
            if not places:
                continue
            taken.update(places)
        if shard is None or shard.contains(record.mp4_id):
            selection.items.append(WorkItem(record, places))
    if wanted_ids is not None:
        selection.missing_ids = sorted(wanted_ids.difference(manifest.records))
        if selection.missing_ids:
            logger.warning("%d requested ids are not in the manifest", len(selection.missing_ids))
    return selection
