"""``touchline demo``: write a realistic, deterministic service history for demos."""

from __future__ import annotations

import sys
import time

import click
from eventsourcing.persistence import PersistenceError
from flask.cli import with_appcontext

from domain.errors import DomainError
from web.commands.users import ensure_demo_users
from web.demo import write_demo
from web.demo.history import BATCH_SIZE
from web.services import services


@click.command("demo")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Same seed and clock, same history; re-running it stores nothing new.")
@click.option("--touchpoints", type=click.IntRange(min=1), default=3000, show_default=True,
              help="How many touchpoints to write; cases and promises scale with it.")
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_SIZE, show_default=True,
              help="Records saved per transaction (a case with all its events counts once).")
@with_appcontext
def demo_command(seed: int, touchpoints: int, batch_size: int) -> None:
    """Write months of service history (contacts on every channel, cases, promises)
    on top of the imported accounts, ending at the clock's now."""
    found = services()
    started = time.perf_counter()
    try:
        with click.progressbar(length=touchpoints, label="Writing demo history", file=sys.stderr) as bar:
            summary = write_demo(found.app, now=found.clock.now(), seed=seed, touchpoints=touchpoints,
                                 batch_size=batch_size, progress=bar.update)
    except (DomainError, PersistenceError) as exc:
        raise click.ClickException(
            f"demo stopped: {exc}. The batches saved so far stay; run the same command again to resume."
        ) from exc
    seconds = time.perf_counter() - started
    note = "" if summary.events else " (this demo is stored already: nothing new)"
    click.echo(
        f"demo seed {seed}: {summary.customers} customers ({summary.registered} new), "
        f"{summary.touchpoints} touchpoints, {summary.cases} cases, {summary.promises} promises; "
        f"{summary.events} events stored in {seconds:.1f} s{note}"
    )
    # After the history: the demo's own replay never sees these users (it reads what came before it).
    click.echo(ensure_demo_users())
