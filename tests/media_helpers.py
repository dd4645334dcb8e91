"""Writes small real videos with PyAV and returns what it wrote, so tests compare with truth.

Frame ``k`` of an "indexed" clip is a flat gray of level ``k * LEVEL_STEP`` (optionally with a
red block in its top-left corner, to see orientation), so ``frame_index`` can tell which frame
a decoded (lossy, scaled, cropped) image came from.
"""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

LEVEL_STEP = 6  # gray levels 0, 6, ..., 234 for up to 40 frames; lossy coding moves them by <= 2
MAX_INDEXED_FRAMES = 256 // LEVEL_STEP

# codec -> (container format, pixel format, encoder options) used by `write_indexed_clip`
CODECS = {
    "libx264": ("mp4", "yuv420p", {"crf": "8", "bf": "3", "preset": "veryfast"}),
    "libx265": ("mp4", "yuv420p", {"crf": "8", "preset": "ultrafast", "x265-params": "log-level=error"}),
    "libvpx-vp9": ("webm", "yuv420p", {"crf": "10", "b": "0", "deadline": "realtime", "cpu-used": "8"}),
    "libsvtav1": ("mp4", "yuv420p", {"crf": "20", "preset": "12"}),
    "libaom-av1": ("mp4", "yuv420p", {"crf": "20", "cpu-used": "8"}),
    "gif": ("gif", "gray", {}),
}


def indexed_frame(k: int, width: int, height: int, marker: bool = False) -> np.ndarray:
    """RGB frame number ``k``: flat gray ``k * LEVEL_STEP``; a red top-left block with ``marker``."""
    frame = np.full((height, width, 3), k * LEVEL_STEP, dtype=np.uint8)
    if marker:
        frame[: height // 4, : width // 4] = (255, 0, 0)
    return frame


def frame_index(rgb: np.ndarray) -> int:
    """Which indexed frame ``rgb`` ([H, W, 3]) shows: its median green level / LEVEL_STEP."""
    return int(round(float(np.median(rgb[..., 1])) / LEVEL_STEP))


def _silence(stream, num_samples: int, pts: int):
    frame = av.AudioFrame.from_ndarray(np.zeros((1, num_samples), np.float32), format="fltp", layout="mono")
    frame.sample_rate = stream.codec_context.sample_rate
    frame.pts = pts
    return frame


def write_clip(
    path: Path,
    frames: list[np.ndarray],
    codec: str = "libx264",
    fps: int = 24,
    gop: int | None = None,
    rotation: float | None = None,
    audio_first: bool = False,
    options: dict | None = None,
    container_options: dict | None = None,
) -> list[np.ndarray]:
    """Encodes the RGB ``frames`` into ``path``; returns them. ``audio_first`` adds an AAC stream
    before the video stream (stream 0 is then audio); ``rotation`` sets the display matrix."""
    fmt, pix_fmt, default_options = CODECS[codec]
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w", format=fmt, options=container_options or {}) as container:
        audio = container.add_stream("aac", rate=16000, layout="mono") if audio_first else None
        video = container.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        video.options = {**default_options, **(options or {})}
        if gop is not None:
            video.codec_context.gop_size = gop
        if rotation is not None:
            video.set_display_rotation(rotation)
        audio_pts = 0
        for k, rgb in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = k
            container.mux(video.encode(frame))
            while audio is not None and audio_pts < (k + 1) * Fraction(16000, fps):
                container.mux(audio.encode(_silence(audio, 1024, audio_pts)))
                audio_pts += 1024
        container.mux(video.encode())
        if audio is not None:
            container.mux(audio.encode())
    return frames


def write_indexed_clip(
    path: Path, num_frames: int = 30, width: int = 96, height: int = 64, marker: bool = False, **kwargs
) -> list[np.ndarray]:
    """A clip whose frame ``k`` is ``indexed_frame(k)``; returns the frames written."""
    assert num_frames <= MAX_INDEXED_FRAMES, num_frames
    frames = [indexed_frame(k, width, height, marker) for k in range(num_frames)]
    return write_clip(path, frames, **kwargs)


def write_textured_clip(
    path: Path, num_frames: int = 40, width: int = 96, height: int = 64, seed: int = 0, **kwargs
):
    """A clip of moving noise (every frame differs from its neighbours); returns the frames."""
    rng = np.random.default_rng(seed)
    texture = rng.integers(0, 256, size=(height * 2, width * 2, 3), dtype=np.uint8)
    frames = [
        np.ascontiguousarray(texture[k % height : k % height + height, 2 * k % width : 2 * k % width + width])
        for k in range(num_frames)
    ]
    return write_clip(path, frames, **kwargs)


def decode_all(path: Path) -> list:
    """Every frame of the first video stream, decoded plainly with PyAV (the reference)."""
    with av.open(str(path)) as container:
        return list(container.decode(video=0))
