"""``touchline import customers FILE``, on SQLite and PostgreSQL: a summary on stdout, progress
and the rejected rows on stderr, the report file, ``--check`` writing nothing, ``--strict``
exiting 2, and a file that cannot be used exiting 1 with a message (nothing written)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskCliRunner

from domain.customers.model import imported_customer_id

GOOD = "external_id,name,email\nZ-1,Ada Lovelace,ada@example.com\nZ-2,Grace Hopper,grace@example.com\n"
BAD_ROW = "=2+5*cmd,Ada,not-an-address"


def touchline(runner: FlaskCliRunner, *args: str) -> Any:
    from web.cli import cli

    return runner.invoke(cli, ["import", "customers", *args])


def events(runner: FlaskCliRunner) -> int:
    return runner.app.extensions["touchline"].app.recorder.max_notification_id() or 0


def write(tmp_path: Path, text: str, name: str = "customers.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_command_imports_and_prints_a_summary(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = touchline(cli_runner, write(tmp_path, GOOD), "--source", "zendesk", "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Rows read: customers.csv 2", "Events stored: 2 (Customer 2 new, 0 changed)",
                                          f"Rejected: 0 rows (report: {tmp_path / 'r.csv'})"]
    assert "importing customers.csv" in result.stderr  # the progress bar
    app = cli_runner.app.extensions["touchline"].app
    assert app.get_customer(imported_customer_id("zendesk", "Z-1")).name == "Ada Lovelace"


def test_a_check_writes_nothing_and_says_so(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = touchline(cli_runner, write(tmp_path, GOOD), "--check", "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert "Events the import would store (checked only, nothing was written): 2 (Customer 2 new" in result.stdout
    assert events(cli_runner) == 0


def test_rejected_rows_go_to_stderr_and_the_report_safe_for_a_spreadsheet(
    cli_runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    result = touchline(cli_runner, write(tmp_path, GOOD + BAD_ROW + "\n"))
    assert result.exit_code == 0, result.output
    assert "rejected customers.csv:4: email: 'not-an-address' is not an email address" in result.stderr
    assert "Rejected: 1 rows (report: var/import-rejects.csv)" in result.stdout
    with (tmp_path / "var" / "import-rejects.csv").open(newline="") as f:
        assert list(csv.reader(f))[1] == ["customers.csv", "4", "email: 'not-an-address' is not an email address",
                                          "'" + BAD_ROW]


def test_strict_exits_2_when_a_row_was_rejected(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = touchline(cli_runner, write(tmp_path, GOOD + BAD_ROW + "\n"), "--strict", "--report",
                       str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert events(cli_runner) == 2  # the good rows are imported; the exit status says not all were


@pytest.mark.parametrize("args, message", [
    (lambda d: [str(d / "nowhere.csv")], "nowhere.csv: cannot be read: No such file or directory"),
    (lambda d: [write(d, "name,emial\nAda,a@example.com\n")], "wrong columns: unexpected 'emial'"),
    (lambda d: [write(d, GOOD), "--source", "my crm"], "source 'my crm' cannot name a system"),
], ids=["missing-file", "wrong-columns", "bad-source"])
def test_an_unusable_file_or_source_exits_1_with_a_message(
    cli_runner: FlaskCliRunner, tmp_path: Path, args: Any, message: str,
) -> None:
    result = touchline(cli_runner, *args(tmp_path))
    assert result.exit_code == 1
    assert "import refused, nothing was written" in result.stderr and message in result.stderr
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert events(cli_runner) == 0


def test_a_row_of_a_merged_away_customer_is_reported_as_skipped(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, GOOD)
    touchline(cli_runner, file, "--report", str(tmp_path / "r.csv"))
    app = cli_runner.app.extensions["touchline"].app
    app.merge_customers(imported_customer_id("csv", "Z-2"), survivor_id=imported_customer_id("csv", "Z-1"),
                        occurred_at=app_now(cli_runner), actor="user:agent")
    result = touchline(cli_runner, file, "--strict", "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output  # on purpose: not a rejected row
    assert "skipped customers.csv:3: left as it is: this customer was merged into Ada Lovelace" in result.stderr
    assert "Skipped: 1 rows" in result.stdout and "Rejected: 0 rows" in result.stdout


def app_now(runner: FlaskCliRunner) -> Any:
    return runner.app.extensions["touchline"].clock.now()


def test_an_exports_own_columns_are_read_past_when_asked_and_named(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    file = write(tmp_path, "Record ID,First Name,Last Name,Email,Owner\n17,Ada,Lovelace,ada@example.com,Bob\n")
    refused = touchline(cli_runner, file)
    assert refused.exit_code == 1 and "unexpected 'Record ID', 'Owner'" in refused.stderr
    result = touchline(cli_runner, file, "--ignore-other-columns", "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    assert "Ignored columns: Record ID, Owner" in result.stdout
    assert "Events stored: 1 (Customer 1 new" in result.stdout
