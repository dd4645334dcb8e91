"""``evaluate_run``: a trained run on a split of its prepared dataset -> metrics, CSVs and a figure.

Writes ``RUN/eval-<split>/``:

- ``metrics.json``: ``accuracy`` (top-1 counts when the predicted class is one of the clip's
  labels), ``top5_accuracy``, ``macro_f1``, ``mean_average_precision``, ``num_examples``,
  ``num_multi_label``, ``split``, ``data``, ``modalities``; with ``ablate``, ``ablation``:
  ``{"without_<modality>": {the same metrics, "accuracy_drop"}}`` -- the same model with that
  modality's input zeroed and its ``has_*`` mask 0 (how an absent modality looks in training);
- ``per_class.csv``: per class precision, recall, F1, support, predicted count, average precision;
- ``predictions.csv``: per clip its id, labels, top-1 class and probability;
- ``confusion.png``: the row-normalized confusion matrix.

See ``baseline_model.evaluation.metrics`` for how multi-label clips are counted.
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np

from baseline_model.evaluation import metrics as m
from baseline_model.evaluation.plots import plot_confusion
from baseline_model.evaluation.run_dir import ablate, model_inputs, model_modalities, read_run
from mmvideo import taxonomy

METRICS_NAME = "metrics.json"
PER_CLASS_NAME = "per_class.csv"
PREDICTIONS_NAME = "predictions.csv"
CONFUSION_NAME = "confusion.png"
_SHAPE_FIELDS = ("frames_per_clip", "frame_size", "cover_size", "max_tokens", "num_classes")


def eval_dir(run: str | Path, split: str) -> Path:
    return Path(run) / f"eval-{split}"


def _check_data(run, data_dir: Path, info) -> None:
    """The dataset must have the run's shapes and vocabulary, or token ids and inputs would differ."""
    for name in _SHAPE_FIELDS:
        if getattr(info.spec, name) != getattr(run.spec, name):
            raise ValueError(
                f"{data_dir} does not match the run: {name} {getattr(info.spec, name)} != {getattr(run.spec, name)}"
            )
    if run.vocabulary_path.is_file() and info.vocabulary_path.is_file():
        if run.vocabulary() != info.vocabulary_path.read_text(encoding="utf-8").split():
            raise ValueError(f"{data_dir} has another vocabulary than the run ({run.vocabulary_path})")


def _finite(value):
    """NaN -> None, so metrics.json stays valid JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    return value


def predict_split(model, dataset, modalities, ablate_modalities: bool, progress: Callable | None = None):
    """Runs ``model`` over ``dataset`` once: ``(ids, labels, {variant: probabilities})`` where the
    variants are ``"all"`` and, when ablating, ``"without_<modality>"``."""
    variants = ["all"] + ([f"without_{modality}" for modality in modalities] if ablate_modalities else [])
    ids, labels, outputs = [], [], {variant: [] for variant in variants}
    for features, batch_labels in dataset:
        features = {key: value.numpy() for key, value in features.items()}
        ids += [value.decode("utf-8") for value in features["id"]]
        labels.append(batch_labels.numpy())
        outputs["all"].append(np.asarray(model.predict_on_batch(model_inputs(model, features))))
        for modality in modalities if ablate_modalities else ():
            ablated = model_inputs(model, ablate(features, modality))
            outputs[f"without_{modality}"].append(np.asarray(model.predict_on_batch(ablated)))
        if progress is not None:
            progress(len(features["id"]))
    if not ids:
        return ids, np.zeros((0, 0)), {}
    return ids, np.concatenate(labels), {key: np.concatenate(value) for key, value in outputs.items()}


def evaluate_run(
    run: str | Path,
    data: str | Path | None = None,
    split: str = "test",
    ablate: bool = False,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Evaluates ``RUN/model.keras`` on ``split`` of ``data`` (default: the run's dataset) and writes
    ``RUN/eval-<split>/`` (see the module doc); returns what ``metrics.json`` holds."""
    from data_interface import load_dataset
    from data_interface.info import read_info

    run_dir = read_run(run)
    data_dir = Path(data) if data is not None else run_dir.data_dir
    if data_dir is None:
        raise ValueError(f"{run_dir.path}/config.yaml names no dataset: pass --data DATA")
    info = read_info(data_dir)
    _check_data(run_dir, data_dir, info)
    if info.splits.get(split, 1) == 0:
        raise ValueError(f"split {split!r} of {data_dir} has no examples")
    model = run_dir.load_model()
    modalities = model_modalities(model)
    dataset = load_dataset(
        data_dir, split, batch_size=batch_size, modalities=modalities, shuffle=False, label_mode="multi"
    )
    ids, labels, outputs = predict_split(model, dataset, modalities, ablate, progress)
    if not ids:
        raise ValueError(f"split {split!r} of {data_dir} has no examples")

    probabilities = outputs["all"]
    results = m.classification_metrics(probabilities, labels)
    results |= {"split": split, "data": str(Path(data_dir).resolve()), "modalities": list(modalities)}
    if ablate:
        results["ablation"] = {}
        for variant in (key for key in outputs if key != "all"):
            scores = m.classification_metrics(outputs[variant], labels)
            scores["accuracy_drop"] = results["accuracy"] - scores["accuracy"]
            results["ablation"][variant] = scores

    out = eval_dir(run_dir.path, split)
    out.mkdir(parents=True, exist_ok=True)
    reference, predicted = m.reference_classes(probabilities, labels)
    matrix = m.confusion_matrix(reference, predicted, probabilities.shape[1])
    write_per_class(out / PER_CLASS_NAME, matrix, probabilities, labels)
    write_predictions(out / PREDICTIONS_NAME, ids, labels, probabilities)
    title = f"{run_dir.path.name} on {split}: accuracy {results['accuracy']:.3f}, n={len(ids)}"
    plot_confusion(matrix, out / CONFUSION_NAME, title)
    results = _finite(results)
    (out / METRICS_NAME).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


def _names(class_id: int) -> tuple[str, str]:
    if class_id < taxonomy.NUM_CLASSES:
        category = taxonomy.by_id(class_id)
        return category.name, category.chinese
    return str(class_id), ""


def write_per_class(path: Path, matrix, probabilities, labels) -> None:
    scores = m.per_class_scores(matrix)
    labels = m.as_multi_hot(labels, probabilities.shape[1])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["class_id", "name", "chinese", "precision", "recall", "f1", "support", "predicted", "average_precision"])
        for class_id in range(len(matrix)):
            precision_at = m.average_precision(probabilities[:, class_id], labels[:, class_id])
            writer.writerow([
                class_id,
                *_names(class_id),
                f"{scores['precision'][class_id]:.4f}",
                f"{scores['recall'][class_id]:.4f}",
                f"{scores['f1'][class_id]:.4f}",
                int(scores["support"][class_id]),
                int(matrix[:, class_id].sum()),
                "" if math.isnan(precision_at) else f"{precision_at:.4f}",
            ])


def write_predictions(path: Path, ids, labels, probabilities) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "labels", "predicted", "probability"])
        for mp4_id, row, scores in zip(ids, labels, probabilities, strict=True):
            top = int(np.argmax(scores))
            names = ";".join(_names(int(index))[0] for index in np.nonzero(row)[0])
            writer.writerow([mp4_id, names, _names(top)[0], f"{scores[top]:.6f}"])


def format_table(results: dict) -> str:
    """A short human summary of :func:`evaluate_run`'s result."""
    rows = [("", "accuracy", "top-5", "macro-F1", "mAP")]

    def row(name, scores):
        values = [scores.get(key) for key in ("accuracy", "top5_accuracy", "macro_f1", "mean_average_precision")]
        return (name, *("-" if value is None else f"{value:.3f}" for value in values))

    rows.append(row("all modalities", results))
    for variant, scores in (results.get("ablation") or {}).items():
        rows.append(row(variant.replace("_", " "), scores))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.rjust(width) if i else cell.ljust(width) for i, (cell, width) in enumerate(zip(r, widths, strict=True))) for r in rows]
    header = f"{results['split']}: {results['num_examples']} clips ({results['num_multi_label']} with several labels)"
    return "\n".join([header, *lines])
