"""``touchline serve`` runs the scheduler too, and for the demo a local mail sink it sends to."""

from __future__ import annotations

from web.commands.serve import service_specs


def test_without_an_smtp_server_serve_starts_a_mail_sink_and_points_the_scheduler_at_it() -> None:
    specs = {spec.name: spec for spec in service_specs("127.0.0.1", 5000)}
    assert set(specs) == {"web", "projections", "mail sink", "scheduler"}
    host, port = specs["mail sink"].listens_on  # type: ignore[misc]
    assert specs["scheduler"].env == {"TOUCHLINE_SMTP_URL": f"smtp://{host}:{port}"}
    assert specs["scheduler"].argv[-1] == "scheduler"


def test_with_an_smtp_server_configured_serve_starts_no_mail_sink() -> None:
    specs = {spec.name: spec for spec in service_specs("127.0.0.1", 5000, "smtp://mail.example:25")}
    assert set(specs) == {"web", "projections", "scheduler"} and specs["scheduler"].env is None
