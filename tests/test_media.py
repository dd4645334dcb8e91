"""mmvideo.media: frame choice, resize policy, formats, damaged files, approximate mode.

Clips are generated per session with PyAV (tests/media_helpers.py); frame k of an indexed clip
shows gray level k * LEVEL_STEP, so every test can tell which frames it got back.
"""

import pickle
import struct
from pathlib import Path

import av
import numpy as np
import pytest

from mmvideo.media import MediaError, SampleInfo, limits, probe, sample_frames
from mmvideo.media import errors as media_errors
from mmvideo.media.container import open_video, scan_packets
from mmvideo.media.frametable import build_frame_table
from mmvideo.media.indices import segment_bounds, select_indices
from mmvideo.media.plan import DecodeRun, default_tolerance, plan_approximate, plan_exact
from mmvideo.media.resize import frame_to_rgb, plan_resize, quarter_turns
from tests.media_helpers import (
    decode_all,
    frame_index,
    indexed_frame,
    write_clip,
    write_indexed_clip,
    write_textured_clip,
)

REAL_CLIP = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "fixtures"
    / "xinpianchang_sample"
    / "99945958"
    / "99945958.mp4"
)
AV1_ENCODER = next((name for name in ("libsvtav1", "libaom-av1") if name in av.codecs_available), None)


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Generated clips, written once per session: name -> path."""
    root = tmp_path_factory.mktemp("clips")
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


# --- decoding real clips -----------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["uniform", "first", "segments"])
def test_each_strategy_returns_exactly_the_requested_frames(clips, strategy):
    rng = np.random.default_rng(3) if strategy == "segments" else None
    frames, info = sample_frames(
        clips["gop10.mp4"], num_frames=8, size=32, strategy=strategy, rng=rng, return_info=True
    )
    assert frames.shape == (8, 32, 32, 3) and frames.dtype == np.uint8
    assert info.requested_indices == select_indices(
        strategy, 40, 8, np.random.default_rng(3) if rng else None
    )
    assert info.decoded_indices == info.requested_indices and info.max_offset_frames == 0
    assert indices_of(frames) == list(info.requested_indices)
    assert (
        info.num_frames == 40 and info.fps == pytest.approx(24) and info.duration_s == pytest.approx(40 / 24)
    )


@pytest.mark.parametrize(
    "num_frames, strategy", [(5, "uniform"), (16, "uniform"), (7, "segments"), (6, "first")]
)
def test_exact_mode_matches_a_plain_full_decode(clips, num_frames, strategy):
    path = clips["textured.mp4"]  # B-frames, keyframe every 12: several restarts
    reference = decode_all(path)
    rng = np.random.default_rng(num_frames) if strategy == "segments" else None
    frames, info = sample_frames(
        path, num_frames=num_frames, size=(40, 56), strategy=strategy, rng=rng, return_info=True
    )
    assert info.num_frames == len(reference) == 48
    for row, index in enumerate(info.requested_indices):
        np.testing.assert_array_equal(frames[row], frame_to_rgb(reference[index], (40, 56)))


def test_exact_sampling_decodes_only_the_gops_it_needs(clips):
    with open_video(clips["gop10.mp4"]) as video:
        demuxed = scan_packets(video)
    table = demuxed.table
    assert table.num_frames == 40 and table.keyframes == (0, 10, 20, 30)
    runs = plan_exact(table, select_indices("uniform", 40, 4))  # frames 0, 13, 26, 39
    assert [run.start for run in runs] == [
        0,
        table.decode_pos[10],
        table.decode_pos[20],
        table.decode_pos[30],
    ]
    for run in runs:  # each run stops at its target's own packet: nothing after it is decoded
        assert run.stop == max(table.decode_pos[target] for target in run.targets)
    assert sum(run.stop - run.start + 1 for run in runs) < 30  # of 40 packets


def test_packets_reread_from_the_file_give_the_same_frames(clips, monkeypatch):
    path = clips["textured.mp4"]
    buffered = sample_frames(path, num_frames=9, size=32)
    monkeypatch.setattr(limits, "MAX_BUFFERED_PACKET_BYTES", 0)  # force the seeking packet source
    np.testing.assert_array_equal(sample_frames(path, num_frames=9, size=32), buffered)


def test_segments_with_a_seeded_rng_are_reproducible(clips):
    path = clips["gop10.mp4"]
    a = sample_frames(path, 6, 16, "segments", np.random.default_rng(11), return_info=True)
    b = sample_frames(path, 6, 16, "segments", np.random.default_rng(11), return_info=True)
    np.testing.assert_array_equal(a[0], b[0])
    assert a[1].requested_indices == b[1].requested_indices
    bounds = segment_bounds(40, 6)
    assert all(start <= i < stop for i, (start, stop) in zip(a[1].requested_indices, bounds, strict=True))


def test_a_clip_shorter_than_num_frames_repeats_its_last_frame(clips):
    frames, info = sample_frames(clips["two.mp4"], num_frames=8, size=16, return_info=True)
    assert indices_of(frames) == [0, 1, 1, 1, 1, 1, 1, 1]
    assert info.num_frames == 2


def test_portrait_frames_keep_their_centre(tmp_path):
    portrait = np.zeros((96, 48, 3), np.uint8)  # 48 wide, 96 tall: red top quarter, blue bottom quarter
    portrait[:24] = (255, 0, 0)
    portrait[24:72] = (0, 255, 0)
    portrait[72:] = (0, 0, 255)
    path = tmp_path / "portrait.mp4"
    write_clip(path, [portrait] * 3, options={"crf": "0"})
    square = sample_frames(path, num_frames=1, size=48)  # covers at scale 1; rows 24..72 kept
    assert square.shape == (1, 48, 48, 3)
    assert square[0, :, :, 1].min() > 200 and square[0, :, :, 0].max() < 60  # all green
    tall = sample_frames(path, num_frames=1, size=(96, 24))  # (H, W): every row, the middle columns
    assert tall.shape == (1, 96, 24, 3)
    assert tall[0, 2, :, 0].min() > 200 and tall[0, -3, :, 2].min() > 200  # red on top, blue at bottom


@pytest.mark.parametrize(
    "size, shape", [(1, (1, 1)), ((7, 13), (7, 13)), ((57, 31), (57, 31)), (113, (113, 113))]
)
def test_odd_sizes_give_exactly_that_shape(clips, size, shape):
    frames = sample_frames(clips["gop10.mp4"], num_frames=3, size=size)
    assert frames.shape == (3, *shape, 3)
    assert indices_of(frames) == [0, 20, 39]


@pytest.mark.parametrize(
    "name, red_corner",
    [("rot90.mp4", "bottom_left"), ("rot-90.mp4", "top_right"), ("rot180.mp4", "bottom_right")],
)
def test_display_rotation_is_honoured(clips, name, red_corner):
    # Stored 96x64 with a red block top-left; the display matrix turns it counter-clockwise.
    portrait = name != "rot180.mp4"
    box = (96, 64) if portrait else (64, 96)
    frame = sample_frames(clips[name], num_frames=1, size=box, strategy="first")[0].astype(int)
    height, width = box
    corners = {
        "top_left": frame[: height // 8, : width // 8],
        "top_right": frame[: height // 8, -width // 8 :],
        "bottom_left": frame[-height // 8 :, : width // 8],
        "bottom_right": frame[-height // 8 :, -width // 8 :],
    }
    for corner, pixels in corners.items():
        is_red = pixels[..., 0].mean() > 200 and pixels[..., 1].mean() < 60
        assert is_red == (corner == red_corner), corner
    info = probe(clips[name])
    assert (info.width, info.height) == ((64, 96) if portrait else (96, 64))
    assert (info.coded_width, info.coded_height) == (96, 64)
    assert quarter_turns(info.rotation) == {"rot90.mp4": 1, "rot-90.mp4": 3, "rot180.mp4": 2}[name]


def test_an_audio_stream_before_the_video_stream_is_fine(clips):
    with av.open(str(clips["audio_first.mp4"])) as container:
        assert container.streams[0].type == "audio" and container.streams[1].type == "video"
    frames = sample_frames(clips["audio_first.mp4"], num_frames=5, size=24)
    assert indices_of(frames) == list(select_indices("uniform", 30, 5))


@pytest.mark.parametrize(
    "name, codec",
    [
        ("hevc.mp4", "hevc"),
        ("vp9.webm", "vp9"),
        ("anim.gif", "gif"),
        ("av1.mp4", "av1"),
        ("gop10.mp4", "h264"),
    ],
)
def test_codecs_and_containers(clips, name, codec):
    if name not in clips:
        pytest.skip("no AV1 encoder in this FFmpeg build")
    frames, info = sample_frames(clips[name], num_frames=6, size=(20, 30), return_info=True)
    assert frames.shape == (6, 20, 30, 3)
    assert (
        indices_of(frames)
        == list(info.requested_indices)
        == list(select_indices("uniform", info.num_frames, 6))
    )
    described = probe(clips[name])
    assert codec in described.codec  # AV1 decodes with libdav1d
    assert (described.width, described.height, described.rotation) == (96, 64, 0)
    expected_frames, fps = (30, 10) if name == "anim.gif" else ((40, 24) if name == "gop10.mp4" else (30, 24))
    assert described.num_frames == expected_frames
    assert described.fps == pytest.approx(fps)
    assert described.duration_s == pytest.approx(expected_frames / fps, abs=0.01)


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
