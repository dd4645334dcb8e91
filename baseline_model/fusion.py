"""Late fusion of the branch embeddings, with presence masks and modality dropout.

Masks are dicts ``{modality: float [B]}`` (1.0 present, 0.0 absent; the ``has_*`` features).
Each branch's contribution is multiplied by its mask, so an absent cover or description adds
nothing, whatever its placeholder pixels or tokens hold.
"""

from __future__ import annotations

import keras
from keras import ops

from baseline_model import checks

FUSIONS = ("concat", "average")


def _column(mask):
    return ops.reshape(ops.cast(mask, "float32"), (-1, 1))


@keras.saving.register_keras_serializable(package="mmvideo")
class ModalityDropout(keras.layers.Layer):
    """In training, drops each present modality of each example with probability ``rate``.

    Returns the masks with the dropped modalities set to 0; an example never loses all of its
    present modalities (it keeps its masks when the draw would drop them all). At inference
    (``training`` false) the masks pass unchanged.
    """

    def __init__(self, rate=0.1, seed=None, **kwargs):
        super().__init__(**kwargs)
        checks.rate("modality_dropout", rate)
        self.rate = rate
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, masks, training=None):
        if not training or self.rate == 0:
            return dict(masks)
        names = sorted(masks)
        stacked = ops.stack([ops.reshape(ops.cast(masks[name], "float32"), (-1,)) for name in names], axis=-1)
        draws = keras.random.uniform(ops.shape(stacked), seed=self.seed_generator)
        dropped = stacked * ops.cast(draws >= self.rate, "float32")
        any_left = ops.sum(dropped, axis=-1, keepdims=True) > 0
        kept = ops.where(any_left, dropped, stacked)
        return {name: kept[:, index] for index, name in enumerate(names)}

    def get_config(self):
        config = super().get_config()
        config.update({"rate": self.rate, "seed": self.seed})
        return config


@keras.saving.register_keras_serializable(package="mmvideo")
class ConcatFusion(keras.layers.Layer):
    """Feature-level fusion (the original design): concatenate the masked embeddings and the
    masks themselves (so the MLP knows what is missing), then a ReLU layer of ``units``.
    Returns ``[B, units]``."""

    def __init__(self, modalities, units=100, dropout=0.2, **kwargs):
        super().__init__(**kwargs)
        self.modalities = list(checks.modalities(modalities, ("text", "cover", "frames")))
        checks.positive_int("fusion_units", units)
        checks.rate("fusion_dropout", dropout)
        # layers
        self.hidden = keras.layers.Dense(units, activation="relu", name="hidden")
        self.dropout_layer = keras.layers.Dropout(dropout, name="dropout")
        # config
        self.units = units
        self.dropout = dropout

    def call(self, embeddings, masks, training=None):
        parts = [embeddings[name] * _column(masks[name]) for name in self.modalities]
        parts.append(ops.concatenate([_column(masks[name]) for name in self.modalities], axis=-1))
        return self.dropout_layer(self.hidden(ops.concatenate(parts, axis=-1)), training=training)

    def get_config(self):
        config = super().get_config()
        config.update({"modalities": self.modalities, "units": self.units, "dropout": self.dropout})
        return config


@keras.saving.register_keras_serializable(package="mmvideo")
class AverageFusion(keras.layers.Layer):
    """Score-level fusion: each branch predicts class logits from its embedding, and the logits
    are averaged over the PRESENT modalities (all absent: zeros, a flat prediction). Averaging
    logits multiplies the branches' probabilities, so each branch narrows the others' choice.
    Returns logits ``[B, num_classes]``."""

    def __init__(self, modalities, num_classes, **kwargs):
        super().__init__(**kwargs)
        self.modalities = list(checks.modalities(modalities, ("text", "cover", "frames")))
        checks.positive_int("num_classes", num_classes, minimum=2)
        # layers
        self.branch_logits = [keras.layers.Dense(num_classes, name=f"{name}_logits") for name in self.modalities]
        # config
        self.num_classes = num_classes

    def call(self, embeddings, masks):
        total = 0.0
        count = 0.0
        for name, logits in zip(self.modalities, self.branch_logits, strict=True):
            total = total + logits(embeddings[name]) * _column(masks[name])
            count = count + _column(masks[name])
        return total / ops.maximum(count, 1.0)

    def get_config(self):
        config = super().get_config()
        config.update({"modalities": self.modalities, "num_classes": self.num_classes})
        return config
