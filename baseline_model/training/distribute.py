"""The ``tf.distribute`` strategy of a run, and which worker writes the run directory.

- ``TF_CONFIG`` set: ``MultiWorkerMirroredStrategy`` (one process per worker, all started with
  the same command and their own ``TF_CONFIG``; the chief -- ``chief`` task, else ``worker`` 0 --
  writes ``RUN``, the others write to a temporary folder, as TensorFlow's guide asks);
- several local GPUs: ``MirroredStrategy``;
- otherwise the default strategy (one device).

Keras 3 (3.15 here) fails with several replicas in two places (keras-team/keras#20329, #20585):
before the first step it averages a whole batch over the replicas to build the model
symbolically, which breaks on dict and string inputs and on a last batch split unevenly; under
``MultiWorkerMirroredStrategy`` it also reduces scalar metrics along an axis they do not have.
:func:`patch_keras_for_replicas` replaces those two spots, only when a run has several replicas.
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


_PATCHED: list[bool] = []


def patch_keras_for_replicas() -> None:
    """Let ``Model.fit`` run with several replicas (see the module doc); idempotent."""
    if _PATCHED:
        return
    import tensorflow as tf
    from keras.src import tree
    from keras.src.backend.tensorflow import trainer

    reduce_per_replica = trainer.reduce_per_replica

    def first_replica(value):
        if isinstance(value, tf.distribute.DistributedValues):
            return value.values[0]
        return value

    def maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Only shapes and dtypes matter here: one replica's batch, not a mean of all of them.
        if self._distribute_strategy is None:
            return
        if iterator is not None:
            for _, _, batches in iterator:
                data_batch = tree.map_structure(first_replica, next(batches))
                break
        with self.distribute_strategy.scope():
            self._symbolic_build(data_batch=data_batch)

    def reduce_multi_worker(values, strategy, reduction="auto"):
        if reduction not in ("auto", "mean") or not trainer._collective_all_reduce_multi_worker(strategy):
            return reduce_per_replica(values, strategy, reduction)

        def mean(value):
            rank = first_replica(value).shape.rank
            return strategy.reduce("MEAN", value, axis=0 if rank else None)

        return tree.map_structure(mean, values)

    trainer.TensorFlowTrainer._maybe_symbolic_build = maybe_symbolic_build
    trainer.reduce_per_replica = reduce_multi_worker
    _PATCHED.append(True)
