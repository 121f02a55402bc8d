"""SLA policies (admins only): the policies in force, in the order they are tried; define,
revise (each revision is a version; cases keep the version that applied) and retire.

The SLA read model keeps only each version's terms, so the list reads the policies in force
from the domain (one small index aggregate and its cached policies).
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from flask import abort, flash, redirect, request, url_for
from flask_admin import BaseView, expose

from domain.errors import NotFoundError
from web.admin.access import ADMINS, Protected
from web.admin.commands import issue
from web.admin.forms.settings import PolicyForm, RetireForm
from web.admin.views.display import history_url
from web.services import services

EXAMPLE = {"targets": {"normal": {"first_response": {"minutes": 240, "business_hours": True},
                                  "resolution": {"minutes": 2880, "business_hours": True}}},
           "calendar": {"timezone": "UTC", "hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu",
                                                                                       "fri")}}}


class PoliciesView(Protected, BaseView):
    read_roles = ADMINS
    write_roles = ADMINS

    @expose("/")
    def index(self) -> Any:
        policies = services().app.sla_policies_in_force()
        return self.render("admin/views/policies.html", policies=policies, history_url=history_url, dumps=json.dumps)

    def _policy(self, policy_id: UUID) -> Any:
        try:
            return services().app.get_sla_policy(policy_id)
        except NotFoundError:
            abort(404)

    def _form_page(self, form: PolicyForm, title: str, policy: Any = None) -> Any:
        return self.render("admin/views/policy_form.html", form=form, title=title, policy=policy,
                           retire_form=RetireForm(version=policy.version) if policy else None)

    @expose("/new", methods=("GET", "POST"))
    def define_view(self) -> Any:
        form = PolicyForm(request.form if request.method == "POST" else None, position=100, conditions="{}",
                          targets=json.dumps(EXAMPLE["targets"], indent=2),
                          calendar=json.dumps(EXAMPLE["calendar"], indent=2))
        defined = request.method == "POST" and form.validate() and issue(
            form, lambda app, common: app.define_sla_policy(**form.policy(), **common))
        if defined:
            flash(f"SLA policy {form.name.data} is defined.", "success")
            return redirect(url_for(".index"))
        return self._form_page(form, "Define an SLA policy")

    @expose("/<uuid:policy_id>", methods=("GET", "POST"))
    def revise_view(self, policy_id: UUID) -> Any:
        policy = self._policy(policy_id)
        form = PolicyForm(request.form if request.method == "POST" else None, version=policy.version,
                          name=policy.name, position=policy.position, conditions=json.dumps(policy.conditions),
                          targets=json.dumps(policy.targets, indent=2), calendar=json.dumps(policy.calendar, indent=2))
        if request.method == "POST" and form.validate():
            saved = issue(form, lambda app, common: app.revise_sla_policy(
                policy_id, **form.policy(), expected_version=form.expected_version(), **common), str(policy_id))
            if saved is not None:
                flash(f"SLA policy {form.name.data} is revised: new cases get revision {policy.revision + 1}.",
                      "success")
                return redirect(url_for(".index"))
        return self._form_page(form, f"Revise SLA policy {policy.name}", policy)

    @expose("/<uuid:policy_id>/retire", methods=("POST",))
    def retire_view(self, policy_id: UUID) -> Any:
        policy = self._policy(policy_id)
        form = RetireForm(request.form)
        saved = issue(form, lambda app, common: app.retire_sla_policy(
            policy_id, reason=form.reason.data or "", expected_version=form.expected_version(), **common),
            str(policy_id))
        if saved is None:  # the reason is flashed
            return redirect(url_for(".revise_view", policy_id=policy_id))
        flash(f"SLA policy {policy.name} is retired.", "success")
        return redirect(url_for(".index"))
