"""One download run against every fault the server injects: what lands, what is logged, what is retried."""

import os
import random
from collections import Counter

import pytest
from download_server import Corpus, FaultServer, fake_clip, jpeg_cover, read_log, tree_digest

from download_tools import download
from mmvideo import taxonomy
from mmvideo.paths import item_paths
from mmvideo.records import VideoRecord

FAST = {"backoff_base": 0.01, "timeout": 0.4, "retries": 3, "workers": 6}
CAP = 400_000
BIG = 24_000_000  # larger than loopback socket buffers, so a sender that was cut off shows it


def _record(corpus, mp4_id):
    row = next(row for row in corpus.rows if row["mp4_id"] == mp4_id)
    return VideoRecord(mp4_id, (), 15.0, row["mp4_download_url"], row["mp4_background_image_url"],
                       row["mp4_txt_brief"])


def _faulty_corpus(server: FaultServer) -> tuple[Corpus, dict]:
    """Items with every fault; returns the corpus and ``id -> expected reason`` ("" when ok)."""
    rng = random.Random(7)
    corpus = Corpus(server)
    expected = {}

    def item(mp4_id, reason="", labels="Sea", clip=None, cover=None, **kwargs):
        clip = clip if clip is not None else fake_clip(rng, rng.randrange(5_000, 60_000))
        corpus.add(mp4_id, labels, clip, cover if cover is not None else jpeg_cover(int(mp4_id)), **kwargs)
        expected[mp4_id] = reason

    for mp4_id in ("100", "101", "102", "103"):
        item(mp4_id, labels=["City", "Sea", "Nature"][int(mp4_id) % 3])
    item("104", labels=["Sea", "Beach"])  # one video, two categories
    item("110", clip_fault={"fault": "fail_then_ok", "times": 3})
    item("111", clip_fault={"fault": "retry_after", "times": 1, "delay": 1})
    item("112", clip_fault={"fault": "truncate", "times": 1})
    item("113", clip_fault={"fault": "stall", "times": 1, "delay": 1.2})
    item("114", cover_fault={"fault": "stall_body", "times": 1, "delay": 1.2})
    item("115", clip_fault={"fault": "need_referer"})
    item("116", cover_url=server.add("/hop/116", b"", fault="redirect", target="/i/116.jpeg"))
    item("117", clip=fake_clip(rng, 390_000))  # just under the cap
    item("200", "mp4 http_500", clip_fault={"fault": "status", "status": 500})
    item("201", "mp4 truncated", clip_fault={"fault": "truncate"})
    item("202", "mp4 html_page", clip_fault={"fault": "html"})
    item("203", "mp4 html_page", clip_fault={"fault": "html_as_video"})
    item("204", "cover html_page", cover_fault={"fault": "html"})
    item("205", "mp4 http_404", clip_fault={"fault": "status", "status": 404})
    item("206", "cover http_403", cover_fault={"fault": "status", "status": 403})
    item("207", "mp4 http_410", clip_fault={"fault": "status", "status": 410})
    item("208", "mp4 redirect_refused",
         clip_url=server.add("/hop/208", b"", fault="redirect", target="file:///etc/passwd"))
    item("209", "mp4 bad_url; cover bad_url", clip_url="file:///etc/passwd", cover_url="ftp://127.0.0.1/x.jpeg")
    item("210", "cover not_image", cover=bytes(range(256)) * 12)  # binary, but no image
    item("211", "mp4 too_large", clip=fake_clip(rng, BIG))
    item("212", "mp4 too_large", clip=fake_clip(rng, BIG), clip_fault={"fault": "no_length"})
    item("213", "mp4 timeout", clip_fault={"fault": "stall", "delay": 3})
    item("214", "mp4 http_429", clip_fault={"fault": "retry_after", "delay": 0})
    return corpus, expected


@pytest.fixture(scope="module")
def faulty_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faulty")
    with FaultServer(latency=0.005) as server:
        corpus, expected = _faulty_corpus(server)
        manifest = corpus.write_manifest(tmp / "multimodal_data_info.json")
        summary = download(manifest, tmp / "root", max_bytes=CAP, **FAST)
        yield server, corpus, expected, tmp / "root", summary


def test_every_obtainable_item_lands_byte_identical(faulty_run):
    server, corpus, expected, root, summary = faulty_run
    for mp4_id, reason in expected.items():
        for category in corpus.labels[mp4_id]:
            paths = item_paths(root, category, mp4_id)
            if not reason:
                assert paths["mp4"].read_bytes() == corpus.clips[mp4_id], mp4_id
                assert paths["cover"].read_bytes() == corpus.covers[mp4_id], mp4_id
                assert paths["txt"].read_text(encoding="utf-8") == _record(corpus, mp4_id).to_txt()
            if "mp4" in reason:
                assert not paths["mp4"].exists(), mp4_id
            if "cover" in reason:
                assert not paths["cover"].exists(), mp4_id
    assert summary.ok == sum(1 for reason in expected.values() if not reason)
    assert summary.failed == sum(1 for reason in expected.values() if reason)
    assert summary.present == 0


def test_no_partial_file_at_a_final_path(faulty_run):
    server, corpus, expected, root, summary = faulty_run
    sources = {*corpus.clips.values(), *corpus.covers.values()}
    for relative in tree_digest(root):
        path = root / relative
        if path.suffix in (".mp4", ".jpeg"):
            assert path.read_bytes() in sources, relative
    assert list((root / ".partial").iterdir()) == []


def test_every_failure_is_logged_with_its_reason(faulty_run):
    server, corpus, expected, root, summary = faulty_run
    lines = read_log(root)
    assert sorted(line["id"] for line in lines) == sorted(expected)
    for line in lines:
        assert {"id", "categories", "status", "reason", "bytes", "attempts"} <= set(line)
        assert line["reason"] == expected[line["id"]], line
        assert line["status"] == ("failed" if expected[line["id"]] else "ok"), line
        assert line["categories"] == sorted(corpus.labels[line["id"]], key=taxonomy.class_id)
    wanted = Counter(part for reason in expected.values() if reason for part in reason.split("; "))
    assert summary.reasons == wanted
    text = summary.format()
    assert "mp4 http_404 x1" in text and f"{summary.failed} failed" in text


def test_retries_only_what_can_recover(faulty_run):
    server, corpus, expected, root, summary = faulty_run
    attempts = {line["id"]: line["attempts"] for line in read_log(root)}
    assert server.hits["/v/110.mp4"] == 4 and attempts["110"] == 5  # 3 x 503, then ok; + 1 cover
    assert server.hits["/v/200.mp4"] == FAST["retries"] + 1
    assert server.hits["/v/201.mp4"] == FAST["retries"] + 1
    assert server.hits["/v/213.mp4"] == FAST["retries"] + 1
    for path in ("/v/205.mp4", "/i/206.jpeg", "/v/207.mp4", "/v/202.mp4", "/hop/208", "/v/211.mp4"):
        assert server.hits[path] == 1, path  # 404, 403, 410, HTML, refused redirect, too large
    assert server.hits["/v/112.mp4"] == 2 and server.hits["/v/113.mp4"] == 2 and server.hits["/i/114.jpeg"] == 2


def test_retry_after_is_honoured(faulty_run):
    server = faulty_run[0]
    first, second = server.hits_of("/v/111.mp4")
    assert second.time - first.time >= 0.95


def test_headers_sent(faulty_run):
    server = faulty_run[0]
    for hit in server.log:
        assert hit.headers["Referer"] == "https://www.xinpianchang.com/"
        assert hit.headers["User-Agent"].startswith("mmvideo/")


def test_size_cap_stops_reading(faulty_run):
    server, corpus, expected, root, summary = faulty_run
    with_length, without_length = server.hits_of("/v/211.mp4")[0], server.hits_of("/v/212.mp4")[0]
    # Refused on its Content-Length: the client hung up before the body was taken.
    assert with_length.sent < BIG // 2
    # No Content-Length: reading stopped once over the cap, long before the end.
    assert without_length.sent < BIG // 2
    log = {line["id"]: line for line in read_log(root)}
    assert log["117"]["status"] == "ok" and log["211"]["errors"][0]["detail"].startswith("Content-Length")


def test_duplicate_video_is_fetched_once_and_linked(faulty_run):
    server, corpus, expected, root, summary = faulty_run
    sea, beach = item_paths(root, "Sea", "104"), item_paths(root, "Beach", "104")
    assert server.hits["/v/104.mp4"] == 1 and server.hits["/i/104.jpeg"] == 1
    for key in ("mp4", "cover", "txt"):
        assert os.stat(sea[key]).st_ino == os.stat(beach[key]).st_ino
