"""Evaluate, predict and export a trained run (``RUN/`` as written by ``mmvideo train``).

    from baseline_model.evaluation import evaluate_run, predict, export_run

    evaluate_run("runs/base", split="test", ablate=True)   # -> RUN/eval-test/metrics.json, ...
    predict("runs/base", ["clip.mp4", "corpus/"], top_k=5)  # -> [{"input", "id", "top_k": [...]}, ...]
    export_run("runs/base", "exported/")                    # -> SavedModel over raw inputs + model.keras

Modules: ``metrics`` (pure numpy), ``run_dir`` (reading RUN), ``evaluate``, ``plots``,
``inputs`` (what predict reads), ``predict``, ``export``. TensorFlow is imported on first use.
"""

_LAZY = {
    "evaluate_run": "baseline_model.evaluation.evaluate",
    "predict": "baseline_model.evaluation.predict",
    "export_run": "baseline_model.evaluation.export",
}

__all__ = ["evaluate_run", "export_run", "predict"]


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'baseline_model.evaluation' has no attribute {name!r}")
