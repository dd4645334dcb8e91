"""Beam's SDK worker process, for ``prepare``'s local runs, without its start-up chatter.

Beam's stock worker (``python -m apache_beam.runners.worker.sdk_worker_main``) lets its imports
configure a stderr handler, so every worker prints "apitools not found ..." and "Logging handler
created." on the user's terminal. The worker sends its log records to the driver over Beam's
logging service anyway; here stderr only gets errors (and what a crash prints by itself).
"""

from __future__ import annotations

import logging
import shlex
import sys


def command_line() -> str:
    """The shell command that starts this worker with the running interpreter."""
    return f"{shlex.quote(sys.executable)} -m {__name__}"


def main() -> None:
    handler = logging.StreamHandler()
    handler.setLevel(logging.ERROR)
    # Root has a handler before Beam's imports log: their implicit basicConfig does nothing.
    logging.basicConfig(handlers=[handler], format="%(levelname)s:%(name)s:%(message)s")
    from apache_beam.runners.worker import sdk_worker_main

    sdk_worker_main.main(sys.argv)


if __name__ == "__main__":
    main()
