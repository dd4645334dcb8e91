"""Training: ``mmvideo train DATA --out RUN`` as a library.

    from baseline_model.training import train, RunDir
    summary = train("data", "runs/baseline", epochs=20)
    RunDir("runs/baseline").read_config()   # what evaluate / predict / export read back

Modules: ``config`` / ``train_config`` (YAML + overrides + flags -> :class:`RunConfig`),
``run_dir`` (the RUN layout), ``plugin`` (``--model module:function``), ``schedule`` (warm-up +
cosine), ``callbacks`` (best / last checkpoints, state, early stopping), ``data``, ``model_setup``,
``distribute`` (tf.distribute strategy), ``curves``, ``summary``, ``trainer`` (:func:`train`).
"""

from baseline_model.training.config import ConfigError, RunConfig, TrainSetupError, resolve_config
from baseline_model.training.plugin import PluginError, load_model_fn
from baseline_model.training.run_dir import RunDir, RunState
from baseline_model.training.summary import TrainSummary
from baseline_model.training.train_config import TrainConfig
from baseline_model.training.trainer import train

__all__ = [
    "ConfigError",
    "PluginError",
    "RunConfig",
    "RunDir",
    "RunState",
    "TrainConfig",
    "TrainSetupError",
    "TrainSummary",
    "load_model_fn",
    "resolve_config",
    "train",
]
