"""``touchline projections ...`` from the command line: status, run --once, rebuild, verify."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa
from click.testing import Result
from flask import Flask

from domain.clock import FixedClock
from projections.views.customer360 import customers
from web import create_app
from web.cli import cli

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    flask_app = create_app({"DATABASE_URL": database_url, "CLOCK": FixedClock(NOW), "TESTING": True})
    touchline = flask_app.extensions["touchline"].app
    for name in ("Ann", "Bob"):
        customer = touchline.register_customer(name=name, occurred_at=NOW, actor="user:a").id
        touchline.record_touchpoint(customer_id=customer, channel="visit", direction="inbound", kind="inquiry",
                                    subject="Walk-in", occurred_at=NOW, actor="user:a")
    yield flask_app
    flask_app.extensions["touchline"].close()


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(cli, ["projections", *args])


def test_status_shows_lag_until_run_once_catches_up(app: Flask) -> None:
    before = invoke(app, "status")
    assert before.exit_code == 0
    assert "customer360" in before.output and " 4 " in before.output  # four events behind
    ran = invoke(app, "run", "--once")
    assert ran.exit_code == 0, ran.stderr
    assert "caught up: 4 events applied" in ran.stderr
    after = invoke(app, "status").stdout.splitlines()
    customer_line = next(line for line in after if line.startswith("customer360"))
    assert customer_line.split()[2:5] == ["4", "4", "0"]


def test_rebuild_and_verify_pass_then_verify_fails_on_a_tampered_row(app: Flask) -> None:
    assert invoke(app, "rebuild").exit_code == 0
    verified = invoke(app, "verify")
    assert verified.exit_code == 0, verified.output
    assert "customer360: identical" in verified.output
    with app.extensions["touchline"].views.begin() as conn:
        conn.execute(sa.update(customers).where(customers.c.name == "Bob").values(touches=7))
    tampered = invoke(app, "verify", "customer360")
    assert tampered.exit_code == 1
    assert "touches live=7 rebuilt=1" in tampered.output


def test_rebuild_of_one_projection_leaves_the_others_alone(app: Flask) -> None:
    invoke(app, "run", "--once")
    rebuilt = invoke(app, "rebuild", "touchpoints")
    assert rebuilt.exit_code == 0
    assert "rebuilt touchpoints: 4 events applied" in rebuilt.output


def test_unknown_projection_name_is_a_usage_error(app: Flask) -> None:
    result = invoke(app, "rebuild", "nonsense")
    assert result.exit_code == 2
    assert "unknown projection(s): nonsense" in result.stderr
