"""Temporal modules: per-frame features ``[B, T, C]`` -> one clip vector ``[B, D]``.

Order-aware: ``temporal_conv`` (1-D convolutions over time), ``lstm``, ``attention`` (attention
pooling over frames plus a learned position embedding) and ``conv3d`` (a 3-D convolution over the
per-frame feature maps ``[B, T, h, w, C]``, see ``FramesEncoder``). Order-blind, for comparison:
``mean`` and ``max`` -- they cannot tell a clip from the same clip played backwards.
"""

from __future__ import annotations

import keras
from keras import ops

from baseline_model import checks

TEMPORAL_MODULES = ("conv3d", "temporal_conv", "lstm", "attention", "mean", "max")
ORDER_AWARE = ("conv3d", "temporal_conv", "lstm", "attention")


@keras.saving.register_keras_serializable(package="mmvideo")
class TemporalConv(keras.layers.Layer):
    """``[B, T, C]`` -> ``[B, units]``: ``num_layers`` ReLU convolutions of width ``kernel_size``
    over time (each output step sees its neighbours in order), then the mean over time."""

    def __init__(self, units=64, num_layers=2, kernel_size=3, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int("units", units)
        checks.positive_int("num_layers", num_layers)
        checks.positive_int("kernel_size", kernel_size, minimum=2)
        # layers
        self.convolutions = [
            keras.layers.Conv1D(units, kernel_size, padding="same", activation="relu", name=f"conv_{index}")
            for index in range(num_layers)
        ]
        self.pooling = keras.layers.GlobalAveragePooling1D(name="pooling")
        # config
        self.units = units
        self.num_layers = num_layers
        self.kernel_size = kernel_size

    def call(self, sequence):
        for convolution in self.convolutions:
            sequence = convolution(sequence)
        return self.pooling(sequence)

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units, "num_layers": self.num_layers, "kernel_size": self.kernel_size})
        return config


@keras.saving.register_keras_serializable(package="mmvideo")
class AttentionPooling(keras.layers.Layer):
    """``[B, T, C]`` -> ``[B, num_heads * C]``: ``num_heads`` softmax-weighted averages over time.

    A learned position embedding (one vector per frame index) is added to the features first,
    so both the weights and the pooled vectors depend on where in the clip a frame sits.
    """

    def __init__(self, num_frames, units=64, num_heads=4, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int("num_frames", num_frames)
        checks.positive_int("units", units)
        checks.positive_int("num_heads", num_heads)
        # layers
        self.hidden = keras.layers.Dense(units, activation="tanh", name="hidden")
        self.scores = keras.layers.Dense(num_heads, name="scores")
        # config
        self.num_frames = num_frames
        self.units = units
        self.num_heads = num_heads

    def build(self, input_shape):
        channels = input_shape[-1]
        self.positions = self.add_weight(
            shape=(self.num_frames, channels), initializer="random_normal", name="positions"
        )
        self.hidden.build((None, self.num_frames, channels))
        self.scores.build((None, self.num_frames, self.units))

    def call(self, sequence):
        sequence = sequence + self.positions
        weights = ops.softmax(self.scores(self.hidden(sequence)), axis=1)  # [B, T, heads]
        pooled = ops.einsum("bth,btc->bhc", weights, sequence)
        return ops.reshape(pooled, (-1, self.num_heads * sequence.shape[-1]))

    def get_config(self):
        config = super().get_config()
        config.update({"num_frames": self.num_frames, "units": self.units, "num_heads": self.num_heads})
        return config


@keras.saving.register_keras_serializable(package="mmvideo")
class SpatioTemporalConv(keras.layers.Layer):
    """Feature maps ``[B, T, h, w, C]`` -> ``[B, units]``: a 3x3x3 ReLU convolution (it sees local
    motion, in order), then the mean over time and space."""

    def __init__(self, units=64, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int("units", units)
        # layers
        self.convolution = keras.layers.Conv3D(units, 3, padding="same", activation="relu", name="conv3d")
        self.pooling = keras.layers.GlobalAveragePooling3D(name="pooling")
        # config
        self.units = units

    def call(self, feature_maps):
        return self.pooling(self.convolution(feature_maps))

    def get_config(self):
        config = super().get_config()
        config.update({"units": self.units})
        return config


def temporal_module(name: str, units: int, num_frames: int) -> keras.layers.Layer:
    """The layer for ``temporal=name`` (``conv3d`` takes feature maps, the others sequences)."""
    checks.one_of("temporal", name, TEMPORAL_MODULES)
    if name == "conv3d":
        return SpatioTemporalConv(units, name="conv3d")
    if name == "temporal_conv":
        return TemporalConv(units, name="temporal_conv")
    if name == "lstm":
        return keras.layers.LSTM(units, name="lstm")
    if name == "attention":
        return AttentionPooling(num_frames, units, name="attention")
    if name == "mean":
        return keras.layers.GlobalAveragePooling1D(name="mean")
    return keras.layers.GlobalMaxPooling1D(name="max")
