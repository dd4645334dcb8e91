"""The stats figure: items per category (complete / incomplete / shared) and a duration histogram."""

from __future__ import annotations

from pathlib import Path

from mmvideo.plots import category_label, pyplot
from mmvideo.stats import CorpusStats, format_bytes


def plot_stats(stats: CorpusStats, path: str | Path) -> Path:
    """Draw ``stats`` into a PNG at ``path`` and return the path."""
    plt = pyplot()
    path = Path(path)
    rows = list(reversed(stats.categories))  # class id 0 at the top
    labels = [category_label(row.name, row.chinese) for row in rows]
    complete = [row.complete for row in rows]
    incomplete = [row.incomplete for row in rows]

    figure, (bars, histogram) = plt.subplots(
        1, 2, figsize=(14, 9), gridspec_kw={"width_ratios": [3, 2]}, constrained_layout=True
    )
    positions = range(len(rows))
    bars.barh(positions, complete, color="#3b75af", label="complete")
    bars.barh(positions, incomplete, left=complete, color="#ef8636", label="incomplete")
    for position, row in zip(positions, rows, strict=True):
        if row.shared:
            bars.text(row.items, position, f"  {row.shared} shared", va="center", fontsize=8, color="#555")
    bars.set_yticks(list(positions), labels, fontsize=9)
    bars.set_xlabel("item folders")
    bars.set_title(
        f"{stats.num_videos} videos in {stats.num_items} folders, {format_bytes(stats.bytes_on_disk)}"
    )
    bars.legend(loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=2, frameon=False)
    bars.set_xlim(0, max([row.items for row in rows] + [1]) * 1.2)  # room for the "shared" notes
    bars.grid(axis="x", alpha=0.3)

    if stats.durations_s:
        histogram.hist(stats.durations_s, bins=min(30, max(5, len(set(stats.durations_s)))), color="#519e3e")
    else:
        histogram.text(0.5, 0.5, "no durations known", ha="center", va="center", transform=histogram.transAxes)
    histogram.set_xlabel("duration (s)")
    histogram.set_ylabel("videos")
    histogram.set_title("clip durations")
    histogram.grid(alpha=0.3)

    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path
