"""``mmvideo demo [--workdir DIR]``: the whole flow, offline, on the embedded corpus.

synth -> a local HTTP server (127.0.0.1, a free port) -> ``download`` through the manifest ->
``stats`` -> ``prepare`` -> ``train`` (all three modalities, then one model per single modality)
-> ``evaluate`` on the test split (``--ablate`` for the fused model) -> ``predict`` on the raw
held-out clips -> a table of fused and single-modality test accuracy.

Each step after ``stats`` runs the same ``mmvideo`` subcommand a user would type (printed as
``$ mmvideo ...``), so the demo is also a tour of the CLI. The corpus is designed so that only
the fusion of all three modalities identifies the class (see ``mmvideo.synth``): a single
modality can reach at most ~1/8 (text, cover) or ~1/16 (frames) of the 31 classes.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from mmvideo.cli.commands.synth import synthesize_corpus_with_bar
from mmvideo.cli.common import CommandError, int_at_least, show_progress

# Single-modality models of the table, after the fused one.
SINGLE_MODALITIES = ("text", "cover", "frames")
# The demo corpus is small (~500 train clips): smaller batches and a higher peak learning rate
# than configs/baseline.yaml (tuned for the real corpus) reach the fused optimum in ~20 epochs.
DEMO_SETTINGS = ("train.batch_size=16", "train.learning_rate=0.003")


def register(subparsers) -> None:
    parser = subparsers.add_parser("demo", help="run the whole flow offline on the embedded corpus")
    parser.add_argument("--workdir", type=Path, default=Path("mmvideo-demo"), metavar="DIR",
                        help="where the demo writes its corpus and results (./mmvideo-demo)")
    parser.add_argument("--per-category", type=int_at_least(1), default=20, metavar="N", help="clips per category (20)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (0)")
    parser.add_argument("--epochs", type=int_at_least(1), default=30, metavar="E",
                        help="epochs of the fused model (30; early stopping may end sooner)")
    parser.add_argument("--single-epochs", type=int_at_least(1), default=12, metavar="E",
                        help="epochs of each single-modality model (12: they plateau early)")
    parser.add_argument("--frames", type=int_at_least(1), default=8, metavar="T", help="frames per clip (8)")
    parser.add_argument("--size", type=int_at_least(1), default=112, metavar="PX", help="frame and cover side (112)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="extra config override for every model, as for `mmvideo train`")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.set_defaults(run=run)


def _step(title: str) -> float:
    print(f"\n== {title}", flush=True)
    return time.perf_counter()


def _mmvideo(argv: list[str]) -> None:
    """Runs one subcommand as a user would (its output included); a failure ends the demo."""
    from mmvideo.cli.main import main

    print("$ mmvideo " + " ".join(argv), flush=True)
    code = main(argv)
    if code != 0:
        raise CommandError(f"demo step `mmvideo {argv[0]}` failed with exit code {code}", 1)


def run(args) -> int:
    from download_tools import download
    from mmvideo.demo_report import format_accuracy_table, predict_held_out
    from mmvideo.localserver import serve_folder
    from mmvideo.stats import compute_stats, format_table
    from mmvideo.stats_plot import plot_stats
    from mmvideo.synth import synthesize_corpus

    workdir: Path = args.workdir
    started = time.perf_counter()
    served, raw, data, runs = (workdir / name for name in ("served", "raw", "data", "runs"))
    for generated in (served, raw, data, runs):
        if generated.exists():
            shutil.rmtree(generated)  # the demo's own output: rebuilt so every run starts the same
    enabled = show_progress(args.quiet)
    quiet = ["--quiet"] if args.quiet else []
    timings: dict[str, float] = {}

    # The corpus is published by a local HTTP server, then downloaded through its manifest, as a
    # user would fetch the real corpus from the CDN.
    with serve_folder(served) as base_url:
        began = _step(f"synth: {args.per_category} clips per category, served at {base_url}")
        summary = synthesize_corpus_with_bar(
            synthesize_corpus, served, args.per_category, args.seed, base_url, enabled
        )
        print(f"{summary.num_videos} videos, {summary.num_rows} manifest rows in {time.perf_counter() - began:.1f} s")
        timings["synth"] = time.perf_counter() - began

        began = _step(f"download: {summary.manifest} -> {raw}")
        fetched = download(summary.manifest, raw, workers=8)
        print(fetched.format())
        if fetched.failed:
            raise CommandError(f"demo download failed for {fetched.failed} items; see {fetched.log_path}", 1)
        timings["download"] = time.perf_counter() - began

    _step("stats")
    stats = compute_stats(raw)
    print(format_table(stats))
    print(f"plot: {plot_stats(stats, workdir / 'stats.png')}")

    began = _step("prepare: sample frames, encode, split (Apache Beam)")
    _mmvideo(["prepare", str(raw), "--out", str(data), "--frames", str(args.frames), "--size", str(args.size),
              "--manifest", str(summary.manifest), *quiet])
    timings["prepare"] = time.perf_counter() - began

    sets = [argument for key in (*DEMO_SETTINGS, *args.overrides) for argument in ("--set", key)]
    models = {"fused": ("text,cover,frames", args.epochs)}
    models |= {name: (name, args.single_epochs) for name in SINGLE_MODALITIES}
    for name, (modalities, epochs) in models.items():
        began = _step(f"train: {name} ({modalities})")
        _mmvideo(["train", str(data), "--out", str(runs / name), "--modalities", modalities,
                  "--epochs", str(epochs), "--seed", str(args.seed), *sets, *(quiet or ["--progress", "epochs"])])
        timings[f"train {name}"] = time.perf_counter() - began

    results = {}
    for name in models:
        _step(f"evaluate: {name} on the test split")
        _mmvideo(["evaluate", str(runs / name), "--split", "test", *(["--ablate"] if name == "fused" else []), *quiet])
        results[name] = _read_metrics(runs / name)

    _step("predict: the fused model on the raw held-out (test) clips")
    held_out = predict_held_out(runs / "fused", data, raw)
    print(held_out.format())

    print("\n== results: test accuracy by modality")
    print(format_accuracy_table(models, results, held_out))
    print("\ntimings: " + ", ".join(f"{step} {seconds:.0f} s" for step, seconds in timings.items()))
    print(f"demo finished in {time.perf_counter() - started:.1f} s; results in {workdir} "
          f"(runs/<model>/eval-test/ holds metrics.json, per_class.csv, confusion.png)")
    return 0


def _read_metrics(run: Path) -> dict:
    from data_interface.info import read_json_object

    return read_json_object(run / "eval-test" / "metrics.json")
