"""A token bucket shared by all workers: at most ``rate`` requests per second, no bursts."""

from __future__ import annotations

import threading
import time


class TokenBucket:
    """``acquire`` blocks until a request may start. The bucket holds at most ``burst`` tokens
    (one by default), so the cap holds from the first request on, not only on average."""

    def __init__(self, rate: float, burst: float = 1.0, clock=time.monotonic):
        if rate <= 0:
            raise ValueError(f"`rate` must be > 0, got {rate}")
        if burst < 1:
            raise ValueError(f"`burst` must be >= 1, got {burst}")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._tokens = burst
        self._updated = clock()
        self._lock = threading.Lock()

    def _take(self) -> float:
        """Take a token and return 0, or return how long to wait for one."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
            self._updated = now
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Wait for a token; ``False`` if ``stop`` was set while waiting."""
        while True:
            wait = self._take()
            if wait == 0:
                return True
            if stop is None:
                time.sleep(wait)
            elif stop.wait(wait):
                return False
