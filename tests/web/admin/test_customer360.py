"""The customer 360 page: who may see it, what an agent taking over learns from it, a long
timeline in pages, and merging duplicates (a command; both histories kept)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from uuid import UUID, uuid4

import pytest

from domain.clock import FixedClock
from tests.web.admin.conftest import Panel, build_panel
from tests.web.admin.pages_data import AGENT, hours, write_known_history


@pytest.fixture
def quick(database_url: str, clock: FixedClock) -> Iterator[Panel]:
    """The panel on both databases, not waiting for projections after a command (no runner
    runs beside the tests: they call ``catch_up`` themselves)."""
    built = build_panel(database_url, clock, API_MIN_POSITION_WAIT=0)
    yield built
    built.services.close()


def text(response: object) -> str:
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def customer(panel: Panel, name: str, **fields: object) -> UUID:
    return panel.services.app.register_customer(name=name, occurred_at=hours(-100), actor=AGENT, **fields).id


def merge(panel: Panel, client: object, survivor: UUID, duplicate: object, token_from: str | None = None) -> object:
    url = f"/admin/customer360/{survivor}/merge"
    return panel.post(client, url, {"duplicate_id": str(duplicate)},
                      token_from=token_from or f"/admin/customer360/{survivor}")


def test_anonymous_visitors_are_sent_to_the_login_page(panel: Panel) -> None:
    ada = customer(panel, "Ada")
    panel.catch_up()
    response = panel.anonymous().get(f"/admin/customer360/{ada}")
    assert response.status_code == 302 and "/admin/account/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "agent", "auditor"])
def test_every_role_reads_the_page(panel: Panel, role: str) -> None:
    ada = customer(panel, "Ada Lovelace")
    panel.catch_up()
    response = panel.client(role).get(f"/admin/customer360/{ada}")
    assert response.status_code == 200 and "Ada Lovelace" in text(response)


@pytest.mark.parametrize("role, allowed", [("admin", True), ("agent", True), ("auditor", False)])
def test_only_writers_merge(quick: Panel, role: str, allowed: bool) -> None:
    ada, twin = customer(quick, "Ada Lovelace"), customer(quick, "Ada Lovelace")
    quick.catch_up()
    client = quick.client(role)
    review = client.get(f"/admin/customer360/{ada}/merge?duplicate={twin}")
    assert review.status_code == 200 and ('id="merge-form"' in review.get_data(as_text=True)) == allowed
    before = quick.event_count()
    response = merge(quick, client, ada, twin)
    assert response.status_code == (302 if allowed else 403)
    assert quick.event_count() == before + (2 if allowed else 0)


def test_an_anonymous_merge_is_refused(panel: Panel) -> None:
    ada, twin = customer(panel, "Ada"), customer(panel, "Ada")
    panel.catch_up()
    client = panel.anonymous()
    response = merge(panel, client, ada, twin, token_from="/admin/account/login")  # a valid token, nobody logged in
    assert response.status_code == 302 and "/admin/account/login" in response.headers["Location"]
    assert panel.services.app.get_customer(twin).merged_into is None


@pytest.mark.parametrize("role, links", [("admin", True), ("agent", False), ("auditor", True)])
def test_history_links_show_only_for_those_who_may_read_history(panel: Panel, role: str, links: bool) -> None:
    ada = customer(panel, "Ada Lovelace")
    panel.catch_up()
    page = panel.client(role).get(f"/admin/customer360/{ada}").get_data(as_text=True)
    assert (f"/admin/history/{ada}" in page) is links


def test_an_assignment_in_the_timeline_names_the_agent_not_their_id(panel: Panel) -> None:
    ada = customer(panel, "Ada Lovelace")
    app = panel.services.app
    case = app.open_case(customer_id=ada, subject="Printer jams", channel="email", occurred_at=hours(-3), actor=AGENT)
    app.assign_case(case.id, assignee=f"user:{panel.user_id('agent')}", occurred_at=hours(-2), actor=AGENT)
    panel.catch_up()
    shown = text(panel.client("agent").get(f"/admin/customer360/{ada}"))
    assert "assigned to Andy Agent" in shown and f"user:{panel.user_id('agent')}" not in shown


def test_a_retracted_contact_is_marked_where_it_stands_in_the_timeline(panel: Panel) -> None:
    ada = customer(panel, "Ada Lovelace")
    app = panel.services.app
    wrong = app.record_touchpoint(customer_id=ada, channel="phone", direction="inbound", kind="inquiry",
                                  subject="Was Bob calling", occurred_at=hours(-3), actor=AGENT).id
    app.record_touchpoint(customer_id=ada, channel="email", direction="inbound", kind="inquiry",
                          subject="Ada writes", occurred_at=hours(-2), actor=AGENT)
    app.retract_touchpoint(wrong, reason="wrong customer", occurred_at=hours(-1), actor=AGENT)
    panel.catch_up()
    page = panel.client("agent").get(f"/admin/customer360/{ada}").get_data(as_text=True)
    assert "Inbound email: Ada writes" in page and "<s>Inbound email: Ada writes</s>" not in page
    assert '<span class="badge badge-secondary">Retracted</span> <s>Inbound phone: Was Bob calling</s>' in page


def test_an_agent_taking_over_a_transfer_reads_the_handover_note(stored_panel: Panel) -> None:
    known = write_known_history(stored_panel.services.app)
    app = stored_panel.services.app
    app.assign_case(known.breached_case, assignee="user:first@example.com", occurred_at=hours(-4.5), actor=AGENT)
    app.reply_to_case(known.breached_case, body="Firmware 2.1 did not help", public=False, occurred_at=hours(-4.2),
                      actor="user:first@example.com")
    app.transfer_case(known.breached_case, to_assignee="user:second@example.com", to_team="Hardware",
                      note="Customer already reset the printer twice; call after 17:00", occurred_at=hours(-4),
                      actor="user:first@example.com")
    stored_panel.catch_up()

    page = stored_panel.client("agent").get(f"/admin/customer360/{known.ada}")
    shown = text(page)
    assert "Handover" in shown and "Customer already reset the printer twice; call after 17:00" in shown
    assert "internal note: Firmware 2.1 did not help" in shown
    row = re.search(r'data-case="CASE-000001">(.*?)</tr>', page.get_data(as_text=True), re.DOTALL)
    assert row and "user:second@example.com" in row.group(1) and "Hardware" in row.group(1)
    clocks = dict(re.findall(r'data-target="([a-z_]+)" data-status="([a-z]+)"', row.group(1)))
    assert clocks == {"first_response": "breached", "resolution": "breached"}
    row_text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row.group(1))).split())
    assert "first response: overrun 4 h 00 min, was due 2026-03-02 05:00 UTC" in row_text
    assert "resolution: overrun 1 h 00 min, was due 2026-03-02 08:00 UTC" in row_text


def test_the_page_shows_contacts_segment_promises_deals_and_the_at_risk_clock(panel: Panel) -> None:
    known = write_known_history(panel.services.app)
    panel.catch_up()
    shown = text(panel.client("agent").get(f"/admin/customer360/{known.ada}"))
    assert "ada@example.com" in shown and "sector software" in shown
    assert "Call back about the jam" in shown and "overdue" in shown and "Send a new drum" in shown
    assert "Deal 0" in shown and "Won" in shown and "Deal 1" in shown and "Lost" in shown
    assert "running first response: 10 min left, due 2026-03-02 09:10 UTC" in shown


def test_a_long_timeline_comes_in_pages(panel: Panel) -> None:
    ada = customer(panel, "Ada")
    for i in range(60):
        panel.services.app.record_touchpoint(customer_id=ada, channel="chat", direction="inbound", kind="inquiry",
                                             subject=f"Question {i:02d}", occurred_at=hours(-60 + i), actor=AGENT)
    panel.catch_up()
    client = panel.client("agent")
    first = client.get(f"/admin/customer360/{ada}").get_data(as_text=True)
    assert "Question 59" in first and "Question 10" in first and "Question 09" not in first
    older = re.search(r'href="([^"]+)" id="older"', first)
    assert older
    rest = client.get(html.unescape(older.group(1))).get_data(as_text=True)
    assert "Question 09" in rest and "Registered as a person" in rest and "Question 10" not in rest
    assert 'id="older"' not in rest


def test_a_bad_timeline_cursor_shows_the_newest_events(panel: Panel) -> None:
    ada = customer(panel, "Ada")
    panel.catch_up()
    response = panel.client("agent").get(f"/admin/customer360/{ada}?cursor=not-a-cursor")
    assert response.status_code == 200 and "Registered as a person" in text(response)


@pytest.mark.parametrize("path", ["/admin/customer360/not-an-id", "/admin/customer360/5b0c6a3e-0000-4000-8000-000000000404"])
def test_an_unknown_customer_is_a_message(panel: Panel, path: str) -> None:
    response = panel.client("agent").get(path)
    assert response.status_code == 404 and 'id="page-message"' in response.get_data(as_text=True)


def test_possible_duplicates_are_offered_with_the_reason(panel: Panel) -> None:
    ada = customer(panel, "Ada Lovelace", contact_points=[
        {"kind": "email", "value": "ada@example.com"}, {"kind": "phone", "value": "+44 20 7946 0000"},
        {"kind": "email", "value": "ada@lovelace.org"}, {"kind": "mobile", "value": "+1 617 555 0185"}])
    by_email = customer(panel, "A. Lovelace", contact_points=[{"kind": "email", "value": "ADA@example.com"}])
    by_phone = customer(panel, "Countess of Lovelace", contact_points=[{"kind": "phone", "value": "4420 79460000"}])
    by_name = customer(panel, "ada   LOVELACE")
    # Her second address and her mobile count too (a merge's survivor keeps what it took).
    by_second_email = customer(panel, "Augusta King", contact_points=[{"kind": "email", "value": "Ada@Lovelace.org"}])
    by_mobile = customer(panel, "A. King", contact_points=[{"kind": "phone", "value": "+1-617-555-0185"}])
    # ...and the other's second address (customer_emails holds every one).
    by_their_second = customer(panel, "Byron", contact_points=[{"kind": "email", "value": "byron@example.com"},
                                                               {"kind": "email", "value": "ada@lovelace.org"}])
    stranger = customer(panel, "Grace Hopper", contact_points=[{"kind": "email", "value": "grace@example.com"}])
    panel.catch_up()
    page = panel.client("agent").get(f"/admin/customer360/{ada}").get_data(as_text=True)
    offered = dict(re.findall(r'data-duplicate="([^"]+)">.*?same ([a-z, ]+);', page, re.DOTALL))
    assert offered == {str(by_email): "email", str(by_phone): "phone", str(by_name): "name",
                       str(by_second_email): "email", str(by_mobile): "phone", str(by_their_second): "email"}
    assert str(stranger) not in page


def test_a_merge_keeps_both_histories_on_the_survivors_page(quick: Panel) -> None:
    app = quick.services.app
    ada = customer(quick, "Ada Lovelace", contact_points=[{"kind": "email", "value": "ada@example.com"}])
    twin = customer(quick, "Ada Lovelace", contact_points=[{"kind": "phone", "value": "+44 20 7946 0000"}])
    app.open_case(customer_id=twin, subject="Scanner is slow", channel="chat", occurred_at=hours(-3), actor=AGENT)
    app.record_touchpoint(customer_id=ada, channel="email", direction="inbound", kind="inquiry", subject="Invoice",
                          occurred_at=hours(-2), actor=AGENT)
    quick.catch_up()
    client = quick.client("agent")
    review = text(client.get(f"/admin/customer360/{ada}/merge?duplicate={twin}"))
    assert "takes the duplicate's contact points it lacks: +44 20 7946 0000" in review

    response = merge(quick, client, ada, twin)
    quick.catch_up()
    survivor = client.get(response.headers["Location"])
    shown = text(survivor)
    assert "Merged" in shown
    assert "Scanner is slow" in shown and "Inbound email: Invoice" in shown  # both timelines
    assert "+44 20 7946 0000" in shown  # the merged record's contact points
    assert quick.services.app.get_customer(ada).contact_points == [
        {"kind": "email", "value": "ada@example.com"}, {"kind": "phone", "value": "+44 20 7946 0000"}]
    assert "1 open of 1" in shown  # the duplicate's open case counts for the survivor
    assert "Possible duplicates" not in shown
    assert "Absorbed duplicate Ada Lovelace" in shown and f"customer {twin}" not in shown  # a name, not an id
    duplicate = text(client.get(f"/admin/customer360/{twin}"))
    assert "This customer was merged into Ada Lovelace" in duplicate and "Scanner is slow" in duplicate
    assert "Merged into Ada Lovelace" in duplicate
    assert [type(e).__name__ for e in app.events.get(twin)] == ["Registered", "MergedInto"]
    assert [type(e).__name__ for e in app.events.get(ada)] == ["Registered", "Absorbed", "DetailsChanged"]
    third = customer(quick, "Ada", contact_points=[{"kind": "mobile", "value": "+44 (20) 7946-0000"}])
    quick.catch_up()
    again = text(client.get(f"/admin/customer360/{ada}/merge?duplicate={third}"))
    assert "already has every contact point of the duplicate" in again  # the same number, written otherwise


@pytest.mark.parametrize("duplicate, message", [
    ("self", "a customer cannot be merged into itself"),
    ("unknown", "not found"),
    ("", "choose the duplicate customer"),
    ("not-an-id", "choose the duplicate customer"),
    ("merged", "was merged into"),
    ("erased", "was erased: nothing of it is left to merge"),
])
def test_a_bad_merge_is_a_message_and_changes_nothing(quick: Panel, duplicate: str, message: str) -> None:
    ada, twin, other, gone = (customer(quick, "Ada") for _ in range(4))
    quick.services.app.merge_customers(other, survivor_id=twin, occurred_at=hours(-1), actor=AGENT)
    quick.services.app.erase_customer(gone, reason="GDPR", occurred_at=hours(-1), actor=AGENT)
    quick.catch_up()
    client = quick.client("agent")
    chosen = {"self": ada, "unknown": uuid4(), "merged": other, "erased": gone}.get(duplicate, duplicate)
    before = quick.event_count()

    response = merge(quick, client, ada, chosen)
    assert response.status_code == 302
    assert quick.event_count() == before
    shown = text(client.get(response.headers["Location"]))
    assert message in shown


def test_nothing_is_merged_into_an_erased_customer_and_the_review_says_so(quick: Panel) -> None:
    """An erased record is a tombstone: a person who writes again is a new customer, whom a merge
    must not fold back into the record erasure already ran for."""
    erased, returned = customer(quick, "Ada"), customer(quick, "Ada")
    quick.services.app.erase_customer(erased, reason="GDPR", occurred_at=hours(-1), actor=AGENT)
    quick.catch_up()
    client = quick.client("agent")
    itself = client.get(f"/admin/customer360/{returned}/merge?duplicate={returned}")
    assert "cannot be merged into itself" in text(itself) and 'id="merge-form"' not in itself.get_data(as_text=True)
    page = client.get(f"/admin/customer360/{erased}/merge?duplicate={returned}")
    assert f"Customer {erased} was erased: it cannot be merged, nor anything into it." in text(page)
    assert 'id="merge-form"' not in page.get_data(as_text=True)  # no button to press
    before = quick.event_count()
    shown = text(client.get(merge(quick, client, erased, returned).headers["Location"]))
    assert "was erased: nothing can be merged into it" in shown and quick.event_count() == before


def test_erased_customers_are_nobodys_possible_duplicates(quick: Panel) -> None:
    """Two people erased read alike ("[erased]", an erased address): they are not the same person."""
    first, second = (customer(quick, "Ada", contact_points=[{"kind": "email", "value": f"ada{i}@example.com"}])
                     for i in (1, 2))
    live = customer(quick, "Ada")
    for erased in (first, second):
        quick.services.app.erase_customer(erased, reason="GDPR", occurred_at=hours(-1), actor=AGENT)
    quick.catch_up()
    client = quick.client("agent")
    assert "Possible duplicates" not in text(client.get(f"/admin/customer360/{first}"))
    page = client.get(f"/admin/customer360/{live}").get_data(as_text=True)
    assert str(first) not in page and str(second) not in page


def test_the_merge_review_shows_promises_and_deals_and_tells_same_named_records_apart(quick: Panel) -> None:
    app = quick.services.app
    ada = customer(quick, "Ada Lovelace")
    twin = app.register_customer(name="Ada Lovelace", occurred_at=hours(-50), actor=AGENT).id
    app.make_promise(customer_id=twin, what="Call back about the invoice", due_at=hours(5), owner=AGENT,
                     channel="phone", occurred_at=hours(-1), actor=AGENT)
    quick.catch_up()
    client = quick.client("agent")
    review = client.get(f"/admin/customer360/{ada}/merge?duplicate={twin}")
    duplicate_card = text(review).split("Merged into it:", 1)[1]
    assert "1 open promise; no deals" in duplicate_card
    app.open_deal(customer_id=twin, product_id=None, title="Printers", value="100", owner=AGENT,
                  occurred_at=hours(-1), actor=AGENT)
    quick.catch_up()
    again = text(client.get(f"/admin/customer360/{ada}/merge?duplicate={twin}")).split("Merged into it:", 1)[1]
    assert "1 open promise; deals: 1 Prospecting" in again
    button = text(review).split("Keep the other one instead", 1)[0].rsplit("Merge Ada Lovelace", 1)[1]
    assert "(since" in button and button.count("since") == 2  # each record by when it began


def test_a_merge_of_a_duplicate_changed_since_the_review_is_refused_and_reviewed_again(quick: Panel) -> None:
    app = quick.services.app
    ada, twin = customer(quick, "Ada"), customer(quick, "Ada B")
    quick.catch_up()
    client = quick.client("agent")
    review_url = f"/admin/customer360/{ada}/merge?duplicate={twin}"
    seen = re.search(r'name="duplicate_version" value="(\d+)"', client.get(review_url).get_data(as_text=True))
    assert seen
    app.change_customer_details(twin, name="Ada Byron", occurred_at=hours(-1), actor="user:colleague")
    before = quick.event_count()
    response = quick.post(
        client, f"/admin/customer360/{ada}/merge", {"duplicate_id": str(twin), "duplicate_version": seen.group(1)},
        token_from=review_url)
    assert response.status_code == 302 and response.headers["Location"].endswith(review_url)
    assert quick.event_count() == before
    assert "Not merged: the duplicate changed since this page was opened" in text(client.get(review_url))


def test_customer_since_is_the_first_thing_known_of_them_not_when_the_record_was_made(quick: Panel) -> None:
    """A history back-filled (an agent recording last month's call, an import) began before the record."""
    app = quick.services.app
    ada = customer(quick, "Ada Lovelace")  # registered 100 hours ago
    app.record_touchpoint(customer_id=ada, channel="phone", direction="inbound", kind="inquiry",
                          subject="Called about a quote", occurred_at=hours(-1000), actor=AGENT)
    quick.catch_up()
    shown = text(quick.client("agent").get(f"/admin/customer360/{ada}"))
    assert f"Customer since {hours(-1000):%Y-%m-%d}" in shown


def test_a_pair_merged_already_is_reviewed_without_a_button(quick: Panel) -> None:
    """A colleague merged first (or the link is old): the page says so instead of offering a merge
    that can only fail."""
    app = quick.services.app
    ada, twin = customer(quick, "Ada"), customer(quick, "Ada B")
    app.merge_customers(twin, survivor_id=ada, occurred_at=hours(-1), actor=AGENT)
    quick.catch_up()
    client = quick.client("agent")
    for survivor, duplicate in ((ada, twin), (twin, ada)):
        page = client.get(f"/admin/customer360/{survivor}/merge?duplicate={duplicate}")
        assert "Ada B was merged into Ada already" in text(page)
        assert 'id="merge-form"' not in page.get_data(as_text=True)


def test_business_minutes_left_are_hours_not_days(panel: Panel) -> None:
    """A business day is not 24 hours: 3000 business minutes left are "50 h", not "2 d 2 h"."""
    with panel.app.app_context():
        minutes = panel.app.jinja_env.get_template("admin/pages/_format.html").module.minutes
        shown = {str(minutes(3000, True)), str(minutes(3000)), str(minutes(90, True))}
    assert shown == {"50&nbsp;h 00&nbsp;min", "2&nbsp;d 2&nbsp;h", "1&nbsp;h 30&nbsp;min"}
