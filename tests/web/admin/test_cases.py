"""Cases in the panel: who may do what, opening a case through its form, working it with
command forms and bulk actions; errors on the form, conflicts as a message, nothing half-written."""

from __future__ import annotations

from uuid import UUID

import pytest
from flask.testing import FlaskClient

from tests.web.admin.conftest import Desk, Panel
from tests.web.admin.matrix import READ, WRITE, assert_matrix, customer, open_case


def agent_ref(panel: Panel, role: str = "agent") -> str:
    return f"user:{panel.user_id(role)}"


def test_role_matrix_of_the_cases_views(panel: Panel) -> None:
    case_id = open_case(panel, customer(panel))
    on = f"?id={case_id}"
    cells = [("GET /admin/cases/", "list", None, READ),
             ("GET /admin/cases/details/" + on, "details", None, READ),
             ("GET /admin/cases/export/csv/", "export", None, READ),
             ("GET /admin/cases/new/", "open form", None, WRITE),
             ("POST /admin/cases/new/", "open", {"subject": ""}, WRITE),
             ("POST /admin/cases/action/", "bulk", {"action": "assign_to_me", "rowid": str(case_id)}, WRITE),
             ("POST /admin/cases/bulk/resolve/", "bulk resolve", {"rowid": str(case_id), "resolution": ""}, WRITE)]
    for command in ("assign_to_me", "assign", "transfer", "reply", "pend", "resume", "priority", "resolve", "reopen",
                    "close"):
        cells.append((f"GET /admin/cases/act/{command}/" + on, command, None, WRITE))
        cells.append((f"POST /admin/cases/act/{command}/" + on, command, {}, WRITE))
    for queue in ("my_cases", "unassigned_cases"):
        cells.append((f"GET /admin/{queue}/", queue, None, READ))
    assert_matrix(panel, cells)


def test_an_auditor_sees_no_buttons_that_write(panel: Panel) -> None:
    case_id = open_case(panel, customer(panel))
    page = panel.client("auditor").get(f"/admin/cases/details/?id={case_id}").get_data(as_text=True)
    assert "Printer jams" in page
    assert "/act/" not in page and "/admin/cases/new/" not in page


def test_opening_a_case_through_the_form_records_it_and_shows_it(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    customer_id = customer(panel)
    response = panel.post(agent, "/admin/cases/new/", {
        "customer_id": str(customer_id), "subject": "Invoice is wrong", "description": "Billed twice",
        "channel": "phone", "priority": "high", "team": ""}, token_from="/admin/cases/new/")
    assert response.status_code == 302 and "/admin/cases/details/" in response.headers["Location"]
    details = agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Invoice is wrong" in details and "CASE-" in details
    assert "Invoice is wrong" in agent.get("/admin/cases/").get_data(as_text=True)
    [case] = [c for c in agent.get("/admin/cases/export/csv/").get_data(as_text=True).splitlines()
              if "Invoice is wrong" in c]
    assert "high" in case


def test_a_bad_form_shows_the_field_message_and_writes_nothing(panel: Panel) -> None:
    customer_id = customer(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    response = panel.post(agent, "/admin/cases/new/", {
        "customer_id": str(customer_id), "subject": "   ", "channel": "phone", "priority": "normal", "team": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "subject: is required" in page  # the message
    assert "is required" in page.split('id="subject"', 1)[1][:500]  # on the field
    assert panel.event_count() == before


def test_a_team_the_form_does_not_offer_is_refused_on_the_field(panel: Panel) -> None:
    customer_id = customer(panel)
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/cases/new/", {
        "customer_id": str(customer_id), "subject": "Printer", "channel": "phone", "priority": "normal",
        "team": "nonexistent"}).get_data(as_text=True)
    assert "Pick a team from the list" in page.split('id="team"', 1)[1][:800]
    assert panel.event_count() == before


def test_a_case_needs_a_customer_picked(panel: Panel) -> None:
    agent = panel.client("agent")
    before = panel.event_count()
    page = panel.post(agent, "/admin/cases/new/", {"subject": "No customer", "channel": "phone",
                                                   "priority": "normal"}).get_data(as_text=True)
    assert "Pick the customer." in page
    assert panel.event_count() == before


def test_transfer_with_a_handover_note_moves_the_case(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    case_id = open_case(panel, customer(panel))
    url = f"/admin/cases/act/transfer/?id={case_id}"
    response = panel.post(agent, url, {"to_assignee": agent_ref(panel, "admin"), "to_team": "",
                                       "note": "Customer prefers email; refund approved", "version": "1"})
    assert response.status_code == 302
    case = panel.services.app.get_case(case_id)
    assert case.assignee == agent_ref(panel, "admin")
    events = list(panel.services.app.events.get(case_id))
    assert events[-1].note == "Customer prefers email; refund approved"
    assert events[-1].actor == "user:agent@example.com" or events[-1].actor == agent_ref(panel)
    page = agent.get(response.headers["Location"]).get_data(as_text=True)
    assert "Transfer: done" in page and "Ada Admin" in page


@pytest.mark.parametrize("to", ["nobody", "user:00000000-0000-0000-0000-000000000007", "auditor"])
def test_a_transfer_posted_to_someone_the_list_does_not_offer_is_refused_on_the_field(desk: Desk, to: str) -> None:
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    before = panel.event_count()
    target = agent_ref(panel, "auditor") if to == "auditor" else to  # an auditor only reads
    page = panel.post(agent, f"/admin/cases/act/transfer/?id={case_id}", {
        "to_assignee": target, "to_team": "", "note": "Over to you", "version": "1"}).get_data(as_text=True)
    assert "Pick a colleague from the list (an active admin or agent)." in page
    assert panel.event_count() == before


def test_an_internal_note_is_not_a_reply_to_the_customer(desk: Desk) -> None:
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    panel.post(agent, f"/admin/cases/act/reply/?id={case_id}",
               {"visibility": "internal", "body": "Checked the logs", "version": "1"})
    event = list(panel.services.app.events.get(case_id))[-1]
    assert type(event).__name__ == "AgentReplied" and event.public is False


def test_a_concurrent_change_is_a_conflict_message_not_a_500(desk: Desk) -> None:
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    form = agent.get(f"/admin/cases/act/resolve/?id={case_id}").get_data(as_text=True)
    assert 'name="version" type="hidden" value="1"' in form
    panel.services.app.assign_case(case_id, assignee="user:someone", occurred_at=panel.clock.now(),
                                   actor="user:someone")  # meanwhile, another agent
    response = panel.post(agent, f"/admin/cases/act/resolve/?id={case_id}",
                          {"resolution": "Replaced the drum", "version": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "someone else changed this record meanwhile" in page
    assert panel.services.app.get_case(case_id).status == "open"  # not resolved


def test_after_a_conflict_the_form_keeps_the_text_and_the_current_version_so_saving_again_applies_it(
        desk: Desk) -> None:
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    panel.services.app.assign_case(case_id, assignee="user:someone", occurred_at=panel.clock.now(),
                                   actor="user:someone")  # meanwhile, another agent
    url = f"/admin/cases/act/resolve/?id={case_id}"
    page = panel.post(agent, url, {"resolution": "Replaced the drum", "version": "1"}).get_data(as_text=True)
    assert "someone else changed this record meanwhile" in page and "Replaced the drum" in page
    assert 'name="version" type="hidden" value="2"' in page
    assert panel.post(agent, url, {"resolution": "Replaced the drum", "version": "2"}).status_code == 302
    assert panel.services.app.get_case(case_id).status == "resolved"


def test_a_command_the_status_forbids_is_a_form_message(desk: Desk) -> None:
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    page = panel.post(agent, f"/admin/cases/act/reopen/?id={case_id}",
                           {"reason": "Still broken", "version": "1"}).get_data(as_text=True)
    assert "cannot reopen" in page


def test_details_offer_the_commands_the_status_allows(panel: Panel) -> None:
    case_id = open_case(panel, customer(panel))
    page = panel.client("agent").get(f"/admin/cases/details/?id={case_id}").get_data(as_text=True)
    for offered in ("command-assign_to_me", "command-transfer", "command-resolve", "command-pend"):
        assert offered in page
    for hidden in ("command-reopen", "command-resume", "command-close"):
        assert hidden not in page


def test_assign_selected_cases_to_me_in_one_action(stored_desk: Desk) -> None:
    panel, agent = stored_desk
    customer_id = customer(panel)
    ids = [open_case(panel, customer_id, f"Case {n}") for n in range(3)]
    response = agent.post("/admin/cases/action/", data={"action": "assign_to_me", "rowid": [str(i) for i in ids],
                                                         "csrf_token": panel.csrf(agent)})
    assert response.status_code == 302
    assert {panel.services.app.get_case(i).assignee for i in ids} == {agent_ref(panel)}
    mine = agent.get("/admin/my_cases/").get_data(as_text=True)
    assert all(f"Case {n}" in mine for n in range(3))


def bulk(panel: Panel, client: FlaskClient, command: str, ids: list[UUID], **fields: str) -> str:
    """Run a list's bulk command on ``ids``; the page it leads to (with its summary)."""
    url = "/admin/cases/action/" if command == "assign_to_me" else f"/admin/cases/bulk/{command}/"
    data = {"action": command, "rowid": [str(i) for i in ids], "csrf_token": panel.csrf(client), **fields}
    response = client.post(url, data=data)
    assert response.status_code == 302
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_assign_selected_to_me_leaves_a_case_a_colleague_holds(stored_panel: Panel) -> None:
    panel, app = stored_panel, stored_panel.services.app
    ada = customer(panel)
    free, leas = open_case(panel, ada, "Free one"), open_case(panel, ada, "Lea's one")
    app.transfer_case(leas, to_assignee=agent_ref(panel, "admin"), note="Yours now", occurred_at=panel.clock.now(),
                      actor="system:test")
    panel.catch_up()
    page = bulk(panel, panel.client("agent"), "assign_to_me", [free, leas])
    code = app.get_case(leas).tracking_code
    assert f"done for 1 of 2 selected; 1 held by a colleague was left: {code}" in page
    assert app.get_case(free).assignee == agent_ref(panel)
    assert app.get_case(leas).assignee == agent_ref(panel, "admin")


def test_assign_selected_to_me_does_not_assign_my_own_cases_again(stored_panel: Panel) -> None:
    panel, app = stored_panel, stored_panel.services.app
    mine = open_case(panel, customer(panel))
    app.assign_case(mine, assignee=agent_ref(panel), occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    agent, before = panel.client("agent"), panel.event_count()
    page = bulk(panel, agent, "assign_to_me", [mine])
    assert "done for 0 of 1 selected; 1 already yours was left" in page
    assert panel.event_count() == before


def test_a_bulk_command_does_not_override_a_change_the_lists_do_not_show_yet(stored_panel: Panel) -> None:
    """The run judges each row by the lists; a change made since (not yet projected) is a conflict."""
    panel, app = stored_panel, stored_panel.services.app
    case_id = open_case(panel, customer(panel))
    agent = panel.client("agent")
    app.transfer_case(case_id, to_assignee=agent_ref(panel, "admin"), note="Mine", occurred_at=panel.clock.now(),
                      actor="system:test")  # the lists still show it unassigned
    page = bulk(panel, agent, "assign_to_me", [case_id])
    assert "changed by someone else meanwhile; left as it is" in page and "done for 0 of 1 selected" in page
    assert app.get_case(case_id).assignee == agent_ref(panel, "admin")


def test_resolve_selected_leaves_a_case_a_colleague_holds(stored_panel: Panel) -> None:
    panel, app = stored_panel, stored_panel.services.app
    ada = customer(panel)
    free, leas = open_case(panel, ada, "Free one"), open_case(panel, ada, "Lea's one")
    app.assign_case(leas, assignee=agent_ref(panel, "admin"), occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    page = bulk(panel, panel.client("agent"), "resolve", [free, leas], resolution="Fixed by the patch")
    assert "done for 1 of 2 selected; 1 held by a colleague was left" in page
    assert (app.get_case(free).status, app.get_case(leas).status) == ("resolved", "open")


def test_resolve_selected_cases_asks_for_the_resolution_once(desk: Desk) -> None:
    panel, agent = desk
    customer_id = customer(panel)
    ids = [str(open_case(panel, customer_id, f"Case {n}")) for n in range(2)]
    form = agent.post("/admin/cases/action/", data={"action": "resolve", "rowid": ids,
                                                     "csrf_token": panel.csrf(agent)})
    assert form.status_code == 200 and "Resolve: 2 selected" in form.get_data(as_text=True)
    done = agent.post("/admin/cases/bulk/resolve/", data={"rowid": ids, "resolution": "Fixed by the patch",
                                                           "csrf_token": panel.csrf(agent)})
    assert done.status_code == 302
    assert {panel.services.app.get_case(UUID(i)).status for i in ids} == {"resolved"}


@pytest.mark.parametrize("query", ["Printer", "CASE-"])
def test_the_list_searches_codes_and_subjects(panel: Panel, query: str) -> None:
    customer_id = customer(panel)
    open_case(panel, customer_id)
    open_case(panel, customer_id, "Login fails")
    page = panel.client("auditor").get(f"/admin/cases/?search={query}").get_data(as_text=True)
    assert "Printer jams" in page
    assert ("Login fails" in page) == (query == "CASE-")



def test_whoever_takes_over_a_case_reads_everything_the_customer_and_agents_wrote(panel: Panel) -> None:
    """The customer never repeats themselves: the case page shows the conversation in full,
    what they wrote first, every reply and note, and the handover note."""
    app, now = panel.services.app, panel.clock.now()
    ada = customer(panel)
    first_message = "My printer jams on every page. " * 8 + "Order SO-777 arrived broken."  # past any line's cut
    case_id = open_case(panel, ada, description="Jams since the firmware update")
    app.record_touchpoint(customer_id=ada, case_id=case_id, channel="web_form", direction="inbound",
                          kind="complaint", subject="Printer jams", summary=first_message, occurred_at=now,
                          actor="system:public-contact")
    app.reply_to_case(case_id, body="Could you send a photo of the paper path?", occurred_at=now, actor="user:x")
    app.transfer_case(case_id, to_assignee=agent_ref(panel, "admin"), note="Refund approved, ship a new unit",
                      occurred_at=now, actor=agent_ref(panel))
    other = open_case(panel, ada, subject="Invoice")  # another case of hers: not part of this conversation
    app.record_touchpoint(customer_id=ada, case_id=other, channel="email", direction="inbound", kind="inquiry",
                          subject="Invoice", summary="Where is my invoice?", occurred_at=now, actor="system:test")
    panel.catch_up()
    page = panel.client("admin").get(f"/admin/cases/details/?id={case_id}").get_data(as_text=True)
    conversation = page[page.index('id="conversation"'):]
    for text in ("Jams since the firmware update", "Order SO-777 arrived broken.",
                 "Could you send a photo of the paper path?", "Refund approved, ship a new unit"):
        assert text in conversation
    assert "Where is my invoice?" not in conversation
    full = panel.client("agent").get(f"/admin/customer360/{ada}").get_data(as_text=True)
    assert "Order SO-777 arrived broken." in full and "Where is my invoice?" in full


@pytest.mark.parametrize("version", [None, "", "abc"])
def test_a_command_posted_without_the_version_the_page_showed_is_refused(desk: Desk, version: str | None) -> None:
    """A crafted POST cannot skip the "changed meanwhile" check by leaving the version out."""
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    before = panel.event_count()
    data = {"resolution": "Replaced the printer"} | ({} if version is None else {"version": version})
    page = panel.post(agent, f"/admin/cases/act/resolve/?id={case_id}", data).get_data(as_text=True)
    assert "did not say which version of the record you saw" in page
    assert panel.event_count() == before


def test_sorting_by_priority_goes_by_urgency_not_by_name(panel: Panel) -> None:
    ada = customer(panel)
    for priority in ("normal", "urgent", "low", "high"):
        open_case(panel, ada, subject=f"Case {priority}", priority=priority)
    column = ["tracking_code", "subject", "customer", "status", "priority"].index("priority")
    page = panel.client("agent").get(f"/admin/cases/?sort={column}&desc=1").get_data(as_text=True)
    shown = [page.index(f"Case {p}") for p in ("urgent", "high", "normal", "low")]
    assert shown == sorted(shown)  # urgent first, then high, normal, low


def test_the_priority_form_opens_at_the_cases_current_priority(panel: Panel) -> None:
    """Saving it unchanged must not downgrade the case (and re-target its SLA)."""
    case_id = open_case(panel, customer(panel), priority="high")
    page = panel.client("agent").get(f"/admin/cases/act/priority/?id={case_id}").get_data(as_text=True)
    selected = page.split('id="priority"', 1)[1].split("</select>", 1)[0]
    assert '<option selected value="high">' in selected and selected.count("selected") == 1


def test_a_command_sent_twice_says_the_user_changed_it_not_a_colleague(desk: Desk) -> None:
    panel, agent = desk
    case_id = open_case(panel, customer(panel))
    reply = {"body": "On our way", "visibility": "public", "version": str(panel.services.app.get_case(case_id).version)}
    assert panel.post(agent, f"/admin/cases/act/reply/?id={case_id}", reply).status_code == 302
    again = panel.post(agent, f"/admin/cases/act/reply/?id={case_id}", reply).get_data(as_text=True)
    assert "you changed this record meanwhile" in again and "sending this form twice" in again
    assert "someone else" not in again
