"""Prepare speed against the decode floor, and peak memory on 1x and 4x the clips.

    python bench/bench_prepare.py [--per-category 8] [--copies 4] [--workers 2] [--rounds 1] [--real N]
                                  [--keep DIR]

Corpus: ``synthesize_corpus(width=640, height=360)`` (H.264, 2-4 s clips, like the real corpus's
640x360 but shorter). The "1x" corpus is those clips; "Nx" holds N copies of every item under new
ids (clip and cover hard-linked, the .txt rewritten with the new id), so it decodes N times the
same work without synthesizing it N times. ``--real N``: the same with N copies of the real corpus
sample (``../shared/fixtures``, a 15.4 s clip: per-clip decoding costs like the real corpus).

- floor: ``sample_frames(path, 8, 112)`` of every clip in a pool of ``--workers`` processes (warm:
  started before the clock), nothing encoded or written: what decoding alone costs on these cores.
- prepare: ``prepare_dataset(ROOT, DATA, workers=--workers)`` in a child process (default
  settings: 8 frames, 112 px, uniform, JPEG), end to end: scan, Beam start-up, decode + encode +
  write, join shards, ids, failures, vocabulary (imports TensorFlow), info.json.
- peak RSS: the child process tree (prepare + Beam workers), summed, sampled every 20 ms.

Reported: clips/s of both and their ratio end to end, and the marginal rate between 1x and Nx
(``(Nx - 1x) clips / (Nx - 1x) seconds``), which removes the fixed start-up costs; peak RSS on 1x
and Nx and their ratio. Goals: prepare >= 0.8x the floor; RSS ratio <= 1.2.
"""

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mmvideo.layout import scan_layout  # noqa: E402
from mmvideo.media import sample_frames  # noqa: E402
from mmvideo.records import parse_txt  # noqa: E402

POLL_S = 0.02
REAL_ITEM = REPO.parent / "shared" / "fixtures" / "xinpianchang_sample" / "99945958"

DRIVER = """
import json, sys, time
from data_interface.prepare import prepare_dataset
summary = prepare_dataset(sys.argv[1], sys.argv[2], workers=int(sys.argv[3]))
print(json.dumps({"seconds": summary.seconds, "videos": summary.num_videos, "examples": summary.num_examples,
                  "failed": summary.num_failed, "workers": summary.worker_processes, "bytes": summary.bytes,
                  "timings": summary.extra.get("timings", {})}))
"""


def synthesize(directory: Path, per_category: int) -> Path:
    from mmvideo.synth import synthesize_corpus

    corpus = directory / f"synth-640x360-{per_category}"
    if not (corpus / "multimodal_data_info.json").is_file():
        shutil.rmtree(corpus, ignore_errors=True)
        started = time.perf_counter()
        summary = synthesize_corpus(corpus, per_category=per_category, width=640, height=360)
        print(f"synthesized {summary.num_videos} clips at 640x360 in {time.perf_counter() - started:.0f} s")
    return corpus


def replicate(corpus: Path, target: Path, copies: int) -> Path:
    """``copies`` copies of every item of ``corpus`` under ids ``<id>c<k>`` (files hard-linked)."""
    if target.exists():
        shutil.rmtree(target)
    for item in scan_layout(corpus):
        for copy in range(copies):
            new_id = f"{item.mp4_id}c{copy}"
            folder = target / item.category / new_id
            folder.mkdir(parents=True)
            os.link(item.mp4, folder / f"{new_id}{item.mp4.suffix}")
            os.link(item.cover, folder / f"{new_id}{item.cover.suffix}")
            record = parse_txt(item.txt.read_bytes())
            row = {"mp4_id": new_id, "mp4_txt_brief": record.description, "mp4_time": record.mp4_time}
            (folder / f"{new_id}.txt").write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    return target


def clips_of(root: Path) -> list[str]:
    """One path per video (a video under two categories is decoded once, as prepare does)."""
    seen = {}
    for item in scan_layout(root):
        seen.setdefault(item.mp4_id, str(item.mp4))
    return [seen[mp4_id] for mp4_id in sorted(seen)]


def _decode(path: str) -> int:
    return int(sample_frames(path, 8, 112).shape[0])


def floor(paths: list[str], workers: int) -> float:
    """Seconds to sample every clip in a warm pool of ``workers`` processes."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        list(pool.map(_decode, paths[: workers * 2]))  # start and warm the workers
        started = time.perf_counter()
        list(pool.map(_decode, paths, chunksize=4))
        return time.perf_counter() - started


def tree_rss(process: psutil.Process) -> int:
    total = 0
    for member in [process, *process.children(recursive=True)]:
        try:
            total += member.memory_info().rss
        except psutil.Error:
            pass
    return total


def prepare(root: Path, out: Path, workers: int) -> dict:
    """Runs prepare in a child process; its summary plus the peak RSS of its process tree."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-c", DRIVER, str(root), str(out), str(workers)]
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    process = psutil.Process(child.pid)
    peak = 0
    while child.poll() is None:
        try:
            peak = max(peak, tree_rss(process))
        except psutil.Error:
            pass
        time.sleep(POLL_S)
    wall = time.perf_counter() - started
    output = child.stdout.read()
    if child.returncode:
        raise RuntimeError(f"prepare failed with exit code {child.returncode}")
    result = json.loads(output.strip().splitlines()[-1])
    result.update(wall=wall, peak_rss=peak)
    return result


def real_corpus(directory: Path, copies: int) -> Path | None:
    """``copies`` items made of the real corpus sample (a 15 s 640x360 clip), when it is present."""
    if not REAL_ITEM.is_dir():
        return None
    single = directory / "real-1"
    if not single.is_dir():
        folder = single / "Nature" / REAL_ITEM.name
        folder.mkdir(parents=True)
        for path in REAL_ITEM.iterdir():
            shutil.copyfile(path, folder / path.name)
    return replicate(single, directory / f"real-{copies}", copies)


def measure(base: Path, work: Path, copies: int, workers: int, rounds: int, label: str) -> None:
    small = replicate(base, work / "x1", 1)
    large = replicate(base, work / f"x{copies}", copies)
    small_clips, large_clips = clips_of(small), clips_of(large)
    print(f"\n== {label}: 1x = {len(small_clips)} clips, {copies}x = {len(large_clips)} clips; {workers} workers, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    rows = {"floor_1x": [], "floor_nx": [], "prep_1x": [], "prep_nx": []}
    for round_index in range(rounds):
        rows["floor_1x"].append(floor(small_clips, workers))
        rows["floor_nx"].append(floor(large_clips, workers))
        rows["prep_1x"].append(prepare(small, work / "data1", workers))
        rows["prep_nx"].append(prepare(large, work / "dataN", workers))
        p1, pn = rows["prep_1x"][-1], rows["prep_nx"][-1]
        print(f"round {round_index + 1}: floor {rows['floor_1x'][-1]:.1f} / {rows['floor_nx'][-1]:.1f} s, "
              f"prepare {p1['seconds']:.1f} / {pn['seconds']:.1f} s (pipeline {p1['timings']['pipeline_s']:.1f}"
              f" / {pn['timings']['pipeline_s']:.1f} s), peak RSS {p1['peak_rss'] / 2**20:.0f} / "
              f"{pn['peak_rss'] / 2**20:.0f} MiB")

    def median(name, key=None):
        return statistics.median(rows[name] if key is None else [row[key] for row in rows[name]])

    n1, nn = len(small_clips), len(large_clips)
    floor_1x, floor_nx = median("floor_1x"), median("floor_nx")
    prep_1x, prep_nx = median("prep_1x", "seconds"), median("prep_nx", "seconds")
    pipe_nx = statistics.median(row["timings"]["pipeline_s"] for row in rows["prep_nx"])
    rss_1x, rss_nx = median("prep_1x", "peak_rss"), median("prep_nx", "peak_rss")
    if not all(row["examples"] == nn and row["workers"] == workers for row in rows["prep_nx"]):
        raise RuntimeError(f"prepare kept or used something unexpected: {rows['prep_nx']}")
    print(f"{'':34}{'1x':>10}{f'{copies}x':>10}")
    print(f"{'floor clips/s (decode only)':34}{n1 / floor_1x:>10.1f}{nn / floor_nx:>10.1f}")
    print(f"{'prepare clips/s (end to end)':34}{n1 / prep_1x:>10.1f}{nn / prep_nx:>10.1f}")
    print(f"{'prepare / floor':34}{floor_1x / prep_1x:>10.2f}{floor_nx / prep_nx:>10.2f}")
    print(f"{'prepare peak RSS, tree (MiB)':34}{rss_1x / 2**20:>10.0f}{rss_nx / 2**20:>10.0f}")
    floor_marginal = (nn - n1) / (floor_nx - floor_1x)
    prep_marginal = (nn - n1) / (prep_nx - prep_1x)
    print(f"marginal clips/s 1x->{copies}x: floor {floor_marginal:.1f}, prepare {prep_marginal:.1f} "
          f"-> {prep_marginal / floor_marginal:.2f}x the floor (goal >= 0.8)")
    print(f"pipeline stage alone on {copies}x (Beam start-up to shards joined): {nn / pipe_nx:.1f} clips/s "
          f"-> {floor_nx / pipe_nx:.2f}x the floor")
    print(f"prepare outside the pipeline on {copies}x: "
          + ", ".join(f"{k} {statistics.median(r['timings'][k] for r in rows['prep_nx']):.1f} s"
                      for k in ("start_s", "scan_s", "plan_s", "finish_s")))
    print(f"peak RSS {copies}x / 1x: {rss_nx / rss_1x:.2f} (goal <= 1.2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-category", type=int, default=8, help="synth clips per category for 1x (8: 248)")
    parser.add_argument("--copies", type=int, default=4, help="the large corpus is this many times 1x (4)")
    parser.add_argument("--workers", type=int, default=2, help="processes for both floor and prepare (2)")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the measurements; medians are shown")
    parser.add_argument("--real", type=int, default=0, metavar="N",
                        help="also measure N copies of the real corpus sample (15 s clip) as 1x, when present")
    parser.add_argument("--keep", type=Path, help="keep the synthesized corpus here and reuse it")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench_prepare_"))
    try:
        cache = args.keep or work
        cache.mkdir(parents=True, exist_ok=True)
        base = synthesize(cache, args.per_category)
        measure(base, work / "synth", args.copies, args.workers, args.rounds, "synth 640x360, 2-4 s clips")
        if args.real:
            real = real_corpus(work, args.real)
            if real is None:
                print(f"\n(the real corpus sample is not at {REAL_ITEM}; skipped)")
            else:
                measure(real, work / "real", args.copies, args.workers, args.rounds,
                        "real corpus sample, 640x360 15.4 s clip")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
