"""Customer rules: clean contact points, changes only when something changed, merges keep history."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import pytest

from domain.application import Touchline
from domain.customers.model import CustomerErasedError, CustomerMergedError, forgotten_digest
from domain.errors import AlreadyExistsError, InvalidValueError

ACTOR = "user:agent-1"


def event_names(app: Touchline, aggregate_id: UUID) -> list[str]:
    return [type(e).__name__ for e in app.events.get(aggregate_id)]


@pytest.fixture
def duplicate_id(memory_app: Touchline, now: datetime) -> UUID:
    return memory_app.register_customer(name="A. Lovelace", occurred_at=now, actor=ACTOR).id


def test_contact_points_are_kept_in_normal_form(memory_app: Touchline, now: datetime) -> None:
    receipt = memory_app.register_customer(
        name="  Ada Lovelace ", contact_points=[{"kind": "email", "value": " Ada@Example.COM "},
                                                {"kind": "phone", "value": "+44 20 7946 0000"},
                                                {"kind": "mobile", "value": "(555) 010-0100 ext. 12"}],
        segment={"sector": " retail ", "size": None}, occurred_at=now, actor=ACTOR,
    )
    customer = memory_app.get_customer(receipt.id)
    assert (customer.name, customer.segment) == ("Ada Lovelace", {"sector": "retail"})
    assert customer.contact_points == [{"kind": "email", "value": "ada@example.com"},
                                       {"kind": "phone", "value": "+44 20 7946 0000"},
                                       {"kind": "mobile", "value": "(555) 010-0100 ext. 12"}]


@pytest.mark.parametrize(("points", "field"), [
    ([{"kind": "email", "value": "ada.example.com"}], "contact_points[0].value"),
    ([{"kind": "phone", "value": "+44 20 7946 0000"}, {"kind": "fax", "value": "2"}], "contact_points[1].kind"),
    ([{"kind": "phone", "value": "call me maybe"}], "contact_points[0].value"),
    ([{"kind": "mobile", "value": "12-34"}], "contact_points[0].value"),  # too few digits to dial
    ([{"kind": "phone", "value": "+44 20 7946 0000 or email"}], "contact_points[0].value"),
    ([{"kind": "phone", "value": "  "}], "contact_points[0].value"),
    ([{"kind": "phone", "value": 4420}], "contact_points[0].value"),
    (["ada@example.com"], "contact_points[0]"),
])
def test_a_bad_contact_point_is_refused_naming_it(
    memory_app: Touchline, now: datetime, points: list[Any], field: str
) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.register_customer(name="Ada", contact_points=points, occurred_at=now, actor=ACTOR)
    assert caught.value.field == field


@pytest.mark.parametrize(("field", "kwargs"), [("kind", {"kind": "robot"}), ("name", {"name": ""})])
def test_a_customer_needs_a_known_kind_and_a_name(
    memory_app: Touchline, now: datetime, field: str, kwargs: dict[str, Any]
) -> None:
    arguments: dict[str, Any] = {"name": "Ada", **kwargs}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.register_customer(occurred_at=now, actor=ACTOR, **arguments)
    assert caught.value.field == field


@pytest.mark.parametrize("name", ["\u202eAda", "Ada\u2066 Lovelace", "Ada\nLovelace", "Ada\tLovelace", "Ada\x85Lovelace"])
def test_a_name_cannot_reverse_or_break_the_text_around_it(memory_app: Touchline, customer_id: UUID, now: datetime,
                                                           name: str) -> None:
    """Names are shown inside lists and sentences: a bidi override would reverse what follows it."""
    with pytest.raises(InvalidValueError) as caught:
        memory_app.register_customer(name=name, occurred_at=now, actor=ACTOR)
    assert (caught.value.field, caught.value.message) == ("name", "holds line breaks or invisible control characters")
    with pytest.raises(InvalidValueError):
        memory_app.change_customer_details(customer_id, name=name, occurred_at=now, actor=ACTOR)
    assert event_names(memory_app, customer_id) == ["Registered"]


@pytest.mark.parametrize("name", ["سارة الأحمد", "דוד כהן", "Zoë O'Brien-Łukasz", "山田 太郎"])
def test_names_in_any_script_are_kept_as_typed(memory_app: Touchline, now: datetime, name: str) -> None:
    customer = memory_app.register_customer(name=name, occurred_at=now, actor=ACTOR).id
    assert memory_app.get_customer(customer).name == name


def test_registering_the_same_customer_id_twice_is_refused(
    memory_app: Touchline, customer_id: UUID, now: datetime
) -> None:
    with pytest.raises(AlreadyExistsError):
        memory_app.register_customer(id=customer_id, name="Ada again", occurred_at=now, actor=ACTOR)


@pytest.mark.parametrize("change", [
    {"name": "Ada Lovelace"},
    {"name": " Ada Lovelace  "},
    {"contact_points": [{"kind": "email", "value": "ADA@example.com"}]},
    {"segment": {}},
    {},
])
def test_changing_details_to_what_they_are_records_nothing(
    memory_app: Touchline, customer_id: UUID, now: datetime, change: dict[str, Any]
) -> None:
    receipt = memory_app.change_customer_details(customer_id, occurred_at=now, actor=ACTOR, **change)
    assert (receipt.version, receipt.position) == (1, None)
    assert event_names(memory_app, customer_id) == ["Registered"]


def test_a_details_change_records_only_what_changed(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    memory_app.change_customer_details(customer_id, name="Ada Lovelace", segment={"sector": "software"},
                                       occurred_at=now, actor=ACTOR)
    changed = list(memory_app.events.get(customer_id))[-1]
    assert (changed.name, changed.contact_points, changed.segment) == (None, None, {"sector": "software"})


def test_merging_keeps_both_histories(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    receipt = memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    assert receipt.id == customer_id
    assert event_names(memory_app, duplicate_id) == ["Registered", "MergedInto"]
    assert event_names(memory_app, customer_id) == ["Registered", "Absorbed"]
    assert memory_app.get_customer(duplicate_id).merged_into == customer_id
    assert memory_app.get_customer(customer_id).absorbed == [duplicate_id]


def test_the_survivor_takes_the_contact_points_it_lacks_from_the_duplicate(
    memory_app: Touchline, now: datetime
) -> None:
    survivor = memory_app.register_customer(name="Ada Lovelace", occurred_at=now, actor=ACTOR, contact_points=[
        {"kind": "email", "value": "ada@example.com"}, {"kind": "phone", "value": "+1 617 555 0185"}]).id
    duplicate = memory_app.register_customer(name="A. Lovelace", occurred_at=now, actor=ACTOR, contact_points=[
        {"kind": "mobile", "value": "+1 (617) 555-0185"},  # the same number, written otherwise
        {"kind": "email", "value": "ADA@example.com"}, {"kind": "email", "value": "ada@lovelace.org"},
        {"kind": "messenger", "value": "@ada"}]).id
    memory_app.merge_customers(duplicate, survivor_id=survivor, occurred_at=now, actor=ACTOR)
    assert event_names(memory_app, survivor) == ["Registered", "Absorbed", "DetailsChanged"]
    assert memory_app.get_customer(survivor).contact_points == [
        {"kind": "email", "value": "ada@example.com"}, {"kind": "phone", "value": "+1 617 555 0185"},
        {"kind": "email", "value": "ada@lovelace.org"}, {"kind": "messenger", "value": "@ada"}]


def test_a_duplicate_with_nothing_new_changes_no_details(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    assert event_names(memory_app, customer_id) == ["Registered", "Absorbed"]


def test_a_merge_receipt_points_at_the_merge_itself(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    receipt = memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    merged = memory_app.mapper.to_domain_event(
        memory_app.recorder.select_notifications(start=receipt.position or 0, limit=1)[0])
    assert merged.originator_id in (customer_id, duplicate_id)
    assert type(merged).__name__ in ("MergedInto", "Absorbed")


def test_a_merged_customer_takes_no_more_changes(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    with pytest.raises(CustomerMergedError):
        memory_app.change_customer_details(duplicate_id, name="Ada L.", occurred_at=now, actor=ACTOR)
    with pytest.raises(CustomerMergedError):
        memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)


def test_a_customer_cannot_be_merged_into_itself(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        memory_app.merge_customers(customer_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "survivor_id"


def test_an_erased_customer_is_neither_merged_nor_merged_into(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    """An erased record is a tombstone: merging a live record into it would keep that person's data
    beside a record erasure already ran for (erasure reaches the members a merge had then)."""
    memory_app.erase_customer(customer_id, reason="GDPR", occurred_at=now, actor=ACTOR)
    before = {c: memory_app.get_customer(c).version for c in (customer_id, duplicate_id)}
    with pytest.raises(InvalidValueError) as caught:
        memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "survivor_id" and "was erased" in caught.value.message
    with pytest.raises(CustomerErasedError):
        memory_app.merge_customers(customer_id, survivor_id=duplicate_id, occurred_at=now, actor=ACTOR)
    assert {c: memory_app.get_customer(c).version for c in before} == before  # nothing recorded


def test_consent_is_given_and_withdrawn_per_purpose(memory_app: Touchline, customer_id: UUID, now: datetime) -> None:
    memory_app.give_consent(customer_id, purpose="marketing", occurred_at=now, actor="customer:ada")
    memory_app.give_consent(customer_id, purpose="surveys", occurred_at=now, actor="customer:ada")
    memory_app.withdraw_consent(customer_id, purpose="marketing", occurred_at=now, actor="customer:ada")
    customer = memory_app.get_customer(customer_id)
    assert [customer.has_consented(p) for p in ("marketing", "surveys", "service_messages")] == [False, True, False]
    with pytest.raises(InvalidValueError) as caught:
        memory_app.give_consent(customer_id, purpose="telemarketing", occurred_at=now, actor="customer:ada")
    assert caught.value.field == "purpose"


def test_change_details_says_false_and_holds_no_event_when_nothing_changes(
    memory_app: Touchline, customer_id: UUID, now: datetime
) -> None:
    customer = memory_app.get_customer(customer_id)
    assert customer.change_details(name="Ada Lovelace", segment={}, occurred_at=now, actor=ACTOR) is False
    assert customer.collect_events() == []


def test_surveys_go_unless_withdrawn_offers_only_once_given(memory_app: Touchline, customer_id: UUID,
                                                             now: datetime) -> None:
    """What the scheduler does and the consent page shows: one rule."""
    customer = memory_app.get_customer(customer_id)
    assert (customer.may_send("surveys"), customer.may_send("marketing")) == (True, False)
    memory_app.withdraw_consent(customer_id, purpose="surveys", occurred_at=now, actor="customer:ada")
    memory_app.give_consent(customer_id, purpose="marketing", occurred_at=now, actor="customer:ada")
    customer = memory_app.get_customer(customer_id)
    assert (customer.may_send("surveys"), customer.may_send("marketing")) == (False, True)


def test_a_merge_keeps_the_duplicates_withdrawals_and_later_ones_land_on_the_survivor(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    """A withdrawal is the person's: the survivor (whom we write to) takes it, and a withdrawal made
    through an old link naming the duplicate is recorded on the survivor."""
    memory_app.give_consent(customer_id, purpose="marketing", occurred_at=now, actor="customer:ada")
    memory_app.withdraw_consent(duplicate_id, purpose="marketing", occurred_at=now, actor="customer:ada")
    memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    assert memory_app.get_customer(customer_id).may_send("marketing") is False
    receipt = memory_app.withdraw_consent(duplicate_id, purpose="surveys", occurred_at=now, actor="customer:ada")
    assert receipt.id == customer_id and memory_app.get_customer(customer_id).may_send("surveys") is False


def test_an_erased_customer_takes_no_details_or_consent_and_a_withdrawal_records_nothing(
    memory_app: Touchline, customer_id: UUID, now: datetime
) -> None:
    memory_app.erase_customer(customer_id, reason="GDPR", occurred_at=now, actor=ACTOR)
    version = memory_app.get_customer(customer_id).version
    with pytest.raises(CustomerErasedError):
        memory_app.change_customer_details(customer_id, name="Someone New", occurred_at=now, actor=ACTOR)
    with pytest.raises(CustomerErasedError):
        memory_app.give_consent(customer_id, purpose="marketing", occurred_at=now, actor="customer:ada")
    assert memory_app.withdraw_consent(customer_id, purpose="surveys", occurred_at=now,
                                       actor="customer:ada").position is None
    assert memory_app.get_customer(customer_id).version == version


def test_an_erasure_keeps_a_digest_of_each_email_address_and_nothing_readable(
    memory_app: Touchline, now: datetime
) -> None:
    """A suppression list: an import can tell the person asked to be forgotten; nobody can read
    the address back from it."""
    ada = memory_app.register_customer(
        name="Ada", occurred_at=now, actor=ACTOR,
        contact_points=[{"kind": "email", "value": "ada@example.com"}, {"kind": "phone", "value": "+44 20 7946 0000"},
                        {"kind": "email", "value": "ada@work.example"}]).id
    memory_app.erase_customer(ada, reason="GDPR", occurred_at=now, actor=ACTOR)
    erased = list(memory_app.events.get(ada))[-1]
    assert erased.forgotten == sorted([forgotten_digest("ADA@example.com "), forgotten_digest("ada@work.example")])
    assert "ada@" not in repr(vars(erased)) and "7946" not in repr(vars(erased))


def test_another_systems_id_is_linked_once_and_never_to_a_merged_or_erased_customer(
    memory_app: Touchline, customer_id: UUID, duplicate_id: UUID, now: datetime
) -> None:
    ada = memory_app.get_customer(customer_id)
    assert ada.link_external_ref(external_ref="zendesk:4711", occurred_at=now, actor=ACTOR)
    assert not ada.link_external_ref(external_ref="zendesk:4711", occurred_at=now, actor=ACTOR)  # known already
    memory_app.save(ada)
    assert memory_app.get_customer(customer_id).linked_refs == ["zendesk:4711"]
    with pytest.raises(InvalidValueError):
        ada.link_external_ref(external_ref="zendesk:\n4712", occurred_at=now, actor=ACTOR)
    memory_app.merge_customers(duplicate_id, survivor_id=customer_id, occurred_at=now, actor=ACTOR)
    with pytest.raises(CustomerMergedError):
        memory_app.get_customer(duplicate_id).link_external_ref(external_ref="hubspot:1", occurred_at=now, actor=ACTOR)
    memory_app.erase_customer(customer_id, reason="GDPR", occurred_at=now, actor=ACTOR)
    with pytest.raises(CustomerErasedError):
        memory_app.get_customer(customer_id).link_external_ref(external_ref="hubspot:2", occurred_at=now, actor=ACTOR)
