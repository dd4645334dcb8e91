"""The model of a run: built (baseline or ``--model`` plugin) or loaded from the last checkpoint,
then compiled with the loss and metrics of the label mode."""

from __future__ import annotations

import keras

from baseline_model.model import DEFAULT_TEXT_IDS, build_model
from baseline_model.training.plugin import build_plugin_model
from data_interface.info import DatasetInfo


def loss_and_metrics(label_mode: str, num_classes: int):
    """single: sparse categorical crossentropy, accuracy, top-5 accuracy; multi: binary
    crossentropy, ROC AUC and PR AUC (``map``: mean over classes, mAP-like) per label."""
    if label_mode == "single":
        metrics = [
            keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
            keras.metrics.SparseTopKCategoricalAccuracy(k=min(5, num_classes), name="top5_accuracy"),
        ]
        return keras.losses.SparseCategoricalCrossentropy(), metrics
    metrics = [
        keras.metrics.AUC(multi_label=True, num_labels=num_classes, name="auc"),
        keras.metrics.AUC(curve="PR", multi_label=True, num_labels=num_classes, name="map"),
    ]
    return keras.losses.BinaryCrossentropy(), metrics


def vocabulary_size(info: DatasetInfo, modalities) -> int:
    """Ids the dataset's tokenizer emits (padding, OOV buckets, vocabulary)."""
    if "text" not in modalities:
        return DEFAULT_TEXT_IDS
    from data_interface.reader import text_encoder

    return text_encoder(info).vocabulary_size


def new_model(config, info: DatasetInfo, model_fn=None) -> keras.Model:
    """A fresh model: ``model_fn(spec, num_classes, modalities)`` when given, else the baseline."""
    num_classes = info.spec.num_classes
    if model_fn is not None:
        return build_plugin_model(model_fn, info.spec, num_classes, config.modalities)
    return build_model(
        info.spec,
        config.model,
        modalities=config.modalities,
        vocabulary_size=vocabulary_size(info, config.modalities),
        num_classes=num_classes,
        seed=config.seed,
    )


def compile_model(model, optimizer, label_mode: str, num_classes: int) -> keras.Model:
    loss, metrics = loss_and_metrics(label_mode, num_classes)
    model.compile(optimizer=optimizer, loss=loss, metrics=metrics)
    return model


def resume_model(path, schedule, label_mode: str, num_classes: int) -> keras.Model:
    """The last checkpoint, recompiled with its own optimizer (its iterations and moments kept)
    and ``schedule`` laid over the run's current epochs."""
    model = keras.models.load_model(path)
    optimizer = model.optimizer
    if optimizer is None:
        raise ValueError(f"{path} holds no optimizer state: cannot resume from it")
    optimizer.learning_rate = schedule
    return compile_model(model, optimizer, label_mode, num_classes)
