"""The ``Protected`` mixin on stand-in views: anonymous visitors go to the login page, other
roles get 403, readers see no write buttons and their POSTs are refused on the server."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from flask_admin import BaseView, expose
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

# isort: off
import web.admin.views.sqla_compat  # noqa: F401 - before flask_admin.contrib.sqla (Flask-Admin 2.2.1 bug)
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
# isort: on

from tests.web.admin.conftest import Panel
from web.admin.access import ADMINS, Protected, require_roles, require_write


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(sa.String(100))


class NotesView(Protected, ModelView):
    @action("archive", "Archive")
    def archive(self, ids: list[str]) -> None:
        pass


class DeskView(Protected, BaseView):
    safe_posts = ("search",)

    @expose("/")
    def index(self) -> Any:
        return "desk"

    @expose("/do", methods=("POST",))
    def do(self) -> Any:
        return "done"

    @expose("/search", methods=("POST",))
    def search(self) -> Any:
        return "found"

    @expose("/extra")
    @require_write
    def extra(self) -> Any:
        return "writer's page"


class SettingsView(Protected, BaseView):
    read_roles = ADMINS
    write_roles = ADMINS

    @expose("/")
    def index(self) -> Any:
        return "settings"


@pytest.fixture
def views(panel: Panel) -> Panel:
    engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool)
    Base.metadata.create_all(engine)
    session = Session(engine)
    session.add(Note(id=1, text="hello"))
    session.commit()
    admin = panel.app.extensions["admin"][0]
    admin.add_view(NotesView(Note, session, endpoint="notes", url="/admin/test-notes"))
    admin.add_view(DeskView(name="Desk", endpoint="desk", url="/admin/test-desk"))
    admin.add_view(SettingsView(name="Settings", endpoint="settings", url="/admin/test-settings"))

    @panel.app.get("/admin/test-admins-only")
    @require_roles(*ADMINS)
    def admins_only() -> str:
        return "for admins"

    return panel


@pytest.mark.parametrize("url", ["/admin/test-desk/", "/admin/test-notes/", "/admin/test-settings/",
                                 "/admin/test-admins-only", "/admin/"])
def test_an_anonymous_visitor_is_sent_to_log_in(views: Panel, url: str) -> None:
    response = views.anonymous().get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/admin/account/login?next=")


def test_an_anonymous_post_is_refused_before_anything_runs(views: Panel) -> None:
    client = views.anonymous()
    token = views.csrf(client)
    assert client.post("/admin/test-desk/do", data={"csrf_token": token}).status_code == 302


# role -> (read desk, post to desk, writer's GET page, read settings, admins-only function)
MATRIX = {
    "admin": (200, 200, 200, 200, 200),
    "agent": (200, 200, 200, 403, 403),
    "auditor": (200, 403, 403, 403, 403),
}


@pytest.mark.parametrize("role", MATRIX)
def test_each_role_gets_what_its_view_allows(views: Panel, role: str) -> None:
    client = views.client(role)
    token = views.csrf(client)
    got = (client.get("/admin/test-desk/").status_code,
           client.post("/admin/test-desk/do", data={"csrf_token": token}).status_code,
           client.get("/admin/test-desk/extra").status_code,
           client.get("/admin/test-settings/").status_code,
           client.get("/admin/test-admins-only").status_code)
    assert got == MATRIX[role]


def test_a_reader_may_post_to_a_view_marked_safe(views: Panel) -> None:
    client = views.client("auditor")
    assert views.post(client, "/admin/test-desk/search", token_from="/admin/account/login").status_code == 200


@pytest.mark.parametrize("role, writes", [("admin", True), ("agent", True), ("auditor", False)])
def test_model_view_buttons_follow_the_role(views: Panel, role: str, writes: bool) -> None:
    page = views.client(role).get("/admin/test-notes/").get_data(as_text=True)
    assert ("/admin/test-notes/new/" in page) == writes
    assert ("/admin/test-notes/edit/" in page) == writes
    assert ("/admin/test-notes/delete/" in page) == writes
    assert ("Archive" in page) == writes


@pytest.mark.parametrize("method, url, data", [
    ("GET", "/admin/test-notes/new/", {}),
    ("POST", "/admin/test-notes/new/", {"text": "forged"}),
    ("GET", "/admin/test-notes/edit/?id=1", {}),
    ("POST", "/admin/test-notes/edit/?id=1", {"text": "forged"}),
    ("POST", "/admin/test-notes/delete/", {"id": "1"}),
    ("POST", "/admin/test-notes/action/", {"action": "archive", "rowid": "1"}),
])
def test_a_reader_cannot_write_even_without_the_buttons(views: Panel, method: str, url: str,
                                                        data: dict[str, str]) -> None:
    client = views.client("auditor")
    token = views.csrf(client)
    response = client.open(url, method=method, data={**data, "csrf_token": token})
    assert response.status_code == 403
