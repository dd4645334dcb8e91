"""Random augmentation of decoded batches, in the graph (``load_dataset(..., augment=True)``).

- covers: a transform drawn per image: keras-cv's random resized crop (64-100 % of the area,
  aspect 3/4-4/3) and horizontal flip, then a small brightness / contrast / hue jitter;
- frames: ONE transform drawn per clip and applied to every frame of it (a clip is one scene; a
  different crop per frame would make the motion up): the same resized crop + flip for all T
  frames (one ``crop_and_resize`` over the frames stacked as channels), the same brightness /
  contrast / hue shift. Never time reversal or frame shuffling: the order of frames is content.

Shapes and dtypes are kept (uint8 in, uint8 out); absent covers / clips stay all zeros. Text,
masks, ids and labels pass through. Augmentation is random on every epoch, seeded by TensorFlow's
global seed only (``load_dataset``'s ``seed`` fixes the order of examples, not this). The colour
jitter is one affine map per clip (a hue turn as a YIQ rotation, not an HSV round trip per pixel:
keras-cv's ``RandomHue`` cost more than the rest of the augmentation together).
"""

from __future__ import annotations

from collections.abc import Sequence

from data_interface.features import FeatureSpec

CROP_AREA = (0.64, 1.0)  # fraction of the image kept by the random crop
CROP_ASPECT = (3 / 4, 4 / 3)
BRIGHTNESS = 0.1  # +- fraction of the 0..255 range
CONTRAST = 0.2  # factor in 1 +- CONTRAST
HUE = 0.02  # +- fraction of the hue circle: small, colour is a cue (green screen, sea, sky)


def random_boxes(batch_size):
    """``[B, 4]`` normalized crop boxes (y1, x1, y2, x2); half of them mirrored (x1 > x2 flips)."""
    import tensorflow as tf

    area = tf.random.uniform([batch_size], *CROP_AREA)
    log_aspect = tf.random.uniform([batch_size], *[float(tf.math.log(value)) for value in CROP_ASPECT])
    aspect = tf.exp(log_aspect)
    height = tf.minimum(tf.sqrt(area / aspect), 1.0)
    width = tf.minimum(tf.sqrt(area * aspect), 1.0)
    top = tf.random.uniform([batch_size]) * (1.0 - height)
    left = tf.random.uniform([batch_size]) * (1.0 - width)
    mirrored = tf.random.uniform([batch_size]) < 0.5
    start, stop = tf.where(mirrored, left + width, left), tf.where(mirrored, left, left + width)
    return tf.stack([top, start, top + height, stop], axis=1)


def hue_matrices(delta):
    """``[B, 3, 3]`` RGB matrices turning the hue by ``delta`` ``[B]`` turns of the circle: a
    rotation of the chroma plane of YIQ, which keeps luma and greys (linear, so much cheaper than a
    round trip through HSV on every pixel)."""
    import math

    import tensorflow as tf

    to_yiq = tf.constant([[0.299, 0.587, 0.114], [0.596, -0.274, -0.322], [0.211, -0.523, 0.312]])
    angle = 2 * math.pi * delta
    cos, sin, zero, one = tf.cos(angle), tf.sin(angle), tf.zeros_like(angle), tf.ones_like(angle)
    rotation = tf.stack([one, zero, zero, zero, cos, -sin, zero, sin, cos], axis=1)
    rotation = tf.reshape(rotation, [-1, 3, 3])
    return tf.linalg.inv(to_yiq)[None] @ rotation @ to_yiq[None]


def jitter_colours(images, present):
    """float ``[B, ..., 3]`` (0..255) -> the same with one contrast / hue / brightness shift per
    example: ``c R (x - m) + R m + d``, ``m`` the example's channel means (over all its frames:
    one pivot per clip, so equal frames stay equal), as one matrix product. Examples not
    ``present`` (``[B]`` bool) are left as they are."""
    import tensorflow as tf

    batch_size = tf.shape(images)[0]
    broadcast = [-1] + [1] * (len(images.shape) - 1)

    def uniform(spread):  # 0 (no change) where absent
        return tf.random.uniform([batch_size], -spread, spread) * tf.cast(present, tf.float32)

    matrices = hue_matrices(uniform(HUE))  # [B, 3, 3], applied to pixel rows as x @ M^T
    contrast = 1.0 + uniform(CONTRAST)
    means = tf.reduce_mean(images, axis=list(range(1, len(images.shape) - 1)), keepdims=True)
    rows = tf.linalg.matrix_transpose(matrices * contrast[:, None, None])  # [B, in, out]
    turned = tf.reshape(tf.reshape(images, [batch_size, -1, 3]) @ rows, tf.shape(images))
    offset = tf.einsum("b...i,bji->b...j", means, matrices) * tf.reshape(1.0 - contrast, broadcast)
    offset += tf.reshape(uniform(BRIGHTNESS) * 255.0, broadcast)
    return turned + offset


def augment_clips(frames):
    """uint8 ``[B, T, H, W, 3]`` -> the same, one random crop / flip / colour shift per clip."""
    import tensorflow as tf

    _, num_frames, height, width, _ = frames.shape
    batch_size = tf.shape(frames)[0]
    present = tf.reduce_any(tf.reshape(frames, [batch_size, -1]) > 0, axis=1)  # absent clips stay zeros
    # [B, T, H, W, 3] -> [B, H, W, T*3]: one box per clip moves every frame the same way (and
    # crop_and_resize is ~2x faster on 3T channels than on B*T images of 3).
    stacked = tf.reshape(tf.transpose(frames, [0, 2, 3, 1, 4]), [batch_size, height, width, num_frames * 3])
    boxes = random_boxes(batch_size)
    cropped = tf.image.crop_and_resize(
        tf.cast(stacked, tf.float32), boxes, tf.range(batch_size), (height, width)
    )
    clips = tf.reshape(cropped, [batch_size, height, width, num_frames, 3])
    clips = jitter_colours(clips, present)
    clips = tf.cast(tf.clip_by_value(clips + 0.5, 0.0, 255.0), tf.uint8)  # + 0.5: round, not truncate
    return tf.ensure_shape(tf.transpose(clips, [0, 3, 1, 2, 4]), frames.shape)


def cover_augmenter(spec: FeatureSpec):
    """uint8 ``[B, S, S, 3]`` -> the same, through keras-cv layers (one transform per image)."""
    import keras_cv
    import tensorflow as tf

    layers = keras_cv.layers
    augmenter = layers.Augmenter(
        [
            layers.RandomCropAndResize((spec.cover_size, spec.cover_size), CROP_AREA, CROP_ASPECT),
            layers.RandomFlip("horizontal"),
        ]
    )

    def augment(covers):
        present = tf.reduce_any(tf.reshape(covers, [tf.shape(covers)[0], -1]) > 0, axis=1)
        images = jitter_colours(augmenter(tf.cast(covers, tf.float32)), present)
        images = tf.clip_by_value(images + 0.5, 0.0, 255.0)
        return tf.ensure_shape(tf.cast(images, tf.uint8), covers.shape)

    return augment


def make_augmenter(spec: FeatureSpec, modalities: Sequence[str]):
    """``(features, labels) -> (features, labels)`` augmenting the batch's covers and frames."""
    augment_cover = cover_augmenter(spec) if "cover" in modalities else None

    def augment(features, labels):
        features = dict(features)
        if augment_cover is not None:
            features["cover"] = augment_cover(features["cover"])
        if "frames" in modalities:
            features["frames"] = augment_clips(features["frames"])
        return features, labels

    return augment
