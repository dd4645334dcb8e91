"""mmvideo.media's approximate mode on generated clips, and probe/exact/approximate on the real sample clip."""

from pathlib import Path

import numpy as np
import pytest
from media_clips import generated_clips, indices_of
from media_helpers import decode_all

from mmvideo.media import SampleInfo, probe, sample_frames
from mmvideo.media.resize import frame_to_rgb

REAL_CLIP = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "fixtures"
    / "xinpianchang_sample"
    / "99945958"
    / "99945958.mp4"
)


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Generated clips, written once per session: name -> path (tests/media_clips.py)."""
    return generated_clips(tmp_path_factory)


# --- approximate mode --------------------------------------------------------------------------


def test_approximate_mode_reports_where_it_landed(clips):
    frames, info = sample_frames(
        clips["gop10.mp4"], num_frames=6, size=24, approximate=True, return_info=True
    )
    assert isinstance(info, SampleInfo) and info.approximate
    assert frames.shape == (6, 24, 24, 3)
    assert indices_of(frames) == list(info.decoded_indices)  # the report is the truth
    offsets = [abs(d - r) for d, r in zip(info.decoded_indices, info.requested_indices, strict=True)]
    assert info.max_offset_frames == max(offsets)
    assert info.max_offset_s == pytest.approx(max(offsets) / 24)


def test_approximate_frames_are_the_exact_frames_at_the_reported_indices(clips):
    path = clips["textured.mp4"]
    reference = decode_all(path)
    frames, info = sample_frames(path, num_frames=7, size=24, approximate=True, return_info=True)
    assert info.decoded_indices != info.requested_indices  # it did move some targets here
    for row, index in enumerate(info.decoded_indices):
        np.testing.assert_array_equal(frames[row], frame_to_rgb(reference[index], (24, 24)))


def test_approximate_mode_lands_on_keyframes_within_the_tolerance(clips):
    path = clips["gop10.mp4"]  # keyframes at 0, 10, 20, 30
    _, info = sample_frames(path, num_frames=4, size=8, approximate=True, tolerance_s=0.5, return_info=True)
    assert info.requested_indices == (0, 13, 26, 39)
    assert info.decoded_indices[:3] == (0, 10, 30)  # within 12 frames of a keyframe
    _, exact_ish = sample_frames(
        path, num_frames=4, size=8, approximate=True, tolerance_s=0, return_info=True
    )
    assert exact_ish.decoded_indices[0] == 0
    assert exact_ish.max_offset_frames <= 3  # reference frames are never more than a B-run away


# --- the real clip (skipped when the fixture is absent) ----------------------------------------


@pytest.fixture(scope="module")
def real_clip():
    if not REAL_CLIP.is_file():
        pytest.skip(f"real clip not found at {REAL_CLIP}")
    return REAL_CLIP


def test_real_clip_probe(real_clip):
    info = probe(real_clip)
    assert (info.width, info.height, info.num_frames, info.codec, info.rotation) == (640, 360, 369, "h264", 0)
    assert info.fps == pytest.approx(24000 / 1001)
    assert info.duration_s == pytest.approx(15.39, abs=0.01)


def test_real_clip_exact_uniform_sampling_matches_a_full_decode(real_clip):
    frames, info = sample_frames(real_clip, num_frames=8, size=112, return_info=True)
    assert frames.shape == (8, 112, 112, 3) and frames.dtype == np.uint8
    assert info.requested_indices == info.decoded_indices == (0, 53, 105, 158, 210, 263, 315, 368)
    reference = decode_all(real_clip)
    assert len(reference) == 369
    for row, index in enumerate(info.requested_indices):
        np.testing.assert_array_equal(frames[row], frame_to_rgb(reference[index], (112, 112)))
    assert not np.array_equal(frames[1], frame_to_rgb(reference[54], (112, 112)))  # neighbours differ


def test_real_clip_approximate_sampling_is_consistent(real_clip):
    frames, info = sample_frames(real_clip, num_frames=8, size=112, approximate=True, return_info=True)
    assert frames.shape == (8, 112, 112, 3)
    assert info.max_offset_frames == max(
        abs(d - r) for d, r in zip(info.decoded_indices, info.requested_indices, strict=True)
    )
    assert info.max_offset_s == pytest.approx(info.max_offset_frames * 1001 / 24000)
