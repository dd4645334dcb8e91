"""The ``mmvideo`` command: registers one module per subcommand and turns errors into one line."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import os
import signal
import sys
import threading

from mmvideo import __version__
from mmvideo.cli.common import CommandError, setup_logging

# Each name is a module in mmvideo.cli.commands with ``register(subparsers)`` and ``run(args) -> int``.
COMMANDS = ("synth", "stats", "download", "prepare", "train", "evaluate", "predict", "export", "demo")

logger = logging.getLogger("mmvideo")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mmvideo",
        description="Classify short videos from their description text, cover image and frames.",
    )
    parser.add_argument("--version", action="version", version=f"mmvideo {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"mmvideo.cli.commands.{name}").register(subparsers)
    return parser


# Commands that import TensorFlow in this process whatever their input.
TENSORFLOW_COMMANDS = frozenset({"train", "evaluate", "predict", "export", "demo"})

EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # 128 + SIGTERM


@contextlib.contextmanager
def terminate_as_interrupt(received: list):
    """SIGTERM (a batch scheduler, ``kill``, a container stop) stops a command the way Ctrl-C
    does -- the same clean-up, the same resumable state -- and is noted in ``received``."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        received.append(signum)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def import_tensorflow_quietly() -> None:
    """Import TensorFlow with file descriptor 2 on /dev/null: its C++ start-up lines (oneDNN,
    CUDA probing) are logged through absl before ``TF_CPP_MIN_LOG_LEVEL`` applies. A failing
    import still raises, and its Python error is printed after stderr is back."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        import tensorflow  # noqa: F401
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def main(argv: list[str] | None = None) -> int:
    received: list[int] = []
    with terminate_as_interrupt(received):
        code = _run(argv)
    return EXIT_TERMINATED if received and code == EXIT_INTERRUPTED else code


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.verbose)
    # TensorFlow's C++ start-up notes (CUDA probing, oneDNN, graph attributes) say nothing a user
    # can act on; at -vv they are kept. Set before any command imports TensorFlow.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "0" if args.verbose >= 2 else "3")
    if args.command in TENSORFLOW_COMMANDS and args.verbose < 2:
        import_tensorflow_quietly()
    debug = bool(os.environ.get("MMVIDEO_DEBUG"))
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print(f"mmvideo {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # Output piped into e.g. `head` that stopped reading: not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except CommandError as error:
        print(f"mmvideo {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except (ValueError, OSError) as error:
        # A bad file or argument that slipped past the command's own checks: still one line, no
        # traceback (set MMVIDEO_DEBUG=1 to see it).
        if debug:
            raise
        print(f"mmvideo {args.command}: error: {one_line(error)}", file=sys.stderr)
        return 1


MAX_ERROR_CHARS = 400


def one_line(error: BaseException) -> str:
    """The first line of ``error``'s message, at most ``MAX_ERROR_CHARS`` long: messages of the
    libraries underneath can hold whole tensors."""
    text = str(error).strip() or type(error).__name__
    first = text.splitlines()[0]
    if first == text and len(text) <= MAX_ERROR_CHARS:
        return text
    return f"{first[:MAX_ERROR_CHARS].rstrip()} ... (MMVIDEO_DEBUG=1 shows all of it)"


if __name__ == "__main__":
    sys.exit(main())
