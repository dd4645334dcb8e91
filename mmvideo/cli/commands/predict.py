"""``mmvideo predict RUN INPUT ... [--top-k K] [--format json|csv]``: top-k categories of raw clips.

INPUT: a video file (a cover ``<stem>.jpeg`` and ``<stem>.txt`` beside it are used), an item
folder ``<id>/``, or a folder in the seed layout (every clip in it). Prints JSON (a list, one
object per clip: ``input``, ``id``, ``top_k`` of ``class_id``, ``label``, ``chinese``,
``probability``; or ``input`` and ``error``) or CSV (one row per clip and rank). A bad input is an
error entry and the others still run. Exit 0 when every input was classified, 3 when some (or
all) failed, 2 for a RUN that cannot be used or a bad option.
"""

from __future__ import annotations

import json
from pathlib import Path

from mmvideo.cli.common import CommandError, int_at_least, progress_bar, show_progress

EXIT_SOME_FAILED = 3


def register(subparsers) -> None:
    parser = subparsers.add_parser("predict", help="top-k categories of video files or folders")
    parser.add_argument("run_dir", type=Path, metavar="RUN", help="run directory written by `mmvideo train`")
    parser.add_argument("inputs", nargs="+", metavar="INPUT",
                        help="a video file, an item folder <id>/, or a folder in the seed layout")
    parser.add_argument("--top-k", type=int, default=5, metavar="K", help="categories per clip (5)")
    parser.add_argument("--format", choices=("json", "csv"), default="json", help="output format (json)")
    parser.add_argument("--workers", type=int_at_least(1), default=None, metavar="N",
                        help="clips decoded at once (the cores, at most 4)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    import sys

    from baseline_model.evaluation.predict import DEFAULT_WORKERS, format_csv, predict

    if args.top_k < 1:
        raise CommandError(f"--top-k must be >= 1, got {args.top_k}")
    with progress_bar(None, "predicting", show_progress(args.quiet), unit="clip") as bar:
        try:
            results = predict(args.run_dir, args.inputs, top_k=args.top_k, progress=bar.update,
                              workers=args.workers or DEFAULT_WORKERS)
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from None
    if args.format == "json":
        print(json.dumps(results, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(format_csv(results))
    failed = [result for result in results if "error" in result]
    for result in failed:
        print(f"mmvideo predict: {result['input']}: {result['error']}", file=sys.stderr)
    print(f"{len(results) - len(failed)} clip(s) classified, {len(failed)} failed", file=sys.stderr)
    return EXIT_SOME_FAILED if failed else 0
