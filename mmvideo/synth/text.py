"""Descriptions that carry the text part of a class's code (its ``topic``) and nothing else.

A description holds 2-3 distinct words of its topic's family, fillers shared by every class and,
in ``DISTRACTOR_RATE`` of them, one word of another family. About ``CHINESE_ONLY_RATE`` are
Chinese only and ``MIXED_RATE`` mix a Chinese topic word into an English sentence; Chinese words
are space-delimited. ``topic_of`` is the decoder (a majority vote over family words).
"""

from __future__ import annotations

import re

import numpy as np

from mmvideo.synth import design

# One family per topic; no word names a category and no Chinese character is shared across families.
TOPIC_WORDS_EN = (
    ("sunrise", "dawn", "dew", "breakfast", "rooster", "daybreak"),
    ("guitar", "melody", "drum", "piano", "chorus", "rhythm"),
    ("journey", "suitcase", "passport", "ticket", "highway", "station"),
    ("pottery", "carving", "loom", "weaving", "chisel", "workshop"),
)
TOPIC_WORDS_ZH = (
    ("晨曦", "黎明", "朝露", "早餐"),
    ("吉他", "旋律", "鼓点", "钢琴"),
    ("旅途", "护照", "车票", "行李"),
    ("陶艺", "木雕", "织布", "刻刀"),
)
FILLER_ADJECTIVES = ("calm", "slow", "smooth", "gentle", "warm", "soft", "vivid", "simple", "clean", "quiet")
FILLER_NOUNS = ("footage", "shot", "scene", "clip", "view", "moment", "detail", "close-up", "story", "angle")
FILLER_TAGS = ("stock", "material", "hd", "quality", "creative", "camera", "light", "mood", "edit", "frame")
FILLER_ZH = ("视频", "素材", "高清", "画面", "唯美", "实拍", "创意", "慢动作", "特写", "氛围")

TEMPLATES = (
    "{adj} {noun} of {topics}, {tag} {tag2}",
    "{Topic} {noun}: {adj} and {adj2} {tag}",
    "{adj} {tag} {noun} #{topic_tags} #{tag2}",
    "a {adj} {noun} with {topics}",
    "{Topic} - {adj} {noun}, {tag}",
)

DISTRACTOR_RATE = 0.15
CHINESE_ONLY_RATE = 0.08
MIXED_RATE = 0.09

_WORD = re.compile(r"[\w-]+")


def _pick(rng: np.random.Generator, words, count: int) -> list[str]:
    return [words[i] for i in rng.choice(len(words), size=count, replace=False)]


def _topic_words(topic: int, rng: np.random.Generator, chinese: bool) -> list[str]:
    """2-3 words of the family, maybe one distractor from another family inserted at random."""
    families = TOPIC_WORDS_ZH if chinese else TOPIC_WORDS_EN
    words = _pick(rng, families[topic], int(rng.integers(2, 4)))
    if rng.random() < DISTRACTOR_RATE:
        other = int(rng.choice([t for t in range(design.NUM_TOPICS) if t != topic]))
        words.insert(int(rng.integers(0, len(words) + 1)), _pick(rng, families[other], 1)[0])
    return words


def _english(topic: int, rng: np.random.Generator, mixed: bool) -> str:
    words = _topic_words(topic, rng, chinese=False)
    if mixed:  # one family word in Chinese, and a Chinese filler tag at the end
        words[int(rng.integers(0, len(words)))] = _pick(rng, TOPIC_WORDS_ZH[topic], 1)[0]
    adj, adj2 = _pick(rng, FILLER_ADJECTIVES, 2)
    noun = _pick(rng, FILLER_NOUNS, 1)[0]
    tag, tag2 = _pick(rng, FILLER_TAGS, 2)
    template = TEMPLATES[int(rng.integers(0, len(TEMPLATES)))]
    sentence = template.format(
        adj=adj, adj2=adj2, noun=noun, tag=tag, tag2=tag2,
        topics=", ".join(words[:-1]) + " and " + words[-1],
        Topic=" ".join(words), topic_tags=" #".join(words),
    )
    sentence = sentence[0].upper() + sentence[1:]
    if mixed:
        sentence += " " + _pick(rng, FILLER_ZH, 1)[0]
    return sentence


def _chinese(topic: int, rng: np.random.Generator) -> str:
    words = _topic_words(topic, rng, chinese=True) + _pick(rng, FILLER_ZH, int(rng.integers(2, 4)))
    return " ".join(words[i] for i in rng.permutation(len(words)))


def describe(topic: int, rng: np.random.Generator) -> str:
    """A description carrying ``topic`` (0..3) only; every draw comes from ``rng``."""
    if not 0 <= topic < design.NUM_TOPICS:
        raise ValueError(f"`topic` must be in [0, {design.NUM_TOPICS}), got {topic}")
    language = rng.random()
    if language < CHINESE_ONLY_RATE:
        return _chinese(topic, rng)
    return _english(topic, rng, mixed=language < CHINESE_ONLY_RATE + MIXED_RATE)


def topic_counts(description: str) -> list[int]:
    """How many words of each topic family ``description`` holds (English words whole, case-blind)."""
    tokens = [token.casefold() for token in _WORD.findall(description)]
    counts = []
    for topic in range(design.NUM_TOPICS):
        english = sum(tokens.count(word) for word in TOPIC_WORDS_EN[topic])
        chinese = sum(tokens.count(word) for word in TOPIC_WORDS_ZH[topic])
        counts.append(english + chinese)
    return counts


def topic_of(description: str) -> int | None:
    """The topic a description carries: the family with the most words (``None`` on a tie)."""
    counts = topic_counts(description)
    best = max(counts)
    return counts.index(best) if best > 0 and counts.count(best) == 1 else None


def has_chinese(description: str) -> bool:
    return any("\u4e00" <= char <= "\u9fff" for char in description)
