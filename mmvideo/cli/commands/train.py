"""``mmvideo train DATA --out RUN [...]``: fit the baseline (or ``--model``) into a run directory.

Exit 0 when training ran (or the run was already complete); 2 for bad usage: a missing or
unprepared DATA, an unknown ``--set`` key or bad value, an unimportable ``--model``, or a RUN
holding a checkpoint of another model or dataset; 130 on Ctrl-C or 143 on SIGTERM (the last finished epoch is kept:
rerun the same command to resume).
"""

from __future__ import annotations

from pathlib import Path

from mmvideo.cli.common import CommandError, int_at_least

_positive_int = int_at_least(1)
_seed = int_at_least(0)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train the baseline (or your --model) on a prepared dataset; resumes RUN's checkpoint"
    )
    parser.add_argument("data", type=Path, metavar="DATA", help="a dataset written by `mmvideo prepare`")
    parser.add_argument("--out", type=Path, required=True, metavar="RUN",
                        help="run directory: config, vocabulary, best and last models, history, logs")
    parser.add_argument("--config", type=Path, metavar="FILE.yaml",
                        help="model: and train: settings (default: configs/baseline.yaml)")
    parser.add_argument("--modalities", metavar="text,cover,frames", help="the branches to train (all three)")
    parser.add_argument("--epochs", type=_positive_int, metavar="E", help="total epochs (train.epochs)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="change a config key, e.g. model.temporal=lstm, train.learning_rate=3e-4; repeatable")
    parser.add_argument("--model", dest="model_fn", metavar="module:function",
                        help="your own Keras model: function(spec, num_classes, modalities) -> keras.Model")
    parser.add_argument("--seed", type=_seed, metavar="S", help="random seed: weights, shuffling, dropout (0)")
    parser.add_argument("--progress", choices=("steps", "epochs"), default="steps",
                        help="steps: Keras's bar per epoch (default); epochs: one bar over all epochs")
    parser.add_argument("--quiet", action="store_true", help="no per-epoch progress output")
    parser.set_defaults(run=run)


def run(args) -> int:
    from baseline_model.training import TrainSetupError, train

    try:
        summary = train(
            args.data,
            args.out,
            config_path=args.config,
            overrides=tuple(args.overrides),
            modalities=args.modalities,
            epochs=args.epochs,
            seed=args.seed,
            model_fn=args.model_fn,
            progress="none" if args.quiet else args.progress,
        )
    except TrainSetupError as error:
        raise CommandError(str(error)) from None
    print(summary.format())
    return 0
