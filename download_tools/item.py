"""One work item through the stages: what is there -> fetch what is missing -> check -> place.

An item is complete when its clip, cover and ``.txt`` are at their final paths in every category
folder it belongs to. A part already complete somewhere is linked, not fetched again; a part that
arrives is placed even when another part failed, so a rerun fetches only what is still missing.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from download_tools.fetch import INTERRUPTED, Fetcher
from download_tools.log import ItemResult, PartError
from download_tools.selection import WorkItem
from download_tools.validate import verify_decode
from download_tools.writer import Writer, has_content, is_complete

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemContext:
    """What every worker shares."""

    writer: Writer
    fetcher: Fetcher
    verify_decode: bool
    stop: threading.Event


@dataclass(frozen=True)
class _PartOutcome:
    wrote: bool = False
    bytes: int = 0
    attempts: int = 0
    error: PartError | None = None
    interrupted: bool = False


def _fetch_part(part: str, url: str, missing: list[Path], mp4_id: str, context: ItemContext) -> _PartOutcome:
    if not url:
        return _PartOutcome(error=PartError(part, "no_url", "the manifest gives no URL"))
    partial = context.writer.new_partial(mp4_id, part)
    try:
        fetched = context.fetcher.fetch(url, part, partial)
        if fetched.code == INTERRUPTED:
            return _PartOutcome(interrupted=True)
        problem = None if fetched.ok else (fetched.code, fetched.detail)
        if problem is None and context.verify_decode:
            problem = verify_decode(part, partial)
        if problem:
            error = PartError(part, problem[0], problem[1], url, fetched.attempts)
            return _PartOutcome(attempts=fetched.attempts, error=error)
        context.writer.place(partial, missing)
        return _PartOutcome(True, fetched.bytes, fetched.attempts)
    finally:
        context.writer.discard(partial)


def _ensure_part(part: str, url: str, finals: list[Path], mp4_id: str, context: ItemContext) -> _PartOutcome:
    """Make ``part`` complete at every path of ``finals``: nothing, a link, or a fetch."""
    try:
        present = [path for path in finals if is_complete(path, part)]
        missing = [path for path in finals if path not in present]
        if not missing:
            return _PartOutcome()
        if present:
            context.writer.link(present[0], missing)
            return _PartOutcome(wrote=True)
        return _fetch_part(part, url, missing, mp4_id, context)
    except OSError as error:
        return _PartOutcome(error=PartError(part, "write_error", str(error)[:300], url))


def _write_txt(content: bytes, finals: list[Path], mp4_id: str, context: ItemContext) -> _PartOutcome:
    stale = [path for path in finals if not has_content(path, content)]
    if not stale:
        return _PartOutcome()
    try:
        context.writer.write_bytes(content, mp4_id, stale)
    except OSError as error:
        return _PartOutcome(error=PartError("txt", "write_error", str(error)[:300]))
    return _PartOutcome(wrote=True)


def download_item(work: WorkItem, context: ItemContext) -> ItemResult | None:
    """The result for one item, or ``None`` if the run was stopped before it finished."""
    if context.stop.is_set():
        return None
    started = time.monotonic()
    record = work.record
    if not work.categories:
        error = PartError("item", "no_category", "the manifest gives the video no category")
        return ItemResult(record.mp4_id, (), "failed", errors=(error,))
    try:
        folders = [context.writer.item_files(category, record.mp4_id) for category in work.categories]
    except ValueError as error:  # an unsafe id or category (mmvideo.paths refuses to build it)
        failure = PartError("item", "bad_path", str(error)[:300])
        return ItemResult(record.mp4_id, work.categories, "failed", errors=(failure,))
    outcomes = []
    for part, url in (("mp4", record.mp4_url), ("cover", record.cover_url)):
        finals = [files[part] for files in folders]
        outcome = _ensure_part(part, url, finals, record.mp4_id, context)
        if outcome.interrupted:
            return None
        outcomes.append(outcome)
    txt_finals = [files["txt"] for files in folders]
    outcomes.append(_write_txt(record.to_txt().encode("utf-8"), txt_finals, record.mp4_id, context))
    errors = tuple(outcome.error for outcome in outcomes if outcome.error)
    status = "failed" if errors else "ok" if any(outcome.wrote for outcome in outcomes) else "present"
    for error in errors:
        logger.info("%s: %s failed: %s (%s)", record.mp4_id, error.part, error.code, error.detail)
    return ItemResult(
        record.mp4_id,
        work.categories,
        status,
        bytes=sum(outcome.bytes for outcome in outcomes),
        attempts=sum(outcome.attempts for outcome in outcomes),
        errors=errors,
        seconds=time.monotonic() - started,
    )
