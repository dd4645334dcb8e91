"""``mmvideo stats ROOT [--plot FILE.png] [--json FILE]``."""

from __future__ import annotations

import json
from pathlib import Path

from mmvideo.cli.common import CommandError, progress_bar, show_progress


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "stats", help="counts per category, bytes, durations, duplicates of a seed-layout folder"
    )
    parser.add_argument("root", type=Path, help="folder in the seed layout ROOT/<Category>/<id>/<id>.mp4")
    parser.add_argument("--plot", type=Path, metavar="FILE.png", help="write a figure of the counts")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write the full statistics as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    from mmvideo.stats import compute_stats, format_table

    if not args.root.is_dir():
        raise CommandError(f"{args.root} is not a directory")
    with progress_bar(None, "scanning", show_progress(args.quiet), unit="item") as bar:
        stats = compute_stats(args.root, progress=bar.update)
    print(format_table(stats))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(stats.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        print(f"statistics written to {args.json}")
    if args.plot:
        from mmvideo.stats_plot import plot_stats

        plot_stats(stats, args.plot)
        print(f"plot written to {args.plot}")
    return 0
