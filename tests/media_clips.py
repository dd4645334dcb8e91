"""The generated clips the test_media_* modules decode (tests/media_helpers.py), written once per session."""

from pathlib import Path

import av
import numpy as np
from media_helpers import frame_index, write_indexed_clip, write_textured_clip

AV1_ENCODER = next((name for name in ("libsvtav1", "libaom-av1") if name in av.codecs_available), None)

_BUILT: dict[str, dict[str, Path]] = {}


def generated_clips(tmp_path_factory) -> dict[str, Path]:
    """Generated clips, written once per session: name -> path."""
    if "clips" not in _BUILT:
        _BUILT["clips"] = write_clips(tmp_path_factory.mktemp("clips"))
    return _BUILT["clips"]


def write_clips(root: Path) -> dict[str, Path]:
    """Writes every clip the media tests use into ``root``; frame k of an indexed clip shows gray level
    k * LEVEL_STEP, so every test can tell which frames it got back."""
    made = {}

    def make(name, writer, **kwargs):
        made[name] = root / name
        writer(made[name], **kwargs)

    make("gop10.mp4", write_indexed_clip, num_frames=40, gop=10)  # H.264 with B-frames
    make(
        "faststart.mp4",
        write_textured_clip,
        num_frames=40,
        gop=10,
        container_options={"movflags": "faststart"},
    )
    make("two.mp4", write_indexed_clip, num_frames=2)
    make("textured.mp4", write_textured_clip, num_frames=48, gop=12)
    make("audio_first.mp4", write_indexed_clip, num_frames=30, audio_first=True)
    make("rot90.mp4", write_indexed_clip, num_frames=4, marker=True, rotation=90)
    make("rot-90.mp4", write_indexed_clip, num_frames=4, marker=True, rotation=-90)
    make("rot180.mp4", write_indexed_clip, num_frames=4, marker=True, rotation=180)
    make(
        "hevc.mp4",
        write_indexed_clip,
        num_frames=30,
        codec="libx265",
        options={"x265-params": "keyint=10:log-level=error"},
    )
    make("vp9.webm", write_indexed_clip, num_frames=30, codec="libvpx-vp9", gop=10)
    make("anim.gif", write_indexed_clip, num_frames=30, codec="gif", fps=10)
    if AV1_ENCODER:
        make("av1.mp4", write_indexed_clip, num_frames=30, codec=AV1_ENCODER, gop=10)
    return made


def indices_of(frames: np.ndarray) -> list[int]:
    return [frame_index(frame) for frame in frames]
