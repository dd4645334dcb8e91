"""The model configuration: every architecture choice, with defaults, checked at construction.

The defaults are the lean CPU baseline (see ``configs/baseline.yaml`` for the same values with
comments). Read one from a dict or from the ``model:`` section of a YAML file.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from baseline_model import checks
from baseline_model.cover_encoder import COVER_ENCODERS
from baseline_model.frames_encoder import FRAME_POOLINGS
from baseline_model.fusion import FUSIONS
from baseline_model.heads import LABEL_MODES
from baseline_model.temporal import TEMPORAL_MODULES
from baseline_model.text_encoder import TEXT_ENCODERS

_CHOICES = {
    "text_encoder": TEXT_ENCODERS,
    "cover_encoder": COVER_ENCODERS,
    "frame_pooling": FRAME_POOLINGS,
    "temporal": TEMPORAL_MODULES,
    "fusion": FUSIONS,
    "label_mode": LABEL_MODES,
}
_INTS = (
    "token_embedding_dim",
    "text_units",
    "stem_stride",
    "frame_grid",
    "frame_features",
    "temporal_units",
    "branch_dim",
    "fusion_units",
)
_RATES = ("fusion_dropout", "modality_dropout")
_BOOLS = ("frame_residuals", "conv_batch_norm")
_FILTERS = ("cover_filters", "frame_filters")


@dataclass(frozen=True)
class ModelConfig:
    """Architecture of the baseline (every field is a ``model:`` key of the YAML config)."""

    # text branch: token embedding, then "bilstm" (units per direction) or "cnn" (2 * units)
    text_encoder: str = "bilstm"
    token_embedding_dim: int = 64
    text_units: int = 32
    # cover branch: "small_cnn" or a keras-cv backbone; optional local weights of that backbone
    cover_encoder: str = "small_cnn"
    cover_filters: tuple[int, ...] = (16, 32, 64)
    cover_weights: str | None = None
    # frames branch: shared per-frame CNN, per-frame pooling, temporal module
    frame_filters: tuple[int, ...] = (16, 32, 64)
    frame_pooling: str = "grid"
    frame_grid: int = 4
    frame_features: int = 64
    frame_residuals: bool = True
    temporal: str = "temporal_conv"
    temporal_units: int = 64
    # shared by the branches: the CNNs' stem stride and batch norm, each branch's embedding size
    stem_stride: int = 4
    conv_batch_norm: bool = True
    branch_dim: int = 64
    # fusion and head
    fusion: str = "concat"
    fusion_units: int = 100
    fusion_dropout: float = 0.2
    modality_dropout: float = 0.1
    label_mode: str = "single"

    def __post_init__(self):
        for name, choices in _CHOICES.items():
            checks.one_of(name, getattr(self, name), choices)
        for name in _INTS:
            checks.positive_int(name, getattr(self, name))
        for name in _RATES:
            checks.rate(name, getattr(self, name))
        for name in _BOOLS:
            if not isinstance(getattr(self, name), bool):
                raise ValueError(f"`{name}` must be true or false, got {getattr(self, name)!r}")
        for name in _FILTERS:
            object.__setattr__(self, name, checks.int_tuple(name, getattr(self, name)))
        if self.cover_weights is not None:
            if self.cover_encoder == "small_cnn":
                raise ValueError(
                    f"`cover_weights` needs a backbone `cover_encoder`, got 'small_cnn' with {self.cover_weights!r}"
                )
            if not Path(self.cover_weights).is_file():
                raise ValueError(f"`cover_weights` must be an existing file, got {self.cover_weights!r}")

    @classmethod
    def from_dict(cls, data: dict | None) -> ModelConfig:
        """A config from ``data`` (missing keys keep their defaults; unknown keys are an error)."""
        data = dict(data or {})
        unknown = sorted(set(data) - {field.name for field in dataclasses.fields(cls)})
        if unknown:
            raise ValueError(f"unknown model config key(s) {unknown}; known: {sorted(cls.__dataclass_fields__)}")
        return cls(**data)

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        return {key: list(value) if isinstance(value, tuple) else value for key, value in data.items()}

    def replace(self, **changes) -> ModelConfig:
        return dataclasses.replace(self, **changes)


def as_model_config(config: dict | ModelConfig | None) -> ModelConfig:
    """``config`` as a :class:`ModelConfig` (``None``: the defaults)."""
    if isinstance(config, ModelConfig):
        return config
    if config is None or isinstance(config, dict):
        return ModelConfig.from_dict(config)
    raise ValueError(f"`config` must be a dict, a ModelConfig or None, got {config!r}")


def load_model_config(path: str | Path) -> ModelConfig:
    """The ``model:`` section of a YAML config file (absent: the defaults)."""
    import yaml

    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict) or not isinstance(data.get("model", {}) or {}, dict):
        raise ValueError(f"{path}: expected a mapping with a `model:` mapping")
    return ModelConfig.from_dict(data.get("model") or {})
