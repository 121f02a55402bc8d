"""The IMAP poller: fetch the mailbox's UNSEEN messages, hand each to ``MailIn.receive``, and
only then mark it seen (or move it to ``TOUCHLINE_IMAP_MOVE_TO``), so a crash in between
fetches it again next time (and the duplicate is recorded once, by its Message-ID).

``imap://user:password@host:port/INBOX`` (``imaps://`` for TLS), imaplib from the standard library.
"""

from __future__ import annotations

import imaplib
import logging
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from scheduler.mailin.inbound import MailIn

log = logging.getLogger("touchline.mailin")
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class ImapAccount:
    host: str
    port: int
    tls: bool
    user: str
    password: str
    mailbox: str

    @classmethod
    def from_url(cls, url: str) -> ImapAccount:
        parts = urlsplit(url)
        if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
            raise ValueError(f"IMAP URL {url!r}: expected imap://user:password@host:port/MAILBOX or imaps://...")
        tls = parts.scheme == "imaps"
        return cls(parts.hostname, parts.port or (993 if tls else 143), tls, unquote(parts.username),
                   unquote(parts.password or ""), unquote(parts.path.strip("/")) or "INBOX")


@dataclass
class PollResult:
    fetched: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.fetched} fetched, {self.failed} failed (left unseen)"


class ImapPoller:
    def __init__(self, mail_in: MailIn, account: ImapAccount, *, move_to: str = "") -> None:
        self.mail_in, self.account, self.move_to = mail_in, account, move_to

    def _connect(self) -> imaplib.IMAP4:
        a = self.account
        client = imaplib.IMAP4_SSL(a.host, a.port, timeout=TIMEOUT_SECONDS) if a.tls \
            else imaplib.IMAP4(a.host, a.port, timeout=TIMEOUT_SECONDS)
        client.login(a.user, a.password)
        status, _ = client.select(_quoted(a.mailbox))
        if status != "OK":
            client.logout()
            raise imaplib.IMAP4.error(f"cannot open mailbox {a.mailbox!r}")
        return client

    def poll(self) -> PollResult:
        """One pass over the unseen messages."""
        result = PollResult()
        client = self._connect()
        try:
            status, data = client.uid("SEARCH", "UNSEEN")
            uids = data[0].split() if status == "OK" and data and data[0] else []
            for uid in uids:
                # BODY.PEEK leaves \\Seen unset: it is set below, once the mail is stored.
                status, fetched = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((item[1] for item in fetched if isinstance(item, tuple)), None)
                if status != "OK" or raw is None:
                    result.failed += 1
                    continue
                try:
                    self.mail_in.receive(bytes(raw))
                except Exception:
                    log.exception("IMAP message %s: could not record it; it stays unseen", uid.decode())
                    result.failed += 1
                    continue
                self._done(client, uid)
                result.fetched += 1
            if self.move_to and result.fetched:
                client.expunge()
        finally:
            client.logout()
        return result

    def _done(self, client: imaplib.IMAP4, uid: bytes) -> None:
        if self.move_to:
            status, _ = client.uid("COPY", uid, _quoted(self.move_to))
            if status == "OK":
                client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen \\Deleted)")
                return
            log.warning("could not move IMAP message %s to %s; marking it seen", uid.decode(), self.move_to)
        client.uid("STORE", uid, "+FLAGS.SILENT", "(\\Seen)")


def _quoted(mailbox: str) -> str:
    return '"' + mailbox.replace("\\", "\\\\").replace('"', '\\"') + '"'
