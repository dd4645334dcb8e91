"""``mmvideo export RUN --out DIR [--overwrite]``: a SavedModel taking raw text, cover and frames.

DIR loads with ``import tensorflow_text; tf.saved_model.load(DIR)`` (the tokenizer's ops live in
tensorflow-text); see ``baseline_model.evaluation.export`` for the signatures. Exit 0 when written;
2 for a RUN that cannot be used or a DIR that is not empty (without ``--overwrite``).
"""

from __future__ import annotations

from pathlib import Path

from mmvideo.cli.common import CommandError


def register(subparsers) -> None:
    parser = subparsers.add_parser("export", help="SavedModel of a trained run over raw text, cover and frames")
    parser.add_argument("run_dir", type=Path, metavar="RUN", help="run directory written by `mmvideo train`")
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write the SavedModel into")
    parser.add_argument("--overwrite", action="store_true", help="replace DIR when it is not empty")
    parser.set_defaults(run=run)


def run(args) -> int:
    from baseline_model.evaluation.export import export_run

    try:
        out = export_run(args.run_dir, args.out, overwrite=args.overwrite)
    except (FileNotFoundError, FileExistsError, ValueError) as error:
        raise CommandError(str(error)) from None
    print(f"SavedModel written to {out} (signatures serving_default, serving_with_presence;")
    print(f"load it with `import tensorflow_text; tf.saved_model.load({str(out)!r})`); Keras model: {out / 'model.keras'}")
    return 0
