"""The data-key table under failure and concurrency, on SQLite and PostgreSQL: an erasure that
fails half-way destroys nothing, two processes that make a customer's first key at once agree
on one, a stale process cannot bring erased data back, and wrapped keys need their master key."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
import sqlalchemy as sa

from domain.application import Touchline
from domain.clock import FixedClock
from domain.customers.model import Customer
from domain.personal import ERASED
from projections.storage import storage_from_url
from web.services import build_services

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
AGENT = "user:agent-1"


def execute(url: str, *statements: str) -> list[tuple[object, ...]]:
    """Run statements on the event database directly (as an operator, or a failing disk, would)."""
    rows: list[tuple[object, ...]] = []
    if url.startswith("sqlite"):
        with sa.create_engine(f"sqlite:///{storage_from_url(url).event_store_env['SQLITE_DBNAME']}").begin() as conn:
            for statement in statements:
                result = conn.exec_driver_sql(statement.replace("touchline_events", "stored_events"))
                rows = [tuple(r) for r in result] if result.returns_rows else rows
        return rows
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in statements:
            cursor = conn.execute(statement)
            rows = [tuple(r) for r in cursor.fetchall()] if cursor.description else rows
    return rows


def customer(app: Touchline, name: str = "Ada Lovelace") -> UUID:
    found = app.register_customer(name=name, contact_points=[{"kind": "email", "value": "ada@example.com"}],
                                  occurred_at=T, actor=AGENT).id
    app.record_touchpoint(customer_id=found, channel="phone", direction="inbound", kind="inquiry",
                          subject="Printer on fire", occurred_at=T, actor=AGENT)
    return found


def key_rows(url: str, subject: UUID) -> list[tuple[object, ...]]:
    wanted = subject.hex if url.startswith("sqlite") else str(subject)
    return execute(url, f"SELECT data_key IS NULL, erased_at IS NOT NULL FROM touchline_events_keys "
                        f"WHERE subject_id = '{wanted}'")


def fail_key_updates(url: str) -> None:
    if url.startswith("sqlite"):
        execute(url, "CREATE TRIGGER boom BEFORE UPDATE ON touchline_events_keys BEGIN "
                     "SELECT RAISE(ABORT, 'disk on fire'); END")
    else:
        execute(url, "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS "
                     "$$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$",
                "CREATE TRIGGER boom BEFORE UPDATE ON touchline_events_keys FOR EACH ROW EXECUTE FUNCTION boom()")


def test_an_erasure_that_fails_at_the_key_leaves_no_erased_event(
        stored_app: Touchline, database_url: str, new_instance: Callable[[], Touchline]) -> None:
    ada = customer(stored_app)
    fail_key_updates(database_url)  # the key is destroyed after the event is inserted: fail right there
    with pytest.raises(Exception, match="disk on fire|constraint failed|changed by someone else"):
        stored_app.erase_customer(ada, reason="GDPR", occurred_at=T, actor=AGENT)
    fresh = new_instance().get_customer(ada)
    assert (fresh.erased, fresh.version, fresh.name) == (False, 1, "Ada Lovelace")
    assert key_rows(database_url, ada) == [(False, False)]


def test_two_processes_making_the_first_key_agree_on_one(
        stored_app: Touchline, new_instance: Callable[[], Touchline], monkeypatch: pytest.MonkeyPatch) -> None:
    late = new_instance()
    late.mapper.keyring.for_read(uuid4())  # it has read the key table already
    ada = uuid4()
    real = late.recorder.fetch_key
    seen: list[UUID] = []

    def read_before_the_other_commits(subject: UUID) -> object:
        seen.append(subject)
        return None if len(seen) == 1 else real(subject)

    monkeypatch.setattr(late.recorder, "fetch_key", read_before_the_other_commits)
    stored_app.register_customer(id=ada, name="Ada Lovelace", occurred_at=T, actor=AGENT)
    touch = late.record_touchpoint(customer_id=ada, channel="sms", direction="inbound", kind="inquiry",
                                   subject="From the late process", occurred_at=T, actor=AGENT).id
    assert seen == [ada, ada]  # its own new key lost; the save was sealed again with the winner's
    reader = new_instance()
    assert (reader.get_customer(ada).name, reader.repository.get(touch).subject) == (
        "Ada Lovelace", "From the late process")


def test_a_process_that_missed_the_erasure_cannot_write_readable_data(
        stored_app: Touchline, new_instance: Callable[[], Touchline]) -> None:
    ada = customer(stored_app)  # this process keeps Ada's key in memory
    new_instance().erase_customer(ada, reason="GDPR", occurred_at=T, actor=AGENT)
    touch = stored_app.record_touchpoint(customer_id=ada, channel="sms", direction="inbound", kind="inquiry",
                                         subject="Written with a destroyed key", occurred_at=T, actor=AGENT).id
    assert new_instance().repository.get(touch).subject == ERASED


def test_wrapped_data_keys_need_their_master_key(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = storage_from_url(database_url).event_store_env
    master = base64.b64encode(bytes(range(32))).decode()
    with Touchline(env={**env, "TOUCHLINE_MASTER_KEY": master}) as app:
        ada = customer(app)
        assert app.get_customer(ada).name == "Ada Lovelace"
    wanted = ada.hex if database_url.startswith("sqlite") else str(ada)
    [(length, wrap)] = execute(database_url, "SELECT length(data_key), key_wrap FROM touchline_events_keys "
                                             f"WHERE subject_id = '{wanted}'")
    assert length == 12 + 32 + 16 and wrap  # nonce, wrapped key, tag; and which master key
    with Touchline(env=env) as app, pytest.raises(RuntimeError, match="TOUCHLINE_MASTER_KEY"):
        app.get_customer(ada)


def test_an_erased_customers_data_is_gone_from_the_read_model_files_too(tmp_path: Path) -> None:
    """SQLite keeps a row's old bytes in free space and in its write-ahead log: after the erasure
    reaches the read models, neither file holds them (secure_delete, a truncating checkpoint)."""
    services = build_services({"DATABASE_URL": f"sqlite:///{tmp_path}/touchline.db"}, clock=FixedClock(T))
    try:
        app, runner = services.app, services.projection_runner()
        found = app.register_customer(name="Zanzibar Quux", contact_points=[
            {"kind": "email", "value": "zq@secret.example"}], occurred_at=T, actor=AGENT).id
        for n in range(30):  # each one rewrites the customer's row and pages of the timeline
            app.record_touchpoint(customer_id=found, channel="email", direction="inbound", kind="inquiry",
                                  subject=f"Quux question {n}", contact_point="zq@secret.example", occurred_at=T,
                                  actor=AGENT)
            runner.catch_up()
        app.erase_customer(found, reason="GDPR", occurred_at=T, actor="user:admin")
        runner.catch_up()
        files = sorted(tmp_path.glob("touchline-views.db*"))
        assert files, list(tmp_path.iterdir())
        held = {f.name: [s for s in (b"Zanzibar", b"zq@secret.example", b"Quux question") if s in f.read_bytes()]
                for f in files}
        assert held == {f.name: [] for f in files}
    finally:
        runner.close()
        services.close()


def test_a_save_of_many_new_customers_asks_the_key_table_once(
        stored_app: Touchline, new_instance: Callable[[], Touchline], monkeypatch: pytest.MonkeyPatch) -> None:
    late = new_instance()
    late.mapper.keyring.for_read(uuid4())  # it has read the key table already
    ada = customer(stored_app)  # her key made by another process since
    known = late.get_customer(ada)  # which this one read, to load her
    asked: list[int] = []
    monkeypatch.setattr(late.recorder, "fetch_key", lambda subject: asked.append(1))
    real = late.recorder.fetch_keys
    monkeypatch.setattr(late.recorder, "fetch_keys", lambda subjects: asked.append(len(subjects)) or real(subjects))
    new = [Customer.register(id=uuid4(), customer_kind="person", name=f"Customer {n}", occurred_at=T, actor=AGENT)
           for n in range(50)]
    known.change_details(name="Ada King", occurred_at=T, actor=AGENT)
    late.save(known, *new)
    assert asked == [50]  # one query for the 50 new subjects (Ada's key is known), none per subject
    reader = new_instance()  # sealed with the key Ada has, and new keys for the others
    assert reader.get_customer(ada).name == "Ada King"
    assert reader.get_customer(new[49].id).name == "Customer 49"
