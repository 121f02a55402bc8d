"""The SLA projection's tables (``projections.views.sla`` fills them).

- ``sla_policies``: each policy as it stands, listed in the order policies are tried.
- ``sla_policy_versions``: the terms of every version, which cases name.
- ``sla_cases``: each case's SLA events (compact JSON), holder and the targets it has rows for.
- ``sla_targets``: one row per case, target and cycle: the clock as of the last event that
  changed it, attributed to whoever held the case when it was decided.
"""

from __future__ import annotations

import sqlalchemy as sa

from projections.schema import Id, UTCDateTime, metadata

sla_policies = sa.Table(
    "sla_policies", metadata,
    sa.Column("policy_id", Id(), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),  # the aggregate's: If-Match
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("defined_seq", sa.BigInteger, nullable=False),  # log position of its definition: breaks ties
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("conditions", sa.JSON, nullable=False),
    sa.Column("targets", sa.JSON, nullable=False),
    sa.Column("calendar", sa.JSON, nullable=False),
    sa.Column("defined_at", UTCDateTime, nullable=False),
    sa.Column("changed_at", UTCDateTime, nullable=False),
    sa.Column("retired_at", UTCDateTime),
    sa.Index("ix_sla_policies_order", "position", "defined_seq"),
)

sla_policy_versions = sa.Table(
    "sla_policy_versions", metadata,
    sa.Column("policy_id", Id(), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("conditions", sa.JSON, nullable=False),
    sa.Column("targets", sa.JSON, nullable=False),
    sa.Column("calendar", sa.JSON, nullable=False),
    sa.Column("valid_from", UTCDateTime, nullable=False),  # business time of the definition or revision
)

sla_cases = sa.Table(
    "sla_cases", metadata,
    sa.Column("case_id", Id(), primary_key=True),
    sa.Column("customer_id", Id(), nullable=False),
    sa.Column("assignee", sa.String(200)),  # who holds the case now
    sa.Column("team", sa.String(100)),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Column("sla_policy_id", Id()),
    sa.Column("sla_policy_version", sa.Integer),
    sa.Column("last_event_at", UTCDateTime, nullable=False),  # effective time of its latest SLA event
    sa.Column("events", sa.JSON, nullable=False),  # its SLA events, in stream order
    sa.Column("targets", sa.JSON, nullable=False),  # [[target, cycle, decided_at or null], ...] rows in sla_targets
)

sla_targets = sa.Table(
    "sla_targets", metadata,
    sa.Column("case_id", Id(), primary_key=True),
    sa.Column("target", sa.String(20), primary_key=True),
    sa.Column("cycle", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(10), nullable=False),  # as of computed_at; "dropped": its target taken away
    sa.Column("started_at", UTCDateTime, nullable=False),
    sa.Column("due_at", UTCDateTime),
    sa.Column("breached_at", UTCDateTime),
    sa.Column("stopped_at", UTCDateTime),
    sa.Column("decided_at", UTCDateTime),  # achieved: stopped_at; breached: breached_at
    sa.Column("paused", sa.Boolean, nullable=False),
    sa.Column("computed_at", UTCDateTime, nullable=False),  # the last event that changed this clock
    sa.Column("used", sa.Float, nullable=False),
    sa.Column("overrun", sa.Float),
    sa.Column("minutes", sa.Integer, nullable=False),
    sa.Column("business_hours", sa.Boolean, nullable=False),
    sa.Column("policy_id", Id(), nullable=False),
    sa.Column("policy_version", sa.Integer, nullable=False),
    sa.Column("priority", sa.String(10), nullable=False),
    sa.Column("assignee", sa.String(200)),  # who held the case when the target was decided
    sa.Column("team", sa.String(100)),
    sa.Column("channel", sa.String(20), nullable=False),
    sa.Column("opened_at", UTCDateTime, nullable=False),
    sa.Index("ix_sla_targets_status_due", "status", "due_at"),
    sa.Index("ix_sla_targets_status_breached", "status", "breached_at"),
    sa.Index("ix_sla_targets_decided", "decided_at"),
    sa.Index("ix_sla_targets_stopped", "stopped_at", "started_at"),  # what was counting at a past instant
)
