"""The 31 categories of the xinpianchang corpus, their Chinese names and stable class ids.

Class ids follow the sorted (code point) order of the English names as the corpus spells them,
so ``class_id("360VR") == 0`` and ``class_id("stars") == 30`` on every machine and in every run.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

# English name -> Chinese name, exactly as the corpus spells them.
_CHINESE_BY_ENGLISH = {
    "360VR": "VR",
    "4k": "4K",
    "Abstract": "抽象",
    "Aerial": "航拍",
    "Alpha Channel": "透明通道",
    "Animals": "动物",
    "Archival": "档案",
    "Backgrounds": "背景",
    "Beach": "海滩",
    "Business": "商业",
    "Celebration": "庆典",
    "City": "城市",
    "Clouds": "云彩",
    "Corporate": "企业",
    "Explosion": "爆炸",
    "Film": "电影镜头",
    "Green Screen": "绿幕",
    "Intro": "开场",
    "Military": "军事",
    "Nature": "自然",
    "News": "新闻",
    "R3d": "R3d",
    "Romantic": "浪漫",
    "Sea": "大海",
    "Sport": "运动",
    "Technology": "科技",
    "Timelapse": "延时",
    "Underwater": "水下摄影",
    "Wedding": "婚礼",
    "space": "太空",
    "stars": "星空",
}


@dataclass(frozen=True)
class Category:
    """One category: its class id, English name (folder name) and Chinese name."""

    class_id: int
    name: str
    chinese: str

    @property
    def display_name(self) -> str:
        """``"English (中文)"``, or the English name alone when both spell the same."""
        if self.chinese.lower() == self.name.lower():
            return self.name
        return f"{self.name} ({self.chinese})"


CATEGORY_NAMES: tuple[str, ...] = tuple(sorted(_CHINESE_BY_ENGLISH))
CATEGORIES: tuple[Category, ...] = tuple(
    Category(index, name, _CHINESE_BY_ENGLISH[name]) for index, name in enumerate(CATEGORY_NAMES)
)
NUM_CLASSES = len(CATEGORIES)

_BY_KEY: dict[str, Category] = {}
for _category in CATEGORIES:
    _BY_KEY[_category.name.casefold()] = _category
    _BY_KEY.setdefault(_category.chinese.casefold(), _category)


class UnknownCategoryError(ValueError):
    """A name that is neither an English nor a Chinese category name."""

    def __init__(self, name: str, suggestions: list[str]):
        self.name = name
        self.suggestions = suggestions
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        super().__init__(f"unknown category {name!r}{hint}")


def lookup(name: str) -> Category:
    """The category named ``name`` (English, case-insensitive, or Chinese; surrounding space ignored)."""
    if not isinstance(name, str):
        raise UnknownCategoryError(repr(name), [])
    found = _BY_KEY.get(name.strip().casefold())
    if found is None:
        raise UnknownCategoryError(name, suggest(name))
    return found


def suggest(name: str, limit: int = 3) -> list[str]:
    """The English names closest to ``name``, best first (Chinese names map to their English name)."""
    keys = list(_BY_KEY)
    matches = difflib.get_close_matches(name.strip().casefold(), keys, n=limit * 2, cutoff=0.5)
    names: list[str] = []
    for key in matches:
        english = _BY_KEY[key].name
        if english not in names:
            names.append(english)
    return names[:limit]


def canonical_name(name: str) -> str:
    """The English spelling the corpus uses for ``name`` (which may be Chinese or any case)."""
    return lookup(name).name


def class_id(name: str) -> int:
    """The stable class id of ``name``."""
    return lookup(name).class_id


def by_id(class_index: int) -> Category:
    """The category with class id ``class_index``."""
    if not 0 <= class_index < NUM_CLASSES:
        raise ValueError(f"class id must be in [0, {NUM_CLASSES}), got {class_index}")
    return CATEGORIES[class_index]
