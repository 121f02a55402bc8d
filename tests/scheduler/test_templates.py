"""Message templates: admins' versions are used (sandboxed Jinja), checked before saving, and
a template that fails at send time falls back to the built-in text instead of stalling."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError
from scheduler.templates import BUILT_IN, WORKER, check_template, preview
from tests.scheduler.conftest import World

ADMIN = "user:admin"


def test_an_admins_template_is_used_for_the_next_message(world: World) -> None:
    world.app.save_message_template(
        purpose="customer_apology", subject="Sorry, {{ customer }}",
        body="{{ owner }} owes you: {{ what }} (due {{ due }}).", occurred_at=world.clock.now(), actor=ADMIN)
    world.promise(due_in=timedelta(minutes=-1))
    world.tick()
    apology, = world.mail_to("ada@example.com")
    assert apology["Subject"] == "Sorry, Ada Lovelace"
    assert apology.get_content().startswith("Ann Agent owes you: Send the refund form (due 2026-03-02 08:59 UTC).")


@pytest.mark.parametrize(("subject", "body", "problem"), [
    ("Hello {{ customer }", "x", "TemplateSyntaxError"),  # unclosed tag
    ("Hello", "{{ voucher_code }}", "UndefinedError: 'voucher_code' is undefined"),  # not a value of this purpose
    ("Hello", "{{ customer.__class__.__mro__ }}", "SecurityError"),  # the sandbox refuses
])
def test_a_template_that_cannot_work_is_refused_before_it_is_saved(subject: str, body: str, problem: str) -> None:
    errors = check_template("customer_apology", subject, body)
    assert len(errors) == 1 and problem in errors[0]


def test_every_built_in_template_passes_its_own_check_and_previews_with_sample_values() -> None:
    for purpose, (subject, body) in BUILT_IN.items():
        assert check_template(purpose, subject, body) == []
    subject, body = preview("acknowledgement", *BUILT_IN["acknowledgement"])
    assert subject == "[CASE-000123] We have received your request: Printer jams"


@pytest.mark.parametrize("body", ["{{ voucher_code }}", "{{ (customer|length) // 0 }}",
                                  "{{ (range(100000)|list * 10)|sort|sort|sort|sort|sort|first }}"],
                         ids=["unknown value", "division by zero", "seconds of sorting"])
def test_a_stored_template_that_fails_at_send_time_gives_way_to_the_built_in_text(world: World, body: str) -> None:
    world.app.save_message_template(purpose="customer_apology", subject="Sorry", body=body,
                                    occurred_at=world.clock.now(), actor=ADMIN)  # saved without the check
    world.promise(due_in=timedelta(minutes=-1))
    world.tick()
    apology, = world.mail_to("ada@example.com")
    assert apology["Subject"] == "About our promise: Send the refund form"


def test_a_stored_template_that_runs_out_of_time_is_tried_once_per_run(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world.app.save_message_template(purpose="customer_apology", subject="Sorry",
                                    body="{{ (range(100000)|list * 10)|sort|sort|sort|sort|sort|first }}",
                                    occurred_at=world.clock.now(), actor=ADMIN)  # saved without the check
    tried = []
    real = WORKER.render
    monkeypatch.setattr(WORKER, "render", lambda sources, values: tried.append(sources) or real(sources, values))
    for what in ("Send the refund form", "Call back about the invoice", "Replace the router"):
        world.promise(due_in=timedelta(minutes=-1), what=what)
    world.tick()
    apologies = world.mail_to("ada@example.com")
    assert len(apologies) == 3 and {m["Subject"] for m in apologies} == {
        f"About our promise: {what}" for what in ("Send the refund form", "Call back about the invoice",
                                                  "Replace the router")}
    assert len(tried) == 1  # a second each: the other two went straight to the built-in text


def test_templates_are_versioned_per_purpose_and_an_unchanged_save_records_nothing(
    memory_app: Touchline, now: datetime
) -> None:
    first = memory_app.save_message_template(purpose="owner_reminder", subject="A", body="B", occurred_at=now,
                                             actor=ADMIN)
    second = memory_app.save_message_template(purpose="owner_reminder", subject="A2", body="B", occurred_at=now,
                                              actor=ADMIN)
    same = memory_app.save_message_template(purpose="owner_reminder", subject="A2", body="B", occurred_at=now,
                                            actor=ADMIN)
    assert first.id == second.id and (second.version, same.position) == (2, None)
    assert memory_app.get_message_template("owner_reminder", version=1).subject == "A"
    with pytest.raises(InvalidValueError) as refused:
        memory_app.save_message_template(purpose="birthday", subject="A", body="B", occurred_at=now, actor=ADMIN)
    assert refused.value.field == "purpose"
