"""Prepared shards -> ``tf.data.Dataset`` of ``(features, labels)`` batches.

Stages: the split's shard files (shuffled when shuffling) are interleaved, examples shuffled,
batched, then parsed a batch at a time (``tf.io.parse_example`` on the batch is far cheaper than
per example), images decoded in the graph (the frames mosaic is ONE ``decode_jpeg`` per example,
reshaped to ``[T, H, W, 3]``), optionally augmented, prefetched. Only the requested modalities are
parsed and decoded. Keys, shapes and dtypes come from :class:`~data_interface.features.FeatureSpec`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from data_interface.features import MODALITIES, FeatureSpec, mask_key
from data_interface.info import DatasetInfo, read_info

LABEL_MODES = ("single", "multi")
DEFAULT_SHUFFLE_BUFFER = 1024  # examples; ~25 MB at the default shape
_MAX_CYCLE_LENGTH = 8  # shards read at once
_CACHE_PARSE_BATCH = 64  # records parsed together before a decoded cache
# With libjpeg-turbo's SIMD the accurate IDCT costs the same as INTEGER_FAST here and halves the error.
# Nearest chroma upsampling: no bleed across the frame borders of a 4:2:0 mosaic (frames 16k high).
_DECODE = {"channels": 3, "dct_method": "INTEGER_ACCURATE", "fancy_upscaling": False}


@dataclass(frozen=True)
class ReadOptions:
    """The checked arguments of :func:`load_dataset`, shared by the numpy and PyTorch paths."""

    split: str
    batch_size: int = 32
    modalities: tuple[str, ...] = MODALITIES
    shuffle_buffer: int = 0  # 0: no shuffling
    repeat: bool = False
    label_mode: str = "single"
    augment: bool = False
    seed: int | None = None
    drop_remainder: bool = False
    cache: bool = False


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_options(
    split, *, batch_size, modalities, shuffle, repeat, label_mode, augment, seed, drop_remainder, cache=False
) -> ReadOptions:
    """The arguments of :func:`load_dataset`, checked: ``ValueError`` naming a bad value, before
    anything is read. ``modalities`` may also be a comma-separated string."""
    if isinstance(modalities, str):
        modalities = [part.strip() for part in modalities.split(",") if part.strip()]
    modalities = tuple(modalities)
    for modality in modalities:
        if modality not in MODALITIES:
            raise ValueError(f"`modalities` must be drawn from {MODALITIES}, got {modality!r}")
    if not modalities:
        raise ValueError(f"`modalities` must name at least one of {MODALITIES}, got {modalities!r}")
    if label_mode not in LABEL_MODES:
        raise ValueError(f"`label_mode` must be one of {LABEL_MODES}, got {label_mode!r}")
    if not _is_int(batch_size) or batch_size < 1:
        raise ValueError(f"`batch_size` must be an int >= 1, got {batch_size!r}")
    if shuffle is None:
        shuffle = split == "train"
    if isinstance(shuffle, bool):
        shuffle_buffer = DEFAULT_SHUFFLE_BUFFER if shuffle else 0
    elif _is_int(shuffle) and shuffle >= 0:
        shuffle_buffer = int(shuffle)
    else:
        raise ValueError(f"`shuffle` must be None, a bool or a buffer size >= 0, got {shuffle!r}")
    if seed is not None and not _is_int(seed):
        raise ValueError(f"`seed` must be None or an int, got {seed!r}")
    return ReadOptions(
        split=str(split),
        batch_size=int(batch_size),
        modalities=tuple(modality for modality in MODALITIES if modality in modalities),
        shuffle_buffer=shuffle_buffer,
        repeat=bool(repeat),
        label_mode=label_mode,
        augment=bool(augment),
        seed=None if seed is None else int(seed),
        drop_remainder=bool(drop_remainder),
        cache=bool(cache),
    )


def load_dataset(
    data_dir: str | Path,
    split: str,
    batch_size: int = 32,
    modalities: Sequence[str] = MODALITIES,
    shuffle: bool | int | None = None,
    repeat: bool = False,
    label_mode: str = "single",
    augment: bool = False,
    seed: int | None = None,
    drop_remainder: bool = False,
    cache: bool = False,
):
    """A ``tf.data.Dataset`` of ``(features, labels)`` batches of the prepared dataset ``data_dir``.

    ``features`` holds, for each requested modality, its tensor (``text`` int32 ``[B, max_tokens]``,
    ``cover`` uint8 ``[B, S, S, 3]``, ``frames`` uint8 ``[B, T, H, W, 3]``) and its float32 presence
    mask ``has_<modality>`` ``[B]``, plus ``id`` (string ``[B]``). ``labels`` are int32 class ids
    ``[B]`` (``label_mode="single"``) or float32 multi-hot ``[B, num_classes]`` (``"multi"``).
    ``shuffle``: ``None`` shuffles the train split only; ``True`` / ``False``; or a buffer size.
    ``augment`` applies random crop / flip / colour jitter (the same spatial transform to every
    frame of a clip). With ``seed`` and shuffling, the order is reproducible. ``cache`` keeps the
    decoded examples in memory after the first full pass, so later epochs (of one iterator's
    ``repeat`` or of new iterators over the same dataset, as ``Keras.fit`` makes) neither read nor
    decode: for a split that fits in RAM (decoded size: examples x (frames + cover) bytes).
    Shuffling then happens after the cache, every epoch.
    """
    options = check_options(
        split,
        batch_size=batch_size,
        modalities=modalities,
        shuffle=shuffle,
        repeat=repeat,
        label_mode=label_mode,
        augment=augment,
        seed=seed,
        drop_remainder=drop_remainder,
        cache=cache,
    )
    info = read_info(data_dir)
    return build_dataset(info, info.shard_files(options.split), options)


def build_dataset(info: DatasetInfo, files: Sequence[Path], options: ReadOptions, example_shard=None):
    """The pipeline over ``files``; ``example_shard=(count, index)`` keeps every count-th example."""
    import tensorflow as tf

    spec = info.spec
    shuffled = options.shuffle_buffer > 0
    names = tf.constant([str(path) for path in files], dtype=tf.string, shape=[len(files)])
    dataset = tf.data.Dataset.from_tensor_slices(names)
    if shuffled and len(files) > 1:
        dataset = dataset.shuffle(len(files), seed=options.seed, reshuffle_each_iteration=True)
    dataset = dataset.interleave(
        tf.data.TFRecordDataset,
        cycle_length=max(1, min(len(files), _MAX_CYCLE_LENGTH)),
        block_length=1,
        num_parallel_calls=tf.data.AUTOTUNE,
        deterministic=True,
    )
    if example_shard is not None:
        dataset = dataset.shard(*example_shard)
    if options.cache:
        dataset = _decoded_cache(dataset, make_parser(info, options))
    if shuffled:
        dataset = dataset.shuffle(options.shuffle_buffer, seed=options.seed, reshuffle_each_iteration=True)
    if options.repeat:
        dataset = dataset.repeat()
    dataset = dataset.batch(options.batch_size, drop_remainder=options.drop_remainder)
    if not options.cache:
        dataset = dataset.map(make_parser(info, options), num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if options.augment:
        from data_interface.augment import make_augmenter

        augmenter = make_augmenter(spec, options.modalities)
        dataset = dataset.map(augmenter, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _decoded_cache(records, parser):
    """Records -> decoded ``(features, labels)`` examples, kept in memory after the first pass
    (parsed in batches, which is several times faster than one by one, then unbatched)."""
    import tensorflow as tf

    batches = records.batch(_CACHE_PARSE_BATCH).map(parser, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return batches.unbatch().cache()


def make_parser(info: DatasetInfo, options: ReadOptions):
    """``serialized [B] -> (features, labels)``: parses and decodes only the requested modalities."""
    import tensorflow as tf

    spec, modalities = info.spec, options.modalities
    all_features = spec.tfrecord_features()
    keys = ["id", "label", *(["labels"] if options.label_mode == "multi" else [])]
    keys += [key for modality in modalities for key in (modality, mask_key(modality))]
    parse_spec = {key: all_features[key] for key in keys}
    encoder = text_encoder(info) if "text" in modalities else None
    blacks = {"cover": black_jpeg(spec.cover_shape), "frames": black_jpeg(spec.frames_shape)}

    def parse(serialized):
        parsed = tf.io.parse_example(serialized, parse_spec)
        features = {"id": parsed["id"]}
        if encoder is not None:
            features["text"] = tf.ensure_shape(encoder(parsed["text"]), [None, spec.max_tokens])
        if "cover" in modalities:
            features["cover"] = decode_jpeg_batch(parsed["cover"], spec.cover_shape, blacks["cover"])
        if "frames" in modalities:
            if spec.storage == "raw":
                features["frames"] = decode_raw_batch(parsed["frames"], spec.frames_shape)
            else:
                features["frames"] = decode_jpeg_batch(parsed["frames"], spec.frames_shape, blacks["frames"])
        for modality in modalities:
            features[mask_key(modality)] = tf.cast(parsed[mask_key(modality)], tf.float32)
        return features, labels_of(parsed, spec, options.label_mode)

    return parse


def text_encoder(info: DatasetInfo):
    """The ``TextEncoder`` of the dataset's vocabulary (``FileNotFoundError`` / ``ValueError``)."""
    from data_interface.text import TextEncoder, read_vocabulary

    path = info.vocabulary_path
    if not path.is_file():
        raise FileNotFoundError(f"{info.data_dir} has no vocabulary ({path.name}), needed for `text`")
    vocabulary = read_vocabulary(path)
    if not vocabulary:
        raise ValueError(
            f"{path} is empty (no description in the train split?): leave `text` out of `modalities`"
        )
    return TextEncoder(vocabulary, max_tokens=info.spec.max_tokens)


def black_jpeg(shape: tuple[int, ...]) -> bytes:
    """A black JPEG of the stored size of ``shape`` (a mosaic ``[T, H, W, 3]`` is ``T*H x W``)."""
    import tensorflow as tf

    return tf.io.encode_jpeg(tf.zeros([math.prod(shape[:-2]), shape[-2], 3], tf.uint8)).numpy()


def decode_jpeg_batch(data, shape: tuple[int, ...], black: bytes | None = None):
    """JPEG bytes ``[B]`` -> uint8 ``[B, *shape]``; one decode per example (a mosaic is reshaped);
    an empty string (absent modality) decodes to zeros."""
    import tensorflow as tf

    # A black JPEG stands in for absent images: a branch per example would serialize the loop.
    data = tf.where(tf.strings.length(data) > 0, data, black or black_jpeg(shape))

    def decode_one(jpeg):
        return tf.reshape(tf.io.decode_jpeg(jpeg, **_DECODE), shape)

    signature = tf.TensorSpec(shape, tf.uint8)
    images = tf.map_fn(decode_one, data, fn_output_signature=signature, parallel_iterations=8)
    return tf.ensure_shape(images, [None, *shape])


def decode_raw_batch(data, shape: tuple[int, ...]):
    """Raw uint8 bytes ``[B]`` -> ``[B, *shape]`` in one op; an empty string decodes to zeros."""
    import tensorflow as tf

    size = math.prod(shape)
    lengths = tf.strings.length(data)
    check = tf.debugging.assert_equal(
        tf.reduce_all((lengths == 0) | (lengths == size)),
        True,
        message=f"raw frames of another size than the spec's {shape}",
    )
    with tf.control_dependencies([check]):
        flat = tf.io.decode_raw(data, tf.uint8, fixed_length=size)
    return tf.reshape(flat, [-1, *shape])


def labels_of(parsed: dict, spec: FeatureSpec, label_mode: str):
    import tensorflow as tf

    label = tf.cast(parsed["label"], tf.int32)
    if label_mode == "single":
        return label
    every = parsed["labels"]  # sparse [B, None] class ids; the primary label is counted too
    rows = tf.cast(every.indices[:, 0], tf.int32)
    counts = tf.math.unsorted_segment_sum(
        tf.one_hot(every.values, spec.num_classes), rows, tf.shape(label)[0]
    )
    return tf.minimum(counts + tf.one_hot(label, spec.num_classes), 1.0)
