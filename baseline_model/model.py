"""``build_model``: the baseline classifier for a feature spec and a model config."""

from __future__ import annotations

from pathlib import Path

import keras

from baseline_model import checks
from baseline_model.backbone import MultimodalBackbone
from baseline_model.classifier import MultimodalClassifier
from baseline_model.config import ModelConfig, as_model_config
from baseline_model.cover_encoder import CoverEncoder
from baseline_model.frames_encoder import FramesEncoder
from baseline_model.text_encoder import DescriptionEncoder
from data_interface.features import MODALITIES, FeatureSpec
from data_interface.text import DEFAULT_OOV_BUCKETS, DEFAULT_VOCABULARY_SIZE

# The most ids the default tokenizer can emit: padding, OOV buckets, a full vocabulary.
DEFAULT_TEXT_IDS = DEFAULT_VOCABULARY_SIZE + DEFAULT_OOV_BUCKETS + 1


def build_encoders(spec: FeatureSpec, config: ModelConfig, modalities, vocabulary_size: int) -> dict:
    """``{modality: encoder layer}`` for the chosen modalities."""
    encoders = {}
    if "text" in modalities:
        encoders["text"] = DescriptionEncoder(
            vocabulary_size,
            encoder=config.text_encoder,
            embedding_dim=config.token_embedding_dim,
            units=config.text_units,
            output_dim=config.branch_dim,
            name="text_encoder",
        )
    if "cover" in modalities:
        encoders["cover"] = CoverEncoder(
            encoder=config.cover_encoder,
            filters=config.cover_filters,
            stem_stride=config.stem_stride,
            batch_norm=config.conv_batch_norm,
            output_dim=config.branch_dim,
            name="cover_encoder",
        )
    if "frames" in modalities:
        encoders["frames"] = FramesEncoder(
            spec.frames_per_clip,
            filters=config.frame_filters,
            stem_stride=config.stem_stride,
            batch_norm=config.conv_batch_norm,
            frame_pooling=config.frame_pooling,
            grid_size=config.frame_grid,
            frame_features=config.frame_features,
            frame_residuals=config.frame_residuals,
            temporal=config.temporal,
            temporal_units=config.temporal_units,
            output_dim=config.branch_dim,
            name="frames_encoder",
        )
    return encoders


def build_model(
    spec: FeatureSpec | None = None,
    config: dict | ModelConfig | None = None,
    modalities=MODALITIES,
    vocabulary_size: int | None = None,
    num_classes: int | None = None,
    seed: int | None = None,
) -> keras.Model:
    """The baseline: a :class:`MultimodalClassifier` whose inputs are named like the features.

    Args:
        spec: the dataset's feature spec (input shapes); ``None``: the default spec.
        config: a :class:`ModelConfig`, a dict of its keys, or ``None`` for the defaults.
        modalities: the branches to build (a subset of ``text``, ``cover``, ``frames``, or a
            comma-separated string); the model takes only their features and ``has_*`` masks.
        vocabulary_size: ids the tokenizer emits (``TextEncoder.vocabulary_size``); ``None``:
            the most the default tokenizer can emit.
        num_classes: ``None``: ``spec.num_classes``.
        seed: seed of the modality dropout draws.

    Returns:
        A Keras model mapping ``{text, cover, frames, has_text, has_cover, has_frames}``
        (the chosen ones) to probabilities ``[B, num_classes]``.
    """
    spec = FeatureSpec() if spec is None else spec
    if not isinstance(spec, FeatureSpec):
        raise ValueError(f"`spec` must be a FeatureSpec, got {spec!r}")
    config = as_model_config(config)
    modalities = checks.modalities(modalities, MODALITIES)
    vocabulary_size = DEFAULT_TEXT_IDS if vocabulary_size is None else vocabulary_size
    num_classes = spec.num_classes if num_classes is None else num_classes
    checks.positive_int("vocabulary_size", vocabulary_size, minimum=2)
    checks.positive_int("num_classes", num_classes, minimum=2)
    encoders = build_encoders(spec, config, modalities, vocabulary_size)
    backbone = MultimodalBackbone(
        text_encoder=encoders.get("text"),
        cover_encoder=encoders.get("cover"),
        frames_encoder=encoders.get("frames"),
        max_tokens=spec.max_tokens,
        cover_size=spec.cover_size,
        frames_per_clip=spec.frames_per_clip,
        frame_size=spec.frame_size,
        name="backbone",
    )
    if config.cover_weights is not None and "cover" in modalities:
        encoders["cover"].features.load_weights(str(Path(config.cover_weights)))
    return MultimodalClassifier(
        backbone,
        num_classes=num_classes,
        label_mode=config.label_mode,
        fusion=config.fusion,
        fusion_units=config.fusion_units,
        fusion_dropout=config.fusion_dropout,
        modality_dropout=config.modality_dropout,
        seed=seed,
        name="mmvideo_baseline",
    )
