"""torch_dataset: the same content as numpy_batches, worker sharding, training through a DataLoader."""

import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from tfrecord_fixtures import make_examples, write_dataset

from data_interface import FeatureSpec, numpy_batches, torch_dataset

SPEC = FeatureSpec(frames_per_clip=4, frame_size=16, cover_size=16, max_tokens=12)

# Runs in a fresh interpreter: this test process has run TensorFlow, and TensorFlow is not
# fork-safe, while DataLoader workers are forked by default.
TRAIN_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import tensorflow  # imported, not started: forked workers share the import
    import torch
    from torch.utils.data import DataLoader
    from data_interface import torch_dataset

    def read_ids(split, **loader_options):
        loader = DataLoader(torch_dataset(sys.argv[1], split, batch_size=4, modalities=["cover"]), **loader_options)
        return [video_id for features, _ in loader for video_id in features["id"]]

    if __name__ == "__main__":
        torch.manual_seed(0)
        model = torch.nn.Linear(6, 31)
        optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
        before = model.weight.detach().clone()
        seen, losses = {}, []
        for split in ("train", "test"):  # 3 shards, then 1 shard, for 2 workers
            dataset = torch_dataset(sys.argv[1], split, batch_size=4, modalities=("cover", "frames"))
            seen[split] = []
            for features, labels in DataLoader(dataset, num_workers=2, batch_size=None):
                assert features["frames"].dtype == features["cover"].dtype == torch.uint8
                assert labels.dtype == torch.int64 and features["has_cover"].dtype == torch.float32
                pooled = [features["frames"].float().mean(dim=(1, 2, 3)), features["cover"].float().mean(dim=(1, 2))]
                loss = torch.nn.functional.cross_entropy(model(torch.cat(pooled, dim=1) / 255), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                losses.append(loss.item())
                seen[split] += features["id"]
        tensorflow.constant(1)  # TensorFlow has now run in this process: forking it is unsafe
        try:
            read_ids("test", num_workers=1, batch_size=None)
            error = None
        except RuntimeError as raised:
            error = str(raised)
        spawned = None
        if "--spawn" in sys.argv:
            spawned = read_ids("test", num_workers=2, batch_size=None, multiprocessing_context="spawn")
        moved = float((model.weight.detach() - before).abs().sum())
        print(json.dumps({"seen": seen, "losses": losses, "moved": moved, "error": error, "spawned": spawned}))
    """
)


@pytest.fixture(scope="module")
def examples():
    return make_examples(20, SPEC, seed=1)


@pytest.fixture(scope="module")
def data(tmp_path_factory, examples):
    splits = {"train": examples[:14], "test": examples[14:]}
    return write_dataset(tmp_path_factory.mktemp("data"), splits, SPEC, num_shards={"train": 3, "test": 1})


@pytest.mark.parametrize("label_mode", ["single", "multi"])
def test_torch_batches_carry_the_numpy_content(data, label_mode):
    arguments = {"batch_size": 4, "shuffle": False, "label_mode": label_mode}
    dataset = torch_dataset(data, "train", **arguments)
    assert isinstance(dataset, torch.utils.data.IterableDataset)
    count = 0
    for (features, labels), (arrays, label_array) in zip(
        dataset, numpy_batches(data, "train", **arguments), strict=True
    ):
        assert features["id"] == arrays["id"].tolist()
        assert features["cover"].dtype == features["frames"].dtype == torch.uint8
        assert features["text"].dtype == torch.int64 and features["has_text"].dtype == torch.float32
        assert labels.dtype == (torch.int64 if label_mode == "single" else torch.float32)
        for key in set(arrays) - {"id"}:
            np.testing.assert_array_equal(features[key].numpy(), arrays[key])
        np.testing.assert_array_equal(labels.numpy(), label_array)
        count += len(labels)
    assert count == 14


def test_workers_get_disjoint_shards_or_every_nth_example(data):
    dataset = torch_dataset(data, "train")
    plans = [dataset.worker_plan(SimpleNamespace(id=index, num_workers=2)) for index in range(2)]
    assert [len(files) for files, _ in plans] == [2, 1] and {shard for _, shard in plans} == {None}
    assert not set(plans[0][0]) & set(plans[1][0]) and set(plans[0][0]) | set(plans[1][0]) == set(
        dataset.files
    )
    plans = [dataset.worker_plan(SimpleNamespace(id=index, num_workers=4)) for index in range(4)]
    assert all(files == dataset.files for files, _ in plans) and [shard for _, shard in plans] == [
        (4, i) for i in range(4)
    ]
    assert dataset.worker_plan(SimpleNamespace(id=0, num_workers=1)) == (dataset.files, None)


def test_bad_arguments_fail_when_the_dataset_is_made(data):
    with pytest.raises(ValueError, match="nope"):
        torch_dataset(data, "nope")
    with pytest.raises(ValueError, match="sound"):
        torch_dataset(data, "train", modalities=["sound"])


def run_train_script(tmp_path, data, *options) -> dict:
    script = tmp_path / "train_torch.py"
    script.write_text(TRAIN_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), str(data), *options], capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dataloader_with_two_workers_trains_one_epoch(tmp_path, data, examples):
    report = run_train_script(tmp_path, data)
    for split, expected in (("train", examples[:14]), ("test", examples[14:])):
        seen = report["seen"][split]
        assert sorted(seen) == sorted(example.id for example in expected), f"{split}: {seen}"
    assert len(report["losses"]) >= 6 and all(np.isfinite(report["losses"])) and report["moved"] > 0
    assert "fork" in report["error"] and "spawn" in report["error"]


@pytest.mark.slow
def test_spawned_workers_work_after_tensorflow_ran(request, tmp_path, data, examples):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("slow (two fresh interpreters import TensorFlow): opt in with -m slow")
    report = run_train_script(tmp_path, data, "--spawn")
    assert sorted(report["spawned"]) == sorted(example.id for example in examples[14:])
