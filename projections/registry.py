"""Every projection, in one list: the runner, rebuild and verify work from it."""

from __future__ import annotations

from projections.projection import Projection
from projections.views.cases import CasesProjection
from projections.views.customer360 import Customer360Projection
from projections.views.deals import DealsProjection
from projections.views.directory import DirectoryProjection
from projections.views.knowledge import KnowledgeProjection
from projections.views.message_templates import MessageTemplatesProjection
from projections.views.outbox import OutboxProjection
from projections.views.promises import PromisesProjection
from projections.views.sla import SlaProjection
from projections.views.tokens import TokensProjection
from projections.views.touchpoints import TouchpointsProjection
from projections.views.webhooks import WebhooksProjection


def all_projections() -> list[Projection]:
    found: list[Projection] = [
        DirectoryProjection(), Customer360Projection(), TouchpointsProjection(), CasesProjection(),
        PromisesProjection(), DealsProjection(), SlaProjection(), OutboxProjection(),
        TokensProjection(),
        KnowledgeProjection(), MessageTemplatesProjection(),
        WebhooksProjection(),
    ]
    tables = [t.name for p in found for t in p.tables]
    duplicated = {t for t in tables if tables.count(t) > 1}
    assert not duplicated, f"a table belongs to one projection only: {duplicated}"
    return found
