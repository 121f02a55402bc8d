"""People's names for the references events and read models hold (``user:<id>``, ``user:<email>``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from domain.users.model import user_ref
from projections.queries.paging import Page, Sorting
from projections.views.directory import users

STAFF_SORTS = Sorting("users", {"name": (users.c.name, users.c.id)}, default="name")


def staff_names(conn: sa.Connection, refs: Iterable[str | None]) -> dict[str, str]:
    """Display names of the staff references found in the users read model (others are left out:
    show them as they are)."""
    keys = {ref: ref.removeprefix("user:") for ref in refs if ref}
    if not keys:
        return {}
    wanted = sorted(set(keys.values()))
    found = conn.execute(sa.select(users.c.id, users.c.email, users.c.name).where(
        sa.or_(users.c.id.in_(wanted), users.c.email.in_(wanted)))).all()
    names = {key: row.name for row in found for key in (row.id, row.email)}
    return {ref: names[key] for ref, key in keys.items() if key in names}


def list_staff(conn: sa.Connection, *, role: str | None = None, team: str | None = None, active: bool | None = None,
               limit: int = 100, cursor: str | None = None, sort: str | None = None) -> Page[dict[str, Any]]:
    """Colleagues, by name: whom work is given to (``ref``, as assignees and owners name them)."""
    query = sa.select(users.c.id, users.c.email, users.c.name, users.c.role, users.c.team, users.c.region,
                      users.c.manager_id, users.c.active, users.c.timezone)
    if role:
        query = query.where(users.c.role == role)
    if team:
        query = query.where(users.c.team == team)
    if active is not None:
        query = query.where(users.c.active == active)
    page = STAFF_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)
    page.items = [{**row, "ref": user_ref(row["id"]),
                   "manager": user_ref(row["manager_id"]) if row["manager_id"] else None} for row in page.items]
    return page
