"""``touchline audit show|export|import``: auditors' history, state as of, and NDJSON export.

``show`` and ``export`` are audit reads: each leaves an ``AuditRead`` event (who: the
operating-system user at the CLI, what, which query). Bad input exits non-zero with a message.
"""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import with_appcontext

from domain.audit.commands import record_audit_read
from domain.errors import InvalidValueError
from projections.audit import AsOf, events_page, plain, resolve, state_as_of
from projections.audit_export import ExportFileError, export_events, import_events, write_manifest
from projections.chain_checkpoints import write_checkpoint
from projections.private_files import open_private
from web.commands.audit_verify import audit_key, checkpoint_command, verify_command
from web.services import services

ACTOR = "system:cli"


class InstantType(click.ParamType):
    """An ISO 8601 date and time with a timezone (naive times are refused, as everywhere)."""

    name = "ISO-8601-TIME"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            found = datetime.fromisoformat(str(value))
        except ValueError:
            self.fail(f"{value!r} is not a date and time (e.g. 2017-06-30T23:59:59+00:00)", param, ctx)
        if found.tzinfo is None or found.utcoffset() is None:
            self.fail(f"{value!r} needs a timezone (e.g. +00:00)", param, ctx)
        return found


INSTANT = InstantType()


def _record(subject: str, query: dict[str, str]) -> None:
    svc = services()
    record_audit_read(svc.app, channel="cli", subject=subject, query={**query, "os_user": getpass.getuser()},
                      occurred_at=svc.clock.now(), actor=ACTOR)


def _when(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else "-"


@click.group("audit")
def audit_group() -> None:
    """Auditors: any record's history and state as of a time; export and import the event log;
    verify that nothing was altered."""


audit_group.add_command(verify_command)  # tamper evidence: web/commands/audit_verify.py
audit_group.add_command(checkpoint_command)


@audit_group.command("show")
@click.argument("record")
@click.option("--version", type=click.IntRange(min=1), help="The state after this version.")
@click.option("--as-of", "as_of", type=INSTANT, help="Business time: events that occurred by then.")
@click.option("--known-at", "known_at", type=INSTANT, help="Recorded time: what was known then.")
@with_appcontext
def show_command(record: str, version: int | None, as_of: datetime | None, known_at: datetime | None) -> None:
    """Print RECORD's events and its state (RECORD: a UUID or a case tracking code)."""
    svc = services()
    key = resolve(svc.app, svc.views, record)
    if key is None:
        raise click.ClickException(f"{record[:60]!r} is neither a record id nor a known case code")
    try:
        asked = AsOf.checked(version, as_of, known_at)
        state = state_as_of(svc.app, key, asked)
    except InvalidValueError as exc:
        raise click.UsageError(f"--{exc.field.replace('_', '-')}: {exc.message}") from None
    if state is None:
        raise click.ClickException(f"no record {key}")
    _record(str(key), asked.query())
    click.echo(f"{state.kind} {key}: {state.head} event(s)")
    click.echo(f"{'version':>7}  {'position':>8}  {'occurred (business)':<32}  {'recorded':<32}  {'who':<28}  type")
    after = 0
    while True:
        events, more = events_page(svc.app, key, after_version=after, limit=500)
        for e in events:
            click.echo(f"{e['aggregate_version']:>7}  {e['position'] or '-':>8}  {_when(e['occurred_at']):<32}  "
                       f"{_when(e['recorded_at']):<32}  {e['actor'] or '-':<28}  {e['type']}")
        if not more:
            break
        after = events[-1]["aggregate_version"]
    asked_text = ", ".join(f"{k}={v}" for k, v in asked.query().items()) or "now"
    if state.aggregate is None:
        click.echo(f"\nState ({asked_text}): it did not exist yet")
        return
    click.echo(f"\nState ({asked_text}): version {state.version} of {state.head}, "
               f"{state.events_applied} event(s) applied")
    click.echo(json.dumps(plain(state.fields), indent=1, ensure_ascii=False, sort_keys=True))


@audit_group.command("export")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The NDJSON file to write; the manifest goes beside it (<file>.manifest.json).")
@click.option("--since", type=INSTANT, help="Only events recorded at or after this time.")
@click.option("--until", type=INSTANT, help="Only events recorded at or before this time.")
@with_appcontext
def export_command(out: Path, since: datetime | None, until: datetime | None) -> None:
    """Write the event log (one event per line) and a manifest (count, positions, SHA-256)."""
    if since and until and since > until:
        raise click.UsageError("--since is after --until")
    svc = services()
    head = svc.app.recorder.max_notification_id() or 0
    try:
        with open_private(out, "wb") as stream:
            manifest = export_events(svc.app, stream, since=since, until=until,
                                     progress=lambda n: click.echo(f"exported {n} events (log head {head})",
                                                                   err=True))
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror}") from None
    key = audit_key(svc)
    if key is not None:
        manifest = manifest.signed(key)
    write_manifest(out, manifest)
    _record("export", {"since": _when(since), "until": _when(until), "count": str(manifest.count)})
    click.echo(f"exported {manifest.count} events (positions {manifest.first_position}..{manifest.last_position}) "
               f"to {out}; sha256 {manifest.sha256}; " +
               (f"manifest signed with the audit key (id {manifest.key_id})" if manifest.signature else
                "manifest NOT signed (no audit key)"))


@audit_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--allow-unverified", is_flag=True,
              help="Import a file whose manifest this store's audit key cannot check (unsigned, signed with another "
                   "key, or no key here), on its SHA-256 alone.")
@with_appcontext
def import_command(file: Path, allow_unverified: bool) -> None:
    """Load an export into an EMPTY event store (checked whole before anything is written)."""
    svc = services()
    key = audit_key(svc)
    try:
        manifest = import_events(svc.app, file, progress=lambda n: click.echo(f"imported {n} events", err=True),
                                 key=key, allow_unverified=allow_unverified)
    except ExportFileError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    unchecked = manifest.check_signature(key)
    click.echo(f"imported {manifest.count} events from {file}; " + (
        f"the manifest's signature holds (audit key id {manifest.key_id})" if unchecked is None else
        f"{unchecked}: the file's integrity rests on its SHA-256 alone"))
    # What was imported is signed at once: its events keep their recorded times, and a store whose
    # old events no checkpoint covers fails verification (checkpoints deleted, as far as it can tell).
    made = write_checkpoint(svc.app.recorder, key, svc.clock.now()) if key is not None and manifest.count else None
    if made:
        click.echo(f"checkpoint signed at position {made.position}")
