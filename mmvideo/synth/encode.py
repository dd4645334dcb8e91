"""Writing clips (H.264 in MP4, with PyAV) and covers (JPEG, with Pillow), reproducibly.

libx264 output depends on its thread count (frame threads change the lookahead), so the encoder
runs with one thread: the same frames give byte-identical files on every run and machine with
the same libx264. Files are written under a temporary name and renamed, so a crash never leaves
a half-written file under the final name.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import av
import numpy as np
from PIL import Image

CODEC = "libx264"
PIX_FMT = "yuv420p"
X264_OPTIONS = {"preset": "fast", "crf": "20"}
JPEG_QUALITY = 90


def _write_atomically(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.part")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def h264_bytes(frames: np.ndarray, fps: int) -> bytes:
    """An MP4 holding ``frames`` (``uint8 [T, H, W, 3]`` RGB, even H and W) as H.264 at ``fps``."""
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError(f"`frames` must be uint8 [T, H, W, 3] with T >= 1, got {frames.dtype} {frames.shape}")
    height, width = frames.shape[1:3]
    if height % 2 or width % 2:
        raise ValueError(f"H.264 4:2:0 needs an even width and height, got {width}x{height}")
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="mp4") as container:
        stream = container.add_stream(CODEC, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, PIX_FMT
        stream.options = dict(X264_OPTIONS)
        stream.codec_context.thread_count = 1
        for index, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            frame.pts = index
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return buffer.getvalue()


def jpeg_bytes(rgb: np.ndarray) -> bytes:
    """``rgb`` (``uint8 [H, W, 3]``) as a baseline JPEG."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb, dtype=np.uint8)).save(buffer, format="JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


def write_h264(path: Path, frames: np.ndarray, fps: int) -> int:
    """Writes ``frames`` as an H.264 MP4 at ``path``; returns its size in bytes."""
    data = h264_bytes(frames, fps)
    _write_atomically(Path(path), data)
    return len(data)


def write_jpeg(path: Path, rgb: np.ndarray) -> int:
    """Writes ``rgb`` as a JPEG at ``path``; returns its size in bytes."""
    data = jpeg_bytes(rgb)
    _write_atomically(Path(path), data)
    return len(data)


def write_text(path: Path, text: str) -> int:
    """Writes ``text`` as UTF-8 at ``path``; returns its size in bytes."""
    data = text.encode("utf-8")
    _write_atomically(Path(path), data)
    return len(data)
