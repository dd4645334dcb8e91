"""What the model must do, not just that it runs: learn, honour masks, see frame order."""

import keras
import numpy as np
import pytest
from model_helpers import NUM_CLASSES, SPEC, VOCABULARY_SIZE, model_inputs, random_features, tiny_config

from baseline_model import ORDER_AWARE, AverageFusion, ModalityDropout, build_model

COLOURS = np.array([[230, 30, 30], [30, 200, 30], [30, 30, 230], [230, 230, 30], [200, 30, 200]], "float32")


def infer(model, features: dict) -> np.ndarray:
    """Inference outputs of an eager call (no tf.function tracing: quick on tiny models)."""
    return keras.ops.convert_to_numpy(model(model_inputs(model, features), training=False))


def cover_colour_task(count: int, seed: int):
    """Features whose label is the cover's colour (text and frames are noise): learnable by the cover."""
    rng = np.random.default_rng(seed)
    features = random_features(count, seed=seed)
    labels = rng.integers(0, NUM_CLASSES, count)
    noise = rng.normal(0, 20, (count, *SPEC.cover_shape))
    features["cover"] = np.clip(COLOURS[labels][:, None, None, :] + noise, 0, 255).astype("uint8")
    return features, labels.astype("int32")


def test_fit_lowers_the_loss_on_a_learnable_task():
    keras.utils.set_random_seed(1)
    model = build_model(SPEC, tiny_config(fusion_units=16, branch_dim=16), vocabulary_size=VOCABULARY_SIZE, seed=1)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    features, labels = cover_colour_task(96, seed=0)
    inputs = model_inputs(model, features)
    before = model.evaluate(inputs, labels, verbose=0)[0]
    model.fit(inputs, labels, batch_size=16, epochs=10, verbose=0)
    after, accuracy = model.evaluate(inputs, labels, verbose=0)
    assert after < 0.3 * before, (before, after)
    assert accuracy > 0.9


@pytest.mark.parametrize("fusion", ["concat", "average"])
@pytest.mark.parametrize("modality", ["cover", "text"])
def test_an_absent_modality_does_not_change_the_output(fusion, modality):
    model = build_model(SPEC, tiny_config(fusion=fusion), vocabulary_size=VOCABULARY_SIZE)
    first = random_features(4, seed=0)
    second = dict(first, **{modality: random_features(4, seed=1)[modality]})  # only this modality differs
    for features in (first, second):
        features[f"has_{modality}"] = np.array([1, 1, 0, 0], "float32")
    outputs = [infer(model, features) for features in (first, second)]
    np.testing.assert_allclose(outputs[0][2:], outputs[1][2:], rtol=1e-6, atol=1e-7)  # absent: equal
    assert np.abs(outputs[0][:2] - outputs[1][:2]).max() > 1e-4  # present: the content counts


def test_average_fusion_averages_over_present_modalities_only():
    fusion = AverageFusion(["text", "cover", "frames"], num_classes=3)
    rng = np.random.default_rng(0)
    embeddings = {name: rng.normal(size=(2, 4)).astype("float32") for name in ("text", "cover", "frames")}
    masks = {"text": np.array([1.0, 0.0]), "cover": np.array([0.0, 0.0]), "frames": np.array([1.0, 0.0])}
    fused = keras.ops.convert_to_numpy(fusion(embeddings, masks))
    logits = {name: keras.ops.convert_to_numpy(layer(embeddings[name])) for name, layer in
              zip(fusion.modalities, fusion.branch_logits, strict=True)}
    np.testing.assert_allclose(fused[0], (logits["text"][0] + logits["frames"][0]) / 2, rtol=1e-5)
    np.testing.assert_allclose(fused[1], np.zeros(3), atol=1e-7)  # nothing present: flat


def test_modality_dropout_drops_only_in_training_and_never_everything():
    layer = ModalityDropout(0.5, seed=3)
    masks = {name: np.ones(256, "float32") for name in ("text", "cover", "frames")}
    masks["cover"][:128] = 0.0  # absent stays absent
    dropped = {name: keras.ops.convert_to_numpy(value) for name, value in layer(masks, training=True).items()}
    stacked = np.stack([dropped[name] for name in ("text", "cover", "frames")], axis=-1)
    assert 0.2 < 1 - stacked[:, 0].mean() < 0.6  # about half of the texts dropped
    assert np.all(stacked.sum(axis=-1) >= 1)  # every example keeps a modality
    assert np.all(dropped["cover"][:128] == 0)
    kept = layer(masks, training=False)
    for name in masks:
        np.testing.assert_array_equal(keras.ops.convert_to_numpy(kept[name]), masks[name])


@pytest.mark.parametrize("rate", [0.0, 0.5])
def test_the_model_applies_modality_dropout_in_training_only(rate):
    config = tiny_config(modality_dropout=rate, fusion_dropout=0.0, conv_batch_norm=False)
    model = build_model(SPEC, config, vocabulary_size=VOCABULARY_SIZE, seed=0)
    inputs = model_inputs(model, random_features(32))
    inference = keras.ops.convert_to_numpy(model(inputs, training=False))
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(inputs, training=False)), inference)
    training = keras.ops.convert_to_numpy(model(inputs, training=True))
    changed = np.abs(training - inference).max(axis=1) > 1e-6
    if rate == 0.0:
        assert not changed.any()  # nothing else in this config is random in training
    else:
        assert 0 < changed.sum() < 32


def frames_only(temporal: str | None):
    config = tiny_config() if temporal is None else tiny_config(temporal=temporal)  # None: the default
    return build_model(SPEC, config, ("frames",))


def reversed_clip_outputs(model):
    features = random_features(4, seed=2)
    backwards = dict(features, frames=features["frames"][:, ::-1])
    return [infer(model, batch) for batch in (features, backwards)]


@pytest.mark.parametrize("temporal", ["mean", "max"])
def test_order_blind_pooling_cannot_tell_a_clip_from_its_reverse(temporal):
    forwards, backwards = reversed_clip_outputs(frames_only(temporal))
    np.testing.assert_allclose(forwards, backwards, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("temporal", [None, *ORDER_AWARE])
def test_the_default_and_order_aware_modules_tell_a_clip_from_its_reverse(temporal):
    model = frames_only(temporal)
    assert model.backbone.frames_encoder.temporal in ORDER_AWARE
    forwards, backwards = reversed_clip_outputs(model)
    assert np.abs(forwards - backwards).max() > 1e-5
