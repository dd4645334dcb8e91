"""A tiny trained RUN directory, laid out as ``mmvideo train`` writes it, for the evaluate /
predict / export tests (which must not depend on the trainer).

    run = tiny_run(tmp_path_factory)     # built once per test session, then shared
    run.path / "model.keras", run.corpus, run.data

Corpus: ``synthesize_corpus(per_category=1)`` (31 clips, 96x64); dataset: ``prepare_dataset``
(4 frames at 32 px); model: ``build_model`` with every width tiny, fitted for a few epochs so
its predictions are not a flat 1/31 (comparisons of top-1 need margins).
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

from model_helpers import tiny_config

FRAMES, SIZE = 4, 32
MODALITIES = ("text", "cover", "frames")
SEED = 0
EPOCHS = 12
# model_helpers' tiny widths, a wider fusion and no dropout (predictions must be reproducible)
TINY_MODEL = tiny_config(fusion_units=16, fusion_dropout=0.0, modality_dropout=0.0)


@dataclass(frozen=True)
class TinyRun:
    path: Path  # RUN
    corpus: Path  # the seed-layout corpus the dataset was prepared from
    data: Path  # DATA


_BUILT: dict[str, TinyRun] = {}


def tiny_run(tmp_path_factory) -> TinyRun:
    """The shared tiny run (built on first use in this session)."""
    if "run" not in _BUILT:
        _BUILT["run"] = build_tiny_run(tmp_path_factory.mktemp("tiny_run"))
    return _BUILT["run"]


def build_tiny_run(base: Path) -> TinyRun:
    import keras
    import yaml

    from baseline_model import build_model
    from data_interface import load_dataset
    from data_interface.info import read_info
    from data_interface.prepare import prepare_dataset
    from data_interface.text import TextEncoder, read_vocabulary
    from mmvideo.synth import synthesize_corpus

    corpus, data, run = base / "corpus", base / "data", base / "run"
    synthesize_corpus(corpus, per_category=1, width=96, height=64)
    prepare_dataset(corpus, data, frames=FRAMES, size=SIZE, workers=1)
    info = read_info(data)
    encoder = TextEncoder(read_vocabulary(data / "vocab.txt"), max_tokens=info.spec.max_tokens)

    keras.utils.set_random_seed(SEED)
    model = build_model(info.spec, TINY_MODEL, MODALITIES, encoder.vocabulary_size, seed=SEED)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy")
    train = load_dataset(data, "train", batch_size=8, shuffle=True, seed=SEED)
    history = model.fit(train, epochs=EPOCHS, verbose=0)

    write_run_layout(run, data, model, history.history)
    config = {
        "model": TINY_MODEL,
        "train": {"epochs": EPOCHS, "batch_size": 8, "learning_rate": 0.01},
        "modalities": list(MODALITIES),
        "seed": SEED,
        "data": str(data.resolve()),
        "model_fn": None,
    }
    (run / "config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return TinyRun(run, corpus, data)


def write_run_layout(run: Path, data: Path, model, history: dict) -> None:
    """Everything of the RUN contract but ``config.yaml``."""
    (run / "checkpoints").mkdir(parents=True)
    (run / "logs").mkdir()
    shutil.copyfile(data / "info.json", run / "data_info.json")
    shutil.copyfile(data / "vocab.txt", run / "vocab.txt")
    model.save(run / "model.keras")
    model.save(run / "checkpoints" / "epoch-0001.keras")
    losses = history.get("loss", [])
    with open(run / "history.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["epoch", "loss"])
        writer.writerows([epoch, loss] for epoch, loss in enumerate(losses))
    summary = {"epochs": len(losses), "best_epoch": len(losses) - 1, "final_loss": losses[-1] if losses else None}
    (run / "train_summary.json").write_text(json.dumps(summary) + "\n", encoding="utf-8")
    (run / "curves.png").write_bytes(b"")  # the trainer draws it; nothing here reads it
