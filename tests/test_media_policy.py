"""mmvideo.media's pure policies: frame choice, argument checks, resize, frame tables and decode plans."""

import numpy as np
import pytest

from mmvideo.media import MediaError, sample_frames
from mmvideo.media.frametable import build_frame_table
from mmvideo.media.indices import segment_bounds, select_indices
from mmvideo.media.plan import DecodeRun, default_tolerance, plan_approximate, plan_exact
from mmvideo.media.resize import plan_resize, quarter_turns

# --- frame choice (pure) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "num_available, num_frames, expected",
    [
        (30, 8, (0, 4, 8, 12, 17, 21, 25, 29)),
        (369, 8, (0, 53, 105, 158, 210, 263, 315, 368)),
        (8, 8, tuple(range(8))),
        (9, 1, (4,)),
        (10, 2, (0, 9)),
    ],
)
def test_uniform_spans_the_whole_clip(num_available, num_frames, expected):
    assert select_indices("uniform", num_available, num_frames) == expected


def test_first_takes_the_first_frames():
    assert select_indices("first", 100, 5) == (0, 1, 2, 3, 4)


def test_segments_without_rng_take_segment_centres():
    assert select_indices("segments", 40, 4) == (4, 14, 24, 34)
    for num_available, num_frames in [(369, 8), (17, 5), (9, 9)]:
        chosen = select_indices("segments", num_available, num_frames)
        bounds = segment_bounds(num_available, num_frames)
        assert all(start <= i < stop for i, (start, stop) in zip(chosen, bounds, strict=True))


def test_segments_with_rng_are_seeded_and_stay_in_their_segment():
    bounds = segment_bounds(100, 8)
    draws = {select_indices("segments", 100, 8, np.random.default_rng(seed)) for seed in range(20)}
    assert len(draws) > 1  # the offsets are random...
    for chosen in draws:
        assert all(start <= i < stop for i, (start, stop) in zip(chosen, bounds, strict=True))
    first = select_indices("segments", 100, 8, np.random.default_rng(7))
    assert select_indices("segments", 100, 8, np.random.default_rng(7)) == first  # ...and reproducible


@pytest.mark.parametrize("strategy", ["uniform", "first", "segments"])
def test_short_clips_repeat_their_last_frame(strategy):
    assert select_indices(strategy, 3, 6, np.random.default_rng(0)) == (0, 1, 2, 2, 2, 2)


@pytest.mark.parametrize(
    "kwargs, named",
    [
        ({"strategy": "random"}, "'random'"),
        ({"num_frames": 0}, "0"),
        ({"num_frames": -3}, "-3"),
        ({"num_frames": 2.5}, "2.5"),
        ({"size": 0}, "0"),
        ({"size": (112, 0)}, "(112, 0)"),
        ({"size": (1, 2, 3)}, "(1, 2, 3)"),
        ({"size": "112"}, "'112'"),
        ({"size": 100_000}, "100000"),
        ({"tolerance_s": -1}, "-1"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_value(kwargs, named):
    with pytest.raises(ValueError, match=r".*") as raised:
        sample_frames("/nonexistent/clip.mp4", **kwargs)
    assert not isinstance(raised.value, MediaError)  # a programming error, checked before any I/O
    assert named in str(raised.value)


def test_rng_must_be_a_generator():
    with pytest.raises(TypeError, match="Generator"):
        sample_frames("/nonexistent/clip.mp4", strategy="segments", rng=123)


# --- resize policy (pure) ------------------------------------------------------------------------


def test_landscape_frames_are_scaled_to_cover_then_centre_cropped():
    plan = plan_resize(640, 360, 0, (112, 112))
    assert (plan.scaled_width, plan.scaled_height, plan.turns, plan.top, plan.left) == (199, 112, 0, 0, 43)


def test_portrait_and_rotated_frames_crop_rows():
    portrait = plan_resize(360, 640, 0, (112, 112))
    assert (portrait.scaled_width, portrait.scaled_height, portrait.top, portrait.left) == (112, 199, 43, 0)
    rotated = plan_resize(640, 360, 90, (112, 112))  # stored landscape, shown portrait
    assert (rotated.scaled_width, rotated.scaled_height, rotated.turns, rotated.top, rotated.left) == (
        199,
        112,
        1,
        43,
        0,
    )


def test_non_square_pixels_stretch_the_width():
    plan = plan_resize(480, 360, 0, (90, 160), sample_aspect=4 / 3)  # 480x360 shown as 640x360
    assert (plan.scaled_width, plan.scaled_height, plan.left, plan.top) == (160, 90, 0, 0)


@pytest.mark.parametrize(
    "rotation, turns", [(0, 0), (90, 1), (180, 2), (-180, 2), (-90, 3), (270, 3), (89.6, 1)]
)
def test_rotation_is_counted_in_counter_clockwise_quarter_turns(rotation, turns):
    assert quarter_turns(rotation) == turns


# --- frame table and decode plans (pure) -------------------------------------------------------


def test_frame_table_orders_frames_and_finds_start_keyframes():
    # decode order of I0 P4 B2 B1 B3 | I8(open GOP) B6 B5 B7 P9: leading B5-B7 need the first GOP.
    pts = [0, 4, 2, 1, 3, 8, 6, 5, 7, 9]
    keyframe = [True, False, False, False, False, True, False, False, False, False]
    table = build_frame_table(pts, keyframe, [False] * 10)
    assert table.frame_pts == tuple(range(10))
    assert table.decode_pos == (0, 3, 2, 4, 1, 7, 6, 8, 5, 9)
    assert table.start_pos == (0, 0, 0, 0, 0, 0, 0, 0, 5, 5)
    assert table.keyframes == (0, 8)


def test_frame_table_without_timestamps_is_sequential():
    table = build_frame_table([None, None, None], [True, False, False], [False] * 3)
    assert table.sequential and table.num_frames == 3


def test_truncated_table_stops_at_the_first_hole():
    # decode order I0 P4 B2 | cut: frames 1 and 3 are missing, so only frame 0 is gap-free.
    table = build_frame_table([0, 4, 2], [True, False, False], [False] * 3, [1, 1, 1], trim_gaps=True)
    assert table.frame_pts == (0,)


def test_exact_plan_restarts_only_at_keyframes_beyond_what_was_decoded():
    pts = list(range(30))  # no B-frames, keyframes every 10 packets
    table = build_frame_table(pts, [p % 10 == 0 for p in pts], [False] * 30)
    assert plan_exact(table, [2, 5, 25]) == [DecodeRun(0, 5, (2, 5)), DecodeRun(20, 25, (25,))]
    assert plan_exact(table, [9, 10]) == [DecodeRun(0, 10, (9, 10))]  # touching spans merge


def test_approximate_plan_lands_near_keyframes_and_skips_non_reference_frames_elsewhere():
    pts = list(range(30))
    table = build_frame_table(pts, [p % 10 == 0 for p in pts], [False] * 30)
    assert plan_approximate(table, [11, 25], tolerance=2) == [
        DecodeRun(10, 10, (11,)),
        DecodeRun(20, 25, (25,), skip_nonref=True),
    ]
    assert default_tolerance([0, 10, 20], 30) == 4
    assert default_tolerance([3, 4], 30) == 0
