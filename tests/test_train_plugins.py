"""Other models on the same data: --model module:function, the multi-label head, the PyTorch example."""

import importlib.util

import keras
import numpy as np
import pytest
from train_helpers import REPO, TINY_SETS, cli_sets, prepared_dataset

from baseline_model.training import RunDir, train
from mmvideo.cli.main import main

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return prepared_dataset(tmp_path_factory)


def test_model_plugin_trains_checkpoints_and_reloads(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)  # the module is found from the current directory
    out = tmp_path / "mine"
    arguments = ["train", str(data), "--out", str(out), "--epochs", "1", "--quiet", "--modalities", "text,cover,frames",
                 "--model", "configs.examples.my_keras_model:build_model", *cli_sets()]
    assert main(arguments) == 0
    assert "trained epoch 1 (of 1)" in capsys.readouterr().out
    run = RunDir(out)
    assert run.read_config()["model_fn"] == "configs.examples.my_keras_model:build_model"
    assert run.read_state().epoch == 1 and run.history.is_file() and run.curves.is_file()
    model = keras.models.load_model(run.model)  # built-in layers only: no import needed
    assert model.name == "my_keras_model" and sorted(model.input) == ["cover", "frames", "text"]
    # resumes like the baseline: the plugin is imported again from config.yaml
    assert main(["train", str(data), "--out", str(out), "--epochs", "2", "--quiet"]) == 0
    assert run.read_state().epoch == 2


def test_user_mistakes_are_one_line_errors(data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "user_models.py").write_text(
        "import keras\n"
        "def not_a_model(spec, num_classes, modalities):\n    return 42\n"
        "def wrong_inputs(spec, num_classes, modalities):\n"
        "    x = keras.Input(shape=(3,), name='audio')\n"
        "    return keras.Model(x, keras.layers.Dense(num_classes, activation='softmax')(x))\n"
    )
    cases = {
        "os.system('x'):f": "must look like",
        "missing_module_xyz:f": "cannot import",
        "user_models:absent": "has no function",
        "user_models:not_a_model": "not a keras.Model",
        "user_models:wrong_inputs": "not features of the run",
    }
    for spec, message in cases.items():
        assert main(["train", str(data), "--out", str(tmp_path / "run"), "--model", spec, *cli_sets()]) == 2
        error = capsys.readouterr().err
        assert message in error and error.count("\n") == 1, (spec, error)
    assert main(["train", str(data), "--out", str(tmp_path / "run"), "--set", "model.temporl=lstm"]) == 2
    assert "did you mean model.temporal?" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


def test_multi_label_head_and_balanced_class_weights(data, tmp_path):
    overrides = (*TINY_SETS, "model.label_mode=multi", "train.class_weights=balanced", "train.monitor=val_map")
    summary = train(data, tmp_path / "multi", overrides=overrides, modalities="text", epochs=1, progress=False)
    assert summary.monitor == "val_map" and summary.best_epoch == 1
    row = RunDir(tmp_path / "multi").read_history()[0]
    assert {"loss", "auc", "map", "val_auc", "val_map"} <= set(row)
    assert "accuracy" not in row


def test_augmented_training_is_deterministic_with_a_seed(data, tmp_path):
    """train.augment under op determinism (the default): keras-cv's cover augmentation draws from
    TensorFlow's global generator, which determinism refuses unless the run seeds it."""
    losses = []
    for name in ("a", "b"):
        overrides = (*TINY_SETS, "train.augment=true")
        summary = train(data, tmp_path / name, overrides=overrides, modalities="cover,frames", epochs=1, seed=5,
                        progress=False)
        losses.append(summary.best_metrics["loss"])
    assert losses[0] == losses[1]


def test_pytorch_example_trains_an_epoch(data, capsys):
    path = REPO / "configs" / "examples" / "train_torch.py"
    spec = importlib.util.spec_from_file_location("train_torch_example", path)
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)
    figures = example.main([str(data), "--epochs", "1", "--workers", "0", "--batch-size", "8"])
    assert figures["epoch"] == 1 and np.isfinite(figures["loss"]) and 0 <= figures["val_accuracy"] <= 1
    assert "epoch 1/1" in capsys.readouterr().out
