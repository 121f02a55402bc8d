"""Hostile or odd mail ends in a documented outcome, once: it never raises out of ``receive``
(over SMTP that was a 451 and a retry forever; over IMAP, a mail fetched again at every poll),
never leaves half a record, and never takes seconds to read."""

from __future__ import annotations

import threading
from base64 import b64encode
from pathlib import Path

import pytest

from domain.customers.model import email_customer_id
from domain.mail.commands import NO_TEXT
from domain.mail.model import inbound_mail_id
from scheduler.mailin.inbound import quarantined
from scheduler.mailin.store import MailStore
from tests.scheduler.conftest import World
from tests.scheduler.mail import case_events, mail, mail_in


def raw(headers: dict[str, str], body: bytes, content_type: str = "text/plain; charset=utf-8") -> bytes:
    lines = {"From": "Ada Lovelace <ada@example.com>", "To": "support@shop.example", "Message-ID": "<h1@example.com>",
             "Subject": "Hello", "Content-Type": content_type, **headers}
    return "".join(f"{name}: {value}\r\n" for name, value in lines.items()).encode() + b"\r\n" + body


def test_a_reply_without_text_still_threads_as_the_customers_answer(world: World, tmp_path: Path) -> None:
    case_id = world.case()
    code = world.app.get_case(case_id).tracking_code
    core = mail_in(world, tmp_path)
    assert core.receive(raw({"Subject": f"Re: [{code}]"}, b"")) == "threaded"
    assert core.receive(mail(f"Re: [{code}]", "", sender="ada@example.com", message_id="<h2@example.com>",
                             attachments=[("scan.pdf", "application/pdf", b"%PDF-1.4")])) == "threaded"
    replies = [e for e in world.app.events.get(case_id) if type(e).__name__ == "CustomerReplied"]
    assert [r.body for r in replies] == [NO_TEXT, NO_TEXT]  # the attachment is on the touchpoint


def test_a_from_address_no_customer_could_have_is_quarantined_not_retried(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    for n, sender in enumerate(["bob@localhost", '<"bob smith"@example.org>', "a" * 300 + "@example.org"]):
        assert core.receive(raw({"From": sender, "Message-ID": f"<f{n}@x>"}, b"Hi")) == "quarantined", sender
    assert [r.reason for r in quarantined(world.app)] == ["no From address"] * 3


def test_a_body_that_decodes_to_lone_surrogates_is_recorded_with_replacement_characters(
        world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    outcome = core.receive(raw({"From": "bob@example.org"}, b"a +2D0- b", "text/plain; charset=utf-7"))
    assert outcome == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<h1@example.com>"))
    assert "\ufffd" in world.app.get_touchpoint(record.touchpoint_id).summary


def test_a_long_body_and_a_long_dropped_attachment_name_still_fit_the_summary(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path, attachment_max_bytes=10)
    message = mail(body="x" * 18_000, sender="bob@example.org",
                   attachments=[("n" * 2100 + ".bin", "application/octet-stream", b"more than ten bytes")])
    assert core.receive(message) == "case_opened"
    record = world.app.get_inbound_mail(inbound_mail_id("<m1@example.org>"))
    summary = world.app.get_touchpoint(record.touchpoint_id).summary
    assert len(summary) <= 20_000 and "dropped: over the limit of 10 bytes" not in summary[:18_000]


def test_a_lone_surrogate_in_in_reply_to_is_quarantined_as_unparseable(world: World, tmp_path: Path) -> None:
    encoded = "=?utf-7?B?" + b64encode(b"<+2D0-@x>").decode() + "?="
    assert mail_in(world, tmp_path).receive(raw({"In-Reply-To": encoded}, b"Hi")) == "quarantined"
    assert quarantined(world.app)[0].reason.startswith("unparseable")


def test_a_tracking_code_too_long_to_be_one_is_ignored(world: World, tmp_path: Path) -> None:
    assert mail_in(world, tmp_path).receive(raw({"Subject": "re CASE-" + "1" * 5000}, b"Hi")) == "case_opened"


def test_a_header_too_long_to_read_quickly_is_quarantined(world: World, tmp_path: Path) -> None:
    assert mail_in(world, tmp_path).receive(raw({"Subject": "word " * 200_000}, b"Hi")) == "quarantined"
    assert quarantined(world.app)[0].reason == "header Subject over 32,768 characters"


def multipart(parts: int, boundary: str = "b0", message_id: str = "<h1@example.com>") -> bytes:
    body = "".join(f"--{boundary}\r\nContent-Type: text/plain\r\n\r\npart {n}\r\n" for n in range(parts))
    return raw({"Message-ID": message_id}, f"{body}--{boundary}--\r\n".encode(),
               f'multipart/mixed; boundary="{boundary}"')


def test_a_mail_of_thousands_of_parts_is_quarantined_before_it_is_parsed(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)  # 40,000 parts took the standard library's parser ~25 s
    assert core.receive(multipart(40_000)) == "quarantined"
    assert quarantined(world.app)[0].reason == "over 1,000 MIME parts"


def test_an_operator_can_process_a_mail_of_many_parts_again(world: World, tmp_path: Path) -> None:
    core = mail_in(world, tmp_path)
    assert core.receive(multipart(1_500)) == "quarantined"
    record = quarantined(world.app)[0]
    assert record.reason == "over 1,000 MIME parts"
    assert core.reprocess(record.id) == "case_opened"  # `touchline mail-in reprocess`: the bound guards the listener
    assert quarantined(world.app) == []


@pytest.mark.parametrize(("declared", "newline"), [
    ('boundary*0="b"; boundary*1="0"', b"\r\n"),  # RFC 2231 continuations
    ("boundary*=''b0", b"\r\n"),  # RFC 2231, encoded
    ("boundary=(a comment)b0", b"\r\n"),
    ('boundary="b0"', b"\r"),  # bare CR line ends
])
def test_thousands_of_parts_are_counted_however_their_boundary_is_written(world: World, tmp_path: Path, declared: str,
                                                                          newline: bytes) -> None:
    part = b"--b0" + newline + b"Content-Type: text/plain" + newline + newline + b"part" + newline
    message = raw({}, part * 3000 + b"--b0--" + newline, f"multipart/mixed; {declared}")
    assert mail_in(world, tmp_path).receive(message) == "quarantined"
    assert quarantined(world.app)[0].reason == "over 1,000 MIME parts"


def test_a_text_full_of_dashed_lines_is_still_read(world: World, tmp_path: Path) -> None:
    table = "".join(f"--------- row {n} ---------\r\n" for n in range(3000))  # not delimiters: no boundary
    assert mail_in(world, tmp_path).receive(raw({"From": "bob@example.org"}, table.encode())) == "case_opened"
    assert mail_in(world, tmp_path).receive(multipart(999, message_id="<h2@x>")) == "case_opened"  # within the bound, plus its end


def test_mail_from_our_own_address_is_never_the_customers_answer(world: World, tmp_path: Path) -> None:
    case_id = world.case()
    code = world.app.get_case(case_id).tracking_code
    core = mail_in(world, tmp_path)
    looped = raw({"From": "Touchline <support@shop.example>", "Subject": f"Re: [{code}]"}, b"Our own reply")
    assert core.receive(looped) == "automatic_threaded"
    assert "CustomerReplied" not in case_events(world, case_id)
    assert not world.app._exists(email_customer_id("support@shop.example"))
    colleague = raw({"From": "Ann <ann@shop.example>", "Message-ID": "<c1@shop.example>"}, b"A customer called me")
    assert core.receive(colleague) == "case_opened"  # others of our domain are people


def test_whatever_the_domain_refuses_is_quarantined_with_the_reason(world: World, tmp_path: Path,
                                                                   monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from domain.errors import InvalidValueError

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise InvalidValueError("summary", "is not acceptable")

    monkeypatch.setattr(world.app, "record_mail", refuse)
    assert mail_in(world, tmp_path).receive(mail()) == "quarantined"
    assert quarantined(world.app)[0].reason == "refused: summary: is not acceptable"


def test_two_threads_storing_the_same_bytes_at_once_both_succeed(tmp_path: Path) -> None:
    data, errors = b"attachment " * 200_000, []

    def put(store: MailStore, start: threading.Barrier) -> None:
        start.wait()
        try:
            store.put_attachment(data)
        except OSError as exc:
            errors.append(exc)

    for round_ in range(20):
        store, start = MailStore(tmp_path / str(round_)), threading.Barrier(2)
        threads = [threading.Thread(target=put, args=(store, start)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []


def test_nul_characters_in_a_mail_are_dropped_so_every_database_can_keep_it(world: World, tmp_path: Path) -> None:
    message = raw({"From": "Bob\x00 Stone <bob@example.org>", "Subject": "Print\x00er"}, b"It jams\x00 a lot")
    assert mail_in(world, tmp_path).receive(message) == "case_opened"
    world.catch_up()  # PostgreSQL's text columns refuse a NUL: the projections would have stopped here
    record = world.app.get_inbound_mail(inbound_mail_id("<h1@example.com>"))
    assert world.app.get_case(record.case_id).subject == "Printer"
    assert "It jams a lot" in world.app.get_touchpoint(record.touchpoint_id).summary
