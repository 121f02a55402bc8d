"""Import customers from a CSV file: a migration from another help desk or CRM, or a re-sync.

Which customer a row is (``customer_rows`` has the columns):

1. its ``external_id`` from ``source``: the customer imported with it before
   (``imported_customer_id(source, external_id)``; ids compare as written, letter case included);
2. else the customer who has its email address (Touchline keeps one customer per address, as
   the panel, the API, mail and the public forms do), who is linked to the external id from then
   on (``Customer.link_external_ref``: a later export that changes the address still finds them);
3. else a new customer: under the external id, or else under the id a first email from that
   address would get (``email_customer_id``), so that their mail joins them.

A known customer takes the row's name, its contact points that they lack, and its segment
attributes; what the row leaves blank, and points only Touchline knows, stay. A row is
rejected, with its line, when the domain refuses it, when its address is another
customer's, when it names a customer an earlier row changed, when a customer's kind would
change, and when it names a customer whose personal data was erased: an old export must
not bring back someone who asked to be forgotten. A merged-away duplicate is left as it is,
the row reported as skipped (the survivor holds their details now). Nothing of a file
whose columns are wrong is imported.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from contextlib import nullcontext
from datetime import datetime
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.utils import get_topic

from domain.application import Touchline
from domain.clock import Clock
from domain.customers.model import (
    Customer,
    email_customer_id,
    forgotten_digest,
    imported_customer_id,
    new_contact_points,
)
from domain.errors import DomainError
from projections.queries.public import find_customers_by_email
from projections.views.customer360 import customer_emails
from web.importers.batches import BatchSaver, load_aggregates, notifications
from web.importers.csvfiles import (
    CsvRow,
    FileRefusedError,
    RowError,
    parse_rows,
    reject,
)
from web.importers.customer_rows import (
    CustomerRow,
    check_header,
    ignored_columns,
    parse_customer,
)
from web.importers.summary import ImportSummary, NoProgress, ProgressFactory

ACTOR = "import:csv"
DELIMITERS = ",;\t"  # commas, or what Excel writes in countries where the comma is the decimal mark
DEFAULT_SOURCE = "csv"
# A source names the system the external ids come from (``imported_customer_id`` keeps them apart).
SOURCE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

# The read model's customer for each address it knows: {address: customer id}
# (``projections.queries.public.find_customers_by_email``).
EmailOwners = Callable[[Collection[str]], dict[str, UUID]]


def owners_in(views: sa.Engine) -> EmailOwners:
    """The read model's owners of addresses, as the importer asks for them (none before the
    projections first ran: the ids derived from addresses still find who wrote in)."""
    def owners(emails: Collection[str]) -> dict[str, UUID]:
        with views.connect() as conn:
            if not sa.inspect(conn).has_table(customer_emails.name):
                return {}
            return find_customers_by_email(conn, emails)
    return owners


def check_source(source: str) -> str:
    """The source's name, lower-case (blank: the default); ``FileRefusedError`` when it cannot be one."""
    name = source.strip().lower() or DEFAULT_SOURCE
    if not SOURCE.fullmatch(name):
        raise FileRefusedError(f"source {source!r} cannot name a system: use 1-40 letters, digits, '-' or '_'")
    return name


def import_customers(
    app: Touchline, clock: Clock, file: str, data: bytes, *, source: str = DEFAULT_SOURCE,
    owners: EmailOwners = lambda emails: {}, check_only: bool = False, ignore_other: bool = False,
    progress: ProgressFactory | None = None, batch_size: int = 500,
) -> ImportSummary:
    """Import (or, with ``check_only``, only check) the customers CSV ``data``, named ``file`` in
    the report; see the module docstring."""
    source = check_source(source)
    keys: list[str] = []

    def check(name: str, names: list[str]) -> list[str]:  # and keep the keys, to name the ignored columns
        keys.extend(check_header(name, names, ignore_other=ignore_other))
        return keys

    rows, bad = parse_rows(file, data, check, delimiters=DELIMITERS)
    summary = ImportSummary(rows_read={file: len(rows) + len(bad)}, rejects=list(bad),
                            ignored_columns=ignored_columns(keys))
    run = _Run(app, clock.now(), source, summary)
    run.saver = BatchSaver(app, on_conflict=run.reject, size=batch_size, check_only=check_only)
    parsed = run.parse(rows)
    run.load(parsed, owners)
    with progress(len(parsed)) if progress else nullcontext(NoProgress()) as bar:
        for row, customer in parsed:
            run.sync(row, customer)
            bar.update(1)
    run.saver.flush()
    summary.events_stored, summary.position = run.saver.events_stored, run.saver.position
    summary.created, summary.changed = dict(run.saver.created), dict(run.saver.changed)
    summary.rejects.sort(key=lambda r: r.line)
    return summary


class _Run:
    saver: BatchSaver

    def __init__(self, app: Touchline, now: datetime, source: str, summary: ImportSummary) -> None:
        self.app, self.now, self.source, self.summary = app, now, source, summary
        self.stored: dict[UUID, Customer] = {}
        self.owners: dict[str, UUID] = {}
        self.forgotten: set[str] = set()  # digests of erased customers' addresses (``forgotten_digest``)
        self.linked: dict[str, UUID] = {}  # external refs linked to customers found by address before
        self.synced: dict[UUID, int] = {}  # customer -> the line that changed or registered them

    def reject(self, row: CsvRow, reason: str) -> None:
        self.summary.rejects.append(reject(row, reason))

    def parse(self, rows: list[CsvRow]) -> list[tuple[CsvRow, CustomerRow]]:
        """The rows the domain accepts, each external id and address once (the first row keeps it)."""
        parsed: list[tuple[CsvRow, CustomerRow]] = []
        first: dict[tuple[str, str], int] = {}
        for row in rows:
            try:
                customer = parse_customer(row.values)
            except RowError as exc:
                self.reject(row, str(exc))
                continue
            keys = [("external_id", customer.external_id) if customer.external_id else None,
                    ("email", customer.email) if customer.email else None]
            repeated = next((key for key in keys if key in first), None)
            if repeated:
                shown = customer.external_id if repeated[0] == "external_id" else customer.email
                self.reject(row, f"{repeated[0]} {shown} is repeated (first on line {first[repeated]})")
                continue
            first.update({key: row.line for key in keys if key})
            parsed.append((row, customer))
        return parsed

    def load(self, parsed: list[tuple[CsvRow, CustomerRow]], owners: EmailOwners) -> None:
        """Every customer the rows may name, in one pass over the log."""
        emails = [c.email for _, c in parsed if c.email]
        self.owners = owners(emails)
        ids = [self.ref_id(c.external_id) for _, c in parsed if c.external_id]
        ids += [email_customer_id(email) for email in emails] + list(self.owners.values())
        self.stored = {i: c for i, c in load_aggregates(self.app, ids, (Customer,)).items() if isinstance(c, Customer)}
        self.forgotten = {digest for n in notifications(self.app, [get_topic(Customer.Erased)])
                          for digest in self.app.mapper.to_domain_event(n).forgotten}
        self.linked = {event.external_ref: event.originator_id
                       for n in notifications(self.app, [get_topic(Customer.ExternalRefLinked)])
                       if (event := self.app.mapper.to_domain_event(n))}

    def ref_id(self, external_id: str) -> UUID:
        return imported_customer_id(self.source, external_id)

    def ref(self, external_id: str) -> str:
        return f"{self.source}:{external_id}"

    def by_ref(self, external_id: str) -> Customer | None:
        """The customer imported under the id, or found by address before and linked to it."""
        found = self.stored.get(self.ref_id(external_id))
        linked = self.linked.get(self.ref(external_id))
        if found is None and linked is not None:
            if linked not in self.stored:
                self.stored[linked] = self.app.get_customer(linked)
            found = self.stored[linked]
        return found

    def sync(self, row: CsvRow, c: CustomerRow) -> None:
        try:
            known = self.known(c)
            if known is not None and known.merged_into is not None:  # merged away: the survivor's details are theirs
                survivor = self.app.get_customer(self.app.survivor(known.id))
                self.summary.skipped.append(reject(row, f"left as it is: this customer was merged into "
                                                        f"{survivor.name} (customer {survivor.id}), who holds their "
                                                        "details now; change them there"))
                return
            customer = self.update(known, c) if known is not None else self.register(c)
        except (RowError, DomainError) as exc:
            self.reject(row, str(exc))
            return
        if customer is not None:
            self.synced[customer.id] = row.line
            self.saver.add(row, customer)

    def known(self, c: CustomerRow) -> Customer | None:
        """The stored customer the row names (by external id, else by address), or None."""
        by_ref = self.by_ref(c.external_id) if c.external_id else None
        if by_ref is not None and by_ref.erased:
            raise RowError(f"external_id {c.external_id}: this customer's personal data was erased (GDPR); "
                           "it is not imported again")
        if by_ref is not None and by_ref.merged_into is not None:
            return by_ref
        by_email = self.owner(c.email) if c.email else None
        if by_ref is not None and by_email is not None and by_email.id != by_ref.id:
            raise RowError(f"email {c.email} is {by_email.name}'s (customer {by_email.id}) already")
        found = by_ref or by_email
        if found is None and c.email and self.forgotten_address(c.email):
            raise RowError(f"email {c.email}: the customer with this address had their personal data erased "
                           "(GDPR); it is not imported again")
        if found is not None and found.id in self.synced:
            raise RowError(f"names the same customer as line {self.synced[found.id]} ({found.name}, "
                           f"customer {found.id})")
        return found

    def owner(self, email: str) -> Customer | None:
        """The customer with this address: the read model's, else (not yet in it) the one a first
        email from it registered; the survivor if merged."""
        owner_id = self.owners.get(email)
        derived = self.stored.get(email_customer_id(email))
        if owner_id is None and derived is not None and not derived.erased:
            owner_id = self.app.survivor(derived.id)
        if owner_id is None:
            return None
        if owner_id not in self.stored:
            self.stored[owner_id] = self.app.get_customer(owner_id)
        return self.stored[owner_id]

    def forgotten_address(self, email: str) -> bool:
        """Whether a customer with this address had their data erased (its digest is kept)."""
        derived = self.stored.get(email_customer_id(email))
        return forgotten_digest(email) in self.forgotten or (derived is not None and derived.erased)

    def update(self, known: Customer, c: CustomerRow) -> Customer | None:
        """``known`` with the row's details; None when nothing changes."""
        if c.kind is not None and c.kind != known.customer_kind:
            raise RowError(f"kind: {known.name} is a {known.customer_kind} in Touchline (customer {known.id}); "
                           "a customer's kind does not change")
        points = known.contact_points + new_contact_points(known.contact_points, c.contact_points)
        changed = known.change_details(name=c.name, contact_points=points, segment=known.segment | c.segment,
                                       occurred_at=self.now, actor=ACTOR)
        # Found by address: remember the row's id, so a later export that changes the address finds them.
        if c.external_id and known.link_external_ref(external_ref=self.ref(c.external_id), occurred_at=self.now,
                                                     actor=ACTOR):
            changed = True
        return known if changed else None

    def register(self, c: CustomerRow) -> Customer:
        new_id = self.ref_id(c.external_id) if c.external_id else email_customer_id(c.email or "")
        return Customer.register(
            id=new_id, customer_kind=c.kind or "person", name=c.name, contact_points=c.contact_points,
            segment=c.segment, external_ref=self.ref(c.external_id) if c.external_id else None,
            occurred_at=self.now, actor=ACTOR)
