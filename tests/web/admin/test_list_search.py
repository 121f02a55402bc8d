"""A list's search finds what was typed, literally: ``%`` and ``_`` are characters like any
other, not wildcards, on every list (its own columns and the columns it reaches by a join)."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests.web.admin.conftest import Desk

NAMES = ["100% Cotton Ltd", "Ann_Lee", "Axb Traders", "Bob Smith"]


def listed(desk: Desk, path: str, search: str, among: list[str]) -> list[str]:
    _, agent = desk
    page = agent.get(f"{path}?search={quote(search)}").get_data(as_text=True)
    return [name for name in among if name in page]


@pytest.fixture
def customers(stored_desk: Desk) -> Desk:
    panel, _ = stored_desk
    for name in NAMES:
        customer = panel.services.app.register_customer(name=name, occurred_at=panel.clock.now(),
                                                        actor="system:test").id
        panel.services.app.open_deal(customer_id=customer, product_id=None, title=f"Deal of {name}", value=10,
                                     owner="system:test", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return stored_desk


@pytest.mark.parametrize("search, found", [
    ("%", ["100% Cotton Ltd"]),
    ("_", ["Ann_Lee"]),
    ("a%b", []),
    ("a_b", []),
    ("n_l", ["Ann_Lee"]),
    ("0% c", ["100% Cotton Ltd"]),
])
def test_a_customer_search_matches_percent_and_underscore_literally(customers: Desk, search: str,
                                                                    found: list[str]) -> None:
    assert listed(customers, "/admin/customers/", search, NAMES) == found


@pytest.mark.parametrize("search, found", [
    ("%", ["Deal of 100% Cotton Ltd"]),
    ("_", ["Deal of Ann_Lee"]),
    ("a%b", []),
])
def test_a_deal_search_through_the_customer_matches_literally(customers: Desk, search: str, found: list[str]) -> None:
    assert listed(customers, "/admin/deals/", search, [f"Deal of {name}" for name in NAMES]) == found


def test_an_ordinary_search_still_finds_every_match_whatever_the_case(customers: Desk) -> None:
    assert listed(customers, "/admin/customers/", "ANN", NAMES) == ["Ann_Lee"]
    assert listed(customers, "/admin/customers/", "^axb", NAMES) == ["Axb Traders"]


@pytest.fixture
def phones(stored_desk: Desk) -> Desk:
    panel, _ = stored_desk
    for name, phone in (("Carla Diaz", "+1 617 555 0185"), ("Dev Patel", "+44 20 7946 0000"),
                        ("Eve Moss", "(312) 555-0142"), ("Fay Lund", "020 7946 0958")):
        panel.services.app.register_customer(name=name, contact_points=[{"kind": "phone", "value": phone}],
                                             occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return stored_desk


@pytest.mark.parametrize("search, found", [
    ("6175550185", ["Carla Diaz"]),
    ("+16175550185", ["Carla Diaz"]),
    ("617-555-0185", ["Carla Diaz"]),
    ("(617) 555-0185", ["Carla Diaz"]),
    ("+1 617 555 0185", ["Carla Diaz"]),  # as stored
    ("7946", ["Dev Patel", "Fay Lund"]),
    ("555", ["Carla Diaz", "Eve Moss"]),  # a word of the stored text, as before
    ("5550", ["Carla Diaz", "Eve Moss"]),  # the digits across the stored spaces and dashes
    ("Carla 0185", ["Carla Diaz"]),  # words, as before
    ("0185 Dev", []),
    ("020 7946 0000", ["Dev Patel"]),  # the national form of a number stored internationally
    ("+1 312 555 0142", ["Eve Moss"]),  # the international form of one stored nationally
    ("13125550142", ["Eve Moss"]),
    ("+44 20 7946 0958", ["Fay Lund"]),  # the trunk 0 stored
    ("555 0000", []),  # words: no stored text holds "0000" after "555"
])
def test_a_phone_number_typed_in_any_format_finds_the_customer(phones: Desk, search: str, found: list[str]) -> None:
    everyone = ["Carla Diaz", "Dev Patel", "Eve Moss", "Fay Lund"]
    assert listed(phones, "/admin/customers/", search, everyone) == found
