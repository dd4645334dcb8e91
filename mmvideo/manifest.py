"""Readers for the corpus metadata: JSON lines (``multimodal_data_info.json``), a JSON array, CSV.

Rows are validated one by one (:func:`mmvideo.records.record_from_row`); a bad row is kept as a
:class:`RejectedRow` with its reason and the others are read on. Rows sharing an id merge into one
record with several labels, in the order the id first appears (the real metadata has 562,342 rows
for 499,607 ids).
"""

from __future__ import annotations

import ast
import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mmvideo.records import RecordError, VideoRecord, merge, record_from_row

# The corpus metadata is ~150 MB; a manifest many times larger is a mistake, not a corpus.
MAX_MANIFEST_BYTES = 8 << 30
_MAX_LINE_CHARS = 1 << 20
FORMATS = ("jsonl", "json", "csv")


class ManifestError(ValueError):
    """The manifest as a whole cannot be read (missing, unreadable, unknown format)."""


@dataclass(frozen=True)
class RejectedRow:
    """A row that is not a record: where it was and why."""

    row_number: int
    mp4_id: str
    reason: str
    detail: str


@dataclass
class Manifest:
    """Records by id (manifest order), the rows refused, and how many rows were read."""

    records: dict[str, VideoRecord] = field(default_factory=dict)
    rejected: list[RejectedRow] = field(default_factory=list)
    num_rows: int = 0

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[VideoRecord]:
        return iter(self.records.values())

    def add(self, record: VideoRecord) -> None:
        known = self.records.get(record.mp4_id)
        self.records[record.mp4_id] = record if known is None else merge(known, record)


def detect_format(path: Path) -> str:
    """``jsonl``, ``json`` (an array) or ``csv``, from the suffix and the first non-blank byte."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    with path.open("rb") as handle:
        head = handle.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{") or not head:
        return "jsonl"
    if suffix == ".json":
        raise ManifestError(f"{path}: neither JSON lines nor a JSON array")
    return "csv"


def _parse_line(line: str) -> object:
    try:
        return json.loads(line)
    except RecursionError:
        raise RecordError("bad_row", "nested too deeply") from None
    except ValueError:
        # Some dumps write Python dict literals; read them as literals only, never as code.
        try:
            return ast.literal_eval(line)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise RecordError("bad_row", "neither JSON nor a dict literal") from None


def _iter_raw_rows(path: Path, manifest_format: str) -> Iterator[tuple[int, object]]:
    if manifest_format == "jsonl":
        with path.open(encoding="utf-8-sig", errors="replace") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                if len(line) > _MAX_LINE_CHARS:
                    yield number, RecordError("bad_row", f"line over {_MAX_LINE_CHARS} characters")
                    continue
                try:
                    yield number, _parse_line(line)
                except RecordError as error:
                    yield number, error
    elif manifest_format == "json":
        try:
            with path.open(encoding="utf-8-sig") as handle:
                rows = json.load(handle)
        except (ValueError, UnicodeDecodeError) as error:
            raise ManifestError(f"{path}: not a JSON array ({error})") from None
        if not isinstance(rows, list):
            raise ManifestError(f"{path}: expected a JSON array of rows, got {type(rows).__name__}")
        yield from enumerate(rows, 1)
    elif manifest_format == "csv":
        csv.field_size_limit(_MAX_LINE_CHARS)
        with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or "mp4_id" not in reader.fieldnames:
                raise ManifestError(f"{path}: CSV header has no mp4_id column")
            for number, row in enumerate(reader, 2):
                yield number, row
    else:
        raise ManifestError(f"unknown manifest format {manifest_format!r}; expected one of {FORMATS}")


def iter_records(path: str | Path, manifest_format: str | None = None) -> Iterator[tuple[int, VideoRecord | RejectedRow]]:
    """``(row_number, record or rejected row)`` for every row, unmerged, in file order."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ManifestError(f"cannot read manifest {path}: {error.strerror or error}") from None
    if not path.is_file():
        raise ManifestError(f"manifest {path} is not a file")
    if size > MAX_MANIFEST_BYTES:
        raise ManifestError(f"manifest {path} is {size} bytes, over the {MAX_MANIFEST_BYTES} byte cap")
    manifest_format = manifest_format or detect_format(path)
    for number, raw in _iter_raw_rows(path, manifest_format):
        raw_id = raw.get("mp4_id", "") if isinstance(raw, dict) else ""
        try:
            if isinstance(raw, RecordError):
                raise raw
            yield number, record_from_row(raw)
        except RecordError as error:
            yield number, RejectedRow(number, str(raw_id)[:80], error.reason, error.detail)


def read_manifest(path: str | Path, manifest_format: str | None = None) -> Manifest:
    """Every record in the manifest, rows of one id merged; bad rows kept in ``rejected``."""
    manifest = Manifest()
    for _, item in iter_records(path, manifest_format):
        manifest.num_rows += 1
        if isinstance(item, RejectedRow):
            manifest.rejected.append(item)
        else:
            manifest.add(item)
    return manifest
