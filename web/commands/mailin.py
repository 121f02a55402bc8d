"""``touchline mail-in``: email in (see ``scheduler.mailin``).

Without a subcommand: the SMTP listener on ``TOUCHLINE_MAIL_IN_HOST``/``PORT`` and, when
``TOUCHLINE_IMAP_URL`` is set, the IMAP poller every ``TOUCHLINE_IMAP_POLL_SECONDS``, until
SIGTERM or Ctrl-C (``--once``: one IMAP poll, no listener, for cron and tests).
``mail-in quarantine`` lists the mail kept aside; ``mail-in reprocess ID`` tries one again.
"""

from __future__ import annotations

import imaplib
import logging
import signal
import threading
from uuid import UUID

import click
from flask import current_app
from flask.cli import with_appcontext

from domain.errors import DomainError
from projections.runner import projections_position
from scheduler.mailin.imap import ImapAccount, ImapPoller
from scheduler.mailin.inbound import MailIn, MailInSettings, quarantined
from scheduler.mailin.smtp import smtp_listener
from scheduler.mailin.store import MailStore
from web.services import services
from web.settings import LOG_FORMAT


def mail_in(*, catch_up: bool = False) -> MailIn:
    """The core, with read models to find customers in: created now if no projection runner
    has (a first start), brought up to date when ``catch_up`` (one-off commands)."""
    try:
        settings = MailInSettings.from_config(current_app.config)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    found = services()
    if catch_up or projections_position(found.views) is None:
        runner = found.projection_runner()
        try:
            runner.catch_up()
        finally:
            runner.close()
    return MailIn(found.app, found.views, found.clock, MailStore(settings.directory), settings)


def _poller(found: MailIn) -> ImapPoller | None:
    url = str(current_app.config.get("IMAP_URL") or "").strip()
    if not url:
        return None
    try:
        account = ImapAccount.from_url(url)
    except ValueError as exc:
        raise click.ClickException(f"TOUCHLINE_IMAP_URL: {exc}") from None
    return ImapPoller(found, account, move_to=str(current_app.config.get("IMAP_MOVE_TO") or ""))


def _say(message: str) -> None:
    click.echo(f"touchline mail-in: {message}", err=True)


@click.group("mail-in", invoke_without_command=True)
@click.option("--host", help="Address the SMTP listener binds (default TOUCHLINE_MAIL_IN_HOST).")
@click.option("--port", type=click.IntRange(1, 65535), help="Its port (default TOUCHLINE_MAIL_IN_PORT).")
@click.option("--once", is_flag=True, help="Poll the IMAP mailbox once and exit; no SMTP listener.")
@click.option("--wait-for-read-models", is_flag=True, hidden=True,
              help="Started beside a projection runner (touchline serve): let it create the read models.")
@click.pass_context
@with_appcontext
def mail_in_group(ctx: click.Context, host: str | None, port: int | None, once: bool,
                  wait_for_read_models: bool) -> None:
    """Receive email: an SMTP listener and an IMAP poller turn mail into touchpoints and cases."""
    if ctx.invoked_subcommand is not None:
        return
    stop = threading.Event()
    if not once:  # a listener runs until told to stop; a single poll is left to Ctrl-C as usual
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
    if wait_for_read_models and not once and projections_position(services().views) is None:
        _say("waiting for the read models to be created")  # by the runner beside us, not a second catch-up
        while projections_position(services().views) is None and not stop.wait(0.5):
            pass
        if stop.is_set():
            _say("stopped")
            return
    found = mail_in(catch_up=once)
    poller = _poller(found)
    if once:
        if poller is None:
            raise click.ClickException("TOUCHLINE_IMAP_URL is not set: nothing to poll")
        said = _poll(poller)
        click.echo(f"IMAP: {said}")
        if "failed:" in said:
            raise click.ClickException(said)
        return
    config = current_app.config  # numbers checked at start-up (web.settings)
    port = port or int(config["MAIL_IN_PORT"])
    every = float(config["IMAP_POLL_SECONDS"])
    if not logging.getLogger().handlers:  # each mail's outcome, one line each
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    with smtp_listener(found, host or str(config["MAIL_IN_HOST"]), port):
        _say(f"SMTP listening on {host or config['MAIL_IN_HOST']}:{port}")
        if poller is None:
            _say("TOUCHLINE_IMAP_URL is not set: no IMAP polling")
        while not stop.is_set():
            if poller is not None:
                _say(f"IMAP: {_poll(poller)}")
            stop.wait(every)
    _say("stopped")


def _poll(poller: ImapPoller) -> str:
    """One poll, its outcome in words; a server that is down or refuses us is said, not raised
    (the loop polls again later)."""
    try:
        return str(poller.poll())
    except (OSError, imaplib.IMAP4.error) as exc:
        return f"IMAP server {poller.account.host}:{poller.account.port} failed: {exc}"


@mail_in_group.command("quarantine")
@with_appcontext
def quarantine_command() -> None:
    """List the mail kept aside: id, when, sender, subject, reason."""
    found = quarantined(services().app)
    for record in found:
        click.echo(f"{record.id}  {record.last_occurred_at:%Y-%m-%d %H:%M}  {record.sender or '-'}  "
                   f"{record.subject[:60]!r}  {record.reason}")
    click.echo(f"{len(found)} quarantined mail(s)", err=True)


@mail_in_group.command("reprocess")
@click.argument("record_id")
@click.option("--as-person", is_flag=True, help="Treat it as a person's mail even if its headers say automatic.")
@with_appcontext
def reprocess_command(record_id: str, as_person: bool) -> None:
    """Process a quarantined mail again (its id from `mail-in quarantine`)."""
    try:
        wanted = UUID(record_id.strip())
    except ValueError:
        raise click.ClickException(f"{record_id!r} is not a mail id (a UUID from `mail-in quarantine`)") from None
    try:
        outcome = mail_in(catch_up=True).reprocess(wanted, as_person=as_person)
    except (DomainError, FileNotFoundError) as exc:
        raise click.ClickException(str(exc)) from None
    if outcome == "quarantined":
        raise click.ClickException("it still cannot be recorded; it stays in quarantine")
    click.echo(outcome)
