"""Overdue promises: the customer, the owner and later the manager hear of it, each once."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from scheduler.process import run_once
from scheduler.promises import follow_up_promises
from tests.scheduler.conftest import World


def test_an_overdue_promise_brings_the_customer_an_apology_and_the_owner_a_reminder(world: World) -> None:
    promise = world.promise(due_in=timedelta(hours=1))
    world.tick()
    assert world.sink.messages == []  # not due yet
    world.clock.advance(hours=1, minutes=1)
    world.tick()
    apology, = world.mail_to("ada@example.com")
    reminder, = world.mail_to("ann@shop.example")
    assert apology["Subject"] == "About our promise: Send the refund form" and "sorry" in apology.get_content()
    assert reminder["Subject"] == "Overdue: your promise to Ada Lovelace: Send the refund form"
    recorded = world.app.get_promise(promise).follow_ups
    assert set(recorded) == {"customer_apology", "owner_reminder"}
    message = world.app.get_message(UUID(recorded["customer_apology"]))
    assert message.status == "sent" and message.message_id == apology["Message-ID"]
    assert message.message_id.endswith("@shop.example>")


def test_later_ticks_send_nothing_more_even_before_the_read_models_catch_up(world: World) -> None:
    world.promise(due_in=timedelta(minutes=-5))
    world.tick()
    assert len(world.sink.messages) == 2
    for _ in range(2):
        run_once(world.ctx)  # the outbox view still lags: the promise itself says it was done
        world.tick()
    assert len(world.sink.messages) == 2


def test_the_manager_hears_only_once_it_has_been_overdue_for_the_escalation_interval(world: World) -> None:
    promise = world.promise(due_in=timedelta(minutes=-1))
    world.tick()
    world.clock.advance(minutes=world.ctx.settings.escalate_after.total_seconds() / 60 - 2)
    world.tick()
    assert world.mail_to("mia@shop.example") == []
    world.clock.advance(minutes=2)
    world.tick()
    world.clock.advance(hours=5)
    world.tick()
    escalation, = world.mail_to("mia@shop.example")
    assert escalation["Subject"] == "Escalation: Ann Agent's promise to Ada Lovelace is overdue"
    assert "manager_escalation" in world.app.get_promise(promise).follow_ups


def test_a_rescheduled_promise_that_lapses_again_is_followed_up_again(world: World) -> None:
    promise = world.promise(due_in=timedelta(minutes=-1))
    world.tick()
    world.app.reschedule_promise(promise, due_at=world.clock.now() + timedelta(hours=1), reason="Customer asked",
                                 occurred_at=world.clock.now(), actor=world.agent_ref)
    world.clock.advance(hours=2)
    world.tick()
    apologies = world.mail_to("ada@example.com")
    assert len(apologies) == 2 and apologies[0]["Message-ID"] != apologies[1]["Message-ID"]


def test_kept_cancelled_and_long_past_promises_get_no_follow_up(world: World) -> None:
    kept = world.promise(due_in=timedelta(minutes=10))
    cancelled = world.promise(due_in=timedelta(minutes=10))
    lookback = world.ctx.settings.lookback
    # History: made and lapsed before the scheduler's horizon, as an import or a backfill records it.
    world.promise(due_in=-lookback - timedelta(minutes=1), made_ago=lookback + timedelta(days=1))
    now = world.clock.now()
    world.app.keep_promise(kept, evidence="Sent", occurred_at=now, actor=world.agent_ref)
    world.app.cancel_promise(cancelled, reason="Withdrawn", occurred_at=now, actor=world.agent_ref)
    world.clock.advance(hours=1)
    world.tick()
    assert world.sink.messages == []


def test_a_promise_recorded_today_as_due_long_ago_is_followed_up_now(world: World) -> None:
    """Logged late (the call was last week): it is overdue from the moment it is recorded, and
    the owner has the usual interval to act before the manager hears of it."""
    world.promise(due_in=-world.ctx.settings.lookback - timedelta(days=2))
    world.tick()
    assert len(world.mail_to("ada@example.com")) == 1 and len(world.mail_to("ann@shop.example")) == 1
    assert world.mail_to("mia@shop.example") == []
    world.clock.advance(seconds=world.ctx.settings.escalate_after.total_seconds())
    world.tick()
    assert len(world.mail_to("mia@shop.example")) == 1


def test_a_promise_rescheduled_into_the_past_beyond_the_horizon_is_followed_up_now(world: World) -> None:
    promise = world.promise(due_in=timedelta(days=3), made_ago=timedelta(days=10))
    world.tick()
    world.app.reschedule_promise(promise, due_at=world.clock.now() - world.ctx.settings.lookback - timedelta(hours=1),
                                 reason="Was due before the holidays", occurred_at=world.clock.now(),
                                 actor=world.agent_ref)
    world.tick()
    apology, = world.mail_to("ada@example.com")
    world.clock.advance(hours=1)
    world.tick()
    assert world.mail_to("ada@example.com") == [apology]  # once


def test_a_callback_reminds_the_agent_shortly_before_the_chosen_time(world: World) -> None:
    world.promise(due_in=timedelta(hours=2), kind="callback", channel="callback", what="Call about the invoice",
                  contact_point="+44 20 7946 0000")
    lead = world.ctx.settings.callback_lead
    world.clock.advance(hours=2)
    world.clock.advance(seconds=-lead.total_seconds() - 60)
    world.tick()
    assert world.sink.messages == []
    world.clock.advance(minutes=2)
    world.tick()
    reminder, = world.sink.messages
    assert reminder["To"] == "ann@shop.example" and reminder["Subject"].startswith("Callback at ")
    assert "+44 20 7946 0000" in reminder.get_content()


def test_two_schedulers_issuing_the_same_follow_up_at_once_queue_one_message(world: World, new_instance) -> None:  # type: ignore[no-untyped-def]
    promise = world.promise(due_in=timedelta(minutes=-1))
    world.catch_up()
    other = new_instance()
    second_ctx = replace(world.ctx, app=other)
    stale = other.get_promise(promise)  # the second scheduler read the promise before the first saved
    first = follow_up_promises(world.ctx)
    other.get_promise = lambda promise_id: stale  # type: ignore[method-assign]
    second = follow_up_promises(second_ctx)  # same causes, same message ids: the save collides
    assert (first.done, first.messages) == (1, 2)
    assert (second.done, second.messages, second.already) == (0, 0, 1)
    world.tick()
    assert len(world.sink.messages) == 2


def test_a_promise_rescheduled_after_the_read_model_last_saw_it_is_judged_by_its_new_time(world: World) -> None:
    promise = world.promise(due_in=timedelta(minutes=10))
    world.catch_up()
    world.clock.advance(minutes=20)  # overdue as the view knows it...
    world.app.reschedule_promise(promise, due_at=world.clock.now() + timedelta(days=1), reason="Moved",
                                 occurred_at=world.clock.now(), actor=world.agent_ref)
    run_once(world.ctx)  # ...but moved to tomorrow, which the view has not seen yet
    world.tick()
    assert world.sink.messages == []


def test_a_colleague_reads_times_in_their_own_zone_and_the_customer_in_utc(world: World) -> None:
    world.app.change_user_preferences(world.agent, timezone="America/New_York", occurred_at=world.clock.now(),
                                      actor=world.agent_ref)
    world.promise(due_in=timedelta(hours=2), kind="callback", channel="callback", what="Call about the invoice",
                  contact_point="+44 20 7946 0000")
    world.clock.advance(hours=2, minutes=-10)
    world.tick()
    reminder, = world.mail_to("ann@shop.example")
    due = world.clock.now() + timedelta(minutes=10)
    assert reminder["Subject"].startswith(f"Callback at {due.astimezone(ZoneInfo('America/New_York')):%Y-%m-%d %H:%M} E")
    world.clock.advance(minutes=11)
    world.tick()
    apology, = world.mail_to("ada@example.com")
    assert f"{due:%Y-%m-%d %H:%M} UTC" in apology.get_content()  # the customer chose no zone here
