"""Reading an inbound mail: who sent it, what it says, what it answers, its attachments, and
whether a machine sent it (automatic mail must never open a case nor get an answer: mail loops).

``parse`` never raises: a mail it cannot read comes back as ``Malformed`` with the reason.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import getaddresses
from html.parser import HTMLParser

from domain.cases.codes import CODE_DIGITS, CODE_PREFIX
from domain.errors import InvalidValueError
from domain.values import email_address

CODE = re.compile(rf"\b{CODE_PREFIX}{CODE_DIGITS}\b", re.IGNORECASE)
# Beyond these a mail is abuse, not correspondence, and reading it would take seconds to minutes
# (the standard library's header parser is superlinear in a header's length).
MAX_HEADER = 32 * 1024  # characters of one header, folded lines included
MAX_REFERENCES = 50  # message ids followed from In-Reply-To and References, nearest first
MAX_CODES = 10  # tracking codes tried from the subject
# The standard library's MIME parser takes ~0.2 ms a part: 40,000 one-line parts (1 MB) held a
# worker for ~25 s. Real mail has tens. The parser itself counts the parts it makes and stops
# past the bound: however the boundaries are declared (RFC 2231, comments) or lines end.
MAX_PARTS = 1000
MESSAGE_IDS = re.compile(r"<[^<>\s]+>")
OUT_OF_OFFICE = re.compile(r"^\s*(out of (the )?office|automatic reply|auto(matic)?[- ]?(reply|response)|auto:"
                           r"|abwesenheitsnotiz|réponse automatique|vacation)", re.IGNORECASE)
BOUNCE_SENDERS = ("mailer-daemon", "postmaster")


@dataclass(frozen=True)
class Part:
    """An attachment: its name, type and bytes."""

    name: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Parsed:
    message_id: str | None
    sender: str
    sender_name: str
    subject: str
    body: str
    references: list[str]  # In-Reply-To then References, nearest first
    automatic: str | None
    attachments: list[Part] = field(default_factory=list)

    @property
    def codes(self) -> list[str]:
        """Tracking codes in the subject, as written (``CASE-000123``)."""
        return [c.upper() for c in CODE.findall(self.subject)][:MAX_CODES]


@dataclass(frozen=True)
class Malformed:
    reason: str
    message_id: str | None = None
    sender: str = ""
    subject: str = ""


def sha256(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def parse(raw: bytes, *, max_bytes: int, max_parts: int | None = MAX_PARTS,
          envelope_sender: str | None = None) -> Parsed | Malformed:
    """The mail in ``raw``; ``envelope_sender`` is SMTP's MAIL FROM ("" for a bounce's null sender).
    ``max_parts`` None: as many MIME parts as it has (an operator's reprocess, not a worker's)."""
    if len(raw) > max_bytes:
        return Malformed(f"oversized: {len(raw)} bytes, over the limit of {max_bytes}")
    try:
        policy = email.policy.default if max_parts is None else _counting_policy(max_parts)
        message = email.message_from_bytes(raw, policy=policy)
        assert isinstance(message, EmailMessage)
        long = next((name for name, value in message.raw_items() if len(value) > MAX_HEADER), None)
        if long is not None:
            return Malformed(f"header {long[:100]} over {MAX_HEADER:,} characters")
        message_id = _message_id(message)
        subject = _valid(_header(message, "Subject"))
        names = getaddresses([_header(message, "From")])
        name, address = names[0] if names else ("", "")
        try:
            address = email_address("from", address)  # the domain's rule: a customer can be registered by it
        except InvalidValueError:
            return Malformed("no From address", message_id, "", subject)
        automatic = automatic_reason(message, address, envelope_sender)
        body = _valid(_body(message))
        attachments = [] if message.get_content_type() == "multipart/report" else _attachments(message)
        references = MESSAGE_IDS.findall(_header(message, "In-Reply-To")) \
            + list(reversed(MESSAGE_IDS.findall(_header(message, "References"))))
    except _TooManyParts:
        return Malformed(f"over {max_parts:,} MIME parts")
    except Exception as exc:  # noqa: BLE001 - any failure to read it is a reason to keep it aside
        return Malformed(f"unparseable: {type(exc).__name__}: {exc}"[:500])
    return Parsed(message_id, address, _valid(name).strip(), subject.strip(), body.strip(), references[:MAX_REFERENCES],
                  automatic, attachments)


class _TooManyParts(Exception):
    pass


def _counting_policy(max_parts: int) -> email.policy.EmailPolicy:
    """The default policy, with a message factory that refuses to make more than ``max_parts``
    messages (the parser makes one per part, as it reads)."""
    made = 0

    def factory(policy: email.policy.Policy) -> EmailMessage:
        nonlocal made
        made += 1
        if made > max_parts + 1:  # the mail itself, and its parts
            raise _TooManyParts
        return EmailMessage(policy=policy)

    return email.policy.default.clone(message_factory=factory)


def _valid(text: str) -> str:
    """``text`` with what is not valid Unicode (lone surrogates a body's charset decoded to) as U+FFFD,
    and without NUL characters (no text column of PostgreSQL can hold one)."""
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace").replace("\x00", "")


def automatic_reason(message: Message, sender: str, envelope_sender: str | None) -> str | None:
    """Why this mail was sent by a machine (RFC 3834 and the usual signs), or None."""
    auto = _header(message, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = _header(message, "Precedence").strip().lower()
    if precedence in ("bulk", "junk", "list"):
        return f"Precedence: {precedence}"
    if envelope_sender == "" or _header(message, "Return-Path").strip() == "<>":
        return "bounce (null sender)"
    if message.get_content_type() == "multipart/report":
        return "bounce (delivery report)"
    if sender.split("@")[0].lower() in BOUNCE_SENDERS:
        return f"bounce ({sender.split('@')[0]})"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if message.get(name) is not None:
            return name
    if message.get("List-Id") is not None:
        return "mailing list (List-Id)"
    if OUT_OF_OFFICE.match(_header(message, "Subject")):
        return "out-of-office reply"
    return None


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return "" if value is None else " ".join(str(value).split())


def _message_id(message: Message) -> str | None:
    found = MESSAGE_IDS.findall(_header(message, "Message-ID"))
    return found[0] if found else None


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = part.get_content()
    text = content if isinstance(content, str) else content.decode("utf-8", "replace")
    return _Text.of(text) if part.get_content_subtype() == "html" else text


def _attachments(message: EmailMessage) -> list[Part]:
    found = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        found.append(Part(part.get_filename() or "attachment", part.get_content_type(), data))
    return found


class _Text(HTMLParser):
    """The text of an HTML body (a mail with no plain-text part)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.skip += tag in ("script", "style")
        if tag in ("br", "p", "div", "tr", "li"):
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chunks.append(data)

    @classmethod
    def of(cls, html: str) -> str:
        parser = cls()
        parser.feed(html)
        return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.chunks))
