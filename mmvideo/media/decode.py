"""Running a decode plan: feed each ``DecodeRun``'s packets, keep the frame nearest each target.

Packets come from memory (the demux pass kept them) or, for clips too big to buffer, from the
file again: seek near the run's keyframe, then read forward to it. Between runs the decoder is
drained and flushed, which is what makes a run independent of the packets before it.

Nothing is converted here: the kept ``av.VideoFrame`` objects are returned and only those become
RGB arrays. A packet that fails to decode is skipped (damaged data); after
``limits.MAX_DECODE_ERRORS`` of them the rest of the clip is given up.
"""

import logging
from dataclasses import dataclass

import av

from mmvideo.media import header, limits
from mmvideo.media.container import Demuxed, OpenedVideo
from mmvideo.media.plan import DecodeRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Landing:
    """The frame kept for a target and its presentation index."""

    index: int
    frame: object  # av.VideoFrame


class BufferedPackets:
    """Packets kept in memory by the demux pass, sliced by decode position."""

    def __init__(self, packets: list):
        self.packets = packets

    def span(self, start: int, stop: int):
        return iter(self.packets[start : stop + 1])


class SeekingPackets:
    """Packets read again from the file: seek before the run's keyframe, then read forward."""

    def __init__(self, video: OpenedVideo, packet_pts: tuple):
        self.video = video
        self.packet_pts = packet_pts

    def _usable(self):
        for packet in self.video.container.demux(self.video.stream):
            if packet.size and not packet.is_corrupt:
                yield packet

    def _from_start(self, start: int, stop: int):
        self.video.container.seek(0, backward=True)
        for position, packet in enumerate(self._usable()):
            if position > stop:
                return
            if position >= start:
                yield packet

    def span(self, start: int, stop: int):
        key_pts = self.packet_pts[start]
        if start == 0 or key_pts is None:
            yield from self._from_start(start, stop)
            return
        try:
            self.video.container.seek(key_pts, stream=self.video.stream, backward=True)
        except av.error.FFmpegError:
            yield from self._from_start(start, stop)
            return
        remaining = stop - start + 1
        found = False
        for packet in self._usable():
            if not found and packet.pts != key_pts:
                continue
            found = True
            yield packet
            remaining -= 1
            if remaining == 0:
                return
        if not found:  # the seek went past the keyframe: count from the start instead
            logger.debug("%s: seek missed pts %s; reading from the start", self.video.path, key_pts)
            yield from self._from_start(start, stop)


def packet_source(video: OpenedVideo, demuxed: Demuxed):
    if demuxed.packets is not None:
        return BufferedPackets(demuxed.packets)
    return SeekingPackets(video, demuxed.packet_pts)


def decode_runs(video: OpenedVideo, demuxed: Demuxed, runs: list[DecodeRun]) -> dict[int, Landing]:
    """Executes ``runs``; returns ``{target: Landing}`` for the targets some frame landed on."""
    codec = video.stream.codec_context
    table = demuxed.table
    source = packet_source(video, demuxed)
    best: dict[int, tuple[int, int, object]] = {}  # target -> (distance, index, frame)
    failures = 0

    for run in runs:
        codec.skip_frame = "NONREF" if run.skip_nonref else "DEFAULT"
        emitted = 0

        def keep(frames, run=run):
            nonlocal emitted
            for frame in frames:
                header.check_dimensions(frame.width, frame.height, video.path, where="a decoded frame")
                index = emitted if table.sequential else table.index_of_pts(frame.pts)
                emitted += 1
                if index is None:  # a frame outside the usable clip (e.g. after a cut)
                    continue
                for target in run.targets:
                    distance = abs(index - target)
                    if target not in best or distance < best[target][0]:
                        best[target] = (distance, index, frame)

        gave_up = False
        for packet in source.span(run.start, run.stop):
            try:
                keep(codec.decode(packet))
            except av.error.FFmpegError as error:
                failures += 1
                logger.debug("%s: packet pts=%s failed to decode: %s", video.path, packet.pts, error)
                if failures > limits.MAX_DECODE_ERRORS:
                    logger.warning(
                        "%s: %d packets failed to decode; giving up the rest", video.path, failures
                    )
                    gave_up = True
                    break
        try:
            keep(codec.decode(None))  # drain: the frames still held for reordering
        except av.error.FFmpegError as error:
            logger.debug("%s: draining the decoder failed: %s", video.path, error)
        codec.flush_buffers()
        if gave_up:
            break
    return {target: Landing(index, frame) for target, (_, index, frame) in best.items()}
