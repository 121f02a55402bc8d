"""The IMAP poller against a real Dovecot: unseen mail is recorded, then marked seen; mail
that could not be recorded stays unseen for the next poll; a second poll repeats nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.mail.model import inbound_mail_id
from scheduler.mailin.imap import ImapAccount, ImapPoller
from tests.scheduler.conftest import World
from tests.scheduler.dovecot import Dovecot, dovecot  # noqa: F401 - the fixture
from tests.scheduler.mail import mail, mail_in


@pytest.fixture
def inbox(dovecot: Dovecot) -> Dovecot:  # noqa: F811
    client = dovecot.client()
    try:  # each test starts from an empty mailbox
        _, count = client.select("INBOX")
        if int(count[0] or 0):
            client.store("1:*", "+FLAGS.SILENT", "(\\Deleted)")
            client.expunge()
    finally:
        client.logout()
    return dovecot


def test_unseen_mail_is_recorded_then_marked_seen(world: World, tmp_path: Path, inbox: Dovecot) -> None:
    inbox.deliver(mail())
    inbox.deliver(mail("Second question", message_id="<m2@example.org>"))
    poller = ImapPoller(mail_in(world, tmp_path), ImapAccount.from_url(inbox.url))
    assert (poller.poll().fetched, inbox.unseen()) == (2, 0)
    for message_id in ("<m1@example.org>", "<m2@example.org>"):
        assert world.app.get_inbound_mail(inbound_mail_id(message_id)).outcome == "case_opened"
    assert poller.poll().fetched == 0


def test_mail_that_cannot_be_recorded_stays_unseen(world: World, tmp_path: Path, inbox: Dovecot) -> None:
    inbox.deliver(mail())
    core = mail_in(world, tmp_path)
    (tmp_path / "raw").write_text("a file where the store needs a directory")  # the store fails
    result = ImapPoller(core, ImapAccount.from_url(inbox.url)).poll()
    assert (result.fetched, result.failed, inbox.unseen()) == (0, 1, 1)
    (tmp_path / "raw").unlink()
    assert ImapPoller(core, ImapAccount.from_url(inbox.url)).poll().fetched == 1
    assert inbox.unseen() == 0


def test_a_bad_imap_url_names_what_is_wrong() -> None:
    with pytest.raises(ValueError, match="expected imap://user:password@host:port/MAILBOX"):
        ImapAccount.from_url("http://mail.example")


def test_processed_mail_can_be_moved_to_another_mailbox(world: World, tmp_path: Path, inbox: Dovecot) -> None:
    client = inbox.client()
    try:
        client.create("Processed")
        _, before = client.select("Processed")
    finally:
        client.logout()
    inbox.deliver(mail())
    poller = ImapPoller(mail_in(world, tmp_path), ImapAccount.from_url(inbox.url), move_to="Processed")
    assert poller.poll().fetched == 1
    client = inbox.client()
    try:
        _, in_inbox = client.select("INBOX")
        _, moved = client.select("Processed")
    finally:
        client.logout()
    assert (int(in_inbox[0]), int(moved[0]) - int(before[0])) == (0, 1)
