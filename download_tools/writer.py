"""Writer stage: files reach their final paths only whole, by rename from ``ROOT/.partial``.

Every byte is first written under ``ROOT/.partial`` and fsynced; a final path then receives it
with ``os.replace`` (atomic), so a crash, ``kill -9`` or Ctrl-C leaves either the old state or the
whole new file there, never a piece. A video in several categories is stored once and hard-linked
into each folder (copied where the file system cannot link). Paths come from :mod:`mmvideo.paths`.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from download_tools.validate import check_file
from mmvideo.paths import item_paths, safe_join

logger = logging.getLogger(__name__)

PARTIAL_DIR = ".partial"
LOG_NAME = "download_log.jsonl"
LOCK_NAME = ".download.lock"


def fsync_path(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


class Writer:
    """Places files under ``root``; owns ``root/.partial``."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.partial_dir = safe_join(self.root, PARTIAL_DIR)

    def reset_partial(self) -> int:
        """Clear what an earlier run left in ``.partial``; returns how many files were removed."""
        removed = 0
        if self.partial_dir.is_symlink() or self.partial_dir.is_file():
            self.partial_dir.unlink()
        elif self.partial_dir.is_dir():
            removed = sum(1 for _ in self.partial_dir.rglob("*"))
            shutil.rmtree(self.partial_dir)
        self.partial_dir.mkdir(parents=True)
        if removed:
            logger.info("removed %d leftover files from %s", removed, self.partial_dir)
        return removed

    def item_files(self, category: str, mp4_id: str) -> dict[str, Path]:
        """``{"mp4", "cover", "txt"}`` -> final path (validated by :func:`mmvideo.paths.item_paths`)."""
        return item_paths(self.root, category, mp4_id)

    def new_partial(self, mp4_id: str, part: str) -> Path:
        """A fresh file name in ``.partial`` for one part of one (already validated) id."""
        return safe_join(self.partial_dir, f"{mp4_id}.{part}.{uuid.uuid4().hex[:12]}")

    def discard(self, partial: Path) -> None:
        partial.unlink(missing_ok=True)

    def place(self, partial: Path, finals: Sequence[Path]) -> None:
        """Move the (fsynced) ``partial`` to the first final path and link it to the others."""
        first, *others = finals
        first.parent.mkdir(parents=True, exist_ok=True)
        os.replace(partial, first)
        if others:
            self.link(first, others)

    def link(self, source: Path, finals: Sequence[Path]) -> None:
        """Hard-link the complete file ``source`` to each of ``finals`` (a copy if linking fails)."""
        for final in finals:
            final.parent.mkdir(parents=True, exist_ok=True)
            staged = self.new_partial(final.stem, "link")
            try:
                os.link(source, staged)
            except OSError as error:
                logger.debug("cannot link %s (%s), copying", source, error)
                shutil.copyfile(source, staged)
                fsync_path(staged)
            os.replace(staged, final)

    def write_bytes(self, content: bytes, mp4_id: str, finals: Sequence[Path]) -> None:
        """Write ``content`` to every path of ``finals`` the same way (partial, fsync, rename)."""
        partial = self.new_partial(mp4_id, "txt")
        with open(partial, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        self.place(partial, finals)


def is_complete(path: Path, part: str) -> bool:
    """Is the file at a final path whole and of the right kind? (``txt`` files are compared by
    content elsewhere.) Files only get there by rename, so magic bytes are enough. A symlink is
    never complete: it is replaced by a real file rather than followed."""
    if path.is_symlink() or not path.is_file() or path.stat().st_size == 0:
        return False
    return check_file(part, path) is None


def has_content(path: Path, content: bytes) -> bool:
    """Does ``path`` hold exactly ``content``?"""
    try:
        if path.is_symlink() or path.stat().st_size != len(content):
            return False
        return path.read_bytes() == content
    except OSError:
        return False
