"""Shared by the panel's list tests: the role x request matrix, an agent at their desk with the
projections following the log (conftest), and small histories to work on."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask.testing import FlaskClient

from tests.web.admin.conftest import Panel, projecting

ROLES = ("admin", "agent", "auditor", "anonymous")
WRITE = {"admin": "ok", "agent": "ok", "auditor": "forbidden", "anonymous": "login"}
READ = {"admin": "ok", "agent": "ok", "auditor": "ok", "anonymous": "login"}


def outcome(panel: Panel, client: FlaskClient, method: str, url: str, data: dict[str, Any] | None = None) -> str:
    """What the client gets: ok (the page, or a redirect after doing it), forbidden, or login."""
    if method == "GET":
        response = client.get(url)
    else:
        token = panel.csrf(client)
        response = client.post(url, data={**(data or {}), "csrf_token": token})
    if response.status_code == 403:
        return "forbidden"
    if response.status_code == 302 and "/admin/account/login" in response.headers["Location"]:
        return "login"
    assert response.status_code in (200, 302), (method, url, response.status_code)
    return "ok"


def assert_matrix(panel: Panel, cells: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]]) -> None:
    """Every (request, role) cell answers as expected; a failure lists every wrong cell."""
    wrong = {}
    clients = {role: panel.anonymous() if role == "anonymous" else panel.client(role) for role in ROLES}
    with projecting(panel):  # commands that succeed wait for their position
        for method_url, _, data, expected in cells:
            method, url = method_url.split(" ", 1)
            for role in ROLES:
                got = outcome(panel, clients[role], method, url, data)
                if got != expected[role]:
                    wrong[(method_url, role)] = f"{got}, expected {expected[role]}"
    assert not wrong, wrong


def customer(panel: Panel, name: str = "Ada Lovelace") -> UUID:
    receipt = panel.services.app.register_customer(
        name=name, contact_points=[{"kind": "email", "value": "ada@example.com"}],
        occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return receipt.id


def open_case(panel: Panel, customer_id: UUID, subject: str = "Printer jams", **fields: Any) -> UUID:
    receipt = panel.services.app.open_case(customer_id=customer_id, subject=subject, channel="email",
                                           occurred_at=panel.clock.now(), actor="system:test", **fields)
    panel.catch_up()
    return receipt.id
