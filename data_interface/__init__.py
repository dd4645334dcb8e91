"""Raw folders -> prepared shards -> tf.data / numpy / PyTorch (issue 4).

    from data_interface import load_dataset, numpy_batches, torch_dataset, FeatureSpec

The entry points are imported on first use: ``import data_interface`` loads neither TensorFlow
nor PyTorch (PyTorch only through ``torch_dataset``).
"""

from data_interface.features import FeatureSpec

_LAZY = {
    "load_dataset": "data_interface.reader",
    "numpy_batches": "data_interface.numpy_io",
    "torch_dataset": "data_interface.torch_io",
}

__all__ = ["FeatureSpec", "load_dataset", "numpy_batches", "torch_dataset"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'data_interface' has no attribute {name!r}")
