"""The text branch: description token ids -> one embedding per clip."""

from __future__ import annotations

import keras
from keras import ops

from baseline_model import checks

TEXT_ENCODERS = ("bilstm", "cnn")
_NEGATIVE = -1e9


def masked_mean_max(sequence, mask):
    """``[B, L, C]`` with a bool mask ``[B, L]`` -> ``[B, 2C]``: the mean and the max over kept steps.

    A row with no kept step (an absent description) pools to zeros, not to ``-inf``.
    """
    weights = ops.expand_dims(ops.cast(mask, sequence.dtype), -1)
    count = ops.sum(weights, axis=1)
    mean = ops.sum(sequence * weights, axis=1) / ops.maximum(count, 1.0)
    largest = ops.max(sequence + (1.0 - weights) * _NEGATIVE, axis=1)
    largest = ops.where(count > 0, largest, ops.zeros_like(largest))
    return ops.concatenate([mean, largest], axis=-1)


@keras.saving.register_keras_serializable(package="mmvideo")
class DescriptionEncoder(keras.layers.Layer):
    """Token ids ``[B, max_tokens]`` (0 = padding) -> ``[B, output_dim]``.

    A token embedding (``mask_zero``: padding is masked), then either a bidirectional LSTM
    (``"bilstm"``, ``units`` per direction, the original design) or two 1-D convolutions of
    width 3 (``"cnn"``, ``2 * units`` channels, faster); the masked mean and max over the
    tokens, then a ReLU projection.

    Args:
        vocabulary_size: how many distinct ids the tokenizer emits, padding included
            (``data_interface.text.TextEncoder.vocabulary_size``).
        encoder: ``"bilstm"`` or ``"cnn"``.
        embedding_dim: size of a token embedding.
        units: LSTM units per direction (the CNN uses twice as many channels).
        output_dim: size of the clip embedding.
    """

    def __init__(self, vocabulary_size, encoder="bilstm", embedding_dim=64, units=32, output_dim=64, **kwargs):
        super().__init__(**kwargs)
        checks.positive_int("vocabulary_size", vocabulary_size, minimum=2)
        checks.one_of("text_encoder", encoder, TEXT_ENCODERS)
        checks.positive_int("embedding_dim", embedding_dim)
        checks.positive_int("units", units)
        checks.positive_int("output_dim", output_dim)
        # layers
        self.embedding = keras.layers.Embedding(vocabulary_size, embedding_dim, mask_zero=True, name="embedding")
        if encoder == "bilstm":
            self.sequence_layers = [
                keras.layers.Bidirectional(keras.layers.LSTM(units, return_sequences=True), name="bilstm")
            ]
        else:
            self.sequence_layers = [
                keras.layers.Conv1D(2 * units, 3, padding="same", activation="relu", name=f"conv_{index}")
                for index in range(2)
            ]
        self.projection = keras.layers.Dense(output_dim, activation="relu", name="projection")
        # config
        self.vocabulary_size = vocabulary_size
        self.encoder = encoder
        self.embedding_dim = embedding_dim
        self.units = units
        self.output_dim = output_dim

    def build(self, input_shape):
        self.call(keras.KerasTensor(input_shape, dtype="int32"))  # builds every sublayer, in order

    def call(self, token_ids):
        token_ids = ops.cast(token_ids, "int32")
        mask = ops.not_equal(token_ids, 0)
        sequence = self.embedding(token_ids)
        if self.encoder == "bilstm":
            sequence = self.sequence_layers[0](sequence, mask=mask)
        else:  # padding embeds as zeros (the product drops the Keras mask the convolutions ignore)
            sequence = sequence * ops.expand_dims(ops.cast(mask, sequence.dtype), -1)
            for layer in self.sequence_layers:
                sequence = layer(sequence)
        return self.projection(masked_mean_max(sequence, mask))

    def compute_mask(self, inputs, previous_mask=None):
        return None  # the clip embedding has no time axis left to mask

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "vocabulary_size": self.vocabulary_size,
                "encoder": self.encoder,
                "embedding_dim": self.embedding_dim,
                "units": self.units,
                "output_dim": self.output_dim,
            }
        )
        return config
