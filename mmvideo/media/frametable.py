"""The clip's frames as the demuxer sees them: presentation order, decode positions, keyframes.

Built from the packets of one demux pass (cheap: no decoding), this is pure bookkeeping:

- ``frame_pts[i]`` is the timestamp of frame ``i`` in presentation order;
- ``decode_pos[i]`` is where its packet sits in decode (file) order;
- ``start_pos[i]`` is the decode position of the keyframe decoding must start from to obtain
  frame ``i``: the last keyframe at or before its packet whose timestamp is not after it (so the
  leading frames of an open GOP start from the previous keyframe).

Packets flagged *discard* (edit-list trimming) are decoded as references but are not frames.
When timestamps are missing or repeated the table is ``sequential``: frame ``i`` is then the
``i``-th frame the decoder emits, and only a front-to-back decode is possible.
"""

import statistics
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FrameTable:
    frame_pts: tuple[int, ...]  # presentation order (empty when sequential)
    decode_pos: tuple[int, ...]
    start_pos: tuple[int, ...]
    keyframes: tuple[int, ...]  # presentation indices of keyframes, ascending
    num_packets: int
    sequential: bool = False
    num_sequential_frames: int = 0
    _index_of_pts: dict = field(default_factory=dict, repr=False, compare=False)

    @property
    def num_frames(self) -> int:
        return self.num_sequential_frames if self.sequential else len(self.frame_pts)

    def index_of_pts(self, pts) -> int | None:
        return self._index_of_pts.get(pts)


def _not_after(key_pts, frame_pts) -> bool:
    """Whether a keyframe can start the decode of a frame (unknown timestamps: assume so)."""
    return key_pts is None or frame_pts is None or key_pts <= frame_pts


def _gap_free_length(pts_sorted: list[int], durations: list[int]) -> int:
    """Frames before the first hole in the timestamps (a hole: a step > 1.5 frame durations)."""
    steps = [b - a for a, b in zip(pts_sorted, pts_sorted[1:], strict=False)]
    typical = statistics.median(steps) if steps else 0
    for i, step in enumerate(steps):
        expected = durations[i] if durations[i] > 0 else typical
        if expected > 0 and step > 1.5 * expected:
            return i + 1
    return len(pts_sorted)


def build_frame_table(
    pts: list,
    keyframe: list[bool],
    discard: list[bool],
    durations: list[int] | None = None,
    *,
    trim_gaps=False,
) -> FrameTable:
    """The ``FrameTable`` of packets given in decode order.

    ``trim_gaps`` (for a truncated clip) keeps only the frames before the first hole in the
    presentation timestamps: with B-frames, the packets cut off may be frames that display
    before ones that survived, and those survivors would otherwise get the wrong index.
    """
    num_packets = len(pts)
    durations = list(durations) if durations is not None else [0] * num_packets
    shown = [pos for pos in range(num_packets) if not discard[pos]]
    shown_pts = [pts[pos] for pos in shown]
    if any(p is None for p in shown_pts) or len(set(shown_pts)) != len(shown_pts):
        return FrameTable((), (), (), (0,), num_packets, sequential=True, num_sequential_frames=len(shown))

    # Start keyframe of every packet, walking decode order once.
    keyframe_positions: list[int] = []
    start_of_pos = [0] * num_packets
    for pos in range(num_packets):
        if keyframe[pos]:
            keyframe_positions.append(pos)
        start_of_pos[pos] = next(
            (key_pos for key_pos in reversed(keyframe_positions) if _not_after(pts[key_pos], pts[pos])), 0
        )

    order = sorted(shown, key=lambda pos: pts[pos])
    if trim_gaps:
        order = order[: _gap_free_length([pts[p] for p in order], [durations[p] for p in order])]
    frame_pts = tuple(pts[pos] for pos in order)
    return FrameTable(
        frame_pts=frame_pts,
        decode_pos=tuple(order),
        start_pos=tuple(start_of_pos[pos] for pos in order),
        keyframes=tuple(i for i, pos in enumerate(order) if keyframe[pos]),
        num_packets=num_packets,
        _index_of_pts={p: i for i, p in enumerate(frame_pts)},
    )
