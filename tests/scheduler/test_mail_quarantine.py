"""Malformed mail is quarantined with its bytes and a reason, listable and re-processable;
attachments are kept by SHA-256 up to the size limit, and dropped with a note above it."""

from __future__ import annotations

import hashlib
import smtplib
from pathlib import Path

import pytest

from domain.mail.model import inbound_mail_id
from scheduler.mailin.inbound import quarantined
from scheduler.mailin.smtp import smtp_listener
from scheduler.mailsink import free_port
from tests.scheduler.conftest import World
from tests.scheduler.mail import mail, mail_in


def test_mail_without_a_from_address_is_quarantined_with_its_bytes(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    raw = mail(sender="")
    assert core.receive(raw) == "quarantined"
    [record] = quarantined(world.app)
    assert (record.reason, record.message_id, record.case_id) == ("no From address", "<m1@example.org>", None)
    assert core.store.raw(record.raw_sha256) == raw
    assert core.reprocess(record.id) == "quarantined"  # still no sender: it stays


def test_unreadable_bytes_are_quarantined_under_their_hash(world: World, tmp_path: Path) -> None:
    raw = b"\x00\xff garbage, not a mail"
    assert mail_in(world, tmp_path).receive(raw) == "quarantined"
    record = world.app.get_inbound_mail(inbound_mail_id(f"sha256:{hashlib.sha256(raw).hexdigest()}"))
    assert record.status == "quarantined"
    assert record.reason == "no From address"


def test_an_oversized_mail_is_quarantined_and_can_be_processed_again(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path, max_bytes=2000)
    raw = mail(body="x" * 3000)
    assert core.receive(raw) == "quarantined"
    [record] = quarantined(world.app)
    assert record.reason.startswith("oversized")
    assert core.reprocess(record.id) == "case_opened"  # an operator's decision: the limit is not applied again
    assert quarantined(world.app) == []
    released = world.app.get_inbound_mail(record.id)
    assert (released.status, released.outcome) == ("recorded", "case_opened")
    assert world.app.get_case(released.case_id).subject == "My printer jams"


def test_a_quarantined_auto_reply_is_released_as_a_persons_mail_when_told(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    assert core.receive(mail(headers={"Precedence": "bulk"})) == "quarantined"
    [record] = quarantined(world.app)
    assert core.reprocess(record.id) == "quarantined"
    assert core.reprocess(record.id, as_person=True) == "case_opened"


def test_the_smtp_listener_refuses_mail_over_the_limit(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path, max_bytes=2000)
    port = free_port()
    with smtp_listener(core, "127.0.0.1", port), smtplib.SMTP("127.0.0.1", port, timeout=10) as client, \
            pytest.raises(smtplib.SMTPResponseException) as refused:  # the sender keeps it and says so
        client.sendmail("bob@example.org", ["support@shop.example"], mail(body="x" * 3000))
    assert refused.value.smtp_code == 552


def test_attachments_are_kept_by_hash_and_large_ones_dropped_with_a_note(world: World, tmp_path: Path) -> None:
    small, large = b"%PDF-1.4 invoice", b"z" * 5000
    core = mail_in(world, tmp_path, attachment_max_bytes=1000)
    raw = mail(attachments=[("invoice.pdf", "application/pdf", small), ("video.bin", "application/octet-stream",
                                                                            large)])
    assert core.receive(raw) == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    kept, dropped = record.attachments
    assert kept == {"name": "invoice.pdf", "type": "application/pdf", "size": len(small),
                    "sha256": hashlib.sha256(small).hexdigest(), "kept": True}
    assert core.store.attachment(kept["sha256"]) == small
    assert (dropped["name"], dropped["size"], dropped["kept"]) == ("video.bin", 5000, False)
    with pytest.raises(FileNotFoundError):
        core.store.attachment(dropped["sha256"])
    summary = world.app.get_touchpoint(record.touchpoint_id).summary
    assert "attachment video.bin (5000 bytes) dropped: over the limit of 1000 bytes" in summary
