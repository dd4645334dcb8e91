"""``tf.train.Example`` as protobuf message classes, without importing TensorFlow.

``from tensorflow.core.example import example_pb2`` imports all of TensorFlow (~6 s, ~650 MB per
process); a Beam worker only needs the five small messages of ``example.proto``/``feature.proto``,
whose wire format is fixed forever (every TFRecord dataset depends on it). They are declared here
with the protobuf descriptor API, in a private pool (so they never clash with TensorFlow's own
classes if both are loaded). ``serialize_example`` writes the features sorted by key, so equal
features give equal bytes.
"""

from __future__ import annotations

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_F = descriptor_pb2.FieldDescriptorProto


def _file_descriptor() -> descriptor_pb2.FileDescriptorProto:
    proto = descriptor_pb2.FileDescriptorProto(
        name="mmvideo/prepare/tf_example.proto", package="tensorflow", syntax="proto3"
    )

    def message(name: str):
        return proto.message_type.add(name=name)

    def field(owner, name: str, number: int, kind, label=_F.LABEL_OPTIONAL, type_name: str = "", packed=None):
        added = owner.field.add(name=name, number=number, type=kind, label=label, json_name=name)
        if type_name:
            added.type_name = type_name
        if packed is not None:
            added.options.packed = packed
        return added

    field(message("BytesList"), "value", 1, _F.TYPE_BYTES, _F.LABEL_REPEATED)
    field(message("FloatList"), "value", 1, _F.TYPE_FLOAT, _F.LABEL_REPEATED, packed=True)
    field(message("Int64List"), "value", 1, _F.TYPE_INT64, _F.LABEL_REPEATED, packed=True)

    feature = message("Feature")
    feature.oneof_decl.add(name="kind")
    for number, (name, type_name) in enumerate(
        (("bytes_list", "BytesList"), ("float_list", "FloatList"), ("int64_list", "Int64List")), start=1
    ):
        field(feature, name, number, _F.TYPE_MESSAGE, type_name=f".tensorflow.{type_name}").oneof_index = 0

    features = message("Features")
    entry = features.nested_type.add(name="FeatureEntry")
    entry.options.map_entry = True
    field(entry, "key", 1, _F.TYPE_STRING)
    field(entry, "value", 2, _F.TYPE_MESSAGE, type_name=".tensorflow.Feature")
    field(
        features,
        "feature",
        1,
        _F.TYPE_MESSAGE,
        _F.LABEL_REPEATED,
        type_name=".tensorflow.Features.FeatureEntry",
    )

    field(message("Example"), "features", 1, _F.TYPE_MESSAGE, type_name=".tensorflow.Features")
    return proto


_POOL = descriptor_pool.DescriptorPool()
_POOL.Add(_file_descriptor())
Example = message_factory.GetMessageClass(_POOL.FindMessageTypeByName("tensorflow.Example"))


def serialize_example(features: dict[str, bytes | int | list[int]]) -> bytes:
    """A serialized ``tf.train.Example`` of ``features``: ``bytes`` -> a one-value BytesList,
    ``int`` -> a one-value Int64List, a list of ints -> an Int64List. Keys are written sorted."""
    example = Example()
    feature_map = example.features.feature
    for key, value in sorted(features.items()):  # insertion order is the wire order
        if isinstance(value, bytes):
            feature_map[key].bytes_list.value.append(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            feature_map[key].int64_list.value.append(value)
        elif isinstance(value, list | tuple) and all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            feature_map[key].int64_list.value.extend(value)
        else:
            raise TypeError(
                f"feature {key!r} must be bytes, an int or a list of ints, got {type(value).__name__}"
            )
    return example.SerializeToString(deterministic=True)


def parse_example(data: bytes) -> dict[str, bytes | list[int]]:
    """The features of a serialized example: BytesList -> its single value, Int64List -> a list."""
    example = Example.FromString(data)
    parsed: dict[str, bytes | list[int]] = {}
    for key, feature in example.features.feature.items():
        kind = feature.WhichOneof("kind")
        if kind == "bytes_list":
            parsed[key] = feature.bytes_list.value[0] if feature.bytes_list.value else b""
        elif kind == "int64_list":
            parsed[key] = list(feature.int64_list.value)
        else:
            parsed[key] = list(feature.float_list.value)
    return parsed
