"""Import the Maven Analytics CRM sample data set (a directory of four CSV files).

accounts.csv -> companies (Customer), products.csv -> Product, sales_teams.csv -> users
(every agent and manager, role agent, managers first; their email addresses are made from
their names, e.g. anna.snelling@maven.example), sales_pipeline.csv -> Deal with its
stage history (see ``maven_sync``). Ids are deterministic (``customer_id_for("maven", ...)``,
``product_id_for``, ``user_id_for(email)``, ``deal_id_for("maven", ...)``), so a re-run
stores nothing new, and a re-run after the files changed appends just the differences.

All four files are read and their columns checked before anything is written: a directory
or file that cannot be used raises ``FileRefusedError``. Bad rows are collected as rejects
and write nothing; rows pointing at a rejected or unknown row are rejected too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

from domain.application import Touchline
from domain.base import Entity
from domain.clock import Clock
from domain.customers.model import Customer, customer_id_for
from domain.deals.model import Deal, deal_id_for
from domain.errors import DomainError
from domain.products.model import Product, product_id_for, product_key
from domain.users.model import User, user_id_for
from web.importers.batches import BatchSaver, load_aggregates
from web.importers.csvfiles import CsvRow, FileRefusedError, RowError, read_rows, reject
from web.importers.maven_rows import (
    ACCOUNT_COLUMNS, PIPELINE_COLUMNS, PRODUCT_COLUMNS, TEAM_COLUMNS, Account, Opportunity, ProductRow,
    TeamRow, email_for, happened, parse_account, parse_opportunity, parse_product, parse_team_member,
)
from web.importers.maven_sync import (
    DealLinks, Member, agent_of, manager_of, sync_customer, sync_deal, sync_product, sync_user,
)
from web.importers.summary import ImportSummary, NoProgress, ProgressBar, ProgressFactory

__all__ = ["FileRefusedError", "import_maven"]

T = TypeVar("T")

FILES = {
    "accounts.csv": ACCOUNT_COLUMNS, "products.csv": PRODUCT_COLUMNS,
    "sales_teams.csv": TEAM_COLUMNS, "sales_pipeline.csv": PIPELINE_COLUMNS,
}


def import_maven(
    app: Touchline, clock: Clock, directory: Path, *, progress: ProgressFactory | None = None, batch_size: int = 500,
) -> ImportSummary:
    """Import (or re-sync) the Maven CRM files in ``directory``; see the module docstring."""
    if not directory.is_dir():
        raise FileRefusedError(f"{directory}: no such directory")
    files = {name: read_rows(directory / name, columns) for name, columns in FILES.items()}
    summary = ImportSummary(rows_read={name: len(rows) + len(bad) for name, (rows, bad) in files.items()})
    for _, bad in files.values():
        summary.rejects.extend(bad)
    run = _Run(app, clock.now(), summary, batch_size)
    run.parse({name: rows for name, (rows, _) in files.items()})
    run.sync_directory()
    with progress(len(run.opportunities)) if progress else nullcontext(NoProgress()) as bar:
        run.sync_deals(bar)
    summary.events_stored = run.saver.events_stored
    summary.created, summary.changed = dict(run.saver.created), dict(run.saver.changed)
    summary.rejects.sort(key=lambda r: (list(FILES).index(r.file), r.line))
    return summary


class _Run:
    """One import: the parsed rows, what they resolve to, and the saver."""

    def __init__(self, app: Touchline, now: datetime, summary: ImportSummary, batch_size: int) -> None:
        self.app, self.now, self.summary = app, now, summary
        self.saver = BatchSaver(app, on_conflict=self.reject, size=batch_size)
        self.stored: dict[UUID, Entity] = {}
        # Parsed rows, unique by natural key: account name (any case), product_key, email, opportunity_id.
        self.accounts: dict[str, tuple[CsvRow, Account]] = {}
        self.products: dict[str, tuple[CsvRow, ProductRow]] = {}
        self.members: dict[str, tuple[CsvRow, Member]] = {}
        self.opportunities: dict[str, tuple[CsvRow, Opportunity]] = {}
        # What deals may point at: rows that were imported or are stored already.
        self.customers: dict[str, Customer] = {}
        self.product_refs: dict[str, Product] = {}
        self.user_ids: dict[str, UUID] = {}

    def reject(self, row: CsvRow, reason: str) -> None:
        self.summary.rejects.append(reject(row, reason))

    def _parsed(self, rows: list[CsvRow], parse: Callable[[dict[str, str]], T]) -> Iterator[tuple[CsvRow, T]]:
        for row in rows:
            try:
                yield row, parse(row.values)
            except RowError as exc:
                self.reject(row, str(exc))

    def _first(self, seen: dict[str, tuple[CsvRow, T]], key: str, row: CsvRow, what: str, value: T) -> bool:
        """Keep the first row of each key; reject the later ones."""
        if key in seen:
            self.reject(row, f"duplicate {what} (first on line {seen[key][0].line})")
            return False
        seen[key] = (row, value)
        return True

    def parse(self, rows: dict[str, list[CsvRow]]) -> None:
        for row, account in self._parsed(rows["accounts.csv"], parse_account):
            self._first(self.accounts, account.name.lower(), row, f"account {account.name!r}", account)
        for key, (row, account) in list(self.accounts.items()):  # a parent this file or the store knows
            parent = account.parent
            if parent and parent.lower() not in self.accounts \
                    and customer_id_for("maven", parent) not in self.app.repository:
                del self.accounts[key]
                self.reject(row, f"subsidiary_of: no account named {parent!r} (in this file or imported before)")
        for row, product in self._parsed(rows["products.csv"], parse_product):
            self._first(self.products, product_key(product.name), row, f"product {product.name!r}", product)
        agents: dict[str, tuple[CsvRow, TeamRow]] = {}
        managers: dict[str, tuple[CsvRow, Member]] = {}
        for row, t in self._parsed(rows["sales_teams.csv"], parse_team_member):
            manager = manager_of(t)
            if self._first(agents, t.agent_email, row, f"sales_agent {t.agent!r}", t) and manager:
                managers.setdefault(manager.email, (row, manager))  # in the office of their first team row
        # Managers first; someone listed as an agent too keeps their agent row.
        self.members = {email: m for email, m in managers.items() if email not in agents} | {
            email: (row, agent_of(t)) for email, (row, t) in agents.items()
        }
        for row, o in self._parsed(rows["sales_pipeline.csv"], lambda values: happened(parse_opportunity(values),
                                                                                       self.now)):
            self._first(self.opportunities, o.id, row, f"opportunity_id {o.id!r}", o)

    def sync_directory(self) -> None:
        """Customers, products and users: all saved before any deal."""
        ids = [customer_id_for("maven", a.name) for _, a in self.accounts.values()]
        ids += [product_id_for(p.name) for _, p in self.products.values()]
        ids += [user_id_for(email) for email in self.members]
        ids += [deal_id_for("maven", o.id) for _, o in self.opportunities.values()]
        self.stored = load_aggregates(self.app, ids, (Customer, Product, User, Deal))
        for key, (row, account) in self.accounts.items():
            customer = self._sync(row, sync_customer, account, customer_id_for("maven", account.name))
            if isinstance(customer, Customer):
                self.customers[key] = customer
        for key, (row, product) in self.products.items():
            current = self._sync(row, sync_product, product, product_id_for(product.name))
            if isinstance(current, Product):
                self.product_refs[key] = current
        self._sync_members()
        self.saver.flush()

    def _sync_members(self) -> None:
        """Users, each after their manager (whose id they hold)."""
        waiting = list(self.members.items())
        while waiting:
            imported = {None, *self.user_ids.values()}
            ready = [(email, (row, m)) for email, (row, m) in waiting if m.manager_id in imported]
            if not ready:
                for _, (row, member) in waiting:
                    self.reject(row, f"manager {member.team!r} could not be imported")
                return
            for email, (row, member) in ready:
                if self._sync(row, sync_user, member, user_id_for(email)):
                    self.user_ids[email] = user_id_for(email)
            waiting = [item for item in waiting if item not in ready]

    def _sync(self, row: CsvRow, sync: Callable[..., Entity | None], record: Any, aggregate_id: UUID) -> Entity | None:
        """Sync one record and return its current state; None (and a reject) when the domain refuses it."""
        stored = self.stored.get(aggregate_id)
        try:
            aggregate = sync(record, stored, self.now)
        except (RowError, DomainError) as exc:
            self.reject(row, str(exc))
            return None
        if aggregate is not None:
            self.saver.add(row, aggregate)
        return aggregate or stored

    def sync_deals(self, bar: ProgressBar) -> None:
        pipeline = self.app.get_pipeline()
        for opportunity_id, (row, o) in self.opportunities.items():
            stored = self.stored.get(deal_id_for("maven", opportunity_id))
            assert stored is None or isinstance(stored, Deal)  # a uuid5 of a /deals/ path
            try:
                deal = sync_deal(o, self._links(o), stored, pipeline, self.now)
            except (RowError, DomainError) as exc:
                self.reject(row, str(exc))
            else:
                if deal is not None:
                    self.saver.add(row, deal)
            bar.update(1)
        self.saver.flush()

    def _links(self, o: Opportunity) -> DealLinks:
        product = self.product_refs.get(product_key(o.product))
        if product is None:
            raise RowError(f"unknown product {o.product!r} (not imported from products.csv)")
        owner = self.user_ids.get(email_for(o.agent))
        if owner is None:
            raise RowError(f"unknown sales_agent {o.agent!r} (not imported from sales_teams.csv)")
        if o.account is None:
            return DealLinks(None, product.id, str(owner), f"{product.name} (no account)", product.list_price)
        customer = self.customers.get(o.account.lower())
        if customer is None:
            raise RowError(f"unknown account {o.account!r} (not imported from accounts.csv)")
        return DealLinks(customer.id, product.id, str(owner), f"{product.name} for {customer.name}", product.list_price)
