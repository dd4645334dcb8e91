"""Manifest -> per-category folders: HTTP fetching, retries, validation, resume, status log.

The one entry point is :func:`download`; it returns a :class:`DownloadSummary` (and, on Ctrl-C,
raises :class:`DownloadInterrupted`, a ``KeyboardInterrupt`` carrying that summary). The stages
behind it, one module each: ``selection`` (reader: manifest -> work items), ``fetch`` (one URL ->
a partial file or an error value, with retries), ``validate`` (content type, magic bytes, decode),
``writer`` (atomic rename, links, ``.txt``), ``item`` (one item through those), ``log`` (the
``download_log.jsonl`` lines and the summary) and ``runner`` (the worker pool, Ctrl-C).

The names are imported on first use, so that ``mmvideo --help`` does not pay for ``requests``.
"""

__all__ = ["download", "DownloadSummary", "DownloadInterrupted"]


def __getattr__(name: str):
    if name == "DownloadSummary":
        from download_tools.log import DownloadSummary

        return DownloadSummary
    if name in ("download", "DownloadInterrupted"):
        from download_tools import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'download_tools' has no attribute {name!r}")
