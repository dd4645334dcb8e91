"""What every subcommand shares: errors as one line, the debug switch."""

import pytest

from mmvideo.cli import main as cli_main
from mmvideo.cli.commands import stats


def _failing_with(error):
    def run(args):
        raise error

    return run


def test_a_library_error_is_one_short_line(tmp_path, monkeypatch, capsys):
    message = "Attempt to convert a value ({'text': PerReplica:{\n" + "  [1, 2, 3],\n" * 5000 + "})"
    monkeypatch.setattr(stats, "run", _failing_with(ValueError(message)))
    assert cli_main.main(["stats", str(tmp_path)]) == 1
    error = capsys.readouterr().err
    assert len(error.splitlines()) == 1 and len(error) < cli_main.MAX_ERROR_CHARS + 100
    assert error.startswith("mmvideo stats: error: Attempt to convert a value") and "MMVIDEO_DEBUG=1" in error


def test_a_short_error_is_printed_whole_and_debug_raises(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(stats, "run", _failing_with(OSError("disk full")))
    assert cli_main.main(["stats", str(tmp_path)]) == 1
    assert capsys.readouterr().err == "mmvideo stats: error: disk full\n"
    monkeypatch.setenv("MMVIDEO_DEBUG", "1")
    with pytest.raises(OSError, match="disk full"):
        cli_main.main(["stats", str(tmp_path)])


def test_tensorflow_start_up_lines_stay_off_stderr(tmp_path):
    """TensorFlow logs oneDNN / CUDA notes through absl at import, whatever TF_CPP_MIN_LOG_LEVEL
    says: a command that imports it prints only its own line."""
    import os
    import subprocess
    import sys

    missing = tmp_path / "missing"
    done = subprocess.run([sys.executable, "-m", "mmvideo.cli.main", "evaluate", str(missing)],
                          capture_output=True, text=True, timeout=300,
                          env=os.environ | {"PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 2
    assert done.stderr == f"mmvideo evaluate: error: run not found: {missing} is not a directory\n"
