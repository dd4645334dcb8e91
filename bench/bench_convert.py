"""Colour conversion in ``sample_frames``: one swscale context per frame (PyAV's
``frame.to_ndarray(width=, height=)``) against one per thread (``mmvideo.media.resize.frame_to_rgb``).

    python bench/bench_convert.py [--rounds 5] [--clips 62]

Clips: the embedded corpus at 640x360 (2-4 s, H.264), synthesized into a temporary folder. Both
variants run ``sample_frames(path, 8, 112)`` over the same clips, alternated in rounds (medians
reported), and must return the same pixels.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402

from mmvideo.layout import scan_layout  # noqa: E402
from mmvideo.media import resize, sampling  # noqa: E402
from mmvideo.synth import synthesize_corpus  # noqa: E402


def per_frame_context(frame, box, sample_aspect=1.0):
    """The conversion as it was: PyAV builds a reformatter (a swscale context) for each frame."""
    plan = resize.plan_resize(frame.width, frame.height, frame.rotation, box, sample_aspect)
    scaled = frame.to_ndarray(width=plan.scaled_width, height=plan.scaled_height, format="rgb24",
                              interpolation=resize.INTERPOLATION)
    return resize.turn_and_crop(scaled, plan)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clips", type=int, default=62)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory(prefix="bench-convert-") as scratch:
        per_category = max(1, -(-args.clips // 31))
        synthesize_corpus(Path(scratch), per_category=per_category, width=640, height=360)
        paths = sorted({item.mp4_id: item.mp4 for item in scan_layout(Path(scratch))}.values())[: args.clips]
        variants = {"per-frame context": per_frame_context, "per-thread context": resize.frame_to_rgb}
        seconds = {name: [] for name in variants}
        try:
            for _ in range(args.rounds):
                outputs = {}
                for name, convert in variants.items():
                    sampling.frame_to_rgb = convert
                    started = time.perf_counter()
                    outputs[name] = [sampling.sample_frames(path, 8, 112) for path in paths]
                    seconds[name].append((time.perf_counter() - started) / len(paths))
                first, second = outputs.values()
                assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True)), "pixels differ"
        finally:
            sampling.frame_to_rgb = resize.frame_to_rgb
    medians = {name: statistics.median(values) * 1000 for name, values in seconds.items()}
    print(f"sample_frames(8, 112) on {len(paths)} clips of 640x360, medians of {args.rounds} rounds:")
    for name, value in medians.items():
        print(f"  {name:20s} {value:6.2f} ms/clip")
    print(f"per-thread / per-frame speed: {medians['per-frame context'] / medians['per-thread context']:.2f}x, "
          "same pixels")


if __name__ == "__main__":
    main()
