"""Media decoding and frame sampling with PyAV (FFmpeg).

    from mmvideo.media import sample_frames, probe, MediaError

    frames = sample_frames("clip.mp4", num_frames=8, size=112)           # uint8 [8, 112, 112, 3] RGB
    frames, info = sample_frames("clip.mp4", approximate=True, return_info=True)
    probe("clip.mp4").num_frames

Policies (each documented in its module): frame indices and strategies in ``indices``, the resize
policy (cover, then centre-crop, rotation honoured) in ``resize``, truncated files in
``sampling``, limits in ``limits``. Bad media raises ``MediaError`` (a ``ValueError``) whose
``reason`` is one of ``errors.REASONS``.
"""

from mmvideo.media.errors import REASONS, MediaError
from mmvideo.media.indices import STRATEGIES
from mmvideo.media.probe import VideoProbe, probe
from mmvideo.media.sampling import SampleInfo, sample_frames

__all__ = ["REASONS", "STRATEGIES", "MediaError", "SampleInfo", "VideoProbe", "probe", "sample_frames"]
