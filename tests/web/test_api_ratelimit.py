"""The per-token rate limit: a GCRA bucket shared through the read-model database by every
process serving the API, spent locally in leases sized by demand."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from projections.api_state import create_api_tables, lease_requests
from projections.engine import create_views_engine
from projections.storage import storage_from_url
from tests.web.conftest import ApiClient, build_api
from web.api.ratelimit import LEASE_SECONDS, MemoryBucket, RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def views(database_url: str) -> Iterator[sa.Engine]:
    engine = create_views_engine(storage_from_url(database_url).views_url)
    create_api_tables(engine)
    yield engine
    engine.dispose()


def lease(engine: sa.Engine, now: float, wanted: int, *, interval: float = 1.0, burst: int = 3) -> tuple[int, float]:
    with engine.begin() as conn:
        return lease_requests(conn, "t1", now=now, interval=interval, burst=burst, wanted=wanted)


def test_a_full_bucket_gives_its_burst_then_one_request_per_interval(views: sa.Engine) -> None:
    assert lease(views, 100.0, 2) == (2, 0.0)
    assert lease(views, 100.0, 5) == (1, 0.0)  # only the third of the burst was left
    granted, wait = lease(views, 100.0, 1)
    assert granted == 0 and wait == pytest.approx(1.0)
    assert lease(views, 100.5, 1)[0] == 0
    assert lease(views, 101.0, 1) == (1, 0.0)  # one interval later, one more
    assert lease(views, 110.0, 9) == (3, 0.0)  # refilled, never above the burst


def test_two_processes_share_one_bucket(database_url: str, clock: FixedClock) -> None:
    first = build_api(database_url, clock, API_RATE_LIMIT=60, API_RATE_BURST=3)
    second = build_api(database_url, clock, API_RATE_LIMIT=60, API_RATE_BURST=3)
    try:
        token = first.full  # the same token, used through both (as by two workers)
        codes = [first.get("/api/v1/customers", token=token).status_code,
                 second.get("/api/v1/customers", token=token).status_code,
                 first.get("/api/v1/customers", token=token).status_code,
                 second.get("/api/v1/customers", token=token).status_code]
        assert codes == [200, 200, 200, 429]
    finally:
        second.services.close()
        first.services.close()


def memory_limiter(burst: int, clock: Clock, per_minute: float = 60) -> tuple[RateLimiter, list[int]]:
    """A limiter over a bucket kept in memory (the same GCRA step as the shared one), noting
    what each trip to it asked for."""
    asked: list[int] = []
    bucket = MemoryBucket()

    def counting(key: str, now: float, interval: float, burst_: int, wanted: int) -> tuple[int, float]:
        asked.append(wanted)
        return bucket(key, now, interval, burst_, wanted)

    return RateLimiter(per_minute, burst, counting, clock=clock), asked


def test_a_busy_token_asks_the_bucket_for_ever_larger_leases_up_to_a_quarter_of_its_burst() -> None:
    clock = Clock()
    limiter, asked = memory_limiter(burst=100, clock=clock, per_minute=6000)
    for _ in range(60):
        assert limiter.take("t") == 0
    assert asked == [1, 2, 4, 8, 16, 25, 25]  # 60 requests, 7 trips to the bucket


def test_a_lease_that_runs_out_of_time_is_dropped_and_the_next_is_sized_by_what_was_used() -> None:
    clock = Clock()
    limiter, asked = memory_limiter(burst=100, clock=clock, per_minute=6000)
    for _ in range(8):  # leases of 1, 2 and 4 used up, then one of 8, of which 1 is used
        limiter.take("t")
    clock.now += LEASE_SECONDS  # the lease of 8 runs out of time
    limiter.take("t")
    assert asked == [1, 2, 4, 8, 1]


def test_with_a_small_burst_every_request_is_counted_in_the_shared_bucket() -> None:
    clock = Clock()
    limiter, asked = memory_limiter(burst=3, clock=clock)
    waits = [limiter.take("t") for _ in range(4)]
    assert waits[:3] == [0, 0, 0] and waits[3] == pytest.approx(1.0)
    assert asked == [1, 1, 1, 1]


def test_a_failing_store_lets_requests_through_and_says_so(caplog: pytest.LogCaptureFixture) -> None:
    def broken(*_: object) -> tuple[int, float]:
        raise sa.exc.OperationalError("UPDATE", {}, Exception("database is locked"))

    assert RateLimiter(60, 3, broken, clock=Clock()).take("t") == 0
    assert "could not be checked" in caplog.text


def test_a_token_over_its_limit_in_one_process_is_over_it_in_another(tmp_path: Path, clock: FixedClock) -> None:
    url = f"sqlite:///{tmp_path / 'rl.db'}"
    first: ApiClient = build_api(url, clock, API_RATE_LIMIT=60, API_RATE_BURST=2)
    second: ApiClient = build_api(url, clock, API_RATE_LIMIT=60, API_RATE_BURST=2)
    try:
        assert [first.get("/api/v1/customers", token=first.full).status_code for _ in range(3)] == [200, 200, 429]
        refused = second.get("/api/v1/customers", token=first.full)
        assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    finally:
        second.services.close()
        first.services.close()


def test_threads_of_one_process_share_its_lease_instead_of_each_asking_the_bucket() -> None:
    clock = Clock()
    limiter, asked = memory_limiter(burst=4000, clock=clock, per_minute=600_000)
    start = threading.Barrier(8)

    def work() -> None:
        start.wait()
        for _ in range(100):
            assert limiter.take("t") == 0

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sum(asked) >= 800 and len(asked) <= 12  # 1, 2, 4 ... 256, 256: not one trip per thread
