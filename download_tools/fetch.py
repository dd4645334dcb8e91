"""Fetcher stage: one URL -> its body in a partial file, or an error value; retries with backoff.

Retried: connection errors, timeouts (per read), 5xx, 429 (its ``Retry-After`` honoured, capped)
and truncated bodies. Not retried: other 4xx (403/404/410 ...), bodies that are not what was asked
for, bodies over the size cap, non-http(s) URLs and redirects to them. Redirects are followed by
hand (at most :data:`MAX_REDIRECTS`) so that every hop's scheme is checked before it is requested.
"""

from __future__ import annotations

import email.utils
import logging
import os
import random
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from requests.adapters import HTTPAdapter

from download_tools.options import DownloadOptions
from download_tools.ratelimit import TokenBucket
from download_tools.validate import HEAD_BYTES, check_content_type, check_magic

logger = logging.getLogger(__name__)

MAX_REDIRECTS = 5
MAX_BACKOFF_S = 60.0
CHUNK_BYTES = 256 << 10
# Distinct hosts whose connection pools are kept (clips and covers sit on a few CDN hosts).
POOL_HOSTS = 8
INTERRUPTED = "interrupted"
ALLOWED_SCHEMES = ("http", "https")


@dataclass(frozen=True)
class FetchResult:
    """What one URL gave: ``code`` is ``"ok"`` or the reason it failed after ``attempts`` tries."""

    code: str
    detail: str = ""
    bytes: int = 0
    attempts: int = 0
    url: str = ""

    @property
    def ok(self) -> bool:
        return self.code == "ok"


@dataclass(frozen=True)
class _Try:
    """The outcome of one attempt (redirect hops included)."""

    code: str
    detail: str = ""
    retry: bool = False
    retry_after: float | None = None
    bytes: int = 0


def backoff_delay(attempt: int, base: float, rng: random.Random | None = None) -> float:
    """Seconds before retry ``attempt`` (1, 2, ...): exponential, capped, with jitter in [50%, 100%]."""
    return min(MAX_BACKOFF_S, base * 2 ** (attempt - 1)) * (rng or random).uniform(0.5, 1.0)


def parse_retry_after(value: str | None, cap: float, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), within ``[0, cap]``."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(cap, max(0.0, seconds))


def check_url(url: str) -> tuple[str, str] | None:
    """``None`` for an absolute http(s) URL with a host, else ``("bad_url", detail)``."""
    try:
        parts = urlsplit(url)
    except ValueError as error:
        return "bad_url", f"unparsable URL {url[:200]!r}: {error}"
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        return "bad_url", f"only http(s) URLs are fetched, got {url[:200]!r}"
    return None


def _request_error(error: requests.RequestException) -> _Try:
    detail = f"{type(error).__name__}: {error}"[:300]
    if isinstance(error, requests.Timeout):
        return _Try("timeout", detail, retry=True)
    if isinstance(error, requests.exceptions.ChunkedEncodingError):
        return _Try("truncated", detail, retry=True)
    if isinstance(error, requests.ConnectionError):
        cause = error.args[0] if error.args else None
        timed_out = isinstance(cause, urllib3.exceptions.ReadTimeoutError)
        return _Try("timeout" if timed_out else "connection_error", detail, retry=True)
    if isinstance(error, requests.exceptions.InvalidURL | requests.exceptions.InvalidSchema |
                  requests.exceptions.MissingSchema | requests.exceptions.InvalidHeader):
        return _Try("bad_url", detail)
    return _Try("request_error", detail, retry=True)


def _content_length(response: requests.Response) -> int | None:
    value = response.headers.get("content-length", "")
    return int(value) if value.strip().isdigit() else None


def build_session(headers: dict[str, str], workers: int) -> requests.Session:
    """A session whose connection pools hold one connection per worker and that never retries
    or redirects on its own (the fetcher does both, with its own checks)."""
    session = requests.Session()
    session.headers.clear()
    session.headers.update(headers)
    adapter = HTTPAdapter(pool_connections=POOL_HOSTS, pool_maxsize=workers, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Fetcher:
    """Fetches URLs into files for all workers: one pooled session, one rate limiter."""

    def __init__(self, options: DownloadOptions, stop: threading.Event):
        self.options = options
        self.stop = stop
        self.session = build_session(options.request_headers, options.workers)
        self.limiter = TokenBucket(options.rate) if options.rate else None

    def close(self) -> None:
        self.session.close()

    def fetch(self, url: str, part: str, dest: Path) -> FetchResult:
        """Fetch ``url`` (a ``part``: ``mp4`` or ``cover``) into ``dest``, fsynced; never raises
        for network or content problems (they come back as the result's ``code``)."""
        problem = check_url(url)
        if problem:
            return FetchResult(*problem, url=url)
        attempts = 0
        while True:
            attempts += 1
            outcome = self._try(url, part, dest)
            if outcome.code == "ok" or not outcome.retry or attempts > self.options.retries:
                return FetchResult(outcome.code, outcome.detail, outcome.bytes, attempts, url)
            delay = outcome.retry_after
            if delay is None:
                delay = backoff_delay(attempts, self.options.backoff_base)
            logger.debug("%s: %s, retry %d in %.2f s", url, outcome.code, attempts, delay)
            if self.stop.wait(delay):
                return FetchResult(INTERRUPTED, "stopped", 0, attempts, url)

    def _try(self, url: str, part: str, dest: Path) -> _Try:
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            waited = self.limiter.acquire(self.stop) if self.limiter is not None else True
            if not waited or self.stop.is_set():
                return _Try(INTERRUPTED, "stopped")
            timeout = (self.options.timeout, self.options.timeout)
            try:
                response = self.session.get(current, stream=True, timeout=timeout, allow_redirects=False)
            except requests.RequestException as error:
                return _request_error(error)
            except ValueError as error:  # a URL that http.client itself refuses
                return _Try("bad_url", str(error)[:300])
            with response:
                if not response.is_redirect:
                    return self._read(response, part, dest)
                target = urljoin(current, response.headers["location"])
            if check_url(target):
                return _Try("redirect_refused", f"redirect from {current[:200]!r} to {target[:200]!r}")
            current = target
        return _Try("too_many_redirects", f"more than {MAX_REDIRECTS} redirects from {url[:200]!r}")

    def _read(self, response: requests.Response, part: str, dest: Path) -> _Try:
        status = response.status_code
        if status == 429 or status >= 500:
            wait = parse_retry_after(response.headers.get("retry-after"), self.options.max_retry_after)
            return _Try(f"http_{status}", response.reason or "", retry=True, retry_after=wait)
        if status != 200:
            return _Try(f"http_{status}", response.reason or "")
        problem = check_content_type(part, response.headers.get("content-type"))
        if problem:
            return _Try(*problem)
        cap = self.options.max_bytes
        length = _content_length(response)
        if length is not None and length > cap:
            return _Try("too_large", f"Content-Length {length} is over the {cap} byte cap")
        encoded = response.headers.get("content-encoding", "identity").strip().lower() != "identity"
        total, head = 0, b""
        try:
            with open(dest, "wb") as handle:
                for chunk in response.iter_content(CHUNK_BYTES):
                    if self.stop.is_set():
                        return _Try(INTERRUPTED, "stopped")
                    total += len(chunk)
                    if total > cap:
                        return _Try("too_large", f"body is over the {cap} byte cap")
                    if len(head) < HEAD_BYTES:
                        head += chunk[: HEAD_BYTES - len(head)]
                        problem = check_magic(part, head) if len(head) >= HEAD_BYTES else None
                        if problem:
                            return _Try(*problem)
                    handle.write(chunk)
                problem = check_magic(part, head) if len(head) < HEAD_BYTES else None
                if problem:
                    return _Try(*problem)
                if length is not None and not encoded and total < length:
                    return _Try("truncated", f"{total} of {length} bytes", retry=True)
                handle.flush()
                os.fsync(handle.fileno())
        except requests.RequestException as error:
            return _request_error(error)
        except OSError as error:
            return _Try("write_error", f"{dest.name}: {error.strerror or error}")
        return _Try("ok", bytes=total)
