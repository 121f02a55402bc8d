"""The Message aggregate and the scheduler's pure helpers (in memory, no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest

from domain.application import Touchline
from domain.errors import AlreadyExistsError, InvalidValueError
from domain.messages.model import MAX_ATTEMPTS, Draft, MessageStateError, cause_of, message_uuid
from domain.personal import ERASED
from scheduler.directory import Customer, route
from scheduler.notifiers import notifiers_from_config
from scheduler.settings import SchedulerSettings

ACTOR = "system:scheduler"


def _draft(**changes: object) -> Draft:
    fields: dict[str, object] = {"cause": "test/1", "purpose": "acknowledgement", "channel": "email",
                                     "audience": "customer", "recipient": "ada@example.com", "subject": "Hello",
                                     "body": "Dear Ada"}
    fields.update(changes)
    return Draft(**fields)  # type: ignore[arg-type]


def _queue(app: Touchline, now: datetime, **changes: object) -> UUID:
    return app.queue_message(_draft(**changes), mail_domain="shop.example", occurred_at=now, actor=ACTOR).id


def test_a_message_is_named_by_its_cause_so_the_same_cause_cannot_be_queued_twice(
    memory_app: Touchline, now: datetime
) -> None:
    first = _queue(memory_app, now)
    assert first == message_uuid("test/1") == _draft().id
    with pytest.raises(AlreadyExistsError):
        _queue(memory_app, now, body="A different text")
    assert memory_app.get_message(first).message_id == f"<{first.hex}@shop.example>"


def test_causes_name_instants_in_utc_so_equal_instants_give_equal_causes(now: datetime) -> None:
    assert cause_of("p", 1, now) == cause_of("p", 1, now.astimezone(ZoneInfo("America/Chicago")))


def test_failures_back_off_doubling_until_the_attempts_are_spent(memory_app: Touchline, now: datetime) -> None:
    message_id = _queue(memory_app, now)
    waits = []
    for attempt in range(1, MAX_ATTEMPTS):
        memory_app.record_message_failure(message_id, error="timeout", occurred_at=now, actor=ACTOR)
        message = memory_app.get_message(message_id)
        assert (message.status, message.attempts) == ("failed", attempt)
        waits.append(message.next_attempt_at - now)  # type: ignore[operator]
    assert waits[:4] == [timedelta(minutes=m) for m in (1, 2, 4, 8)] and max(waits) <= timedelta(hours=6)
    memory_app.record_message_failure(message_id, error="timeout", occurred_at=now, actor=ACTOR)
    assert memory_app.get_message(message_id).status == "gave_up"


def test_sent_is_recorded_once_and_a_given_up_message_must_be_requeued_first(
    memory_app: Touchline, now: datetime
) -> None:
    sent, refused = _queue(memory_app, now), _queue(memory_app, now, cause="test/2")
    memory_app.record_message_sent(sent, occurred_at=now, actor=ACTOR)
    assert memory_app.record_message_sent(sent, occurred_at=now, actor=ACTOR).position is None
    memory_app.record_message_failure(refused, error="550 no such user", permanent=True, occurred_at=now, actor=ACTOR)
    with pytest.raises(MessageStateError, match="requeue it first"):
        memory_app.record_message_sent(refused, occurred_at=now, actor=ACTOR)
    with pytest.raises(MessageStateError, match="only a given-up message"):
        memory_app.requeue_message(sent, occurred_at=now, actor=ACTOR)
    memory_app.requeue_message(refused, occurred_at=now, actor="user:admin")
    assert memory_app.get_message(refused).status == "queued"


@pytest.mark.parametrize(("field", "value"), [("channel", "pigeon"), ("audience", "everyone"), ("subject", " "),
                                              ("body", "")])
def test_a_malformed_draft_is_refused_naming_the_field(
    memory_app: Touchline, now: datetime, field: str, value: str
) -> None:
    with pytest.raises(InvalidValueError) as refused:
        _queue(memory_app, now, **{field: value})
    assert refused.value.field == field


ADA = Customer("c1", "Ada", [{"kind": "email", "value": "ada@example.com"}, {"kind": "mobile", "value": "+4477"}])


@pytest.mark.parametrize(("channel", "contact_point", "expected"), [
    ("email", "ada.l@work.example", ("email", "ada.l@work.example")),  # the address the promise names
    ("phone", None, ("sms", "+4477")),  # a phone promise is followed up by text
    ("phone", "ada.l@work.example", ("sms", "+4477")),  # an address does not take a text: the mobile does
    ("messenger", None, ("email", "ada@example.com")),  # no handle on record: email instead
])
def test_customers_are_reached_on_the_promise_channel_when_they_can_be(
    channel: str, contact_point: str | None, expected: tuple[str, str]
) -> None:
    assert route(channel, ADA, contact_point) == expected
    assert route(channel, None, None) == (route(channel, None, None)[0], None)


@pytest.mark.parametrize("channel", ["email", "sms", "messenger", "phone"])
def test_an_erased_customer_is_reached_nowhere(channel: str) -> None:
    erased = Customer("c-1", ERASED, [{"kind": kind, "value": ERASED} for kind in ("email", "mobile", "messenger")])
    assert route(channel, erased, ERASED)[1] is None  # the message gives up, visibly, instead of going to "[erased]"


@pytest.mark.parametrize(("key", "value", "message"), [
    ("SCHEDULER_TICK", "soon", "TOUCHLINE_SCHEDULER_TICK: must be a number"),
    ("PROMISE_ESCALATE_AFTER", "-5", "TOUCHLINE_PROMISE_ESCALATE_AFTER: must be a positive number"),
    ("SLA_AT_RISK_SHARE", "1.5", "TOUCHLINE_SLA_AT_RISK_SHARE: must be between 0 and 1"),
])
def test_bad_scheduler_settings_are_refused_naming_the_variable(key: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SchedulerSettings.from_config({key: value})


@pytest.mark.parametrize(("key", "value"), [("SMTP_URL", "mail.example:25"), ("SMS_WEBHOOK_URL", "ftp://x")])
def test_bad_delivery_urls_are_refused_naming_the_variable(key: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"TOUCHLINE_{key}"):
        notifiers_from_config({key: value})


def test_only_configured_channels_get_a_notifier() -> None:
    found = notifiers_from_config({"SMTP_URL": "smtp://u:p%40ss@mail.example:587?starttls=1", "MAIL_FROM": "a@b.c"})
    assert set(found) == {"email"}
    smtp = found["email"]
    assert (smtp.host, smtp.port, smtp.user, smtp.password, smtp.starttls) == (  # type: ignore[attr-defined]
        "mail.example", 587, "u", "p@ss", True)
