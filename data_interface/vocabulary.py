"""Learning the text vocabulary, without TensorFlow for the characters descriptions are made of.

The tokens must be exactly those of the in-graph tokenizer (``data_interface.text.tokenize``:
tensorflow-text's case folding, then a split at whitespace / punctuation / symbols with every Han
character a token). Importing TensorFlow costs ~3-8 s, a large share of ``prepare`` on a small
corpus, so a description whose characters all lie in :data:`FAST_RANGES` -- ASCII, Latin-1
letters, general and CJK punctuation, the CJK unified ideographs, full-width ASCII -- is tokenized
here in Python; any other description goes through tensorflow-text. On these ranges the Python
folding (NFKC, case fold, NFKC) and character classes equal tensorflow-text's code point by code
point: ``tests/test_vocabulary.py`` checks every one of them against it.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

DEFAULT_VOCABULARY_SIZE = 20000
_BATCH = 1024  # descriptions per tensorflow-text call on the slow path

# Inclusive code point ranges tokenized in Python. Left out on purpose: combining marks and
# characters that compose with their neighbours under NFKC (e.g. U+302A-302F, half-width kana),
# and default-ignorable ones that ICU's NFKC_Casefold deletes (U+00AD, U+200B-200F, U+2060-206F).
FAST_RANGES = (
    (0x09, 0x0A),  # tab, line feed
    (0x0D, 0x0D),  # carriage return
    (0x20, 0x7E),  # printable ASCII
    (0xA0, 0xAC),  # Latin-1 punctuation and signs (NBSP folds to a space)
    (0xAE, 0xFF),  # Latin-1 signs and letters
    (0x2010, 0x2027),  # dashes, quotes, bullets, ellipsis
    (0x2030, 0x205E),  # per mille, primes, more punctuation
    (0x3000, 0x3029),  # ideographic space, CJK punctuation and brackets, Hangzhou numerals
    (0x3030, 0x303F),  # CJK wavy dash, marks
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xFF01, 0xFF5E),  # full-width ASCII
)
_WHITESPACE = frozenset("\t\n\f\r ")  # RE2's \s
# Han-script characters among the folded fast ranges (besides U+4E00-9FFF).
_HAN_EXTRA = frozenset([0x3005, 0x3007, *range(0x3021, 0x302A), *range(0x3038, 0x303C)])


_FAST_CHARS = frozenset(chr(code) for low, high in FAST_RANGES for code in range(low, high + 1))


def _is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or code in _HAN_EXTRA


def fold(text: str) -> str:
    """Case folding as tensorflow-text's ``case_fold_utf8`` does it on the fast ranges."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def fast_tokens(text: str) -> list[str] | None:
    """The in-graph tokenizer's tokens of ``text``, or ``None`` when it holds a character outside
    :data:`FAST_RANGES` (then only tensorflow-text can say)."""
    if not _FAST_CHARS.issuperset(text):
        return None
    tokens: list[str] = []
    word: list[str] = []
    for char in fold(text):
        if char in _WHITESPACE or unicodedata.category(char)[0] in "PS":
            boundary = None
        elif _is_han(char):
            boundary = char
        else:
            word.append(char)
            continue
        if word:
            tokens.append("".join(word))
            word = []
        if boundary:
            tokens.append(boundary)
    if word:
        tokens.append("".join(word))
    return tokens


def count_tokens(texts: Iterable[str]) -> Counter:
    """Token counts over ``texts``: in Python where possible, the rest batched through tensorflow-text."""
    counts: Counter[str] = Counter()
    slow: list[str] = []

    def flush():
        from data_interface.text import tokenize_python  # imports TensorFlow

        counts.update(token for row in tokenize_python(slow) for token in row)
        slow.clear()

    for text in texts:
        tokens = fast_tokens(text)
        if tokens is None:
            slow.append(text)
            if len(slow) == _BATCH:
                flush()
        else:
            counts.update(tokens)
    if slow:
        flush()
    return counts


def learn_vocabulary(
    texts: Iterable[str], max_size: int = DEFAULT_VOCABULARY_SIZE, min_count: int = 1
) -> list[str]:
    """The ``max_size`` most frequent tokens seen at least ``min_count`` times (ties by token)."""
    if max_size < 1:
        raise ValueError(f"`max_size` must be >= 1, got {max_size}")
    if min_count < 1:
        raise ValueError(f"`min_count` must be >= 1, got {min_count}")
    counts = count_tokens(texts)
    ranked = sorted((item for item in counts.items() if item[1] >= min_count), key=lambda item: (-item[1], item[0]))
    return [token for token, _ in ranked[:max_size]]


def write_vocabulary(path: str | Path, tokens: list[str]) -> Path:
    """One token per line, UTF-8 (tokens never hold whitespace)."""
    path = Path(path)
    path.write_text("".join(f"{token}\n" for token in tokens), encoding="utf-8")
    return path


def read_vocabulary(path: str | Path) -> list[str]:
    return [line for line in Path(path).read_text(encoding="utf-8").split("\n") if line]
