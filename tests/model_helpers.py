"""Tiny shapes and one shared check for the baseline model tests (keras-hub style).

``run_model_checks`` checks what every option must do: the output shape and range, predict on
arrays and on a ``tf.data`` dataset whose batches carry extra features (``id``, other modalities),
a ``.keras`` save/load round trip with equal outputs, and a ``fit`` epoch (``fit=False`` skips it
where tracing the gradients alone takes half a minute, as for an ImageNet-sized backbone).
"""

import keras
import numpy as np
import tensorflow as tf

from data_interface.features import FeatureSpec

NUM_CLASSES = 5
VOCABULARY_SIZE = 30
SPEC = FeatureSpec(frames_per_clip=4, frame_size=32, cover_size=32, max_tokens=8, num_classes=NUM_CLASSES)
# every width tiny: 32 px -> 8 -> 4 maps, 8-wide embeddings
TINY = {
    "token_embedding_dim": 8,
    "text_units": 4,
    "cover_filters": [4, 8],
    "frame_filters": [4, 8],
    "frame_grid": 2,
    "frame_features": 8,
    "temporal_units": 8,
    "branch_dim": 8,
    "fusion_units": 8,
}


def tiny_config(**changes) -> dict:
    return {**TINY, **changes}


def random_features(batch: int = 4, seed: int = 0, spec: FeatureSpec = SPEC) -> dict:
    """A full feature batch of the spec (all modalities present) plus ``id``."""
    rng = np.random.default_rng(seed)
    text = rng.integers(1, VOCABULARY_SIZE, (batch, spec.max_tokens)).astype("int32")
    text[:, spec.max_tokens // 2 :] = 0  # padding tail
    return {
        "id": np.array([f"v{index}" for index in range(batch)]),
        "text": text,
        "cover": rng.integers(0, 256, (batch, *spec.cover_shape)).astype("uint8"),
        "frames": rng.integers(0, 256, (batch, *spec.frames_shape)).astype("uint8"),
        "has_text": np.ones(batch, "float32"),
        "has_cover": np.ones(batch, "float32"),
        "has_frames": np.ones(batch, "float32"),
    }


def model_inputs(model, features: dict) -> dict:
    return {name: features[name] for name in model.input}


def run_model_checks(model, tmp_path, label_mode: str = "single", batch: int = 4, fit: bool = True) -> np.ndarray:
    """Shape, range, dataset predict, save/load round trip, and ``fit``; returns the predictions."""
    features = random_features(batch)
    inputs = model_inputs(model, features)
    predictions = model.predict(inputs, verbose=0)
    assert predictions.shape == (batch, NUM_CLASSES)
    assert np.all(np.isfinite(predictions)) and np.all((predictions >= 0) & (predictions <= 1))
    if label_mode == "single":
        np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)
    # a dataset batch holds every feature and the id: the model reads its own inputs by name
    dataset = tf.data.Dataset.from_tensor_slices(features).batch(batch)
    np.testing.assert_allclose(model.predict(dataset, verbose=0), predictions, rtol=1e-5, atol=1e-6)

    path = tmp_path / "model.keras"
    model.save(path)
    restored = keras.models.load_model(path)
    assert type(restored) is type(model)
    assert sorted(restored.input) == sorted(model.input)
    np.testing.assert_allclose(restored.predict(inputs, verbose=0), predictions, rtol=1e-5, atol=1e-6)

    if not fit:
        return predictions
    labels = np.arange(batch) % NUM_CLASSES
    if label_mode == "multi":
        labels = keras.utils.to_categorical(labels, NUM_CLASSES)
    loss = "sparse_categorical_crossentropy" if label_mode == "single" else "binary_crossentropy"
    model.compile(optimizer="adam", loss=loss)
    history = model.fit(inputs, labels, batch_size=batch, epochs=1, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    return predictions
