"""``mmvideo download``: exit codes, selection flags, and a real process killed or interrupted."""

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from download_server import Corpus, FaultServer, fake_clip, jpeg_cover, read_log, simple_corpus, tree_digest

from download_tools import download
from mmvideo.cli.main import main
from mmvideo.paths import item_paths

PROJECT = Path(__file__).resolve().parents[1]
FAST_ARGS = ["--quiet", "--workers", "4", "--retries", "1", "--timeout", "2"]


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


def _ids(root: Path) -> set[str]:
    return {path.name for path in root.glob("*/*") if path.is_dir()}


def test_exit_0_then_present(tmp_path, server, capsys):
    manifest = simple_corpus(server, 6).write_manifest(tmp_path / "multimodal_data_info.json")
    assert main(["download", str(manifest), "--out", str(tmp_path / "root"), *FAST_ARGS]) == 0
    assert "6 ok, 0 present, 0 failed" in capsys.readouterr().out
    assert main(["download", str(manifest), "--out", str(tmp_path / "root"), *FAST_ARGS]) == 0
    assert "0 ok, 6 present, 0 failed" in capsys.readouterr().out


def test_exit_3_when_some_fail(tmp_path, server, capsys):
    corpus = simple_corpus(server, 3)
    corpus.add("2000", "Sea", fake_clip(random.Random(0), 4000), jpeg_cover(1), clip_fault={"fault": "status"})
    manifest = corpus.write_manifest(tmp_path / "m.jsonl")
    assert main(["download", str(manifest), "--out", str(tmp_path / "root"), *FAST_ARGS]) == 3
    out = capsys.readouterr().out
    assert "3 ok, 0 present, 1 failed" in out and "mp4 http_404 x1" in out
    failed = [line for line in read_log(tmp_path / "root") if line["status"] == "failed"]
    assert [(line["id"], line["reason"]) for line in failed] == [("2000", "mp4 http_404")]


def test_exit_2_for_bad_usage_or_manifest(tmp_path, server, capsys):
    manifest = simple_corpus(server, 2).write_manifest(tmp_path / "m.jsonl")
    out = str(tmp_path / "root")
    assert main(["download", str(manifest), "--out", out, "--categories", "Seaa"]) == 2
    assert "did you mean 'Sea'" in capsys.readouterr().err
    assert main(["download", str(tmp_path / "missing.json"), "--out", out]) == 2
    garbage = tmp_path / "garbage.json"
    garbage.write_text("not a manifest\nat all\n", encoding="utf-8")
    assert main(["download", str(garbage), "--out", out]) == 2
    assert "neither JSON lines nor a JSON array" in capsys.readouterr().err
    garbage = garbage.rename(tmp_path / "garbage.jsonl")
    assert main(["download", str(garbage), "--out", out]) == 2
    assert "no usable rows" in capsys.readouterr().err
    bad_ids = tmp_path / "ids.txt"
    bad_ids.write_text("1000\n../etc\n", encoding="utf-8")
    assert main(["download", str(manifest), "--out", out, "--ids", str(bad_ids)]) == 2
    assert "line 2" in capsys.readouterr().err
    assert main(["download", str(manifest), "--out", out, "--workers", "0"]) == 2
    assert main(["download", str(manifest), "--out", out, "--ids", str(tmp_path / "none.txt")]) == 2
    for flags in (["--shard", "3/3"], ["--shard", "x"], ["--header", "no colon"], ["--workers", "many"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["download", str(manifest), "--out", out, *flags])
        assert exit_info.value.code == 2
    assert not Path(out).exists()
    assert server.hits.total() == 0


def test_category_limit_and_ids_selection(tmp_path, server):
    corpus = simple_corpus(server, 12)  # Sea: 1000, 1003, ...; City: 1001, ...; Beach: 1002, ...
    manifest = corpus.write_manifest(tmp_path / "m.jsonl")
    root = tmp_path / "chinese"
    assert main(["download", str(manifest), "--out", str(root), "--categories", "海滩", "sea",
                 "--limit-per-category", "2", *FAST_ARGS]) == 0
    assert {p.relative_to(root).as_posix() for p in root.glob("*/*")} == {
        "Sea/1000", "Sea/1003", "Beach/1002", "Beach/1005"}
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# wanted\n1001\n\n1004  # city\n9999\n", encoding="utf-8")
    root = tmp_path / "by_id"
    assert main(["download", str(manifest), "--out", str(root), "--ids", str(ids_file), *FAST_ARGS]) == 0
    assert _ids(root) == {"1001", "1004"}


def test_csv_and_json_array_manifests(tmp_path, server):
    corpus = simple_corpus(server, 4)
    array = tmp_path / "m.json"
    array.write_text(json.dumps(corpus.rows, ensure_ascii=False), encoding="utf-8")
    table = tmp_path / "m.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(corpus.rows[0]))
        writer.writeheader()
        writer.writerows(corpus.rows)
    for manifest in (array, table):
        root = tmp_path / manifest.suffix[1:]
        assert main(["download", str(manifest), "--out", str(root), *FAST_ARGS]) == 0
        assert _ids(root) == set(corpus.clips)
        assert tree_digest(root) == tree_digest(tmp_path / "json") or manifest is array


def test_shards_partition_the_corpus(tmp_path, server):
    corpus = simple_corpus(server, 30, clip_bytes=2000)
    manifest = corpus.write_manifest(tmp_path / "m.jsonl")
    shards = []
    for index in range(3):
        root = tmp_path / f"shard{index}"
        assert main(["download", str(manifest), "--out", str(root), "--shard", f"{index}/3", *FAST_ARGS]) == 0
        shards.append(_ids(root))
    assert all(shards) and sum(len(ids) for ids in shards) == 30
    assert set().union(*shards) == set(corpus.clips)
    assert server.hits.total() == 60  # each clip and cover fetched by exactly one shard


def _cli(manifest: Path, root: Path, *extra: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "mmvideo.cli.main", "download", str(manifest), "--out", str(root),
               "--workers", "4", "--retries", "1", "--timeout", "5", *extra]
    return subprocess.Popen(command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _assert_whole(root: Path, corpus: Corpus) -> None:
    """Every file at a final path is a whole copy of its source."""
    for mp4_id, labels in corpus.labels.items():
        for category in labels:
            paths = item_paths(root, category, mp4_id)
            for key, source in (("mp4", corpus.clips[mp4_id]), ("cover", corpus.covers[mp4_id])):
                if paths[key].exists():
                    assert paths[key].read_bytes() == source, paths[key]
            if paths["txt"].exists():
                assert json.loads(paths["txt"].read_text(encoding="utf-8"))["mp4_id"] == mp4_id


def _slow_corpus(tmp_path: Path, server: FaultServer, count: int) -> tuple[Corpus, Path]:
    """Slow bodies first (a kill often lands while one is being written), then ``count`` quick
    items, then one that always fails."""
    corpus = Corpus(server)
    for index in range(6):
        corpus.add(f"300{index}", ["Sea", "Beach"] if index == 0 else "Nature",
                   fake_clip(random.Random(index), 200_000), jpeg_cover(index),
                   clip_fault={"fault": "trickle", "delay": 0.08})
    quick = simple_corpus(server, count, clip_bytes=30_000)
    for mp4_id, labels in quick.labels.items():
        corpus.add(mp4_id, labels, quick.clips[mp4_id], quick.covers[mp4_id])
    corpus.add("3010", "City", fake_clip(random.Random(9), 5_000), jpeg_cover(9), clip_fault={"fault": "status"})
    return corpus, corpus.write_manifest(tmp_path / "multimodal_data_info.json")


def test_killed_run_then_rerun_ends_in_the_same_tree(tmp_path):
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    with FaultServer(latency=0.1) as server:
        corpus, manifest = _slow_corpus(tmp_path, server, 60)
        reference = download(manifest, tmp_path / "reference", workers=4, retries=1)
        assert (reference.ok, reference.failed) == (66, 1)
        root = tmp_path / "root"
        # Two kills at random points: a whole run takes over 3 s, the first kill leaves over 1.9 s.
        for latest in (1.2, 1.2):
            process = _cli(manifest, root)
            time.sleep(rng.uniform(0.3, latest))
            process.kill()
            process.communicate()
            assert process.returncode == -signal.SIGKILL, f"seed {seed}: the run ended before the kill"
            _assert_whole(root, corpus)
        process = _cli(manifest, root)
        out, err = process.communicate(timeout=60)
    assert process.returncode == 3, (seed, out, err)
    assert list((root / ".partial").iterdir()) == []
    assert tree_digest(root) == tree_digest(tmp_path / "reference"), f"seed {seed}"
    _assert_whole(root, corpus)
    final = {line["id"]: line["status"] for line in read_log(root)}  # the last line of each id wins
    assert set(final) == set(corpus.clips) and final["3010"] == "failed"


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"])
def test_an_interrupt_stops_quickly_and_writes_the_log(tmp_path, signum, code):
    """Ctrl-C exits 130, SIGTERM (kill, a scheduler) 143; both keep the log and finished files."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.SIG_IGN:  # a child would inherit "ignore Ctrl-C" (a shell's background job)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with FaultServer(latency=0.2) as server:
            corpus, manifest = _slow_corpus(tmp_path, server, 60)
            root = tmp_path / "root"
            process = _cli(manifest, root, "--workers", "2")
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline and len(_log_lines(root)) < 2:
                time.sleep(0.05)
            logged_before = len(_log_lines(root))
            assert logged_before >= 2
            process.send_signal(signum)
            sent = time.monotonic()
            out, err = process.communicate(timeout=30)
            took = time.monotonic() - sent
    finally:
        signal.signal(signal.SIGINT, previous)
    assert process.returncode == code, (out, err)
    assert took < 5, f"took {took:.1f} s to stop"
    assert "interrupted after" in out and "Traceback" not in err
    lines = read_log(root)
    assert logged_before <= len(lines) < 67
    assert all(line["status"] == "ok" for line in lines)
    _assert_whole(root, corpus)


def _log_lines(root: Path) -> list[str]:
    try:
        return (root / "download_log.jsonl").read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
