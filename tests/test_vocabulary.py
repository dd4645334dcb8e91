"""The Python tokenizer of ``data_interface.vocabulary`` equals tensorflow-text's on every code
point of its fast ranges, alone and between letters, and on random mixtures of them."""

import random

import pytest

from data_interface import text, vocabulary

FAST_CODES = [code for low, high in vocabulary.FAST_RANGES for code in range(low, high + 1)]


def _mismatches(strings):
    expected = text.tokenize_python(strings)
    return [(s, got, want) for s, want in zip(strings, expected, strict=True)
            if (got := vocabulary.fast_tokens(s)) != want]


@pytest.mark.parametrize("template", ["{}", "a{}b", "{}{}", "x {}1"])
def test_every_fast_code_point_tokenizes_as_tensorflow_text_does(template):
    strings = [template.format(chr(code), chr(code)) for code in FAST_CODES]
    assert _mismatches(strings) == []


def test_random_mixtures_tokenize_as_tensorflow_text_does():
    rng = random.Random(0)
    common = [*range(0x20, 0x7F), 0x3001, 0x3002, 0xFF0C, 0xFF01, 0x2014, 0x201C, 0x201D, 0xE9, 0xC9, 0xDF]
    strings = []
    for _ in range(3000):
        pool = common if rng.random() < 0.5 else FAST_CODES
        strings.append("".join(chr(rng.choice(pool)) for _ in range(rng.randint(0, 24))))
    assert _mismatches(strings) == []


def test_text_outside_the_fast_ranges_goes_through_tensorflow_text():
    for sample in ("한국어", "emoji 🎬 clip", "soft\u00adhyphen", "ｶﾞ", "Ǆ"):
        assert vocabulary.fast_tokens(sample) is None
    texts = ["Sea 大海 🌊 waves", "海 sea", "한국 sea"]
    assert vocabulary.learn_vocabulary(texts) == vocabulary.learn_vocabulary(texts[::-1])
    assert set(vocabulary.learn_vocabulary(texts)) == {token for row in text.tokenize_python(texts) for token in row}
