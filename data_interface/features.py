"""The feature spec: the single source of truth for keys, shapes and dtypes.

The TFRecord writer (prepare), the parser (``load_dataset``), the model inputs and the export
signature are all generated from :class:`FeatureSpec`; nothing else spells a key.

On disk (one ``tf.train.Example`` per video, key ``id``):

====================  =========  ==========================================================
key                   type       holds
====================  =========  ==========================================================
``id``                bytes      the video id (stable example key)
``text``              bytes      the description, UTF-8 ("" when absent)
``cover``             bytes      the cover as a JPEG at ``cover_size`` ("" when absent)
``frames``            bytes      the ``frames_per_clip`` frames as ONE mosaic JPEG, stacked
                                 vertically (``T*H x W``) -- one decode per example, not T;
                                 or, with ``storage="raw"``, the uint8 array's raw bytes
``label``             int64      the primary class id (the first label in class-id order)
``labels``            int64[]    every class id of the video (several when it sits in several
                                 categories)
``has_text``          int64      1 when the modality is present, else 0 (same for cover/frames)
====================  =========  ==========================================================

Read back (``load_dataset``), one batch is ``(features, labels)`` with features:

- ``text``: int32 ``[max_tokens]`` token ids (0 = padding; see ``data_interface.text``);
- ``cover``: uint8 ``[cover_size, cover_size, 3]``; zeros when absent;
- ``frames``: uint8 ``[frames_per_clip, frame_size, frame_size, 3]``;
- ``has_text``, ``has_cover``, ``has_frames``: float32 scalars, 1.0 present / 0.0 absent;
- ``id``: string;

and labels int32 class ids (``label_mode="single"``) or float32 multi-hot ``[num_classes]``
(``"multi"``). An absent modality is all zeros (text: all padding) with its mask 0, so the
model sees "nothing" rather than noise, and masks let fusion ignore it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from mmvideo import taxonomy

MODALITIES = ("text", "cover", "frames")
STORAGES = ("jpeg", "raw")
FORMAT_VERSION = 1


def mask_key(modality: str) -> str:
    """``"has_cover"`` for ``"cover"``: the presence flag of a modality."""
    if modality not in MODALITIES:
        raise ValueError(f"`modality` must be one of {MODALITIES}, got {modality!r}")
    return f"has_{modality}"


@dataclass(frozen=True)
class FeatureSpec:
    """Shapes of a prepared dataset; stored in ``info.json`` and in every run directory."""

    frames_per_clip: int = 8
    frame_size: int = 112
    cover_size: int = 112
    max_tokens: int = 64
    num_classes: int = taxonomy.NUM_CLASSES
    storage: str = "jpeg"

    def __post_init__(self):
        for name in ("frames_per_clip", "frame_size", "cover_size", "max_tokens", "num_classes"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"`{name}` must be an int >= 1, got {value!r}")
        if self.storage not in STORAGES:
            raise ValueError(f"`storage` must be one of {STORAGES}, got {self.storage!r}")

    @property
    def frames_shape(self) -> tuple[int, int, int, int]:
        return (self.frames_per_clip, self.frame_size, self.frame_size, 3)

    @property
    def cover_shape(self) -> tuple[int, int, int]:
        return (self.cover_size, self.cover_size, 3)

    def input_shapes(self) -> dict[str, tuple[tuple[int, ...], str]]:
        """Model input name -> (shape without batch, dtype), for the chosen features."""
        return {
            "text": ((self.max_tokens,), "int32"),
            "cover": (self.cover_shape, "uint8"),
            "frames": (self.frames_shape, "uint8"),
            "has_text": ((), "float32"),
            "has_cover": ((), "float32"),
            "has_frames": ((), "float32"),
        }

    def tfrecord_features(self) -> dict:
        """The parsing spec of one stored example (``tf.io.parse_example``)."""
        import tensorflow as tf

        return {
            "id": tf.io.FixedLenFeature([], tf.string),
            "text": tf.io.FixedLenFeature([], tf.string, default_value=""),
            "cover": tf.io.FixedLenFeature([], tf.string, default_value=""),
            "frames": tf.io.FixedLenFeature([], tf.string),
            "label": tf.io.FixedLenFeature([], tf.int64),
            "labels": tf.io.VarLenFeature(tf.int64),
            "has_text": tf.io.FixedLenFeature([], tf.int64, default_value=0),
            "has_cover": tf.io.FixedLenFeature([], tf.int64, default_value=0),
            "has_frames": tf.io.FixedLenFeature([], tf.int64, default_value=1),
        }

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> FeatureSpec:
        known = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        return cls(**known)
