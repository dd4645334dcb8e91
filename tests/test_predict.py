"""``predict`` / ``mmvideo predict`` on raw clips of the tiny run's corpus (tests/run_fixtures.py)."""

import csv
import io
import json
import shutil

import numpy as np
import pytest
from run_fixtures import tiny_run

from baseline_model.evaluation.predict import loaded_in_order, predict
from baseline_model.evaluation.run_dir import read_run
from data_interface import load_dataset
from mmvideo import taxonomy
from mmvideo.cli.main import main
from mmvideo.layout import scan_layout

# The prepared frames and cover were stored as JPEG (quality 90) and decoded by the reader, while
# predict feeds the decoded pixels themselves: a few grey levels apart, so the probabilities differ
# slightly (observed <= 0.006 over all 31 clips of this model). Top-1 must agree wherever the margin exceeds that.
JPEG_ATOL = 0.02


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return tiny_run(tmp_path_factory)


@pytest.fixture(scope="module")
def model(run):
    return read_run(run.path).load_model()


def _item_folders(corpus):
    return {item.mp4_id: item.folder for item in scan_layout(corpus)}


@pytest.mark.parametrize("split", ["test", "val"])
def test_predict_on_raw_clips_equals_the_evaluate_path(run, model, split):
    ids, probabilities = [], []
    for features, _ in load_dataset(run.data, split, batch_size=4):
        ids += [value.decode() for value in features["id"].numpy()]
        probabilities.append(model.predict_on_batch({name: features[name] for name in model.input}))
    probabilities = np.concatenate(probabilities)
    folders = _item_folders(run.corpus)
    results = predict(run.path, [folders[mp4_id] for mp4_id in ids], top_k=taxonomy.NUM_CLASSES, model=model)
    assert [result["id"] for result in results] == ids
    compared = 0
    for result, expected in zip(results, probabilities, strict=True):
        served = np.zeros(taxonomy.NUM_CLASSES)
        for entry in result["top_k"]:
            served[entry["class_id"]] = entry["probability"]
        np.testing.assert_allclose(served, expected, atol=JPEG_ATOL)
        top_two = np.sort(expected)[-2:]
        if top_two[1] - top_two[0] > 2 * np.abs(served - expected).max():
            assert result["top_k"][0]["class_id"] == int(np.argmax(expected))
            compared += 1
    assert compared >= len(ids) // 2


def test_one_or_several_decoding_threads_give_the_same_results(run, model, tmp_path):
    inputs = [*sorted(item.folder for item in scan_layout(run.corpus))[:9], tmp_path / "missing.mp4"]
    single = predict(run.path, inputs, top_k=3, model=model, workers=1, batch_size=4)
    assert predict(run.path, inputs, top_k=3, model=model, workers=3, batch_size=4) == single
    assert [result["input"] for result in single] == [str(path) for path in inputs]
    with pytest.raises(ValueError, match="`workers`"):
        predict(run.path, inputs, model=model, workers=0)


def test_loading_keeps_the_input_order_and_stays_a_bounded_window_ahead():
    import threading
    import time

    started, consumed, lock = [], [], threading.Lock()

    def load(item):
        with lock:
            started.append(item)
            assert len(started) - len(consumed) <= 5 + 1, "loaded too far ahead"
        time.sleep(0.02 * (item % 3))  # later items often finish first
        return item * 10

    for item, value in loaded_in_order(range(20), load, workers=3, ahead=5):
        assert value == item * 10
        consumed.append(item)
    assert consumed == list(range(20)) and sorted(started) == list(range(20))
    assert [value for _, value in loaded_in_order(iter(range(4)), load, workers=1, ahead=0)] == [0, 10, 20, 30]


def test_entries_name_categories_in_both_languages(run, model):
    clip = next(item for item in scan_layout(run.corpus) if item.category == "Sport")
    [result] = predict(run.path, [clip.mp4], top_k=3, model=model)
    assert result["input"] == str(clip.mp4) and result["id"] == clip.mp4_id
    assert len(result["top_k"]) == 3 and "absent" not in result
    probabilities = [entry["probability"] for entry in result["top_k"]]
    assert probabilities == sorted(probabilities, reverse=True)
    for entry in result["top_k"]:
        category = taxonomy.by_id(entry["class_id"])
        assert (entry["label"], entry["chinese"]) == (category.name, category.chinese)


def test_loose_video_bad_inputs_and_a_seed_layout(run, model, tmp_path):
    source = next(item for item in scan_layout(run.corpus) if item.category == "Beach")
    loose = tmp_path / "holiday.mp4"
    shutil.copyfile(source.mp4, loose)
    (tmp_path / "holiday.txt").write_text("sunny beach with waves\n", encoding="utf-8")  # plain text
    (tmp_path / "broken.mp4").write_bytes(b"<html>not a video</html>")
    inputs = [loose, tmp_path / "missing.mp4", tmp_path / "broken.mp4", run.corpus]
    results = predict(run.path, inputs, top_k=2, model=model)
    assert results[0]["input"] == str(loose) and results[0]["absent"] == {"cover": "missing"}
    assert results[1] == {"input": str(tmp_path / "missing.mp4"), "error": "not_found: no such file or folder"}
    assert results[2]["input"] == str(tmp_path / "broken.mp4") and results[2]["error"].startswith("not_a_video")
    # the seed layout: every video once (a video under two categories is one clip)
    corpus_ids = sorted({item.mp4_id for item in scan_layout(run.corpus)})
    assert sorted(result["id"] for result in results[3:]) == corpus_ids
    assert all("top_k" in result for result in results[3:])


def test_cli_json_csv_and_exit_codes(run, tmp_path, capsys):
    clip = next(item for item in scan_layout(run.corpus) if item.category == "Sea")
    assert main(["predict", str(run.path), str(clip.folder), "--top-k", "2", "--quiet"]) == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["id"] == clip.mp4_id and [set(entry) for entry in result["top_k"]] == [
        {"class_id", "label", "chinese", "probability"}
    ] * 2

    bad = tmp_path / "bad.gif"
    bad.write_bytes(b"GIF89a")
    code = main(["predict", str(run.path), str(clip.mp4), str(bad), "--format", "csv", "--quiet"])
    captured = capsys.readouterr()
    assert code == 3
    rows = list(csv.DictReader(io.StringIO(captured.out)))
    assert [row["rank"] for row in rows] == ["1", "2", "3", "4", "5", ""]
    assert rows[0]["chinese"] == taxonomy.lookup(rows[0]["label"]).chinese
    assert rows[-1]["input"] == str(bad) and rows[-1]["error"]
    assert "1 clip(s) classified, 1 failed" in captured.err

    assert main(["predict", str(tmp_path), str(clip.mp4)]) == 2  # not a run
    assert "not a finished run" in capsys.readouterr().err
    assert main(["predict", str(run.path), str(clip.mp4), "--top-k", "0"]) == 2
