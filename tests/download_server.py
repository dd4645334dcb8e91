"""A fault-injecting HTTP server on 127.0.0.1 and a generated corpus for the download tests.

Each path serves one body with one fault (for its first ``times`` hits, then it behaves); the
server counts hits, keeps the request headers, and how many body bytes each response really sent.
Faults: ok, status (any code, with an HTML body), fail_then_ok (503), retry_after (429),
truncate (Content-Length larger than sent, then close), stall (sleep before answering),
stall_body (half the body, then sleep), html (200 text/html), html_as_video (200 with the
route's media type but an HTML body), need_referer (403 without a Referer), redirect, trickle
(the body in pieces with pauses), no_length (no Content-Length, body until close).
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

HTML_PAGE = b"<!DOCTYPE html><html><body>Please log in to view this video.</body></html>"
_SEND_CHUNK = 64 << 10


@dataclass
class Route:
    body: bytes
    content_type: str = "application/octet-stream"
    fault: str = "ok"
    times: int | None = None  # the fault lasts this many hits (None: always)
    status: int = 404  # for fault "status"
    delay: float = 0.0  # stall / retry_after seconds
    target: str = ""  # redirect Location


@dataclass
class Hit:
    path: str
    time: float
    headers: dict
    sent: int = 0


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):  # quiet
        pass

    def _head(self, status: int, content_type: str, length: int | None, extra: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if length is not None:
            self.send_header("Content-Length", str(length))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()

    def _body(self, hit: Hit, body: bytes) -> None:
        for start in range(0, len(body), _SEND_CHUNK):
            self.wfile.write(body[start:start + _SEND_CHUNK])
            hit.sent += min(_SEND_CHUNK, len(body) - start)

    def do_GET(self):  # noqa: N802 (http.server's name)
        owner: FaultServer = self.server.owner
        path = urlsplit(self.path).path
        hit = owner._record(path, dict(self.headers))
        try:
            if owner.latency:
                time.sleep(owner.latency)
            self._answer(owner, path, hit)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _answer(self, owner: FaultServer, path: str, hit: Hit) -> None:
        route = owner.routes.get(path)
        if route is None:
            self._head(404, "text/html", len(HTML_PAGE))
            self._body(hit, HTML_PAGE)
            return
        number = owner.hits[path]
        fault = route.fault if route.times is None or number <= route.times else "ok"
        body = route.body
        if fault == "status" or (fault == "need_referer" and not self.headers.get("Referer")):
            self._head(route.status if fault == "status" else 403, "text/html", len(HTML_PAGE))
            self._body(hit, HTML_PAGE)
        elif fault == "fail_then_ok":
            self._head(503, "text/html", len(HTML_PAGE))
            self._body(hit, HTML_PAGE)
        elif fault == "retry_after":
            self._head(429, "text/plain", 4, {"Retry-After": str(int(route.delay))})
            self._body(hit, b"slow")
        elif fault == "truncate":
            self._head(200, route.content_type, len(body) + 1000)
            self._body(hit, body[: len(body) // 2])
            self.close_connection = True
        elif fault == "stall":
            time.sleep(route.delay)
            self._head(200, route.content_type, len(body))
            self._body(hit, body)
        elif fault == "stall_body":
            self._head(200, route.content_type, len(body))
            self._body(hit, body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(route.delay)
            self.close_connection = True
        elif fault in ("html", "html_as_video"):
            kind = "text/html; charset=utf-8" if fault == "html" else route.content_type
            self._head(200, kind, len(HTML_PAGE))
            self._body(hit, HTML_PAGE)
        elif fault == "redirect":
            self._head(302, "text/html", 0, {"Location": route.target})
        elif fault == "trickle":  # the body in 8 pieces, ``delay`` seconds apart
            self._head(200, route.content_type, len(body))
            piece = -(-len(body) // 8)
            for start in range(0, len(body), piece):
                self._body(hit, body[start:start + piece])
                time.sleep(route.delay)
        elif fault == "no_length":
            self._head(200, route.content_type, None)
            self._body(hit, body)
        else:
            self._head(200, route.content_type, len(body))
            self._body(hit, body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):  # a client hanging up is part of the tests
        pass


class FaultServer:
    """``with FaultServer() as server: url = server.add("/a.mp4", body, fault=...)``."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.routes: dict[str, Route] = {}
        self.hits: Counter = Counter()
        self.log: list[Hit] = []
        self._lock = threading.Lock()
        self._server = _QuietServer(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def add(self, path: str, body: bytes, content_type: str = "application/octet-stream", **fault) -> str:
        self.routes[path] = Route(body, content_type, **fault)
        return self.base_url + path

    def _record(self, path: str, headers: dict) -> Hit:
        hit = Hit(path, time.monotonic(), headers)
        with self._lock:
            self.hits[path] += 1
            self.log.append(hit)
        return hit

    def hits_of(self, path: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.log if hit.path == path]

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._server.shutdown()
        self._server.server_close()


# --- generated media ----------------------------------------------------------------------------

def fake_clip(rng: random.Random, size: int) -> bytes:
    """An ISO-BMFF ``ftyp`` box, then random bytes: passes magic checks, does not decode."""
    header = struct.pack(">I4s4sI8s", 24, b"ftyp", b"isom", 512, b"isomavc1")
    return header + rng.randbytes(max(0, size - len(header)))


def real_clip(seed: int, frames: int = 4) -> bytes:
    """A real, decodable H.264 (or MPEG-4) mp4 of a few 64x48 frames, encoded with PyAV."""
    import av
    import numpy as np

    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
        stream = container.add_stream(codec, rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for index in range(frames):
            pixels = np.full((48, 64, 3), (seed * 37 + index * 20) % 256, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def jpeg_cover(seed: int, size: tuple[int, int] = (32, 24), quality: int = 80) -> bytes:
    from PIL import Image

    rng = random.Random(seed)
    image = Image.new("RGB", size, (rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


# --- manifest and tree helpers --------------------------------------------------------------------

@dataclass
class Corpus:
    """Manifest rows and the bytes each item should end up with."""

    server: FaultServer
    rows: list[dict] = field(default_factory=list)
    clips: dict[str, bytes] = field(default_factory=dict)
    covers: dict[str, bytes] = field(default_factory=dict)
    labels: dict[str, list[str]] = field(default_factory=dict)

    def add(self, mp4_id: str, labels, clip: bytes, cover: bytes, clip_fault: dict | None = None,
            cover_fault: dict | None = None, clip_url: str | None = None, cover_url: str | None = None,
            clip_type: str = "video/mp4", cover_type: str = "image/jpeg") -> None:
        labels = [labels] if isinstance(labels, str) else list(labels)
        self.clips[mp4_id], self.covers[mp4_id], self.labels[mp4_id] = clip, cover, labels
        served_clip = self.server.add(f"/v/{mp4_id}.mp4", clip, clip_type, **(clip_fault or {}))
        served_cover = self.server.add(f"/i/{mp4_id}.jpeg", cover, cover_type, **(cover_fault or {}))
        clip_url = served_clip if clip_url is None else clip_url
        cover_url = served_cover if cover_url is None else cover_url
        for label in labels:
            self.rows.append({
                "mp4_id": mp4_id, "video_label": label, "mp4_time": "0:15",
                "mp4_download_url": clip_url, "mp4_background_image_url": cover_url,
                "mp4_txt_brief": f"clip {mp4_id} 描述",
            })

    def write_manifest(self, path: Path) -> Path:
        path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in self.rows), encoding="utf-8")
        return path


def simple_corpus(server: FaultServer, count: int, seed: int = 0, clip_bytes: int = 20_000,
                  categories=("Sea", "City", "Beach")) -> Corpus:
    """``count`` fault-free items spread over ``categories``; ids ``"1000"``, ``"1001"``, ..."""
    rng = random.Random(seed)
    corpus = Corpus(server)
    for index in range(count):
        mp4_id = str(1000 + index)
        corpus.add(mp4_id, categories[index % len(categories)], fake_clip(rng, clip_bytes), jpeg_cover(index))
    return corpus


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root`` but the log, the lock and ``.partial``."""
    digests = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if relative.parts[0] in (".partial", "download_log.jsonl", ".download.lock") or not path.is_file():
            continue
        digests[str(relative)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def read_log(root: Path) -> list[dict]:
    text = (root / "download_log.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]
