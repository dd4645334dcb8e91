"""``mmvideo evaluate RUN [--data DATA] [--split test] [--ablate]``: metrics of a trained run.

Writes ``RUN/eval-<split>/`` (``metrics.json``, ``per_class.csv``, ``predictions.csv``,
``confusion.png``) and prints a short table. Exit 0 when written; 2 for a RUN or DATA that cannot
be used (not a run, another vocabulary or shape, an unknown or empty split).
"""

from __future__ import annotations

from pathlib import Path

from mmvideo.cli.common import CommandError, progress_bar, show_progress


def register(subparsers) -> None:
    parser = subparsers.add_parser("evaluate", help="metrics of a trained run on a split of its dataset")
    parser.add_argument("run_dir", type=Path, metavar="RUN", help="run directory written by `mmvideo train`")
    parser.add_argument("--data", type=Path, metavar="DATA", help="prepared dataset (default: the run's)")
    parser.add_argument("--split", default="test", help="split to evaluate (test)")
    parser.add_argument("--ablate", action="store_true",
                        help="also score the model with each modality removed (zeroed, mask 0)")
    parser.add_argument("--batch-size", type=int, default=32, metavar="B", help="examples per batch (32)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    from baseline_model.evaluation.evaluate import eval_dir, evaluate_run, format_table

    if args.batch_size < 1:
        raise CommandError(f"--batch-size must be >= 1, got {args.batch_size}")
    with progress_bar(None, f"evaluating {args.split}", show_progress(args.quiet), unit="clip") as bar:
        try:
            results = evaluate_run(args.run_dir, args.data, args.split, args.ablate, args.batch_size, bar.update)
        except (FileNotFoundError, ValueError) as error:
            raise CommandError(str(error)) from None
    print(format_table(results))
    print(f"written to {eval_dir(args.run_dir, args.split)}/ (metrics.json, per_class.csv, predictions.csv, confusion.png)")
    return 0
