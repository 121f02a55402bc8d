"""``touchline scheduler [--once]``: the scheduler process (see ``scheduler.process``).

Without ``--once`` it runs until SIGTERM or Ctrl-C: active while it holds the scheduler lock,
standing by (and taking over when the active one dies) otherwise. ``--once`` is for cron,
operations and tests: take the lock (or fail if another scheduler is active), bring the read
models up to date, run every job once, and exit non-zero with a message on any failure.
"""

from __future__ import annotations

import logging
import signal
import threading

import click
from flask import current_app
from flask.cli import with_appcontext

from projections.runner import projections_position
from scheduler.context import SchedulerContext
from scheduler.leader import LeaderLock, leader_lock
from scheduler.notifiers import notifiers_from_config
from scheduler.process import SchedulerProcess, run_once
from scheduler.settings import SchedulerSettings
from web.services import Services, services
from web.settings import LOG_FORMAT


def scheduler_context(found: Services) -> SchedulerContext:
    """The scheduler's context from the app's services and configuration."""
    config = current_app.config
    try:
        settings = SchedulerSettings.from_config(config)
        notifiers = notifiers_from_config(config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    return SchedulerContext(found.app, found.views, found.clock, settings, notifiers)


def _say(message: str) -> None:
    click.echo(f"touchline scheduler: {message}", err=True)


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every job once and exit (non-zero on failure).")
@click.option("--standby-poll", default=2.0, show_default=True, type=click.FloatRange(0.1, 60),
              help="Seconds between a standby's attempts to take over.")
@with_appcontext
def scheduler_command(once: bool, standby_poll: float) -> None:
    """Send follow-ups, acknowledgements and SLA escalations, and deliver the outbox."""
    found = services()
    ctx = scheduler_context(found)
    lock = leader_lock(found.storage)
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # not a line per run of every job
    missing = sorted({"email", "sms", "messenger"} - set(ctx.notifiers))
    if missing:
        _say(f"no notifier for {', '.join(missing)} (TOUCHLINE_SMTP_URL, TOUCHLINE_*_WEBHOOK_URL): "
             "those messages wait in the outbox")
    if once:
        _run_once(found, ctx, lock)
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    if projections_position(found.views) is None:  # started with the projection runner: let it create them
        _say("waiting for the read models to be created")
        while projections_position(found.views) is None and not stop.wait(1.0):
            pass
    SchedulerProcess(ctx, lock, standby_poll=standby_poll, say=_say).run(stop)
    _say("stopped")


def _run_once(found: Services, ctx: SchedulerContext, lock: LeaderLock) -> None:
    if not lock.acquire():
        raise click.ClickException("another scheduler is active (it holds the scheduler lock); nothing was run")
    try:
        runner = found.projection_runner()
        runner.catch_up()
        results = run_once(ctx, before_delivery=runner.catch_up)
        runner.catch_up()
    except Exception as exc:  # any failure: a message and a non-zero exit, for cron and operators
        raise click.ClickException(f"scheduler run failed: {type(exc).__name__}: {exc}") from exc
    finally:
        lock.release()
    for name, result in results.items():
        click.echo(f"{name}: {result}")
        for error in getattr(result, "errors", []):
            click.echo(f"  refused: {error}", err=True)
