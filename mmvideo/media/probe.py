"""``probe``: what a video is, cheaply (one demux pass, one decoded frame), for ``mmvideo stats``."""

from dataclasses import dataclass

from mmvideo.media import errors
from mmvideo.media.container import media_guard, open_video, scan_packets
from mmvideo.media.decode import decode_runs
from mmvideo.media.errors import MediaError
from mmvideo.media.plan import DecodeRun
from mmvideo.media.resize import quarter_turns


@dataclass(frozen=True)
class VideoProbe:
    width: int  # as displayed: after the rotation of the display matrix
    height: int
    fps: float
    num_frames: int  # usable frames, counted from the packets (exact, unlike most headers)
    duration_s: float
    codec: str  # FFmpeg decoder name: h264, hevc, vp9, libdav1d (AV1), gif, ...
    rotation: int  # display rotation, degrees counter-clockwise (0, 90, 180, -90)
    coded_width: int  # as stored
    coded_height: int
    container: str  # FFmpeg demuxer name
    size_bytes: int
    truncated: bool


def probe(path) -> VideoProbe:
    """Describes the video at ``path``; raises ``MediaError`` under the same rules as ``sample_frames``."""
    with open_video(path) as video, media_guard(video.path, errors.DECODE_ERROR):
        demuxed = scan_packets(video)
        table = demuxed.table
        if table.num_frames < 1:
            reason = errors.TRUNCATED if demuxed.truncated else errors.DECODE_ERROR
            raise MediaError(reason, video.path, "no usable frames")
        # The display matrix travels with decoded frames only: decode the first frame.
        first = 0 if table.sequential else table.decode_pos[0]
        start = 0 if table.sequential else table.start_pos[0]
        landings = decode_runs(video, demuxed, [DecodeRun(start, first, (0,))])
        if not landings:
            raise MediaError(errors.DECODE_ERROR, video.path, "the first frame does not decode")
        frame = landings[0].frame
        rotation = int(frame.rotation or 0)
        width, height = frame.width, frame.height
        if quarter_turns(rotation) % 2:
            width, height = height, width
        return VideoProbe(
            width=width,
            height=height,
            fps=demuxed.fps,
            num_frames=table.num_frames,
            duration_s=demuxed.duration_s,
            codec=video.stream.codec_context.name,
            rotation=rotation,
            coded_width=frame.width,
            coded_height=frame.height,
            container=video.container.format.name,
            size_bytes=video.size_bytes,
            truncated=demuxed.truncated,
        )
