"""The seed layout ``ROOT/<Category>/<id>/<id>.{mp4,jpeg,txt}``: scan what is there and what is missing.

The scan never follows a symlink out of ``ROOT`` and never trusts a folder name: category folders
must be taxonomy names and item folders valid ids; anything else is reported as skipped.
Iteration is sorted (category, then id) so every consumer sees the same order.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mmvideo import records, taxonomy

logger = logging.getLogger(__name__)

# The corpus stores .mp4 and .jpeg; the others are accepted for user-made folders.
VIDEO_SUFFIXES = (".mp4", ".webm", ".mkv", ".mov", ".gif")
COVER_SUFFIXES = (".jpeg", ".jpg", ".png", ".webp")
MODALITY_FILES = ("mp4", "cover", "txt")


@dataclass(frozen=True)
class LayoutItem:
    """One item folder: its category, id, and the files found (``None`` when missing)."""

    category: str
    mp4_id: str
    folder: Path
    mp4: Path | None
    cover: Path | None
    txt: Path | None

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(name for name in MODALITY_FILES if getattr(self, name) is None)

    @property
    def complete(self) -> bool:
        return not self.missing


@dataclass
class ScanReport:
    """What a scan skipped and why (folder names that are not categories or ids, escaping links)."""

    skipped: list[tuple[Path, str]] = field(default_factory=list)


def _inside(path: Path, resolved_root: Path) -> bool:
    return path.resolve().is_relative_to(resolved_root)


def _find(folder: Path, stem: str, suffixes: tuple[str, ...], resolved_root: Path) -> Path | None:
    for suffix in suffixes:
        candidate = folder / f"{stem}{suffix}"
        if candidate.is_file() and _inside(candidate, resolved_root):
            return candidate
    return None


def find_item_files(folder: Path, mp4_id: str, root: Path | None = None) -> dict[str, Path | None]:
    """``{"mp4", "cover", "txt"}`` -> the file for ``mp4_id`` in ``folder`` (or ``None``)."""
    resolved_root = (root or folder).resolve()
    return {
        "mp4": _find(folder, mp4_id, VIDEO_SUFFIXES, resolved_root),
        "cover": _find(folder, mp4_id, COVER_SUFFIXES, resolved_root),
        "txt": _find(folder, mp4_id, (".txt",), resolved_root),
    }


def scan_layout(root: str | Path, report: ScanReport | None = None) -> Iterator[LayoutItem]:
    """Every item folder under ``root``, sorted by category then id.

    A root that is not a directory raises ``NotADirectoryError``; bad folders inside it are skipped
    and listed in ``report`` when one is given.
    """
    root = Path(root)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    resolved_root = root.resolve()
    report = report if report is not None else ScanReport()

    def skip(path: Path, reason: str) -> None:
        logger.debug("skipping %s: %s", path, reason)
        report.skipped.append((path, reason))

    for category_dir in sorted(root.iterdir()):
        if not category_dir.is_dir() or category_dir.name.startswith("."):
            continue
        try:
            category = taxonomy.canonical_name(category_dir.name)
        except taxonomy.UnknownCategoryError as error:
            skip(category_dir, str(error))
            continue
        if not _inside(category_dir, resolved_root):
            skip(category_dir, "links outside the root")
            continue
        for item_folder in sorted(category_dir.iterdir()):
            if not item_folder.is_dir():
                continue
            try:
                mp4_id = records.validate_id(item_folder.name)
            except records.RecordError as error:
                skip(item_folder, str(error))
                continue
            if not _inside(item_folder, resolved_root):
                skip(item_folder, "links outside the root")
                continue
            found = find_item_files(item_folder, mp4_id, resolved_root)
            yield LayoutItem(category, mp4_id, item_folder, found["mp4"], found["cover"], found["txt"])
