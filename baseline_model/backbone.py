"""The multimodal backbone: named feature inputs -> one embedding per modality."""

from __future__ import annotations

import keras

from baseline_model import checks
from data_interface.features import MODALITIES


@keras.saving.register_keras_serializable(package="mmvideo")
class MultimodalBackbone(keras.Model):
    """A functional model from the feature inputs of the chosen modalities to their embeddings.

    Inputs (named like the features of ``data_interface.features``): ``text`` int32
    ``[max_tokens]``, ``cover`` uint8 ``[cover_size, cover_size, 3]``, ``frames`` uint8
    ``[frames_per_clip, frame_size, frame_size, 3]`` -- only those with an encoder. Outputs a
    dict ``{modality: [B, dim]}``. A modality is used when its encoder is given.

    Args:
        text_encoder: a layer on token ids (``DescriptionEncoder``) or ``None``.
        cover_encoder: a layer on uint8 covers (``CoverEncoder``) or ``None``.
        frames_encoder: a layer on uint8 frames (``FramesEncoder``) or ``None``.
        max_tokens, cover_size, frames_per_clip, frame_size: the input shapes (``FeatureSpec``).
    """

    def __init__(
        self,
        text_encoder=None,
        cover_encoder=None,
        frames_encoder=None,
        max_tokens=64,
        cover_size=112,
        frames_per_clip=8,
        frame_size=112,
        **kwargs,
    ):
        for name, value in (
            ("max_tokens", max_tokens),
            ("cover_size", cover_size),
            ("frames_per_clip", frames_per_clip),
            ("frame_size", frame_size),
        ):
            checks.positive_int(name, value)
        encoders = {"text": text_encoder, "cover": cover_encoder, "frames": frames_encoder}
        modalities = tuple(name for name in MODALITIES if encoders[name] is not None)
        if not modalities:
            raise ValueError("`MultimodalBackbone` needs at least one encoder, got none")
        # layers
        self.text_encoder = text_encoder
        self.cover_encoder = cover_encoder
        self.frames_encoder = frames_encoder
        # functional model
        shapes = {
            "text": ((max_tokens,), "int32"),
            "cover": ((cover_size, cover_size, 3), "uint8"),
            "frames": ((frames_per_clip, frame_size, frame_size, 3), "uint8"),
        }
        inputs = {name: keras.Input(shape=shapes[name][0], dtype=shapes[name][1], name=name) for name in modalities}
        outputs = {name: encoders[name](inputs[name]) for name in modalities}
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        # config
        self.modalities = modalities
        self.max_tokens = max_tokens
        self.cover_size = cover_size
        self.frames_per_clip = frames_per_clip
        self.frame_size = frame_size

    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable}
        for name in ("text_encoder", "cover_encoder", "frames_encoder"):
            layer = getattr(self, name)
            config[name] = None if layer is None else keras.layers.serialize(layer)
        config.update(
            {
                "max_tokens": self.max_tokens,
                "cover_size": self.cover_size,
                "frames_per_clip": self.frames_per_clip,
                "frame_size": self.frame_size,
            }
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        for name in ("text_encoder", "cover_encoder", "frames_encoder"):
            if isinstance(config.get(name), dict):
                config[name] = keras.layers.deserialize(config[name])
        return cls(**config)
