"""Settings: every numeric ``TOUCHLINE_*`` value is checked once, at start-up, and a bad one
stops the app with a message naming the variable (never a traceback, never a 500 later)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from scheduler.settings import SettingError
from web import create_app
from web.cli import cli
from web.settings import DEFAULTS, NUMBERS, load_config

FLAGS = {"WEBHOOK_ALLOW_HTTP", "WEBHOOK_ALLOW_PRIVATE"}  # 0/1 switches that also take true/yes/on: not numbers


def test_every_numeric_setting_has_a_rule_and_every_rule_a_default() -> None:
    numeric = {key for key, value in DEFAULTS.items() if isinstance(value, int | float) and not isinstance(value, bool)}
    assert numeric - FLAGS == set(NUMBERS)
    assert set(NUMBERS) <= set(DEFAULTS)


def test_the_defaults_pass_their_own_rules() -> None:
    config = load_config()
    assert {key: config[key] for key in NUMBERS} == {key: DEFAULTS[key] for key in NUMBERS}


def test_environment_values_arrive_as_text_and_become_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_WEB_THREADS", " 12 ")
    monkeypatch.setenv("TOUCHLINE_API_MIN_POSITION_WAIT", "2.5")
    monkeypatch.setenv("TOUCHLINE_API_LONG_POLLS", "0")  # no long polls: allowed
    monkeypatch.setenv("TOUCHLINE_MAIL_MAX_BYTES", "1e6")  # a whole number, however written
    config = load_config()
    assert (config["WEB_THREADS"], config["API_MIN_POSITION_WAIT"], config["API_LONG_POLLS"],
            config["MAIL_MAX_BYTES"]) == (12, 2.5, 0, 1_000_000)
    assert type(config["WEB_THREADS"]) is int and type(config["MAIL_MAX_BYTES"]) is int


@pytest.mark.parametrize(("key", "value", "message"), [
    ("WEB_THREADS", "eight", "TOUCHLINE_WEB_THREADS: must be a whole number, not 'eight'"),
    ("WEB_THREADS", "0", "TOUCHLINE_WEB_THREADS: must be a whole number of at least 1, not '0'"),
    ("WEB_THREADS", "2.5", "TOUCHLINE_WEB_THREADS: must be a whole number, not '2.5'"),
    ("API_LONG_POLLS", "-1", "TOUCHLINE_API_LONG_POLLS: must be a whole number of at least 0, not '-1'"),
    ("API_RATE_LIMIT", "0", "TOUCHLINE_API_RATE_LIMIT: must be a positive number, not '0'"),
    ("API_RATE_LIMIT", "nan", "TOUCHLINE_API_RATE_LIMIT: must be a number, not 'nan'"),
    ("API_RATE_BURST", "inf", "TOUCHLINE_API_RATE_BURST: must be a whole number, not 'inf'"),
    ("API_TOKEN_USE_INTERVAL", "", "TOUCHLINE_API_TOKEN_USE_INTERVAL: must be a number, not ''"),
    ("API_MIN_POSITION_WAIT", "-0.5", "TOUCHLINE_API_MIN_POSITION_WAIT: must be a number of at least 0, not '-0.5'"),
    ("PORT", "70000", "TOUCHLINE_PORT: must be a whole number from 1 to 65535, not '70000'"),
    ("LOGIN_MAX_FAILURES", "five", "TOUCHLINE_LOGIN_MAX_FAILURES: must be a whole number, not 'five'"),
    ("LOGIN_LOCKOUT_MINUTES", "0", "TOUCHLINE_LOGIN_LOCKOUT_MINUTES: must be a positive number, not '0'"),
    ("SLA_AT_RISK_SHARE", "1", "TOUCHLINE_SLA_AT_RISK_SHARE: must be between 0 and 1, not '1'"),
    ("WEBHOOK_MAX_FAILURES", "0.5", "TOUCHLINE_WEBHOOK_MAX_FAILURES: must be a whole number, not '0.5'"),
])
def test_a_bad_number_stops_the_app_naming_the_variable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       key: str, value: str, message: str) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'touchline.db'}")
    monkeypatch.setenv(f"TOUCHLINE_{key}", value)
    with pytest.raises(SettingError) as stopped:
        create_app()
    assert str(stopped.value) == message
    assert not (tmp_path / "touchline.db").exists()  # stopped before it opened anything


def test_a_flag_is_not_taken_for_a_number() -> None:
    assert load_config({"WEBHOOK_ALLOW_HTTP": "yes"})["WEBHOOK_ALLOW_HTTP"] == "yes"


@pytest.mark.parametrize("command", [["serve"], ["tokens", "list"], ["scheduler", "--once"]])
def test_the_cli_says_which_setting_is_bad_and_exits_non_zero(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                              command: list[str]) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'touchline.db'}")
    monkeypatch.setenv("TOUCHLINE_API_RATE_BURST", "lots")
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    assert result.output.strip() == "Error: TOUCHLINE_API_RATE_BURST: must be a whole number, not 'lots'"
    assert result.exception is None or isinstance(result.exception, SystemExit)  # a message, not a traceback


@pytest.mark.parametrize(("name", "value", "message"), [
    ("TIMEZONE", "Mars/Base", "Error: TOUCHLINE_TIMEZONE: 'Mars/Base' is not an IANA time zone (such as Europe/Berlin)"),
    ("MASTER_KEY", "abc", "Error: TOUCHLINE_MASTER_KEY must be 32 bytes, base64-encoded"),
])
def test_a_bad_zone_or_master_key_is_one_line_naming_it(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str,
                                                        value: str, message: str) -> None:
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", f"sqlite:///{tmp_path / 'touchline.db'}")
    monkeypatch.setenv(f"TOUCHLINE_{name}", value)
    result = CliRunner().invoke(cli, ["projections", "status"])
    assert result.exit_code == 1 and result.output.startswith(message), result.output
    assert len(result.output.strip().splitlines()) == 1  # a message, not a traceback
