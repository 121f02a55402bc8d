"""Users and products, for names and the owner's team/region filters of other views."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from domain.deals.model import DEFAULT_STAGES, Pipeline
from domain.products.model import Product
from domain.users.model import User
from projections.projection import Context, Projection, handles
from projections.rows import Rows
from projections.schema import Id, Money, UTCDateTime, metadata

users = sa.Table(
    "users", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("email", sa.String(254), nullable=False, index=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("team", sa.String(100), index=True),
    sa.Column("region", sa.String(100), index=True),
    sa.Column("manager_id", Id()),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("registered_at", UTCDateTime, nullable=False),
    sa.Column("timezone", sa.String(64)),  # their preference, for times in messages to them
)

products = sa.Table(
    "products", metadata,
    sa.Column("id", Id(), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("series", sa.String(100)),
    sa.Column("list_price", Money, nullable=False),
)

pipeline = sa.Table(
    "pipeline", metadata,
    sa.Column("name", sa.String(20), primary_key=True),
    sa.Column("stages", sa.JSON, nullable=False),
    sa.Column("probabilities", sa.JSON),  # stage -> win probability in percent, as an admin set them
)


def pipeline_stages(conn: sa.Connection) -> list[str]:
    """The open stages in order (the default pipeline until one is configured)."""
    stages = conn.execute(sa.select(pipeline.c.stages).where(pipeline.c.name == "default")).scalar()
    return list(stages) if stages else list(DEFAULT_STAGES)


def pipeline_probabilities(conn: sa.Connection) -> dict[str, int]:
    """The win probabilities (percent) an admin set for open stages."""
    found = conn.execute(sa.select(pipeline.c.probabilities).where(pipeline.c.name == "default")).scalar()
    return dict(found or {})


class DirectoryProjection(Projection):
    name = "directory"
    version = 3  # 2: users' time zones; 3: the pipeline's win probabilities
    tables = (users, products, pipeline)

    @handles(User.Registered)
    def user_registered(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(users, {
            "id": str(e.originator_id), "email": e.email, "name": e.name, "role": e.role, "team": e.team,
            "region": e.region, "manager_id": str(e.manager_id) if e.manager_id else None, "active": True,
            "registered_at": e.occurred_at,
        })

    @handles(User.ProfileChanged)
    def user_changed(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(users, str(e.originator_id), name=e.name, role=e.role, team=e.team, region=e.region,
                    manager_id=str(e.manager_id) if e.manager_id else None)

    @handles(User.PreferencesChanged)
    def user_preferences(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(users, str(e.originator_id), timezone=e.timezone)

    @handles(User.Deactivated, User.Reactivated)
    def user_activity(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(users, str(e.originator_id), active=isinstance(e, User.Reactivated))

    @handles(Product.Registered)
    def product_registered(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.put(products, {"id": str(e.originator_id), "name": e.name, "series": e.series,
                            "list_price": e.list_price})

    @handles(Product.PriceChanged)
    def product_price(self, e: Any, ctx: Context, rows: Rows) -> None:
        rows.update(products, str(e.originator_id), list_price=e.list_price)

    @handles(Pipeline.Configured, Pipeline.Reconfigured)
    def pipeline_configured(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(pipeline, "default")
        kept = {s: p for s, p in (row["probabilities"] or {}).items() if s in e.stages} if row else {}
        rows.put(pipeline, {"name": "default", "stages": list(e.stages), "probabilities": kept})

    @handles(Pipeline.Weighed)
    def pipeline_weighed(self, e: Any, ctx: Context, rows: Rows) -> None:
        row = rows.get(pipeline, "default")
        rows.put(pipeline, {"name": "default", "stages": row["stages"] if row else list(DEFAULT_STAGES),
                            "probabilities": dict(e.probabilities)})
