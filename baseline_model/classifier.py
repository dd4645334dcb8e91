"""The classification task: a backbone, presence masks, modality dropout, fusion and a head."""

from __future__ import annotations

import keras

from baseline_model import checks
from baseline_model.backbone import MultimodalBackbone
from baseline_model.fusion import FUSIONS, AverageFusion, ConcatFusion, ModalityDropout
from baseline_model.heads import ClassificationHead
from data_interface.features import mask_key


@keras.saving.register_keras_serializable(package="mmvideo")
class MultimodalClassifier(keras.Model):
    """Features of the backbone's modalities plus their ``has_*`` masks -> class probabilities.

    Inputs: the backbone's inputs and, per modality, its mask ``has_<modality>`` (float32
    scalar). Output: ``[B, num_classes]`` probabilities (softmax or sigmoid, see
    :class:`ClassificationHead`).

    Args:
        backbone: a :class:`MultimodalBackbone`.
        num_classes: how many classes.
        label_mode: ``"single"`` (softmax) or ``"multi"`` (sigmoid).
        fusion: ``"concat"`` (embeddings -> ReLU MLP -> head) or ``"average"`` (per-branch
            logits averaged over the present modalities).
        fusion_units, fusion_dropout: the concat MLP's width and dropout.
        modality_dropout: in training, the probability of dropping a modality of an example.
        seed: seed of the modality dropout draws.
    """

    def __init__(
        self,
        backbone,
        num_classes=31,
        label_mode="single",
        fusion="concat",
        fusion_units=100,
        fusion_dropout=0.2,
        modality_dropout=0.1,
        seed=None,
        **kwargs,
    ):
        checks.one_of("fusion", fusion, FUSIONS)
        if not isinstance(backbone, MultimodalBackbone):
            raise ValueError(f"`backbone` must be a MultimodalBackbone, got {backbone!r}")
        modalities = backbone.modalities
        # layers
        self.backbone = backbone
        self.modality_dropout_layer = ModalityDropout(modality_dropout, seed=seed, name="modality_dropout")
        if fusion == "concat":
            self.fusion_layer = ConcatFusion(modalities, fusion_units, fusion_dropout, name="concat_fusion")
        else:
            self.fusion_layer = AverageFusion(modalities, num_classes, name="average_fusion")
        self.head = ClassificationHead(num_classes, label_mode, projection=fusion == "concat", name="head")
        # functional model
        inputs = dict(backbone.input)
        for name in modalities:
            inputs[mask_key(name)] = keras.Input(shape=(), dtype="float32", name=mask_key(name))
        embeddings = backbone({name: inputs[name] for name in modalities})
        masks = self.modality_dropout_layer({name: inputs[mask_key(name)] for name in modalities})
        outputs = self.head(self.fusion_layer(embeddings, masks))
        super().__init__(inputs=inputs, outputs=outputs, **kwargs)
        # config
        self.modalities = modalities
        self.num_classes = num_classes
        self.label_mode = label_mode
        self.fusion = fusion
        self.fusion_units = fusion_units
        self.fusion_dropout = fusion_dropout
        self.modality_dropout = modality_dropout
        self.seed = seed

    def call(self, inputs, training=None, mask=None, **kwargs):
        # A batch may carry more features than this model reads (``id``, unused modalities):
        # keep only its own inputs, by name (Keras would otherwise match a dict by position).
        if isinstance(inputs, dict):
            inputs = {name: inputs[name] for name in self.input if name in inputs}
        return super().call(inputs, training=training, mask=mask, **kwargs)

    def get_config(self):
        return {
            "name": self.name,
            "trainable": self.trainable,
            "backbone": keras.layers.serialize(self.backbone),
            "num_classes": self.num_classes,
            "label_mode": self.label_mode,
            "fusion": self.fusion,
            "fusion_units": self.fusion_units,
            "fusion_dropout": self.fusion_dropout,
            "modality_dropout": self.modality_dropout,
            "seed": self.seed,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("backbone"), dict):
            config["backbone"] = keras.layers.deserialize(config["backbone"])
        return cls(**config)
