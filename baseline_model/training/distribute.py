"""The ``tf.distribute`` strategy of a run, and which worker writes the run directory.

- ``TF_CONFIG`` set: ``MultiWorkerMirroredStrategy`` (one process per worker, all started with
  the same command and their own ``TF_CONFIG``; the chief -- ``chief`` task, else ``worker`` 0 --
  writes ``RUN``, the others write to a temporary folder, as TensorFlow's guide asks);
- several local GPUs: ``MirroredStrategy``;
- otherwise the default strategy (one device).
"""

from __future__ import annotations

import json
import os


def choose_strategy():
    """The strategy for this process (create it before any other TensorFlow op runs)."""
    import tensorflow as tf

    if os.environ.get("TF_CONFIG"):
        try:
            json.loads(os.environ["TF_CONFIG"])
        except json.JSONDecodeError as error:
            raise ValueError(f"TF_CONFIG is not valid JSON: {error}") from None
        return tf.distribute.MultiWorkerMirroredStrategy()
    if len(tf.config.list_logical_devices("GPU")) > 1:
        return tf.distribute.MirroredStrategy()
    return tf.distribute.get_strategy()


def is_chief(strategy) -> bool:
    """Whether this process writes the run directory (always, outside multi-worker training)."""
    resolver = getattr(strategy, "cluster_resolver", None)
    task_type = getattr(resolver, "task_type", None)
    if resolver is None or task_type is None:
        return True
    if task_type == "chief":
        return True
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    return task_type == "worker" and resolver.task_id == 0 and not has_chief


def is_multi_worker(strategy) -> bool:
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
