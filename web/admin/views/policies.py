"""SLA policies (admins only): the list over the ``sla_policies`` read model in the order they
are tried (search, filters, sort, CSV), details with every version's terms; define and revise
with the structured form, move up or down (one reorder command, as ``PUT /api/v1/sla/policies/
order``), retire. Each revision is a version; cases keep the version that applied to them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask_admin.helpers import get_form_data

from domain.errors import InvalidValueError
from projections import models
from web.admin.access import ADMINS, HISTORY_READERS
from web.admin.commands import CommandView, RowCommand
from web.admin.forms.cases import ConfirmForm
from web.admin.forms.common import load_choices
from web.admin.forms.policy_form import KIND_NAMES, PolicyForm
from web.admin.forms.settings import RetireForm
from web.admin.views.base import read_session
from web.admin.views.display import fmt_details, fmt_time
from web.admin.views.policy_terms import (
    calendar_lines,
    conditions_text,
    duration,
    fmt_calendar,
    fmt_conditions,
    fmt_targets,
    target_lines,
)

P = models.SlaPolicy
# What a new policy's form starts with: a working day, and targets for normal cases.
STARTER = {"t_normal_first_response": 240, "t_normal_resolution": 2880}


def define(app: Any, values: dict[str, Any], common: dict[str, Any]) -> Any:
    return app.define_sla_policy(**values, **common)


def revise(app: Any, policy_id: UUID, values: dict[str, Any], common: dict[str, Any]) -> Any:
    return app.revise_sla_policy(policy_id, **values, **common)


def retire(app: Any, policy_id: UUID, values: dict[str, Any], common: dict[str, Any]) -> Any:
    return app.retire_sla_policy(policy_id, reason=values["reason"] or "", **common)


def move(offset: int) -> Any:
    """Swap the policy with its neighbour in the order: one reorder command for the whole list,
    refused if the policies in force changed meanwhile."""

    def run(app: Any, policy_id: UUID, values: dict[str, Any], common: dict[str, Any]) -> Any:
        order = [p.id for p in app.sla_policies_in_force()]
        if policy_id not in order:
            raise InvalidValueError("position", "a retired policy has no place in the order")
        i = order.index(policy_id)
        j = i + offset
        if not 0 <= j < len(order):  # nothing to swap with: say so rather than "done"
            raise InvalidValueError("position", f"it is {'first' if offset < 0 else 'last'} in the order already")
        order[i], order[j] = order[j], order[i]
        return app.reorder_sla_policies(order, occurred_at=common["occurred_at"], actor=common["actor"])

    return run


POLICY_COMMANDS = (
    RowCommand("move_up", "Move up", ConfirmForm, move(-1), offered=lambda row: row.active, versioned=False),
    RowCommand("move_down", "Move down", ConfirmForm, move(+1), offered=lambda row: row.active, versioned=False),
    RowCommand("retire", "Retire", RetireForm, retire, offered=lambda row: row.active, style="danger"),
)


class PoliciesView(CommandView):
    read_roles = HISTORY_READERS  # auditors read the terms that breaches were judged by
    write_roles = ADMINS
    create_command = staticmethod(define)
    create_form_class = PolicyForm
    edit_command = staticmethod(revise)
    edit_form_class = PolicyForm
    row_commands = POLICY_COMMANDS
    form_ajax_refs = None
    create_template = edit_template = "admin/views/policy_form.html"
    details_template = "admin/views/policy_details.html"
    description = ("Tried in this order when a case opens (or changes priority): the first in force whose "
                   "conditions match and that has targets for the case's priority applies.")
    column_list = ["position", "name", "active", "conditions", "targets", "calendar", "version", "changed_at"]
    column_details_list = ["name", "position", "active", "conditions", "targets", "calendar", "version",
                           "defined_at", "changed_at", "retired_at"]
    column_export_list = column_details_list
    column_searchable_list = ["name"]
    column_sortable_list = ["position", "name", "active", "version", "changed_at"]
    column_filters = ["active", "name", "changed_at"]
    column_default_sort = [("position", False), ("defined_seq", False)]  # the trial order
    column_labels = {"version": "Version", "changed_at": "Changed", "defined_at": "Defined",
                     "retired_at": "Retired", "active": "In force"}
    column_formatters = {"name": fmt_details, "conditions": fmt_conditions, "targets": fmt_targets,
                         "calendar": fmt_calendar, **{c: fmt_time for c in ("changed_at", "defined_at", "retired_at")}}

    def __init__(self, model: Any = P, **kwargs: Any) -> None:
        super().__init__(model, **kwargs)

    def create_form(self, obj: Any = None) -> Any:
        form_data = get_form_data()
        return load_choices(PolicyForm(form_data, **({} if form_data else STARTER)))

    def edit_form(self, obj: Any = None) -> Any:
        form_data = get_form_data()
        prefill = {} if form_data or obj is None else PolicyForm.data_of(obj)
        return load_choices(PolicyForm(form_data, version=self.version_of(obj), **prefill))

    def versions_of(self, model: Any) -> list[Any]:
        """Every version of the policy's terms, the newest first (the history view on its details)."""
        return list(read_session.scalars(sa.select(models.SlaPolicyVersion)
                                         .where(models.SlaPolicyVersion.policy_id == model.policy_id)
                                         .order_by(models.SlaPolicyVersion.version.desc())))

    # For the templates: one way to read terms everywhere.
    conditions_text = staticmethod(conditions_text)
    target_lines = staticmethod(target_lines)
    calendar_lines = staticmethod(calendar_lines)
    duration = staticmethod(duration)
    kind_names = KIND_NAMES
