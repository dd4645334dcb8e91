"""Cheap checks on a file's bytes before FFmpeg touches it.

- ``check_file``: exists, is a readable regular file, is not empty.
- ``sniff``: which container the first bytes announce (``mp4``, ``matroska``, ``gif``, ``avi``),
  or what else they look like (``html``, ``text``), for clearer errors.
- ``gif_screen_size``: the canvas a GIF declares (FFmpeg only learns it by decoding).
- ``mp4_is_truncated``: whether the top-level MP4 boxes run past the end of the file (an
  interrupted download: with the index at the end FFmpeg cannot open it at all).
"""

import os
import stat
import struct
from pathlib import Path

from mmvideo.media import errors, limits
from mmvideo.media.errors import MediaError

_MP4_TOP_LEVEL_BOXES = {b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"styp", b"moof", b"uuid"}
_MAX_MP4_BOXES = 100_000


def check_file(path: Path) -> int:
    """The file's size in bytes; MediaError ``not_found`` / ``unreadable`` / ``empty_file``."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise MediaError(errors.NOT_FOUND, path, "no such file") from None
    except OSError as error:
        raise MediaError(errors.UNREADABLE, path, f"cannot stat: {error.strerror or error}") from None
    if not stat.S_ISREG(info.st_mode):
        raise MediaError(errors.UNREADABLE, path, "not a regular file")
    if info.st_size == 0:
        raise MediaError(errors.EMPTY_FILE, path, "the file is empty (0 bytes)")
    if not os.access(path, os.R_OK):
        raise MediaError(errors.UNREADABLE, path, "permission denied")
    return info.st_size


def read_head(path: Path, num_bytes: int | None = None) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(num_bytes or limits.SNIFF_BYTES)
    except OSError as error:
        raise MediaError(errors.UNREADABLE, path, f"cannot read: {error.strerror or error}") from None


def sniff(head: bytes) -> str | None:
    """A name for what the first bytes look like, or None."""
    if head[4:8] in _MP4_TOP_LEVEL_BOXES:
        return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "matroska"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "avi"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<")):
        return "html"
    if text and all(32 <= byte < 127 or byte in b"\t\r\n" for byte in text):
        return "text"
    return None


def gif_screen_size(head: bytes) -> tuple[int, int] | None:
    """``(width, height)`` of a GIF's logical screen, or None if ``head`` is not a GIF."""
    if not head.startswith((b"GIF87a", b"GIF89a")) or len(head) < 10:
        return None
    return struct.unpack("<HH", head[6:10])


def mp4_is_truncated(path: Path, file_size: int) -> bool:
    """Whether the last top-level box of an MP4 claims more bytes than the file holds."""
    position, count = 0, 0
    try:
        with open(path, "rb") as handle:
            while position + 8 <= file_size and count < _MAX_MP4_BOXES:
                handle.seek(position)
                header = handle.read(16)
                box_size = int.from_bytes(header[0:4], "big")
                if box_size == 1:  # 64-bit size follows the type
                    if len(header) < 16:
                        return True
                    box_size = int.from_bytes(header[8:16], "big")
                elif box_size == 0:  # runs to the end of the file
                    return False
                if box_size < 8:  # not a box structure we understand; let FFmpeg judge
                    return False
                position += box_size
                count += 1
    except OSError:
        return False
    return position > file_size


def check_dimensions(width: int, height: int, path, where: str = "stream header") -> None:
    """MediaError ``too_large`` when ``width x height`` exceeds the limits."""
    if (
        width > limits.MAX_FRAME_SIDE
        or height > limits.MAX_FRAME_SIDE
        or width * height > limits.MAX_FRAME_PIXELS
    ):
        raise MediaError(
            errors.TOO_LARGE,
            path,
            f"{where} says {width}x{height}; the limit is {limits.MAX_FRAME_SIDE} per side and "
            f"{limits.MAX_FRAME_PIXELS} pixels",
        )
