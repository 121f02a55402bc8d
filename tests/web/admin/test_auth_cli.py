"""``touchline users create|deactivate|reset-password`` and the demo's users: people who can
log in to the panel, with a password hashed before it is stored; bad input exits non-zero."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from domain.clock import FixedClock
from domain.users.model import user_id_for
from projections.views.promises import promises
from tests.web.admin.conftest import Panel
from web import create_app
from web.cli import cli

GOOD = "a-fine-long-password-4"


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    found = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", found)
    return found


@pytest.fixture
def panel_on(url: str, clock: FixedClock) -> Iterator[Panel]:
    """The panel on the database the commands wrote (its own three users are added too)."""
    built = Panel.__new__(Panel)
    built.app = create_app({"DATABASE_URL": url, "CLOCK": clock, "TESTING": True})
    yield built
    built.app.extensions["touchline"].close()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.output


def login_status(panel: Panel, email: str, password: str) -> tuple[int, str]:
    response = panel.login(panel.app.test_client(), email, password)
    return response.status_code, response.headers.get("Location", "")


def event_count(url: str) -> int:
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    try:
        return app.extensions["touchline"].app.recorder.max_notification_id() or 0
    finally:
        app.extensions["touchline"].close()


def test_a_created_user_logs_in_with_the_password_given(url: str, panel_on: Panel) -> None:
    code, output = run("users", "create", "--email", "Ann@Example.com", "--role", "agent", "--name", "Ann Agent",
                       "--team", "Support", "--password", GOOD)
    assert code == 0 and "Created agent ann@example.com" in output and GOOD not in output
    assert login_status(panel_on, "ann@example.com", GOOD) == (302, "/admin/")


def test_without_a_password_it_is_asked_for_twice(url: str, panel_on: Panel) -> None:
    code, output = run("users", "create", "--email", "bo@example.com", "--role", "auditor", stdin=f"{GOOD}\n{GOOD}\n")
    assert code == 0 and "Repeat for confirmation" in output and GOOD not in output
    assert login_status(panel_on, "bo@example.com", GOOD)[0] == 302


def test_two_different_answers_store_nothing(url: str) -> None:
    code, output = run("users", "create", "--email", "bo@example.com", "--role", "auditor",
                       stdin=f"{GOOD}\n{GOOD}x\n")
    assert code != 0 and "do not match" in output
    assert event_count(url) == 0


@pytest.mark.parametrize("args, message", [
    (["--email", "cy@example.com", "--role", "agent", "--password", "short"], "Use at least 12 characters."),
    (["--email", "cy@example.com", "--role", "agent", "--password", "cy@example.com!"], "Too easy to guess"),
    (["--email", "not-an-address", "--role", "agent", "--password", GOOD], "email"),
    (["--email", "cy@example.com", "--role", "root", "--password", GOOD], "'root' is not one of"),
    (["--role", "agent", "--password", GOOD], "Missing option '--email'"),
    # A name typed in Latin-1 on a UTF-8 terminal arrives as a lone surrogate (was a traceback).
    (["--email", "cy@example.com", "--role", "agent", "--password", GOOD, "--name", "Jos\udce9"],
     "holds characters that are not valid text"),
    (["--email", "cy@example.com", "--role", "agent", "--password", GOOD, "--team", "\udcff"],
     "holds characters that are not valid text"),
])
def test_bad_input_exits_non_zero_with_a_message_and_stores_nothing(url: str, args: list[str], message: str) -> None:
    code, output = run("users", "create", *args)
    assert code != 0 and message in output
    assert event_count(url) == 0


def test_an_existing_email_is_refused(url: str) -> None:
    assert run("users", "create", "--email", "dee@example.com", "--role", "agent", "--password", GOOD)[0] == 0
    code, output = run("users", "create", "--email", "DEE@example.com", "--role", "admin", "--password", GOOD)
    assert code != 0 and "exists already" in output


def test_a_created_user_can_be_given_a_manager(url: str, panel_on: Panel) -> None:
    run("users", "create", "--email", "mia@example.com", "--role", "admin", "--password", GOOD)
    code, output = run("users", "create", "--email", "max@example.com", "--role", "agent", "--manager",
                       "MIA@example.com", "--password", GOOD)
    assert code == 0, output
    app = panel_on.app.extensions["touchline"].app
    assert app.get_user(user_id_for("max@example.com")).manager_id == user_id_for("mia@example.com")


@pytest.mark.parametrize("manager, message", [
    ("nobody@example.com", "no user with the email address 'nobody@example.com'"),
    ("gone@example.com", "the manager gone@example.com is deactivated"),
    ("max@example.com", "no user with the email address 'max@example.com'"),  # themselves: not yet a user
])
def test_a_manager_who_cannot_manage_is_refused_and_nothing_is_stored(url: str, manager: str, message: str) -> None:
    run("users", "create", "--email", "gone@example.com", "--role", "agent", "--password", GOOD)
    run("users", "deactivate", "gone@example.com", "--reason", "left")
    before = event_count(url)
    code, output = run("users", "create", "--email", "max@example.com", "--role", "agent", "--manager", manager,
                       "--password", GOOD)
    assert code != 0 and message in output
    assert event_count(url) == before


def test_a_deactivated_user_can_no_longer_log_in(url: str, panel_on: Panel) -> None:
    run("users", "create", "--email", "eve@example.com", "--role", "agent", "--password", GOOD)
    assert run("users", "deactivate", "eve@example.com")[0] != 0  # --reason is required
    code, output = run("users", "deactivate", "eve@example.com", "--reason", "left")
    assert code == 0 and "Deactivated eve@example.com" in output
    assert login_status(panel_on, "eve@example.com", GOOD)[0] == 401
    code, output = run("users", "deactivate", "eve@example.com", "--reason", "again")
    assert code != 0 and "deactivated already" in output


def give_work(panel: Panel, email: str, cases: int = 2) -> list[UUID]:
    """Active cases and an open promise held by ``email``'s user, in the read models too."""
    svc = panel.app.extensions["touchline"]
    app, now, ref = svc.app, svc.clock.now(), f"user:{user_id_for(email)}"
    customer_id = app.register_customer(name="Ada Lovelace", contact_points=[{"kind": "email", "value": "a@b.org"}],
                                        occurred_at=now, actor="system:test").id
    ids = [app.open_case(customer_id=customer_id, subject=f"Case {n}", channel="email", occurred_at=now,
                         actor="system:test").id for n in range(cases)]
    for case_id in ids:
        app.assign_case(case_id, assignee=ref, occurred_at=now, actor="system:test")
    app.make_promise(customer_id=customer_id, what="Call back", due_at=now + timedelta(hours=2), owner=ref,
                     channel="email", occurred_at=now, actor="system:test")
    svc.projection_runner().catch_up()
    return ids


def test_deactivating_says_what_they_still_hold_and_where_to_reassign_it(url: str, panel_on: Panel) -> None:
    run("users", "create", "--email", "eve@example.com", "--role", "agent", "--password", GOOD)
    give_work(panel_on, "eve@example.com")
    code, output = run("users", "deactivate", "eve@example.com", "--reason", "left")
    assert code == 0
    assert "eve@example.com still holds 2 active cases, 1 open promise and 0 open deals" in output
    assert "Cases list (filter by Assignee)" in output and "Promises and Deals lists (filter by Owner)" in output


def test_deactivating_with_reassign_to_hands_their_cases_and_promises_over(url: str, panel_on: Panel) -> None:
    run("users", "create", "--email", "eve@example.com", "--role", "agent", "--password", GOOD)
    run("users", "create", "--email", "finn@example.com", "--role", "agent", "--password", GOOD)
    ids = give_work(panel_on, "eve@example.com")
    code, output = run("users", "deactivate", "eve@example.com", "--reason", "left", "--reassign-to",
                       "finn@example.com")
    assert code == 0 and "Handed over to finn@example.com: CASE-" in output and "promise 'Call back'" in output
    assert "still holds" not in output
    svc = panel_on.app.extensions["touchline"]
    app, finn = svc.app, f"user:{user_id_for('finn@example.com')}"
    assert {app.get_case(i).assignee for i in ids} == {finn}
    svc.projection_runner().catch_up()
    with svc.views.connect() as conn:
        assert conn.execute(sa.select(promises.c.owner)).scalars().all() == [finn]
    assert "was deactivated (left)" in list(app.events.get(ids[0]))[-1].note


@pytest.mark.parametrize("to, message", [
    ("nobody@example.com", "no user with the email address 'nobody@example.com'"),
    ("eve@example.com", "reassign their work to someone other than the user leaving"),
    ("aud@example.com", "work cannot be given to aud@example.com (an auditor)"),
    ("gone@example.com", "the colleague to reassign to gone@example.com is deactivated"),
])
def test_reassigning_to_someone_who_cannot_take_the_work_changes_nothing(url: str, to: str, message: str) -> None:
    for email, role in (("eve", "agent"), ("aud", "auditor"), ("gone", "agent")):
        run("users", "create", "--email", f"{email}@example.com", "--role", role, "--password", GOOD)
    run("users", "deactivate", "gone@example.com", "--reason", "left")
    before = event_count(url)
    code, output = run("users", "deactivate", "eve@example.com", "--reason", "left", "--reassign-to", to)
    assert code != 0 and message in output
    assert event_count(url) == before


@pytest.mark.parametrize("command", [["deactivate", "nobody@example.com", "--reason", "x"],
                                     ["reset-password", "nobody@example.com"]])
def test_an_unknown_user_is_named_in_the_error(url: str, command: list[str]) -> None:
    code, output = run("users", *command)
    assert code != 0 and "no user with the email address 'nobody@example.com'" in output


def test_a_reset_prints_a_temporary_password_that_must_be_replaced(url: str, panel_on: Panel) -> None:
    run("users", "create", "--email", "flo@example.com", "--role", "admin", "--password", GOOD)
    code, output = run("users", "reset-password", "flo@example.com")
    assert code == 0 and "must choose a new one" in output
    temporary = output.split()[-1]
    assert login_status(panel_on, "flo@example.com", GOOD)[0] == 401
    assert login_status(panel_on, "flo@example.com", temporary) == (302, "/admin/account/password")
    code, output = run("users", "reset-password", "flo@example.com", "--password", "weak")
    assert code != 0 and "Use at least 12 characters." in output


def test_the_demo_creates_three_users_with_the_password_given(url: str, tmp_path: Path, panel_on: Panel,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_DEMO_PASSWORD", GOOD)
    code, output = run("demo", "--touchpoints", "20")
    assert code == 0 and "admin@example.com, agent@example.com, auditor@example.com can log in" in output
    for role in ("admin", "agent", "auditor"):
        assert login_status(panel_on, f"{role}@example.com", GOOD)[0] == 302
    assert GOOD not in output and "the password from TOUCHLINE_DEMO_PASSWORD" in output  # the operator's own
    assert not (tmp_path / "demo-password").exists()
    code, output = run("demo", "--touchpoints", "20")
    assert code == 0 and "exist already" in output and GOOD not in output


def test_without_a_given_password_the_demo_generates_and_prints_one(url: str, tmp_path: Path,
                                                                     panel_on: Panel) -> None:
    code, output = run("demo", "--touchpoints", "20")
    stored = tmp_path / "demo-password"
    password = stored.read_text().strip()
    assert code == 0 and f"password {password} " in output and len(password) >= 12
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert login_status(panel_on, "auditor@example.com", password)[0] == 302
