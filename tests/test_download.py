"""The download library: resume, links, headers, decode checks, rate, safety, options."""

import os
import random
from collections import Counter
from pathlib import Path

import pytest
from download_server import HTML_PAGE, Corpus, FaultServer, fake_clip, jpeg_cover, read_log, tree_digest

from download_tools import download
from mmvideo.paths import item_paths

FAST = {"backoff_base": 0.01, "timeout": 0.4, "retries": 3, "workers": 6}


def _small_run(tmp_path, server, count=6, **options):
    rng = random.Random(1)
    corpus = Corpus(server)
    for index in range(count):
        labels = ["Sea", "Beach"] if index == 0 else "City"
        corpus.add(str(500 + index), labels, fake_clip(rng, 8_000), jpeg_cover(index))
    manifest = corpus.write_manifest(tmp_path / "m.jsonl")
    return corpus, manifest, download(manifest, tmp_path / "root", **{**FAST, **options})


def test_resume_fetches_only_what_is_missing(tmp_path):
    with FaultServer() as server:
        corpus, manifest, first = _small_run(tmp_path, server)
        root = tmp_path / "root"
        before = tree_digest(root)
        assert first.ok == 6 and len(before) == 6 * 3 + 3  # + the second category of item 500
        hits = sum(server.hits.values())
        second = download(manifest, root, **FAST)
        assert (second.ok, second.present, second.failed, second.bytes) == (0, 6, 0, 0)
        assert sum(server.hits.values()) == hits
        item_paths(root, "City", "503")["cover"].unlink()
        item_paths(root, "Beach", "500")["mp4"].unlink()  # still whole in Sea: linked, not fetched
        third = download(manifest, root, **FAST)
        assert (third.ok, third.present, third.bytes) == (2, 4, len(corpus.covers["503"]))
        assert sum(server.hits.values()) == hits + 1 and server.hits["/i/503.jpeg"] == 2
        assert tree_digest(root) == before
        statuses = [line["status"] for line in read_log(root)]
        assert Counter(statuses) == {"ok": 8, "present": 10}


def test_leftovers_and_bad_files_from_earlier_runs_are_replaced(tmp_path):
    root = tmp_path / "root"
    (root / ".partial").mkdir(parents=True)
    (root / ".partial" / "500.mp4.dead").write_bytes(b"half a clip")
    stale = item_paths(root, "City", "501")
    stale["mp4"].parent.mkdir(parents=True)
    stale["mp4"].write_bytes(HTML_PAGE)  # what the old crawler saved for a refused hot-link
    outside = tmp_path / "outside.jpeg"
    outside.write_bytes(jpeg_cover(99))
    stale["cover"].symlink_to(outside)
    with FaultServer() as server:
        corpus, manifest, summary = _small_run(tmp_path, server)
    assert summary.ok == 6
    assert list((root / ".partial").iterdir()) == []
    assert stale["mp4"].read_bytes() == corpus.clips["501"]
    assert not stale["cover"].is_symlink() and stale["cover"].read_bytes() == corpus.covers["501"]
    assert outside.read_bytes() == jpeg_cover(99)


def test_copies_when_hard_links_are_impossible(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError(1, "Operation not permitted")

    monkeypatch.setattr(os, "link", refuse)
    with FaultServer() as server:
        corpus, manifest, summary = _small_run(tmp_path, server, count=2)
    sea, beach = item_paths(tmp_path / "root", "Sea", "500"), item_paths(tmp_path / "root", "Beach", "500")
    assert summary.ok == 2 and server.hits["/v/500.mp4"] == 1
    for key in ("mp4", "cover", "txt"):
        assert os.stat(sea[key]).st_ino != os.stat(beach[key]).st_ino
        assert sea[key].read_bytes() == beach[key].read_bytes()


def test_referer_can_be_removed_and_headers_overridden(tmp_path):
    with FaultServer() as server:
        corpus = Corpus(server)
        corpus.add("600", "Sea", fake_clip(random.Random(0), 5000), jpeg_cover(0), clip_fault={"fault": "need_referer"})
        manifest = corpus.write_manifest(tmp_path / "m.jsonl")
        summary = download(manifest, tmp_path / "root", headers=["Referer:", "User-Agent: tester/1", "X-Token: a"],
                           **FAST)
        assert summary.failed == 1 and summary.reasons == {"mp4 http_403": 1}
        assert server.hits["/v/600.mp4"] == 1  # a 403 is not retried
        cover_hit = server.hits_of("/i/600.jpeg")[0]
        assert "Referer" not in cover_hit.headers
        assert cover_hit.headers["User-Agent"] == "tester/1" and cover_hit.headers["X-Token"] == "a"


def test_verify_decode(tmp_path):
    from download_server import real_clip

    good_cover = jpeg_cover(3)
    with FaultServer() as server:
        corpus = Corpus(server)
        corpus.add("700", "Sea", real_clip(1), good_cover)
        corpus.add("701", "Sea", fake_clip(random.Random(0), 5000), good_cover)
        corpus.add("702", "Sea", real_clip(2), good_cover[: len(good_cover) // 2])  # truncated
        manifest = corpus.write_manifest(tmp_path / "m.jsonl")
        plain = download(manifest, tmp_path / "plain", **FAST)
        checked = download(manifest, tmp_path / "checked", verify_decode=True, **FAST)
    assert plain.ok == 3  # magic bytes alone cannot tell
    assert checked.ok == 1 and checked.reasons == {"mp4 decode_error": 1, "cover bad_image": 1}
    assert item_paths(tmp_path / "checked", "Sea", "700")["mp4"].read_bytes() == corpus.clips["700"]
    assert not item_paths(tmp_path / "checked", "Sea", "701")["mp4"].exists()
    assert not item_paths(tmp_path / "checked", "Sea", "702")["cover"].exists()


def test_rate_caps_requests_per_second(tmp_path):
    with FaultServer() as server:
        corpus, manifest, summary = _small_run(tmp_path, server, count=5, rate=20, workers=4)
        times = sorted(hit.time for hit in server.log)
    assert len(times) == 10 and summary.ok == 5
    assert times[-1] - times[0] >= 0.4  # 10 requests at 20/s: at least 9 gaps of 50 ms


def test_nothing_is_written_outside_root(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "root"
    root.mkdir()
    (root / "Sea").symlink_to(outside, target_is_directory=True)
    with FaultServer() as server:
        corpus, manifest, summary = _small_run(tmp_path, server, count=3)
    assert list(outside.iterdir()) == []
    assert summary.ok == 2 and summary.reasons == {"item bad_path": 1}  # item 500 is in Sea


def test_a_second_run_on_the_same_root_is_refused(tmp_path):
    import fcntl

    root = tmp_path / "root"
    root.mkdir()
    with open(root / ".download.lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with FaultServer() as server:
            with pytest.raises(ValueError, match="already running"):
                _small_run(tmp_path, server, count=1)


def test_rows_without_category_or_url_fail_and_bad_rows_are_counted(tmp_path):
    with FaultServer() as server:
        corpus = Corpus(server)
        corpus.add("800", "Sea", fake_clip(random.Random(0), 5000), jpeg_cover(0))
        corpus.add("801", "Sea", fake_clip(random.Random(1), 5000), jpeg_cover(1), cover_url="")
        corpus.rows.append({**corpus.rows[0], "mp4_id": "802", "video_label": ""})
        corpus.rows.append({**corpus.rows[0], "mp4_id": "../../etc"})
        manifest = corpus.write_manifest(tmp_path / "m.jsonl")
        summary = download(manifest, tmp_path / "root", **FAST)
    assert (summary.ok, summary.failed) == (1, 2)
    assert summary.reasons == {"cover no_url": 1, "item no_category": 1}
    assert summary.rejected_rows == {"bad_id": 1}
    assert not (tmp_path / "etc").exists()
    assert item_paths(tmp_path / "root", "Sea", "801")["mp4"].exists()  # the part that arrived is kept


def test_library_refuses_bad_options(tmp_path):
    manifest = Path(tmp_path / "m.jsonl")
    manifest.write_text('{"mp4_id": "1", "video_label": "Sea"}\n', encoding="utf-8")
    for options in ({"workers": 0}, {"retries": -1}, {"timeout": 0}, {"max_bytes": 0}, {"shard": "3/3"},
                    {"rate": 0}, {"headers": ["no colon"]}, {"ids": "123"}, {"categories": ["Seaa"]}):
        with pytest.raises(ValueError):
            download(manifest, tmp_path / "root", **options)
    assert not (tmp_path / "root").exists()
