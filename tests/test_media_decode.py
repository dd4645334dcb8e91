"""mmvideo.media decoding generated clips exactly: strategies, sizes, orientation, codecs and containers."""

import av
import numpy as np
import pytest
from media_clips import generated_clips, indices_of
from media_helpers import decode_all, write_clip

from mmvideo.media import limits, probe, sample_frames
from mmvideo.media.container import open_video, scan_packets
from mmvideo.media.indices import segment_bounds, select_indices
from mmvideo.media.plan import plan_exact
from mmvideo.media.resize import frame_to_rgb, quarter_turns


@pytest.fixture(scope="session")
def clips(tmp_path_factory):
    """Generated clips, written once per session: name -> path (tests/media_clips.py)."""
    return generated_clips(tmp_path_factory)


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


def _per_frame_conversion(frame, box):
    """The conversion as PyAV does it frame by frame (a fresh swscale context each time)."""
    from mmvideo.media.resize import INTERPOLATION, plan_resize, turn_and_crop

    plan = plan_resize(frame.width, frame.height, frame.rotation, box)
    scaled = frame.to_ndarray(width=plan.scaled_width, height=plan.scaled_height, format="rgb24",
                              interpolation=INTERPOLATION)
    return turn_and_crop(scaled, plan)


def test_the_reused_swscale_context_gives_pyav_s_own_pixels_whatever_the_order(clips):
    """frame_to_rgb keeps one reformatter per thread: changing geometry (sizes, rotation, codec,
    box) between frames, and converting from several threads, must not change a pixel."""
    from concurrent.futures import ThreadPoolExecutor

    frames = [frame for name in ("textured.mp4", "rot90.mp4", "hevc.mp4", "vp9.webm", "anim.gif")
              for frame in decode_all(clips[name])[:4]]
    jobs = [(frame, box) for box in ((112, 112), (40, 56), (16, 16)) for frame in frames]
    jobs = jobs[::2] + jobs[1::2]  # interleave geometries
    expected = [_per_frame_conversion(frame, box) for frame, box in jobs]
    for converted, wanted in zip((frame_to_rgb(frame, box) for frame, box in jobs), expected, strict=True):
        np.testing.assert_array_equal(converted, wanted)
    with ThreadPoolExecutor(3) as pool:
        threaded = list(pool.map(lambda job: frame_to_rgb(*job), jobs))
    for converted, wanted in zip(threaded, expected, strict=True):
        np.testing.assert_array_equal(converted, wanted)
