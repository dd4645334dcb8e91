"""``predict``: raw clips (video files, item folders, seed-layout folders) -> top-k categories.

Each result is a dict, in input order:

    {"input": "clips/a.mp4", "id": "a", "top_k": [{"class_id": 24, "label": "Sport",
      "chinese": "运动", "probability": 0.83}, ...], "absent": {"cover": "missing"}}

or, for an input that cannot be classified, ``{"input": ..., "error": "<reason>: <detail>"}``;
the other inputs still run. See ``baseline_model.evaluation.inputs`` for what is read and how.
"""

from __future__ import annotations

import collections
import csv
import io
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from baseline_model.evaluation.inputs import (
    Clip,
    InputError,
    RawClip,
    feature_batch,
    load_clip,
    resolve_inputs,
)
from baseline_model.evaluation.run_dir import model_inputs, model_modalities, read_run
from mmvideo import taxonomy
from mmvideo.media import MediaError

logger = logging.getLogger(__name__)

BATCH_SIZE = 16
# Clips decoded at once: PyAV decodes outside the GIL, so threads use every core while the model
# runs on the previous batch.
DEFAULT_WORKERS = min(4, os.cpu_count() or 1)
CSV_FIELDS = ("input", "id", "rank", "class_id", "label", "chinese", "probability", "error")


def top_k_entries(probabilities: np.ndarray, top_k: int) -> list[dict]:
    """The ``top_k`` classes of one probability vector, most probable first."""
    order = np.argsort(-probabilities, kind="stable")[:top_k]
    entries = []
    for class_id in order:
        category = taxonomy.by_id(int(class_id)) if class_id < taxonomy.NUM_CLASSES else None
        entries.append({
            "class_id": int(class_id),
            "label": category.name if category else str(int(class_id)),
            "chinese": category.chinese if category else "",
            "probability": float(probabilities[class_id]),
        })
    return entries


def _load(clip: Clip, run_dir, modalities) -> RawClip | InputError:
    try:
        return load_clip(clip, run_dir.frames, run_dir.size, run_dir.sampling, modalities)
    except MediaError as error:
        return InputError(clip.input, f"{error.reason}: {error.detail}" if error.detail else error.reason)
    except Exception as error:  # one odd file must not stop the others; logged with its traceback
        logger.exception("unexpected error reading %s", clip.video)
        return InputError(clip.input, f"unexpected_error: {type(error).__name__}: {error}")


def loaded_in_order(items: Iterable, load: Callable, workers: int, ahead: int) -> Iterator[tuple]:
    """``(item, load(item))`` in the order of ``items``, ``workers`` threads loading at most
    ``ahead`` items past the one being consumed (memory stays bounded)."""
    if workers <= 1:
        for item in items:
            yield item, load(item)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="mmvideo-predict") as pool:
        window: collections.deque = collections.deque()
        for item in items:
            window.append((item, pool.submit(load, item)))
            if len(window) > ahead:
                first, future = window.popleft()
                yield first, future.result()
        while window:
            first, future = window.popleft()
            yield first, future.result()


def predict(
    run: str | Path,
    inputs: Sequence[str | Path],
    top_k: int = 5,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
    model=None,
    workers: int = DEFAULT_WORKERS,
) -> list[dict]:
    """Classifies every clip of ``inputs`` with ``RUN/model.keras`` (``model``: an already loaded one),
    decoding ``workers`` clips at a time.

    Raises ``FileNotFoundError`` / ``ValueError`` for a bad run, ``top_k`` or ``workers``; a bad
    input is an error entry instead.
    """
    if isinstance(top_k, bool) or not isinstance(top_k, int) or top_k < 1:
        raise ValueError(f"`top_k` must be an int >= 1, got {top_k!r}")
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"`workers` must be an int >= 1, got {workers!r}")
    run_dir = read_run(run)
    model = run_dir.load_model() if model is None else model
    modalities = model_modalities(model)
    encoder = None
    if "text" in modalities:
        from data_interface.text import TextEncoder

        encoder = TextEncoder(run_dir.vocabulary(), max_tokens=run_dir.spec.max_tokens)
    top_k = min(top_k, run_dir.spec.num_classes)

    results: list[dict | None] = []
    pending: list[tuple[int, Clip, RawClip]] = []

    def flush():
        if not pending:
            return
        features = feature_batch([raw for _, _, raw in pending], run_dir.spec, encoder)
        probabilities = np.asarray(model.predict_on_batch(model_inputs(model, features)))
        for (index, clip, raw), row in zip(pending, probabilities, strict=True):
            results[index] = {"input": clip.input, "id": clip.mp4_id, "top_k": top_k_entries(row, top_k)}
            if raw.absent:
                results[index]["absent"] = raw.absent
        if progress is not None:
            progress(len(pending))
        pending.clear()

    def load(item):
        return item if isinstance(item, InputError) else _load(item, run_dir, modalities)

    for item, loaded in loaded_in_order(resolve_inputs(inputs), load, workers, ahead=batch_size + 2 * workers):
        results.append(None)
        if isinstance(loaded, InputError):
            results[-1] = {"input": loaded.input, "error": loaded.error}
            continue
        pending.append((len(results) - 1, item, loaded))
        if len(pending) >= batch_size:
            flush()
    flush()
    return results


def format_csv(results: list[dict]) -> str:
    """One row per input and rank (``rank`` 1 is the top class); an error is one row with ``error``."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for result in results:
        if "error" in result:
            writer.writerow({"input": result["input"], "error": result["error"]})
            continue
        for rank, entry in enumerate(result["top_k"], start=1):
            writer.writerow({"input": result["input"], "id": result["id"], "rank": rank, **entry, "error": ""})
    return buffer.getvalue()
