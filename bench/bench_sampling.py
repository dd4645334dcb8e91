"""Frame sampling speed: clips/s of ``sample_frames`` against the decode floor.

    python bench/bench_sampling.py [--rounds 11] [--frames 8] [--size 112] [--keep DIR]

Variants, alternated in rounds on each clip (medians reported):

- floor: decode every frame up to the last target frame with the same threading
  (``thread_type="AUTO"``), no colour conversion, no demux pass: the cost of a plain decode.
- exact: ``sample_frames(path, 8, 112, "uniform")``.
- approx: the same with ``approximate=True`` (its mean and max landing offsets are shown).
- keyframes: ``approximate=True, tolerance_s=inf``: every target on its nearest keyframe, for
  reference (fast, but on long-GOP clips the 8 frames collapse onto a few keyframes).

Clips: the real xinpianchang sample when present (../shared/fixtures, never copied), and
640x360 24 fps 15 s H.264 clips generated here (x264 preset medium, B-frames, GOP 48/120/250,
moving textured content). Goals: exact >= 0.9x the floor; approx >= 2x exact.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import av
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mmvideo.media import sample_frames  # noqa: E402

REAL_CLIP = REPO.parent / "shared" / "fixtures" / "xinpianchang_sample" / "99945958" / "99945958.mp4"
WIDTH, HEIGHT, FPS, SECONDS = 640, 360, 24, 15
KEYINTS = (48, 120, 250)
INF = float("inf")


def synthetic_frames(seed: int):
    """360 frames of a panning smooth texture with moving blocks and film grain."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0 : HEIGHT * 2, 0 : WIDTH * 2].astype(np.float32)
    background = np.zeros((HEIGHT * 2, WIDTH * 2, 3), np.float32)
    for channel in range(3):
        for _ in range(4):
            fy, fx, phase = rng.uniform(0.002, 0.03), rng.uniform(0.002, 0.03), rng.uniform(0, 6.3)
            background[..., channel] += 30 * np.sin(fy * ys + fx * xs + phase)
    background = np.clip(background + 128, 0, 255)
    grain = rng.normal(0, 4.5, size=(8, HEIGHT, WIDTH, 1)).astype(np.float32)
    blocks = [
        (
            rng.integers(0, HEIGHT - 60),
            rng.integers(0, WIDTH - 80),
            rng.integers(-4, 5, size=2),
            rng.integers(0, 256, 3),
        )
        for _ in range(6)
    ]
    for k in range(FPS * SECONDS):
        y0, x0 = int(HEIGHT / 2 * (1 + np.sin(k / 90))), (k * 3) % WIDTH
        frame = background[y0 : y0 + HEIGHT, x0 : x0 + WIDTH] + grain[k % len(grain)]
        for top, left, (dy, dx), color in blocks:
            y, x = (top + dy * k) % (HEIGHT - 60), (left + dx * k) % (WIDTH - 80)
            frame[y : y + 60, x : x + 80] = color
        yield np.clip(frame, 0, 255).astype(np.uint8)


def write_synthetic_clip(path: Path, keyint: int, seed: int) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = WIDTH, HEIGHT, "yuv420p"
        stream.codec_context.gop_size = keyint
        stream.options = {"preset": "medium", "crf": "23", "bf": "3"}
        for k, rgb in enumerate(synthetic_frames(seed)):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = k
            container.mux(stream.encode(frame))
        container.mux(stream.encode())


def decode_floor(path: Path, last_index: int) -> int:
    """Decodes frames 0..last_index (presentation order) like a plain reader would."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for count, _ in enumerate(container.decode(stream)):
            if count >= last_index:
                return count + 1
    return count + 1


def describe(path: Path) -> tuple[int, int]:
    """(frames, keyframes) from a demux pass."""
    with av.open(str(path)) as container:
        flags = [p.is_keyframe for p in container.demux(video=0) if p.size]
    return len(flags), sum(flags)


def bench_clip(path: Path, rounds: int, num_frames: int, size: int) -> dict:
    _, info = sample_frames(path, num_frames, size, return_info=True)
    last = max(info.requested_indices)
    _, approx_info = sample_frames(path, num_frames, size, approximate=True, return_info=True)
    _, key_info = sample_frames(path, num_frames, size, approximate=True, tolerance_s=INF, return_info=True)
    variants = {
        "floor": lambda: decode_floor(path, last),
        "exact": lambda: sample_frames(path, num_frames, size),
        "approx": lambda: sample_frames(path, num_frames, size, approximate=True),
        "keyframes": lambda: sample_frames(path, num_frames, size, approximate=True, tolerance_s=INF),
    }
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}  # process CPU time, all threads: robust to other load
    for _ in range(rounds):
        for name, run in variants.items():
            start_wall, start_cpu = time.perf_counter(), time.process_time()
            run()
            wall[name].append(time.perf_counter() - start_wall)
            cpu[name].append(time.process_time() - start_cpu)
    return {
        "wall": {name: statistics.median(values) for name, values in wall.items()},
        "cpu": {name: statistics.median(values) for name, values in cpu.items()},
        "approx_offsets": offsets(approx_info),
        "key_offsets": offsets(key_info),
    }


def offsets(info) -> tuple[float, int]:
    """(mean, max) of |decoded - requested| frames."""
    values = [abs(d - r) for d, r in zip(info.decoded_indices, info.requested_indices, strict=True)]
    return float(np.mean(values)), max(values)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--frames", type=int, default=8)
    parser.add_argument("--size", type=int, default=112)
    parser.add_argument("--keep", type=Path, help="write the generated clips here instead of a temp dir")
    args = parser.parse_args()

    load_at_start = os.getloadavg()
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        clips = []
        if REAL_CLIP.is_file():
            clips.append(("xinpianchang 99945958", REAL_CLIP))
        else:
            print(f"real clip not found at {REAL_CLIP}: skipping it")
        start = time.perf_counter()
        for seed, keyint in enumerate(KEYINTS):
            path = folder / f"synthetic_keyint{keyint}.mp4"
            if not path.exists():
                write_synthetic_clip(path, keyint, seed)
            clips.append((f"synthetic keyint={keyint}", path))
        print(
            f"{len(KEYINTS)} synthetic clips of {WIDTH}x{HEIGHT} {SECONDS}s ready in {time.perf_counter() - start:.1f}s"
        )
        print(
            f"sample_frames(uniform, {args.frames} frames, size {args.size}); medians of {args.rounds} alternated rounds"
        )
        results = []
        for name, path in clips:
            frames, keys = describe(path)
            results.append(
                (
                    name,
                    frames,
                    keys,
                    path.stat().st_size / 1e6,
                    bench_clip(path, args.rounds, args.frames, args.size),
                )
            )
        for clock, title in (("wall", "wall clock"), ("cpu", "CPU time of the process (all threads)")):
            print(
                f"\n{title}: clips per second (1 / median seconds per clip) and speed ratios (higher = faster)"
            )
            header = (
                f"{'clip':24} {'frames':>6} {'keys':>4} {'MB':>5} | {'floor':>6} {'exact':>6} {'approx':>6} "
                f"{'keyfr':>6} | {'exact/floor':>11} {'approx/exact':>12} {'keyfr/exact':>11}"
            )
            print(header)
            print("-" * len(header))
            for name, frames, keys, megabytes, result in results:
                seconds = result[clock]
                cells = " ".join(f"{1 / seconds[v]:6.2f}" for v in ("floor", "exact", "approx", "keyframes"))
                print(
                    f"{name:24} {frames:6d} {keys:4d} {megabytes:5.2f} | {cells} | "
                    f"{seconds['floor'] / seconds['exact']:10.2f}x {seconds['exact'] / seconds['approx']:11.2f}x "
                    f"{seconds['exact'] / seconds['keyframes']:10.2f}x"
                )
        print("\nlanding offsets |decoded - requested| in frames, mean/max: approx | keyfr")
        for name, _, _, _, result in results:
            (approx_mean, approx_max), (key_mean, key_max) = result["approx_offsets"], result["key_offsets"]
            print(f"{name:24} {approx_mean:5.1f}/{approx_max:<4d} | {key_mean:5.1f}/{key_max}")
        load = os.getloadavg()[0]
        print(
            f"1-min load average: {load_at_start[0]:.2f} at start, {load:.2f} at end ({os.cpu_count()} CPUs)"
        )


if __name__ == "__main__":
    main()
