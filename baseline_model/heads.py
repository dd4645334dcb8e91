"""Classification heads: class probabilities from a fused vector (or from fused logits)."""

from __future__ import annotations

import keras

from baseline_model import checks

LABEL_MODES = ("single", "multi")


@keras.saving.register_keras_serializable(package="mmvideo")
class ClassificationHead(keras.layers.Layer):
    """``[B, D]`` -> probabilities ``[B, num_classes]`` (float32).

    ``label_mode="single"``: softmax (one class per clip, sums to 1); ``"multi"``: sigmoid per
    class (a clip may sit in several categories). ``projection=False`` when the input already
    holds class logits (score-level fusion): then only the activation is applied.
    """

    def __init__(self, num_classes, label_mode="single", projection=True, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int("num_classes", num_classes, minimum=2)
        checks.one_of("label_mode", label_mode, LABEL_MODES)
        # layers
        self.logits = keras.layers.Dense(num_classes, name="logits") if projection else None
        self.activation = keras.layers.Activation(
            "softmax" if label_mode == "single" else "sigmoid", dtype="float32", name="probabilities"
        )
        # config
        self.num_classes = num_classes
        self.label_mode = label_mode
        self.projection = projection

    def call(self, features):
        if self.logits is not None:
            features = self.logits(features)
        elif features.shape[-1] != self.num_classes:
            raise ValueError(
                f"`projection=False` needs {self.num_classes} logits per example, got shape {features.shape}"
            )
        return self.activation(features)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"num_classes": self.num_classes, "label_mode": self.label_mode, "projection": self.projection}
        )
        return config
