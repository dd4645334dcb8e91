"""Paths built from untrusted names (manifest ids, category names) that can never leave their root."""

from __future__ import annotations

from pathlib import Path

from mmvideo import records, taxonomy


class UnsafePathError(ValueError):
    """A name that would build a path outside its root."""


def safe_join(root: str | Path, *parts: str) -> Path:
    """``root / parts...`` where each part is one plain path component and the result stays in root.

    Refuses empty parts, ``.``/``..``, separators, NUL and absolute parts before touching the disk,
    then checks the resolved path (symlinks followed) is still under the resolved root.
    """
    root_path = Path(root)
    for part in parts:
        if not isinstance(part, str) or part in ("", ".", "..") or "/" in part or "\\" in part or "\0" in part:
            raise UnsafePathError(f"unsafe path component {part!r}")
    joined = root_path.joinpath(*parts)
    resolved_root = root_path.resolve()
    if not joined.resolve().is_relative_to(resolved_root):
        raise UnsafePathError(f"{joined} resolves outside {resolved_root}")
    return joined


def item_dir(root: str | Path, category: str, mp4_id: str) -> Path:
    """``ROOT/<Category>/<id>`` for a taxonomy category (any accepted spelling) and a valid id."""
    return safe_join(root, taxonomy.canonical_name(category), records.validate_id(mp4_id))


def item_paths(root: str | Path, category: str, mp4_id: str) -> dict[str, Path]:
    """The seed-layout files of one item: ``{"mp4": ..., "cover": ..., "txt": ...}``."""
    folder = item_dir(root, category, mp4_id)
    return {
        "mp4": folder / f"{mp4_id}.mp4",
        "cover": folder / f"{mp4_id}.jpeg",
        "txt": folder / f"{mp4_id}.txt",
    }
