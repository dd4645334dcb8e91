"""``mmvideo prepare ROOT --out DATA [...]``: raw folders -> TFRecord shards, ids, vocabulary, info.json.

Exit 0 when the dataset is written (bad clips are listed in ``DATA/failures.jsonl``, not errors)
or was already prepared with the same settings; 2 for bad usage, an unreadable ROOT or manifest,
or a DATA folder holding something else (``--overwrite`` replaces it); 1 when the Beam pipeline
itself fails (a worker crash, a full disk); 130 on Ctrl-C (143 on SIGTERM). DATA is never left looking finished.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from mmvideo.cli.common import CommandError, int_at_least, progress_bar, show_progress

_positive_int = int_at_least(1)


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {value}")
    return value


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "prepare", help="turn ROOT/<Category>/<id>/ folders into TFRecord shards per split (Apache Beam)"
    )
    parser.add_argument("root", type=Path, metavar="ROOT",
                        help="corpus in the seed layout (ROOT/<Category>/<id>/<id>.mp4 ...)")
    parser.add_argument("--out", type=Path, required=True, metavar="DATA", help="folder to write the dataset into")
    parser.add_argument("--frames", type=_positive_int, default=8, metavar="T", help="frames per clip (8)")
    parser.add_argument("--size", type=_positive_int, default=112, metavar="PX",
                        help="frame and cover side in pixels (112)")
    parser.add_argument("--sampling", choices=("uniform", "first", "segments"), default="uniform",
                        help="which frames: evenly spread, the first T, or one per segment (uniform)")
    parser.add_argument("--val-fraction", type=_fraction, default=0.1, metavar="F", help="share of videos in val (0.1)")
    parser.add_argument("--test-fraction", type=_fraction, default=0.1, metavar="F",
                        help="share of videos in test (0.1)")
    parser.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1, metavar="N",
                        help="local worker processes (the number of CPUs)")
    parser.add_argument("--beam-option", action="append", default=[], metavar="K=V",
                        help="a Beam pipeline option, e.g. runner=FlinkRunner; repeatable")
    parser.add_argument("--overwrite", action="store_true", help="rebuild DATA even if it holds a dataset")
    parser.add_argument("--manifest", type=Path, metavar="FILE",
                        help="corpus metadata (JSON lines, JSON array or CSV): adds labels and descriptions")
    parser.add_argument("--storage", choices=("jpeg", "raw"), default="jpeg",
                        help="frames as one JPEG mosaic per clip, or raw uint8 (jpeg)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    from data_interface.prepare import OutputExistsError, PipelineError, prepare_dataset
    from mmvideo.manifest import ManifestError

    if args.val_fraction + args.test_fraction >= 1:
        raise CommandError(f"--val-fraction + --test-fraction must be < 1, got {args.val_fraction + args.test_fraction:g}")
    if not args.root.is_dir():
        raise CommandError(f"{args.root} is not a directory")
    enabled = show_progress(args.quiet)
    with progress_bar(None, "scanning", enabled, unit="item") as bar:
        stage = {"name": "scan"}

        descriptions = {"encode": "preparing", "finish": "writing ids, failures, vocabulary"}

        def progress(name: str, done: int, total: int | None) -> None:
            if name != stage["name"]:
                stage["name"] = name
                bar.unit = "clip"
                bar.reset(total=total)
                bar.set_description(descriptions.get(name, name))
            elif total is not None and bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            summary = prepare_dataset(
                args.root,
                args.out,
                frames=args.frames,
                size=args.size,
                sampling=args.sampling,
                val_fraction=args.val_fraction,
                test_fraction=args.test_fraction,
                workers=args.workers,
                beam_options=tuple(args.beam_option),
                overwrite=args.overwrite,
                manifest=args.manifest,
                storage=args.storage,
                progress=progress,
            )
        except (OutputExistsError, ManifestError, NotADirectoryError) as error:
            raise CommandError(str(error)) from None
        except ValueError as error:  # a bad option value that argparse could not see
            raise CommandError(str(error)) from None
        except PipelineError as error:  # -vv logs the worker's traceback
            raise CommandError(str(error), exit_code=1) from None
    print(summary.format())
    return 0
