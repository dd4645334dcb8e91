"""What ``mmvideo demo`` reports after training: ``predict`` on the raw held-out clips, and the
table of fused and single-modality accuracy.

The held-out clips are the prepared dataset's test split (``DATA/test.ids``), found again in the
downloaded seed layout and classified from their raw files (mp4, cover, txt), i.e. through the
``predict`` path rather than the prepared TFRecords that ``evaluate`` reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from mmvideo.layout import scan_layout

EXAMPLES_SHOWN = 5


@dataclass
class HeldOutPredictions:
    """``predict`` on the test clips: how many, how many top-1 hits, failures, a few examples."""

    num_clips: int = 0
    num_correct: int = 0
    errors: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float | None:
        classified = self.num_clips - len(self.errors)
        return self.num_correct / classified if classified else None

    def format(self) -> str:
        lines = list(self.examples)
        accuracy = "-" if self.accuracy is None else f"{self.accuracy:.3f}"
        lines.append(f"{self.num_clips} held-out clips: top-1 accuracy {accuracy}, {len(self.errors)} failed")
        lines += [f"  failed: {error}" for error in self.errors[:EXAMPLES_SHOWN]]
        return "\n".join(lines)


def held_out_folders(data: Path, raw: Path, split: str = "test") -> dict[str, tuple[Path, set[str]]]:
    """``{id: (item folder, categories)}`` of the split's clips in the seed layout under ``raw``."""
    from data_interface.prepare.info import ids_name

    ids = set((Path(data) / ids_name(split)).read_text(encoding="utf-8").split())
    found: dict[str, tuple[Path, set[str]]] = {}
    for item in scan_layout(raw):
        if item.mp4_id in ids:
            folder, labels = found.setdefault(item.mp4_id, (item.folder, set()))
            labels.add(item.category)
    return dict(sorted(found.items()))


def predict_held_out(run: Path, data: Path, raw: Path) -> HeldOutPredictions:
    """Runs ``predict`` on every held-out clip folder; a hit is a top-1 among the clip's labels."""
    from baseline_model.evaluation.predict import predict

    clips = held_out_folders(data, raw)
    results = predict(run, [str(folder) for folder, _ in clips.values()], top_k=3)
    report = HeldOutPredictions(num_clips=len(clips))
    for (mp4_id, (_, labels)), result in zip(clips.items(), results, strict=True):
        if "error" in result:
            report.errors.append(f"{mp4_id}: {result['error']}")
            continue
        best = result["top_k"][0]
        report.num_correct += best["label"] in labels
        if len(report.examples) < EXAMPLES_SHOWN:
            guesses = ", ".join(f"{entry['label']} ({entry['chinese']}) {entry['probability']:.2f}"
                                for entry in result["top_k"])
            report.examples.append(f"  {mp4_id} [{'/'.join(sorted(labels))}] -> {guesses}")
    return report


def format_accuracy_table(models: dict, results: dict, held_out: HeldOutPredictions | None = None) -> str:
    """One row per model (``models``: name -> (modalities, epochs); ``results``: name -> the
    ``metrics.json`` of its evaluation), the fused model's ablation and held-out rows after."""
    rows = [("model", "modalities", "accuracy", "top-5", "macro-F1")]

    def cells(scores):
        return tuple(f"{scores[key]:.3f}" if scores.get(key) is not None else "-"
                     for key in ("accuracy", "top5_accuracy", "macro_f1"))

    for name, (modalities, _) in models.items():
        rows.append((name, modalities, *cells(results[name])))
    fused = results.get("fused") or {}
    for variant, scores in (fused.get("ablation") or {}).items():
        rows.append(("fused, " + variant.replace("_", " "), "(masked at test time)", *cells(scores)))
    if held_out is not None and held_out.accuracy is not None:
        rows.append(("fused via predict", "raw held-out clips", f"{held_out.accuracy:.3f}", "-", "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        padded = (cell.ljust(width) if i < 2 else cell.rjust(width)
                  for i, (cell, width) in enumerate(zip(row, widths, strict=True)))
        lines.append("  ".join(padded))
    return "\n".join(lines)
