"""A case's story: opened from a contact, assigned, answered, perhaps pended, chased,
transferred with a handover note, promised, resolved, rated, reopened and closed.

Each step is written down only if it happened before now, so recent cases are still
open and a few old ones stalled, as in any real queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.cases.model import Case
from web.demo.channels import LIVE, REPLY_CHANNEL, pick_channel
from web.demo.plans import Plan
from web.demo.population import ACTOR
from web.demo.story import Storyteller
from web.demo.texts import CASE_TOPICS, PEND_NOTES, RATING_COMMENTS, case_values, fill
from web.demo.timeline import StoryEnds

PRIORITY_WEIGHTS = {"low": 20, "normal": 50, "high": 22, "urgent": 8}


def case_story(teller: Storyteller, plans: list[Plan], begin: datetime) -> None:
    rng, time = teller.rng, teller.time
    party, contact = teller.customer()
    topic = rng.choice(CASE_TOPICS)
    values = case_values(rng)
    subject = fill(topic.subject, values)
    agent = teller.agent()
    direction = "outbound" if rng.random() < 0.08 else "inbound"  # some cases are opened proactively
    channel = pick_channel(rng, direction, exclude=("callback",))
    at = teller.opening(begin, channel)
    opener = teller.recorder(channel, direction, party, agent)
    case_id = teller.ids.next()
    opened_by = teller.touch(plans, party, contact, channel=channel, direction=direction, kind=topic.kind,
                             subject=subject, words=fill(topic.detail, values), at=at, actor=opener,
                             case_id=case_id)
    priority = rng.choices(list(PRIORITY_WEIGHTS), weights=list(PRIORITY_WEIGHTS.values()))[0]
    case = Plan(case_id, Case, dict(
        id=case_id, customer_id=party.id, subject=subject, description=fill(topic.detail, values),
        priority=priority, channel=channel, team=agent.team, touchpoint_id=opened_by,
        occurred_at=at, actor=opener))
    plans.append(case)
    customer = f"customer:{party.id}"
    reply_channel = REPLY_CHANNEL.get(channel, channel)

    def written_reply(words: str, when: datetime) -> None:
        """A public reply: said in the conversation on live channels, sent as a contact otherwise."""
        if channel not in LIVE or direction == "outbound":
            teller.touch(plans, party, contact, channel=reply_channel, direction="outbound", kind="follow_up",
                         subject=subject, words=words, at=when, actor=agent.ref, case_id=case_id)
        case.then("reply", body=words, public=True, occurred_at=when, actor=agent.ref)

    def customer_writes(words: str, when: datetime, on: str) -> None:
        touchpoint_id = teller.touch(plans, party, contact, channel=on, direction="inbound", kind="follow_up",
                                     subject=subject, words=words, at=when,
                                     actor=teller.recorder(on, "inbound", party, agent), case_id=case_id)
        case.then("customer_reply", body=words, channel=on, touchpoint_id=touchpoint_id,
                  occurred_at=when, actor=customer)

    if channel in ("email", "web_form"):
        case.then("acknowledge", message_id=f"<ack.{case_id}@touchline.example>",
                  occurred_at=time.check(at + timedelta(minutes=1)), actor=ACTOR)
    live = channel in LIVE and direction == "inbound"
    at = at if live else time.check(time.after(at, 5, 240))
    case.then("assign", assignee=agent.ref, team=agent.team, occurred_at=at, actor=agent.ref)
    if rng.random() < 0.3:
        at = time.check(time.after(at, 2, 60))
        case.then("reply", body=fill(topic.note, values), public=False, occurred_at=at, actor=agent.ref)
    at = time.check(time.after(at, 1, 15, office=False) if live else time.after(at, 10, 180))
    written_reply(fill(topic.reply, values), at)
    if rng.random() < 0.07:
        higher = "urgent" if priority in ("high", "urgent") else "high"
        if higher != priority:
            at = time.check(time.after(at, 30, 600))
            case.then("change_priority", priority=higher, occurred_at=at, actor=agent.ref)

    if rng.random() < 0.3:  # waiting on the customer or a third party
        reason = "awaiting_customer" if rng.random() < 0.7 else "on_hold"
        at = time.check(time.after(at, 5, 120))
        case.then("pend", reason=reason, note=rng.choice(PEND_NOTES[reason]), occurred_at=at, actor=agent.ref)
        if reason == "awaiting_customer" and rng.random() < 0.75:
            at = time.check(time.after(at, 120, 3 * 1440, office=False))
            customer_writes("Here is the information you asked for.", at, reply_channel)
        else:
            at = time.check(time.after(at, 1440, 5 * 1440))
            case.then("resume", occurred_at=at, actor=agent.ref)
    if rng.random() < 0.18:  # the customer chases on another channel: a repeat contact
        at = time.check(time.after(at, 600, 3 * 1440, office=False))
        customer_writes(fill(topic.chase, values), at, pick_channel(rng, "inbound", exclude=(channel, "callback")))
    if rng.random() < 0.22 and len(teller.agents) > 1:  # handover: the customer repeats nothing
        successor = teller.agent(other_than=agent)
        at = time.check(time.after(at, 30, 1440))
        case.then("transfer", to_assignee=successor.ref, to_team=successor.team,
                  note=f"Handover from {agent.name}: {fill(topic.handover, values)}", occurred_at=at,
                  actor=agent.ref)
        agent = successor
        if rng.random() < 0.5:
            at = time.check(time.after(at, 10, 240))
            case.then("reply", body=f"Read the handover; {fill(topic.note, values)}", public=False,
                      occurred_at=at, actor=agent.ref)
    if rng.random() < 0.3:  # the agent promises the next step; the case waits for it
        made = time.check(time.after(at, 5, 120))
        settled = teller.promise(plans, party, contact, what=fill(topic.promise, values), subject=subject,
                                 owner=agent, at=made, due=teller.due(made, long_term=topic.kind == "sales"),
                                 channel=rng.choice(("phone", "email", "sms")), case_id=case_id)
        if settled is None:
            raise StoryEnds
        at = max(made, settled)
    if rng.random() < 0.05:  # stalled: nobody touched it since
        raise StoryEnds

    at = time.check(time.after(at, 60, 2 * 1440))
    if rng.random() < 0.5:
        written_reply(fill(topic.resolution, values), at)
    case.then("resolve", resolution=fill(topic.resolution, values), occurred_at=at, actor=agent.ref)
    if rng.random() < 0.4:
        rated = time.check(time.after(at, 30, 2 * 1440, office=False))
        score = rng.choices((1, 2, 3, 4, 5), weights=(5, 8, 15, 32, 40))[0]
        case.then("rate", score=score, comment=RATING_COMMENTS[score] if rng.random() < 0.6 else "",
                  occurred_at=rated, actor=customer)
        at = rated
    if rng.random() < 0.12:  # it came back
        at = time.check(time.after(at, 1440, 5 * 1440, office=False))
        if rng.random() < 0.7:
            customer_writes(fill(topic.reopen, values), at, reply_channel)  # reopens the case
        else:
            case.then("reopen", reason=fill(topic.reopen, values), occurred_at=at, actor=agent.ref)
        at = time.check(time.after(at, 60, 3 * 1440))
        case.then("resolve", resolution=fill(topic.resolution, values), occurred_at=at, actor=agent.ref)
    if rng.random() < 0.7:
        at = time.check(time.after(at, 3 * 1440, 7 * 1440, office=False))
        case.then("close", occurred_at=at, actor=ACTOR)
