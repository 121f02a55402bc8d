"""The demo history as a stream of stories, each a list of plans, in business-time order:
B2C customers first, then cases, one-off contacts, callback requests and repeat contacts."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from domain.customers.model import Customer
from web.demo.cases import case_story
from web.demo.channels import LIVE, REPLY_CHANNEL, Contact, pick_channel
from web.demo.names import CITIES, handle, person_name, personal_email, phone_number
from web.demo.plans import Plan
from web.demo.population import ACTOR, Party, Population
from web.demo.story import Storyteller
from web.demo.texts import CASE_TOPICS, CONTACT_TOPICS, case_values, fill
from web.demo.timeline import StoryEnds


def contact_story(teller: Storyteller, plans: list[Plan], begin: datetime) -> None:
    """One contact without a case; sometimes the agent promises something."""
    rng, time = teller.rng, teller.time
    party, contact = teller.customer()
    topic = rng.choice(CONTACT_TOPICS)
    values = case_values(rng)
    # An outbound callback only answers a callback request (see callback_story).
    channel = pick_channel(rng, topic.direction, exclude=("callback",) if topic.direction == "outbound" else ())
    at = teller.opening(begin, channel)
    agent = teller.agent()
    subject = fill(topic.subject, values)
    teller.touch(plans, party, contact, channel=channel, direction=topic.direction, kind=topic.kind,
                 subject=subject, words=fill(topic.detail, values), at=at,
                 actor=teller.recorder(channel, topic.direction, party, agent))
    if rng.random() < 0.22:
        live = channel in LIVE or topic.direction == "outbound"
        made = at if live else time.check(time.after(at, 10, 240))
        teller.promise(plans, party, contact, what=fill(topic.promise, values), subject=subject, owner=agent,
                       at=made, due=teller.due(made, long_term=topic.kind == "sales"),
                       channel=rng.choice(("email", "phone")))


def repeat_story(teller: Storyteller, plans: list[Plan], begin: datetime) -> None:
    """The same customer about the same thing, on several channels within a few days."""
    rng, time = teller.rng, teller.time
    party, contact = teller.customer()
    topic = rng.choice(CASE_TOPICS)
    values = case_values(rng)
    subject = fill(topic.subject, values)
    agent = teller.agent()
    channel = pick_channel(rng, "inbound", exclude=("callback",))
    at = teller.opening(begin, channel)
    teller.touch(plans, party, contact, channel=channel, direction="inbound", kind=topic.kind, subject=subject,
                 words=fill(topic.detail, values), at=at, actor=teller.recorder(channel, "inbound", party, agent))
    for _ in range(rng.randint(1, 2)):
        at = time.check(time.after(at, 240, 3 * 1440, office=False))
        channel = pick_channel(rng, "inbound", exclude=("callback",))
        teller.touch(plans, party, contact, channel=channel, direction="inbound", kind="follow_up",
                     subject=subject, words=fill(topic.chase, values), at=at,
                     actor=teller.recorder(channel, "inbound", party, agent))
    if rng.random() < 0.6:
        at = time.check(time.after(at, 30, 600))
        teller.touch(plans, party, contact, channel=REPLY_CHANNEL.get(channel, channel), direction="outbound",
                     kind="follow_up", subject=subject, words=fill(topic.reply, values), at=at, actor=agent.ref)


def callback_story(teller: Storyteller, plans: list[Plan], begin: datetime) -> None:
    """A callback request at a time the customer picks: a promise of kind ``callback``."""
    rng, time = teller.rng, teller.time
    party, contact = teller.customer()
    values = case_values(rng)
    about = fill(rng.choice(CASE_TOPICS).subject, values)
    agent = teller.agent()
    channel = rng.choices(("web_form", "phone", "chat", "messenger"), weights=(5, 3, 2, 1))[0]
    at = teller.opening(begin, channel)
    subject = f"Callback requested: {about}"
    teller.touch(plans, party, contact, channel=channel, direction="inbound", kind="request", subject=subject,
                 words=f"please call back on {contact.phone} about this.", at=at,
                 actor=teller.recorder(channel, "inbound", party, agent))
    teller.promise(plans, party, contact, what=f'call {contact.name} back about "{about}"', subject=subject,
                   owner=agent, at=at, due=time.slot(at, 0, 2), channel="callback", kind="callback",
                   actor=f"customer:{party.id}" if channel == "web_form" else agent.ref)


STORIES: dict[str, tuple[int, Callable[[Storyteller, list[Plan], datetime], None]]] = {
    "case": (45, case_story), "contact": (35, contact_story),
    "callback": (10, callback_story), "repeat": (10, repeat_story),
}


def person_count(touchpoints: int) -> int:
    return max(12, touchpoints // 8)


def persons(teller: Storyteller, count: int) -> Iterator[Plan]:
    """B2C customers with email and mobile, registered before the history starts; some
    consent to marketing or surveys, and a few withdraw it later."""
    rng, time = teller.rng, teller.time
    for index in range(count):
        name = person_name(rng)
        city, area = rng.choice(CITIES)
        contact = Contact(name=name, email=personal_email(rng, name), phone=phone_number(rng, area),
                          handle=handle(name))
        customer_id = teller.ids.next()
        back = timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1439))
        # The demo's first customer registers as its history starts: a re-run reads the start there.
        at = time.start - back if index else time.start
        plan = Plan(customer_id, Customer, dict(
            id=customer_id, customer_kind="person", name=name,
            contact_points=[{"kind": "email", "value": contact.email}, {"kind": "mobile", "value": contact.phone}],
            segment={"segment": "consumer", "city": city}, occurred_at=at, actor=ACTOR))
        for purpose, share in (("marketing", 0.35), ("surveys", 0.2)):
            if rng.random() < share:
                at = at + timedelta(minutes=rng.randint(1, 200 * 1440))
                if at <= time.now:
                    plan.then("give_consent", purpose=purpose, occurred_at=at, actor=f"customer:{customer_id}")
                    if rng.random() < 0.08 and (withdrawn := at + timedelta(days=rng.randint(5, 90))) <= time.now:
                        plan.then("withdraw_consent", purpose=purpose, occurred_at=withdrawn,
                                  actor=f"customer:{customer_id}")
                        at = withdrawn
        teller.persons.append(Party(customer_id, name, "person", (contact,)))
        yield plan


def stories(*, seed: int, touchpoints: int, end: datetime, population: Population) -> Iterator[list[Plan]]:
    """Every plan of one demo, story by story: same arguments, same plans. The first
    plan with an id of the demo's own (``Ids``) is its first customer."""
    teller = Storyteller(seed=seed, touchpoints=touchpoints, end=end, companies=population.companies,
                         agents=population.agents)
    for registration in population.registrations:
        yield [registration]
    for person in persons(teller, person_count(touchpoints)):
        yield [person]
    kinds = list(STORIES)
    weights = [weight for weight, _ in STORIES.values()]
    while teller.left:
        plans: list[Plan] = []
        begin = teller.time.arrival(teller.total - teller.left)
        tell = STORIES[teller.rng.choices(kinds, weights=weights)[0]][1]
        try:
            tell(teller, plans, begin)
        except StoryEnds:
            pass  # what happened so far stands; the rest lies after now
        yield plans
