"""Counts of a seed-layout folder: items per category, completeness, duplicates, bytes, durations."""

from __future__ import annotations

import logging
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from mmvideo import records, taxonomy
from mmvideo.layout import MODALITY_FILES, LayoutItem, ScanReport, scan_layout

logger = logging.getLogger(__name__)


@dataclass
class CategoryStats:
    """One category folder: items, how many are complete, what is missing, bytes."""

    name: str
    chinese: str
    items: int = 0
    complete: int = 0
    incomplete: int = 0
    shared: int = 0  # items whose id is also listed under another category
    missing: dict[str, int] = field(default_factory=lambda: dict.fromkeys(MODALITY_FILES, 0))
    bytes: int = 0


@dataclass
class CorpusStats:
    """The whole folder. ``durations_s`` holds one duration per distinct video where known."""

    root: str
    categories: list[CategoryStats]
    num_items: int
    num_videos: int
    num_duplicates: int
    num_complete_videos: int
    bytes_on_disk: int
    durations_s: list[float]
    duration_sources: dict[str, int]
    skipped: list[dict[str, str]]

    def to_dict(self) -> dict:
        data = asdict(self)
        known = sorted(self.durations_s)
        data["duration_summary"] = _summary(known)
        return data


def _summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"count": 0, "min": None, "median": None, "mean": None, "max": None}
    middle = len(values) // 2
    median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {
        "count": len(values),
        "min": values[0],
        "median": median,
        "mean": sum(values) / len(values),
        "max": values[-1],
    }


def _duration(item: LayoutItem) -> tuple[float | None, str]:
    """The clip's duration: from its ``.txt`` record when it says, else from the media header."""
    if item.txt is not None:
        try:
            record = records.parse_txt(item.txt.read_bytes()[: records.MAX_TXT_BYTES + 1])
            if record.duration_s is not None:
                return record.duration_s, "txt"
        except (records.RecordError, OSError):
            pass
    if item.mp4 is not None:
        from mmvideo.media import MediaError, probe

        try:
            return probe(item.mp4).duration_s, "media"
        except MediaError as error:
            logger.debug("no duration for %s: %s", item.mp4, error)
    return None, "unknown"


def compute_stats(root: str | Path, progress: Callable[[int], None] | None = None) -> CorpusStats:
    """Scan ``root`` once and count; ``progress(n)`` is called after every item folder."""
    root = Path(root)
    report = ScanReport()
    per_category = {c.name: CategoryStats(c.name, c.chinese) for c in taxonomy.CATEGORIES}
    categories_by_id: dict[str, set[str]] = defaultdict(set)
    complete_ids: set[str] = set()
    durations: dict[str, float] = {}
    sources: Counter[str] = Counter()
    seen_inodes: set[tuple[int, int]] = set()
    bytes_on_disk = 0
    num_items = 0

    for item in scan_layout(root, report):
        num_items += 1
        stats = per_category[item.category]
        stats.items += 1
        categories_by_id[item.mp4_id].add(item.category)
        if item.complete:
            stats.complete += 1
            complete_ids.add(item.mp4_id)
        else:
            stats.incomplete += 1
        for name in item.missing:
            stats.missing[name] += 1
        for path in (item.mp4, item.cover, item.txt):
            if path is None:
                continue
            info = path.stat()
            stats.bytes += info.st_size
            # Hard-linked duplicates share an inode: count their bytes on disk once.
            if (info.st_dev, info.st_ino) not in seen_inodes:
                seen_inodes.add((info.st_dev, info.st_ino))
                bytes_on_disk += info.st_size
        if item.mp4_id not in durations:
            seconds, source = _duration(item)
            sources[source] += 1
            if seconds is not None:
                durations[item.mp4_id] = seconds
        if progress is not None:
            progress(1)

    duplicate_ids = {mp4_id for mp4_id, cats in categories_by_id.items() if len(cats) > 1}
    for mp4_id in duplicate_ids:
        for category in categories_by_id[mp4_id]:
            per_category[category].shared += 1
    return CorpusStats(
        root=str(root),
        categories=[per_category[c.name] for c in taxonomy.CATEGORIES],
        num_items=num_items,
        num_videos=len(categories_by_id),
        num_duplicates=len(duplicate_ids),
        num_complete_videos=len(complete_ids),
        bytes_on_disk=bytes_on_disk,
        durations_s=[durations[k] for k in sorted(durations)],
        duration_sources=dict(sources),
        skipped=[{"path": str(path), "reason": reason} for path, reason in report.skipped],
    )


def format_bytes(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if count < 1000 or unit == "TB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1000
    raise AssertionError("unreachable")


def _pad(text: str, width: int) -> str:
    """``text`` left-aligned in ``width`` terminal columns (CJK characters take two)."""
    columns = sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
    return text + " " * max(0, width - columns)


def format_table(stats: CorpusStats) -> str:
    """A plain-text summary: one line per non-empty category, then totals."""
    lines = [f"{'category':<28} {'items':>6} {'complete':>8} {'missing mp4/cover/txt':>22} {'shared':>6} {'size':>9}"]
    for row in stats.categories:
        if not row.items:
            continue
        missing = "/".join(str(row.missing[name]) for name in MODALITY_FILES)
        label = f"{row.name} ({row.chinese})" if row.chinese.lower() != row.name.lower() else row.name
        lines.append(
            f"{_pad(label, 28)} {row.items:>6} {row.complete:>8} {missing:>22} {row.shared:>6} {format_bytes(row.bytes):>9}"
        )
    summary = _summary(sorted(stats.durations_s))
    duration = (
        f"durations: median {summary['median']:.1f} s, min {summary['min']:.1f} s, max {summary['max']:.1f} s"
        if summary["count"]
        else "durations: unknown"
    )
    lines.append(
        f"{stats.num_items} item folders, {stats.num_videos} distinct videos "
        f"({stats.num_complete_videos} complete, {stats.num_duplicates} under several categories), "
        f"{format_bytes(stats.bytes_on_disk)} on disk; {duration}"
    )
    if stats.skipped:
        lines.append(f"{len(stats.skipped)} folders skipped (not a category or not a valid id)")
    return "\n".join(lines)
