"""Outbox: every outbound message and its delivery state; a message that gave up can be queued again."""

from __future__ import annotations

from typing import Any

from domain.messages.model import DELIVERY_CHANNELS, REPLY
from domain.messages.templates import TEMPLATE_PURPOSES
from projections import models
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.cases import ConfirmForm
from web.admin.views import filters
from web.admin.views.display import fmt_customer, fmt_details, fmt_time

STATUSES = ("queued", "failed", "sent", "gave_up")
# Every message the outbox sends is written from a template, but for agents' replies.
PURPOSES = (*TEMPLATE_PURPOSES, REPLY)

OUTBOX_COMMANDS = (
    RowCommand("requeue", "Send again", ConfirmForm,
               lambda app, i, v, kw: app.requeue_message(i, occurred_at=kw["occurred_at"], actor=kw["actor"]),
               offered=lambda row: row.status == "gave_up", bulk=True, versioned=False, style="primary"),
)


class OutboxView(CommandView):
    row_commands = OUTBOX_COMMANDS
    form_ajax_refs = None
    column_list = ["queued_at", "status", "purpose", "channel", "recipient", "subject", "attempts", "last_error",
                   "sent_at"]
    column_details_list = ["subject", "status", "purpose", "channel", "audience", "recipient", "customer",
                           "message_id", "cause", "queued_at", "due_at", "attempts", "last_error", "sent_at",
                           "gave_up_at", "version"]
    column_searchable_list = ["subject", "recipient", "message_id"]
    column_filters = [filters.one_of(models.OutboxMessage.status, "Status", STATUSES),
                      filters.one_of(models.OutboxMessage.purpose, "Purpose", PURPOSES),
                      filters.one_of(models.OutboxMessage.channel, "Channel", DELIVERY_CHANNELS), "queued_at"]
    column_default_sort = ("queued_at", True)
    column_labels = {"queued_at": "Queued", "sent_at": "Sent", "due_at": "Next attempt", "gave_up_at": "Gave up"}
    column_formatters = {"subject": fmt_details, "customer": fmt_customer,
                         **{c: fmt_time for c in ("queued_at", "sent_at", "due_at", "gave_up_at")}}

    def version_of(self, model: Any) -> int | None:
        return None
