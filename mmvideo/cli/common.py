"""What every subcommand shares: user-facing errors, logging set-up and progress bars."""

from __future__ import annotations

import argparse
import logging
import sys
from contextlib import contextmanager


class CommandError(Exception):
    """A user mistake or bad input: printed as one line, exit code ``exit_code``."""

    def __init__(self, message: str, exit_code: int = 2):
        super().__init__(message)
        self.exit_code = exit_code


def int_at_least(minimum: int):
    """An argparse ``type``: an integer >= ``minimum``; anything else is a usage error naming it."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}, got {value}")
        return value

    parse.__name__ = "integer"  # what argparse names in "invalid integer value"
    return parse


def setup_logging(verbosity: int) -> None:
    """WARNING by default, INFO with ``-v``, DEBUG with ``-vv``; library modules log, the CLI prints."""
    level = logging.WARNING if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)


def show_progress(quiet: bool) -> bool:
    """Progress bars only for a person at a terminal."""
    return not quiet and sys.stderr.isatty()


@contextmanager
def progress_bar(total: int | None, description: str, enabled: bool, unit: str = "it"):
    """A tqdm bar with rate and ETA when ``enabled``; otherwise an object whose ``update`` does nothing."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=description, unit=unit, disable=not enabled, dynamic_ncols=True, leave=False)
    try:
        yield bar
    finally:
        bar.close()
