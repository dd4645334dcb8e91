"""The entry point and the distributor: selection -> a pool of worker threads -> log and summary.

Workers take items from one queue and share one :class:`~download_tools.fetch.Fetcher` (pooled
connections, rate limiter). Results come back to the calling thread, which alone writes the log
and calls ``progress``. On Ctrl-C the workers are told to stop, results finished within
:data:`GRACE_S` are still logged, and :class:`DownloadInterrupted` carries the summary out.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections import Counter
from pathlib import Path

from download_tools.fetch import Fetcher
from download_tools.item import ItemContext, download_item
from download_tools.log import DownloadLog, DownloadSummary, ItemResult, PartError
from download_tools.options import DownloadOptions
from download_tools.selection import Selection, WorkItem, read_ids_file, resolve_categories, select
from download_tools.writer import LOCK_NAME, LOG_NAME, Writer
from mmvideo.manifest import ManifestError, read_manifest
from mmvideo.paths import safe_join
from mmvideo.records import RecordError, validate_id

logger = logging.getLogger(__name__)

# After Ctrl-C, how long items already under way may still finish and be logged.
GRACE_S = 1.0
# How often the collecting thread wakes up (Ctrl-C is seen at least this often).
_POLL_S = 0.2


class DownloadInterrupted(KeyboardInterrupt):
    """Ctrl-C during :func:`download`: the log is written; ``summary`` says how far it got."""

    def __init__(self, summary: DownloadSummary):
        super().__init__("download interrupted")
        self.summary = summary


@contextlib.contextmanager
def _exclusive(root: Path):
    """Hold ``ROOT/.download.lock`` so that two runs never share one ``.partial`` folder."""
    try:
        import fcntl
    except ImportError:  # not POSIX: no lock
        yield
        return
    with open(safe_join(root, LOCK_NAME), "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"another download is already running in {root}") from None
        yield


def _select(manifest_path: str | Path, options: DownloadOptions) -> Selection:
    manifest = read_manifest(manifest_path)
    if not manifest.records:
        raise ManifestError(
            f"{manifest_path}: no usable rows ({manifest.num_rows} read, {len(manifest.rejected)} refused)"
        )
    ids = None
    if options.ids is not None or options.ids_file is not None:
        try:
            ids = [validate_id(mp4_id) for mp4_id in options.ids or ()]
        except RecordError as error:
            raise ValueError(f"`ids`: {error.detail}") from None
        if options.ids_file is not None:
            ids += read_ids_file(options.ids_file)
    return select(manifest, options.categories, ids, options.limit_per_category, options.shard)


def _work(todo: queue.SimpleQueue, results: queue.SimpleQueue, context: ItemContext) -> None:
    while not context.stop.is_set():
        try:
            item: WorkItem = todo.get_nowait()
        except queue.Empty:
            return
        try:
            result = download_item(item, context)
        except Exception as error:  # a bug costs one item, not the run
            if context.stop.is_set():
                result = None
            else:
                logger.exception("unexpected error on %s", item.mp4_id)
                failure = PartError("item", "internal_error", repr(error)[:300])
                result = ItemResult(item.mp4_id, item.categories, "failed", errors=(failure,))
        results.put(result)


def _run_pool(items: list[WorkItem], context: ItemContext, workers: int, log: DownloadLog,
              summary: DownloadSummary, progress) -> None:
    total = len(items)
    todo: queue.SimpleQueue = queue.SimpleQueue()
    results: queue.SimpleQueue = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    threads = [
        threading.Thread(target=_work, args=(todo, results, context), name=f"download-{index}", daemon=True)
        for index in range(min(workers, total))
    ]
    for thread in threads:
        thread.start()
    finished = 0

    def collect(result: ItemResult | None) -> None:
        nonlocal finished
        finished += 1
        if result is not None:
            log.write(result)
            summary.add(result)
        if progress is not None:
            progress(finished, total, summary.bytes)

    try:
        while finished < total:
            try:
                collect(results.get(timeout=_POLL_S))
            except queue.Empty:
                if not any(thread.is_alive() for thread in threads) and results.empty():
                    logger.error("all workers stopped with %d items left", total - finished)
                    break
    except KeyboardInterrupt:
        context.stop.set()
        summary.interrupted = True
        deadline = time.monotonic() + GRACE_S
        while any(thread.is_alive() for thread in threads) and time.monotonic() < deadline:
            with contextlib.suppress(queue.Empty):
                collect(results.get(timeout=0.05))
        while not results.empty():
            collect(results.get())


def download(manifest_path: str | Path, out_root: str | Path, **options) -> DownloadSummary:
    """Fetch the clips, covers and descriptions of the selected manifest items into ``out_root``.

    Options (see :class:`download_tools.options.DownloadOptions`): ``categories`` (English or
    Chinese names), ``limit_per_category``, ``ids`` / ``ids_file``, ``shard`` (``"I/N"``),
    ``workers``, ``rate`` (requests/s), ``retries``, ``timeout`` (s, per read), ``headers``
    (``"Name: value"`` strings or a mapping; an empty value removes a default), ``max_bytes``,
    ``verify_decode``, ``backoff_base`` (s), ``max_retry_after`` (s) and ``progress``, called as
    ``progress(items_done, items_total, bytes_fetched)``.

    Per-item problems are results (see ``ROOT/download_log.jsonl`` and the summary), never
    exceptions. Raises ``ValueError`` for bad options, an unknown category
    (:class:`mmvideo.taxonomy.UnknownCategoryError`) or an unreadable manifest
    (:class:`mmvideo.manifest.ManifestError`), ``OSError`` when ``out_root`` cannot be written,
    and :class:`DownloadInterrupted` (a ``KeyboardInterrupt``) on Ctrl-C, once the log is written.
    """
    options = DownloadOptions(**options)
    resolve_categories(options.categories)  # an unknown name fails before the manifest is read
    selection = _select(manifest_path, options)
    root = Path(out_root)
    root.mkdir(parents=True, exist_ok=True)
    summary = DownloadSummary(
        root=root,
        selected=len(selection.items),
        rejected_rows=Counter(row.reason for row in selection.rejected),
        missing_ids=len(selection.missing_ids),
    )
    with _exclusive(root):
        writer = Writer(root)
        writer.reset_partial()
        summary.log_path = safe_join(root, LOG_NAME)
        stop = threading.Event()
        fetcher = Fetcher(options, stop)
        context = ItemContext(writer, fetcher, options.verify_decode, stop)
        started = time.monotonic()
        if options.progress is not None:
            options.progress(0, len(selection.items), 0)
        try:
            with DownloadLog(summary.log_path) as log:
                _run_pool(selection.items, context, options.workers, log, summary, options.progress)
        finally:
            summary.elapsed_s = time.monotonic() - started
            fetcher.close()
    logger.info("download finished: %d ok, %d present, %d failed", summary.ok, summary.present, summary.failed)
    if summary.interrupted:
        raise DownloadInterrupted(summary)
    return summary
