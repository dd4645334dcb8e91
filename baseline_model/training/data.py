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
    common = {"batch_size": global_batch, "modalities": config.modalities, "label_mode": config.model.label_mode,
              "cache": use_cache(config.train.cache, info, config.modalities)}
    train = load_dataset(info.data_dir, "train", shuffle=True, augment=config.train.augment, seed=shuffle_seed, **common)
    val = None
    if info.splits.get("val", 0) > 0:
        val = load_dataset(info.data_dir, "val", shuffle=False, **common)
    if multi_worker:
        # Keras steps once more than there are batches when a worker's input runs out (an
        # Adam step on an empty batch, every epoch): endless input, and fit gets the step counts.
        train = train.repeat()
        val = None if val is None else val.repeat()
    else:  # known batches per epoch: Keras shows the bar's total from the first epoch
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


def decoded_bytes(info: DatasetInfo, modalities) -> int:
    """Memory the decoded train and val examples take (pixels and token ids of ``modalities``)."""
    spec = info.spec
    per_example = 64  # id, labels, masks
    per_example += math.prod(spec.frames_shape) if "frames" in modalities else 0
    per_example += math.prod(spec.cover_shape) if "cover" in modalities else 0
    per_example += 4 * spec.max_tokens if "text" in modalities else 0
    return per_example * (info.splits.get("train", 0) + info.splits.get("val", 0))


def cache_budget() -> int:
    """A quarter of the machine's memory, at most 8 GiB: the decoded cache must not crowd the model."""
    import os

    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        memory = 4 << 30
    return min(8 << 30, memory // 4)


def use_cache(setting, info: DatasetInfo, modalities) -> bool:
    """``train.cache``: ``auto`` caches decoded examples when they fit in :func:`cache_budget`, so
    epochs after the first skip reading and JPEG decoding (~15 % of a step on 2 CPU cores)."""
    if setting == "auto":
        return decoded_bytes(info, modalities) <= cache_budget()
    return bool(setting)


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
