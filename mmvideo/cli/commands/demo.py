"""``mmvideo demo [--workdir DIR]``: the whole flow, offline, on the embedded corpus.

Steps that are not built yet are listed as such rather than faked; each step that exists runs for
real on the corpus the demo synthesizes.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from mmvideo.cli.commands.synth import synthesize_corpus_with_bar
from mmvideo.cli.common import CommandError, show_progress

# The flow of ARCHITECTURE.md, and the issue that builds each step not yet here.
PENDING_STEPS = {
    "prepare": "issue 4",
    "train": "issue 5",
    "evaluate": "issue 5",
    "predict": "issue 5",
}


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="run the whole flow offline on the embedded corpus")
    parser.add_argument("--workdir", type=Path, default=Path("mmvideo-demo"), metavar="DIR",
                        help="where the demo writes its corpus and results (./mmvideo-demo)")
    parser.add_argument("--per-category", type=int, default=20, metavar="N", help="clips per category (20)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(run=run)


def _step(title: str) -> float:
    print(f"\n== {title}")
    return time.perf_counter()


def run(args) -> int:
    from download_tools import download
    from mmvideo.localserver import serve_folder
    from mmvideo.stats import compute_stats, format_table
    from mmvideo.stats_plot import plot_stats
    from mmvideo.synth import synthesize_corpus

    if args.per_category < 1:
        raise CommandError(f"--per-category must be >= 1, got {args.per_category}")
    workdir: Path = args.workdir
    started = time.perf_counter()

    served = workdir / "served"
    raw = workdir / "raw"
    for generated in (served, raw):
        if generated.exists():
            shutil.rmtree(generated)  # the demo's own output: rebuilt so every run starts the same
    enabled = show_progress(args.quiet)
    # The corpus is published by a local HTTP server, then downloaded through its manifest, as a
    # user would fetch the real corpus from the CDN.
    with serve_folder(served) as base_url:
        began = _step(f"synth: {args.per_category} clips per category, served at {base_url}")
        summary = synthesize_corpus_with_bar(
            synthesize_corpus, served, args.per_category, args.seed, base_url, enabled
        )
        print(f"{summary.num_videos} videos, {summary.num_rows} manifest rows in {time.perf_counter() - began:.1f} s")

        _step(f"download: {summary.manifest} -> {raw}")
        fetched = download(summary.manifest, raw, workers=8)
        print(fetched.format())
        if fetched.failed:
            raise CommandError(f"demo download failed for {fetched.failed} items; see {fetched.log_path}", 1)

    _step("stats")
    stats = compute_stats(raw)
    print(format_table(stats))
    plot_path = plot_stats(stats, workdir / "stats.png")
    print(f"plot: {plot_path}")

    print("\n== not built yet (the demo runs what exists):")
    for step, issue in PENDING_STEPS.items():
        print(f"  {step:<9} {issue}")
    print(f"\ndemo finished in {time.perf_counter() - started:.1f} s; results in {workdir}")
    return 0
