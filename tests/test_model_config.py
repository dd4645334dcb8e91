"""The model config: defaults, the YAML file, and errors that name the bad value."""

from pathlib import Path

import pytest
from model_helpers import SPEC, VOCABULARY_SIZE, tiny_config

import baseline_model
from baseline_model import ModelConfig, build_model, load_model_config

BASELINE_YAML = Path(__file__).resolve().parents[1] / "configs" / "baseline.yaml"


def test_the_yaml_defaults_are_the_config_defaults():
    assert load_model_config(BASELINE_YAML) == ModelConfig()


def test_dict_round_trip_and_partial_dicts():
    config = ModelConfig.from_dict({"temporal": "lstm", "cover_filters": [8, 16]})
    assert config.temporal == "lstm" and config.cover_filters == (8, 16) and config.fusion == "concat"
    assert ModelConfig.from_dict(config.to_dict()) == config
    assert baseline_model.as_model_config(None) == ModelConfig()


def test_yaml_without_a_model_section_gives_the_defaults(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("train:\n  epochs: 3\n", encoding="utf-8")
    assert load_model_config(path) == ModelConfig()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("temporal", "foo"),
        ("text_encoder", "gru"),
        ("cover_encoder", "vgg16"),
        ("frame_pooling", "center"),
        ("fusion", "sum"),
        ("label_mode", "multiple"),
        ("stem_stride", 0),
        ("frame_grid", 2.5),
        ("branch_dim", True),
        ("fusion_dropout", 1.0),
        ("modality_dropout", -0.1),
        ("cover_filters", []),
        ("frame_filters", [16, 0]),
        ("conv_batch_norm", "yes"),
        ("frame_residuals", 1),
    ],
)
def test_a_bad_value_is_named_in_the_error(key, value):
    with pytest.raises(ValueError, match=f"`{key}`.*got {value!r}".replace("[", r"\[").replace("]", r"\]")):
        ModelConfig.from_dict({key: value})


def test_unknown_keys_and_bad_weights_are_errors(tmp_path):
    with pytest.raises(ValueError, match="unknown model config key.*'temporall'"):
        ModelConfig.from_dict({"temporall": "lstm"})
    with pytest.raises(ValueError, match="`cover_weights`.*small_cnn"):
        ModelConfig(cover_weights=str(BASELINE_YAML))
    with pytest.raises(ValueError, match="`cover_weights` must be an existing file"):
        ModelConfig(cover_encoder="resnet18", cover_weights=str(tmp_path / "missing.weights.h5"))


def test_build_model_and_layers_reject_bad_arguments():
    with pytest.raises(ValueError, match=r"`modalities`.*got \('audio',\)"):
        build_model(SPEC, tiny_config(), ("audio",))
    with pytest.raises(ValueError, match="`vocabulary_size`.*got 1"):
        build_model(SPEC, tiny_config(), vocabulary_size=1)
    with pytest.raises(ValueError, match="`temporal` must be one of .*got 'foo'"):
        baseline_model.FramesEncoder(4, temporal="foo")
    with pytest.raises(ValueError, match="`fusion` must be one of .*got 'late'"):
        backbone = build_model(SPEC, tiny_config(), vocabulary_size=VOCABULARY_SIZE).backbone
        baseline_model.MultimodalClassifier(backbone, fusion="late")
    with pytest.raises(ValueError, match="`label_mode` must be one of .*got 'both'"):
        baseline_model.ClassificationHead(4, label_mode="both")
