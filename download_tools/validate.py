"""Is this body what was asked for? Content type, magic bytes, and (optionally) a real decode.

Every check returns ``None`` when the data is acceptable, else ``(code, detail)``: the code is a
short stable word the summary counts (``html_page``, ``not_video``, ``decode_error`` ...).
"""

from __future__ import annotations

from pathlib import Path

# How many leading bytes the magic checks need (RIFF....WEBP is 12).
HEAD_BYTES = 16
PARTS = ("mp4", "cover")
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_TEXT_TYPES = ("html", "xml", "json", "javascript", "css")

Problem = tuple[str, str] | None


def _what(part: str) -> str:
    return "video" if part == "mp4" else "image"


def check_content_type(part: str, content_type: str | None) -> Problem:
    """Refuse a text/markup type (an error page); binary or missing types are left to the bytes."""
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    if mime.startswith("text/") or any(word in mime for word in _TEXT_TYPES):
        code = "html_page" if "html" in mime else f"not_{_what(part)}"
        return code, f"content type {mime!r} instead of a {_what(part)}"
    return None


def looks_like_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return start.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body", b"<!--", b"{", b"["))


def check_magic(part: str, head: bytes) -> Problem:
    """``head`` (the first :data:`HEAD_BYTES` bytes, or the whole body if shorter) must start a
    clip (an ISO-BMFF ``ftyp`` box at offset 4) or an image (JPEG, PNG or WebP)."""
    if part == "mp4":
        if len(head) >= 8 and head[4:8] == b"ftyp":
            return None
    elif part == "cover":
        if head.startswith((_JPEG, _PNG)) or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
            return None
    else:
        raise ValueError(f"part must be one of {PARTS}, got {part!r}")
    if looks_like_markup(head):
        return "html_page", f"a text page instead of a {_what(part)}: {head[:12]!r}"
    return f"not_{_what(part)}", f"unexpected leading bytes {head[:12]!r}"


def check_file(part: str, path: Path) -> Problem:
    """The magic check on a file already on disk (``missing`` when it cannot be read)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as error:
        return "missing", str(error.strerror or error)
    return check_magic(part, head)


def verify_clip(path: Path) -> Problem:
    """Open the clip with PyAV and decode its first video frame."""
    import av

    try:
        with av.open(str(path)) as container:
            stream = next((s for s in container.streams if s.type == "video"), None)
            if stream is None:
                return "decode_error", "no video stream"
            for _ in container.decode(stream):
                return None
            return "decode_error", "no decodable frame"
    except (av.FFmpegError, OSError, ValueError, IndexError, EOFError, MemoryError) as error:
        return "decode_error", f"{type(error).__name__}: {error}"[:300]


def verify_cover(path: Path) -> Problem:
    """Open the cover with Pillow, ``Image.verify`` it, then decode it (``verify`` alone does not
    read a JPEG's image data, so it passes a truncated one)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            image.verify()
        with Image.open(path) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, IndexError, EOFError, MemoryError,
            Image.DecompressionBombError) as error:
        return "bad_image", f"{type(error).__name__}: {error}"[:300]
    return None


def verify_decode(part: str, path: Path) -> Problem:
    return verify_clip(path) if part == "mp4" else verify_cover(path)
