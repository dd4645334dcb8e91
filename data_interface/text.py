"""Text tokenization, in-graph with tensorflow-text, so a saved model can take raw strings.

Policy: the text is case-folded (``case_fold_utf8``: lower case plus NFKC-style folding); every
Han character is a token of its own (Chinese has no spaces, and the character is the unit that
generalizes); other scripts split into words at whitespace, punctuation and symbols, which are
dropped. Ids: 0 is padding, ``1..num_oov_buckets`` hash out-of-vocabulary tokens (so an unseen word
still lands in a stable bucket), then the vocabulary in order. The vocabulary is learned from the
train split only, most frequent first.
"""

from __future__ import annotations

import keras

# Re-exported: the vocabulary is learned without TensorFlow where it can be (see that module).
from data_interface.vocabulary import (  # noqa: F401
    DEFAULT_VOCABULARY_SIZE,
    learn_vocabulary,
    read_vocabulary,
    write_vocabulary,
)

# Word delimiters (whitespace, punctuation, symbols) and Han characters; Han characters are kept.
_DELIMITERS = r"[\s\p{P}\p{S}]+|\p{Han}"
_KEPT_DELIMITERS = r"\p{Han}"
DEFAULT_OOV_BUCKETS = 16


def tokenize(strings):
    """A ``tf.RaggedTensor`` of tokens for a string tensor (any rank; the last ragged axis is tokens)."""
    import tensorflow as tf
    import tensorflow_text as tf_text

    strings = tf.convert_to_tensor(strings, dtype=tf.string)
    folded = tf_text.case_fold_utf8(strings)
    return tf_text.regex_split(folded, _DELIMITERS, _KEPT_DELIMITERS)


def tokenize_python(texts: list[str]) -> list[list[str]]:
    """The same tokens as :func:`tokenize`, as Python lists (for counting and inspection)."""
    if not texts:
        return []
    return [[token.decode("utf-8") for token in row] for row in tokenize(texts).to_list()]


@keras.saving.register_keras_serializable(package="mmvideo")
class TextEncoder(keras.layers.Layer):
    """Raw strings ``[B]`` -> int32 token ids ``[B, max_tokens]`` (0 = padding), in the graph."""

    def __init__(self, vocabulary, max_tokens=64, num_oov_buckets=DEFAULT_OOV_BUCKETS, **kwargs):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        vocabulary = list(vocabulary)
        if max_tokens < 1:
            raise ValueError(f"`max_tokens` must be >= 1, got {max_tokens}")
        if num_oov_buckets < 1:
            raise ValueError(f"`num_oov_buckets` must be >= 1, got {num_oov_buckets}")
        if any(not isinstance(token, str) or not token for token in vocabulary):
            raise ValueError("`vocabulary` must hold non-empty strings")
        # layers
        self.vocabulary = vocabulary
        self.max_tokens = max_tokens
        self.num_oov_buckets = num_oov_buckets
        self._lookup = keras.layers.StringLookup(
            vocabulary=vocabulary, mask_token="", num_oov_indices=num_oov_buckets, output_mode="int"
        )

    @property
    def vocabulary_size(self) -> int:
        """How many distinct ids the encoder emits (padding, OOV buckets, vocabulary)."""
        return len(self.vocabulary) + self.num_oov_buckets + 1

    def call(self, strings):
        import tensorflow as tf

        strings = tf.convert_to_tensor(strings, dtype=tf.string)
        flat = tf.reshape(strings, [-1])
        dense = tokenize(flat).to_tensor(default_value="", shape=[None, self.max_tokens])
        ids = tf.cast(self._lookup(dense), tf.int32)
        return tf.reshape(ids, tf.concat([tf.shape(strings), [self.max_tokens]], axis=0))

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.max_tokens)

    def get_config(self):
        config = super().get_config()
        config.update(
            {"vocabulary": self.vocabulary, "max_tokens": self.max_tokens, "num_oov_buckets": self.num_oov_buckets}
        )
        return config
