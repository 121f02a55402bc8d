"""``touchline webhooks create|list|pause|resume|replay|rotate-secret|delete``: signed webhooks.

``create`` and ``rotate-secret`` print the signing secret once, as the last line of their
output (``| tail -n1``). ``replay ID --from POSITION`` delivers every matching event from that
log position on again (the scheduler applies it on its next run, with new delivery ids).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext

from domain.errors import DomainError
from domain.webhooks.model import webhook_id
from projections.views.webhooks import webhook_subscriptions
from projections.webhook_state import cursors
from scheduler.settings import webhook_url_rules
from web.services import services

ACTOR = "system:cli"


def _run(call: Callable[[Any, dict[str, Any]], Any]) -> Any:
    svc = services()
    try:
        return call(svc.app, {"occurred_at": svc.clock.now(), "actor": ACTOR})
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


@click.group("webhooks")
def webhooks_group() -> None:
    """Subscribe URLs to events; pause, resume, replay, rotate secrets."""


@webhooks_group.command("create")
@click.option("--url", required=True, help="https://... (loopback and private receivers only with "
                                            "TOUCHLINE_WEBHOOK_ALLOW_PRIVATE=1).")
@click.option("--types", "event_types", required=True, help="Comma-separated: Case.Opened, Case.*, or *.")
@with_appcontext
def create_command(url: str, event_types: str) -> None:
    """Subscribe URL to event types and print its signing secret (once)."""
    issued = _run(lambda app, common: app.create_webhook(
        url=url, event_types=event_types, **webhook_url_rules(current_app.config), **common))
    found = services().app.get_webhook(issued.receipt.id)
    click.echo(f"Created webhook {found.id} to {found.url} for {', '.join(found.event_types)}.")
    click.echo("Store its signing secret now: it is not shown again.")
    click.echo(issued.secret)


@webhooks_group.command("list")
@with_appcontext
def list_command() -> None:
    """Every webhook: id, status, position delivered up to, URL, types, last error."""
    svc = services()
    try:
        with svc.views.connect() as conn:
            rows = conn.execute(sa.select(webhook_subscriptions).order_by(webhook_subscriptions.c.created_at)).all()
            progress = cursors(conn)
    except sa.exc.DBAPIError:  # the projection runner or the scheduler has not created the tables yet
        rows, progress = [], {}
    if not rows:
        click.echo("No webhooks (or the projections have not run yet); create one with: "
                   "touchline webhooks create --url URL --types Case.*")
        return
    click.echo(f"{'ID':<36} {'STATUS':<8} {'POSITION':>9} URL / TYPES / LAST ERROR")
    for r in rows:
        cursor = progress.get(r.id, {})
        error = r.pause_reason or cursor.get("last_error") or ""
        click.echo(f"{r.id:<36} {r.status:<8} {cursor.get('position', r.start_position):>9} {r.url} "
                   f"[{r.event_types}]{' ' + error if error else ''}")


@webhooks_group.command("replay")
@click.argument("webhook")
@click.option("--from", "from_position", required=True, type=int, help="The first log position to deliver again.")
@with_appcontext
def replay_command(webhook: str, from_position: int) -> None:
    """Deliver WEBHOOK's matching events again from a log position on."""
    _run(lambda app, common: app.replay_webhook(webhook_id(webhook), from_position=from_position, **common))
    click.echo(f"Webhook {webhook}: events from position {from_position} on are delivered again on the "
               "scheduler's next run.")


@webhooks_group.command("pause")
@click.argument("webhook")
@click.option("--reason", default="", help="Why (shown in the panel).")
@with_appcontext
def pause_command(webhook: str, reason: str) -> None:
    """Stop delivering to WEBHOOK until it is resumed (nothing is skipped)."""
    _run(lambda app, common: app.pause_webhook(webhook_id(webhook), reason=reason, **common))
    click.echo(f"Paused webhook {webhook}.")


@webhooks_group.command("resume")
@click.argument("webhook")
@with_appcontext
def resume_command(webhook: str) -> None:
    """Deliver to WEBHOOK again, from the event it stopped at."""
    _run(lambda app, common: app.resume_webhook(webhook_id(webhook), **common))
    click.echo(f"Resumed webhook {webhook}.")


@webhooks_group.command("rotate-secret")
@click.argument("webhook")
@click.option("--previous-valid-hours", type=click.IntRange(0, 168), default=24, show_default=True,
              help="Hours the old secret still signs beside the new one; 0 when it leaked.")
@with_appcontext
def rotate_command(webhook: str, previous_valid_hours: int) -> None:
    """Give WEBHOOK a new signing secret and print it (once); the old one signs beside it for a while."""
    issued = _run(lambda app, common: app.rotate_webhook_secret(
        webhook_id(webhook), previous_valid_for=timedelta(hours=previous_valid_hours), **common))
    click.echo(f"Webhook {webhook}: new signing secret (not shown again):")
    click.echo(issued.secret)


@webhooks_group.command("delete")
@click.argument("webhook")
@with_appcontext
def delete_command(webhook: str) -> None:
    """Stop WEBHOOK for good."""
    _run(lambda app, common: app.delete_webhook(webhook_id(webhook), **common))
    click.echo(f"Deleted webhook {webhook}.")
