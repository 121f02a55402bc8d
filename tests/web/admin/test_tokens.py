"""API tokens in the panel (admins only): the list over the ``api_tokens`` read model (search,
filters, sort, CSV, never the hash), issuing one (its secret shown once), revoking."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from uuid import UUID

from domain.tokens.model import hash_token
from projections.api_state import create_api_tables, record_token_use
from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY


def token(panel: Panel, name: str, scopes: list[str] | None = None) -> tuple[str, str]:
    """(id, secret) of a token issued by the test, projected."""
    issued = panel.services.app.issue_api_token(name=name, scopes=scopes or ["read"], occurred_at=panel.clock.now(),
                                                actor=f"user:{panel.user_id('admin')}")
    panel.catch_up()
    return str(issued.receipt.id), issued.token


def test_role_matrix_of_the_tokens_views(panel: Panel) -> None:
    token_id, _ = token(panel, "website")
    other_id, _ = token(panel, "telephony")
    on = f"?id={token_id}"
    assert_matrix(panel, [("GET /admin/tokens/", "", None, ADMIN_ONLY),
                          ("GET /admin/tokens/details/" + on, "", None, ADMIN_ONLY),
                          ("GET /admin/tokens/export/csv/", "", None, ADMIN_ONLY),
                          ("GET /admin/tokens/new/", "", None, ADMIN_ONLY),
                          ("POST /admin/tokens/new/", "", {"name": ""}, ADMIN_ONLY),
                          ("POST /admin/tokens/issue", "", {"name": ""}, ADMIN_ONLY),
                          ("GET /admin/tokens/act/revoke/" + on, "", None, ADMIN_ONLY),
                          ("POST /admin/tokens/bulk/revoke/", "", {"rowid": [other_id], "reason": "x"}, ADMIN_ONLY),
                          (f"POST /admin/tokens/revoke/{token_id}", "", {}, ADMIN_ONLY)])


def test_every_link_on_a_tokens_page_leads_to_a_page(panel: Panel) -> None:
    """No History link: a token's events are hidden from the history page, which would answer 404."""
    token_id, _ = token(panel, "website")
    admin = panel.client("admin")
    page = admin.get(f"/admin/tokens/details/?id={token_id}").get_data(as_text=True)
    targets = {url.replace("&amp;", "&") for url in re.findall(r'href="(/admin/[^"#]+)"', page)}
    assert f"/admin/history/{token_id}" not in targets
    broken = {url: status for url in targets if (status := admin.get(url).status_code) >= 400}
    assert not broken


def test_forged_revoke_by_an_agent_is_refused_and_changes_nothing(panel: Panel) -> None:
    token_id, _ = token(panel, "website")
    agent = panel.client("agent")
    before = panel.event_count()
    response = agent.post(f"/admin/tokens/act/revoke/?id={token_id}", data={"csrf_token": panel.csrf(agent),
                                                                             "reason": "forged"})
    assert response.status_code == 403
    assert panel.event_count() == before


def test_a_new_token_is_shown_once_and_works(panel: Panel) -> None:
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, "/admin/tokens/new/", {"name": "telephony", "scopes": ["read", "write:cases"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = page.split('id="token-secret">', 1)[1].split("<", 1)[0]
    assert secret.startswith("tl_")
    assert panel.app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}
                                       ).status_code == 200
    listing = admin.get("/admin/tokens/").get_data(as_text=True)
    assert "telephony" in listing and "read, write:cases" in listing
    assert secret not in listing and hash_token(secret) not in listing


def test_a_bad_name_or_no_scope_is_a_field_error_and_nothing_is_written(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    no_scope = panel.post(admin, "/admin/tokens/new/", {"name": "x", "scopes": []}).get_data(as_text=True)
    assert "at least one scope is required" in no_scope.split('id="scopes"', 1)[1]
    bad_name = panel.post(admin, "/admin/tokens/new/", {"name": "two words", "scopes": ["read"]}
                          ).get_data(as_text=True)
    assert "use letters, digits" in bad_name.split('id="name"', 1)[1][:600]
    assert panel.event_count() == before


def scopes_the_api_asks_for(panel: Panel) -> set[str]:
    """Every ``<access>:<area>`` scope some API operation requires."""
    found: set[str] = set()
    for view in panel.app.view_functions.values():
        target = getattr(view, "view_class", None)
        handlers = [getattr(target, m, None) for m in ("get", "post", "put", "patch", "delete")] if target else [view]
        found |= {s for h in handlers if isinstance(s := getattr(h, "_required_scope", None), str) and ":" in s}
    return found


def test_the_form_offers_only_scopes_that_grant_something(panel: Panel) -> None:
    page = panel.client("admin").get("/admin/tokens/new/").get_data(as_text=True)
    offered = set(re.findall(r'name="scopes" type="checkbox" value="([a-z]+:[a-z]+)"', page))
    assert offered == scopes_the_api_asks_for(panel)
    assert "write:funnel" not in page and "write:events" not in page and "write:audit" not in page


def test_a_scope_that_grants_nothing_is_refused_and_nothing_is_written(panel: Panel) -> None:
    admin, before = panel.client("admin"), panel.event_count()
    page = panel.post(admin, "/admin/tokens/new/", {"name": "x", "scopes": ["write:funnel"]}).get_data(as_text=True)
    assert "not a valid choice" in page.split('id="scopes"', 1)[1]
    assert panel.event_count() == before


def test_search_filter_and_sort_the_list(panel: Panel) -> None:
    token(panel, "website"), token(panel, "telephony", ["write:cases"])
    old_id, _ = token(panel, "old-site")
    panel.services.app.revoke_api_token(UUID(old_id), reason="replaced", occurred_at=panel.clock.now(), actor="user:x")
    panel.catch_up()
    admin = panel.client("admin")
    found = admin.get("/admin/tokens/?search=write%3Acases").get_data(as_text=True)
    assert "telephony" in found and "website" not in found
    revoked = admin.get("/admin/tokens/?flt0_0=0").get_data(as_text=True)  # the Active filter: No
    assert "old-site" in revoked and "website" not in revoked and "telephony" not in revoked
    by_name = admin.get("/admin/tokens/").get_data(as_text=True)
    assert by_name.index("old-site") < by_name.index("telephony") < by_name.index("website")


def test_csv_export_lists_tokens_with_last_use_and_never_the_hash(stored_panel: Panel) -> None:
    panel = stored_panel
    token_id, secret = token(panel, "website", ["read", "write:touchpoints"])
    create_api_tables(panel.services.views)
    with panel.services.views.begin() as conn:
        record_token_use(conn, token_id, datetime(2026, 3, 2, 9, 15, tzinfo=UTC))
    response = panel.client("admin").get("/admin/tokens/export/csv/")
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Name"], r["Scopes"], r["Active"], r["Created by"], r["Last used"]) for r in rows] == [
        ("website", "read, write:touchpoints", "True", "Ada Admin", "2026-03-02 09:15 UTC")]
    assert hash_token(secret) not in text and secret not in text


def test_revoking_a_token_stops_it_and_the_list_says_by_whom(stored_panel: Panel) -> None:
    panel = stored_panel
    token_id, secret = token(panel, "old-site")
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/tokens/act/revoke/?id={token_id}", {"reason": "replaced"})
    assert response.status_code == 302
    assert panel.app.test_client().get("/api/v1/cases", headers={"Authorization": f"Bearer {secret}"}
                                       ).status_code == 401
    details = admin.get(f"/admin/tokens/details/?id={token_id}").get_data(as_text=True)
    assert "replaced" in details and "Ada Admin" in details
    assert 'id="command-revoke"' not in details  # revoked: nothing left to revoke


def test_revoke_the_selected_tokens_at_once(panel: Panel) -> None:
    ids = [token(panel, name)[0] for name in ("one", "two")]
    admin = panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, "/admin/tokens/bulk/revoke/", {"rowid": ids, "reason": "rotation"},
                              token_from="/admin/tokens/")
    assert response.status_code == 302
    assert [panel.services.app.get_api_token(UUID(i)).active for i in ids] == [False, False]
