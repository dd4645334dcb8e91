"""The Beam pipeline: pieces of work -> piece files (parallel) -> one file per shard.

::

    Create(locations)                 (offset, length) of each piece's line in the worklist file
                                      (its examples' paths and labels), reshuffled over the workers
    | ParDo(EncodePieceFn)            decode + encode + write each piece -> (shard key, piece summary)
    | GroupByKey                      shard key -> its piece summaries (a few small dicts)
    | ParDo(JoinShardFn)              concatenate the piece files of the shard, in order

Only file offsets and small summaries travel through Beam (a few dozen bytes per piece of up to
``shards.MAX_PIECE_EXAMPLES`` videos); frames are decoded, encoded and written inside one DoFn
call, one example at a time, so memory does not grow with the size of the clips or shards.

Locally the DirectRunner runs ``workers`` processes (``direct_running_mode=multi_processing``);
``beam_options`` (``["runner=FlinkRunner", "flink_master=host:8081", ...]``) select any other
runner. Workers read the clips and write the output by path, so on a cluster ROOT and DATA must be
mounted at the same path on every worker, and mmvideo must be installed there
(``setup_file=./setup.py`` or a custom container).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence

from data_interface.prepare import shards
from data_interface.prepare.encode import EncodeSettings

logger = logging.getLogger(__name__)


def _import_beam_quietly():
    """Imports Beam without its import-time warning about optional Google Cloud clients."""
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        import apache_beam
    finally:
        root.setLevel(level)
    return apache_beam


beam = _import_beam_quietly()
from apache_beam.options.pipeline_options import (  # noqa: E402 - after the quiet import
    DirectOptions,
    PipelineOptions,
    StandardOptions,
    WorkerOptions,
)


def _flags(beam_options: Sequence[str]) -> list[str]:
    flags = []
    for option in beam_options:
        key, separator, value = str(option).partition("=")
        key = key.strip().lstrip("-")
        if not key or not key.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"a Beam option must look like KEY=VALUE or KEY, got {option!r}")
        flags.append(f"--{key}={value}" if separator else f"--{key}")
    return flags


def pipeline_options(workers: int, beam_options: Sequence[str] = ()):
    """``PipelineOptions`` from ``K=V`` strings; with no runner given (or ``DirectRunner``), local
    worker processes: ``direct_running_mode=multi_processing``, ``direct_num_workers=workers``
    (one worker: ``in_memory``, in the calling process)."""
    flags = _flags(beam_options)
    options = PipelineOptions(flags)
    known = set(options.get_all_options())
    unknown = sorted(set(options.get_all_options(retain_unknown_options=True)) - known)
    if unknown:
        logger.warning(
            "Beam does not know the option(s) %s; passing them on to the runner", ", ".join(unknown)
        )
    given = {flag[2:].split("=", 1)[0] for flag in flags}
    standard = options.view_as(StandardOptions)
    if standard.runner is None:
        standard.runner = "DirectRunner"
    if is_local(options):
        direct = options.view_as(DirectOptions)
        if "direct_num_workers" not in given:
            direct.direct_num_workers = workers
        if "direct_running_mode" not in given:
            direct.direct_running_mode = "multi_processing" if direct.direct_num_workers != 1 else "in_memory"
        if "default_sdk_harness_log_level" not in given:
            # Local worker processes share the terminal: only their errors are shown (damaged clips
            # are counted in the summary and listed in failures.jsonl, not logged one by one).
            options.view_as(WorkerOptions).default_sdk_harness_log_level = "ERROR"
    return options


def is_local(options) -> bool:
    """True for the DirectRunner (run here, with ``direct_*`` options)."""
    return options.view_as(StandardOptions).runner == "DirectRunner"


def local_runner(options):
    """The runner the DirectRunner uses for a batch pipeline (the FnApiRunner, which honours
    ``direct_running_mode``/``direct_num_workers``), built the way DirectRunner builds it.

    Beam 2.77's DirectRunner first tries the Prism runner, which it downloads from GitHub (and
    which ignores ``direct_running_mode``); offline that costs a failed download. Going to the
    FnApiRunner directly gives the same local behaviour with or without a network. Its worker
    processes run :mod:`data_interface.prepare.beam_worker` (Beam's worker, quiet on stderr).
    """
    from apache_beam.portability.api import beam_provision_api_pb2
    from apache_beam.runners.portability.fn_api_runner import fn_runner
    from apache_beam.runners.portability.portable_runner import JobServiceHandle
    from apache_beam.transforms.environments import SubprocessSDKEnvironment

    from data_interface.prepare import beam_worker

    class QuietWorkersRunner(fn_runner.FnApiRunner):
        # run_pipeline sets the stock worker command for multi_processing: swap in ours.
        def __setattr__(self, name, value):
            if name == "_default_environment" and isinstance(value, SubprocessSDKEnvironment):
                value = SubprocessSDKEnvironment.from_command_string(beam_worker.command_line())
            super().__setattr__(name, value)

    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    provision = beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    return QuietWorkersRunner(provision_info=fn_runner.ExtendedProvisionInfo(provision))


class EncodePieceFn(beam.DoFn):
    """``(offset, length)`` of a worklist line (one piece) -> ``(shard key, piece summary)``,
    after writing the piece."""

    def __init__(self, worklist: str, settings: dict, pieces_dir: str):
        self._worklist = worklist
        self._settings = settings
        self._pieces_dir = pieces_dir

    def process(self, location):
        piece = shards.read_worklist_piece(self._worklist, *location)
        result = shards.write_piece(piece, EncodeSettings(**self._settings), self._pieces_dir)
        yield result["shard_key"], result


class JoinShardFn(beam.DoFn):
    """``(shard key, piece summaries)`` -> the shard file, joined from its pieces in order."""

    def __init__(self, expected_pieces: dict, pieces_dir: str, out_dir: str):
        self._expected = expected_pieces
        self._pieces_dir = pieces_dir
        self._out_dir = out_dir

    def process(self, element):
        shard_key, results = element
        yield shards.join_shard(list(results), self._expected[shard_key], self._pieces_dir, self._out_dir)


def run_pipeline(
    worklist: str,
    locations: Sequence[tuple[int, int]],
    settings: EncodeSettings,
    expected_pieces: dict[str, int],
    pieces_dir: str,
    out_dir: str,
    options,
) -> None:
    """Runs the pipeline to the end (raises if it fails)."""
    settings_dict = dataclasses.asdict(settings)
    runner = local_runner(options) if is_local(options) else None
    with beam.Pipeline(runner=runner, options=options) as pipeline:
        _ = (
            pipeline
            | "Pieces" >> beam.Create(list(locations))  # reshuffled: spread over the workers
            | "EncodePieces" >> beam.ParDo(EncodePieceFn(worklist, settings_dict, pieces_dir))
            | "GroupByShard" >> beam.GroupByKey()
            | "JoinShards" >> beam.ParDo(JoinShardFn(expected_pieces, pieces_dir, out_dir))
        )
