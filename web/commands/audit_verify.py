"""``touchline audit verify`` and ``touchline audit checkpoint``: tamper evidence.

The checkpoint key is ``TOUCHLINE_AUDIT_KEY``; when unset on SQLite, one is generated once
and kept in ``audit/secret_key`` beside the SQLite file (owner-readable only). PostgreSQL
has no such file place shared by every host: set the variable there.
"""

from __future__ import annotations

import logging
import threading

import click
from flask.cli import with_appcontext

from projections.chain_checkpoints import checkpoint_periodically, write_checkpoint
from projections.chain_verify import verify_chain
from web.admin.session import data_directory, stored_secret_key
from web.services import Services, services

log = logging.getLogger("touchline.audit")
NO_KEY = "TOUCHLINE_AUDIT_KEY is not set; on PostgreSQL the audit checkpoint key must come from configuration"


def audit_key(found: Services) -> bytes | None:
    """The checkpoint key: configured, else (SQLite only) generated into the data directory."""
    configured = found.config.get("AUDIT_KEY")
    if configured:
        return str(configured).encode()
    if found.storage.is_sqlite:
        return stored_secret_key(data_directory(found) / "audit").encode()
    return None


def start_checkpoints(stop: threading.Event) -> None:
    """Sign checkpoints in the background while ``touchline projections run`` follows the log."""
    found = services()
    key = audit_key(found)
    if key is None:
        log.warning("%s: no audit checkpoints are signed", NO_KEY)
        return
    checkpoint_periodically(found.app.recorder, key, found.clock.now, stop)


@click.command("verify")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000),
              help="Problems to list at most (the first ones by position).")
@with_appcontext
def verify_command(limit: int) -> None:
    """Re-hash every event, check both chains and every checkpoint; exit 1 if anything was altered."""
    found = services()
    key = audit_key(found)
    if key is None:
        raise click.ClickException(NO_KEY)
    def progress(name: str, done: int, total: int) -> None:
        click.echo(f"verifying {name}: {done:,} of {total:,}", err=True)

    report = verify_chain(found.app.recorder, key, limit=limit, progress=progress, now=found.clock.now())
    anchored = (f"{report.checkpoints} signed checkpoint(s), the last at position {report.last_checkpoint}"
                if report.checkpoints else "no signed checkpoint yet")
    click.echo(f"checked {report.events} events, {report.chained} chain entries, {anchored}")
    if report.ok:
        click.echo("OK: no event was edited, deleted, inserted or reordered")
        return
    problems = report.problems
    click.echo(f"TAMPERED: first bad event at {problems[0].describe()}")
    for problem in problems[1:]:
        click.echo(f"  also {problem.describe()}")
    if report.problem_count > len(problems):
        click.echo(f"  ... {report.problem_count - len(problems)} more problem(s)")
    raise SystemExit(1)


@click.command("checkpoint")
@with_appcontext
def checkpoint_command() -> None:
    """Sign a checkpoint of the chain's head now (``projections run`` does so every minute)."""
    found = services()
    key = audit_key(found)
    if key is None:
        raise click.ClickException(NO_KEY)
    made = write_checkpoint(found.app.recorder, key, found.clock.now())
    click.echo(f"checkpoint signed at position {made.position}" if made else "nothing new to sign")
