"""SLA policy reads: the policies in the order they are tried, one policy, its versions."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from projections.queries.paging import Page, Sorting, keyset_page
from projections.views.sla import sla_policies, sla_policy_versions

p, v = sla_policies.c, sla_policy_versions.c
# Policies are few (tens), so keys other than the trial order need no index of their own.
POLICY_SORTS = Sorting("sla-policies", {
    "position": (p.position, p.defined_seq), "name": (p.name, p.policy_id),
    "changed_at": (p.changed_at, p.policy_id), "defined_at": (p.defined_seq,),
}, default="position")


def list_sla_policies(conn: sa.Connection, *, active: bool | None = None, limit: int = 50,
                      cursor: str | None = None, sort: str | None = None) -> Page[dict[str, Any]]:
    """Policies by position (equal positions in order of definition): the order a case's
    policy is looked for in, among those in force; or as ``sort`` says."""
    query = sa.select(sla_policies)
    if active is not None:
        query = query.where(p.active == active)
    return POLICY_SORTS.page(conn, query, sort=sort, limit=limit, cursor=cursor)


def get_sla_policy(conn: sa.Connection, policy_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(sla_policies).where(p.policy_id == policy_id)).mappings().first()
    return dict(row) if row else None


def list_sla_policy_versions(conn: sa.Connection, policy_id: str, *, limit: int = 50,
                             cursor: str | None = None) -> Page[dict[str, Any]]:
    """Every version of a policy's terms, the oldest first (a retirement changes no terms)."""
    query = sa.select(sla_policy_versions).where(v.policy_id == policy_id)
    return keyset_page(conn, query, [v.version], limit=limit, cursor=cursor)
