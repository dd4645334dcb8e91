"""The original architecture, for benchmark comparisons only (not serving or training code).

Text: token embedding (128) + BiLSTM (64 per direction, last states). Cover: two 3x3 convolutions
with max pooling at full resolution, flattened into a 64-unit layer. Frames: a Conv3D stack on the
raw frames (32 then 64 channels of 3x3x3 with max pooling), averaged. Concatenated into
Dense(100) and a softmax. No masks, no rescaling outside the model.
"""

from __future__ import annotations

import keras
from keras import layers

from data_interface.features import FeatureSpec


def original_model(spec: FeatureSpec, vocabulary_size: int, num_classes: int | None = None) -> keras.Model:
    """The original three-branch model at ``spec``'s input sizes (inputs named like the features)."""
    num_classes = spec.num_classes if num_classes is None else num_classes
    text = keras.Input((spec.max_tokens,), dtype="int32", name="text")
    cover = keras.Input(spec.cover_shape, dtype="uint8", name="cover")
    frames = keras.Input(spec.frames_shape, dtype="uint8", name="frames")

    words = layers.Embedding(vocabulary_size, 128, mask_zero=True)(text)
    text_vector = layers.Bidirectional(layers.LSTM(64))(words)

    image = layers.Rescaling(1.0 / 255)(cover)
    image = layers.MaxPooling2D(2)(layers.Conv2D(32, 3, activation="relu")(image))
    image = layers.MaxPooling2D(2)(layers.Conv2D(64, 3, activation="relu")(image))
    cover_vector = layers.Dense(64, activation="relu")(layers.Flatten()(image))

    clip = layers.Rescaling(1.0 / 255)(frames)
    clip = layers.MaxPooling3D((1, 2, 2))(layers.Conv3D(32, 3, padding="same", activation="relu")(clip))
    clip = layers.MaxPooling3D(2)(layers.Conv3D(64, 3, padding="same", activation="relu")(clip))
    frames_vector = layers.GlobalAveragePooling3D()(clip)

    fused = layers.Dense(100, activation="relu")(layers.Concatenate()([text_vector, cover_vector, frames_vector]))
    outputs = layers.Dense(num_classes, activation="softmax")(fused)
    return keras.Model({"text": text, "cover": cover, "frames": frames}, outputs, name="original")
