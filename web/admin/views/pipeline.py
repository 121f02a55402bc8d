"""The sales pipeline's open stages and their win probabilities (admins set them; everyone may read them)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_admin import BaseView, expose

from domain.deals.model import LOST, WON
from projections.queries.forecast import historical_win_rates
from projections.queries.funnel import get_funnel
from web.admin.access import ADMINS, Protected
from web.admin.commands import issue, version_missing
from web.admin.forms.deals import probability_form
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
        posted = request.method == "POST"
        form = PipelineForm(request.form if posted else None, stages="\n".join(pipeline.stages),
                            version=pipeline.version)
        saved = posted and form.validate() and not version_missing(form) and \
            issue(form, lambda app, common: app.configure_pipeline(
                stages=form.stage_list(), open_deals_by_stage=open_deals_by_stage(),
                expected_version=form.expected_version(), **common)) is not None
        if saved:
            flash("The pipeline's stages are saved.", "success")
            return redirect(url_for(".index"))
        return self._page(pipeline, form=form)

    @expose("/probabilities", methods=("POST",))
    def probabilities(self) -> Any:
        pipeline = services().app.get_pipeline()
        form = probability_form(pipeline.stages, pipeline.probabilities, pipeline.version, request.form)
        saved = form.validate() and not version_missing(form) and \
            issue(form, lambda app, common: app.weigh_pipeline(
                probabilities=form.probabilities(), expected_version=form.expected_version(), **common)) is not None
        if saved:
            flash("The stages' win probabilities are saved.", "success")
            return redirect(url_for(".index"))
        return self._page(pipeline, weights=form)

    def _page(self, pipeline: Any, form: Any = None, weights: Any = None) -> Any:
        with services().views.connect() as conn:
            learnt = historical_win_rates(conn, pipeline.stages, services().clock.now())
        return self.render(
            "admin/views/pipeline.html", stages=pipeline.stages, outcomes=(WON, LOST), can_write=self.can_write(),
            form=form if form is not None else PipelineForm(stages="\n".join(pipeline.stages), version=pipeline.version),
            weights=weights if weights is not None else probability_form(pipeline.stages, pipeline.probabilities,
                                                                         pipeline.version),
            probabilities=pipeline.probabilities, learnt=learnt)
