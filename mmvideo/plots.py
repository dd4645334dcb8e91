"""Shared plotting set-up: a headless backend and a font that can draw Chinese when one is installed."""

from __future__ import annotations

import functools
import logging

logger = logging.getLogger(__name__)

# Matplotlib ships "Last Resort", which maps every code point to a placeholder box: not a CJK font.
_PLACEHOLDER_FONTS = ("last resort",)


def _probe_characters() -> str:
    from mmvideo.taxonomy import CATEGORIES

    return "".join(sorted({char for c in CATEGORIES for char in c.chinese if ord(char) > 0x2E80})) + "Aa0"


@functools.cache
def cjk_font_name() -> str | None:
    """The family name of an installed font that has glyphs for Chinese, or ``None``."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    probe = _probe_characters()
    for entry in font_manager.fontManager.ttflist:
        if entry.name.lower().startswith(_PLACEHOLDER_FONTS):
            continue
        try:
            charmap = FT2Font(entry.fname).get_charmap()
        except (OSError, RuntimeError, ValueError):
            continue
        if all(ord(char) in charmap for char in probe):
            return entry.name
    return None


def pyplot():
    """``matplotlib.pyplot`` on the Agg backend (no display needed), with a CJK font when available."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    font = cjk_font_name()
    if font is not None:
        plt.rcParams["font.sans-serif"] = [font, *plt.rcParams["font.sans-serif"]]
    return plt


def category_label(name: str, chinese: str) -> str:
    """``"Sport (运动)"`` when Chinese glyphs can be drawn, else the English name alone."""
    if cjk_font_name() is None or chinese.lower() == name.lower():
        return name
    return f"{name} ({chinese})"
