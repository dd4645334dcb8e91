"""``mmvideo synth OUT [--per-category N] [--seed S] [--base-url URL]``: the embedded demo corpus."""

from __future__ import annotations

from pathlib import Path

from mmvideo.cli.common import CommandError, progress_bar, show_progress


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "synth", help="write the embedded demo corpus (seed layout + multimodal_data_info.json)"
    )
    parser.add_argument("out", type=Path, help="folder to write the corpus into")
    parser.add_argument("--per-category", type=int, default=20, metavar="N", help="clips per category (20)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    parser.add_argument(
        "--base-url", default="http://127.0.0.1:8000", metavar="URL",
        help="where the manifest's URLs point (a server serving OUT there can serve them)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    from mmvideo.synth import synthesize_corpus

    if args.per_category < 1:
        raise CommandError(f"--per-category must be >= 1, got {args.per_category}")
    if args.seed < 0:
        raise CommandError(f"--seed must be >= 0, got {args.seed}")
    if not args.base_url.startswith(("http://", "https://")):
        raise CommandError(f"--base-url must be an http(s) URL, got {args.base_url!r}")
    summary = synthesize_corpus_with_bar(synthesize_corpus, args.out, args.per_category, args.seed,
                                         args.base_url, show_progress(args.quiet))
    print(
        f"wrote {summary.num_videos} videos ({summary.num_rows} manifest rows, {summary.num_multi_label} "
        f"under two categories) to {args.out} in {summary.seconds:.1f} s"
    )
    return 0


def synthesize_corpus_with_bar(synthesize, out: Path, per_category: int, seed: int, base_url: str, enabled: bool):
    """Run ``synthesize`` with a progress bar over the clips it encodes."""
    with progress_bar(None, "synthesizing", enabled, unit="clip") as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        return synthesize(out, per_category=per_category, seed=seed, base_url=base_url, progress=progress)
