"""A per-token rate limit shared by every process serving the API.

Each token may make ``per_minute`` requests a minute on average and ``burst`` at once. The
bucket is kept in the read-model database (``projections.api_state.lease_requests``), so
four worker processes allow what one does. Asking the database on every request would cost
more than recording a touchpoint, so a process takes requests from the bucket in leases and
spends them locally:

- a lease is sized by demand: one request at first, twice the last lease when that one was
  used up, what was used of it when it ran out of time; never more than a quarter of the
  burst (a token with a burst of 3 is counted exactly, request by request);
- requests leased and not used within ``LEASE_SECONDS`` are dropped, never handed back;

so processes together never exceed the limit, and a busy token costs one database write per
lease instead of one per request. ``bucket`` is that store; ``MemoryBucket`` keeps buckets
in the process instead (the public pages' per-address limits, which need not be shared).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from projections.api_state import take_from_bucket

Bucket = Callable[[str, float, float, int, int], tuple[int, float]]  # key, now, interval, burst, wanted
LEASE_SECONDS = 1.0
MAX_LEASE = 256
log = logging.getLogger(__name__)


@dataclass
class _Lease:
    left: int
    size: int
    expires: float


class MemoryBucket:
    """Buckets kept in this process: the same GCRA step as the shared ones."""

    def __init__(self) -> None:
        self._tats: dict[str, float] = {}
        self._lock = threading.Lock()

    def __call__(self, key: str, now: float, interval: float, burst: int, wanted: int) -> tuple[int, float]:
        with self._lock:
            granted, after = take_from_bucket(self._tats.get(key), now=now, interval=interval, burst=burst,
                                              wanted=wanted)
            if granted < 1:
                return 0, after
            self._tats[key] = after
            return granted, 0.0


class RateLimiter:
    def __init__(self, per_minute: float, burst: int, bucket: Bucket,
                 clock: Callable[[], float] = time.time) -> None:
        self.interval = 60.0 / per_minute if per_minute > 0 else math.inf
        self.burst = max(1, burst)
        self.clock = clock
        self.bucket = bucket
        self.max_lease = max(1, min(MAX_LEASE, self.burst // 4))
        self._leases: dict[str, _Lease] = {}
        self._lock = threading.Lock()
        self._leasing = threading.Lock()  # one trip to the bucket at a time; the others then use its lease

    def take(self, key: str) -> float:
        """Spend one request of ``key``: 0 when allowed, else the seconds to wait."""
        if self._spend(key, self.clock()):
            return 0.0
        with self._leasing:
            now = self.clock()
            if self._spend(key, now):  # another thread brought a lease meanwhile
                return 0.0
            with self._lock:
                wanted = self._next_size(self._leases.get(key))
            if self.interval == math.inf:
                return math.inf
            try:
                granted, wait = self.bucket(key, now, self.interval, self.burst, wanted)
            except Exception:  # the store failed: serve rather than refuse everyone (logged)
                log.exception("the rate limit could not be checked for token %s; the request is let through", key)
                return 0.0
            if granted < 1:
                return max(wait, 0.001)
            with self._lock:
                self._leases[key] = _Lease(left=granted - 1, size=granted, expires=now + LEASE_SECONDS)
            return 0.0

    def _spend(self, key: str, now: float) -> bool:
        with self._lock:
            lease = self._leases.get(key)
            if lease is not None and lease.left > 0 and now < lease.expires:
                lease.left -= 1
                return True
            return False

    def _next_size(self, lease: _Lease | None) -> int:
        if lease is None:
            return 1
        if lease.left == 0:  # used up in time: demand is at least this; ask for more
            return min(self.max_lease, lease.size * 2)
        return max(1, min(self.max_lease, lease.size - lease.left))  # ran out of time: what was used
