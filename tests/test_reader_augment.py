"""augment=True: shapes and dtypes kept, one spatial transform per clip, frame order kept."""

import numpy as np
import pytest
import tensorflow as tf
from tfrecord_fixtures import FixtureExample, make_examples, smooth_image, write_dataset

from data_interface import FeatureSpec, load_dataset, numpy_batches
from data_interface.augment import augment_clips, cover_augmenter

SPEC = FeatureSpec(frames_per_clip=4, frame_size=16, cover_size=16, max_tokens=12)


def still_clips(count: int, num_frames: int = 4, size: int = 16, seed: int = 0) -> np.ndarray:
    """uint8 ``[count, T, size, size, 3]`` whose T frames are the same image."""
    rng = np.random.default_rng(seed)
    images = np.stack([smooth_image(rng, size, size) for _ in range(count)])
    images[:, : size // 2, : size // 4] = 250  # a corner patch, so a flip or crop shows
    return np.repeat(images[:, None], num_frames, axis=1)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    spec = FeatureSpec(**{**SPEC.to_dict(), "storage": "raw"})  # lossless: still frames stay equal on disk
    examples = make_examples(12, spec, seed=2)
    for example, clip in zip(examples, still_clips(12), strict=True):
        example.frames = clip if example.frames is not None else None
    return write_dataset(tmp_path_factory.mktemp("augment"), {"train": examples}, spec, num_shards=2)


def test_augmented_batches_keep_shapes_dtypes_and_other_features(data):
    plain = list(numpy_batches(data, "train", batch_size=6, shuffle=False, label_mode="multi"))
    augmented = list(
        numpy_batches(data, "train", batch_size=6, shuffle=False, label_mode="multi", augment=True)
    )
    dataset = load_dataset(data, "train", batch_size=6, augment=True)
    assert dataset.element_spec == load_dataset(data, "train", batch_size=6).element_spec
    changed = 0
    for (features, labels), (augmented_features, augmented_labels) in zip(plain, augmented, strict=True):
        assert {key: (value.shape, value.dtype) for key, value in features.items()} == {
            key: (value.shape, value.dtype) for key, value in augmented_features.items()
        }
        for key in ("id", "text", "has_text", "has_cover", "has_frames"):
            np.testing.assert_array_equal(features[key], augmented_features[key])
        np.testing.assert_array_equal(labels, augmented_labels)
        for key in ("cover", "frames"):
            absent = features[f"has_{key}"] == 0
            assert not augmented_features[key][absent].any(), f"an absent {key} is no longer zeros"
            changed += int(
                (features[key][~absent] != augmented_features[key][~absent])
                .any(axis=tuple(range(1, features[key].ndim)))
                .sum()
            )
    assert changed >= 15  # 12 clips and ~10 covers, every one transformed


def test_every_frame_of_a_clip_gets_the_same_transform(data):
    checked = 0
    for _ in range(3):
        for features, _ in numpy_batches(
            data, "train", batch_size=6, shuffle=False, modalities=["frames"], augment=True
        ):
            for clip, present in zip(features["frames"], features["has_frames"], strict=True):
                if present:
                    for frame in clip[1:]:
                        np.testing.assert_array_equal(frame, clip[0])
                    checked += 1
    assert checked >= 30


def test_clip_transforms_differ_between_clips_and_move_the_content():
    tf.random.set_seed(0)
    clips = tf.constant(still_clips(32))
    augmented = augment_clips(clips).numpy()
    assert augmented.shape == clips.shape and augmented.dtype == np.uint8
    np.testing.assert_array_equal(augmented[:, 1:], np.repeat(augmented[:, :1], 3, axis=1))
    corner_mean = augmented[:, 0, :8, :4].mean(
        axis=(1, 2, 3)
    )  # the patch is 250 unless cropped / flipped away
    moved = np.abs(augmented.astype(int) - clips.numpy()).max(axis=(1, 2, 3, 4)) > 8
    assert corner_mean.std() > 5 and moved.sum() >= 28


def test_frame_order_is_never_reversed():
    tf.random.set_seed(1)
    levels = np.array([40, 80, 120, 160, 200], np.uint8)  # grey frames, brighter each step
    clips = np.broadcast_to(levels[None, :, None, None, None], (64, 5, 16, 16, 3)).copy()
    means = augment_clips(tf.constant(clips)).numpy().astype(float).mean(axis=(2, 3, 4))
    assert (np.diff(means, axis=1) > 10).all()


def test_cover_augmenter_keeps_dtype_and_absent_covers():
    covers = still_clips(8)[:, 0].copy()
    covers[3] = 0
    tf.random.set_seed(2)
    augmented = cover_augmenter(SPEC)(tf.constant(covers)).numpy()
    assert augmented.shape == covers.shape and augmented.dtype == np.uint8
    assert not augmented[3].any() and (augmented != covers).any(axis=(1, 2, 3)).sum() >= 6


def test_absent_example_types_survive_augmentation(tmp_path):
    rng = np.random.default_rng(3)
    examples = [
        FixtureExample("a", "", None, None, [1]),
        FixtureExample("b", "sea", smooth_image(rng, 16, 16), still_clips(1)[0], [2]),
    ]
    data = write_dataset(tmp_path / "data", {"train": examples}, SPEC, num_shards=1)
    features, _ = next(iter(numpy_batches(data, "train", batch_size=2, shuffle=False, augment=True)))
    assert features["id"].tolist() == ["a", "b"]
    assert not features["cover"][0].any() and not features["frames"][0].any() and features["frames"][1].any()
