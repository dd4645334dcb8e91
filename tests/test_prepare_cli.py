"""``mmvideo prepare`` on the injected corpus: the printed summary, reruns, refused settings, bad usage."""

from pathlib import Path

import pytest
from prepare_fixtures import FRAMES, SIZE, _info, shared_corpus

from mmvideo.cli.main import main


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return shared_corpus(tmp_path_factory)


def test_cli_prints_a_summary_then_finished_then_refuses_other_settings(corpus, tmp_path, capfd):
    """capfd: the worker processes' stderr too, which must stay free of Beam's start-up chatter."""
    out = str(tmp_path / "data")
    base = ["prepare", str(corpus), "--out", out, "--frames", str(FRAMES), "--size", str(SIZE), "--quiet"]
    assert main([*base, "--workers", "2"]) == 0
    printed, errors = capfd.readouterr()
    assert errors == ""
    assert "prepared 42 examples from 45 videos" in printed and "videos/s" in printed
    assert "failed 4:" in printed and "empty_file 1" in printed and "kept without cover: 2" in printed
    assert main([*base, "--workers", "1"]) == 0
    assert "already prepared" in capfd.readouterr().out
    assert main([*base, "--frames", "2"]) == 2
    error = capfd.readouterr().err.strip()
    assert "--overwrite" in error and "frames 4 != 2" in error and len(error.splitlines()) == 1
    assert main([*base, "--frames", "2", "--overwrite", "--workers", "1"]) == 0
    assert _info(Path(out))["frames"] == 2


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--val-fraction", "0.6", "--test-fraction", "0.5"], "must be < 1"),
        (["--beam-option", "=oops"], "KEY=VALUE"),
    ],
)
def test_cli_bad_usage_is_one_line_and_exit_2(corpus, tmp_path, capsys, extra, message):
    assert main(["prepare", str(corpus), "--out", str(tmp_path / "d"), "--quiet", *extra]) == 2
    error = capsys.readouterr().err.strip()
    assert message in error and len(error.splitlines()) == 1


def test_cli_missing_root_is_exit_2(tmp_path, capsys):
    assert main(["prepare", str(tmp_path / "nowhere"), "--out", str(tmp_path / "d"), "--quiet"]) == 2
    assert "is not a directory" in capsys.readouterr().err
