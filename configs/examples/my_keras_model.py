"""Your own Keras model, trained by ``mmvideo train`` exactly like the baseline.

    # from the repository root (the current directory is searched first for the module):
    mmvideo train DATA --out runs/mine --model configs.examples.my_keras_model:build_model

The trainer calls ``build_model(spec, num_classes, modalities)``:

- ``spec``: the dataset's ``data_interface.FeatureSpec`` (``spec.cover_shape`` ``(S, S, 3)``,
  ``spec.frames_shape`` ``(T, H, W, 3)``, ``spec.max_tokens``);
- ``num_classes``: 31 for the corpus;
- ``modalities``: the tuple chosen with ``--modalities`` (``("text", "cover", "frames")`` by default).

It must return a ``keras.Model`` whose inputs are named like the features it wants (``text`` int32
``[B, max_tokens]``, ``cover`` uint8, ``frames`` uint8, masks ``has_<modality>`` float32 ``[B]``)
and whose output is class probabilities ``[B, num_classes]``: softmax for ``model.label_mode:
single`` (the default), sigmoid for ``multi``. The run's loss, metrics, optimizer, schedule,
checkpoints and early stopping are the baseline's. This model uses only built-in layers, so its
``model.keras`` reloads with ``keras.models.load_model`` alone.
"""

import keras

from data_interface.text import DEFAULT_OOV_BUCKETS, DEFAULT_VOCABULARY_SIZE

# Ids the default tokenizer can emit: padding, OOV buckets, the largest vocabulary.
TEXT_IDS = DEFAULT_VOCABULARY_SIZE + DEFAULT_OOV_BUCKETS + 1


def build_model(spec, num_classes, modalities):
    inputs, branches = {}, []
    if "text" in modalities:
        inputs["text"] = keras.Input(shape=(spec.max_tokens,), dtype="int32", name="text")
        tokens = keras.layers.Embedding(TEXT_IDS, 32, mask_zero=True)(inputs["text"])
        branches.append(keras.layers.GlobalAveragePooling1D()(tokens))
    if "cover" in modalities:
        inputs["cover"] = keras.Input(shape=spec.cover_shape, dtype="uint8", name="cover")
        x = keras.layers.Rescaling(1 / 255)(inputs["cover"])
        x = keras.layers.Conv2D(16, 4, strides=4, activation="relu")(x)
        x = keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu")(x)
        branches.append(keras.layers.GlobalAveragePooling2D()(x))
    if "frames" in modalities:
        inputs["frames"] = keras.Input(shape=spec.frames_shape, dtype="uint8", name="frames")
        x = keras.layers.Rescaling(1 / 255)(inputs["frames"])
        x = keras.layers.Conv3D(16, (1, 4, 4), strides=(1, 4, 4), activation="relu")(x)  # per frame
        x = keras.layers.Conv3D(32, (3, 3, 3), padding="same", activation="relu")(x)  # across time
        branches.append(keras.layers.GlobalAveragePooling3D()(x))
    x = branches[0] if len(branches) == 1 else keras.layers.Concatenate()(branches)
    x = keras.layers.Dense(64, activation="relu")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32")(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="my_keras_model")
