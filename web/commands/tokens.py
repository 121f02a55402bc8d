"""``touchline tokens create|list|revoke``: API tokens for integrators.

``create`` prints the secret once, as the last word of its output (scripts can take it
with ``| tail -n1``); only its hash is stored, so a lost token is revoked and replaced.
"""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from domain.errors import DomainError
from projections.api_state import token_last_uses
from web.services import services

ACTOR = "system:cli"


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "-"  # type: ignore[attr-defined]


@click.group("tokens")
def tokens_group() -> None:
    """Create, list and revoke API tokens."""


@tokens_group.command("create")
@click.option("--name", required=True, help="A unique name, e.g. the integrating system: website, telephony.")
@click.option("--scopes", required=True, help="Comma-separated: read, write, read:<area>, write:<area>.")
@with_appcontext
def create_command(name: str, scopes: str) -> None:
    """Create a token and print it (once)."""
    svc = services()
    try:
        issued = svc.app.issue_api_token(name=name, scopes=[s for s in scopes.split(",") if s.strip()],
                                         occurred_at=svc.clock.now(), actor=ACTOR)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    token = svc.app.get_api_token(issued.receipt.id)
    click.echo(f"Created API token {token.name} ({token.id}) with scopes {', '.join(token.scopes)}.")
    click.echo("Store it now: it is not shown again.")
    click.echo(issued.token)


@tokens_group.command("list")
@with_appcontext
def list_command() -> None:
    """Every token: name, id, scopes, created, last used, revoked."""
    svc = services()
    tokens = svc.app.list_api_tokens()
    try:
        with svc.views.connect() as conn:
            last_uses = token_last_uses(conn)
    except sa.exc.DBAPIError:  # no request has been served yet
        last_uses = {}
    if not tokens:
        click.echo("No API tokens; create one with: touchline tokens create --name NAME --scopes read")
        return
    click.echo(f"{'NAME':<24} {'ID':<36} {'SCOPES':<28} {'CREATED':<20} {'LAST USED':<20} REVOKED")
    for t in tokens:
        click.echo(f"{t.name:<24} {str(t.id):<36} {','.join(t.scopes):<28} {_when(t.created_at):<20} "
                   f"{_when(last_uses.get(str(t.id))):<20} {_when(t.revoked_at)}")


@tokens_group.command("revoke")
@click.argument("token")
@click.option("--reason", default="", help="Why (kept in the token's history).")
@with_appcontext
def revoke_command(token: str, reason: str) -> None:
    """Revoke TOKEN (its name or id): requests with it fail from now on."""
    svc = services()
    try:
        found = svc.app.find_api_token(token)
        svc.app.revoke_api_token(found.id, reason=reason, occurred_at=svc.clock.now(), actor=ACTOR)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked API token {found.name} ({found.id}).")
