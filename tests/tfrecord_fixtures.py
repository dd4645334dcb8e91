"""Writes a tiny prepared dataset straight from numpy arrays, following the feature spec, so the
reader's tests do not depend on ``mmvideo prepare``; returns the examples written (the truth).

    examples = make_examples(20, spec, seed=0)
    write_dataset(tmp_path / "data", {"train": examples}, spec, num_shards=3)

Images are smooth colour ramps (JPEG keeps them within a few levels), each frame of a clip
different, so decoded pixels can be compared with what was written.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from data_interface.features import FORMAT_VERSION, FeatureSpec
from mmvideo import taxonomy

JPEG_QUALITY = 95
TEXTS = (
    "海滩上的日落，金色的阳光",
    "Aerial view of the city at night",
    "婚礼 wedding 庆典 celebration",
    "Underwater coral reef with fish",
    "太空中的星空与星云",
    "A timelapse of clouds over mountains",
)


@dataclass
class FixtureExample:
    """One video as written: ``cover`` / ``frames`` are uint8 arrays, ``None`` when absent."""

    id: str
    text: str
    cover: np.ndarray | None
    frames: np.ndarray | None
    labels: list[int] = field(default_factory=list)
    frames_payload: bytes | None = None  # stored instead of the encoded frames (e.g. corrupt bytes)

    @property
    def label(self) -> int:
        return min(self.labels)


def smooth_image(rng: np.random.Generator, height: int, width: int) -> np.ndarray:
    """A uint8 ``[height, width, 3]`` ramp with a random colour and direction per channel."""
    ys, xs = np.mgrid[0:height, 0:width] / max(height, width)
    channels = [
        rng.uniform(40, 200) + rng.uniform(-50, 50) * ys + rng.uniform(-50, 50) * xs for _ in range(3)
    ]
    return np.clip(np.stack(channels, axis=-1), 0, 255).astype(np.uint8)


def make_examples(count: int, spec: FeatureSpec, seed: int = 0, prefix: str = "v") -> list[FixtureExample]:
    """Every 5th without a cover, every 4th without text, every 7th without frames, every 3rd
    multi-label; Chinese and English texts."""
    rng = np.random.default_rng(seed)
    examples = []
    for index in range(count):
        frames = np.stack(
            [smooth_image(rng, spec.frame_size, spec.frame_size) for _ in range(spec.frames_per_clip)]
        )
        frames = frames if index % 7 != 3 else None
        cover = smooth_image(rng, spec.cover_size, spec.cover_size) if index % 5 != 1 else None
        text = TEXTS[index % len(TEXTS)] if index % 4 != 2 else ""
        labels = sorted({int(label) for label in rng.choice(spec.num_classes, size=1 + (index % 3 == 0) * 2)})
        examples.append(FixtureExample(f"{prefix}{index:04d}", text, cover, frames, labels))
    return examples


def jpeg_bytes(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="JPEG", quality=quality)
    return buffer.getvalue()


def serialize(example: FixtureExample, spec: FeatureSpec, quality: int = JPEG_QUALITY) -> bytes:
    """One ``tf.train.Example`` with the on-disk keys of the spec (frames as one mosaic JPEG)."""
    import tensorflow as tf

    def bytes_feature(value: bytes):
        return tf.train.Feature(bytes_list=tf.train.BytesList(value=[value]))

    def int_feature(*values: int):
        return tf.train.Feature(int64_list=tf.train.Int64List(value=list(values)))

    frames = b""
    if example.frames is not None:
        mosaic = example.frames.reshape(-1, spec.frame_size, 3)  # [T*H, W, 3], frames stacked vertically
        frames = example.frames.tobytes() if spec.storage == "raw" else jpeg_bytes(mosaic, quality)
    if example.frames_payload is not None:
        frames = example.frames_payload
    feature = {
        "id": bytes_feature(example.id.encode()),
        "text": bytes_feature(example.text.encode()),
        "cover": bytes_feature(b"" if example.cover is None else jpeg_bytes(example.cover, quality)),
        "frames": bytes_feature(frames),
        "label": int_feature(example.label),
        "labels": int_feature(*example.labels),
        "has_text": int_feature(int(bool(example.text))),
        "has_cover": int_feature(int(example.cover is not None)),
        "has_frames": int_feature(int(example.frames is not None)),
    }
    return tf.train.Example(features=tf.train.Features(feature=feature)).SerializeToString()


def write_dataset(
    out_dir: str | Path,
    splits: dict[str, list[FixtureExample]],
    spec: FeatureSpec,
    num_shards: int | dict[str, int] = 3,
    quality: int = JPEG_QUALITY,
) -> Path:
    """``out_dir`` as ``mmvideo prepare`` lays it out: info.json, shards, ``<split>.ids``, vocab.txt.

    ``num_shards`` is per split when a dict. Examples go to shards in contiguous blocks; the vocabulary is learned from the train split
    (or the first split) with ``data_interface.text``.
    """
    import tensorflow as tf

    from data_interface.text import learn_vocabulary, write_vocabulary

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shards = {}
    for split, examples in splits.items():
        wanted = num_shards[split] if isinstance(num_shards, dict) else num_shards
        count = max(1, min(wanted, len(examples)))
        bounds = np.linspace(0, len(examples), count + 1).astype(int)
        shards[split] = [f"{split}-{index:05d}-of-{count:05d}.tfrecord" for index in range(count)]
        for name, start, stop in zip(shards[split], bounds[:-1], bounds[1:], strict=True):
            with tf.io.TFRecordWriter(str(out_dir / name)) as writer:
                for example in examples[start:stop]:
                    writer.write(serialize(example, spec, quality))
        (out_dir / f"{split}.ids").write_text("".join(f"{example.id}\n" for example in examples))
    vocabulary_split = "train" if "train" in splits else next(iter(splits))
    write_vocabulary(
        out_dir / "vocab.txt", learn_vocabulary(example.text for example in splits[vocabulary_split])
    )
    info = {
        "format_version": FORMAT_VERSION,
        "spec": spec.to_dict(),
        "storage": spec.storage,
        "splits": {split: len(examples) for split, examples in splits.items()},
        "shards": shards,
        "categories": [category.name for category in taxonomy.CATEGORIES][: spec.num_classes],
    }
    (out_dir / "info.json").write_text(json.dumps(info, ensure_ascii=False, indent=2), encoding="utf-8")
    return out_dir
