"""The confusion matrix figure of an evaluation (31 x 31, readable at full size)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mmvideo import taxonomy
from mmvideo.plots import category_label, pyplot


def row_normalized(matrix: np.ndarray) -> np.ndarray:
    """Each row divided by its sum (rows without examples stay 0)."""
    matrix = np.asarray(matrix, dtype=np.float64)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix, totals, out=np.zeros_like(matrix), where=totals > 0)


def plot_confusion(matrix: np.ndarray, path: str | Path, title: str = "") -> Path:
    """Writes the row-normalized confusion matrix (row = reference class) with a colour bar; cells
    show the fraction of the row in percent, and the row's count sits beside its label."""
    plt = pyplot()
    matrix = np.asarray(matrix)
    fractions = row_normalized(matrix)
    num_classes = len(matrix)
    categories = taxonomy.CATEGORIES[:num_classes] if num_classes <= taxonomy.NUM_CLASSES else ()
    names = [category_label(c.name, c.chinese) for c in categories] or [str(i) for i in range(num_classes)]
    supports = matrix.sum(axis=1)

    side = max(8.0, 0.42 * num_classes + 4)
    figure, axes = plt.subplots(figsize=(side + 2, side))
    image = axes.imshow(fractions, cmap="Blues", vmin=0.0, vmax=1.0, interpolation="nearest")
    colour_bar = figure.colorbar(image, ax=axes, fraction=0.046, pad=0.02)
    colour_bar.set_label("fraction of the reference class (row)")
    axes.set_xticks(range(num_classes), names, rotation=90, fontsize=8)
    axes.set_yticks(range(num_classes), [f"{name}  n={int(n)}" for name, n in zip(names, supports, strict=True)], fontsize=8)
    axes.set_xlabel("predicted class")
    axes.set_ylabel("reference class")
    axes.set_xticks(np.arange(-0.5, num_classes, 1), minor=True)
    axes.set_yticks(np.arange(-0.5, num_classes, 1), minor=True)
    axes.grid(which="minor", color="#dddddd", linewidth=0.5)
    axes.tick_params(which="minor", length=0)
    for row, column in zip(*np.nonzero(matrix), strict=True):
        value = fractions[row, column]
        colour = "white" if value > 0.6 else "black"
        axes.text(column, row, f"{100 * value:.0f}", ha="center", va="center", fontsize=6, color=colour)
    if title:
        axes.set_title(title)
    figure.tight_layout()
    path = Path(path)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
