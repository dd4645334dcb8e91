"""The three-branch late-fusion baseline: Keras encoders (text, cover, frames), fusion and heads.

    from baseline_model import build_model
    model = build_model(spec, {"temporal": "attention"}, modalities=("cover", "frames"))

Layers (all registered as ``mmvideo>Name``, so a saved ``.keras`` reloads with plain
``keras.models.load_model`` once this package is imported): ``DescriptionEncoder``,
``CoverEncoder``, ``FramesEncoder`` (over ``SmallConvNet`` and a temporal module),
``ModalityDropout``, ``ConcatFusion`` / ``AverageFusion``, ``ClassificationHead``; models:
``MultimodalBackbone`` (features -> embeddings) and ``MultimodalClassifier`` (-> probabilities);
the learning-rate schedule ``WarmupCosine`` that a trained run's optimizer holds.
"""

from baseline_model.backbone import MultimodalBackbone
from baseline_model.classifier import MultimodalClassifier
from baseline_model.config import ModelConfig, as_model_config, load_model_config
from baseline_model.conv_net import SmallConvNet
from baseline_model.cover_encoder import COVER_ENCODERS, CoverEncoder
from baseline_model.frames_encoder import FRAME_POOLINGS, FramesEncoder
from baseline_model.fusion import FUSIONS, AverageFusion, ConcatFusion, ModalityDropout
from baseline_model.heads import LABEL_MODES, ClassificationHead
from baseline_model.model import build_model
from baseline_model.original import original_model
from baseline_model.temporal import (
    ORDER_AWARE,
    TEMPORAL_MODULES,
    AttentionPooling,
    SpatioTemporalConv,
    TemporalConv,
)
from baseline_model.text_encoder import TEXT_ENCODERS, DescriptionEncoder
from baseline_model.training.schedule import WarmupCosine  # registered: a run's models hold it

__all__ = [
    "COVER_ENCODERS",
    "FRAME_POOLINGS",
    "FUSIONS",
    "LABEL_MODES",
    "ORDER_AWARE",
    "TEMPORAL_MODULES",
    "TEXT_ENCODERS",
    "AttentionPooling",
    "AverageFusion",
    "ClassificationHead",
    "ConcatFusion",
    "CoverEncoder",
    "DescriptionEncoder",
    "FramesEncoder",
    "ModalityDropout",
    "ModelConfig",
    "MultimodalBackbone",
    "MultimodalClassifier",
    "SmallConvNet",
    "SpatioTemporalConv",
    "TemporalConv",
    "WarmupCosine",
    "as_model_config",
    "build_model",
    "load_model_config",
    "original_model",
]
