"""``touchline scheduler --once``: every job once, for cron and operators; failures exit non-zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from click.testing import CliRunner

from domain.clock import SystemClock
from scheduler.mailsink import MailSink
from web.cli import cli
from web.services import build_services


def test_once_sends_what_is_due_and_says_what_it_did(database_url: str, sink: MailSink) -> None:
    services = build_services({"DATABASE_URL": database_url}, clock=SystemClock())
    now = datetime.now(UTC)
    agent = services.app.register_user(email="ann@shop.example", name="Ann", role="agent", occurred_at=now,
                                       actor="system:test").id
    customer = services.app.register_customer(name="Ada", contact_points=[{"kind": "email", "value": "a@x.example"}],
                                              occurred_at=now, actor="system:test").id
    services.app.make_promise(customer_id=customer, what="Call back", due_at=now - timedelta(minutes=1),
                              owner=f"user:{agent}", channel="email", occurred_at=now, actor="system:test")
    services.close()
    env = {"TOUCHLINE_DATABASE_URL": database_url, "TOUCHLINE_SMTP_URL": sink.url}
    result = CliRunner().invoke(cli, ["scheduler", "--once"], env=env)
    assert result.exit_code == 0, result.output
    assert "follow_up_promises: 1 recorded (2 messages queued)" in result.output
    assert "deliver_messages: 2 sent" in result.output
    assert sorted(m["To"] for m in sink.messages) == ["a@x.example", "ann@shop.example"]
    again = CliRunner().invoke(cli, ["scheduler", "--once"], env=env)
    assert "deliver_messages: 0 sent" in again.output and len(sink.messages) == 2


@pytest.mark.parametrize(("variable", "value"), [("TOUCHLINE_SMTP_URL", "mail.example:25"),
                                                  ("TOUCHLINE_SCHEDULER_TICK", "often")])
def test_bad_settings_stop_the_scheduler_naming_the_variable(tmp_path, variable: str, value: str) -> None:  # type: ignore[no-untyped-def]
    env = {"TOUCHLINE_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", variable: value}
    result = CliRunner().invoke(cli, ["scheduler", "--once"], env=env)
    assert result.exit_code == 1
    assert f"Error: {variable}:" in result.output


def test_a_failing_job_makes_once_exit_non_zero_with_the_reason(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    def broken(ctx: object) -> None:
        raise RuntimeError("the read models are unreadable")

    monkeypatch.setattr("scheduler.process.SCANS", [("broken", broken)])
    result = CliRunner().invoke(cli, ["scheduler", "--once"], env={"TOUCHLINE_DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}"})
    assert result.exit_code == 1
    assert "scheduler run failed: RuntimeError: the read models are unreadable" in result.output
