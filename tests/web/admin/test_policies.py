"""SLA policies in the panel (admins only): the policies in force in order; define, revise
(a bad JSON or a bad target is a field error), retire."""

from __future__ import annotations

import json
from uuid import UUID

from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY

TARGETS = {"normal": {"first_response": {"minutes": 60, "business_hours": False}}}
CALENDAR = {"timezone": "UTC", "hours": {"mon": [["09:00", "17:00"]]}}


def policy(panel: Panel, name: str = "Standard") -> UUID:
    receipt = panel.services.app.define_sla_policy(name=name, position=10, conditions=None, targets=TARGETS,
                                                   calendar=CALENDAR, occurred_at=panel.clock.now(),
                                                   actor="system:test")
    return receipt.id


def form(name: str, minutes: object = 60, version: str = "") -> dict[str, str]:
    targets = {"normal": {"first_response": {"minutes": minutes, "business_hours": False}}}
    return {"name": name, "position": "10", "conditions": "{}", "targets": json.dumps(targets),
            "calendar": json.dumps(CALENDAR), "version": version}


def test_role_matrix_of_the_sla_policies_pages(panel: Panel) -> None:
    policy_id = policy(panel)
    assert_matrix(panel, [("GET /admin/sla_policies/", "", None, ADMIN_ONLY),
                          ("GET /admin/sla_policies/new", "", None, ADMIN_ONLY),
                          ("POST /admin/sla_policies/new", "", {"name": ""}, ADMIN_ONLY),
                          (f"GET /admin/sla_policies/{policy_id}", "", None, ADMIN_ONLY),
                          (f"POST /admin/sla_policies/{policy_id}", "", {"name": ""}, ADMIN_ONLY),
                          (f"POST /admin/sla_policies/{policy_id}/retire", "", {}, ADMIN_ONLY)])


def test_define_revise_and_retire_a_policy(panel: Panel) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        assert panel.post(admin, "/admin/sla_policies/new", form("Phone first")).status_code == 302
        [found] = panel.services.app.sla_policies_in_force()
        assert "Phone first" in admin.get("/admin/sla_policies/").get_data(as_text=True).split('id="policies"')[1]
        url = f"/admin/sla_policies/{found.id}"
        assert panel.post(admin, url, form("Phone first", 30, version="1")).status_code == 302
        assert panel.services.app.get_sla_policy(found.id).targets["normal"]["first_response"]["minutes"] == 30
        assert panel.post(admin, url + "/retire", {"reason": "Merged", "version": "2"},
                          token_from=url).status_code == 302
    assert panel.services.app.sla_policies_in_force() == ()


def test_bad_json_and_bad_targets_are_field_errors(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    bad_json = panel.post(admin, "/admin/sla_policies/new", {**form("X"), "targets": "{not json"}
                          ).get_data(as_text=True)
    assert "is not valid JSON" in bad_json.split('id="targets"', 1)[1][:800]
    bad_minutes = panel.post(admin, "/admin/sla_policies/new", form("X", minutes=0)).get_data(as_text=True)
    assert "must be whole minutes" in bad_minutes.split('id="targets"', 1)[1][:800]
    assert panel.event_count() == before


def test_a_policy_revised_meanwhile_is_a_conflict(panel: Panel) -> None:
    policy_id = policy(panel)
    admin = panel.client("admin")
    panel.services.app.revise_sla_policy(policy_id, name="Standard", position=20, conditions=None, targets=TARGETS,
                                         calendar=CALENDAR, occurred_at=panel.clock.now(), actor="user:other")
    page = panel.post(admin, f"/admin/sla_policies/{policy_id}", form("Mine", version="1")).get_data(as_text=True)
    assert "someone else changed this record meanwhile" in page
