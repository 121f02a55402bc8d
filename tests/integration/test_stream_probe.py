"""``has_events_after``: the API's per-request question "has this token changed?", asked on
each thread's own connection, sees every commit made before it, by any process, and keeps
answering when its connection is lost (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timezone

import psycopg
import pytest

from domain.application import Touchline
from projections.storage import storage_from_url
from projections.streams import has_events_after

NOW = datetime(2026, 3, 2, 9, tzinfo=timezone.utc)


def test_a_change_saved_by_another_process_is_seen_by_the_next_question(
        stored_app: Touchline, new_instance: Callable[[], Touchline]) -> None:
    customer = stored_app.register_customer(name="Ada", occurred_at=NOW, actor="user:a")
    assert has_events_after(stored_app.recorder, customer.id, customer.version) is False
    other = new_instance()
    other.change_customer_details(customer.id, name="Ada King", occurred_at=NOW, actor="user:b")
    assert has_events_after(stored_app.recorder, customer.id, customer.version) is True
    assert has_events_after(stored_app.recorder, customer.id, customer.version + 1) is False


def test_each_thread_gets_the_same_answers(stored_app: Touchline) -> None:
    customer = stored_app.register_customer(name="Ada", occurred_at=NOW, actor="user:a")
    answers: list[tuple[bool, bool]] = []

    def ask() -> None:
        answers.append((has_events_after(stored_app.recorder, customer.id, 0),
                        has_events_after(stored_app.recorder, customer.id, customer.version)))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert answers == [(True, False)] * 4


@pytest.mark.postgres
def test_a_lost_postgresql_connection_is_replaced_and_the_answer_still_given(fresh_postgres_url: str) -> None:
    stored_app = Touchline(env=storage_from_url(fresh_postgres_url).event_store_env)
    customer = stored_app.register_customer(name="Ada", occurred_at=NOW, actor="user:a")
    assert has_events_after(stored_app.recorder, customer.id, 0) is True
    probe = stored_app.recorder._probe_connections.pg  # type: ignore[attr-defined]
    with psycopg.connect(fresh_postgres_url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (probe.info.backend_pid,))
    assert has_events_after(stored_app.recorder, customer.id, 0) is True  # through the pool, this once
    assert has_events_after(stored_app.recorder, customer.id, customer.version) is False
    replaced = stored_app.recorder._probe_connections.pg  # type: ignore[attr-defined]
    assert replaced is not None and replaced is not probe and not replaced.closed
    stored_app.close()
