"""Webhooks in the panel (Settings, admins only): the list with delivery progress and the last
error (search, filter, sort, CSV; never the secret), creating one (its secret shown once and
good for verifying deliveries), editing types, pause/resume, replay, rotate, delete, bad input."""

from __future__ import annotations

import csv
import io
from typing import Any
from uuid import UUID

from domain.personal import ERASED
from scheduler.context import SchedulerContext
from scheduler.settings import SchedulerSettings
from scheduler.webhooks import deliver_webhooks
from tests.scheduler.webhook_receiver import Receiver
from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY


def webhook(panel: Panel, url: str = "https://hooks.example/in", types: str = "Case.*") -> tuple[str, str]:
    """(id, secret) of a webhook created by the test, projected."""
    issued = panel.services.app.create_webhook(url=url, event_types=types, allow_private=True,
                                               occurred_at=panel.clock.now(),
                                               actor=f"user:{panel.user_id('admin')}")
    panel.catch_up()
    return str(issued.receipt.id), issued.secret


def deliver(panel: Panel, **settings: Any) -> None:
    panel.catch_up()
    deliver_webhooks(SchedulerContext(panel.services.app, panel.services.views, panel.clock,
                                      SchedulerSettings(**{"webhook_allow_private": True, **settings})))
    panel.catch_up()


def secret_on(page: str) -> str:
    return page.split('id="webhook-secret">', 1)[1].split("<", 1)[0]


def test_role_matrix_of_the_webhook_views(panel: Panel) -> None:
    hook_id, _ = webhook(panel)
    other_id, _ = webhook(panel, "https://hooks.example/other")
    on = f"?id={hook_id}"
    assert_matrix(panel, [("GET /admin/webhooks/", "", None, ADMIN_ONLY),
                          ("GET /admin/webhooks/details/" + on, "", None, ADMIN_ONLY),
                          ("GET /admin/webhooks/attempts/" + on, "", None, ADMIN_ONLY),
                          ("GET /admin/webhooks/export/csv/", "", None, ADMIN_ONLY),
                          ("GET /admin/webhooks/new/", "", None, ADMIN_ONLY),
                          ("POST /admin/webhooks/new/", "", {"url": ""}, ADMIN_ONLY),
                          ("GET /admin/webhooks/edit/" + on, "", None, ADMIN_ONLY),
                          ("GET /admin/webhooks/act/pause/" + on, "", None, ADMIN_ONLY),
                          ("GET /admin/webhooks/act/replay/" + on, "", None, ADMIN_ONLY),
                          ("POST /admin/webhooks/bulk/pause/", "", {"rowid": [other_id], "reason": "x"}, ADMIN_ONLY),
                          (f"GET /admin/webhooks/rotate/{hook_id}", "", None, ADMIN_ONLY),
                          (f"POST /admin/webhooks/rotate/{other_id}", "", {}, ADMIN_ONLY)])


def test_forged_commands_by_an_agent_or_auditor_change_nothing(panel: Panel) -> None:
    hook_id, _ = webhook(panel)
    before = panel.event_count()
    for role in ("agent", "auditor"):
        client = panel.client(role)
        token = panel.csrf(client)
        for url in (f"/admin/webhooks/act/delete/?id={hook_id}", f"/admin/webhooks/rotate/{hook_id}",
                    "/admin/webhooks/new/"):
            response = client.post(url, data={"csrf_token": token, "url": "https://evil.example/", "event_types": "*"})
            assert response.status_code == 403, (role, url)
    assert panel.event_count() == before


def test_a_new_webhook_shows_its_secret_once_and_deliveries_verify_with_it(panel: Panel) -> None:
    admin = panel.client("admin")
    panel.app.config["WEBHOOK_ALLOW_PRIVATE"] = "1"  # the receiver listens on 127.0.0.1
    with Receiver(panel.clock) as receiver:
        with projecting(panel):
            response = panel.post(admin, "/admin/webhooks/new/", {"url": receiver.url, "event_types": "Customer.*"})
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        receiver.secret = secret_on(page)
        assert receiver.secret.startswith("whsec_")
        panel.services.app.register_customer(name="Ada", contact_points=[], occurred_at=panel.clock.now(),
                                             actor="system:test")
        deliver(panel)
        delivery, = receiver.deliveries
        assert delivery.verified and delivery.payload["type"] == "Customer.Registered"
    listing = admin.get("/admin/webhooks/").get_data(as_text=True)
    assert receiver.url in listing and "Customer.*" in listing and receiver.secret not in listing
    details_url = f"/admin/webhooks/details/?id={_only_id(panel)}"
    assert receiver.secret not in admin.get(details_url).get_data(as_text=True)
    assert receiver.secret not in admin.get("/admin/webhooks/export/csv/").get_data(as_text=True)


def _only_id(panel: Panel) -> str:
    with panel.services.views.connect() as conn:
        return str(conn.exec_driver_sql("SELECT id FROM webhook_subscriptions").scalar_one())


def test_a_bad_url_or_unknown_type_is_a_field_error_and_nothing_is_written(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    bad_url = panel.post(admin, "/admin/webhooks/new/", {"url": "http://hooks.example/in", "event_types": "Case.*"}
                         ).get_data(as_text=True)
    assert "must use https" in bad_url.split('id="url"', 1)[1][:800]
    bad_type = panel.post(admin, "/admin/webhooks/new/", {"url": "https://hooks.example/in",
                                                           "event_types": "Case.Opened, Case.Teleported"}
                          ).get_data(as_text=True)
    assert "unknown event type &#39;Case.Teleported&#39;" in bad_type.split('id="event_types"', 1)[1][:800]
    assert panel.event_count() == before
    hook_id, _ = webhook(panel)
    edited = panel.post(admin, f"/admin/webhooks/edit/?id={hook_id}", {"url": "https://hooks.example/in",
                                                                       "event_types": "Nothing.*", "version": "1"})
    assert "unknown event type" in edited.get_data(as_text=True)
    replay = panel.post(admin, f"/admin/webhooks/act/replay/?id={hook_id}", {"from_position": "0"})
    assert replay.status_code == 200 and "Number must be at least 1" in replay.get_data(as_text=True)
    assert panel.services.app.get_webhook(UUID(hook_id)).version == 1


def test_edit_types_replay_rotate_and_delete(panel: Panel) -> None:
    hook_id, secret = webhook(panel)
    app, admin = panel.services.app, panel.client("admin")
    with projecting(panel):
        response = panel.post(admin, f"/admin/webhooks/edit/?id={hook_id}",
                              {"url": "https://hooks.example/v2", "event_types": "Case.*\nDeal.Won", "version": "1"})
        assert response.status_code == 302
        assert panel.post(admin, f"/admin/webhooks/act/replay/?id={hook_id}", {"from_position": "3"}
                          ).status_code == 302
        rotated = panel.post(admin, f"/admin/webhooks/rotate/{hook_id}", {})
        assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
        details = admin.get(f"/admin/webhooks/details/?id={hook_id}").get_data(as_text=True)
        assert "Case.*, Deal.Won" in details and "https://hooks.example/v2" in details
        before_delete = app.get_webhook(UUID(hook_id))
        new_secret = secret_on(rotated.get_data(as_text=True))
        assert new_secret == before_delete.secret and new_secret != secret
        version = str(before_delete.version)
        assert panel.post(admin, f"/admin/webhooks/act/delete/?id={hook_id}", {"version": version}
                          ).status_code == 302
    found = app.get_webhook(UUID(hook_id))
    assert (found.url, found.event_types, found.replay_from, found.status) == (
        "https://hooks.example/v2", ["Case.*", "Deal.Won"], 3, "deleted")
    assert found.secret == ERASED  # deleting destroyed the key its secrets were sealed with


def test_a_failing_endpoint_is_paused_and_shown_with_its_last_error_then_resumed(stored_panel: Panel) -> None:
    panel = stored_panel
    with Receiver(panel.clock) as receiver:
        receiver.answers = [(500, "database on fire")] * 2
        hook_id, receiver.secret = webhook(panel, receiver.url, "Customer.*")
        panel.services.app.register_customer(name="Ada", contact_points=[], occurred_at=panel.clock.now(),
                                             actor="system:test")
        deliver(panel, webhook_max_failures=2)
        panel.clock.advance(minutes=1)
        deliver(panel, webhook_max_failures=2)
        admin = panel.client("admin")
        paused = admin.get("/admin/webhooks/?search=failed+attempts").get_data(as_text=True)
        assert "2 failed attempts in a row; last: HTTP 500" in paused
        rows = list(csv.DictReader(io.StringIO(admin.get("/admin/webhooks/export/csv/").get_data(as_text=True))))
        assert [(r["URL"], r["Status"], r["Last error"]) for r in rows] == [(receiver.url, "paused", "HTTP 500")]
        attempts = admin.get(f"/admin/webhooks/attempts/?id={hook_id}").get_data(as_text=True)
        assert attempts.count("database on fire") == 2
        with projecting(panel):
            assert panel.post(admin, f"/admin/webhooks/act/resume/?id={hook_id}",
                              {"version": str(panel.services.app.get_webhook(UUID(hook_id)).version)}
                              ).status_code == 302
        deliver(panel, webhook_max_failures=2)
        assert [d.payload["data"]["name"] for d in receiver.deliveries] == ["Ada"] * 3
    rows = list(csv.DictReader(io.StringIO(admin.get("/admin/webhooks/export/csv/").get_data(as_text=True))))
    assert [(r["Status"], r["Why paused"], r["Last error"]) for r in rows] == [("active", "", "")]


def test_search_and_sort_the_list(panel: Panel) -> None:
    webhook(panel, "https://a.example/in", "Case.*")
    webhook(panel, "https://b.example/in", "Deal.*")
    admin = panel.client("admin")
    found = admin.get("/admin/webhooks/?search=Deal").get_data(as_text=True)
    assert "b.example" in found and "a.example" not in found
    by_url = admin.get("/admin/webhooks/?sort=0").get_data(as_text=True)
    assert by_url.index("a.example") < by_url.index("b.example")
