"""People's names for the references events and read models hold (``user:<id>``, ``user:<email>``)."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa

from projections.views.directory import users


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
