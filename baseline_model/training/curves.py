"""``RUN/curves.png``: loss and the main metric per epoch, train and val, from ``history.csv``."""

from __future__ import annotations

from pathlib import Path

# The second panel: the first of these the history holds.
_METRICS = ("accuracy", "map", "auc")


def plot_curves(history: list[dict], path: Path, title: str = "") -> Path | None:
    """Draw the curves of ``history`` rows (``RunDir.read_history``) into ``path``; ``None`` when empty."""
    if not history:
        return None
    from mmvideo.plots import pyplot

    plt = pyplot()
    epochs = [row["epoch"] + 1 for row in history]
    metric = next((name for name in _METRICS if name in history[0]), None)
    panels = ["loss"] + ([metric] if metric else [])
    figure, axes = plt.subplots(1, len(panels), figsize=(5 * len(panels), 3.6), squeeze=False)
    for axis, name in zip(axes[0], panels, strict=True):
        for key, label in ((name, "train"), (f"val_{name}", "val")):
            values = [row.get(key) for row in history]
            if all(isinstance(value, float) for value in values):
                axis.plot(epochs, values, marker="o", markersize=3, label=label)
        axis.set_xlabel("epoch")
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
        axis.legend()
    if title:
        figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
