"""``prepare_dataset``: the stages in order, each in its own module.

1. check the output folder (``info``): a finished dataset with the same settings is reused;
2. scan the seed layout and merge categories and the manifest (``examples``);
3. split by id hash and plan shards and pieces (``splits``, ``shards``);
4. run the Beam pipeline (``pipeline``) into ``DATA/.tmp-prepare-*``;
5. from the pieces' sidecars: ``<split>.ids``, ``failures.jsonl``, ``absent.jsonl``, the
   vocabulary of the train descriptions (``data_interface.text``), ``info.json``;
6. move everything into ``DATA``, ``info.json`` last (``info.publish``).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from data_interface.features import FORMAT_VERSION, FeatureSpec
from data_interface.prepare import info as info_files
from data_interface.prepare import shards, splits
from data_interface.prepare.encode import JPEG_QUALITY, EncodeSettings
from data_interface.prepare.examples import ExampleSource, Failure, merge_items, scan_failures
from data_interface.prepare.info import OutputExistsError, RunSettings
from mmvideo import taxonomy
from mmvideo.layout import ScanReport, scan_layout
from mmvideo.media import STRATEGIES

logger = logging.getLogger(__name__)

# progress(stage, done, total): "scan" (folders found; total None until the end), "encode" (videos
# done, of total), then "finish" (0, None) while ids, failures and the vocabulary are written.
Progress = Callable[[str, int, int | None], None]
PROGRESS_INTERVAL_S = 0.5
SCAN_PROGRESS_EVERY = 500


@dataclass(frozen=True)
class PrepareSummary:
    """What a prepare did (or found already done)."""

    out: Path
    splits: dict[str, int]  # examples written per split
    num_failed: int
    failures_by_reason: dict[str, int]
    absent: dict[str, dict[str, int]]  # modality -> reason -> kept examples without it
    num_truncated: int
    shards: dict[str, int]  # shard files per split
    vocabulary_size: int
    num_videos: int  # videos attempted (examples + failures of decoding)
    seconds: float
    already_prepared: bool = False
    worker_processes: int = 0  # distinct processes that encoded pieces (0 when already prepared)
    bytes: int = 0
    extra: dict = field(default_factory=dict)

    @property
    def num_examples(self) -> int:
        return sum(self.splits.values())

    @property
    def videos_per_second(self) -> float:
        return self.num_videos / self.seconds if self.seconds > 0 else 0.0

    def format(self) -> str:
        """A few lines for people."""
        per_split = ", ".join(
            f"{name} {count} ({self.shards.get(name, 0)} shard{'s' * (self.shards.get(name, 0) != 1)})"
            for name, count in self.splits.items()
        )
        if self.already_prepared:
            lines = [
                f"{self.out} is already prepared with these settings: {per_split}; "
                f"{self.num_failed} failed (--overwrite rebuilds it)"
            ]
            return "\n".join(lines)
        lines = [
            f"prepared {self.num_examples} examples from {self.num_videos} videos into {self.out} "
            f"in {self.seconds:.1f} s ({self.videos_per_second:.1f} videos/s, {self.bytes / 1e6:.1f} MB)",
            f"  {per_split}",
        ]
        if self.num_failed:
            reasons = ", ".join(f"{reason} {count}" for reason, count in _by_count(self.failures_by_reason))
            lines.append(f"  failed {self.num_failed}: {reasons} (see {self.out / info_files.FAILURES_NAME})")
        for modality, label in (("cover", "cover"), ("text", "description")):
            reasons = self.absent.get(modality, {})
            if reasons:
                listed = ", ".join(f"{reason} {count}" for reason, count in _by_count(reasons))
                lines.append(f"  kept without {label}: {sum(reasons.values())} ({listed})")
        if self.num_truncated:
            lines.append(f"  kept from damaged clips (frames from the readable part): {self.num_truncated}")
        lines.append(
            f"  vocabulary: {self.vocabulary_size} tokens from the train descriptions "
            f"({self.out / info_files.VOCABULARY_NAME})"
        )
        return "\n".join(lines)


class PipelineError(RuntimeError):
    """The Beam pipeline itself failed (a worker crashed, the disk filled up, a runner refused the
    job): not a bad media file, which is only ever a line in failures.jsonl."""


def _last_line(error: BaseException) -> str:
    """The most specific line of an error Beam wrapped around a worker's traceback."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1][:300] if lines else type(error).__name__


def _by_count(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _check_arguments(frames, size, sampling, storage, val_fraction, test_fraction, workers) -> FeatureSpec:
    spec = FeatureSpec(frames_per_clip=frames, frame_size=size, cover_size=size, storage=storage)
    if size > 4096:
        raise ValueError(f"`size` must be <= 4096, got {size!r}")
    if sampling not in STRATEGIES:
        raise ValueError(f"`sampling` must be one of {STRATEGIES}, got {sampling!r}")
    splits.check_fractions(val_fraction, test_fraction)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"`workers` must be an int >= 1, got {workers!r}")
    return spec


def _scan(root: Path, manifest, progress: Progress | None, out: Path):
    """Examples and failures of the layout (+ manifest), and counts for info.json. ``out`` (when
    it sits inside ``root``) is not reported as a stray folder."""
    records = None
    source_info = {"root": str(root.resolve()), "manifest": None}
    if manifest is not None:
        from mmvideo.manifest import read_manifest

        loaded = read_manifest(manifest)
        records = loaded.records
        source_info.update(
            manifest=str(Path(manifest).resolve()),
            manifest_rows=loaded.num_rows,
            manifest_rejected_rows=len(loaded.rejected),
        )
    report = ScanReport()
    folders = 0

    def counted(items):
        nonlocal folders
        for folders, item in enumerate(items, start=1):  # the count is read after the loop
            if progress and folders % SCAN_PROGRESS_EVERY == 0:
                progress("scan", folders, None)
            yield item

    sources, failures = merge_items(counted(scan_layout(root, report)), records)
    if progress:
        progress("scan", folders, folders)
    report.skipped = [(path, why) for path, why in report.skipped if path.resolve() != out.resolve()]
    failures += scan_failures(report, root)
    source_info["folders"] = folders
    source_info["videos"] = len(sources) + sum(f.reason == "missing_video" for f in failures)
    if records is not None:
        found = {source.mp4_id for source in sources} | {failure.mp4_id for failure in failures}
        source_info["manifest_only"] = sum(mp4_id not in found for mp4_id in records)
    return sources, failures, source_info


def _remove_stale_tmp(out: Path) -> None:
    for path in out.iterdir():
        if path.name.startswith(info_files.TMP_PREFIX) and path.is_dir():
            logger.info("removing %s, left by an unfinished prepare", path)
            shutil.rmtree(path, ignore_errors=True)


class _PieceWatcher:
    """Reports encode progress by counting finished piece sidecars (works across processes)."""

    def __init__(self, pieces_dir: Path, pieces: Sequence[shards.PieceRef], progress: Progress | None):
        self._dir = pieces_dir
        self._sizes = {f"{piece.name}{shards.SIDECAR_SUFFIX}": piece.num_sources for piece in pieces}
        self._total = sum(self._sizes.values())
        self._progress = progress
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="prepare-progress", daemon=True)

    def _done(self) -> int:
        try:
            return sum(self._sizes.get(entry.name, 0) for entry in os.scandir(self._dir))
        except OSError:
            return 0

    def _run(self) -> None:
        while not self._stop.wait(PROGRESS_INTERVAL_S):
            self._progress("encode", self._done(), self._total)

    def __enter__(self):
        if self._progress:
            self._progress("encode", 0, self._total)
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        if self._progress:
            self._stop.set()
            self._thread.join()
            if exc_info[0] is None:
                self._progress("encode", self._done(), self._total)


def _train_texts(pieces_dir: Path, pieces: Sequence[shards.PieceRef]) -> Iterator[str]:
    train = [piece for piece in pieces if piece.split == "train"]
    for _, line in shards.read_sidecars(pieces_dir, train):
        if line["status"] == "ok" and line.get("text"):
            yield line["text"]


def prepare_dataset(
    root,
    out,
    frames: int = 8,
    size: int = 112,
    sampling: str = "uniform",
    val_fraction: float = 0.1,
    test_fraction: float = 0.1,
    workers: int | None = None,
    beam_options: Sequence[str] = (),
    overwrite: bool = False,
    manifest=None,
    storage: str = "jpeg",
    progress: Progress | None = None,
) -> PrepareSummary:
    """Turns the seed layout under ``root`` into a prepared dataset in ``out`` (see the package doc).

    Raises ``ValueError`` for a bad argument, ``NotADirectoryError`` when ``root`` is not a folder,
    ``OutputExistsError`` (a ValueError) when ``out`` holds something else and ``overwrite`` is
    false, ``mmvideo.manifest.ManifestError`` for an unreadable manifest. Bad media never raise:
    they are counted and listed. A finished dataset with the same settings is left as it is
    (``already_prepared=True``) unless ``overwrite``.
    """
    started = time.perf_counter()
    workers = (os.cpu_count() or 1) if workers is None else workers
    spec = _check_arguments(frames, size, sampling, storage, val_fraction, test_fraction, workers)
    root, out = Path(root), Path(out)
    if not root.is_dir():
        raise NotADirectoryError(f"{root} is not a directory")
    if out.resolve() == root.resolve():
        raise ValueError("the output folder must not be the corpus root")
    settings = RunSettings(
        frames,
        size,
        sampling,
        storage,
        float(val_fraction),
        float(test_fraction),
        str(root.resolve()),
        str(Path(manifest).resolve()) if manifest else None,
    )
    state = info_files.output_state(out, settings)
    if state.kind == "finished" and not overwrite:
        return _summary_from_info(out, state.info, time.perf_counter() - started)
    if state.kind in ("different", "damaged", "foreign") and not overwrite:
        what = {
            "different": "holds a dataset prepared with other settings",
            "damaged": "holds a damaged dataset",
            "foreign": "is not empty",
        }[state.kind]
        raise OutputExistsError(f"{out} {what} ({state.detail}); pass --overwrite to rebuild it")
    from data_interface.prepare import pipeline  # imports Beam

    options = pipeline.pipeline_options(workers, beam_options)  # a bad option fails before any work
    scan_started = time.perf_counter()
    sources, failures, source_info = _scan(root, manifest, progress, out)
    scanned = time.perf_counter()
    sources_by_split: dict[str, list[ExampleSource]] = {split: [] for split in splits.SPLITS}
    for source in sources:
        sources_by_split[splits.split_of(source.mp4_id, val_fraction, test_fraction)].append(source)
    example_bytes = shards.estimate_example_bytes(frames, size, storage)
    num_shards = {
        split: shards.count_shards(len(members), example_bytes) for split, members in sources_by_split.items()
    }
    pieces = shards.plan_pieces(sources_by_split, num_shards, shards.piece_size(len(sources), workers))
    del sources, sources_by_split

    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_tmp(out)
    tmp = out / f"{info_files.TMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    pieces_dir = tmp / "pieces"
    pieces_dir.mkdir(parents=True)
    try:
        worklist = tmp / "worklist.jsonl"
        locations, pieces = shards.write_worklist(worklist, pieces)  # the driver keeps only PieceRefs
        expected = Counter(piece.shard_key for piece in pieces)
        encode_settings = EncodeSettings(frames, size, sampling, storage, JPEG_QUALITY)
        pipeline_started = time.perf_counter()
        with _PieceWatcher(pieces_dir, pieces, progress):
            try:
                pipeline.run_pipeline(
                    str(worklist),
                    locations,
                    encode_settings,
                    dict(expected),
                    str(pieces_dir),
                    str(tmp),
                    options,
                )
            except Exception as error:
                logger.debug("the Beam pipeline failed", exc_info=True)
                raise PipelineError(f"the Beam pipeline failed: {_last_line(error)}") from error
        pipeline_done = time.perf_counter()
        if progress:
            progress("finish", 0, None)
        summary = _write_dataset_files(
            tmp, out, pieces, failures, num_shards, spec, settings, source_info, started
        )
        info_files.publish(tmp, out, summary.extra["files"])
        summary.extra["timings"] = {
            "start_s": scan_started - started,  # arguments, the output folder, importing Beam
            "scan_s": scanned - scan_started,
            "plan_s": pipeline_started - scanned,  # splits, shards, pieces, the worklist
            "pipeline_s": pipeline_done - pipeline_started,
            "finish_s": time.perf_counter() - pipeline_done,  # ids, failures, vocabulary, info.json, publish
        }
        logger.info(
            "prepare timings: %s", ", ".join(f"{k} {v:.1f}" for k, v in summary.extra["timings"].items())
        )
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return summary


def _write_dataset_files(
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

    vocabulary = vocab.learn_vocabulary(_train_texts(pieces_dir, pieces))
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


def _summary_from_info(out: Path, info: dict, seconds: float) -> PrepareSummary:
    return PrepareSummary(
        out=out,
        splits=dict(info["splits"]),
        num_failed=int(info.get("num_failed", 0)),
        failures_by_reason=dict(info.get("failures_by_reason", {})),
        absent=dict(info.get("absent", {})),
        num_truncated=int(info.get("num_truncated", 0)),
        shards={split: len(names) for split, names in info.get("shards", {}).items()},
        vocabulary_size=int(info.get("vocabulary_size", 0)),
        num_videos=0,
        seconds=seconds,
        already_prepared=True,
    )
