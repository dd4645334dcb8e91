"""``--model module:function``: a user's own Keras model builder, imported by name.

The function is called as ``function(spec, num_classes, modalities)`` with the dataset's
:class:`~data_interface.features.FeatureSpec`, the number of classes and the tuple of chosen
modalities, and returns a ``keras.Model`` whose inputs are named like the features (``text``,
``cover``, ``frames``, ``has_text``, ``has_cover``, ``has_frames``; any subset) and whose output is
class probabilities ``[B, num_classes]`` (softmax for ``model.label_mode: single``, sigmoid for
``multi``). Nothing is evaluated: the spec must match ``package.module:function`` and the module is
imported with ``importlib.import_module`` (the current directory is searched first, as uvicorn
does); the function is then looked up with ``getattr``.
"""

from __future__ import annotations

import importlib
import os
import re
import sys

from baseline_model.training.config import TrainSetupError
from data_interface.features import MODALITIES, mask_key

_IDENTIFIER = r"[A-Za-z_][A-Za-z0-9_]*"
MODEL_FN_PATTERN = re.compile(rf"^(?P<module>{_IDENTIFIER}(?:\.{_IDENTIFIER})*):(?P<function>{_IDENTIFIER})$")


class PluginError(TrainSetupError):
    """The model function cannot be imported, or what it built cannot be trained here."""


def load_model_fn(spec: str):
    """The callable named by ``"package.module:function"`` (``PluginError`` when it is not one)."""
    match = MODEL_FN_PATTERN.match(spec) if isinstance(spec, str) else None
    if match is None:
        raise PluginError(f"--model must look like package.module:function, got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(match["module"])
    except Exception as error:  # the user's module: any failure is reported as one line
        raise PluginError(f"cannot import {match['module']!r} for --model: {type(error).__name__}: {error}") from None
    function = getattr(module, match["function"], None)
    if not callable(function):
        raise PluginError(f"{match['module']!r} has no function {match['function']!r} for --model")
    return function


def feature_inputs(modalities) -> tuple[str, ...]:
    """The input names a model for ``modalities`` may take."""
    return tuple(key for modality in modalities for key in (modality, mask_key(modality)))


def input_names(model) -> tuple[str, ...]:
    """A model's input names (a dict-input model: its keys; else each input tensor's name)."""
    inputs = model.input
    if isinstance(inputs, dict):
        return tuple(inputs)
    if isinstance(inputs, list | tuple):
        return tuple(tensor.name for tensor in inputs)
    return (inputs.name,)


def build_plugin_model(function, spec, num_classes: int, modalities):
    """Call the user's function and check what it returns (``PluginError`` naming the problem)."""
    import keras

    name = getattr(function, "__qualname__", repr(function))
    model = function(spec, num_classes, tuple(modalities))
    if not isinstance(model, keras.Model):
        raise PluginError(f"--model {name} returned {type(model).__name__}, not a keras.Model")
    allowed = feature_inputs(modalities)
    unknown = [key for key in input_names(model) if key not in allowed]
    if unknown:
        other = [key for key in unknown if key.removeprefix("has_") in MODALITIES]
        hint = " (add them to --modalities)" if other else ""
        raise PluginError(f"--model {name}: input(s) {unknown} are not features of the run; allowed: {list(allowed)}{hint}")
    output_shape = tuple(model.output.shape) if not isinstance(model.output, list | tuple | dict) else None
    if output_shape is None or output_shape[-1] != num_classes:
        raise PluginError(f"--model {name}: the output must be [batch, {num_classes}] probabilities, got {output_shape}")
    return model
