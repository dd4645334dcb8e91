"""mmvideo.media on damaged and wrong files: truncation, non-videos, size limits, MediaError, fuzzed bytes."""

import pickle
import struct
from pathlib import Path

import av
import numpy as np
import pytest
from media_clips import generated_clips, indices_of
from media_helpers import decode_all, indexed_frame, write_clip

from mmvideo.media import MediaError, limits, probe, sample_frames
from mmvideo.media import errors as media_errors
from mmvideo.media.indices import select_indices
from mmvideo.media.resize import frame_to_rgb


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Generated clips, written once per session: name -> path (tests/media_clips.py)."""
    return generated_clips(tmp_path_factory)


# --- damaged and wrong files -------------------------------------------------------------------


def cut(source: Path, target: Path, fraction: float) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


def test_a_truncated_file_yields_the_frames_before_the_damage(clips, tmp_path):
    reference = decode_all(clips["faststart.mp4"])  # index first, so a cut keeps the index
    path = cut(clips["faststart.mp4"], tmp_path / "cut.mp4", 0.6)
    frames, info = sample_frames(path, num_frames=8, size=16, return_info=True)
    assert info.truncated and 1 <= info.num_frames < 40
    assert info.requested_indices == select_indices("uniform", info.num_frames, 8)
    assert info.decoded_indices == info.requested_indices
    for row, index in enumerate(info.decoded_indices):  # the same frames as in the intact file
        np.testing.assert_array_equal(frames[row], frame_to_rgb(reference[index], (16, 16)))
    assert probe(path).truncated


def test_a_truncated_file_without_enough_frames_is_a_media_error(clips, tmp_path):
    path = cut(clips["faststart.mp4"], tmp_path / "head.mp4", 0.02)  # the index survives, no frame does
    with pytest.raises(MediaError) as raised:
        sample_frames(path)
    assert raised.value.reason in (media_errors.TRUNCATED, media_errors.CORRUPT)


@pytest.mark.parametrize("name", ["gop10.mp4", "textured.mp4"])  # cut inside the index / inside the data
def test_an_mp4_cut_before_the_end_of_its_index_is_truncated(clips, tmp_path, name):
    path = cut(clips[name], tmp_path / "noindex.mp4", 0.6)  # the index (moov) is written last by default
    with pytest.raises(MediaError) as raised:
        sample_frames(path)
    assert raised.value.reason == media_errors.TRUNCATED


def test_a_truncated_webm_yields_frames_or_a_media_error(clips, tmp_path):
    for fraction in (0.3, 0.6, 0.9):
        path = cut(clips["vp9.webm"], tmp_path / f"cut{fraction}.webm", fraction)
        try:
            frames, info = sample_frames(path, num_frames=4, size=16, return_info=True)
        except MediaError as error:
            assert error.reason in media_errors.REASONS
            continue
        assert frames.shape == (4, 16, 16, 3)
        assert indices_of(frames) == list(info.decoded_indices)


@pytest.mark.parametrize(
    "name, content, reason",
    [
        ("empty.mp4", b"", media_errors.EMPTY_FILE),
        (
            "page.mp4",
            b"<!DOCTYPE html>\n<html><body><h1>404 Not Found</h1></body></html>\n",
            media_errors.NOT_A_VIDEO,
        ),
        ("notes.txt", b"just some notes\nin a text file\n" * 20, media_errors.NOT_A_VIDEO),
        (
            "random.mp4",
            bytes(np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8)),
            media_errors.NOT_A_VIDEO,
        ),
    ],
)
def test_files_that_are_not_videos(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    for call in (sample_frames, probe):
        with pytest.raises(MediaError) as raised:
            call(path)
        assert raised.value.reason == reason
        assert raised.value.path == str(path)


def test_a_still_image_is_not_a_video(tmp_path):
    path = tmp_path / "cover.mp4"
    with av.open(str(path), "w", format="image2pipe") as container:
        stream = container.add_stream("mjpeg", rate=1)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuvj420p"
        container.mux(stream.encode(av.VideoFrame.from_ndarray(indexed_frame(3, 32, 32), format="rgb24")))
        container.mux(stream.encode())
    with pytest.raises(MediaError) as raised:
        sample_frames(path)
    assert raised.value.reason == media_errors.NOT_A_VIDEO


def test_an_audio_only_file_has_no_video_stream(tmp_path):
    path = tmp_path / "sound.m4a"
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("aac", rate=16000, layout="mono")
        for i in range(4):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate, frame.pts = 16000, i * 1024
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    with pytest.raises(MediaError) as raised:
        sample_frames(path)
    assert raised.value.reason == media_errors.NO_VIDEO_STREAM


def test_missing_paths_and_directories(tmp_path):
    with pytest.raises(MediaError) as raised:
        sample_frames(tmp_path / "nope.mp4")
    assert raised.value.reason == media_errors.NOT_FOUND
    with pytest.raises(MediaError) as raised:
        probe(tmp_path)
    assert raised.value.reason == media_errors.UNREADABLE


def test_absurd_dimensions_in_a_real_header_are_refused(tmp_path):
    wide = tmp_path / "wide.mp4"  # a real H.264 stream 8200 pixels wide (over the 8192 side limit)
    write_clip(wide, [np.zeros((16, 8200, 3), np.uint8)] * 2)
    with pytest.raises(MediaError) as raised:
        sample_frames(wide)
    assert raised.value.reason == media_errors.TOO_LARGE and "8200x16" in str(raised.value)


def test_a_gif_claiming_a_huge_canvas_is_refused_before_decoding(clips, tmp_path):
    data = bytearray(clips["anim.gif"].read_bytes())
    data[6:10] = struct.pack("<HH", 9000, 9000)
    path = tmp_path / "huge.gif"
    path.write_bytes(bytes(data))
    with pytest.raises(MediaError) as raised:
        sample_frames(path)
    assert raised.value.reason == media_errors.TOO_LARGE


def test_the_pixel_limit_is_a_module_constant(clips, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FRAME_PIXELS", 96 * 64 - 1)
    with pytest.raises(MediaError) as raised:
        probe(clips["gop10.mp4"])
    assert raised.value.reason == media_errors.TOO_LARGE


def test_media_error_is_a_value_error_with_a_one_line_message_and_pickles():
    error = MediaError("truncated", "/data/a.mp4", "cut\nshort")
    assert isinstance(error, ValueError)
    assert str(error) == "/data/a.mp4: truncated: cut short"
    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 - bytes this test just made (Beam pickles errors)
    assert (copy.reason, copy.path, str(copy)) == (error.reason, error.path, str(error))
    with pytest.raises(ValueError, match="reason"):
        MediaError("bad_reason", "x")


@pytest.mark.parametrize("seed", range(6))
def test_only_media_error_escapes_on_fuzzed_bytes(clips, tmp_path, seed):
    rng = np.random.default_rng(seed)
    source = clips["gop10.mp4" if seed % 2 else "vp9.webm"]
    data = bytearray(source.read_bytes())
    for position in rng.integers(0, len(data), size=1 + 4 * seed):
        data[position] = int(rng.integers(0, 256))
    path = tmp_path / f"fuzz{seed}{source.suffix}"
    path.write_bytes(bytes(data))
    try:
        frames = sample_frames(path, num_frames=4, size=16)
    except MediaError as error:
        assert error.reason in media_errors.REASONS
    else:
        assert frames.shape == (4, 16, 16, 3) and frames.dtype == np.uint8
