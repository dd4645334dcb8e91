"""The download stages one by one, without a network: options, selection, checks, backoff, rate."""

import random
import threading
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from download_server import fake_clip, jpeg_cover

from download_tools.fetch import MAX_BACKOFF_S, backoff_delay, check_url, parse_retry_after
from download_tools.options import DEFAULT_REFERER, build_headers, parse_header, parse_shard
from download_tools.ratelimit import TokenBucket
from download_tools.selection import read_ids_file, select
from download_tools.validate import check_content_type, check_magic
from mmvideo import taxonomy
from mmvideo.manifest import Manifest
from mmvideo.records import VideoRecord
from mmvideo.taxonomy import UnknownCategoryError


def _manifest(labels_by_id):
    manifest = Manifest()
    for mp4_id, labels in labels_by_id.items():
        labels = tuple(sorted(labels, key=taxonomy.class_id))
        manifest.add(VideoRecord(mp4_id, labels, None, f"http://h/{mp4_id}.mp4", f"http://h/{mp4_id}.jpeg"))
    return manifest


def test_shards_partition_ids_exactly_and_stably():
    ids = [str(n) for n in range(100_000, 103_000)]
    shards = [parse_shard(f"{index}/3") for index in range(3)]
    owners = [[shard for shard in shards if shard.contains(mp4_id)] for mp4_id in ids]
    assert all(len(found) == 1 for found in owners)
    sizes = [sum(1 for found in owners if found[0] is shard) for shard in shards]
    assert all(900 < size < 1100 for size in sizes), sizes
    # Pinned: shards come from sha1 (not Python's randomized hash), so every machine and every run
    # agrees; changing the function would move ids between machines in the middle of a job.
    assert [n for n in range(20) if parse_shard("1/3").contains(str(n))] == [1, 2, 3, 11, 13, 19]


@pytest.mark.parametrize("text", ["3/3", "-1/3", "1/0", "x", "1-3", "", "1/3/5"])
def test_bad_shards_are_refused(text):
    with pytest.raises(ValueError, match="shard"):
        parse_shard(text)


def test_headers_defaults_overrides_and_removal():
    headers = build_headers(["referer: https://example.org/", "X-A: 1"])
    assert headers["referer"] == "https://example.org/" and "Referer" not in headers and headers["X-A"] == "1"
    assert build_headers()["Referer"] == DEFAULT_REFERER and build_headers()["User-Agent"].startswith("mmvideo/0")
    assert "Referer" not in build_headers(["Referer:"])
    assert parse_header("Cookie: a=b: c") == ("Cookie", "a=b: c")
    for bad in ("no colon", "Bad Name: x", ": x", "X: a\r\nInjected: 1"):
        with pytest.raises(ValueError):
            parse_header(bad)


def test_magic_bytes_and_content_types():
    rng = random.Random(0)
    assert check_magic("mp4", fake_clip(rng, 100)[:16]) is None
    assert check_magic("cover", jpeg_cover(0)[:16]) is None
    assert check_magic("cover", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR") is None
    assert check_magic("cover", b"RIFF\x10\0\0\0WEBPVP8 ") is None
    assert check_magic("mp4", b"<!DOCTYPE html><html>")[0] == "html_page"
    assert check_magic("cover", b"  <html><body>")[0] == "html_page"
    assert check_magic("mp4", jpeg_cover(0)[:16])[0] == "not_video"
    assert check_magic("cover", fake_clip(rng, 100)[:16])[0] == "not_image"
    assert check_magic("mp4", b"")[0] == "not_video"
    assert check_content_type("mp4", "text/html; charset=utf-8")[0] == "html_page"
    assert check_content_type("cover", "application/json")[0] == "not_image"
    for fine in ("video/mp4", "application/octet-stream", None, "image/jpeg", "binary/octet-stream"):
        assert check_content_type("mp4", fine) is None


def test_only_http_urls():
    assert check_url("http://example.org/a.mp4") is None and check_url("HTTPS://example.org/a") is None
    for bad in ("file:///etc/passwd", "ftp://h/a.mp4", "/local/path.mp4", "http:///nohost", "gopher://h/", ""):
        assert check_url(bad)[0] == "bad_url", bad


def test_retry_after_parsing_is_capped():
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("5", 60) == 5
    assert parse_retry_after("3600", 60) == 60
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), 60, now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), 60, now) == 0
    assert parse_retry_after("soon", 60) is None and parse_retry_after(None, 60) is None


def test_backoff_grows_exponentially_with_jitter_and_a_cap():
    rng = random.Random(0)
    for attempt in range(1, 6):
        delays = [backoff_delay(attempt, 0.5, rng) for _ in range(200)]
        nominal = 0.5 * 2 ** (attempt - 1)
        assert nominal * 0.5 <= min(delays) and max(delays) <= nominal
        assert max(delays) - min(delays) > nominal * 0.3  # jittered, not constant
    assert backoff_delay(30, 1.0, rng) <= MAX_BACKOFF_S


def test_token_bucket_caps_the_rate_and_stops_on_request():
    bucket = TokenBucket(20)
    started = time.monotonic()
    threads = [threading.Thread(target=lambda: [bucket.acquire() for _ in range(2)]) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert time.monotonic() - started >= 0.4  # 10 tokens at 20/s, the first free: >= 9 x 50 ms
    stop = threading.Event()
    slow = TokenBucket(0.01)
    assert slow.acquire(stop)
    stop.set()
    assert slow.acquire(stop) is False  # returns at once instead of waiting 100 s


def test_selection_categories_limits_and_ids():
    manifest = _manifest({"1": ["Sea"], "2": ["Sea", "Beach"], "3": ["City"], "4": ["Beach"], "5": ["Sea"], "6": []})
    picked = select(manifest, ["海滩", "sea"])
    assert [(item.mp4_id, item.categories) for item in picked.items] == [
        ("1", ("Sea",)), ("2", ("Beach", "Sea")), ("4", ("Beach",)), ("5", ("Sea",))]
    limited = select(manifest, ["Sea", "Beach"], limit_per_category=1)
    assert [(item.mp4_id, item.categories) for item in limited.items] == [("1", ("Sea",)), ("2", ("Beach",))]
    everything = select(manifest)
    assert [item.mp4_id for item in everything.items] == ["1", "2", "3", "4", "5", "6"]
    assert everything.items[-1].categories == ()  # fails later as no_category
    by_id = select(manifest, ids=["3", "5", "99"])
    assert [item.mp4_id for item in by_id.items] == ["3", "5"] and by_id.missing_ids == ["99"]
    with pytest.raises(UnknownCategoryError, match="did you mean"):
        select(manifest, ["Beech"])


def test_shards_of_a_selection_partition_that_selection():
    manifest = _manifest({str(n): [["Sea", "City", "Beach"][n % 3]] for n in range(300)})
    whole = select(manifest, ["Sea", "City"], limit_per_category=40)
    parts = [select(manifest, ["Sea", "City"], limit_per_category=40, shard=parse_shard(f"{i}/4")) for i in range(4)]
    ids = [item.mp4_id for part in parts for item in part.items]
    assert sorted(ids) == sorted(item.mp4_id for item in whole.items) and len(ids) == 80


def test_ids_file(tmp_path):
    path = tmp_path / "ids.txt"
    path.write_text("\ufeff1\n  2  \n# comment\n\n3 # trailing\n", encoding="utf-8")
    assert read_ids_file(path) == ["1", "2", "3"]
    path.write_text("1\nnot/an/id\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_ids_file(path)
