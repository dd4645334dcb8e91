"""Reading a RUN directory written by ``mmvideo train``: its config, feature spec, prepare settings,
vocabulary and model.

    RUN/config.yaml       {model, train, modalities, seed, data: "<abs DATA>", model_fn}
    RUN/data_info.json    a copy of DATA/info.json (frames, size, sampling, spec, categories)
    RUN/vocab.txt         a copy of DATA/vocab.txt
    RUN/model.keras       the best model (inputs named like the features; probabilities [B, C])

Everything serving needs is in RUN itself; ``data`` is only read by ``evaluate``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from baseline_model.training.plugin import input_names
from baseline_model.training.run_dir import CONFIG_NAME, DATA_INFO_NAME, MODEL_NAME, VOCABULARY_NAME
from data_interface.features import MODALITIES, FeatureSpec, mask_key
from data_interface.info import read_json_object, spec_from_info


@dataclass(frozen=True)
class RunDirectory:
    """A trained run: ``frames`` / ``size`` / ``sampling`` are the prepare settings serving repeats."""

    path: Path
    config: dict
    data_info: dict
    spec: FeatureSpec
    frames: int
    size: int
    sampling: str

    @property
    def model_path(self) -> Path:
        return self.path / MODEL_NAME

    @property
    def vocabulary_path(self) -> Path:
        return self.path / VOCABULARY_NAME

    @property
    def data_dir(self) -> Path | None:
        data = self.config.get("data")
        return Path(data) if isinstance(data, str) and data else None

    def vocabulary(self) -> list[str]:
        from data_interface.text import read_vocabulary

        return read_vocabulary(self.vocabulary_path) if self.vocabulary_path.is_file() else []

    def load_model(self):
        """The Keras model, uncompiled (``baseline_model`` imported first, and the ``model_fn`` module
        of a custom model, so their registered layers deserialize); ``ValueError`` when it cannot load."""
        import keras

        import baseline_model  # noqa: F401  (registers the mmvideo layers)

        model_fn = self.config.get("model_fn")
        if isinstance(model_fn, str) and ":" in model_fn:
            importlib.import_module(model_fn.split(":", 1)[0])
        try:
            # compile=False: inference needs no optimizer (the trainer's may hold its own schedule class)
            return keras.models.load_model(self.model_path, compile=False)
        except (TypeError, ValueError, KeyError) as error:
            message = " ".join(str(error).split())[:500]
            raise ValueError(f"cannot load {self.model_path}: {type(error).__name__}: {message}") from error


def read_run(run: str | Path) -> RunDirectory:
    """The run at ``run``; ``FileNotFoundError`` / ``ValueError`` with one clear line when it is not one."""
    import yaml

    path = Path(run)
    if not path.is_dir():
        raise FileNotFoundError(f"run not found: {path} is not a directory")
    for name in (CONFIG_NAME, DATA_INFO_NAME, MODEL_NAME):
        if not (path / name).is_file():
            raise FileNotFoundError(f"{path} is not a finished run: {name} is missing (run `mmvideo train`)")
    try:
        config = yaml.safe_load((path / CONFIG_NAME).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"unreadable {path / CONFIG_NAME}: {error}") from None
    if not isinstance(config, dict):
        raise ValueError(f"unreadable {path / CONFIG_NAME}: expected a mapping")
    data_info = read_json_object(path / DATA_INFO_NAME)
    spec = spec_from_info(data_info)
    return RunDirectory(
        path=path,
        config=config,
        data_info=data_info,
        spec=spec,
        frames=int(data_info.get("frames") or spec.frames_per_clip),
        size=int(data_info.get("size") or spec.frame_size),
        sampling=str(data_info.get("sampling") or "uniform"),
    )


def model_modalities(model) -> tuple[str, ...]:
    """The modalities a model reads, in the canonical order."""
    names = set(input_names(model))
    return tuple(modality for modality in MODALITIES if modality in names)


def model_inputs(model, features: dict) -> dict:
    """The model's own inputs out of a feature batch (which may hold ``id`` and more)."""
    return {name: features[name] for name in input_names(model)}


def ablate(features: dict, modality: str) -> dict:
    """``features`` with ``modality`` removed the way an absent one looks: zeros and mask 0."""
    ablated = dict(features)
    ablated[modality] = np.zeros_like(np.asarray(features[modality]))
    ablated[mask_key(modality)] = np.zeros_like(np.asarray(features[mask_key(modality)]))
    return ablated
