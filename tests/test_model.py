"""Every branch option builds, predicts, round-trips through ``.keras`` and fits (tiny shapes)."""

import inspect

import keras
import numpy as np
import pytest
from model_helpers import NUM_CLASSES, SPEC, VOCABULARY_SIZE, random_features, run_model_checks, tiny_config

import baseline_model
from baseline_model import build_model, original_model

OPTIONS = {
    # name: (modalities, config changes) -- together every value of every branch option
    "default": (("text", "cover", "frames"), {}),
    "cnn-conv3d-average-multi": (
        ("text", "cover", "frames"),
        {"text_encoder": "cnn", "temporal": "conv3d", "fusion": "average", "label_mode": "multi"},
    ),
    "lstm": (("frames",), {"temporal": "lstm"}),
    "attention": (("frames",), {"temporal": "attention"}),
    "mean-average-pooling": (("frames",), {"temporal": "mean", "frame_pooling": "average"}),
    "max-plain": (("frames", "text"), {"temporal": "max", "conv_batch_norm": False, "frame_residuals": False}),
}


@pytest.mark.parametrize("name", sorted(OPTIONS))
def test_option_builds_predicts_round_trips_and_fits(name, tmp_path):
    modalities, changes = OPTIONS[name]
    model = build_model(SPEC, tiny_config(**changes), modalities, vocabulary_size=VOCABULARY_SIZE)
    run_model_checks(model, tmp_path, label_mode=changes.get("label_mode", "single"))


def test_cover_backbone_builds_round_trips_and_loads_local_weights(tmp_path):
    model = build_model(SPEC, tiny_config(cover_encoder="mobilenet_v3_small"), ("cover",))
    backbone = model.backbone.cover_encoder.features
    assert backbone.count_params() == 939_120  # the MobileNetV3-Small layout
    run_model_checks(model, tmp_path, fit=False)  # its train step takes 25 s to trace; keras-cv's to test
    weights = tmp_path / "mobilenet.weights.h5"
    backbone.save_weights(weights)
    reloaded = build_model(SPEC, tiny_config(cover_encoder="mobilenet_v3_small", cover_weights=str(weights)), ("cover",))
    for mine, theirs in zip(reloaded.backbone.cover_encoder.features.weights, backbone.weights, strict=True):
        np.testing.assert_array_equal(mine.numpy(), theirs.numpy())


def test_inputs_are_named_and_typed_like_the_features():
    model = build_model(SPEC, tiny_config(), vocabulary_size=VOCABULARY_SIZE)
    assert sorted(model.input) == ["cover", "frames", "has_cover", "has_frames", "has_text", "text"]
    dtypes = {name: tensor.dtype for name, tensor in model.input.items()}
    assert dtypes == {
        "text": "int32",
        "cover": "uint8",
        "frames": "uint8",
        "has_text": "float32",
        "has_cover": "float32",
        "has_frames": "float32",
    }
    assert tuple(model.input["frames"].shape) == (None, *SPEC.frames_shape)
    assert tuple(model.output.shape) == (None, NUM_CLASSES)


@pytest.mark.parametrize("modalities", [("frames",), ("text", "cover"), "cover,frames"])
def test_a_subset_of_modalities_takes_only_its_inputs(modalities):
    model = build_model(SPEC, tiny_config(), modalities, vocabulary_size=VOCABULARY_SIZE)
    chosen = modalities.split(",") if isinstance(modalities, str) else modalities
    assert sorted(model.input) == sorted([*chosen, *(f"has_{name}" for name in chosen)])
    assert model.backbone.modalities == tuple(name for name in ("text", "cover", "frames") if name in chosen)
    # a full batch (other modalities) is fine: the model reads its inputs by name (numpy
    # batches without the string `id`, which Keras's array adapter cannot hold; tf.data can)
    features = random_features(3)
    del features["id"]
    assert model.predict(features, verbose=0).shape == (3, NUM_CLASSES)


def test_reloads_with_plain_load_model_and_no_custom_objects(tmp_path):
    model = build_model(SPEC, tiny_config(temporal="attention"), vocabulary_size=VOCABULARY_SIZE)
    model.save(tmp_path / "model.keras")
    restored = keras.models.load_model(tmp_path / "model.keras")  # only `import baseline_model`
    assert isinstance(restored, baseline_model.MultimodalClassifier)
    assert restored.get_config()["backbone"]["config"]["frames_encoder"]["config"]["temporal"] == "attention"


def test_every_layer_config_holds_its_constructor_arguments():
    layers = [
        baseline_model.DescriptionEncoder(40, encoder="cnn", embedding_dim=6, units=3, output_dim=5),
        baseline_model.CoverEncoder(filters=(4, 8), stem_stride=2, batch_norm=False, output_dim=5),
        baseline_model.FramesEncoder(
            3, filters=(4,), frame_pooling="average", frame_residuals=False, temporal="max", output_dim=5
        ),
        baseline_model.TemporalConv(units=6, num_layers=3, kernel_size=5),
        baseline_model.AttentionPooling(4, units=6, num_heads=2),
        baseline_model.SpatioTemporalConv(units=6),
        baseline_model.ModalityDropout(0.3, seed=7),
        baseline_model.ConcatFusion(["cover", "text"], units=6, dropout=0.1),
        baseline_model.AverageFusion(["frames"], num_classes=4),
        baseline_model.ClassificationHead(4, label_mode="multi", projection=False),
    ]
    for layer in layers:
        config = layer.get_config()
        arguments = inspect.signature(type(layer).__init__).parameters
        missing = [name for name in arguments if name not in ("self", "kwargs") and name not in config]
        assert not missing, (type(layer).__name__, missing)
        assert type(layer).from_config(config).get_config() == config, type(layer).__name__


def test_model_configs_hold_their_constructor_arguments():
    model = build_model(SPEC, tiny_config(), vocabulary_size=VOCABULARY_SIZE)
    for instance in (model, model.backbone):
        arguments = inspect.signature(type(instance).__init__).parameters
        config = instance.get_config()
        assert [name for name in arguments if name not in ("self", "kwargs") and name not in config] == []


def test_original_model_builds_at_the_spec_sizes():
    model = original_model(SPEC, VOCABULARY_SIZE)
    features = random_features(2)
    assert model.predict({name: features[name] for name in model.input}, verbose=0).shape == (2, NUM_CLASSES)
    assert tuple(model.input["frames"].shape) == (None, *SPEC.frames_shape)
