"""``touchline projections run|status|rebuild|verify``: operate the read models."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

import click
from flask.cli import with_appcontext

from projections.audit_rebuild import point_in_time, rebuild_into, same_database
from projections.parallel import rebuild_in_parallel
from projections.runner import Progress
from projections.verify import verify_projections
from web.commands.audit import INSTANT
from web.commands.audit_verify import start_checkpoints
from web.services import services


def _bar(label: str) -> tuple[Progress, Callable[[], None]]:
    """A click progress bar on stderr driven by (done, total) callbacks."""
    state: dict[str, Any] = {"bar": None, "shown": 0}

    def update(done: int, total: int) -> None:
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=max(total, 1), label=label, file=sys.stderr,
                                             show_pos=True, show_percent=True)
            state["bar"].__enter__()
        state["bar"].update(done - state["shown"])
        state["shown"] = done

    def close() -> None:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)

    return update, close


def _runner(names: tuple[str, ...]) -> Any:
    try:
        return services().projection_runner(list(names) or None)
    except KeyError as exc:
        raise click.BadParameter(str(exc.args[0]), param_hint="NAME") from None


@click.group("projections")
def projections_group() -> None:
    """Run, inspect, rebuild and verify the read models."""


@projections_group.command("run")
@click.option("--once", is_flag=True, help="Catch up and exit instead of following new events.")
@click.option("--poll-interval", default=0.2, show_default=True, type=click.FloatRange(0.01, 60),
              help="Seconds between polls when caught up.")
@with_appcontext
def run_command(once: bool, poll_interval: float) -> None:
    """Catch up from the event log, then follow new events live."""
    runner = _runner(())
    update, close = _bar("catching up")
    done = runner.catch_up(progress=update)
    close()
    click.echo(f"caught up: {done} events applied, position {runner.head()}", err=True)
    if once:
        return
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    click.echo(f"following new events (polling every {poll_interval}s); Ctrl-C stops", err=True)
    start_checkpoints(stop)  # signed audit checkpoints while following (web/commands/audit_verify.py)
    runner.run_forever(poll_interval=poll_interval, stop=stop)


@projections_group.command("status")
@with_appcontext
def status_command() -> None:
    """Each projection's version, position and lag (events and seconds)."""
    runner = _runner(())
    click.echo(f"{'projection':<14} {'version':>7} {'position':>10} {'head':>10} {'lag':>8} {'lag s':>9}")
    for s in runner.status(services().clock.now()):
        seconds = "-" if s.lag_seconds is None else f"{s.lag_seconds:.1f}"
        click.echo(f"{s.name:<14} {s.version:>7} {s.position:>10} {s.head:>10} {s.lag_events:>8} {seconds:>9}")


@projections_group.command("rebuild")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--workers", type=click.IntRange(1, 16), default=min(2, os.cpu_count() or 1), show_default=True,
              help="Processes to rebuild in (projection groups in parallel).")
@click.option("--as-of", "as_of", type=INSTANT, help="Business time: build from the events that occurred by then "
              "(needs --into).")
@click.option("--known-at", "known_at", type=INSTANT, help="Recorded time: build from the events recorded by then "
              "(needs --into).")
@click.option("--into", "into", default=None, help="Database URL to build into instead of the live read models.")
@with_appcontext
def rebuild_command(names: tuple[str, ...], workers: int, as_of: datetime | None = None,
                    known_at: datetime | None = None, into: str | None = None) -> None:
    """Drop the named projections (default: all) and replay the whole log into them."""
    runner = _runner(names)
    chosen = [p.name for p in runner.projections]
    if into or as_of or known_at:
        _rebuild_at(runner.projections, as_of, known_at, into)
        return
    update, close = _bar("rebuilding")
    try:
        if workers > 1 and len(chosen) > 1:
            done = rebuild_in_parallel(services().storage.url, chosen, workers=workers, progress=update)
        else:
            done = runner.rebuild(progress=update)
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        close()
    click.echo(f"rebuilt {', '.join(chosen)}: {done} events applied")


@projections_group.command("verify")
@click.argument("names", nargs=-1, metavar="[NAME]...")
@click.option("--scratch", "scratch_url", default=None, help="Database URL to rebuild into (default: a temporary SQLite file).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000), help="Differences to show at most.")
@with_appcontext
def verify_command(names: tuple[str, ...], scratch_url: str | None, limit: int) -> None:
    """Rebuild into a scratch database and diff with the live tables; exit 1 on any difference."""
    runner = _runner(names)
    if scratch_url:
        _refuse_live(scratch_url, "--scratch")
    bars: list[Callable[[], None]] = []

    def progress(name: str) -> Progress:
        update, close = _bar(f"verifying {name}")
        bars.append(close)
        return update

    reports = verify_projections(services().app, services().views, runner.projections,
                                 scratch_url=scratch_url, limit=limit, progress=progress)
    for close in bars:
        close()
    failed = False
    for report in reports:
        verdict = "identical" if not report.differences else f"{len(report.differences)} difference(s)"
        click.echo(f"{report.projection}: {verdict} at position {report.position} ({report.rows_compared} rows)")
        for difference in report.differences:
            failed = True
            click.echo(f"  {difference.describe()}")
    if failed:
        raise SystemExit(1)




def _refuse_live(url: str, option: str) -> None:
    """``url`` (built into from zero) must not name the live read models nor the event store,
    however it is spelled: a one-line error, before anything is written."""
    storage = services().storage
    try:
        if same_database(url, storage.views_url):
            raise click.ClickException(f"{option} names the live read-model database; give another one")
        if same_database(url, storage.url):
            raise click.ClickException(f"{option} names the live event store; give another database")
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=option) from None


def _rebuild_at(projections: list[Any], as_of: datetime | None, known_at: datetime | None, into: str | None) -> None:
    """``rebuild --as-of T | --known-at T --into URL``: the projections as they stood, in another database."""
    if as_of and known_at:
        raise click.UsageError("give --as-of or --known-at, not both")
    if not into:
        raise click.UsageError("--as-of and --known-at build into another database: give --into URL")
    _refuse_live(into, "--into")
    update, close = _bar("building")
    try:
        done = rebuild_into(services().app, projections, into, point_in_time(as_of, known_at), progress=update)
    except Exception as exc:  # a database that cannot be reached or written: a message, not a traceback
        if isinstance(exc, click.ClickException):
            raise
        raise click.ClickException(f"--into {into}: {exc}") from None
    finally:
        close()
    when = f"as of {as_of.isoformat()}" if as_of else f"as known at {known_at.isoformat()}" if known_at else "now"
    click.echo(f"built {', '.join(p.name for p in projections)} {when} into {into}: {done} log entries read")
