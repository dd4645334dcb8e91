"""The README's commands stay true: every `mmvideo ...` line parses, its config keys and plugins
exist, every `make` target is in the Makefile."""

import re
import shlex
from pathlib import Path

import pytest

from baseline_model.training.config import resolve_config
from baseline_model.training.plugin import load_model_fn
from mmvideo.cli.main import build_parser

REPO = Path(__file__).resolve().parents[1]
ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def shell_commands() -> list[list[str]]:
    """Each command line of the README's ``sh`` blocks as words (continuations joined, comments,
    environment assignments and shell variables dealt with)."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line.replace("$i", "0"), comments=True)
            while words and ENV_ASSIGNMENT.match(words[0]):
                words = words[1:]
            if words:
                commands.append(words)
    return commands


COMMANDS = shell_commands()
MMVIDEO = [words[1:] for words in COMMANDS if words[0] == "mmvideo"]


def test_the_readme_shows_every_subcommand():
    shown = {argv[0] for argv in MMVIDEO}
    assert {"synth", "stats", "download", "prepare", "train", "evaluate", "predict", "export"} <= shown


@pytest.mark.parametrize("argv", MMVIDEO, ids=[" ".join(argv)[:60] for argv in MMVIDEO])
def test_a_readme_mmvideo_line_parses(argv):
    if "[" in " ".join(argv):  # a synopsis (`[--frames 8]`): its options must exist
        usage = build_parser()._subparsers._group_actions[0].choices[argv[0]].format_usage()
        for option in re.findall(r"--[a-z-]+", " ".join(argv)):
            assert option in usage, option
        return
    args = build_parser().parse_args(argv)
    if args.command == "train":
        resolve_config(overrides=tuple(args.overrides), modalities=args.modalities)
        if args.model_fn:
            load_model_fn(args.model_fn)


def test_make_targets_in_the_readme_exist():
    targets = set(re.findall(r"^([a-z-]+):", (REPO / "Makefile").read_text(), flags=re.M))
    shown = {words[1] for words in COMMANDS if words[0] == "make"}
    assert shown and shown <= targets
