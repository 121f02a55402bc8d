"""Streaming export of the event log to NDJSON, and import of such a file into an empty store.

One event per line: position, aggregate id, version, topic, recorded time and ``state``,
the application transcoder's own JSON (type markers included), so re-encoding it gives the
stored bytes back exactly. Secret fields (a password hash) are blanked and named in
``redacted``. A manifest beside the file (``<file>.manifest.json``) holds the count, the
first and last position and the file's SHA-256, signed with the audit key (HMAC-SHA256) when
there is one, so a changed file cannot pass with a recomputed digest. Both directions read in
batches: memory does not grow with the log. Import checks the whole file (signature, digest,
every line, every record from its first version; a ``--since`` export is refused) before writing
anything, and refuses a store that already holds events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import TopicError, resolve_topic

from domain.users.model import secret_fields
from projections.audit_personal import (
    insert_all,
    is_sealed_topic,
    learn_erasures,
    opened_state,
    sealed_event,
)
from projections.chain_checkpoints import key_id
from projections.private_files import open_private

FORMAT = "touchline-audit-export/1"
BATCH = 1000
LINE_KEYS = ("position", "id", "version", "topic", "recorded_at", "state")
Counter = Callable[[int], None]


class ExportFileError(ValueError):
    """The file cannot be imported; the message names the line or the manifest field."""


@dataclass
class Manifest:
    format: str
    count: int
    first_position: int | None
    last_position: int | None
    sha256: str
    since: str | None = None
    until: str | None = None
    key_id: str | None = None  # the audit key that signed it (its id, not secret)
    signature: str | None = None  # HMAC-SHA256 of the other fields, hex

    def _signed_bytes(self) -> bytes:
        fields = {k: v for k, v in asdict(self).items() if k != "signature"}
        return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()

    def signed(self, key: bytes) -> Manifest:
        unsigned = Manifest(**{**asdict(self), "key_id": key_id(key), "signature": None})
        return Manifest(**{**asdict(unsigned),
                           "signature": hmac.new(key, unsigned._signed_bytes(), hashlib.sha256).hexdigest()})

    def check_signature(self, key: bytes | None) -> str | None:
        """None when signed by ``key``; else why it could not be checked (unsigned, no key, another
        key). Raises ``ExportFileError`` when ``key`` signed it and the signature does not hold."""
        if self.signature is None:
            return "the manifest is not signed (the export had no audit key)"
        if key is None:
            return "there is no audit key here to check the manifest's signature with"
        if self.key_id != key_id(key):
            return (f"the manifest was signed with another audit key (id {self.key_id}; this store's is "
                    f"{key_id(key)}): set TOUCHLINE_AUDIT_KEY to the key it was made with to check it")
        expected = hmac.new(key, self._signed_bytes(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, str(self.signature)):
            raise ExportFileError("the manifest's signature does not hold: the manifest (and so the file it "
                                  "describes) was changed after the export")
        return None


def manifest_path(path: Path) -> Path:
    return path.with_name(path.name + ".manifest.json")


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)  # the JSONTranscoder's own settings


@cache
def _secrets(topic: str) -> frozenset[str]:
    try:
        return secret_fields(resolve_topic(topic))
    except TopicError:
        return frozenset()


def _plain_state(app: Any, state: bytes) -> bytes:
    mapper = app.mapper
    if mapper.cipher:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor:
        state = mapper.compressor.decompress(state)
    return bytes(state)


def _stored_state(app: Any, state: bytes) -> bytes:
    mapper = app.mapper
    if mapper.compressor:
        state = mapper.compressor.compress(state)
    if mapper.cipher:
        state = mapper.cipher.encrypt(state)
    return state


def _recorded_at(state: dict[str, Any]) -> str:
    stamp = state.get("timestamp")
    return str(stamp.get("_data_")) if isinstance(stamp, dict) else str(stamp)


def export_events(app: Any, out: BinaryIO, *, since: datetime | None = None, until: datetime | None = None,
                  progress: Counter | None = None) -> Manifest:
    """Write the events recorded in [since, until] to ``out``, one per line; return the manifest."""
    learn_erasures(app)  # an erasure made by another process shows here too
    digest, count, first, last = hashlib.sha256(), 0, None, None
    start, head = 0, app.recorder.max_notification_id() or 0
    while start < head:
        batch = app.recorder.select_notifications(start=start, limit=BATCH, stop=head, inclusive_of_start=False)
        if not batch:
            break
        for n in batch:
            state = json.loads(opened_state(app, n) if is_sealed_topic(app, n.topic) else _plain_state(app, n.state))
            recorded = _recorded_at(state)
            when = datetime.fromisoformat(recorded)
            if (since is not None and when < since) or (until is not None and when > until):
                continue
            line: dict[str, Any] = {"position": n.id, "id": str(n.originator_id), "version": n.originator_version,
                                    "topic": n.topic, "recorded_at": recorded, "state": state}
            hidden = sorted(k for k in _secrets(n.topic) if k in state)
            if hidden:
                state.update(dict.fromkeys(hidden, ""))
                line["redacted"] = hidden
            data = (_dumps(line) + "\n").encode()
            out.write(data)
            digest.update(data)
            count, first, last = count + 1, first if first is not None else n.id, n.id
        start = batch[-1].id
        if progress:
            progress(count)
    return Manifest(FORMAT, count, first, last, digest.hexdigest(),
                    since.isoformat() if since else None, until.isoformat() if until else None)


def write_manifest(path: Path, manifest: Manifest) -> None:
    with open_private(manifest_path(path)) as out:  # beside the export, as private as it
        out.write(json.dumps(asdict(manifest), indent=1) + "\n")


def read_manifest(path: Path) -> Manifest:
    where = manifest_path(path)
    try:
        raw = json.loads(where.read_text())
        manifest = Manifest(**raw)
    except FileNotFoundError:
        raise ExportFileError(f"the manifest {where} is missing") from None
    except (ValueError, TypeError) as exc:
        raise ExportFileError(f"the manifest {where} is not valid: {exc}") from None
    if manifest.format != FORMAT:
        raise ExportFileError(f"manifest format {manifest.format!r}: expected {FORMAT!r}")
    return manifest


def _parse(number: int, raw: bytes) -> dict[str, Any]:
    if not raw.endswith(b"\n"):
        raise ExportFileError(f"line {number}: truncated (no end of line)")
    try:
        line = json.loads(raw)
    except ValueError as exc:
        raise ExportFileError(f"line {number}: not JSON ({exc})") from None
    if not isinstance(line, dict) or any(k not in line for k in LINE_KEYS):
        raise ExportFileError(f"line {number}: needs the keys {', '.join(LINE_KEYS)}")
    try:
        UUID(line["id"])
        valid = isinstance(line["version"], int) and isinstance(line["position"], int) and isinstance(
            line["state"], dict) and isinstance(line["topic"], str)
    except (ValueError, TypeError, AttributeError):
        valid = False
    if not valid:
        raise ExportFileError(f"line {number}: a field has the wrong type (id, version, position, topic, state)")
    return line


def _lines(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            yield number, _parse(number, raw)


def check_file(path: Path, progress: Counter | None = None, key: bytes | None = None,
               allow_unverified: bool = False) -> Manifest:
    """Signature, digest, every line, and the manifest's count and positions; raises ``ExportFileError``.
    A manifest ``key`` cannot check (unsigned, another key, no key here) passes only with
    ``allow_unverified``: a stripped signature must not pass for an export made without one."""
    manifest = read_manifest(path)
    unchecked = manifest.check_signature(key)
    if unchecked and not allow_unverified:
        raise ExportFileError(f"{unchecked}; refused: with --allow-unverified it is taken on its SHA-256 alone")
    if manifest.since is not None:
        raise ExportFileError(f"a partial export (made with --since {manifest.since}) cannot make a store: "
                              "export the whole log")
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != manifest.sha256:
        raise ExportFileError(f"the file's SHA-256 {digest.hexdigest()} differs from the manifest's "
                              f"{manifest.sha256}: it was changed or cut short")
    count, first, last = 0, None, None
    started: set[str] = set()  # records seen from their first version
    for number, line in _lines(path):
        if last is not None and line["position"] <= last:
            raise ExportFileError(f"line {number}: position {line['position']} does not follow {last}")
        if line["version"] == 1:
            started.add(line["id"])
        elif line["id"] not in started:
            raise ExportFileError(f"line {number}: record {line['id']} version {line['version']} without its earlier "
                                  "versions: a partial export (made with --since) cannot make a store; export "
                                  "the whole log")
        count, first, last = count + 1, first if first is not None else line["position"], line["position"]
        if progress and count % BATCH == 0:
            progress(count)
    if (count, first, last) != (manifest.count, manifest.first_position, manifest.last_position):
        raise ExportFileError(f"the file holds {count} events ({first}..{last}); the manifest says "
                              f"{manifest.count} ({manifest.first_position}..{manifest.last_position})")
    return manifest


def import_events(app: Any, path: Path, progress: Counter | None = None, key: bytes | None = None,
                  allow_unverified: bool = False) -> Manifest:
    """Check the whole file (the manifest signed with ``key``, unless ``allow_unverified``), then
    write its events into an empty store in one transaction (a failure part-way leaves the store
    empty); personal fields are sealed with new keys."""
    if app.recorder.max_notification_id():
        raise ExportFileError("the event store is not empty: import only into a new, empty database")
    manifest = check_file(path, key=key, allow_unverified=allow_unverified)
    insert_all(app, _batches(app, path, progress))
    return manifest


def _batches(app: Any, path: Path, progress: Counter | None) -> Iterator[list[StoredEvent]]:
    batch: list[StoredEvent] = []
    done = 0
    for _, line in _lines(path):
        plain = _dumps(line["state"]).encode()
        if is_sealed_topic(app, line["topic"]):
            batch.append(sealed_event(app, UUID(line["id"]), line["version"], line["topic"], plain))
        else:
            batch.append(StoredEvent(originator_id=UUID(line["id"]), originator_version=line["version"],
                                     topic=line["topic"], state=_stored_state(app, plain)))
        if len(batch) == BATCH:
            yield batch
            done += len(batch)
            batch = []
            if progress:
                progress(done)
    if batch:
        yield batch
