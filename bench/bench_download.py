"""Download speed: items/s of ``mmvideo download`` against ``aria2c -j 16`` on the same URLs.

    python bench/bench_download.py [--items 300] [--runs 3] [--latency 0.05] [--keep DIR]

A loopback HTTP server (in this process) serves a generated corpus -- clips of 100-300 KB (an
``ftyp`` box and random bytes) and 20 KB covers -- adding ``--latency`` seconds to every response
and answering 403 without the Referer, like the real CDN. Each run starts from an empty folder
and is timed as a whole process, start-up included. Variants, alternated in rounds (medians):

- aria2c: ``aria2c -j 16`` on an input file with ``dir=``/``out=`` lines and the same headers; it
  neither validates nor writes the ``.txt`` files. Installed with ``apt-get install -y aria2``
  when missing (the bench says so).
- mmvideo: ``mmvideo download MANIFEST --out ROOT --quiet`` (16 workers, magic-byte validation,
  fsync + rename, ``.txt``, log).
- mmvideo-w1: the same with ``--workers 1`` (what a serial crawler gets, without its 2-3 s delays).

Goal: mmvideo >= 1.0x aria2c in items/s.
"""

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from download_tools.options import DEFAULT_REFERER, USER_AGENT  # noqa: E402

CATEGORIES = ("Sea", "City", "Beach", "Nature", "Aerial", "Animals")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # as CDNs (nginx tcp_nodelay) do; else delayed ACKs add ~20 ms

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802
        time.sleep(self.server.latency)
        body = self.server.files.get(self.path)
        status = 200 if body is not None and self.headers.get("Referer") else 404 if body is None else 403
        if status != 200:
            body = b"<html>no</html>"
        self.send_response(status)
        kind = "text/html" if status != 200 else "video/mp4" if self.path.endswith(".mp4") else "image/jpeg"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        pass


def make_corpus(count: int, base_url: str, seed: int = 0):
    """``(files by path, manifest rows)``."""
    rng = random.Random(seed)
    files, rows = {}, []
    for index in range(count):
        mp4_id = str(10_000_000 + index)
        clip_size = rng.randrange(100_000, 300_000)
        files[f"/v/{mp4_id}.mp4"] = struct.pack(">I4s4sI8s", 24, b"ftyp", b"isom", 512, b"isomavc1") + rng.randbytes(
            clip_size - 24)
        files[f"/i/{mp4_id}.jpeg"] = b"\xff\xd8\xff\xe0" + rng.randbytes(20_000 - 4)
        rows.append({
            "mp4_id": mp4_id, "video_label": CATEGORIES[index % len(CATEGORIES)], "mp4_time": "0:15",
            "mp4_download_url": f"{base_url}/v/{mp4_id}.mp4",
            "mp4_background_image_url": f"{base_url}/i/{mp4_id}.jpeg", "mp4_txt_brief": f"clip {mp4_id}",
        })
    return files, rows


def ensure_aria2c() -> str | None:
    found = shutil.which("aria2c")
    if found:
        return found
    print("aria2c not found: installing it with `apt-get install -y aria2`", flush=True)
    for command in (["apt-get", "install", "-y", "aria2"], ["apt-get", "update"], ["apt-get", "install", "-y", "aria2"]):
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        if shutil.which("aria2c"):
            break
    return shutil.which("aria2c")


def aria2_input(rows, root: Path) -> str:
    lines = []
    for row in rows:
        folder = root / row["video_label"] / row["mp4_id"]
        for url, name in ((row["mp4_download_url"], f"{row['mp4_id']}.mp4"),
                          (row["mp4_background_image_url"], f"{row['mp4_id']}.jpeg")):
            lines += [url, f"  dir={folder}", f"  out={name}"]
    return "\n".join(lines) + "\n"


def timed(command, expect_files: int, root: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed ({result.returncode}): {result.stderr[-2000:]}")
    found = sum(1 for path in root.rglob("*") if path.suffix in (".mp4", ".jpeg"))
    if found != expect_files:
        raise SystemExit(f"{command[:3]} left {found} media files, expected {expect_files}")
    return seconds


def machine() -> str:
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable), {model}, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench_download_"))
    work.mkdir(parents=True, exist_ok=True)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.latency = args.latency
    base_url = f"http://127.0.0.1:{server.server_address[1]}"
    server.files, rows = make_corpus(args.items, base_url)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    manifest = work / "multimodal_data_info.json"
    manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    total_mb = sum(len(body) for body in server.files.values()) / 1e6
    expect = 2 * args.items

    variants = {
        "mmvideo": lambda root: [sys.executable, "-m", "mmvideo.cli.main", "download", str(manifest),
                                 "--out", str(root), "--quiet"],
        "mmvideo-w1": lambda root: [sys.executable, "-m", "mmvideo.cli.main", "download", str(manifest),
                                    "--out", str(root), "--quiet", "--workers", "1"],
    }
    aria2c = ensure_aria2c()
    if aria2c:
        def aria2_command(root: Path):
            input_file = work / "aria2_input.txt"
            input_file.write_text(aria2_input(rows, root), encoding="utf-8")
            return [aria2c, "-j", "16", "-i", str(input_file), "--header", f"Referer: {DEFAULT_REFERER}",
                    f"--user-agent={USER_AGENT}", "--file-allocation=none", "--allow-overwrite=true",
                    "--auto-file-renaming=false", "--console-log-level=error", "--summary-interval=0",
                    "--download-result=hide", "--quiet=true"]
        variants = {"aria2c": aria2_command, **variants}
    else:
        print("aria2c could not be installed: comparing mmvideo with itself only")

    print(f"machine: {machine()}")
    print(f"corpus: {args.items} items, {total_mb:.1f} MB, {args.latency * 1000:.0f} ms added per response; "
          f"{args.runs} alternating runs per variant")
    times = {name: [] for name in variants}
    for _ in range(args.runs):
        for name, command in variants.items():
            root = work / f"root_{name}"
            shutil.rmtree(root, ignore_errors=True)
            times[name].append(timed(command(root), expect, root))
            shutil.rmtree(root, ignore_errors=True)
    baseline = statistics.median(times["aria2c"]) if "aria2c" in times else None
    print(f"\n{'variant':<12} {'median s':>9} {'items/s':>8} {'MB/s':>7} {'vs aria2c':>9}   runs (s)")
    for name, seconds in times.items():
        median = statistics.median(seconds)
        ratio = f"{baseline / median:.2f}x" if baseline else "-"
        runs = " ".join(f"{value:.2f}" for value in seconds)
        print(f"{name:<12} {median:>9.2f} {args.items / median:>8.1f} {total_mb / median:>7.1f} {ratio:>9}   {runs}")
    server.shutdown()
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
