"""Inference speed: ``predict`` on raw clips against the decode floor, and the exported SavedModel.

    python bench/bench_predict.py [--rounds 3] [--per-category 2] [--real-copies 16]

A run of the default architecture (configs/baseline.yaml, 8 frames of 112 px) is trained for one
epoch on the embedded corpus prepared here; its weights do not matter for speed. Clips: the
embedded corpus (320x180, 2-4 s) and, when ../shared/fixtures holds it, the real corpus sample
(640x360, 15 s) copied ``--real-copies`` times. In rounds (medians reported):

- floor: ``sample_frames`` of every clip, one after the other (what predict must at least do);
- predict workers=1 / workers=N (N = the default, min(4, cores)): end to end, covers, text and the
  model included, as ``mmvideo predict`` runs it;
- SavedModel: ``serving_default`` of ``mmvideo export`` on batches of 16 already decoded clips,
  against the Keras model's ``predict_on_batch`` on the same batches (the serving overhead).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

# bench/ is this script's folder, first on sys.path
from bench_prepare import real_corpus  # noqa: E402

from baseline_model.evaluation.export import export_run  # noqa: E402
from baseline_model.evaluation.inputs import feature_batch, load_clip, resolve_inputs  # noqa: E402
from baseline_model.evaluation.predict import DEFAULT_WORKERS, predict  # noqa: E402
from baseline_model.evaluation.run_dir import model_inputs, read_run  # noqa: E402
from baseline_model.training import train  # noqa: E402
from data_interface.prepare import prepare_dataset  # noqa: E402
from mmvideo.layout import scan_layout  # noqa: E402
from mmvideo.media import sample_frames  # noqa: E402
from mmvideo.synth import synthesize_corpus  # noqa: E402

BATCH = 16


def make_run(scratch: Path, per_category: int) -> tuple[Path, Path]:
    corpus, data, run = scratch / "corpus", scratch / "data", scratch / "run"
    synthesize_corpus(corpus, per_category=per_category, seed=0)
    prepare_dataset(corpus, data, workers=os.cpu_count() or 1)
    train(data, run, epochs=1, progress=False)
    return corpus, run


def floor_seconds(clips: list[Path], frames: int, size: int, sampling: str) -> float:
    started = time.perf_counter()
    for clip in clips:
        sample_frames(clip, frames, size, sampling)
    return time.perf_counter() - started


def predict_seconds(run: Path, root: Path, model, workers: int) -> float:
    started = time.perf_counter()
    results = predict(run, [root], top_k=5, model=model, workers=workers)
    seconds = time.perf_counter() - started
    assert all("top_k" in result for result in results), [r for r in results if "error" in r][:3]
    return seconds


def serving_rates(run: Path, export_dir: Path, root: Path, model) -> tuple[float, float]:
    """Clips/s of the SavedModel and of the Keras model on the same decoded batches."""
    run_dir = read_run(run)
    export_run(run, export_dir, overwrite=True)
    serving = tf.saved_model.load(str(export_dir)).signatures["serving_default"]
    from data_interface.text import TextEncoder

    encoder = TextEncoder(run_dir.vocabulary(), max_tokens=run_dir.spec.max_tokens)
    clips = [clip for clip in resolve_inputs([root])][:BATCH * 4]
    raws = [load_clip(clip, run_dir.frames, run_dir.size, run_dir.sampling) for clip in clips]
    batches = [raws[start:start + BATCH] for start in range(0, len(raws) - BATCH + 1, BATCH)]
    raw_inputs = [{"text": tf.constant([raw.text for raw in batch]),
                   "cover": tf.constant(np.stack([raw.cover for raw in batch])),
                   "frames": tf.constant(np.stack([raw.frames for raw in batch]))} for batch in batches]
    keras_inputs = [model_inputs(model, feature_batch(batch, run_dir.spec, encoder)) for batch in batches]
    serving(**raw_inputs[0])
    model.predict_on_batch(keras_inputs[0])  # warm-up: tracing
    started = time.perf_counter()
    for inputs in raw_inputs:
        serving(**inputs)
    served = time.perf_counter() - started
    started = time.perf_counter()
    for inputs in keras_inputs:
        model.predict_on_batch(inputs)
    kept = time.perf_counter() - started
    count = BATCH * len(batches)
    return count / served, count / kept


def measure(label: str, root: Path, run: Path, model, rounds: int) -> None:
    run_dir = read_run(run)
    clips = sorted({item.mp4_id: item.mp4 for item in scan_layout(root)}.values())
    predict_seconds(run, root, model, DEFAULT_WORKERS)  # warm-up: tracing, file cache
    floors, singles, parallels = [], [], []
    for _ in range(rounds):
        floors.append(floor_seconds(clips, run_dir.frames, run_dir.size, run_dir.sampling))
        singles.append(predict_seconds(run, root, model, 1))
        parallels.append(predict_seconds(run, root, model, DEFAULT_WORKERS))
    floor, single, parallel = (statistics.median(values) for values in (floors, singles, parallels))
    count = len(clips)
    print(f"\n== {label}: {count} clips, medians of {rounds} rounds")
    print(f"floor (sample_frames, 1 thread) {count / floor:7.1f} clips/s")
    print(f"predict workers=1               {count / single:7.1f} clips/s  {floor / single:.2f}x the floor")
    print(f"predict workers={DEFAULT_WORKERS}               {count / parallel:7.1f} clips/s  "
          f"{floor / parallel:.2f}x the floor, {single / parallel:.2f}x workers=1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-category", type=int, default=2, help="embedded corpus clips per category (2)")
    parser.add_argument("--real-copies", type=int, default=16, help="copies of the real clip (16; 0: skip)")
    args = parser.parse_args()
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"machine: {os.cpu_count()} CPUs, {cpu}; tensorflow {tf.__version__}")
    with tempfile.TemporaryDirectory(prefix="bench-predict-") as scratch:
        scratch = Path(scratch)
        corpus, run = make_run(scratch, args.per_category)
        model = read_run(run).load_model()
        measure("embedded corpus (320x180, 2-4 s)", corpus, run, model, args.rounds)
        real = real_corpus(scratch, args.real_copies) if args.real_copies > 0 else None
        if real is not None:
            measure("real corpus sample (640x360, 15 s)", real, run, model, args.rounds)
        served, kept = serving_rates(run, scratch / "export", corpus, model)
        print(f"\n== SavedModel serving_default, batches of {BATCH} decoded clips")
        print(f"SavedModel {served:.1f} clips/s, Keras predict_on_batch {kept:.1f} clips/s: {served / kept:.2f}x")


if __name__ == "__main__":
    main()
