"""``touchline customers erase ID --reason R``: GDPR erasure that keeps the audit trail.

Records ``Customer.Erased`` (on the customer and on any duplicate merged into it) and destroys
their data keys in the same transaction (``projections.crypto``): every personal field about
them then reads as ``[erased]``, in events, history, exports and read models, while figures,
the hash chain and the history of who did what stay intact. ID is a customer id or the email
address the customers list shows. Unknown customers and a second erasure exit non-zero.
"""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from uuid import UUID

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from domain.audit.commands import record_audit_read
from domain.customers.model import Customer, CustomerErasedError
from domain.errors import DomainError, NotFoundError
from projections.audit import plain
from projections.customer_export import RECORDS, customer_export
from projections.private_files import open_private
from projections.views.customer360 import customers
from web.services import services

ACTOR = "system:cli"


def find_customer(raw: str) -> UUID:
    """A customer id, or the one customer with that email address; ClickException otherwise."""
    wanted = raw.strip()
    try:
        return UUID(wanted)
    except ValueError:
        pass
    if "@" not in wanted:
        raise click.ClickException(f"{raw!r} is neither a customer id (UUID) nor an email address")
    query = sa.select(customers.c.id).where(sa.func.lower(customers.c.email) == wanted.lower())
    try:
        with services().views.connect() as conn:
            found = [str(r[0]) for r in conn.execute(query)]
    except sa.exc.DBAPIError:
        found = []  # read models not built yet
    if not found:
        raise click.ClickException(f"no customer with the email address {wanted!r} "
                                   "(the read models may lag: give the customer id instead)")
    if len(found) > 1:
        raise click.ClickException(f"{len(found)} customers have the email address {wanted!r}: "
                                   f"give one id ({', '.join(found)})")
    return UUID(found[0])


@click.group("customers")
def customers_group() -> None:
    """Customers: a person's data export and erasure (GDPR)."""


@customers_group.command("erase")
@click.argument("customer")
@click.option("--reason", required=True, help="Why (e.g. the request's reference); recorded, not personal.")
@with_appcontext
def erase_command(customer: str, reason: str) -> None:
    """Erase CUSTOMER's personal data (id or email) for good; the trail of events stays."""
    svc = services()
    customer_id = find_customer(customer)
    try:
        receipt = svc.app.erase_customer(customer_id, reason=reason, occurred_at=svc.clock.now(),
                                         actor=f"{ACTOR}:{getpass.getuser()}")
    except CustomerErasedError:  # every record of the person
        raise click.ClickException(f"customer {customer_id} was erased already") from None
    except NotFoundError:
        raise click.ClickException(f"no customer {customer_id}") from None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    merged = f"{customer_id} was merged into {receipt.id}: " if receipt.id != customer_id else ""
    survivor: Customer = svc.app.get_customer(receipt.id)
    others = f" and the {len(survivor.absorbed)} record(s) merged into it" if survivor.absorbed else ""
    click.echo(f"{merged}erased customer {receipt.id}{others} (log position {receipt.position})")


@customers_group.command("export")
@click.argument("customer")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The JSON file to write (owner-only: it holds the person's data).")
@with_appcontext
def export_command(customer: str, out: Path) -> None:
    """Write everything about CUSTOMER (id or email) to a JSON file: the person's right of access
    and portability. Their merged records too; each record with its whole history."""
    svc = services()
    customer_id = find_customer(customer)
    try:
        survivor = svc.app.survivor(customer_id)
    except NotFoundError:
        raise click.ClickException(f"no customer {customer_id}") from None
    found = customer_export(svc.app, svc.views, survivor, now=svc.clock.now())
    record_audit_read(svc.app, channel="cli", subject=str(survivor), query={"export": "customer", "file": str(out),
                      "os_user": getpass.getuser()}, occurred_at=svc.clock.now(), actor=ACTOR)
    with open_private(out, "w", encoding="utf-8") as stream:
        json.dump(plain(found), stream, ensure_ascii=False, indent=1)
    counts = ", ".join(f"{len(found[name])} {name}" for name, _ in RECORDS)
    merged = f" (into which {customer_id} was merged)" if survivor != customer_id else ""
    click.echo(f"exported customer {survivor}{merged}: {len(found['customers'])} customer record(s), {counts}, "
               f"as of log position {found['read_models_position']}, to {out}")
