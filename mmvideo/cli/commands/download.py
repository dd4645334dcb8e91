"""``mmvideo download MANIFEST --out ROOT [...]``: fetch clips, covers and descriptions.

Exit 0 when every selected item is ok or already present, 3 when some failed (listed in
``ROOT/download_log.jsonl``), 2 for bad usage or an unreadable manifest, 130 on Ctrl-C, 143 on SIGTERM.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from mmvideo.cli.common import CommandError, progress_bar, show_progress

EXIT_FAILED = 3
EXIT_INTERRUPTED = 130


def _shard(text: str):
    from download_tools.options import parse_shard

    try:
        return parse_shard(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _header(text: str) -> str:
    from download_tools.options import parse_header

    try:
        parse_header(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    return text


def register(subparsers) -> None:
    from download_tools.options import DEFAULT_MAX_BYTES, DEFAULT_RETRIES, DEFAULT_TIMEOUT_S, DEFAULT_WORKERS

    parser = subparsers.add_parser(
        "download", help="fetch clips, covers and descriptions of a manifest into ROOT/<Category>/<id>/"
    )
    parser.add_argument("manifest", type=Path, help="corpus metadata: JSON lines, a JSON array or CSV")
    parser.add_argument("--out", type=Path, required=True, metavar="ROOT", help="folder to download into")
    parser.add_argument("--categories", nargs="+", default=(), metavar="C",
                        help="only these categories (English or Chinese names)")
    parser.add_argument("--limit-per-category", type=int, metavar="N",
                        help="only the first N items of each category, in manifest order")
    parser.add_argument("--ids", type=Path, metavar="FILE", help="only the ids listed in FILE, one a line")
    parser.add_argument("--shard", type=_shard, metavar="I/N",
                        help="only shard I of N (by a hash of the id): N machines split the work")
    parser.add_argument("--workers", type=int, default=DEFAULT_WORKERS, metavar="W",
                        help=f"parallel downloads ({DEFAULT_WORKERS})")
    parser.add_argument("--rate", type=float, metavar="R", help="at most R requests per second (no cap)")
    parser.add_argument("--retries", type=int, default=DEFAULT_RETRIES, metavar="R",
                        help=f"retries per URL on network errors, 5xx and 429 ({DEFAULT_RETRIES})")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S, metavar="S",
                        help=f"seconds to wait for a connection or a read ({DEFAULT_TIMEOUT_S:g})")
    parser.add_argument("--header", action="append", type=_header, default=[], metavar='"Name: value"',
                        help="add or override a request header ('Name:' removes a default); repeatable")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="B",
                        help=f"refuse bodies larger than B bytes ({DEFAULT_MAX_BYTES})")
    parser.add_argument("--verify-decode", action="store_true",
                        help="also decode each clip's first frame (PyAV) and verify each cover (Pillow)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(run=run)


def run(args) -> int:
    from download_tools import download

    options = dict(
        categories=tuple(args.categories),
        limit_per_category=args.limit_per_category,
        ids_file=args.ids,
        shard=args.shard,
        workers=args.workers,
        rate=args.rate,
        retries=args.retries,
        timeout=args.timeout,
        headers=args.header,
        max_bytes=args.max_bytes,
        verify_decode=args.verify_decode,
    )
    with progress_bar(None, "downloading", show_progress(args.quiet), unit="item") as bar:

        def progress(done: int, total: int, fetched_bytes: int) -> None:
            if bar.total != total:
                bar.total = total
                bar.refresh()
            bar.set_postfix_str(f"{fetched_bytes / 1e6:.1f} MB", refresh=False)
            bar.update(done - bar.n)

        try:
            summary = download(args.manifest, args.out, progress=progress, **options)
        except KeyboardInterrupt as interrupt:
            bar.close()
            summary = getattr(interrupt, "summary", None)
            if summary is None:
                raise
            print(summary.format())
            return EXIT_INTERRUPTED
        except (ValueError, OSError) as error:
            # bad options, an unknown category, an unreadable manifest or ids file, an unusable ROOT
            raise CommandError(str(error)) from None
    print(summary.format())
    return EXIT_FAILED if summary.failed else 0
