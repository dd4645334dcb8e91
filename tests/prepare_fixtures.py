"""The injected corpus for the prepare_dataset end-to-end modules, its expectations and readers."""

import json
import shutil
from pathlib import Path

import numpy as np
from media_helpers import write_indexed_clip, write_textured_clip
from PIL import Image

from data_interface.features import FeatureSpec
from data_interface.prepare import prepare_dataset
from mmvideo.layout import scan_layout
from mmvideo.records import VideoRecord
from mmvideo.synth import synthesize_corpus

FRAMES, SIZE = 4, 32  # small, so shards are tiny and JPEG work is quick
ARGS = dict(frames=FRAMES, size=SIZE)
CHINESE = "海边日落，金色的阳光洒在海面上"

# id -> the reason it must fail with (any of the listed reasons)
EXPECTED_FAILURES = {
    "bad_empty": {"empty_file"},
    "bad_html": {"not_a_video"},
    "bad_truncated": {"truncated"},
    "bad_novideo": {"missing_video"},
}
# kept ids -> (has_cover, has_text)
EXPECTED_FLAGS = {
    "ok_two_frames": (1, 1),
    "ok_portrait": (1, 1),
    "ok_vp9": (1, 1),
    "ok_hevc": (1, 1),
    "ok_audio_first": (1, 1),
    "ok_chinese": (1, 1),
    "ok_cut_usable": (1, 1),
    "ok_no_cover": (0, 1),
    "ok_bad_cover": (0, 1),
    "ok_no_txt": (1, 0),
    "ok_two_categories": (1, 1),
}


def _cover(path: Path, seed: int, width: int = 80, height: int = 48) -> None:
    rng = np.random.default_rng(seed)
    gradient = np.linspace(0, 255, width, dtype=np.float32)[None, :, None]
    rgb = np.clip(gradient + rng.integers(0, 60, size=(height, 1, 3)), 0, 255).astype(np.uint8)
    Image.fromarray(np.broadcast_to(rgb, (height, width, 3)).copy()).save(path, quality=95)


def _item(root: Path, category: str, mp4_id: str, description: str = "a test clip", cover=True, txt=True) -> dict:
    folder = root / category / mp4_id
    folder.mkdir(parents=True)
    files = {"mp4": folder / f"{mp4_id}.mp4", "cover": folder / f"{mp4_id}.jpeg", "txt": folder / f"{mp4_id}.txt"}
    if cover:
        _cover(files["cover"], len(mp4_id))
    if txt:
        files["txt"].write_text(VideoRecord(mp4_id, description=description).to_txt(), encoding="utf-8")
    return files


def _cut(source: Path, target: Path, fraction: float) -> None:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])


def build_corpus(root: Path) -> Path:
    """The synth corpus (31 videos, 2 of them under two categories) plus injected items."""
    synthesize_corpus(root, per_category=1, seed=0, width=96, height=64, workers=1)
    files = _item(root, "Nature", "bad_empty")
    files["mp4"].write_bytes(b"")
    files = _item(root, "Nature", "bad_html")
    files["mp4"].write_text("<!DOCTYPE html><html><body>404 Not Found</body></html>\n", encoding="utf-8")
    files = _item(root, "Nature", "bad_truncated")  # the index (moov) is written last: cut it off
    write_textured_clip(files["mp4"].with_suffix(".full"), num_frames=24)
    _cut(files["mp4"].with_suffix(".full"), files["mp4"], 0.6)
    files["mp4"].with_suffix(".full").unlink()
    _item(root, "Nature", "bad_novideo")
    files = _item(root, "Sea", "ok_cut_usable")  # index first, so the frames before the cut are usable
    write_textured_clip(files["mp4"].with_suffix(".full"), num_frames=40, gop=10,
                        container_options={"movflags": "faststart"})
    _cut(files["mp4"].with_suffix(".full"), files["mp4"], 0.6)
    files["mp4"].with_suffix(".full").unlink()
    write_indexed_clip(_item(root, "Sea", "ok_two_frames")["mp4"], num_frames=2)
    write_indexed_clip(_item(root, "Sea", "ok_portrait")["mp4"], num_frames=12, width=48, height=96, marker=True)
    files = _item(root, "Sea", "ok_vp9")
    write_indexed_clip(files["mp4"].with_suffix(".webm"), num_frames=12, codec="libvpx-vp9")
    write_indexed_clip(_item(root, "Sea", "ok_hevc")["mp4"], num_frames=12, codec="libx265")
    write_indexed_clip(_item(root, "Sea", "ok_audio_first")["mp4"], num_frames=12, audio_first=True)
    write_textured_clip(_item(root, "Beach", "ok_chinese", description=CHINESE)["mp4"], num_frames=12, seed=3)
    write_textured_clip(_item(root, "Beach", "ok_no_cover", cover=False)["mp4"], num_frames=12, seed=4)
    files = _item(root, "Beach", "ok_bad_cover")
    write_textured_clip(files["mp4"], num_frames=12, seed=5)
    files["cover"].write_bytes(files["cover"].read_bytes()[:200])  # a JPEG cut short
    write_textured_clip(_item(root, "Beach", "ok_no_txt", txt=False)["mp4"], num_frames=12, seed=6)
    files = _item(root, "Sport", "ok_two_categories")
    write_textured_clip(files["mp4"], num_frames=12, seed=7)
    shutil.copytree(files["mp4"].parent, root / "Aerial" / "ok_two_categories")  # a copy, not a link
    return root


_BUILT: dict[str, object] = {}


def shared_corpus(tmp_path_factory) -> Path:
    """``build_corpus``, built once per session (on first use) and then shared: no test changes it."""
    if "corpus" not in _BUILT:
        _BUILT["corpus"] = build_corpus(tmp_path_factory.mktemp("prepare") / "corpus")
    return _BUILT["corpus"]


def shared_prepared(corpus: Path, tmp_path_factory):
    """``(out, summary, progress calls)`` of one two-worker prepare of ``corpus``, once per session."""
    if "prepared" not in _BUILT:
        out = tmp_path_factory.mktemp("prepared") / "data"
        calls = []
        summary = prepare_dataset(corpus, out, workers=2, progress=lambda *call: calls.append(call), **ARGS)
        _BUILT["prepared"] = (out, summary, calls)
    return _BUILT["prepared"]


def _all_ids(corpus: Path) -> set[str]:
    return {item.mp4_id for item in scan_layout(corpus)}


def _info(out: Path) -> dict:
    return json.loads((out / "info.json").read_text(encoding="utf-8"))


def _read_split(out: Path, split: str) -> dict[str, dict]:
    """Every example of a split, parsed with tf.data and the spec's parsing features."""
    import tensorflow as tf

    info = _info(out)
    spec = FeatureSpec.from_dict(info["spec"])
    files = [str(out / name) for name in info["shards"][split]]
    examples = {}
    for record in tf.data.TFRecordDataset(files):
        parsed = tf.io.parse_single_example(record, spec.tfrecord_features())
        example = {key: value.numpy() for key, value in parsed.items() if key != "labels"}
        example["labels"] = tf.sparse.to_dense(parsed["labels"]).numpy().tolist()
        example["frames_rgb"] = tf.io.decode_jpeg(parsed["frames"]).numpy().reshape(spec.frames_shape)
        if example["has_cover"]:
            example["cover_rgb"] = tf.io.decode_jpeg(parsed["cover"]).numpy()
        examples[example["id"].decode()] = example
    return examples


def _flat(examples):
    return {mp4_id: example for split in examples.values() for mp4_id, example in split.items()}


def _dataset_bytes(out: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(out.iterdir()) if path.is_file()}
