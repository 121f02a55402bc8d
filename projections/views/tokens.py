"""API tokens for the panel's list: name, scopes, who created and revoked them and when.

Never the hash: the list, its search and its CSV export have nothing a caller could use.
The last use is not an event (``projections.api_state``); the panel reads it beside this table.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.tokens.model import ApiToken
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, UTCDateTime, metadata

api_tokens = sa.Table(
    "api_tokens", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("name", sa.String(80), nullable=False, index=True),
    sa.Column("scopes", sa.String(1000), nullable=False),  # "read, write:cases": searchable, readable in CSV
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("created_by", sa.String(200), nullable=False),
    sa.Column("revoked_at", UTCDateTime),
    sa.Column("revoked_by", sa.String(200)),
    sa.Column("revoke_reason", sa.String(500)),
)


class TokensProjection(Projection):
    name = "tokens"
    version = 1
    tables = (api_tokens,)

    @handles(ApiToken.Created)
    def created(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(api_tokens, {
            "id": str(e.originator_id), "name": e.name, "scopes": ", ".join(e.scopes), "active": True,
            "version": e.originator_version, "created_at": e.occurred_at, "created_by": e.actor,
            "revoked_at": None, "revoked_by": None, "revoke_reason": None})

    @handles(ApiToken.Revoked)
    def revoked(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(api_tokens, str(e.originator_id), active=False, version=e.originator_version,
                    revoked_at=e.occurred_at, revoked_by=e.actor, revoke_reason=e.reason or None)
