"""The small per-image CNN shared by the cover and the per-frame encoders."""

from __future__ import annotations

import keras

from baseline_model import checks


@keras.saving.register_keras_serializable(package="mmvideo")
class SmallConvNet(keras.layers.Layer):
    """Images ``[N, H, W, 3]`` (float, any scale) -> a feature map ``[N, h, w, filters[-1]]``.

    A patchify stem (``stem_stride`` x ``stem_stride`` kernel, same stride; a 3x3 kernel when the
    stride is below 3) with ``filters[0]`` channels, then one 3x3 stride-2 convolution per further
    entry of ``filters``; each convolution is followed by batch normalization (``batch_norm``;
    momentum 0.9, so the inference statistics keep up on small datasets) and a ReLU. 112 px with
    the defaults: 28 -> 14 -> 7. Lean on purpose: the stem cuts the pixel count by
    ``stem_stride ** 2``, so most of the cost is in small maps.

    Args:
        filters: channels of the stem and of each stride-2 convolution.
        stem_stride: the stem's stride (and kernel size when >= 3).
        batch_norm: normalize after each convolution (steadier training from scratch).
    """

    def __init__(self, filters=(16, 32, 64), stem_stride=4, batch_norm=True, **kwargs):
        super().__init__(**kwargs)
        filters = checks.int_tuple("filters", filters)
        checks.positive_int("stem_stride", stem_stride)
        # layers
        kernels = [max(stem_stride, 3)] + [3] * (len(filters) - 1)
        strides = [stem_stride] + [2] * (len(filters) - 1)
        self.convolutions = [
            keras.layers.Conv2D(
                width, kernel, strides=stride, padding="same", use_bias=not batch_norm, name=f"conv_{index}"
            )
            for index, (width, kernel, stride) in enumerate(zip(filters, kernels, strides, strict=True))
        ]
        self.normalizations = [
            keras.layers.BatchNormalization(momentum=0.9, name=f"norm_{index}")
            for index in range(len(filters) if batch_norm else 0)
        ]
        # config
        self.filters = filters
        self.stem_stride = stem_stride
        self.batch_norm = batch_norm

    def call(self, images, training=None):
        features = images
        for index, convolution in enumerate(self.convolutions):
            features = convolution(features)
            if self.batch_norm:
                features = self.normalizations[index](features, training=training)
            features = keras.ops.relu(features)
        return features

    def get_config(self):
        config = super().get_config()
        config.update({"filters": list(self.filters), "stem_stride": self.stem_stride, "batch_norm": self.batch_norm})
        return config
