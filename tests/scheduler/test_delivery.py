"""Delivery: retries with backoff while the server is away, gives up on permanent refusals
(visibly, and retryable), and webhooks for SMS carry the same Message-ID."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar
from uuid import UUID

import pytest
import sqlalchemy as sa

from projections.views.outbox import outbox
from scheduler.mailsink import MailSink, free_port
from scheduler.notifiers import SmtpNotifier, WebhookNotifier
from tests.scheduler.conftest import FROM, World


def _apology_id(world: World, promise: UUID) -> UUID:
    return UUID(world.app.get_promise(promise).follow_ups["customer_apology"])


def _outbox_row(world: World, message_id: UUID) -> dict[str, Any]:
    with world.services.views.connect() as conn:
        return dict(conn.execute(sa.select(outbox).where(outbox.c.id == str(message_id))).mappings().one())


def test_while_the_smtp_server_is_down_messages_are_retried_with_backoff(world: World) -> None:
    world.ctx.notifiers = {"email": SmtpNotifier(f"smtp://127.0.0.1:{free_port()}", FROM)}  # nobody listening
    promise = world.promise(due_in=timedelta(minutes=-1))
    world.tick()
    message_id = _apology_id(world, promise)
    row = _outbox_row(world, message_id)
    assert (row["status"], row["attempts"]) == ("failed", 1) and "Connection refused" in row["last_error"]
    assert row["due_at"] == world.clock.now() + timedelta(minutes=1)
    world.clock.advance(seconds=30)
    world.tick()
    assert _outbox_row(world, message_id)["attempts"] == 1  # not due again yet
    world.clock.advance(seconds=31)
    world.tick()
    row = _outbox_row(world, message_id)
    assert (row["attempts"], row["due_at"]) == (2, world.clock.now() + timedelta(minutes=2))
    world.ctx.notifiers = {"email": SmtpNotifier(world.sink.url, FROM)}  # the server is back
    world.clock.advance(minutes=2)
    world.tick()
    assert _outbox_row(world, message_id)["status"] == "sent"
    assert [m["To"] for m in world.sink.messages].count("ada@example.com") == 1


def test_a_refused_address_is_given_up_at_once_and_a_person_can_retry_it(world: World) -> None:
    with MailSink(refuse=("ada@example.com",)) as strict:
        world.ctx.notifiers = {"email": SmtpNotifier(strict.url, FROM)}
        promise = world.promise(due_in=timedelta(minutes=-1))
        world.tick()
        message_id = _apology_id(world, promise)
        row = _outbox_row(world, message_id)
        assert (row["status"], row["attempts"], row["due_at"]) == ("gave_up", 1, None)
        assert "550" in row["last_error"]
        world.tick()
        assert _outbox_row(world, message_id)["attempts"] == 1  # never retried by itself
    world.ctx.notifiers = {"email": SmtpNotifier(world.sink.url, FROM)}
    world.app.requeue_message(message_id, occurred_at=world.clock.now(), actor="user:admin")
    world.tick()
    resent, = world.mail_to("ada@example.com")
    assert resent["Message-ID"] == world.app.get_message(message_id).message_id
    assert _outbox_row(world, message_id)["status"] == "sent"


class _Gateway(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, Any], str | None]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.received.append((body, self.headers["Idempotency-Key"]))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    _Gateway.received = []
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def test_without_an_sms_gateway_an_sms_promise_is_followed_up_by_email(world: World) -> None:
    """Not queued for a gateway that may never come: the customer has an address."""
    promise = world.promise(due_in=timedelta(minutes=-1), channel="sms", contact_point="+44 7700 900999")
    world.tick()
    message = world.app.get_message(_apology_id(world, promise))
    assert (message.channel, message.recipient, message.status) == ("email", "ada@example.com", "sent")


def test_an_sms_promise_is_followed_up_through_the_sms_webhook(world: World, gateway: str) -> None:
    promise = world.promise(due_in=timedelta(minutes=-1), channel="sms", contact_point="+44 7700 900999")
    world.ctx.notifiers = {**world.ctx.notifiers, "sms": WebhookNotifier(gateway)}
    world.tick()
    (body, key), = _Gateway.received
    message = world.app.get_message(_apology_id(world, promise))
    assert (body["to"], body["channel"], body["message_id"], key) == ("+44 7700 900999", "sms", message.message_id,
                                                                       message.message_id)
    assert message.status == "sent"
