"""The per-item result, the ``download_log.jsonl`` it is written to, and the run's summary.

Each log line carries the contract fields ``id``, ``categories``, ``status`` (``ok`` | ``present``
| ``failed``), ``reason``, ``bytes``, ``attempts``, then ``time``, ``seconds`` and ``errors`` (one
entry per failed part with its code, detail, URL and attempts). The log is appended to, one line
per item and run, and flushed line by line so that a killed run keeps what it finished.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

STATUSES = ("ok", "present", "failed")


@dataclass(frozen=True)
class PartError:
    """Why one part of an item (``mp4``, ``cover``, ``txt`` or ``item``) is missing."""

    part: str
    code: str
    detail: str = ""
    url: str = ""
    attempts: int = 0

    @property
    def reason(self) -> str:
        return f"{self.part} {self.code}"


@dataclass(frozen=True)
class ItemResult:
    """The outcome of one item: ``bytes`` and ``attempts`` count what this run fetched."""

    mp4_id: str
    categories: tuple[str, ...]
    status: str
    bytes: int = 0
    attempts: int = 0
    errors: tuple[PartError, ...] = ()
    seconds: float = 0.0

    @property
    def reason(self) -> str:
        return "; ".join(error.reason for error in self.errors)

    def to_json(self) -> dict:
        return {
            "id": self.mp4_id,
            "categories": list(self.categories),
            "status": self.status,
            "reason": self.reason,
            "bytes": self.bytes,
            "attempts": self.attempts,
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(self.seconds, 3),
            "errors": [error.__dict__ for error in self.errors],
        }


class DownloadLog:
    """Appends one JSON line per :class:`ItemResult` to ``path``."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = open(path, "a", encoding="utf-8")

    def write(self, result: ItemResult) -> None:
        self._handle.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
        self._handle.flush()

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> DownloadLog:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


@dataclass
class DownloadSummary:
    """What a run did: counts per status, failure reasons counted, bytes fetched, speed."""

    root: Path
    selected: int = 0
    ok: int = 0
    present: int = 0
    failed: int = 0
    bytes: int = 0
    reasons: Counter = field(default_factory=Counter)
    elapsed_s: float = 0.0
    rejected_rows: Counter = field(default_factory=Counter)
    missing_ids: int = 0
    interrupted: bool = False
    log_path: Path | None = None

    def add(self, result: ItemResult) -> None:
        setattr(self, result.status, getattr(self, result.status) + 1)
        self.bytes += result.bytes
        self.reasons.update(error.reason for error in result.errors)

    @property
    def done(self) -> int:
        return self.ok + self.present + self.failed

    @property
    def items_per_s(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def mb_per_s(self) -> float:
        return self.bytes / 1e6 / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def format(self) -> str:
        """A few lines for a person: counts, speed, reasons (most frequent first)."""
        head = "interrupted after" if self.interrupted else "done:"
        lines = [
            f"{head} {self.done} of {self.selected} items in {self.elapsed_s:.1f} s: "
            f"{self.ok} ok, {self.present} present, {self.failed} failed",
            f"  fetched {self.bytes / 1e6:.1f} MB, {self.items_per_s:.1f} items/s, {self.mb_per_s:.1f} MB/s",
        ]
        if self.reasons:
            counted = ", ".join(f"{reason} x{count}" for reason, count in self.reasons.most_common())
            lines.append(f"  failures: {counted}")
        if self.rejected_rows:
            counted = ", ".join(f"{reason} x{count}" for reason, count in self.rejected_rows.most_common())
            lines.append(f"  manifest rows skipped: {sum(self.rejected_rows.values())} ({counted})")
        if self.missing_ids:
            lines.append(f"  ids asked for but not in the manifest: {self.missing_ids}")
        if self.log_path is not None:
            lines.append(f"  log: {self.log_path}")
        return "\n".join(lines)
