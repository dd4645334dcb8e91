"""``MediaError``: the one exception a bad media file raises, with a machine-readable reason.

Bad *arguments* (an unknown strategy, ``num_frames < 1``, a bad size) are programming errors and
raise plain ``ValueError``/``TypeError``; bad *media* always raises ``MediaError``, never an
``av.error.*``, ``OSError`` or anything else, so pipelines can record ``(path, reason)`` and move on.
"""

# Reasons, short and stable: pipelines count them and write them to failures.jsonl.
NOT_FOUND = "not_found"  # the path does not exist
UNREADABLE = "unreadable"  # exists but cannot be read (a directory, no permission, I/O error)
EMPTY_FILE = "empty_file"  # zero bytes
NOT_A_VIDEO = "not_a_video"  # FFmpeg recognises no video container (HTML page, text, still image)
NO_VIDEO_STREAM = "no_video_stream"  # a media container without a video stream (audio only)
UNSUPPORTED_CODEC = "unsupported_codec"  # a video stream this FFmpeg build cannot decode
TOO_LARGE = "too_large"  # frame dimensions beyond the limits in mmvideo.media.limits
CORRUPT = "corrupt"  # a known container signature whose header cannot be read
TRUNCATED = "truncated"  # the data ends early and too few frames remain before the damage
DECODE_ERROR = "decode_error"  # the stream demuxes but no frame decodes

REASONS = frozenset(
    {
        NOT_FOUND,
        UNREADABLE,
        EMPTY_FILE,
        NOT_A_VIDEO,
        NO_VIDEO_STREAM,
        UNSUPPORTED_CODEC,
        TOO_LARGE,
        CORRUPT,
        TRUNCATED,
        DECODE_ERROR,
    }
)


class MediaError(ValueError):
    """A media file that cannot be used.

    Attributes:
        reason: one of ``REASONS`` (e.g. ``"truncated"``), for counting and for failures.jsonl.
        path: the file, as a string.
        detail: a short human explanation.

    ``str(error)`` is one line: ``"<path>: <reason>: <detail>"``.
    """

    def __init__(self, reason: str, path, detail: str = ""):
        if reason not in REASONS:
            raise ValueError(f"`reason` must be one of {sorted(REASONS)}, got {reason!r}")
        self.reason = reason
        self.path = str(path)
        self.detail = " ".join(str(detail).split())  # one line, whatever FFmpeg said
        super().__init__(self.reason, self.path, self.detail)

    def __str__(self) -> str:
        message = f"{self.path}: {self.reason}"
        return f"{message}: {self.detail}" if self.detail else message

    def __reduce__(self):
        # Beam and multiprocessing pickle exceptions across workers.
        return (type(self), (self.reason, self.path, self.detail))
