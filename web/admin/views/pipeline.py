"""The sales pipeline's open stages (admins configure them; everyone may read them)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from domain.deals.model import LOST, WON
from projections.queries.funnel import get_funnel
from web.admin.access import ADMINS, Protected
from web.admin.commands import issue, version_missing
from web.admin.forms.settings import PipelineForm
from web.services import services


def open_deals_by_stage() -> dict[str, int]:
    """How many deals each stage holds now (the funnel's current counts, from the read models)."""
    with services().views.connect() as conn:
        return {s["name"]: s["count"] for s in get_funnel(conn, as_of=services().clock.now())["stages"]}


class PipelineView(Protected, BaseView):
    write_roles = ADMINS

    @expose("/", methods=("GET", "POST"))
    def index(self) -> Any:
        pipeline = services().app.get_pipeline()
        form = PipelineForm(request.form if request.method == "POST" else None, stages="\n".join(pipeline.stages),
                            version=pipeline.version)
        saved = request.method == "POST" and form.validate() and not version_missing(form) and \
            issue(form, lambda app, common: app.configure_pipeline(
                stages=form.stage_list(), open_deals_by_stage=open_deals_by_stage(),
                expected_version=form.expected_version(), **common)) is not None
        if saved:
            flash("The pipeline's stages are saved.", "success")
            return redirect(url_for(".index"))
        return self.render("admin/views/pipeline.html", form=form, stages=pipeline.stages, outcomes=(WON, LOST),
                           can_write=self.can_write())
