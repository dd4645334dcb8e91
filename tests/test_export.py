"""``export_run`` / ``mmvideo export``: the SavedModel, reloaded in a fresh process, gives predict's
probabilities on raw inputs (tests/run_fixtures.py)."""

import json
import shutil
import subprocess
import sys

import numpy as np
import pytest
from run_fixtures import tiny_run

from baseline_model.evaluation.inputs import load_clip, resolve_inputs
from baseline_model.evaluation.predict import predict
from baseline_model.evaluation.run_dir import read_run
from mmvideo import taxonomy
from mmvideo.cli.main import main
from mmvideo.layout import scan_layout

# Runs in a fresh interpreter: loads DIR and prints both signatures' probabilities as JSON.
SERVE = """
import json, sys
import numpy as np
{imports}
import tensorflow as tf
exported = tf.saved_model.load(sys.argv[1])
raw = np.load(sys.argv[2])
text = tf.constant([str(t) for t in raw["text"]])
derived = exported.signatures["serving_default"](text=text, cover=raw["cover"], frames=raw["frames"])
explicit = exported.signatures["serving_with_presence"](
    text=text, cover=raw["cover"], frames=raw["frames"],
    has_text=raw["has_text"], has_cover=raw["has_cover"], has_frames=raw["has_frames"])
print(json.dumps({"derived": derived["probabilities"].numpy().tolist(),
                  "explicit": explicit["probabilities"].numpy().tolist()}))
"""


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


@pytest.fixture(scope="module")
def exported(run, tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "saved"
    assert main(["export", str(run.path), "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def clips(run, tmp_path_factory):
    """Three corpus clips and a loose video with neither cover nor description."""
    items = [item for item in scan_layout(run.corpus) if item.category in ("Sea", "Sport", "City")]
    loose = tmp_path_factory.mktemp("loose") / "bare.mp4"
    shutil.copyfile(items[0].mp4, loose)
    return [str(item.folder) for item in items] + [str(loose)]


def _serve(exported, raw_path, imports="import tensorflow_text"):
    script = SERVE.replace("{imports}", imports)
    return subprocess.run(
        [sys.executable, "-c", script, str(exported), str(raw_path)], capture_output=True, text=True, timeout=240
    )


def test_reloaded_savedmodel_equals_predict(run, exported, clips, tmp_path):
    run_dir = read_run(run.path)
    raws = [load_clip(clip, run_dir.frames, run_dir.size, run_dir.sampling) for clip in resolve_inputs(clips)]
    assert raws[-1].absent == {"cover": "missing", "text": "missing"}
    raw_path = tmp_path / "raw.npz"
    np.savez(
        raw_path,
        text=np.array([raw.text for raw in raws]),
        cover=np.stack([raw.cover if raw.cover is not None else np.zeros(run_dir.spec.cover_shape, np.uint8) for raw in raws]),
        frames=np.stack([raw.frames for raw in raws]),
        has_text=np.array([bool(raw.text) for raw in raws], np.float32),
        has_cover=np.array([raw.cover is not None for raw in raws], np.float32),
        has_frames=np.ones(len(raws), np.float32),
    )
    served = _serve(exported, raw_path)
    assert served.returncode == 0, served.stderr[-2000:]
    outputs = json.loads(served.stdout.strip().splitlines()[-1])

    expected = np.zeros((len(clips), taxonomy.NUM_CLASSES))
    for row, result in enumerate(predict(run.path, clips, top_k=taxonomy.NUM_CLASSES)):
        for entry in result["top_k"]:
            expected[row, entry["class_id"]] = entry["probability"]
    np.testing.assert_allclose(np.array(outputs["derived"]), expected, atol=1e-5)
    np.testing.assert_allclose(np.array(outputs["explicit"]), expected, atol=1e-5)


def test_loading_needs_tensorflow_text(exported, tmp_path):
    """Documented in the export module and the README: the tokenizer's ops live in tensorflow-text."""
    raw_path = tmp_path / "raw.npz"
    np.savez(raw_path, text=np.array(["x"]))
    served = _serve(exported, raw_path, imports="")
    assert served.returncode != 0 and "CaseFoldUTF8" in served.stderr


def test_export_layout_and_keras_file(run, exported, capsys):
    import keras

    import baseline_model  # noqa: F401

    assert {"saved_model.pb", "variables", "model.keras", "vocab.txt", "serving.json"} <= {
        path.name for path in exported.iterdir()
    }
    serving = json.loads((exported / "serving.json").read_text(encoding="utf-8"))
    assert (serving["frames"], serving["size"], serving["sampling"]) == (4, 32, "uniform")
    reloaded = keras.models.load_model(exported / "model.keras")
    assert sorted(reloaded.input) == sorted(read_run(run.path).load_model().input)
    # an existing export is kept unless --overwrite
    assert main(["export", str(run.path), "--out", str(exported)]) == 2
    assert "--overwrite" in capsys.readouterr().err
