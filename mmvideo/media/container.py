"""Opening a file as a video, safely, and the cheap demux pass that learns its frames.

``open_video`` checks the file (``header``), opens it with FFmpeg restricted to the local
``file`` protocol and to ``limits.MAX_FRAME_PIXELS`` per frame, refuses what is not a video
(text rendered as ANSI art, still images, playlists that reference other files), picks the
video stream, checks its dimensions from the header and turns on threaded decoding.

``scan_packets`` reads every video packet once without decoding (a few ms for a 15 s clip) to
learn the exact frame count, timestamps and keyframes, whatever the container's header says.
"""

import contextlib
import logging
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from mmvideo.media import errors, header, limits
from mmvideo.media.errors import MediaError
from mmvideo.media.frametable import FrameTable, build_frame_table

logger = logging.getLogger(__name__)

# Demuxers that "succeed" on things that are not videos, or that read other files or URLs.
_REFUSED_FORMATS = {"tty", "image2", "image2pipe", "hls", "applehttp", "concat", "dash", "sdp", "rtsp", "rtp"}
_REFUSED_CODECS = {"ansi", "bintext", "xbin", "idf"}

# Exceptions FFmpeg and file I/O raise on bad media; all become MediaError at the boundary.
MEDIA_EXCEPTIONS = (
    av.error.FFmpegError,
    OSError,
    EOFError,
    ValueError,
    UnicodeError,
    MemoryError,
    OverflowError,
)


@contextlib.contextmanager
def media_guard(path, reason: str = errors.DECODE_ERROR):
    """Re-raises any exception bad media can cause as ``MediaError(reason)``."""
    try:
        yield
    except MediaError:
        raise
    except MEDIA_EXCEPTIONS as error:
        logger.debug("media error in %s", path, exc_info=True)
        raise MediaError(reason, path, f"{type(error).__name__}: {error}") from error


@dataclass
class OpenedVideo:
    path: Path
    container: object  # av.container.InputContainer
    stream: object  # av.video.stream.VideoStream
    size_bytes: int
    header_truncated: bool  # the container's own structure runs past the end of the file

    @property
    def sample_aspect(self) -> float:
        ratio = self.stream.sample_aspect_ratio
        return float(ratio) if ratio else 1.0


def _open_error(path: Path, kind: str | None, size: int, error: Exception) -> MediaError:
    said = f"{type(error).__name__}: {error}"
    if kind == "mp4" and header.mp4_is_truncated(path, size):
        return MediaError(errors.TRUNCATED, path, f"the MP4 ends before its boxes do ({size} bytes); {said}")
    if kind in ("mp4", "matroska", "avi", "gif"):
        return MediaError(errors.CORRUPT, path, f"looks like {kind} but its header cannot be read; {said}")
    if kind == "html":
        return MediaError(
            errors.NOT_A_VIDEO, path, "an HTML/XML page, not a video (an error page saved as the file?)"
        )
    if kind == "text":
        return MediaError(errors.NOT_A_VIDEO, path, "a text file, not a video")
    if isinstance(error, OSError):  # permission, I/O (FFmpeg's own OSError subclasses included)
        return MediaError(errors.UNREADABLE, path, said)
    return MediaError(errors.NOT_A_VIDEO, path, f"FFmpeg recognises no video container; {said}")


def _video_stream(container, path: Path):
    fmt = container.format.name
    if fmt in _REFUSED_FORMATS or any(name.endswith("_pipe") for name in fmt.split(",")):
        raise MediaError(
            errors.NOT_A_VIDEO, path, f"FFmpeg reads it as {fmt!r} (text, a still image or a playlist)"
        )
    streams = [s for s in container.streams.video if not (s.disposition & av.stream.Disposition.attached_pic)]
    if not streams:
        kinds = ", ".join(s.type for s in container.streams) or "none"
        raise MediaError(
            errors.NO_VIDEO_STREAM, path, f"{fmt} container without a video stream (streams: {kinds})"
        )
    stream = streams[0]
    if stream.codec_context is None:
        raise MediaError(
            errors.UNSUPPORTED_CODEC, path, f"no decoder for {stream.codec.name if stream.codec else '?'}"
        )
    if stream.codec_context.name in _REFUSED_CODECS:
        raise MediaError(errors.NOT_A_VIDEO, path, f"{stream.codec_context.name!r} renders text, not a video")
    return stream


@contextlib.contextmanager
def open_video(path):
    """Yields an ``OpenedVideo``; the container is closed on exit. Raises MediaError."""
    path = Path(path)
    size = header.check_file(path)
    head = header.read_head(path)
    kind = header.sniff(head)
    gif_size = header.gif_screen_size(head)
    if gif_size is not None:
        header.check_dimensions(*gif_size, path, where="GIF header")
    try:
        container = av.open(
            f"file:{path}",
            options={"max_pixels": str(limits.MAX_FRAME_PIXELS)},
            container_options={"protocol_whitelist": "file"},
            metadata_errors="replace",
        )
    except MEDIA_EXCEPTIONS as error:
        raise _open_error(path, kind, size, error) from error
    try:
        header_truncated = kind == "mp4" and header.mp4_is_truncated(path, size)
        with media_guard(path, errors.CORRUPT):
            try:
                stream = _video_stream(container, path)
            except MediaError as error:
                if header_truncated:  # e.g. cut inside the index: the video track is not described
                    raise MediaError(
                        errors.TRUNCATED, path, f"the MP4 ends before its boxes do; {error.detail}"
                    ) from error
                raise
            header.check_dimensions(stream.codec_context.width, stream.codec_context.height, path)
            stream.thread_type = "AUTO"
            stream.codec_context.options = {"max_pixels": str(limits.MAX_FRAME_PIXELS)}
        yield OpenedVideo(path, container, stream, size, header_truncated)
    finally:
        container.close()


@dataclass
class Demuxed:
    """What the demux pass learned."""

    table: FrameTable
    packet_pts: tuple  # timestamp of every usable packet, in decode order
    packets: list | None  # the usable packets in decode order, unless over the memory limit
    truncated: bool  # the data ended early; frames are those before the damage
    fps: float
    duration_s: float
    time_base: Fraction


def scan_packets(video: OpenedVideo) -> Demuxed:
    """Demuxes the video stream once (no decoding). Raises MediaError only for I/O failures."""
    stream, path = video.stream, video.path
    pts, keyframe, discard, durations, packets = [], [], [], [], []
    buffered_bytes, ended_early, skipped_corrupt = 0, False, 0
    try:
        for packet in video.container.demux(stream):
            if packet.size == 0:  # end-of-stream markers and empty samples carry no frame
                continue
            if packet.is_corrupt:  # e.g. the last, partly written sample of a cut file
                skipped_corrupt += 1
                continue
            pts.append(packet.pts)
            keyframe.append(bool(packet.is_keyframe))
            discard.append(bool(packet.is_discard))
            durations.append(packet.duration or 0)
            if packets is not None:
                buffered_bytes += packet.size
                packets.append(packet)
                if buffered_bytes > limits.MAX_BUFFERED_PACKET_BYTES:
                    packets = None  # keep timestamps only; decoding will seek
    except av.error.FFmpegError as error:  # damage or early end: what was read so far is the clip
        ended_early = True
        logger.warning("%s: demuxing stopped after %d packets: %s", path, len(pts), error)
    except OSError as error:
        raise MediaError(errors.UNREADABLE, path, f"read failed: {error}") from error
    declared = stream.frames or 0
    truncated = ended_early or video.header_truncated or (declared > 0 and len(pts) < declared)
    if truncated or skipped_corrupt:
        logger.warning(
            "%s: damaged or truncated: %d of %s packets usable, %d corrupt skipped",
            path,
            len(pts),
            declared or "?",
            skipped_corrupt,
        )
    table = build_frame_table(pts, keyframe, discard, durations, trim_gaps=truncated)
    time_base = stream.time_base or Fraction(1, 1)
    fps, duration_s = _timing(stream, table, pts, durations, time_base)
    return Demuxed(table, tuple(pts), packets, truncated, fps, duration_s, time_base)


def _timing(stream, table: FrameTable, pts, durations, time_base) -> tuple[float, float]:
    """``(fps, duration_s)`` of the usable frames."""
    rate = stream.average_rate or stream.guessed_rate
    fps = float(rate) if rate and rate > 0 else 0.0
    count = table.num_frames
    if table.sequential or count == 0:
        return fps, (count / fps if fps else 0.0)
    duration_of = dict(zip(pts, durations, strict=False))
    last_duration = duration_of.get(table.frame_pts[-1], 0) or (1 / fps / time_base if fps else 0)
    span = (table.frame_pts[-1] - table.frame_pts[0] + last_duration) * time_base
    duration_s = float(span) if span > 0 else 0.0
    if not fps and duration_s:
        fps = count / duration_s
    return fps, duration_s
