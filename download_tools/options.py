"""Everything a download run can be told, checked once: defaults, limits, headers and shards."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mmvideo import __version__

DEFAULT_WORKERS = 16
MAX_WORKERS = 256
DEFAULT_RETRIES = 5
MAX_RETRIES = 50
DEFAULT_TIMEOUT_S = 30.0
DEFAULT_MAX_BYTES = 200 * 1000 * 1000
DEFAULT_BACKOFF_S = 1.0
# A server asking for a longer pause than this is waited for this long, then asked again.
MAX_RETRY_AFTER_S = 60.0
# The real CDN refuses hot-links: clips and covers are only served with the site as Referer.
DEFAULT_REFERER = "https://www.xinpianchang.com/"
USER_AGENT = f"mmvideo/{__version__} (short-video corpus downloader)"

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count``: the ids whose sha1 falls in it, the same on every machine."""

    index: int
    count: int

    def __post_init__(self):
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ValueError(f"shard must be I/N with 0 <= I < N, got {self.index}/{self.count}")

    def contains(self, mp4_id: str) -> bool:
        digest = hashlib.sha1(mp4_id.encode("utf-8")).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str | Shard) -> Shard:
    """``"1/4"`` -> ``Shard(1, 4)``; ``ValueError`` showing the text otherwise."""
    if isinstance(text, Shard):
        return text
    match = _SHARD.match(text) if isinstance(text, str) else None
    if not match:
        raise ValueError(f"shard must look like I/N (e.g. 0/4), got {text!r}")
    return Shard(int(match.group(1)), int(match.group(2)))


def parse_header(text: str) -> tuple[str, str]:
    """``"Name: value"`` -> ``(name, value)``; an empty value means "do not send this header"."""
    name, colon, value = text.partition(":") if isinstance(text, str) else ("", "", "")
    name, value = name.strip(), value.strip()
    if not colon or not _HEADER_NAME.match(name):
        raise ValueError(f'header must look like "Name: value", got {text!r}')
    if any(char in value for char in "\r\n\0"):
        raise ValueError(f"header value must be one line, got {text!r}")
    return name, value


def build_headers(extra: Iterable[str] | Mapping[str, str] = ()) -> dict[str, str]:
    """The request headers: the defaults, then ``extra`` adding or overriding (case-insensitive)."""
    headers = {"User-Agent": USER_AGENT, "Referer": DEFAULT_REFERER, "Accept-Encoding": "identity"}
    pairs = extra.items() if isinstance(extra, Mapping) else (parse_header(text) for text in extra)
    for name, value in pairs:
        name, value = parse_header(f"{name}: {value}")
        for known in [key for key in headers if key.lower() == name.lower()]:
            del headers[known]
        if value:
            headers[name] = value
    return headers


def _check_range(name: str, value, low, high=None) -> None:
    """``value`` must be a number in ``[low, high]``, and an integer when ``low`` is one."""
    kinds = int if isinstance(low, int) else int | float
    if isinstance(value, bool) or not isinstance(value, kinds) or value < low or (high and value > high):
        what = "an integer" if isinstance(low, int) else "a number"
        bound = f"{what} in [{low}, {high}]" if high else f"{what} >= {low}"
        raise ValueError(f"`{name}` must be {bound}, got {value!r}")


@dataclass(frozen=True)
class DownloadOptions:
    """The keyword options of :func:`download_tools.download`, validated at construction."""

    categories: tuple[str, ...] = ()
    limit_per_category: int | None = None
    ids: Iterable[str] | None = None
    ids_file: str | Path | None = None
    shard: Shard | str | None = None
    workers: int = DEFAULT_WORKERS
    rate: float | None = None
    retries: int = DEFAULT_RETRIES
    timeout: float = DEFAULT_TIMEOUT_S
    headers: Iterable[str] | Mapping[str, str] = ()
    max_bytes: int = DEFAULT_MAX_BYTES
    verify_decode: bool = False
    backoff_base: float = DEFAULT_BACKOFF_S
    max_retry_after: float = MAX_RETRY_AFTER_S
    progress: Callable[[int, int, int], None] | None = None
    request_headers: dict[str, str] = field(init=False)

    def __post_init__(self):
        if isinstance(self.categories, str):
            object.__setattr__(self, "categories", (self.categories,))
        object.__setattr__(self, "categories", tuple(self.categories or ()))
        if self.limit_per_category is not None:
            _check_range("limit_per_category", self.limit_per_category, 1)
        if self.shard is not None:
            object.__setattr__(self, "shard", parse_shard(self.shard))
        _check_range("workers", self.workers, 1, MAX_WORKERS)
        if self.rate is not None:
            _check_range("rate", self.rate, 0.001)
        _check_range("retries", self.retries, 0, MAX_RETRIES)
        _check_range("timeout", self.timeout, 0.01)
        _check_range("max_bytes", self.max_bytes, 1)
        _check_range("backoff_base", self.backoff_base, 0.0)
        _check_range("max_retry_after", self.max_retry_after, 0.0)
        if isinstance(self.ids, str):
            raise ValueError(f"`ids` must be a collection of ids (use `ids_file` for a file), got {self.ids!r}")
        object.__setattr__(self, "request_headers", build_headers(self.headers))
