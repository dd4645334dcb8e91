"""``prepare_dataset``: the stages in order, each in its own module.

1. check the output folder (``info``): a finished dataset with the same settings is reused;
2. scan the seed layout and merge categories and the manifest (``examples``);
3. split by id hash and plan shards and pieces (``splits``, ``shards``);
4. run the Beam pipeline (``pipeline``) into ``DATA/.tmp-prepare-*``;
5. from the pieces' sidecars: ``<split>.ids``, ``failures.jsonl``, ``absent.jsonl``, the
   vocabulary of the train descriptions (``data_interface.vocabulary``), ``info.json`` (``finish``);
6. move everything into ``DATA``, ``info.json`` last (``info.publish``).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

from data_interface.features import FeatureSpec
from data_interface.prepare import info as info_files
from data_interface.prepare import shards, splits
from data_interface.prepare.encode import JPEG_QUALITY, EncodeSettings
from data_interface.prepare.examples import ExampleSource, merge_items, scan_failures
from data_interface.prepare.finish import write_dataset_files
from data_interface.prepare.info import OutputExistsError, RunSettings
from data_interface.prepare.summary import PrepareSummary, summary_from_info
from mmvideo.layout import ScanReport, scan_layout
from mmvideo.media import STRATEGIES

logger = logging.getLogger(__name__)

# progress(stage, done, total): "scan" (folders found; total None until the end), "encode" (videos
# done, of total), then "finish" (0, None) while ids, failures and the vocabulary are written.
Progress = Callable[[str, int, int | None], None]
PROGRESS_INTERVAL_S = 0.5
SCAN_PROGRESS_EVERY = 500


class PipelineError(RuntimeError):
    """The Beam pipeline itself failed (a worker crashed, the disk filled up, a runner refused the
    job): not a bad media file, which is only ever a line in failures.jsonl."""


def _last_line(error: BaseException) -> str:
    """The most specific line of an error Beam wrapped around a worker's traceback."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1][:300] if lines else type(error).__name__


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
        return summary_from_info(out, state.info, time.perf_counter() - started)
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
        summary = write_dataset_files(
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
