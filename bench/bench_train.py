"""Training speed of the baseline on CPU: samples/s of the default model against the original.

    python bench/bench_train.py [--rounds 5] [--steps 8] [--batch 32] [--data DIR ...]
                                [--set key=value ...] [--skip-original]

Variants, alternated in rounds (medians reported), each trained with ``train_on_batch`` on
random batches held in memory as tensors (so only the model is measured), after a warm-up:

- default: ``build_model(FeatureSpec())`` -- 8 frames of 112x112, a 112 cover, 64 tokens --
  with the default ``configs/baseline.yaml`` model section (``--set`` changes a key);
- original: ``original_model`` at the same input sizes (Conv3D on raw frames, BiLSTM, ...).

Goals: default >= 50 samples/s; default >= 5x original.

Input stall: step time when the batches come from ``data_interface.load_dataset(DIR,
split="train", batch_size=B)`` against the same batches replayed from memory; goal <= 5 % slower.
DIR: each ``--data``, or else the embedded corpus (``--stall-per-category`` clips per category)
prepared here twice, with the frames stored as JPEG (the default) and as raw uint8; each without
and with ``cache=True`` (decoded examples in memory, the trainer's ``train.cache: auto`` for a
split that fits; measured after the first pass).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from baseline_model import build_model, load_model_config, original_model  # noqa: E402
from baseline_model.model import DEFAULT_TEXT_IDS  # noqa: E402
from data_interface.features import FeatureSpec, mask_key  # noqa: E402

CONFIG = REPO / "configs" / "baseline.yaml"
_WARMUP_STEPS = 3
_MEMORY_BATCHES = 4


def random_batches(spec: FeatureSpec, batch: int, count: int, seed: int = 0) -> list:
    """``count`` random ``(features, labels)`` batches as tensors (text ids from the default vocabulary)."""
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(count):
        features = {
            "text": rng.integers(0, DEFAULT_TEXT_IDS, (batch, spec.max_tokens)).astype("int32"),
            "cover": rng.integers(0, 256, (batch, *spec.cover_shape)).astype("uint8"),
            "frames": rng.integers(0, 256, (batch, *spec.frames_shape)).astype("uint8"),
        }
        for name in ("text", "cover", "frames"):
            features[mask_key(name)] = np.ones(batch, "float32")
        labels = rng.integers(0, spec.num_classes, batch).astype("int32")
        batches.append(({key: tf.constant(value) for key, value in features.items()}, tf.constant(labels)))
    return batches


def compiled(model):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def inputs_for(model, features: dict) -> dict:
    return {key: features[key] for key in model.input}


def train_rate(model, batches: list, steps: int) -> float:
    """Samples per second over ``steps`` train steps cycling through ``batches``."""
    start = time.perf_counter()
    samples = 0
    for step in range(steps):
        features, labels = batches[step % len(batches)]
        model.train_on_batch(inputs_for(model, features), labels)
        samples += int(labels.shape[0])
    return samples / (time.perf_counter() - start)


def warm_up(model, batches: list) -> None:
    for step in range(_WARMUP_STEPS):
        features, labels = batches[step % len(batches)]
        model.train_on_batch(inputs_for(model, features), labels)


def parse_sets(pairs: list[str]) -> dict:
    import yaml

    changes = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        changes[key.strip()] = yaml.safe_load(value)
    return changes


def speed(args) -> dict:
    spec = FeatureSpec()
    config = load_model_config(CONFIG).replace(**parse_sets(args.set))
    models = {"default": compiled(build_model(spec, config, vocabulary_size=DEFAULT_TEXT_IDS))}
    if not args.skip_original:
        models["original"] = compiled(original_model(spec, DEFAULT_TEXT_IDS))
    batches = random_batches(spec, args.batch, _MEMORY_BATCHES)
    for model in models.values():
        warm_up(model, batches)
    rates = {name: [] for name in models}
    for round_index in range(args.rounds):
        for name, model in models.items():
            rates[name].append(train_rate(model, batches, args.steps))
        print(f"round {round_index + 1}: " + ", ".join(f"{n} {r[-1]:.1f}/s" for n, r in rates.items()), flush=True)
    for name, model in models.items():
        print(f"{name}: {model.count_params():,} parameters, median {statistics.median(rates[name]):.1f} samples/s")
    return {name: statistics.median(values) for name, values in rates.items()}


def stall_datasets(args, scratch: Path) -> list[Path]:
    """``--data`` when given, else the embedded corpus prepared twice here: frames as JPEG (the
    default) and as raw uint8 (``--storage raw``)."""
    if args.data:
        return [Path(path) for path in args.data]
    from data_interface.prepare import prepare_dataset
    from mmvideo.synth import synthesize_corpus

    corpus = scratch / "corpus"
    synthesize_corpus(corpus, per_category=args.stall_per_category, seed=0)
    datasets = []
    for storage in ("jpeg", "raw"):
        out = scratch / f"data-{storage}"
        prepare_dataset(corpus, out, frames=8, size=112, storage=storage, workers=os.cpu_count() or 1)
        datasets.append(out)
    return datasets


def input_stall(data_dir: Path, args, cache: bool = False) -> float:
    """Live ``load_dataset`` batches against the same batches in memory: the step-time increase.
    ``cache``: the decoded cache (``train.cache``), measured after the pass that fills it."""
    from data_interface import load_dataset
    from data_interface.info import read_info
    from data_interface.reader import text_encoder

    info = read_info(data_dir)
    try:
        vocabulary_size = text_encoder(info).vocabulary_size
    except (FileNotFoundError, ValueError):
        vocabulary_size = DEFAULT_TEXT_IDS
    dataset = load_dataset(data_dir, split="train", batch_size=args.batch, drop_remainder=True, cache=cache)
    model = compiled(build_model(info.spec, load_model_config(CONFIG), vocabulary_size=vocabulary_size))
    steps = args.steps * 2
    memory = list(dataset.repeat().take(steps))  # the same batches, decoded once
    if not memory:
        raise SystemExit(f"input stall: {data_dir}'s train split holds no full batch of {args.batch}")
    warm_up(model, memory)
    iterator = iter(dataset.repeat())  # one pipeline, warm, as in training
    filling = info.splits["train"] // args.batch + 1 if cache else 0  # one full pass fills the cache
    warm_up(model, [next(iterator) for _ in range(_WARMUP_STEPS + filling)])
    live, replay = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for _ in range(steps):
            features, labels = next(iterator)
            model.train_on_batch(inputs_for(model, features), labels)
        live.append(time.perf_counter() - start)
        replay.append(steps * args.batch / train_rate(model, memory, steps))
    live_time, replay_time = statistics.median(live), statistics.median(replay)
    samples = steps * args.batch
    stall = 100 * (live_time / replay_time - 1)
    storage = info.spec.storage
    size_mb = sum(path.stat().st_size for path in info.shard_files("train")) / 1e6 / max(info.splits["train"], 1)
    print(
        f"input stall ({storage} frames, {1000 * size_mb:.0f} KB per clip on disk{', decoded cache' if cache else ''}): "
        f"{samples / live_time:.1f} "
        f"samples/s fed by load_dataset, {samples / replay_time:.1f} from memory: {stall:+.1f} % step time "
        "(goal <= 5 %)", flush=True
    )
    return stall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=8, help="train steps per variant and round")
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--data", action="append", default=[],
                        help="a prepared dataset for the input-stall figure (repeatable; default: the embedded "
                             "corpus prepared here with JPEG and with raw frames)")
    parser.add_argument("--stall-per-category", type=int, default=8, metavar="N",
                        help="clips per category of the corpus prepared for the stall figure (8)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="change a model key")
    parser.add_argument("--skip-original", action="store_true")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} CPUs, {cpu}; tensorflow {tf.__version__}")
    rates = speed(args)
    if "original" in rates:
        print(f"speed-up over the original: {rates['default'] / rates['original']:.1f}x (goal >= 5x)")
    print(f"default: {rates['default']:.1f} samples/s (goal >= 50)")
    with tempfile.TemporaryDirectory(prefix="bench-train-") as scratch:
        for data_dir in stall_datasets(args, Path(scratch)):
            input_stall(data_dir, args)
            input_stall(data_dir, args, cache=True)


if __name__ == "__main__":
    main()
