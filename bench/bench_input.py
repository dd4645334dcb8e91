"""Input pipeline speed: ``load_dataset`` samples/s at the default shape, against a re-implementation
of the original pipeline on the same clips, in the same run.

    python bench/bench_input.py [--rounds 5] [--copies 12] [--batches 40] [--keep DIR]

Clips: 31 H.264 640x360 clips of the embedded corpus (``mmvideo.synth``, one per category), plus the
real xinpianchang sample when present (../shared/fixtures, read in place). Each is turned into an
example as prepare does (``sample_frames(mp4, 8, 112)``, cover fit to 112x112, the description),
repeated ``--copies`` times under new ids and written with tests/tfrecord_fixtures.py (JPEG quality
90 like prepare, 4 shards) once with ``storage="jpeg"`` (the frames as one mosaic JPEG) and once
with ``storage="raw"``.

Variants, alternated in rounds (medians reported): ``load_dataset(train, batch_size=32,
repeat=True)`` with the default shuffling for all modalities (jpeg; jpeg + augment; raw), for text
and cover only (frames not decoded), and ``original``: the old pipeline, every mp4 opened with
OpenCV inside ``tf.py_function`` on every epoch, the FIRST 8 frames kept at 640x360 float32, the
cover read with OpenCV and resized to 270x480 float32, ``num_parallel_calls=AUTOTUNE`` (its most
favourable setting). ``cpu ms`` is process CPU time (all threads) per sample: steadier than wall
time when the machine is shared. Goals: jpeg >= 1,000 samples/s on 2 cores; >= 20x original.
"""

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from tfrecord_fixtures import FixtureExample, write_dataset  # noqa: E402

from data_interface import FeatureSpec, load_dataset  # noqa: E402
from mmvideo import taxonomy  # noqa: E402
from mmvideo.layout import scan_layout  # noqa: E402
from mmvideo.media import sample_frames  # noqa: E402
from mmvideo.records import parse_txt  # noqa: E402
from mmvideo.synth import synthesize_corpus  # noqa: E402

REAL_SAMPLE = REPO.parent / "shared" / "fixtures" / "xinpianchang_sample"
BATCH = 32
ORIGINAL_FRAMES, ORIGINAL_FRAME_SHAPE, ORIGINAL_COVER_HW = 8, (360, 640, 3), (270, 480)


def collect_clips(corpus: Path) -> list[dict]:
    """One dict per distinct video: mp4, cover, text, class ids (several for multi-label videos)."""
    clips: dict[str, dict] = {}
    for item in scan_layout(corpus):
        clip = clips.setdefault(
            item.mp4_id, {"mp4": item.mp4, "cover": item.cover, "txt": item.txt, "labels": set()}
        )
        clip["labels"].add(taxonomy.class_id(item.category))
    for folder in sorted(REAL_SAMPLE.iterdir()) if REAL_SAMPLE.is_dir() else []:
        files = {path.suffix: path for path in folder.iterdir()}
        if {".mp4", ".jpeg", ".txt"} <= set(files):
            clips[folder.name] = {
                "mp4": files[".mp4"],
                "cover": files[".jpeg"],
                "txt": files[".txt"],
                "labels": {0},
            }
    return list(clips.values())


def to_example(clip: dict, spec: FeatureSpec, video_id: str) -> FixtureExample:
    frames = sample_frames(clip["mp4"], spec.frames_per_clip, spec.frame_size)
    with Image.open(clip["cover"]) as image:
        cover = np.asarray(ImageOps.fit(image.convert("RGB"), (spec.cover_size, spec.cover_size)))
    text = parse_txt(clip["txt"].read_bytes()).description
    return FixtureExample(video_id, text, cover, frames, sorted(clip["labels"]))


def build_data(work: Path, copies: int) -> tuple[list[dict], dict[str, Path]]:
    corpus = work / "corpus"
    if not corpus.exists():
        synthesize_corpus(corpus, per_category=1, width=640, height=360, seed=0, workers=2)
    clips = collect_clips(corpus)
    data = {}
    for storage in ("jpeg", "raw"):
        spec = FeatureSpec(storage=storage)
        data[storage] = work / f"data-{storage}"
        if not (data[storage] / "info.json").exists():
            base = [to_example(clip, spec, f"c{index:03d}") for index, clip in enumerate(clips)]
            examples = [
                FixtureExample(
                    f"{example.id}-{copy}", example.text, example.cover, example.frames, example.labels
                )
                for copy in range(copies)
                for example in base
            ]
            write_dataset(data[storage], {"train": examples}, spec, num_shards=4, quality=90)
    return clips, data


def original_dataset(clips: list[dict]):
    """The original pipeline: OpenCV decoding in ``tf.py_function`` on every epoch."""
    import cv2
    import tensorflow as tf

    def load(mp4, cover):
        capture = cv2.VideoCapture(mp4.numpy().decode())
        frames = []
        while len(frames) < ORIGINAL_FRAMES:
            ok, frame = capture.read()
            if not ok:
                break
            frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
        capture.release()
        frames += [np.zeros(ORIGINAL_FRAME_SHAPE, np.uint8)] * (ORIGINAL_FRAMES - len(frames))
        image = cv2.cvtColor(cv2.imread(cover.numpy().decode()), cv2.COLOR_BGR2RGB)
        image = cv2.resize(image, ORIGINAL_COVER_HW[::-1], interpolation=cv2.INTER_LINEAR)
        return np.stack(frames).astype(np.float32) / 255.0, image.astype(np.float32) / 255.0

    def decode(mp4, cover, text, label):
        frames, image = tf.py_function(load, [mp4, cover], [tf.float32, tf.float32])
        frames.set_shape([ORIGINAL_FRAMES, *ORIGINAL_FRAME_SHAPE])
        image.set_shape([*ORIGINAL_COVER_HW, 3])
        return {"frames": frames, "cover": image, "text": text}, label

    columns = (
        [str(clip["mp4"]) for clip in clips],
        [str(clip["cover"]) for clip in clips],
        [parse_txt(clip["txt"].read_bytes()).description for clip in clips],
        [min(clip["labels"]) for clip in clips],
    )
    dataset = tf.data.Dataset.from_tensor_slices(columns).repeat()
    return dataset.map(decode, num_parallel_calls=tf.data.AUTOTUNE).batch(BATCH).prefetch(tf.data.AUTOTUNE)


def measure(dataset, batches: int, warmup: int = 2) -> tuple[float, float]:
    """(samples/s, CPU ms per sample) over ``batches`` batches after ``warmup``."""
    iterator = iter(dataset)
    for _ in range(warmup):
        next(iterator)
    start_wall, start_cpu, samples = time.perf_counter(), time.process_time(), 0
    for _ in range(batches):
        samples += int(next(iterator)[1].shape[0])
    wall, cpu = time.perf_counter() - start_wall, time.process_time() - start_cpu
    return samples / wall, cpu / samples * 1e3


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=12, help="examples per clip in the prepared data")
    parser.add_argument("--batches", type=int, default=40, help="batches of 32 timed per variant and round")
    parser.add_argument("--original-batches", type=int, default=3)
    parser.add_argument(
        "--keep", type=Path, help="work folder to keep (and reuse) instead of a temporary one"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary:
        work = args.keep or Path(temporary)
        work.mkdir(parents=True, exist_ok=True)
        clips, data = build_data(work, args.copies)
        print(f"machine: {os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {cpu_model()}")
        print(
            f"clips: {len(clips)} (640x360 H.264), examples: {len(clips) * args.copies}; built in {time.perf_counter() - started:.0f} s"
        )
        variants = {
            "jpeg (mosaic), all modalities": lambda: load_dataset(data["jpeg"], "train", BATCH, repeat=True),
            "jpeg, text + cover (no frames)": lambda: load_dataset(
                data["jpeg"], "train", BATCH, ("text", "cover"), repeat=True
            ),
            "jpeg, all, augment=True": lambda: load_dataset(
                data["jpeg"], "train", BATCH, repeat=True, augment=True
            ),
            "raw, all modalities": lambda: load_dataset(data["raw"], "train", BATCH, repeat=True),
            "original (OpenCV py_function)": lambda: original_dataset(clips),
        }
        results = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, make in variants.items():
                batches = args.original_batches if name.startswith("original") else args.batches
                results[name].append(measure(make(), batches))
        load = os.getloadavg()
    original = statistics.median(rate for rate, _ in results["original (OpenCV py_function)"])
    print(f"{'variant':34s} {'samples/s':>10s} {'cpu ms':>7s} {'x orig':>7s}   per round")
    for name, runs in results.items():
        rate = statistics.median(rate for rate, _ in runs)
        cpu = statistics.median(cpu for _, cpu in runs)
        rounds = " ".join(f"{value:.0f}" for value, _ in runs)
        print(f"{name:34s} {rate:10.0f} {cpu:7.3f} {rate / original:7.1f}   {rounds}")
    print(
        f"load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; total {time.perf_counter() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
