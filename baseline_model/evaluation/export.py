"""``export_run``: a trained run -> a SavedModel over RAW inputs (strings and uint8 pixels).

``DIR`` is a SavedModel (``tf.saved_model.load(DIR)``) with two signatures, both returning
``{"probabilities": float32 [B, num_classes]}``:

- ``serving_default(text, cover, frames)``: ``text`` tf.string ``[B]`` (the raw description),
  ``cover`` uint8 ``[B, S, S, 3]``, ``frames`` uint8 ``[B, T, S, S, 3]``; presence is derived: text
  is present when it holds a non-blank character, the cover when any pixel is non-zero, the frames
  always (every clip has frames);
- ``serving_with_presence(text, cover, frames, has_text, has_cover, has_frames)``: the flags
  float32 ``[B]`` given explicitly (1 present, 0 absent: pass zeros / "" for the content).

The inputs of a modality the run does not use are accepted and ignored. Pixels must be prepared
as ``predict`` prepares them (``sample_frames`` with the run's settings, prepare's ``load_cover``);
``DIR/serving.json`` records ``frames``, ``size``, ``sampling``. Tokenization runs in the graph
(``data_interface.text.TextEncoder`` over ``vocab.txt``), which uses tensorflow-text ops: a
process loading ``DIR`` must ``import tensorflow_text`` first (without it TensorFlow refuses the
graph: "Op type not registered 'CaseFoldUTF8'"). Beside the SavedModel: ``DIR/model.keras`` (the
run's Keras model, uncompiled, over features: token ids, pixels, masks; reloads with
``import baseline_model; keras.models.load_model``) and ``DIR/vocab.txt``.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

from baseline_model.evaluation.run_dir import read_run
from baseline_model.training.plugin import input_names

SERVING_INFO_NAME = "serving.json"


def serving_functions(model, encoder, spec):
    """``(derived, explicit)``: the two endpoint functions over raw inputs."""
    import tensorflow as tf

    names = set(input_names(model))

    def run(text, cover, frames, has_text, has_cover, has_frames):
        features = {"cover": cover, "frames": frames, "has_text": has_text, "has_cover": has_cover}
        features["has_frames"] = has_frames
        if "text" in names:
            features["text"] = encoder(text)
        probabilities = model({name: features[name] for name in names}, training=False)
        return {"probabilities": tf.cast(probabilities, tf.float32)}

    def derived(text, cover, frames):
        has_text = tf.cast(tf.strings.length(tf.strings.strip(text)) > 0, tf.float32)
        has_cover = tf.cast(tf.reduce_any(tf.not_equal(cover, 0), axis=[1, 2, 3]), tf.float32)
        has_frames = tf.ones_like(has_text)
        return run(text, cover, frames, has_text, has_cover, has_frames)

    return derived, run


def input_signature(spec, presence: bool) -> list:
    import tensorflow as tf

    signature = [
        tf.TensorSpec([None], tf.string, name="text"),
        tf.TensorSpec([None, *spec.cover_shape], tf.uint8, name="cover"),
        tf.TensorSpec([None, *spec.frames_shape], tf.uint8, name="frames"),
    ]
    if presence:
        signature += [tf.TensorSpec([None], tf.float32, name=name) for name in ("has_text", "has_cover", "has_frames")]
    return signature


def export_run(run: str | Path, out_dir: str | Path, overwrite: bool = False) -> Path:
    """Writes the SavedModel of ``run`` to ``out_dir`` (see the module doc); returns ``out_dir``.

    The export is written beside ``out_dir`` and moved into place at the end. An existing non-empty
    ``out_dir`` is an error unless ``overwrite``.
    """
    import keras
    import tensorflow as tf
    import tensorflow_text  # noqa: F401  (the tokenizer's ops, traced into the graph)

    from data_interface.text import TextEncoder

    run_dir = read_run(run)
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise FileExistsError(f"{out} exists and is not empty (pass --overwrite to replace it)")
    model = run_dir.load_model()
    spec = run_dir.spec
    vocabulary = run_dir.vocabulary()
    encoder = None
    if "text" in input_names(model):
        if not vocabulary:
            raise ValueError(f"{run_dir.vocabulary_path} is missing or empty, and the model reads text")
        encoder = TextEncoder(vocabulary, max_tokens=spec.max_tokens, name="text_tokenizer")
        encoder(tf.constant(["build"]))  # ExportArchive tracks built layers only
    derived, explicit = serving_functions(model, encoder, spec)

    archive = keras.export.ExportArchive()
    archive.track(model)
    if encoder is not None:
        archive.track(encoder)
    archive.add_endpoint("serving_default", derived, input_signature=input_signature(spec, False))
    archive.add_endpoint("serving_with_presence", explicit, input_signature=input_signature(spec, True))

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".tmp-export-{out.name}-", dir=out.parent))
    try:
        archive.write_out(str(staging), verbose=False)
        model.save(staging / "model.keras")  # uncompiled: reloads with `import baseline_model` alone
        if run_dir.vocabulary_path.is_file():
            shutil.copyfile(run_dir.vocabulary_path, staging / "vocab.txt")
        serving = {
            "signatures": ["serving_default", "serving_with_presence"],
            "output": "probabilities",
            "categories": list(run_dir.data_info.get("categories") or []),
            "frames": run_dir.frames,
            "size": run_dir.size,
            "sampling": run_dir.sampling,
            "spec": spec.to_dict(),
            "modalities": [name for name in ("text", "cover", "frames") if name in input_names(model)],
            "requires": "import tensorflow_text before tf.saved_model.load",
        }
        (staging / SERVING_INFO_NAME).write_text(json.dumps(serving, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        if out.exists():
            shutil.rmtree(out) if out.is_dir() else out.unlink()
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return out
