"""SLA policies in the panel (admins only): the list over the read model in trial order,
the structured define/revise form (conditions, targets grid, calendar as text), field errors
with nothing written, conflicts, move up/down, retire, versions, CSV."""

from __future__ import annotations

import csv
import html
import io
from typing import Any
from uuid import UUID

from domain.cases.model import PRIORITIES
from domain.sla.calendar import WEEKDAYS
from domain.sla.shape import TARGET_KINDS
from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY, AUDITED

TARGETS = {"normal": {"first_response": {"minutes": 60, "business_hours": False}}}
CALENDAR = {"timezone": "UTC", "hours": {"mon": [["09:00", "17:00"]]}}
URL = "/admin/sla_policies/"


def policy(panel: Panel, name: str = "Standard", position: int = 10) -> UUID:
    receipt = panel.services.app.define_sla_policy(name=name, position=position, conditions=None, targets=TARGETS,
                                                   calendar=CALENDAR, occurred_at=panel.clock.now(),
                                                   actor="system:test")
    panel.catch_up()
    return receipt.id


def form(name: str = "Phone first", **changes: Any) -> dict[str, Any]:
    """Every field as a browser sends it (empty cells and closed days included)."""
    data: dict[str, Any] = {"name": name, "position": "", "segment": "", "timezone": "UTC", "holidays": "",
                            "version": "", "priorities": [], "channels": []}
    for p in PRIORITIES:
        for k in TARGET_KINDS:
            data[f"t_{p}_{k}"], data[f"b_{p}_{k}"] = "", "business"
    for d in WEEKDAYS:
        data[f"hours_{d}"] = "09:00-17:00" if d not in ("sat", "sun") else ""
    data["t_normal_first_response"] = "60"
    return {**data, **changes}


def error_of(page: str, field_id: str) -> str:
    """The text after a field's input: where its error is shown."""
    assert f'id="{field_id}"' in page, f"no field {field_id}"
    return html.unescape(page.split(f'id="{field_id}"', 1)[1][:700])


def test_role_matrix_of_the_sla_policies_views(panel: Panel) -> None:
    first, second = policy(panel), policy(panel, "Second", 20)
    on = f"?id={first}"
    assert_matrix(panel, [(f"GET {URL}", "", None, AUDITED), (f"GET {URL}details/{on}", "", None, AUDITED),
                          (f"GET {URL}export/csv/", "", None, AUDITED), (f"GET {URL}new/", "", None, ADMIN_ONLY),
                          (f"POST {URL}new/", "", {"name": ""}, ADMIN_ONLY),
                          (f"GET {URL}edit/{on}", "", None, ADMIN_ONLY),
                          (f"POST {URL}edit/{on}", "", {"name": ""}, ADMIN_ONLY),
                          (f"POST {URL}act/move_down/{on}", "", {}, ADMIN_ONLY),
                          (f"GET {URL}act/retire/?id={second}", "", None, ADMIN_ONLY),
                          (f"POST {URL}act/retire/?id={second}", "", {"reason": ""}, ADMIN_ONLY)])


def test_a_forged_post_by_an_agent_or_auditor_writes_nothing(panel: Panel) -> None:
    policy_id = policy(panel)
    before = panel.event_count()
    for role in ("agent", "auditor"):
        client = panel.client(role)
        token = panel.csrf(client)
        assert client.post(f"{URL}new/", data={**form(), "csrf_token": token}).status_code == 403
        assert client.post(f"{URL}act/retire/?id={policy_id}", data={"reason": "x", "version": "1",
                                                                      "csrf_token": token}).status_code == 403
    assert panel.event_count() == before


def test_the_structured_form_defines_the_policy_the_api_would(stored_panel: Panel) -> None:
    panel = stored_panel
    admin = panel.client("admin")
    data = form("Berlin phone", priorities=["urgent", "high"], channels=["phone"],
                segment="sector=retail, size=large", timezone="Europe/Berlin",
                hours_mon="09:00-12:30, 13:30-17:00", hours_sat="22:00-06:00",
                holidays="2026-12-25 Christmas\n\n2026-12-26 Boxing Day",
                t_urgent_first_response="30", b_urgent_first_response="calendar", t_urgent_resolution="480",
                t_normal_first_response="")
    with projecting(panel):
        response = panel.post(admin, f"{URL}new/", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        listing = admin.get(URL).get_data(as_text=True)
    [defined] = panel.services.app.sla_policies_in_force()
    assert defined.conditions == {"priority": ["urgent", "high"], "channel": ["phone"],
                                  "segment": ["sector=retail", "size=large"]}
    assert defined.targets == {"urgent": {"first_response": {"minutes": 30, "business_hours": False},
                                          "resolution": {"minutes": 480, "business_hours": True}}}
    assert defined.calendar == {"timezone": "Europe/Berlin", "holidays": ["2026-12-25", "2026-12-26"], "hours": {
        "mon": [["09:00", "12:30"], ["13:30", "17:00"]], **{d: [["09:00", "17:00"]] for d in ("tue", "wed", "thu", "fri")},
        "sat": [["22:00", "06:00"]]}}
    assert defined.position == 10  # empty: after every policy in force
    assert "Berlin phone" in listing and "urgent: first response 30 min (24x7), resolution 8 h" in listing


BAD_INPUTS = [
    ({"hours_tue": "09:00-13:00, 12:00-17:00"}, "hours_tue", "must be ordered, not overlap"),
    ({"hours_wed": "13:00-17:00, 09:00-12:00"}, "hours_wed", "must be ordered, not overlap"),
    ({"hours_thu": "9 to 5"}, "hours_thu", "is not a range like 09:00-17:00"),
    ({"hours_fri": "09:00-25:00"}, "hours_fri", "is not a time like 09:30"),
    ({"timezone": "Mars/Olympus"}, "timezone", "is not an IANA time zone"),
    ({"t_normal_first_response": "-5"}, "t_normal_first_response", "must be whole minutes"),
    ({"t_high_resolution": "ten"}, "t_high_resolution", "Not a valid integer"),
    ({"holidays": "2026-12-25 Christmas\n2026-13-01 Nope"}, "holidays", "line 2: '2026-13-01' is not a date"),
    ({"segment": "retail"}, "segment", "is not attribute=value"),
    ({"t_normal_first_response": ""}, "targets-error", "needs at least one priority with targets"),
    ({"name": ""}, "name", "is required"),
]


def test_every_bad_input_is_an_error_on_its_field_and_nothing_is_written(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    for changes, field_id, message in BAD_INPUTS:
        page = panel.post(admin, f"{URL}new/", form(**changes)).get_data(as_text=True)
        assert message in error_of(page, field_id), (changes, field_id)
    assert panel.event_count() == before


def test_revise_shows_the_terms_as_typed_and_a_stale_version_is_a_conflict(panel: Panel) -> None:
    policy_id = policy(panel)
    admin = panel.client("admin")
    page = admin.get(f"{URL}edit/?id={policy_id}").get_data(as_text=True)
    assert 'value="09:00-17:00"' in error_of(page, "hours_mon")[:200]
    assert 'value="60"' in error_of(page, "t_normal_first_response")[:200]
    panel.services.app.revise_sla_policy(policy_id, name="Standard", position=20, conditions=None, targets=TARGETS,
                                         calendar=CALENDAR, occurred_at=panel.clock.now(), actor="user:other")
    before = panel.event_count()
    stale = panel.post(admin, f"{URL}edit/?id={policy_id}", form("Mine", position="10", version="1"))
    assert "someone else changed this record meanwhile" in stale.get_data(as_text=True)
    assert panel.event_count() == before


def test_revising_adds_a_version_and_the_details_show_every_version(stored_panel: Panel) -> None:
    panel = stored_panel
    policy_id = policy(panel)
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"{URL}edit/?id={policy_id}",
                              form("Standard", position="10", version="1", t_normal_first_response="45"))
        assert response.status_code == 302
        details = admin.get(f"{URL}details/?id={policy_id}").get_data(as_text=True)
    versions = details.split('id="policy-versions"', 1)[1]
    assert "first response 1 h (24x7)" in versions.split('id="version-1"', 1)[1].split("</tr>")[0]
    assert "first response 45 min" in versions.split('id="version-2"', 1)[1].split("</tr>")[0]


def test_move_down_reorders_in_one_command_and_retire_takes_it_out(panel: Panel) -> None:
    first, second = policy(panel, "First", 10), policy(panel, "Second", 20)
    admin = panel.client("admin")
    with projecting(panel):
        moved = panel.post(admin, f"{URL}act/move_down/?id={first}", {}, token_from=f"{URL}details/?id={first}")
        assert moved.status_code == 302
        assert [p.name for p in panel.services.app.sla_policies_in_force()] == ["Second", "First"]
        listing = admin.get(URL).get_data(as_text=True)
        assert listing.index(">Second<") < listing.index(">First<")
        retired = panel.post(admin, f"{URL}act/retire/?id={second}", {"reason": "Merged", "version": "2"})
        assert retired.status_code == 302
    assert [p.id for p in panel.services.app.sla_policies_in_force()] == [first]


def test_moving_the_last_policy_down_says_it_is_last_and_records_nothing(panel: Panel) -> None:
    policy(panel, "First", 10)
    last = policy(panel, "Second", 20)
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, f"{URL}act/move_down/?id={last}", {}, token_from=f"{URL}details/?id={last}",
                      follow_redirects=True).get_data(as_text=True)
    assert "last in the order already" in page and "done for" not in page
    assert panel.event_count() == before


def test_retire_without_a_reason_is_a_field_error(panel: Panel) -> None:
    policy_id = policy(panel)
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, f"{URL}act/retire/?id={policy_id}", {"reason": "", "version": "1"})
    assert "is required" in error_of(page.get_data(as_text=True), "reason")
    assert panel.event_count() == before


def test_search_filter_and_csv_export(panel: Panel) -> None:
    policy(panel, "Gold customers", 10)
    old = policy(panel, "Old hours", 20)
    panel.services.app.retire_sla_policy(old, reason="gone", occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    admin = panel.client("admin")
    found = admin.get(f"{URL}?search=gold").get_data(as_text=True)
    assert "Gold customers" in found and "Old hours" not in found
    retired = admin.get(f"{URL}?flt0_0=0").get_data(as_text=True)  # In force: No
    assert "Old hours" in retired and "Gold customers" not in retired
    rows = list(csv.DictReader(io.StringIO(admin.get(f"{URL}export/csv/").get_data(as_text=True))))
    assert [(r["Name"], r["Position"], r["In force"], r["Conditions"], r["Targets"], r["Calendar"]) for r in rows] == [
        ("Gold customers", "10", "True", "any case", "normal: first response 1 h (24x7)",
         "time zone UTC; Mon 09:00-17:00"),
        ("Old hours", "20", "False", "any case", "normal: first response 1 h (24x7)",
         "time zone UTC; Mon 09:00-17:00")]
