"""Deterministic shards: which example goes in which shard, in what order, and writing them.

Each split has ``count_shards`` shards (~``TARGET_SHARD_BYTES`` each, from the number of examples
and ``estimate_example_bytes``). Shard ``k`` of ``n`` holds the examples whose ``order_point``
(``splits``) lies in ``[k/n, (k+1)/n)``, in increasing order of that point. A shard is cut into
*pieces* of consecutive examples (the unit of parallel work): each piece is decoded and written to
its own small TFRecord file by one worker, one example at a time, then the pieces of a shard are
joined byte for byte in order (TFRecord files concatenate). So the bytes of a shard depend only on
its examples and the settings, never on the number of workers or how the work was scheduled.

Beside each piece file, a ``.jsonl`` "sidecar" has one line per example of the piece: ``ok`` (with
the modalities it lacks, and its description when it is a train example, for the vocabulary) or
``failed`` (a ``failures.jsonl`` line). Joining a shard leaves a ``<split>-<shard>.shard.json``
summary (examples, bytes, the worker processes that wrote its pieces). Files are written under a ``.part`` name and renamed, so a
finished name is always a complete file (the progress display counts finished sidecars).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from data_interface.prepare import splits
from data_interface.prepare.encode import EncodedExample, EncodeSettings, encode_example
from data_interface.prepare.examples import ExampleSource, Failure
from data_interface.prepare.tfrecord import write_record

TARGET_SHARD_BYTES = 150 * 10**6
# JPEG bytes per pixel at quality 90: 0.29 on the real corpus sample (8 x 112 px frames), 0.2-0.3
# on the synthetic corpus; rounded up so shards err on the small side.
JPEG_BYTES_PER_PIXEL = 0.35
EXAMPLE_OVERHEAD_BYTES = 1024  # description, id, labels, flags, protobuf and TFRecord framing
MAX_PIECE_EXAMPLES = 32
PIECES_PER_WORKER = 8  # enough pieces that workers finish together
TFRECORD_SUFFIX = ".tfrecord"
SIDECAR_SUFFIX = ".jsonl"
SHARD_SUMMARY_SUFFIX = ".shard.json"
PART_SUFFIX = ".part"


def estimate_example_bytes(frames: int, size: int, storage: str) -> int:
    """Expected bytes of one stored example (frames + cover + overhead)."""
    frame_pixels = frames * size * size
    frame_bytes = frame_pixels * 3 if storage == "raw" else frame_pixels * JPEG_BYTES_PER_PIXEL
    return int(frame_bytes + size * size * JPEG_BYTES_PER_PIXEL + EXAMPLE_OVERHEAD_BYTES)


def count_shards(num_examples: int, example_bytes: int, target_bytes: int = TARGET_SHARD_BYTES) -> int:
    """Shards for a split: enough to keep each near ``target_bytes``; 0 for an empty split."""
    if num_examples == 0:
        return 0
    return max(1, math.ceil(num_examples * example_bytes / target_bytes))


def shard_file_name(split: str, index: int, count: int) -> str:
    """``train-00000-of-00004.tfrecord``."""
    return f"{split}-{index:05d}-of-{count:05d}{TFRECORD_SUFFIX}"


def piece_size(num_examples: int, workers: int) -> int:
    """Examples per piece: ~``PIECES_PER_WORKER`` pieces per worker, at most ``MAX_PIECE_EXAMPLES``."""
    return max(1, min(MAX_PIECE_EXAMPLES, math.ceil(num_examples / (max(1, workers) * PIECES_PER_WORKER))))


@dataclass(frozen=True)
class Piece:
    """Consecutive examples of one shard, written by one worker."""

    split: str
    shard: int
    num_shards: int
    index: int  # position among the pieces of its shard
    sources: tuple[ExampleSource, ...]

    @property
    def shard_key(self) -> str:
        return f"{self.split}-{self.shard:05d}"

    @property
    def name(self) -> str:
        return f"{self.shard_key}-{self.index:05d}"

    @property
    def shard_file(self) -> str:
        return shard_file_name(self.split, self.shard, self.num_shards)

    def to_json(self) -> str:
        return json.dumps(
            {
                "split": self.split,
                "shard": self.shard,
                "num_shards": self.num_shards,
                "index": self.index,
                "sources": [source.to_dict() for source in self.sources],
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, line: str) -> Piece:
        data = json.loads(line)
        return cls(
            data["split"],
            data["shard"],
            data["num_shards"],
            data["index"],
            tuple(ExampleSource.from_dict(source) for source in data["sources"]),
        )


@dataclass(frozen=True)
class PieceRef:
    """What the driver keeps of a piece once its worklist line is written (no paths)."""

    name: str
    split: str
    shard_key: str
    num_sources: int


def write_worklist(path: str | Path, pieces: Iterable[Piece]) -> tuple[list[tuple[int, int]], list[PieceRef]]:
    """One JSON line per piece; returns each line's ``(offset, length)`` (what the pipeline
    distributes: a few bytes per piece) and a ``PieceRef`` per piece."""
    locations, refs = [], []
    with open(path, "wb") as handle:
        for piece in pieces:
            line = piece.to_json().encode("utf-8") + b"\n"
            locations.append((handle.tell(), len(line)))
            handle.write(line)
            refs.append(PieceRef(piece.name, piece.split, piece.shard_key, len(piece.sources)))
    return locations, refs


def read_worklist_piece(path: str | Path, offset: int, length: int) -> Piece:
    with open(path, "rb") as handle:
        handle.seek(offset)
        return Piece.from_json(handle.read(length).decode("utf-8"))


def plan_pieces(
    sources_by_split: Mapping[str, Iterable[ExampleSource]],
    num_shards: Mapping[str, int],
    examples_per_piece: int,
) -> list[Piece]:
    """Every piece of every shard, in (split, shard, piece) order."""
    pieces = []
    for split, sources in sources_by_split.items():
        count = num_shards[split]
        by_shard: dict[int, list[ExampleSource]] = {}
        for source in sorted(sources, key=lambda source: splits.order_key(source.mp4_id)):
            by_shard.setdefault(splits.shard_of(source.mp4_id, count), []).append(source)
        for shard in range(count):
            members = by_shard.get(shard, [])
            # An empty shard (possible in a tiny split) still gets one empty piece and an empty file.
            starts = range(0, len(members), examples_per_piece) if members else [0]
            for index, start in enumerate(starts):
                pieces.append(
                    Piece(split, shard, count, index, tuple(members[start : start + examples_per_piece]))
                )
    return pieces


def sidecar_line(split: str, outcome: EncodedExample | Failure) -> dict:
    """One sidecar line for the outcome of one example."""
    if isinstance(outcome, Failure):
        return {"status": "failed", **outcome.to_dict()}
    line = {
        "status": "ok",
        "id": outcome.mp4_id,
        "absent": [absent.to_dict(outcome.mp4_id) for absent in outcome.absent],
        "truncated": outcome.truncated,
    }
    if split == "train":
        line["text"] = outcome.text
    return line


def write_piece(piece: Piece, settings: EncodeSettings, pieces_dir: str | Path) -> dict:
    """Encodes the examples of ``piece`` in order into ``pieces_dir/<name>.tfrecord`` (+ sidecar);
    returns a small summary (counts, bytes, the worker's pid)."""
    pieces_dir = Path(pieces_dir)
    record_path = pieces_dir / f"{piece.name}{TFRECORD_SUFFIX}"
    sidecar_path = pieces_dir / f"{piece.name}{SIDECAR_SUFFIX}"
    record_part = record_path.with_name(record_path.name + PART_SUFFIX)
    sidecar_part = sidecar_path.with_name(sidecar_path.name + PART_SUFFIX)
    num_written = num_failed = num_bytes = 0
    with open(record_part, "wb") as records, open(sidecar_part, "w", encoding="utf-8") as sidecar:
        for source in piece.sources:
            outcome = encode_example(source, settings)
            if isinstance(outcome, Failure):
                num_failed += 1
            else:
                num_bytes += write_record(records, outcome.data)
                num_written += 1
            sidecar.write(json.dumps(sidecar_line(piece.split, outcome)) + "\n")  # ASCII: any path survives
    os.replace(record_part, record_path)
    os.replace(sidecar_part, sidecar_path)
    return {
        "shard_key": piece.shard_key,
        "shard_file": piece.shard_file,
        "index": piece.index,
        "name": piece.name,
        "num_examples": num_written,
        "num_failed": num_failed,
        "bytes": num_bytes,
        "pid": os.getpid(),
    }


def join_shard(
    piece_results: Iterable[dict], expected_pieces: int, pieces_dir: str | Path, out_dir: str | Path
) -> dict:
    """Concatenates the piece files of one shard, in piece order, into ``out_dir/<shard file>``."""
    results = sorted(piece_results, key=lambda result: result["index"])
    indices = [result["index"] for result in results]
    if indices != list(range(expected_pieces)):
        raise RuntimeError(
            f"shard {results[0]['shard_key'] if results else '?'}: pieces {indices}, "
            f"expected 0..{expected_pieces - 1}"
        )
    final = Path(out_dir) / results[0]["shard_file"]
    part = final.with_name(final.name + PART_SUFFIX)
    with open(part, "wb") as shard:
        for result in results:
            with open(Path(pieces_dir) / f"{result['name']}{TFRECORD_SUFFIX}", "rb") as piece:
                shutil.copyfileobj(piece, shard, 1 << 20)
    os.replace(part, final)
    summary = {
        "shard_file": final.name,
        "num_examples": sum(result["num_examples"] for result in results),
        "bytes": final.stat().st_size,
        "pids": sorted({result["pid"] for result in results}),
    }
    summary_path = Path(pieces_dir) / f"{results[0]['shard_key']}{SHARD_SUMMARY_SUFFIX}"
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    return summary


def read_sidecars(pieces_dir: str | Path, pieces: Iterable[Piece | PieceRef]) -> Iterable[tuple[str, dict]]:
    """``(split, sidecar line)`` for every example, in piece order (streams; nothing is held)."""
    for piece in pieces:
        with open(Path(pieces_dir) / f"{piece.name}{SIDECAR_SUFFIX}", encoding="utf-8") as sidecar:
            for line in sidecar:
                yield piece.split, json.loads(line)
