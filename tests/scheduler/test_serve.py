"""``touchline serve`` runs the scheduler and the inbound mail listener too, and for the demo a
local mail sink the scheduler sends to."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.mailsink import free_port
from web.cli import cli
from web.commands.serve import service_specs


def test_without_an_smtp_server_serve_starts_a_mail_sink_and_points_the_scheduler_at_it() -> None:
    specs = {spec.name: spec for spec in service_specs("127.0.0.1", 5000)}
    assert set(specs) == {"web", "projections", "mail sink", "scheduler"}
    host, port = specs["mail sink"].listens_on  # type: ignore[misc]
    assert specs["scheduler"].env == {"TOUCHLINE_SMTP_URL": f"smtp://{host}:{port}",
                                      "TOUCHLINE_PUBLIC_URL": "http://127.0.0.1:5000"}
    assert specs["scheduler"].argv[-1] == "scheduler"


def test_with_an_smtp_server_configured_serve_starts_no_mail_sink() -> None:
    specs = {spec.name: spec for spec in service_specs("127.0.0.1", 5000, "smtp://mail.example:25")}
    assert set(specs) == {"web", "projections", "scheduler"}
    assert specs["scheduler"].env == {"TOUCHLINE_PUBLIC_URL": "http://127.0.0.1:5000"}


@pytest.mark.parametrize("host, url", [("127.0.0.1", "http://127.0.0.1:5077"), ("0.0.0.0", "http://127.0.0.1:5077"),
                                       ("support.example", "http://support.example:5077"), ("::1", "http://[::1]:5077")])
def test_links_in_messages_point_at_the_port_served_unless_a_public_url_is_set(
    host: str, url: str, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TOUCHLINE_PUBLIC_URL", raising=False)
    assert {s.name: s for s in service_specs(host, 5077)}["scheduler"].env["TOUCHLINE_PUBLIC_URL"] == url  # type: ignore[index]
    monkeypatch.setenv("TOUCHLINE_PUBLIC_URL", "https://help.shop.example")
    assert "TOUCHLINE_PUBLIC_URL" not in ({s.name: s for s in service_specs(host, 5077)}["scheduler"].env or {})


def test_serve_runs_the_inbound_mail_listener_where_it_is_told() -> None:
    specs = {spec.name: spec for spec in service_specs("127.0.0.1", 5000, mail_in=("127.0.0.1", 2526))}
    assert specs["mail in"].listens_on == ("127.0.0.1", 2526) and specs["mail in"].scheme == "smtp"
    assert specs["mail in"].argv[-6:] == ["mail-in", "--host", "127.0.0.1", "--port", "2526", "--wait-for-read-models"]


@pytest.mark.parametrize(("value", "message"), [
    ("twenty-five", "TOUCHLINE_MAIL_IN_PORT: must be a whole number, not 'twenty-five'"),
    ("taken", "choose another with TOUCHLINE_MAIL_IN_PORT"),
])
def test_a_bad_or_taken_mail_in_port_stops_serve_before_anything_starts(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, message: str) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'touchline.db'}")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setenv("TOUCHLINE_MAIL_IN_PORT", str(port) if value == "taken" else value)
        result = CliRunner().invoke(cli, ["serve", "--port", str(free_port())])
    assert result.exit_code != 0 and message in result.output
    assert "Ctrl-C to stop" not in result.output  # nothing was started
