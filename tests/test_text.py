import numpy as np
import pytest
import tensorflow as tf

from data_interface import text


def test_tokenize_policy():
    rows = text.tokenize_python(["Hello, World! 香港 city-night 4K 海滩", "", "ÉCOLE  x2\tend"])
    assert rows == [["hello", "world", "香", "港", "city", "night", "4k", "海", "滩"], [], ["école", "x2", "end"]]


def test_learn_vocabulary_counts_ranks_and_filters():
    texts = ["b a a", "c 海 海 海", "a"]
    assert text.learn_vocabulary(texts) == ["a", "海", "b", "c"]
    assert text.learn_vocabulary(texts, min_count=2) == ["a", "海"]
    assert text.learn_vocabulary(texts, max_size=1) == ["a"]
    assert text.learn_vocabulary(iter([])) == []
    with pytest.raises(ValueError, match="got 0"):
        text.learn_vocabulary(texts, max_size=0)


def test_vocabulary_file_round_trip(tmp_path):
    tokens = ["a", "海", "école"]
    assert text.read_vocabulary(text.write_vocabulary(tmp_path / "vocab.txt", tokens)) == tokens


def test_encoder_ids_padding_oov_and_shapes():
    encoder = text.TextEncoder(["a", "b", "海"], max_tokens=4, num_oov_buckets=2)
    ids = encoder(tf.constant(["A 海 b", "", "zzz a b a b"])).numpy()
    # 0 padding, 1..2 OOV buckets, 3.. vocabulary in order
    assert ids[0].tolist() == [3, 5, 4, 0]
    assert ids[1].tolist() == [0, 0, 0, 0]
    assert ids[2, 0] in (1, 2) and ids[2, 1:].tolist() == [3, 4, 3]
    assert ids.dtype == np.int32 and encoder.vocabulary_size == 6
    assert encoder(tf.constant("a b")).numpy().tolist() == [3, 4, 0, 0]
    assert encoder(tf.constant([["a"], ["b"]])).shape == (2, 1, 4)


def test_encoder_config_round_trip_and_validation():
    encoder = text.TextEncoder(["x", "y"], max_tokens=3, num_oov_buckets=4, name="enc")
    clone = text.TextEncoder.from_config(encoder.get_config())
    sample = tf.constant(["y x q", "x"])
    np.testing.assert_array_equal(clone(sample).numpy(), encoder(sample).numpy())
    with pytest.raises(ValueError, match="`max_tokens` must be >= 1, got 0"):
        text.TextEncoder(["x"], max_tokens=0)
    with pytest.raises(ValueError, match="non-empty"):
        text.TextEncoder(["x", ""])
