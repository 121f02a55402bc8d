"""Signed webhooks out: a real receiver in the test checks every signature; order, retries with
backoff on the injected clock, pause after repeated failures, resume, replay, type filters and
exactly-once bookkeeping (at-least-once with the same delivery id across a crash), both databases."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
import sqlalchemy as sa

from domain.clock import FixedClock
from domain.webhooks.signing import SignatureError, signature_header, verify
from projections.views.webhooks import webhook_subscriptions
from projections.webhook_state import attempts_of, webhook_cursors
from scheduler.context import SchedulerContext
from scheduler.settings import SchedulerSettings
from scheduler.webhooks import WebhookRun, deliver_webhooks
from tests.scheduler.webhook_receiver import Receiver
from web.services import Services, build_services

ADMIN = "user:admin"


def settings(**values: Any) -> SchedulerSettings:
    """The receivers here listen on 127.0.0.1: a loopback address, allowed by this setting only."""
    return SchedulerSettings(webhook_allow_private=True, **values)


class Hooks:
    """The Application, its read models, the delivery job's context and a receiver."""

    def __init__(self, services: Services, clock: FixedClock, receiver: Receiver) -> None:
        self.services, self.app, self.clock, self.receiver = services, services.app, clock, receiver
        self.runner = services.projection_runner()
        self.ctx = SchedulerContext(self.app, services.views, clock, settings(webhook_max_failures=3))

    def subscribe(self, types: str = "Customer.*", url: str | None = None, receiver: Receiver | None = None) -> UUID:
        issued = self.app.create_webhook(url=url or self.receiver.url, event_types=types, allow_private=True,
                                         occurred_at=self.clock.now(), actor=ADMIN)
        (receiver or self.receiver).secret = issued.secret
        return issued.receipt.id

    def customer(self, name: str) -> UUID:
        return self.app.register_customer(name=name, contact_points=[{"kind": "email", "value": "x@example.com"}],
                                          occurred_at=self.clock.now(), actor=ADMIN).id

    def tick(self) -> WebhookRun:
        self.runner.catch_up()
        result = deliver_webhooks(self.ctx)
        self.runner.catch_up()
        return result

    def cursor(self, webhook: UUID) -> dict[str, Any]:
        with self.services.views.connect() as conn:
            return dict(conn.execute(sa.select(webhook_cursors).where(
                webhook_cursors.c.subscription_id == str(webhook))).mappings().one())

    def row(self, webhook: UUID) -> dict[str, Any]:
        with self.services.views.connect() as conn:
            return dict(conn.execute(sa.select(webhook_subscriptions).where(
                webhook_subscriptions.c.id == str(webhook))).mappings().one())

    def attempts(self, webhook: UUID) -> list[dict[str, Any]]:
        with self.services.views.connect() as conn:
            return attempts_of(conn, str(webhook))[::-1]


@pytest.fixture
def hooks(database_url: str, clock: FixedClock) -> Iterator[Hooks]:
    services = build_services({"DATABASE_URL": database_url}, clock=clock)
    with Receiver(clock) as receiver:
        found = Hooks(services, clock, receiver)
        yield found
        found.runner.close()
    services.close()


def test_events_are_delivered_in_order_signed_with_the_documented_payload(hooks: Hooks) -> None:
    hooks.customer("Before The Subscription")
    webhook = hooks.subscribe("Customer.*")
    ids = [hooks.customer(name) for name in ("Ada", "Grace", "Edsger")]
    assert hooks.tick().delivered == 3
    got = hooks.receiver.deliveries
    assert [d.payload["aggregate_id"] for d in got] == [str(i) for i in ids]  # the earlier customer: not sent
    assert all(d.verified for d in got)
    positions = [d.payload["position"] for d in got]
    assert positions == sorted(positions) and len(set(positions)) == 3
    first = got[0]
    assert first.headers["Touchline-Event-Type"] == "Customer.Registered"
    assert first.payload["type"] == "Customer.Registered" and first.payload["data"]["name"] == "Ada"
    assert set(first.payload) >= {"id", "type", "position", "occurred_at", "recorded_at", "aggregate_id",
                                  "aggregate_version", "data"}
    assert first.payload["occurred_at"] == "2026-03-02T09:00:00+00:00" and first.payload["aggregate_version"] == 1
    assert len({d.delivery_id for d in got}) == 3
    assert hooks.cursor(webhook)["position"] >= positions[-1]
    logged = hooks.attempts(webhook)
    assert [(a["outcome"], a["response_code"], a["response_body"]) for a in logged] == [("delivered", 200, "thanks")] * 3


def test_the_receiver_rejects_a_tampered_body_another_secret_or_a_stale_timestamp(hooks: Hooks) -> None:
    hooks.subscribe()
    hooks.customer("Ada")
    hooks.tick()
    delivery, = hooks.receiver.deliveries
    header, body, now = delivery.headers["Touchline-Signature"], delivery.body, int(hooks.clock.now().timestamp())
    assert header.startswith(f"t={now},v1=")
    assert verify(hooks.receiver.secret, header, body, now) == now
    with pytest.raises(SignatureError, match="does not match"):
        verify(hooks.receiver.secret, header, body.replace(b"Ada", b"Eve"), now)
    with pytest.raises(SignatureError, match="does not match"):
        verify("whsec_another", header, body, now)
    with pytest.raises(SignatureError, match="replay window"):
        verify(hooks.receiver.secret, header, body, now + 301)
    forged = signature_header(hooks.receiver.secret, now - 3600, body)  # a capture re-signed long ago
    with pytest.raises(SignatureError, match="replay window"):
        verify(hooks.receiver.secret, forged, body, now)


def test_failures_are_retried_with_backoff_and_the_same_delivery_id(hooks: Hooks) -> None:
    webhook = hooks.subscribe()
    hooks.receiver.answers = [(500, "oops " * 400), (502, "bad gateway")]
    hooks.customer("Ada")
    hooks.customer("Grace")
    assert hooks.tick().failed == 1
    cursor = hooks.cursor(webhook)
    assert (cursor["failures"], cursor["next_attempt_at"]) == (1, hooks.clock.now() + timedelta(minutes=1))
    assert cursor["last_error"] == "HTTP 500"
    hooks.clock.advance(seconds=59)
    hooks.tick()
    assert len(hooks.receiver.deliveries) == 1  # not due yet: nothing sent, Grace waits behind Ada
    hooks.clock.advance(seconds=1)
    hooks.tick()
    assert hooks.cursor(webhook)["next_attempt_at"] == hooks.clock.now() + timedelta(minutes=2)
    hooks.clock.advance(minutes=2)
    assert hooks.tick().delivered == 2
    names = [d.payload["data"]["name"] for d in hooks.receiver.deliveries]
    assert names == ["Ada", "Ada", "Ada", "Grace"]
    assert len({d.delivery_id for d in hooks.receiver.deliveries[:3]}) == 1
    logged = hooks.attempts(webhook)
    assert [(a["outcome"], a["response_code"]) for a in logged] == [
        ("failed", 500), ("failed", 502), ("delivered", 200), ("delivered", 200)]
    assert len(logged[0]["response_body"]) == 1024 and logged[0]["duration_ms"] >= 0
    assert hooks.cursor(webhook)["failures"] == 0


def test_after_n_failures_the_subscription_is_paused_and_resume_sends_what_waited(hooks: Hooks) -> None:
    webhook = hooks.subscribe()
    hooks.receiver.answers = [(503, "down")] * 3
    hooks.customer("Ada")
    hooks.customer("Grace")
    for minutes in (0, 1, 2):
        hooks.clock.advance(minutes=minutes)
        run = hooks.tick()
    assert run.paused == 1
    paused = hooks.app.get_webhook(webhook)
    assert paused.status == "paused" and "3 failed attempts in a row; last: HTTP 503" in paused.pause_reason
    row = hooks.row(webhook)
    assert (row["status"], row["paused_by"]) == ("paused", "system:scheduler") and "HTTP 503" in row["pause_reason"]
    hooks.clock.advance(hours=1)
    hooks.tick()
    assert len(hooks.receiver.deliveries) == 3  # paused: nothing more is tried
    hooks.app.resume_webhook(webhook, occurred_at=hooks.clock.now(), actor=ADMIN)
    assert hooks.tick().delivered == 2
    assert [d.payload["data"]["name"] for d in hooks.receiver.deliveries] == ["Ada"] * 4 + ["Grace"]


def test_replay_from_a_position_sends_those_events_again_with_new_delivery_ids(hooks: Hooks) -> None:
    webhook = hooks.subscribe()
    for name in ("Ada", "Grace", "Edsger"):
        hooks.customer(name)
    hooks.tick()
    first = list(hooks.receiver.deliveries)
    from_position = first[1].payload["position"]
    hooks.app.replay_webhook(webhook, from_position=from_position, occurred_at=hooks.clock.now(), actor=ADMIN)
    assert hooks.tick().delivered == 2
    replayed = hooks.receiver.deliveries[3:]
    assert [d.payload for d in replayed] == [d.payload for d in first[1:]]  # the same events, the same event ids
    assert {d.delivery_id for d in replayed}.isdisjoint(d.delivery_id for d in first)
    hooks.tick()
    assert len(hooks.receiver.deliveries) == 5  # the replay is applied once


def test_event_type_filters_and_never_the_records_of_secrets(hooks: Hooks, clock: FixedClock) -> None:
    with Receiver(clock) as everything:
        hooks.subscribe("Case.Opened")
        hooks.subscribe("*", url=everything.url, receiver=everything)
        customer = hooks.customer("Ada")
        hooks.app.open_case(customer_id=customer, subject="Printer jams", channel="email",
                            occurred_at=clock.now(), actor=ADMIN)
        hooks.app.issue_api_token(name="website", scopes=["read"], occurred_at=clock.now(), actor=ADMIN)
        hooks.subscribe("Deal.*", url="https://hooks.example/deals")  # a webhook's own events are never sent
        hooks.tick()
        assert hooks.receiver.types() == ["Case.Opened"]
        seen = everything.types()
        assert "Customer.Registered" in seen and "Case.Opened" in seen
        assert not [t for t in seen if t.startswith(("ApiToken", "WebhookSubscription"))]
        assert all(d.verified for d in everything.deliveries)


def test_two_ticks_deliver_each_event_once(hooks: Hooks) -> None:
    hooks.subscribe()
    hooks.customer("Ada")
    hooks.tick()
    hooks.customer("Grace")
    hooks.tick()
    hooks.tick()
    assert [d.payload["data"]["name"] for d in hooks.receiver.deliveries] == ["Ada", "Grace"]


def test_a_crash_between_post_and_bookkeeping_resends_with_the_same_delivery_id(hooks: Hooks) -> None:
    webhook = hooks.subscribe()
    hooks.customer("Ada")
    hooks.customer("Grace")

    def crash(step: str, delivery: Any) -> None:
        if step == "webhook-posted":
            raise RuntimeError("killed after the POST")

    hooks.ctx.checkpoint = crash
    run = hooks.tick()
    assert run.errors and run.delivered == 0
    assert hooks.cursor(webhook)["delivered"] == 0 and hooks.attempts(webhook) == []
    hooks.ctx.checkpoint = lambda step, delivery: None
    assert hooks.tick().delivered == 2
    hooks.tick()
    got = hooks.receiver.deliveries
    assert [d.payload["data"]["name"] for d in got] == ["Ada", "Ada", "Grace"]
    assert got[0].delivery_id == got[1].delivery_id  # the receiver drops the copy by its delivery id


def test_a_hanging_endpoint_never_delays_the_others(hooks: Hooks, clock: FixedClock) -> None:
    with Receiver(clock) as slow:
        other_done = threading.Event()
        seen_while_hanging: list[bool] = []

        def hang(delivery: Any) -> None:
            seen_while_hanging.append(other_done.wait(timeout=10))

        slow.before_answer = hang
        hooks.receiver.before_answer = lambda delivery: other_done.set()
        hooks.subscribe(url=slow.url, receiver=slow)  # created first: served first
        hooks.subscribe()
        hooks.customer("Ada")
        assert hooks.tick().delivered == 2
        assert seen_while_hanging == [True]


def test_deleted_subscriptions_get_nothing(hooks: Hooks) -> None:
    webhook = hooks.subscribe()
    hooks.app.delete_webhook(webhook, occurred_at=hooks.clock.now(), actor=ADMIN)
    hooks.customer("Ada")
    hooks.tick()
    assert hooks.receiver.deliveries == [] and hooks.row(webhook)["status"] == "deleted"


def test_a_receiver_still_on_the_old_secret_verifies_deliveries_for_a_day_after_a_rotation(hooks: Hooks) -> None:
    webhook = hooks.subscribe()  # the receiver keeps the secret it was given at creation
    rotated = hooks.app.rotate_webhook_secret(webhook, occurred_at=hooks.clock.now(), actor=ADMIN)
    hooks.customer("Ada")
    hooks.tick()
    hooks.clock.advance(hours=24)
    hooks.customer("Bob")
    hooks.tick()
    during, after = hooks.receiver.deliveries
    assert during.verified and not after.verified  # the old secret stopped after its 24 hours
    assert verify(rotated.secret, after.headers["Touchline-Signature"], after.body, now=int(hooks.clock.now().timestamp()))


def test_a_redirect_or_a_timeout_is_a_failure_logged_with_what_came_back(hooks: Hooks) -> None:
    webhook = hooks.subscribe()
    hooks.receiver.answers = [(302, "moved")]
    hooks.customer("Ada")
    hooks.tick()
    released = threading.Event()
    hooks.receiver.before_answer = lambda delivery: released.wait(timeout=10)  # answers too late
    hooks.ctx.settings = settings(webhook_timeout=0.2, webhook_max_failures=3)
    hooks.clock.advance(minutes=1)
    hooks.tick()
    released.set()
    redirected, timed_out = hooks.attempts(webhook)
    assert (redirected["outcome"], redirected["response_code"], redirected["error"]) == ("failed", 302, "HTTP 302")
    assert (timed_out["outcome"], timed_out["response_code"]) == ("failed", None)
    assert "timed out" in timed_out["error"]
    assert hooks.cursor(webhook)["failures"] == 2 and hooks.cursor(webhook)["delivered"] == 0


def test_a_name_that_resolves_into_the_servers_networks_is_not_called(
        hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name passes when subscribing; when delivering, the addresses it resolves to are checked
    (a name pointed at the metadata service, or re-pointed there since)."""
    webhook = hooks.app.create_webhook(url="https://hooks.internal.example/in", event_types="*",
                                       occurred_at=hooks.clock.now(), actor=ADMIN).receipt.id
    monkeypatch.setattr("scheduler.webhook_http.socket.getaddrinfo", lambda host, *a, **k: [
        (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", 443))])
    hooks.customer("Ada")
    hooks.tick()
    attempt, = hooks.attempts(webhook)
    assert attempt["outcome"] == "failed" and attempt["error"].startswith(
        "refused: hooks.internal.example resolves to 169.254.169.254, a link-local")


def test_the_post_goes_to_the_address_checked_not_to_a_later_answer_of_the_resolver(
        hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> None:
    """DNS rebinding: the name resolves to an allowed address when checked, and elsewhere a
    moment later. The POST goes to the address checked (here the receiver; the later answer is a
    loopback address nothing listens on), with the name in its Host header."""
    port = int(hooks.receiver.url.split(":")[2].split("/")[0])
    webhook = hooks.subscribe(url=f"http://localhost:{port}/hooks")
    answers = iter(["127.0.0.1"])

    def resolver(host: str, *args: Any, **kwargs: Any) -> list[Any]:
        address = host if host[0].isdigit() else next(answers, "127.0.0.2")  # an address resolves to itself
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]

    monkeypatch.setattr("scheduler.webhook_http.socket.getaddrinfo", resolver)
    hooks.customer("Ada")
    assert hooks.tick().delivered == 1
    delivery, = hooks.receiver.deliveries
    assert delivery.headers["Host"] == f"localhost:{port}" and delivery.verified
    assert hooks.attempts(webhook)[0]["outcome"] == "delivered"


def test_before_the_projections_created_their_tables_the_job_does_nothing(database_url: str, clock: FixedClock) -> None:
    services = build_services({"DATABASE_URL": database_url}, clock=clock)
    try:
        run = deliver_webhooks(SchedulerContext(services.app, services.views, clock, settings()))
        assert not run and run.errors == []
    finally:
        services.close()


def test_personal_fields_are_sent_as_the_api_shows_them_erased_after_an_erasure(hooks: Hooks) -> None:
    webhook = hooks.subscribe("Customer.Registered")
    ada = hooks.customer("Ada Lovelace")
    hooks.tick()
    assert hooks.receiver.deliveries[0].payload["data"]["name"] == "Ada Lovelace"
    hooks.app.erase_customer(ada, reason="GDPR request", occurred_at=hooks.clock.now(), actor=ADMIN)
    hooks.app.replay_webhook(webhook, from_position=1, occurred_at=hooks.clock.now(), actor=ADMIN)
    hooks.tick()
    replayed = hooks.receiver.deliveries[1]
    assert replayed.payload["aggregate_id"] == str(ada) and replayed.payload["data"]["name"] == "[erased]"
    assert "Ada Lovelace" not in replayed.body.decode()


def test_order_holds_across_batches_and_runs_and_the_cursor_skips_what_does_not_match(
        hooks: Hooks, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("scheduler.webhooks.BATCH", 2)
    hooks.ctx.settings = settings(send_limit=3)
    webhook = hooks.subscribe("Customer.*")
    names = [f"Customer {i}" for i in range(5)]
    for name in names:
        customer = hooks.customer(name)
        hooks.app.open_case(customer_id=customer, subject="Printer jams", channel="email",
                            occurred_at=hooks.clock.now(), actor=ADMIN)
    assert hooks.tick().delivered == 3  # at most send_limit a run...
    assert hooks.tick().delivered == 2  # ...the rest on the next
    assert [d.payload["data"]["name"] for d in hooks.receiver.deliveries] == names
    positions = [d.payload["position"] for d in hooks.receiver.deliveries]
    assert positions == sorted(positions)
    head = hooks.app.recorder.max_notification_id()
    hooks.tick()
    assert hooks.cursor(webhook)["position"] == head > positions[-1]  # the cases after the last customer: skipped
    assert len(hooks.receiver.deliveries) == 5
