"""The cover branch: a uint8 cover image -> one embedding per clip."""

from __future__ import annotations

import keras

from baseline_model import checks
from baseline_model.conv_net import SmallConvNet

# keras-cv backbones built from explicit arguments (random init, no preset download): the
# published layouts of ResNet18 (11,186,112 parameters, as keras-cv's preset), EfficientNetV2-B0
# (5,919,312, as the preset) and MobileNetV3-Small (the keras.applications layout, 939,120).
_HARD_SWISH = "hard_swish"
BACKBONE_ARGUMENTS = {
    "resnet18": (
        "ResNetBackbone",
        {
            "stackwise_filters": [64, 128, 256, 512],
            "stackwise_blocks": [2, 2, 2, 2],
            "stackwise_strides": [1, 2, 2, 2],
            "block_type": "basic_block",
        },
    ),
    "mobilenet_v3_small": (
        "MobileNetV3Backbone",
        {
            "stackwise_expansion": [1, 72.0 / 16, 88.0 / 24, 4, 6, 6, 3, 3, 6, 6, 6],
            "stackwise_filters": [16, 24, 24, 40, 40, 40, 48, 48, 96, 96, 96],
            "stackwise_kernel_size": [3, 3, 3, 5, 5, 5, 5, 5, 5, 5, 5],
            "stackwise_stride": [2, 2, 1, 2, 1, 1, 1, 1, 2, 1, 1],
            "stackwise_se_ratio": [0.25, None, None] + [0.25] * 8,
            "stackwise_activation": ["relu"] * 3 + [_HARD_SWISH] * 8,
        },
    ),
    "efficientnetv2_b0": (
        "EfficientNetV2Backbone",
        {
            "width_coefficient": 1.0,
            "depth_coefficient": 1.0,
            "stackwise_kernel_sizes": [3] * 6,
            "stackwise_num_repeats": [1, 2, 2, 3, 5, 8],
            "stackwise_input_filters": [32, 16, 32, 48, 96, 112],
            "stackwise_output_filters": [16, 32, 48, 96, 112, 192],
            "stackwise_expansion_ratios": [1, 4, 4, 4, 6, 6],
            "stackwise_squeeze_and_excite_ratios": [0, 0, 0, 0.25, 0.25, 0.25],
            "stackwise_strides": [1, 2, 2, 2, 1, 2],
            "stackwise_conv_types": ["fused"] * 3 + ["unfused"] * 3,
        },
    ),
}
COVER_ENCODERS = ("small_cnn", *BACKBONE_ARGUMENTS)


def image_backbone(name: str) -> keras.Model:
    """A randomly initialized keras-cv backbone taking float images in [0, 1] of any size."""
    checks.one_of("cover_encoder", name, tuple(BACKBONE_ARGUMENTS))
    import keras_cv  # heavy; only when a backbone is asked for

    class_name, arguments = BACKBONE_ARGUMENTS[name]
    constructor = getattr(keras_cv.models, class_name)
    return constructor(include_rescaling=False, input_shape=(None, None, 3), name=name, **arguments)


@keras.saving.register_keras_serializable(package="mmvideo")
class CoverEncoder(keras.layers.Layer):
    """Covers uint8 ``[B, S, S, 3]`` -> ``[B, output_dim]``.

    Rescaled to [0, 1] in the layer (a served model takes raw pixels), then the small CNN
    (``"small_cnn"``, see :class:`SmallConvNet`) or a keras-cv backbone named in
    ``BACKBONE_ARGUMENTS``, global average pooling (a cover's content matters, not where it is)
    and a ReLU projection. Pretrained backbone weights load with
    ``layer.features.load_weights(path)`` (``build_model`` does it for ``cover_weights``).

    Args:
        encoder: one of ``COVER_ENCODERS``.
        filters, stem_stride, batch_norm: the small CNN's (ignored by the backbones).
        output_dim: size of the clip embedding.
    """

    def __init__(
        self, encoder="small_cnn", filters=(16, 32, 64), stem_stride=4, batch_norm=True, output_dim=64, **kwargs
    ):
        super().__init__(**kwargs)
        checks.one_of("cover_encoder", encoder, COVER_ENCODERS)
        checks.positive_int("output_dim", output_dim)
        # layers
        self.rescaling = keras.layers.Rescaling(1.0 / 255, name="rescaling")
        if encoder == "small_cnn":
            self.features = SmallConvNet(filters, stem_stride, batch_norm, name="small_cnn")
        else:
            self.features = image_backbone(encoder)
        self.pooling = keras.layers.GlobalAveragePooling2D(name="pooling")
        self.projection = keras.layers.Dense(output_dim, activation="relu", name="projection")
        # config
        self.encoder = encoder
        self.filters = checks.int_tuple("filters", filters)
        self.stem_stride = stem_stride
        self.batch_norm = batch_norm
        self.output_dim = output_dim

    def build(self, input_shape):
        self.call(keras.KerasTensor(input_shape, dtype="uint8"))  # builds every sublayer, in order

    def call(self, covers):
        return self.projection(self.pooling(self.features(self.rescaling(covers))))

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "encoder": self.encoder,
                "filters": list(self.filters),
                "stem_stride": self.stem_stride,
                "batch_norm": self.batch_norm,
                "output_dim": self.output_dim,
            }
        )
        return config
