"""One ``ExampleSource`` -> one serialized ``tf.train.Example`` (the keys of
``data_interface.features``), or a ``Failure`` naming why the video cannot be used.

Runs inside Beam workers, so it imports no TensorFlow (see ``example_proto`` and ``tfrecord``).

- frames: ``mmvideo.media.sample_frames`` (the one place frames are chosen; exact positions; for
  ``segments`` a generator seeded from the id), stored as ONE JPEG mosaic of the ``T`` frames
  stacked vertically (``T*S x S``, Pillow/libjpeg-turbo, quality ``JPEG_QUALITY``, 4:2:0; with ``S``
  a multiple of 16 no JPEG block straddles two frames), or the raw uint8 bytes with
  ``storage="raw"``. A clip that cannot be decoded (``MediaError``) is a ``Failure`` with the media
  reason; a truncated clip that still yields frames is kept (counted as truncated).
- cover: ``load_cover``: decoded with Pillow (EXIF orientation applied; a JPEG at the smallest DCT
  scale that keeps both sides >= ``S``), then put through the same resize as the frames
  (``mmvideo.media.resize.frame_to_rgb``: cover the box keeping the aspect ratio, then centre-crop;
  the same swscale bilinear scaler), stored as JPEG at ``S x S``. Serving code should call
  ``load_cover`` too, so training and serving see the same cover.
- description: the ``mp4_txt_brief`` of the ``.txt`` beside the clip (``mmvideo.records.parse_txt``,
  never ``eval``), else the manifest's, stripped, stored as UTF-8.

A missing, unreadable or corrupt cover or description does not drop the video: the example keeps
the modality absent (``has_cover = 0`` / ``has_text = 0``, empty bytes) and the reason is reported.
What the model sees in its place is decided by the reader (``data_interface.features``): an all-zero
``[S, S, 3]`` cover, an all-padding (0) token sequence, with the presence mask 0 so fusion can
ignore it.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import av
import numpy as np
from PIL import Image, ImageOps

from data_interface.features import STORAGES, mask_key
from data_interface.prepare import splits
from data_interface.prepare.example_proto import serialize_example
from data_interface.prepare.examples import ExampleSource, Failure
from mmvideo.media import MediaError, limits, sample_frames
from mmvideo.media.resize import frame_to_rgb
from mmvideo.records import RecordError, parse_txt

logger = logging.getLogger(__name__)

JPEG_QUALITY = 90
UNEXPECTED_ERROR = "unexpected_error"
# Why a kept example lacks a cover or a description (counted in info.json, listed in absent.jsonl).
MISSING = "missing"
UNREADABLE = "unreadable"
CORRUPT = "corrupt"
TOO_LARGE = "too_large"
EMPTY = "empty"
ID_MISMATCH = "id_mismatch"


@dataclass(frozen=True)
class EncodeSettings:
    """How each example is made; the same for every example of a dataset."""

    frames: int = 8
    size: int = 112
    sampling: str = "uniform"
    storage: str = "jpeg"
    jpeg_quality: int = JPEG_QUALITY

    def __post_init__(self):
        if self.storage not in STORAGES:
            raise ValueError(f"`storage` must be one of {STORAGES}, got {self.storage!r}")


@dataclass(frozen=True)
class Absent:
    """A modality a kept example lacks, and why."""

    modality: str  # "cover" or "text"
    reason: str
    path: str  # the file that was missing or bad ("" when there was none)
    detail: str = ""

    def to_dict(self, mp4_id: str) -> dict:
        return {
            "id": mp4_id,
            "modality": self.modality,
            "reason": self.reason,
            "path": self.path,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class EncodedExample:
    mp4_id: str
    data: bytes  # the serialized tf.train.Example
    text: str  # the description stored ("" when absent)
    absent: tuple[Absent, ...] = ()
    truncated: bool = False  # the clip was damaged; frames come from the part that could be read


def jpeg_bytes(rgb: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """``uint8 [H, W, 3]`` as a baseline JPEG (Pillow/libjpeg-turbo; 4:2:0 at this quality)."""
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgb)).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def frames_bytes(frames: np.ndarray, storage: str, quality: int = JPEG_QUALITY) -> bytes:
    """``uint8 [T, S, S, 3]`` as stored: one vertical mosaic JPEG (``T*S x S``) or raw bytes."""
    if storage == "raw":
        return np.ascontiguousarray(frames, dtype=np.uint8).tobytes()
    num_frames, height, width, channels = frames.shape
    return jpeg_bytes(frames.reshape(num_frames * height, width, channels), quality)


def resize_image(rgb: np.ndarray, size: int) -> np.ndarray:
    """An RGB image resized like a video frame (``mmvideo.media.resize``'s policy and scaler)."""
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb, dtype=np.uint8), format="rgb24")
    return frame_to_rgb(frame, (size, size))


def load_cover(path: str | None, size: int) -> tuple[np.ndarray | None, Absent | None]:
    """The cover as ``uint8 [size, size, 3]``, or ``(None, why it is absent)``.

    A JPEG is decoded at the smallest DCT scale (1/2, 1/4, 1/8) that keeps both sides >= ``size``
    (Pillow's ``draft``: a cheaper decode and an anti-aliased first reduction); the resize policy
    then brings it to the box exactly as it does frames.
    """
    if path is None:
        return None, Absent("cover", MISSING, "")
    try:
        with Image.open(path) as image:
            width, height = image.size
            if width * height > limits.MAX_FRAME_PIXELS or max(width, height) > limits.MAX_FRAME_SIDE:
                return None, Absent("cover", TOO_LARGE, path, f"{width}x{height}")
            if image.format == "JPEG":
                image.draft("RGB", (size, size))
            ImageOps.exif_transpose(image, in_place=True)
            if image.mode != "RGB":
                image = image.convert("RGB")
            rgb = np.asarray(image)
    except FileNotFoundError:
        return None, Absent("cover", MISSING, path)
    except (PermissionError, IsADirectoryError) as error:
        return None, Absent("cover", UNREADABLE, path, f"{type(error).__name__}: {error}")
    except Image.DecompressionBombError as error:
        return None, Absent("cover", TOO_LARGE, path, str(error))
    except Exception as error:  # Pillow raises many types on bad data; a cover never stops a run
        return None, Absent("cover", CORRUPT, path, f"{type(error).__name__}: {error}")
    return resize_image(rgb, size), None


def load_description(source: ExampleSource) -> tuple[str, Absent | None]:
    """The description (stripped), or ``("", why it is absent)``; the manifest's is the fallback."""
    problem: Absent | None = None
    if source.txt is None:
        problem = Absent("text", MISSING, "")
    else:
        try:
            with open(source.txt, "rb") as handle:
                raw = handle.read(1 << 21)
            record = parse_txt(raw)
        except FileNotFoundError:
            problem = Absent("text", MISSING, source.txt)
        except OSError as error:
            problem = Absent("text", UNREADABLE, source.txt, f"{type(error).__name__}: {error}")
        except RecordError as error:
            problem = Absent("text", error.reason, source.txt, error.detail)
        else:
            if record.mp4_id != source.mp4_id:
                problem = Absent("text", ID_MISMATCH, source.txt, f"the file describes {record.mp4_id!r}")
            elif record.description.strip():
                return record.description.strip(), None
            else:
                problem = Absent("text", EMPTY, source.txt)
    if source.fallback_description:
        return source.fallback_description, None
    return "", problem


def encode_example(source: ExampleSource, settings: EncodeSettings) -> EncodedExample | Failure:
    """The stored example of ``source``, or the ``Failure`` that keeps it out. Never raises for bad data."""
    try:
        return _encode(source, settings)
    except MediaError as error:
        return Failure(source.mp4_id, source.video, error.reason, error.detail)
    except Exception as error:  # one odd file must not stop a run; logged with its traceback
        logger.exception("unexpected error preparing %s", source.video)
        return Failure(source.mp4_id, source.video, UNEXPECTED_ERROR, f"{type(error).__name__}: {error}")


def _encode(source: ExampleSource, settings: EncodeSettings) -> EncodedExample:
    rng = splits.sampling_rng(source.mp4_id) if settings.sampling == "segments" else None
    frames, info = sample_frames(
        source.video, settings.frames, settings.size, settings.sampling, rng, return_info=True
    )
    cover, cover_absent = load_cover(source.cover, settings.size)
    text, text_absent = load_description(source)
    features = {
        "id": source.mp4_id.encode("utf-8"),
        "text": text.encode("utf-8"),
        "cover": jpeg_bytes(cover, settings.jpeg_quality) if cover is not None else b"",
        "frames": frames_bytes(frames, settings.storage, settings.jpeg_quality),
        "label": source.label,
        "labels": list(source.class_ids),
        mask_key("text"): int(bool(text)),
        mask_key("cover"): int(cover is not None),
        mask_key("frames"): 1,
    }
    absent = tuple(problem for problem in (cover_absent, text_absent) if problem is not None)
    return EncodedExample(source.mp4_id, serialize_example(features), text, absent, info.truncated)
