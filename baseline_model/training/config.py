"""The resolved run configuration: a YAML file, then ``--set key=value`` overrides, then flags.

Order (later wins): ``configs/baseline.yaml`` (or ``--config FILE``; when neither exists, e.g. in an
installed wheel, the defaults of :class:`ModelConfig` and :class:`TrainConfig`), ``--set`` overrides
(dotted keys ``model.temporal=lstm``, ``train.epochs=3``, or top-level ``seed`` / ``modalities`` /
``model_fn``; values parsed with ``yaml.safe_load``), then ``--modalities``, ``--epochs``,
``--seed``, ``--model``. Resuming a run starts from its saved ``RUN/config.yaml`` instead of the
default file; the architecture (``model:``, modalities, model_fn) must then stay as it was.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from baseline_model.config import ModelConfig
from baseline_model.training.train_config import TrainConfig
from data_interface.features import MODALITIES

DEFAULT_CONFIG_PATH = Path(__file__).resolve().parents[2] / "configs" / "baseline.yaml"
DEFAULT_SEED = 0
_TOP_LEVEL = ("model", "train", "modalities", "seed", "data", "model_fn")
_SETTABLE_TOP_LEVEL = ("modalities", "seed", "model_fn")
_SECTIONS = {"model": ModelConfig, "train": TrainConfig}
# What a resumed run may not change: the checkpoint holds that architecture.
_ARCHITECTURE = ("model", "modalities", "model_fn")
# YAML 1.1 reads 3e-4 as a string (it wants 3.0e-4); an override means the number.
_EXPONENT_NUMBER = re.compile(r"[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+")


class TrainSetupError(ValueError):
    """A user mistake found before training starts (the CLI prints it as one line and exits 2)."""


class ConfigError(TrainSetupError):
    """A bad config file, override or flag."""


@dataclass(frozen=True)
class RunConfig:
    """Everything a run was trained with; ``RUN/config.yaml`` holds :meth:`to_dict`."""

    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    modalities: tuple[str, ...] = MODALITIES
    seed: int = DEFAULT_SEED
    data: str | None = None
    model_fn: str | None = None

    def to_dict(self) -> dict:
        return {
            "model": self.model.to_dict(),
            "train": self.train.to_dict(),
            "modalities": list(self.modalities),
            "seed": self.seed,
            "data": self.data,
            "model_fn": self.model_fn,
        }

    @classmethod
    def from_dict(cls, data: dict) -> RunConfig:
        """A checked config from a dict of the YAML layout (``ConfigError`` naming what is wrong)."""
        unknown = sorted(set(data) - set(_TOP_LEVEL))
        if unknown:
            raise ConfigError(f"unknown top-level config key(s) {unknown}; known: {list(_TOP_LEVEL)}")
        try:
            model = ModelConfig.from_dict(_mapping(data, "model"))
            train = TrainConfig.from_dict(_mapping(data, "train"))
        except (TypeError, ValueError) as error:
            raise ConfigError(str(error)) from None
        modalities = data.get("modalities") or MODALITIES
        if isinstance(modalities, str):
            modalities = [part.strip() for part in modalities.split(",") if part.strip()]
        if not isinstance(modalities, list | tuple) or not modalities or any(m not in MODALITIES for m in modalities):
            raise ConfigError(f"`modalities` must be a non-empty subset of {MODALITIES}, got {modalities!r}")
        seed = data.get("seed", DEFAULT_SEED)
        seed = DEFAULT_SEED if seed is None else seed
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ConfigError(f"`seed` must be an int >= 0, got {seed!r}")
        model_fn = data.get("model_fn")
        if model_fn is not None and not isinstance(model_fn, str):
            raise ConfigError(f"`model_fn` must be null or 'module:function', got {model_fn!r}")
        data_path = data.get("data")
        return cls(
            model=model,
            train=train,
            modalities=tuple(m for m in MODALITIES if m in modalities),
            seed=seed,
            data=None if data_path is None else str(data_path),
            model_fn=model_fn or None,
        )


def _mapping(data: dict, key: str) -> dict:
    value = data.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"`{key}:` must be a mapping, got {value!r}")
    return value


def default_config_dict() -> dict:
    """``configs/baseline.yaml`` beside the packages, or the built-in defaults when it is absent."""
    if DEFAULT_CONFIG_PATH.is_file():
        return read_config_file(DEFAULT_CONFIG_PATH)
    return {"model": ModelConfig().to_dict(), "train": TrainConfig().to_dict()}


def read_config_file(path: str | Path) -> dict:
    """A YAML config as a dict (``ConfigError`` for a missing, unreadable or non-mapping file)."""
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ConfigError(f"unreadable config file {path}: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with `model:` and `train:` sections")
    return data


def parse_override(text: str) -> tuple[tuple[str, ...], object]:
    """``"model.temporal=lstm"`` -> ``(("model", "temporal"), "lstm")``, the value read as YAML."""
    import yaml

    key, separator, value = text.partition("=")
    key = key.strip()
    if not separator or not key:
        raise ConfigError(f"--set expects key=value, got {text!r}")
    path = tuple(key.split("."))
    if len(path) == 2 and path[0] in _SECTIONS:
        known = _SECTIONS[path[0]].__dataclass_fields__
        if path[1] not in known:
            close = difflib.get_close_matches(path[1], list(known), n=1)
            hint = f"; did you mean {path[0]}.{close[0]}?" if close else f"; known: {', '.join(sorted(known))}"
            raise ConfigError(f"unknown config key {key!r}{hint}")
    elif not (len(path) == 1 and path[0] in _SETTABLE_TOP_LEVEL):
        sections = [name for name, cls in _SECTIONS.items() if path[-1] in cls.__dataclass_fields__]
        hint = f"; did you mean {sections[0]}.{path[-1]}?" if sections else ""
        raise ConfigError(
            f"unknown config key {key!r}{hint} (use model.<key>, train.<key>, "
            f"{', '.join(_SETTABLE_TOP_LEVEL)})"
        )
    try:
        parsed = yaml.safe_load(value)
    except yaml.YAMLError as error:
        raise ConfigError(f"--set {key}: unreadable value {value!r}: {error}") from None
    if isinstance(parsed, str) and _EXPONENT_NUMBER.fullmatch(parsed.strip()):
        parsed = float(parsed)
    return path, parsed


def apply_overrides(data: dict, overrides) -> dict:
    """A copy of ``data`` with each ``key=value`` of ``overrides`` set."""
    data = copy.deepcopy(data)
    for text in overrides:
        path, value = parse_override(text)
        if len(path) == 1:
            data[path[0]] = value
        else:
            section = data.get(path[0])
            data[path[0]] = {**(section if isinstance(section, dict) else {}), path[1]: value}
    return data


def resolve_config(
    config_path=None, overrides=(), modalities=None, epochs=None, seed=None, model_fn=None, data=None, saved=None
) -> RunConfig:
    """The run config from a file, overrides and flags; ``saved``: a resumed run's config dict."""
    if config_path is not None:
        base = read_config_file(config_path)
    elif saved is not None:
        base = saved
    else:
        base = default_config_dict()
    resolved = apply_overrides(base, overrides)
    flags = {"modalities": modalities, "seed": seed, "model_fn": model_fn, "data": data}
    resolved.update({key: value for key, value in flags.items() if value is not None})
    if epochs is not None:
        resolved["train"] = {**_mapping(resolved, "train"), "epochs": epochs}
    config = RunConfig.from_dict(resolved)
    if saved is not None:
        check_same_architecture(RunConfig.from_dict({**saved, "data": None}), config)
    return config


def check_same_architecture(saved: RunConfig, config: RunConfig) -> None:
    """``ConfigError`` when ``config`` asks for another model than the checkpoint of ``saved`` holds."""
    before, after = saved.to_dict(), config.to_dict()
    for key in _ARCHITECTURE:
        if key == "model":
            changed = [name for name in before["model"] if before["model"][name] != after["model"][name]]
            details = ", ".join(f"model.{n}: {before['model'][n]!r} -> {after['model'][n]!r}" for n in changed)
        else:
            changed, details = before[key] != after[key], f"{key}: {before[key]!r} -> {after[key]!r}"
        if changed:
            raise ConfigError(
                f"the run directory holds a checkpoint of another model ({details}); "
                "use a new --out, or drop the change to resume"
            )
