"""A tolerant reader of a prepared dataset's ``info.json``: spec, splits, shard files, vocabulary.

``DATA/info.json`` is written by ``mmvideo prepare``; this module reads it by key and with
defaults, so an older or richer file still loads. Keys used: ``spec`` (``FeatureSpec.to_dict()``),
``splits`` (``{name: num_examples}``), ``shards`` (``{name: [file names]}`` or ``{name: count}``;
when absent, ``DATA/<split>-NNNNN-of-NNNNN.tfrecord`` are globbed), ``categories``, ``storage``
(overrides ``spec.storage`` when present), ``vocabulary`` (file name, default ``vocab.txt``).
File names are taken as names inside ``DATA``. No TensorFlow here: the PyTorch path reads this
in the parent process, before its workers start.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from data_interface.features import FeatureSpec

INFO_NAME = "info.json"
VOCABULARY_NAME = "vocab.txt"


@dataclass(frozen=True)
class DatasetInfo:
    """What a reader needs to know about ``DATA``; ``shards`` maps a split to its files, sorted."""

    data_dir: Path
    spec: FeatureSpec
    splits: dict[str, int]
    shards: dict[str, tuple[Path, ...]]
    categories: tuple = field(default=())
    vocabulary_name: str = VOCABULARY_NAME

    @property
    def vocabulary_path(self) -> Path:
        return self.data_dir / self.vocabulary_name

    def shard_files(self, split: str) -> tuple[Path, ...]:
        """The split's shard files; ``ValueError`` naming the split when it is unknown."""
        if split not in self.shards:
            known = ", ".join(sorted(self.shards)) or "none"
            raise ValueError(f"unknown split {split!r} in {self.data_dir} (splits: {known})")
        files = self.shards[split]
        missing = [path.name for path in files if not path.is_file()]
        if missing:
            raise FileNotFoundError(
                f"split {split!r} of {self.data_dir} lacks shard file(s): {', '.join(missing)}"
            )
        return files


def _shard_names(data_dir: Path, split: str, listed) -> list[str]:
    if isinstance(listed, list | tuple):
        return [Path(str(name)).name for name in listed]
    if isinstance(listed, int) and not isinstance(listed, bool):
        return [f"{split}-{index:05d}-of-{listed:05d}.tfrecord" for index in range(listed)]
    return sorted(path.name for path in data_dir.glob(f"{split}-[0-9]*-of-[0-9]*.tfrecord"))


def read_json_object(path: Path) -> dict:
    """A JSON object from ``path``; ``ValueError`` naming the file when it is not one."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"unreadable {path}: {error}") from None
    if not isinstance(data, dict):
        raise ValueError(f"unreadable {path}: expected a JSON object")
    return data


def spec_from_info(info: dict) -> FeatureSpec:
    """The feature spec an ``info.json`` object records (also a run's copy of it)."""
    spec_fields = info.get("spec") if isinstance(info.get("spec"), dict) else {}
    # Older files carried the shapes at the top level (`frames`, `size`).
    legacy = {
        "frames_per_clip": info.get("frames"),
        "frame_size": info.get("size"),
        "cover_size": info.get("size"),
    }
    merged = {key: value for key, value in legacy.items() if value is not None} | spec_fields
    if isinstance(info.get("storage"), str):
        merged["storage"] = info["storage"]
    spec = FeatureSpec.from_dict(merged)
    if "num_classes" not in merged and isinstance(info.get("categories"), list) and info["categories"]:
        spec = replace(spec, num_classes=len(info["categories"]))
    return spec


def read_info(data_dir: str | Path) -> DatasetInfo:
    """Reads ``DATA/info.json``; ``FileNotFoundError`` / ``ValueError`` with one clear line."""
    data_dir = Path(data_dir)
    info_path = data_dir / INFO_NAME
    if not data_dir.is_dir():
        raise FileNotFoundError(f"prepared dataset not found: {data_dir} is not a directory")
    if not info_path.is_file():
        raise FileNotFoundError(
            f"{data_dir} is not a prepared dataset: {INFO_NAME} is missing (run `mmvideo prepare`)"
        )
    info = read_json_object(info_path)
    spec = spec_from_info(info)
    splits = {str(name): int(count) for name, count in (info.get("splits") or {}).items()}
    listed = info.get("shards") if isinstance(info.get("shards"), dict) else {}
    shards = {}
    for split in sorted(set(splits) | set(listed)):
        shards[split] = tuple(data_dir / name for name in _shard_names(data_dir, split, listed.get(split)))
    vocabulary = info.get("vocabulary")
    vocabulary_name = Path(vocabulary).name if isinstance(vocabulary, str) and vocabulary else VOCABULARY_NAME
    return DatasetInfo(data_dir, spec, splits, shards, tuple(info.get("categories") or ()), vocabulary_name)
