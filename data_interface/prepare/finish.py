"""After the pipeline: ids per split, failures, absent modalities, the vocabulary and
``info.json`` into the temporary folder, from the pieces' sidecars (``info.publish`` then moves
them into ``DATA``, ``info.json`` last)."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from data_interface.features import FORMAT_VERSION
from data_interface.prepare import info as info_files
from data_interface.prepare import shards, splits
from data_interface.prepare.encode import JPEG_QUALITY
from data_interface.prepare.examples import Failure
from data_interface.prepare.summary import PrepareSummary
from mmvideo import taxonomy


def train_texts(pieces_dir: Path, pieces: Sequence[shards.PieceRef]) -> Iterator[str]:
    """The descriptions of the train examples written, for the vocabulary."""
    train = [piece for piece in pieces if piece.split == "train"]
    for _, line in shards.read_sidecars(pieces_dir, train):
        if line["status"] == "ok" and line.get("text"):
            yield line["text"]


def write_dataset_files(
    tmp, out, pieces, failures, num_shards, spec, settings, source_info, started
) -> PrepareSummary:
    """Everything but the shards, from the sidecars; returns the summary (``extra["files"]``:
    the names to publish)."""
    pieces_dir = tmp / "pieces"
    num_videos = sum(piece.num_sources for piece in pieces)
    ids: dict[str, list[str]] = {split: [] for split in splits.SPLITS}
    absent_rows: list[dict] = []
    num_truncated = 0
    failures = list(failures)
    for split, line in shards.read_sidecars(pieces_dir, pieces):
        if line["status"] == "failed":
            failures.append(Failure.from_dict(line))
            continue
        ids[split].append(line["id"])
        absent_rows.extend(line["absent"])
        num_truncated += bool(line["truncated"])

    shard_files = {
        split: [shards.shard_file_name(split, k, count) for k in range(count)]
        for split, count in num_shards.items()
    }
    missing = [name for names in shard_files.values() for name in names if not (tmp / name).is_file()]
    if missing:
        raise RuntimeError(f"the pipeline finished without writing {', '.join(missing[:3])}")
    pids = set()
    for path in pieces_dir.glob(f"*{shards.SHARD_SUMMARY_SUFFIX}"):
        pids.update(json.loads(path.read_text(encoding="utf-8"))["pids"])

    files = []
    for split, members in ids.items():
        info_files.write_lines(tmp / info_files.ids_name(split), sorted(members))
        files.append(info_files.ids_name(split))
    failures.sort(key=lambda failure: (failure.mp4_id, failure.path))
    info_files.write_jsonl(tmp / info_files.FAILURES_NAME, (failure.to_dict() for failure in failures))
    absent_rows.sort(key=lambda row: (row["id"], row["modality"]))
    info_files.write_jsonl(tmp / info_files.ABSENT_NAME, absent_rows)
    files += [info_files.FAILURES_NAME, info_files.ABSENT_NAME]

    from data_interface import vocabulary as vocab  # TensorFlow only for unusual characters

    vocabulary = vocab.learn_vocabulary(train_texts(pieces_dir, pieces))
    vocab.write_vocabulary(tmp / info_files.VOCABULARY_NAME, vocabulary)
    files.append(info_files.VOCABULARY_NAME)
    files += [name for names in shard_files.values() for name in names]

    absent: dict[str, Counter] = {"cover": Counter(), "text": Counter()}
    for row in absent_rows:
        absent[row["modality"]][row["reason"]] += 1
    failures_by_reason = dict(sorted(Counter(failure.reason for failure in failures).items()))
    split_counts = {split: len(members) for split, members in ids.items()}
    info = {
        "format_version": FORMAT_VERSION,
        "categories": list(taxonomy.CATEGORY_NAMES),
        "frames": settings.frames,
        "size": settings.size,
        "sampling": settings.sampling,
        "storage": settings.storage,
        "jpeg_quality": JPEG_QUALITY,
        "val_fraction": settings.val_fraction,
        "test_fraction": settings.test_fraction,
        "splits": split_counts,
        "shards": shard_files,
        "ids": {split: info_files.ids_name(split) for split in splits.SPLITS},
        "num_failed": len(failures),
        "failures_by_reason": failures_by_reason,
        "failures": info_files.FAILURES_NAME,
        "absent": {modality: dict(sorted(counts.items())) for modality, counts in absent.items()},
        "absent_list": info_files.ABSENT_NAME,
        "num_truncated": num_truncated,
        "vocabulary": info_files.VOCABULARY_NAME,
        "vocabulary_size": len(vocabulary),
        "spec": spec.to_dict(),
        "source": source_info,
    }
    info_files.write_json(tmp / info_files.INFO_NAME, info)
    files.append(info_files.INFO_NAME)
    total_bytes = sum((tmp / name).stat().st_size for names in shard_files.values() for name in names)
    return PrepareSummary(
        out=out,
        splits=split_counts,
        num_failed=len(failures),
        failures_by_reason=failures_by_reason,
        absent=info["absent"],
        num_truncated=num_truncated,
        shards={split: len(names) for split, names in shard_files.items()},
        vocabulary_size=len(vocabulary),
        num_videos=num_videos,
        seconds=time.perf_counter() - started,
        worker_processes=len(pids),
        bytes=total_bytes,
        extra={"files": files},
    )
