"""Raw folders (seed layout) -> a prepared dataset: TFRecord shards per split, ids, failures,
vocabulary and ``info.json``, made by an Apache Beam pipeline.

    from data_interface.prepare import prepare_dataset
    summary = prepare_dataset("corpus", "data", frames=8, size=112, workers=2)
    print(summary.format())

Stages, one module each: ``examples`` (layout + manifest -> one source per video, labels merged),
``splits`` (stable split, shard and order from sha256 of the id), ``encode`` (one video -> one
serialized ``tf.train.Example``, or a failure with its reason), ``shards`` (shard plan, pieces,
writing and joining), ``pipeline`` (the Beam pipeline), ``info`` (``info.json``, ids, failures,
the state of the output folder), ``run`` (the driver). ``example_proto`` and ``tfrecord`` write
the TensorFlow formats without importing TensorFlow (Beam workers stay light).
"""

from data_interface.prepare.info import OutputExistsError
from data_interface.prepare.run import PipelineError, PrepareSummary, prepare_dataset

__all__ = ["OutputExistsError", "PipelineError", "PrepareSummary", "prepare_dataset"]
