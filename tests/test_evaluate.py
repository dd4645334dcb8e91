"""``evaluate_run`` / ``mmvideo evaluate`` on a tiny trained run (tests/run_fixtures.py)."""

import csv
import json
import shutil

import numpy as np
import pytest
from run_fixtures import tiny_run

from baseline_model.evaluation import metrics as m
from baseline_model.evaluation.evaluate import evaluate_run
from baseline_model.evaluation.run_dir import read_run
from data_interface import load_dataset
from mmvideo import taxonomy
from mmvideo.cli.main import main


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


@pytest.fixture(scope="module")
def ablated(run):
    return evaluate_run(run.path, split="test", ablate=True)


def test_metrics_file_and_values(run, ablated):
    out = run.path / "eval-test"
    written = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert written == ablated
    for key in ("accuracy", "top5_accuracy", "macro_f1", "mean_average_precision", "num_examples"):
        assert key in written
    assert written["num_examples"] == read_run(run.path).data_info["splits"]["test"]
    assert written["modalities"] == ["text", "cover", "frames"]

    # the same numbers from the model run by hand over load_dataset's batches
    model = read_run(run.path).load_model()
    probabilities, labels = [], []
    for features, batch_labels in load_dataset(run.data, "test", batch_size=2, label_mode="multi"):
        probabilities.append(model.predict_on_batch({name: features[name] for name in model.input}))
        labels.append(batch_labels.numpy())
    expected = m.classification_metrics(np.concatenate(probabilities), np.concatenate(labels))
    for key in ("accuracy", "top5_accuracy", "macro_f1", "mean_average_precision"):
        assert written[key] == pytest.approx(expected[key], abs=1e-6)


def test_ablation_writes_per_modality_metrics(ablated):
    assert set(ablated["ablation"]) == {"without_text", "without_cover", "without_frames"}
    for scores in ablated["ablation"].values():
        assert 0 <= scores["accuracy"] <= 1 and 0 <= scores["top5_accuracy"] <= 1
        assert scores["num_examples"] == ablated["num_examples"]
        assert scores["accuracy_drop"] == pytest.approx(ablated["accuracy"] - scores["accuracy"])


def test_per_class_csv_and_figure(run, ablated):
    out = run.path / "eval-test"
    with open(out / "per_class.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["name"] for row in rows] == list(taxonomy.CATEGORY_NAMES)
    assert rows[24]["chinese"] == "运动"
    assert sum(int(row["support"]) for row in rows) == ablated["num_examples"]
    assert sum(int(row["predicted"]) for row in rows) == ablated["num_examples"]
    with open(out / "predictions.csv", encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == ablated["num_examples"]
    assert (out / "confusion.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_prints_a_table_for_another_split(run, capsys):
    assert main(["evaluate", str(run.path), "--split", "val", "--data", str(run.data), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "all modalities" in printed and "without" not in printed
    assert json.loads((run.path / "eval-val" / "metrics.json").read_text())["split"] == "val"


def test_cli_errors_are_one_line(run, tmp_path, capsys):
    assert main(["evaluate", str(tmp_path / "nowhere")]) == 2
    assert "is not a directory" in capsys.readouterr().err
    assert main(["evaluate", str(run.path), "--split", "nosuch"]) == 2
    assert "unknown split 'nosuch'" in capsys.readouterr().err
    # a dataset with another vocabulary would feed other token ids: refused
    other = tmp_path / "other"
    shutil.copytree(run.data, other)
    (other / "vocab.txt").write_text("zebra\n", encoding="utf-8")
    assert main(["evaluate", str(run.path), "--data", str(other)]) == 2
    assert "another vocabulary" in capsys.readouterr().err
