"""The files of a prepared dataset besides the shards, and the state of an output folder.

``DATA/info.json`` is written last, after every other file is in place: a folder with an
``info.json`` is a finished dataset, one without is not (an interrupted prepare leaves its work in
``DATA/.tmp-prepare-*``, which the next run removes). ``info.json`` holds:

- ``format_version``, ``categories`` (the 31 English names in class-id order), ``frames``, ``size``,
  ``sampling``, ``storage``, ``jpeg_quality``, ``val_fraction``, ``test_fraction``;
- ``splits`` ``{name: num_examples}``, ``shards`` ``{name: [file, ...]}``, ``ids``
  ``{name: "<name>.ids"}`` (sorted ids, one a line);
- ``num_failed`` and ``failures_by_reason`` (details: ``failures.jsonl``: ``id``, ``path``,
  ``reason``, ``detail``), ``absent`` ``{modality: {reason: count}}`` for kept examples without a
  cover or description (details: ``absent.jsonl``), ``num_truncated`` (damaged clips still used);
- ``vocabulary`` (``"vocab.txt"``, learned from the train descriptions) and ``vocabulary_size``;
- ``spec`` (``FeatureSpec.to_dict()``) and ``source`` (root, manifest, items scanned).

It holds no timestamp, so the same input and settings give the same bytes.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from data_interface.features import FORMAT_VERSION

INFO_NAME = "info.json"
FAILURES_NAME = "failures.jsonl"
ABSENT_NAME = "absent.jsonl"
VOCABULARY_NAME = "vocab.txt"
TMP_PREFIX = ".tmp-prepare-"
_OUR_NAMES = re.compile(
    r"^(info\.json|vocab\.txt|failures\.jsonl|absent\.jsonl|(train|val|test)\.ids"
    r"|(train|val|test)-\d{5}-of-\d{5}\.tfrecord(\.part)?)$"
)


def ids_name(split: str) -> str:
    return f"{split}.ids"


@dataclass(frozen=True)
class RunSettings:
    """What decides the content of a dataset; a finished dataset is reused only when they match."""

    frames: int
    size: int
    sampling: str
    storage: str
    val_fraction: float
    test_fraction: float
    root: str  # resolved
    manifest: str | None  # resolved, or None
    format_version: int = FORMAT_VERSION

    def to_dict(self) -> dict:
        return asdict(self)

    def mismatches(self, info: Mapping) -> list[str]:
        """``["frames 8 != 16", ...]``: how ``info`` (an info.json) differs from these settings."""
        stored = {
            "frames": info.get("frames"),
            "size": info.get("size"),
            "sampling": info.get("sampling"),
            "storage": info.get("storage"),
            "val_fraction": info.get("val_fraction"),
            "test_fraction": info.get("test_fraction"),
            "root": info.get("source", {}).get("root"),
            "manifest": info.get("source", {}).get("manifest"),
            "format_version": info.get("format_version"),
        }
        return [
            f"{name} {stored[name]!r} != {value!r}"
            for name, value in self.to_dict().items()
            if stored[name] != value
        ]


class OutputExistsError(ValueError):
    """The output folder holds something prepare will not replace without ``overwrite``."""


@dataclass(frozen=True)
class OutputState:
    """``kind``: ``fresh`` (absent, empty, or leftovers of an unfinished prepare), ``finished``
    (a dataset made with the same settings), ``different``, ``damaged`` or ``foreign``."""

    kind: str
    info: dict | None = None
    detail: str = ""


def read_info(out_dir: str | Path) -> dict | None:
    """The ``info.json`` of ``out_dir``, or None when there is none (ValueError if unreadable)."""
    path = Path(out_dir) / INFO_NAME
    if not path.exists():
        return None
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} cannot be read: {error}") from None
    if not isinstance(info, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return info


def listed_files(info: Mapping) -> list[str]:
    """Every file name ``info`` refers to."""
    names = [name for files in info.get("shards", {}).values() for name in files]
    names += list(info.get("ids", {}).values())
    names += [info.get("vocabulary", VOCABULARY_NAME), FAILURES_NAME, ABSENT_NAME]
    return names


def output_state(out_dir: str | Path, settings: RunSettings) -> OutputState:
    out_dir = Path(out_dir)
    if not out_dir.exists():
        return OutputState("fresh")
    if not out_dir.is_dir():
        return OutputState("foreign", detail=f"{out_dir} is not a folder")
    try:
        info = read_info(out_dir)
    except ValueError as error:
        return OutputState("damaged", detail=str(error))
    if info is None:
        foreign = sorted(p.name for p in out_dir.iterdir() if not is_ours(p.name))
        if foreign:
            return OutputState(
                "foreign",
                detail=f"holds files prepare did not write ({', '.join(foreign[:3])}"
                + (", ..." if len(foreign) > 3 else "")
                + ")",
            )
        return OutputState("fresh")
    mismatches = settings.mismatches(info)
    if mismatches:
        return OutputState("different", info, "; ".join(mismatches))
    missing = [name for name in listed_files(info) if not (out_dir / name).is_file()]
    if missing:
        return OutputState(
            "damaged", info, f"files listed in {INFO_NAME} are missing: {', '.join(missing[:3])}"
        )
    return OutputState("finished", info)


def is_ours(name: str) -> bool:
    """A name prepare writes (so may remove): dataset files and its temporary folders."""
    return bool(_OUR_NAMES.match(name)) or name.startswith(TMP_PREFIX)


def remove_ours(out_dir: Path, keep: str | None = None) -> None:
    """Removes what prepare wrote in ``out_dir`` (``info.json`` first), except ``keep``."""
    info = out_dir / INFO_NAME
    if info.exists():
        info.unlink()
    for path in sorted(out_dir.iterdir()):
        if path.name == keep or not is_ours(path.name):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()


def write_json(path: Path, data: Mapping) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False)
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:  # see json_line
        encoded = json.dumps(data, indent=2).encode("utf-8")
    path.write_bytes(encoded + b"\n")


def write_lines(path: Path, lines: Iterable[str]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(line + "\n")
            count += 1
    return count


def json_line(row: Mapping) -> str:
    """``row`` as one line of JSON, UTF-8 text as is; escaped when it holds what UTF-8 cannot
    encode (a file name with undecodable bytes, kept by Python as lone surrogates)."""
    line = json.dumps(row, ensure_ascii=False)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:
        line = json.dumps(row)
    return line


def write_jsonl(path: Path, rows: Iterable[Mapping]) -> int:
    return write_lines(path, (json_line(row) for row in rows))


def publish(tmp_dir: Path, out_dir: Path, names: Iterable[str]) -> None:
    """Moves ``names`` from ``tmp_dir`` into ``out_dir`` (replacing what prepare wrote there
    before), ``info.json`` last, then removes ``tmp_dir``."""
    remove_ours(out_dir, keep=tmp_dir.name)
    names = sorted(set(names) - {INFO_NAME})
    for name in names:
        os.replace(tmp_dir / name, out_dir / name)
    os.replace(tmp_dir / INFO_NAME, out_dir / INFO_NAME)
    shutil.rmtree(tmp_dir, ignore_errors=True)
