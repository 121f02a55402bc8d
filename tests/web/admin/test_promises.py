"""Promises in the panel: make one (a callback at the customer's time included), keep,
reschedule and cancel it, keep several at once; who may do it; errors on the form."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from tests.web.admin.conftest import Desk, Panel
from tests.web.admin.matrix import READ, WRITE, assert_matrix, customer


def promise(panel: Panel, customer_id: UUID, what: str = "Send the new contract", hours: float = 2) -> UUID:
    receipt = panel.services.app.make_promise(
        customer_id=customer_id, what=what, due_at=panel.clock.now() + timedelta(hours=hours),
        owner=f"user:{panel.user_id('agent')}", channel="email", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return receipt.id


def test_role_matrix_of_the_promises_views(panel: Panel) -> None:
    on = f"?id={promise(panel, customer(panel))}"
    cells = [("GET /admin/promises/", "list", None, READ), ("GET /admin/promises/details/" + on, "", None, READ),
             ("GET /admin/promises/export/csv/", "", None, READ), ("GET /admin/promises_due_today/", "", None, READ),
             ("GET /admin/overdue_promises/", "", None, READ), ("GET /admin/promises/new/", "", None, WRITE),
             ("POST /admin/promises/new/", "", {"what": ""}, WRITE),
             ("POST /admin/promises/action/", "", {"action": "keep", "rowid": on[4:]}, WRITE)]
    for command in ("keep", "reschedule", "cancel"):
        cells += [(f"GET /admin/promises/act/{command}/" + on, "", None, WRITE),
                  (f"POST /admin/promises/act/{command}/" + on, "", {}, WRITE)]
    assert_matrix(panel, cells)


def test_a_callback_at_the_time_the_customer_chose(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    customer_id = customer(panel)
    response = panel.post(agent, "/admin/promises/new/", {
        "customer_id": str(customer_id), "kind": "callback", "what": "Call about the renewal",
        "due_at": "2026-03-03T14:30", "owner": f"user:{panel.user_id('agent')}", "channel": "phone",
        "contact_point": "+44 20 7946 0000", "case_id": ""})
    assert response.status_code == 302
    page = agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Call about the renewal" in page and "2026-03-03 14:30 UTC" in page
    listed = agent.get("/admin/promises/?search=renewal").get_data(as_text=True)
    assert "Call about the renewal" in listed and "callback" in listed


def test_a_promise_shows_the_customers_time_zone_and_the_due_time_on_their_clock(panel: Panel) -> None:
    """A callback booked on the public page in Tokyo's zone: the agent sees what the customer was told."""
    receipt = panel.services.app.make_promise(
        customer_id=customer(panel), what="Call back", due_at=panel.clock.now() + timedelta(hours=2),
        owner=f"user:{panel.user_id('agent')}", channel="phone", timezone="Asia/Tokyo",
        occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    page = panel.client("agent").get(f"/admin/promises/details/?id={receipt.id}").get_data(as_text=True)
    there = (panel.clock.now() + timedelta(hours=2)).astimezone(ZoneInfo("Asia/Tokyo"))
    assert "Customer&#39;s time zone" in page and f"Asia/Tokyo (due {there:%Y-%m-%d %H:%M} JST there)" in page
    plain = promise(panel, customer(panel, "Bob"))
    assert "Asia/Tokyo" not in panel.client("agent").get(f"/admin/promises/details/?id={plain}").get_data(as_text=True)


def test_a_due_time_that_is_not_a_date_is_a_field_error(panel: Panel) -> None:
    customer_id = customer(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/promises/new/", {
        "customer_id": str(customer_id), "kind": "promise", "what": "Refund", "due_at": "next tuesday",
        "owner": f"user:{panel.user_id('agent')}", "channel": "email"}).get_data(as_text=True)
    assert "Not a valid datetime value" in page.split('id="due_at"', 1)[1][:600]
    assert panel.event_count() == before


def test_keep_reschedule_and_cancel(desk: Desk) -> None:
    panel, agent = desk
    customer_id = customer(panel)
    kept, moved, dropped = (promise(panel, customer_id, what) for what in ("Kept one", "Moved one", "Dropped one"))
    assert panel.post(agent, f"/admin/promises/act/keep/?id={kept}",
                      {"evidence": "Sent by email", "version": "1"}).status_code == 302
    assert panel.post(agent, f"/admin/promises/act/reschedule/?id={moved}",
                      {"due_at": "2026-03-09T10:00", "reason": "Customer on leave", "version": "1"}).status_code == 302
    assert panel.post(agent, f"/admin/promises/act/cancel/?id={dropped}",
                      {"reason": "No longer needed", "version": "1"}).status_code == 302
    app = panel.services.app
    assert app.get_promise(kept).status == "kept"
    assert app.get_promise(moved).due_at.isoformat() == "2026-03-09T10:00:00+00:00"
    assert app.get_promise(dropped).status == "cancelled"
    listed = agent.get("/admin/promises/?flt0_0=open").get_data(as_text=True)  # the Status filter
    assert "Moved one" in listed and "Kept one" not in listed


def test_hand_a_promise_over_to_a_colleague_with_a_note(desk: Desk) -> None:
    panel, agent = desk
    made = promise(panel, customer(panel))
    admin_ref = f"user:{panel.user_id('admin')}"
    assert panel.post(agent, f"/admin/promises/act/hand_over/?id={made}",
                      {"to_owner": admin_ref, "note": "Contract is in the shared drive", "version": "1"}
                      ).status_code == 302
    assert panel.services.app.get_promise(made).owner == admin_ref
    before = panel.event_count()
    page = panel.post(agent, f"/admin/promises/act/hand_over/?id={made}", {"to_owner": "", "version": "2"})
    assert "Pick a colleague from the list" in page.get_data(as_text=True)  # nobody picked: nothing written
    assert panel.event_count() == before


def test_keep_selected_promises(desk: Desk) -> None:
    panel, agent = desk
    customer_id = customer(panel)
    ids = [str(promise(panel, customer_id, f"Promise {n}")) for n in range(3)]
    token = panel.csrf(agent)
    form = agent.post("/admin/promises/action/", data={"action": "keep", "rowid": ids, "csrf_token": token})
    assert "Keep: 3 selected" in form.get_data(as_text=True)
    done = agent.post("/admin/promises/bulk/keep/", data={"rowid": ids, "evidence": "Done in the call",
                                                            "csrf_token": token})
    assert done.status_code == 302
    assert {panel.services.app.get_promise(UUID(i)).status for i in ids} == {"kept"}


def test_keep_selected_leaves_a_promise_a_colleague_owns(stored_panel: Panel) -> None:
    panel, app = stored_panel, stored_panel.services.app
    ada = customer(panel)
    mine = promise(panel, ada, "Mine")
    theirs = app.make_promise(customer_id=ada, what="Theirs", due_at=panel.clock.now() + timedelta(hours=2),
                              owner=f"user:{panel.user_id('admin')}", channel="email", occurred_at=panel.clock.now(),
                              actor="system:test").id
    panel.catch_up()
    agent = panel.client("agent")
    done = agent.post("/admin/promises/bulk/keep/", data={"rowid": [str(mine), str(theirs)], "evidence": "Called",
                                                           "csrf_token": panel.csrf(agent)})
    page = agent.get(done.headers["Location"]).get_data(as_text=True)
    assert "done for 1 of 2 selected; 1 owned by a colleague was left: Theirs" in page
    assert (app.get_promise(mine).status, app.get_promise(theirs).status) == ("kept", "open")


def test_due_today_holds_open_promises_due_before_midnight(panel: Panel) -> None:
    customer_id = customer(panel)
    promise(panel, customer_id, "Due this afternoon", hours=5)   # clock: 09:00 UTC
    promise(panel, customer_id, "Already late", hours=-1)
    promise(panel, customer_id, "Due tomorrow", hours=20)
    panel.services.app.make_promise(customer_id=customer_id, what="A colleague's call", owner="user:someone-else",
                                    due_at=panel.clock.now() + timedelta(hours=1), channel="email",
                                    occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    page = panel.client("agent").get("/admin/promises_due_today/").get_data(as_text=True)
    assert "Due this afternoon" in page and "Already late" in page and "overdue" in page
    assert "Due tomorrow" not in page and "A colleague's call" not in page  # my queue: mine only
