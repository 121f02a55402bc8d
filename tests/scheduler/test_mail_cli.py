"""``touchline mail-in``: one IMAP poll for cron (``--once``), the quarantine list, reprocessing;
bad settings and bad ids are refused with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from domain.clock import SystemClock
from scheduler.mailin.inbound import MailIn, MailInSettings
from scheduler.mailin.store import MailStore
from tests.scheduler.dovecot import Dovecot, dovecot  # noqa: F401 - the fixture
from tests.scheduler.mail import mail
from web.cli import cli
from web.services import build_services


def env(database_url: str, tmp_path: Path, **more: str) -> dict[str, str]:
    return {"TOUCHLINE_DATABASE_URL": database_url, "TOUCHLINE_MAIL_DIR": str(tmp_path / "mail"), **more}


def test_once_polls_the_mailbox_and_records_what_it_found(database_url: str, tmp_path: Path,
                                                          dovecot: Dovecot) -> None:  # noqa: F811
    dovecot.deliver(mail(message_id="<cli1@example.org>"))
    result = CliRunner().invoke(cli, ["mail-in", "--once"], env=env(database_url, tmp_path,
                                                                   TOUCHLINE_IMAP_URL=dovecot.url))
    assert result.exit_code == 0, result.output
    assert "IMAP: 1 fetched, 0 failed" in result.output
    assert dovecot.unseen() == 0


def test_the_quarantine_is_listed_and_a_mail_in_it_reprocessed(database_url: str, tmp_path: Path) -> None:
    services = build_services({"DATABASE_URL": database_url}, clock=SystemClock())
    core = MailIn(services.app, services.views, services.clock, MailStore(tmp_path / "mail"),
                  MailInSettings(directory=str(tmp_path / "mail")))
    assert core.receive(mail("Out of office", headers={"Auto-Submitted": "auto-replied"})) == "quarantined"
    services.close()
    listed = CliRunner().invoke(cli, ["mail-in", "quarantine"], env=env(database_url, tmp_path))
    assert listed.exit_code == 0, listed.output
    [line] = [x for x in listed.output.splitlines() if "bob@example.org" in x]
    assert "automatic mail (Auto-Submitted: auto-replied) that belongs to no case" in line
    record_id = line.split()[0]
    still = CliRunner().invoke(cli, ["mail-in", "reprocess", record_id], env=env(database_url, tmp_path))
    assert (still.exit_code, "stays in quarantine" in still.output) == (1, True)
    done = CliRunner().invoke(cli, ["mail-in", "reprocess", record_id, "--as-person"], env=env(database_url, tmp_path))
    assert (done.exit_code, done.output.strip()) == (0, "case_opened")
    empty = CliRunner().invoke(cli, ["mail-in", "quarantine"], env=env(database_url, tmp_path))
    assert "0 quarantined mail(s)" in empty.output


@pytest.mark.parametrize(("args", "variables", "said"), [
    (["reprocess", "not-an-id"], {}, "'not-an-id' is not a mail id"),
    (["reprocess", "6f1c1bde-1f4e-4c43-9d7e-0c1b7d1d5e6a"], {}, "not found"),
    (["--once"], {"TOUCHLINE_MAIL_MAX_BYTES": "lots"}, "TOUCHLINE_MAIL_MAX_BYTES: must be a whole number"),
    (["--once"], {"TOUCHLINE_IMAP_URL": "http://mail.example"}, "TOUCHLINE_IMAP_URL: IMAP URL"),
    (["--once"], {}, "TOUCHLINE_IMAP_URL is not set"),
    (["--once"], {"TOUCHLINE_IMAP_URL": "imap://u:p@127.0.0.1:1/INBOX"}, "IMAP server 127.0.0.1:1 failed"),
], ids=["bad id", "unknown id", "bad size", "bad url", "no url", "server down"])
def test_bad_input_is_refused_with_the_reason(tmp_path: Path, args: list[str], variables: dict[str, str],
                                             said: str) -> None:
    result = CliRunner().invoke(cli, ["mail-in", *args], env=env(f"sqlite:///{tmp_path / 't.db'}", tmp_path,
                                                                 **variables))
    assert result.exit_code == 1
    assert said in result.output
