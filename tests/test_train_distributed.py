"""Distributed training for real: two worker processes on 127.0.0.1 (MultiWorkerMirroredStrategy,
each with its TF_CONFIG), and MirroredStrategy over two logical CPU devices (the multi-GPU path)."""

import json
import math
import os
import socket
import subprocess
import sys

import keras
import pytest
from train_helpers import TINY_SETS, cli_sets, prepared_dataset

import baseline_model  # noqa: F401  (registers the schedule the checkpoint holds)
from baseline_model.training.run_dir import RunDir


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return prepared_dataset(tmp_path_factory)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _train_on_two_workers(data, out, epochs: int) -> None:
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    argv = [sys.executable, "-m", "mmvideo.cli.main", "train", str(data), "--out", str(out),
            "--epochs", str(epochs), "--quiet", *cli_sets()]
    processes = []
    for index in range(2):
        config = {"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}}
        env = os.environ | {"TF_CONFIG": json.dumps(config), "PYTHONPATH": os.pathsep.join(sys.path)}
        processes.append(subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    try:
        results = [process.communicate(timeout=400) for process in processes]
    finally:
        for process in processes:
            process.kill()
    for process, (_, err) in zip(processes, results, strict=True):
        assert process.returncode == 0, err[-2000:]


def test_two_workers_train_and_resume_with_the_chief_writing_the_run(data, tmp_path):
    out = tmp_path / "run"
    _train_on_two_workers(data, out, epochs=1)
    run = RunDir(out)
    summary = json.loads(run.summary.read_text())
    assert summary["strategy"] == "CollectiveAllReduceStrategy" and summary["replicas"] == 2
    assert run.read_state().epoch == 1 and run.model.is_file() and run.has_checkpoint()
    _train_on_two_workers(data, out, epochs=2)  # both workers resume from the chief's checkpoint
    assert run.read_state().epoch == 2
    # one optimizer step per global batch (25 examples, batches of 8 per worker): no empty extra step
    iterations = keras.models.load_model(run.last_checkpoint).optimizer.iterations
    assert int(keras.ops.convert_to_numpy(iterations)) == 2 * math.ceil(25 / 16)
    assert [row["epoch"] for row in run.read_history()] == [0, 1]
    assert json.loads(run.summary.read_text())["resumed_from_epoch"] == 1
    assert not list(out.glob(".tmp-*")) and not list(run.checkpoints.glob(".tmp-*"))


MIRRORED_SCRIPT = """
import sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from baseline_model.training import distribute, trainer

# what choose_strategy returns on a machine with two GPUs
distribute.choose_strategy = lambda: tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
summary = trainer.train(sys.argv[1], sys.argv[2], overrides=sys.argv[3:], epochs=2, progress=False)
print(summary.strategy, summary.replicas, summary.epochs_completed)
"""


def test_mirrored_strategy_over_two_devices_trains(data, tmp_path):
    """Uneven last batches (3 val examples over 2 replicas) and dict inputs with strings."""
    out = tmp_path / "run"
    done = subprocess.run([sys.executable, "-c", MIRRORED_SCRIPT, str(data), str(out), *TINY_SETS],
                          capture_output=True, text=True, timeout=400,
                          env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path), "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split()[-3:] == ["MirroredStrategy", "2", "2"]
    iterations = keras.models.load_model(RunDir(out).last_checkpoint).optimizer.iterations
    assert int(keras.ops.convert_to_numpy(iterations)) == 2 * math.ceil(25 / 16)
