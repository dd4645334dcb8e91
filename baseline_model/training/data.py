"""The run's datasets: what ``load_dataset`` gives, keeping only the model's inputs; class weights."""

from __future__ import annotations

import math

from data_interface import load_dataset
from data_interface.info import DatasetInfo


def model_inputs(dataset, names, structure: str):
    """``(features, labels)`` -> ``(model inputs, labels)``: a dict of ``names`` (or a list in
    their order, for a model built with a list of inputs); ``id`` and other keys are dropped, so
    Keras never matches a dict by position."""
    names = tuple(names)

    def select(features, labels):
        if structure == "dict":
            return {name: features[name] for name in names}, labels
        chosen = [features[name] for name in names]
        return (chosen[0] if structure == "single" else chosen), labels

    import tensorflow as tf

    return dataset.map(select, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def input_structure(model) -> str:
    inputs = model.input
    return "dict" if isinstance(inputs, dict) else "list" if isinstance(inputs, list | tuple) else "single"


def make_datasets(info: DatasetInfo, config, model_inputs_names, structure, global_batch: int, shuffle_seed: int,
                  multi_worker: bool = False):
    """``(train, val or None)`` batches for ``fit``; ``val`` is ``None`` when DATA has no val examples."""
    common = {"batch_size": global_batch, "modalities": config.modalities, "label_mode": config.model.label_mode}
    train = load_dataset(info.data_dir, "train", shuffle=True, augment=config.train.augment, seed=shuffle_seed, **common)
    val = None
    if info.splits.get("val", 0) > 0:
        val = load_dataset(info.data_dir, "val", shuffle=False, **common)
    if not multi_worker:  # known batches per epoch: Keras shows the bar's total from the first epoch
        import tensorflow as tf

        train = train.apply(tf.data.experimental.assert_cardinality(steps_per_epoch(info.splits["train"], global_batch)))
        if val is not None:
            val = val.apply(tf.data.experimental.assert_cardinality(steps_per_epoch(info.splits["val"], global_batch)))
    datasets = [None if d is None else model_inputs(d, model_inputs_names, structure) for d in (train, val)]
    if multi_worker:
        import tensorflow as tf

        options = tf.data.Options()
        options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
        datasets = [None if d is None else d.with_options(options) for d in datasets]
    return tuple(datasets)


def steps_per_epoch(num_examples: int, global_batch: int) -> int:
    return max(1, math.ceil(num_examples / global_batch))


def primary_label_counts(info: DatasetInfo, split: str = "train") -> list[int]:
    """Examples per primary label (``label``) of ``split``, read from the shards without decoding."""
    import numpy as np
    import tensorflow as tf

    counts = np.zeros(info.spec.num_classes, dtype=np.int64)
    feature = {"label": tf.io.FixedLenFeature([], tf.int64)}
    files = [str(path) for path in info.shard_files(split)]
    for batch in tf.data.TFRecordDataset(files).batch(1024).map(lambda s: tf.io.parse_example(s, feature)["label"]):
        counts += np.bincount(batch.numpy(), minlength=info.spec.num_classes)[: info.spec.num_classes]
    return counts.tolist()


def balanced_class_weights(counts: list[int]) -> dict[int, float]:
    """``n / (K * count)`` per class seen (K: classes seen); 1.0 for classes absent from training.

    Keras weighs an example by its label, or by the first label of a multi-hot row -- the
    primary label, which is what is counted here."""
    seen = [count for count in counts if count > 0]
    total, present = sum(seen), len(seen)
    return {index: (total / (present * count) if count else 1.0) for index, count in enumerate(counts)}
