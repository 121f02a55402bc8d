"""``CommandView``: the one base of every list whose buttons change something. Its forms issue
domain commands, never row edits: create and edit run ``create_command``/``edit_command``,
each ``RowCommand`` (assign, resolve, keep...) has its form page and details-page button, and
the ones marked ``bulk`` are list actions over the selected rows.

After a command the page waits (bounded) until the projections applied it, so the list shows
the result. Errors are translated as the API translates them (``web.api.errors.domain_error``):
a field's error goes on that field, a concurrent change is a conflict message; never a 500.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from uuid import UUID

from flask import abort, flash, g, redirect, request, session
from flask_admin import expose
from flask_admin.helpers import get_form_data, get_redirect_target
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.core import UnboundField

from domain.application import Touchline
from domain.errors import AlreadyExistsError, DomainError, StaleVersionError
from domain.service import Receipt
from web.admin.access import actor, require_write
from web.admin.forms.common import AJAX_REFS, CommandForm, CreateForm, RowForm, StaffField, load_choices
from web.admin.views.base import ListView, primary_key, read_session
from web.admin.views.display import staff_ref
from web.admin.waiting import wait_for_position
from web.api.actions import Command
from web.api.errors import domain_error
from web.services import services

CONFLICTS = ("concurrent_change", "stale_version")
# (application, form values, common keyword arguments: occurred_at, actor) -> receipt
Create = Callable[[Touchline, dict[str, Any], dict[str, Any]], Receipt]


@dataclass(frozen=True)
class RowCommand:
    """A command on one record: ``run`` has the API's action signature (app, id, values, common)."""

    name: str
    label: str
    form: type[RowForm]
    run: Command
    offered: Callable[[Any], bool] = lambda row: True  # for which rows the button shows
    bulk: bool = False  # also a list action over the selected rows
    versioned: bool = True  # passes the version the user saw (the command takes expected_version)
    style: str = "secondary"
    # Why a bulk run leaves a row as it is ("held by a colleague"), or None: the selection may
    # hold rows that the run must not override; they are named in the summary, not touched.
    bulk_skip: Callable[[Any], str | None] = lambda row: None
    # Fields the form opens with the record's current value (a priority: saving unchanged keeps it).
    prefill: tuple[str, ...] = ()
    # What the page says once done, when "<label>: done for <record>" would not do (an erasure: the
    # record's name is what was just erased).
    done: str | None = None


def _changed_only_by_me(record_id: UUID, seen: int) -> bool:
    """Whether every change since version ``seen`` was the current user's (a double click, or
    another tab of theirs): "someone else" would send them looking for a colleague."""
    since = list(services().app.events.get(record_id, gt=seen))
    return bool(since) and all(getattr(e, "actor", None) == actor() for e in since)


def show_error(form: CommandForm, exc: DomainError, record_id: str | None = None) -> None:
    """Put a command's error where the user looks: on the field it names, and in a message."""
    translated = domain_error(exc, path_ids={"id": UUID(record_id)} if record_id else None)
    if translated.error_code in CONFLICTS:
        if isinstance(exc, StaleVersionError) and isinstance(form, RowForm):
            # The form is shown again with what they typed and the current version: saving it
            # again is their informed choice, not another conflict (nor copy, reload and paste).
            form.version.data = exc.actual
            mine = record_id is not None and _changed_only_by_me(UUID(record_id), exc.expected)
            who = "you changed" if mine else "someone else changed"
            how = ", in another tab or by sending this form twice" if mine else ""
            flash(f"Not saved: {who} this record meanwhile (you saw version {exc.expected}, it is "
                  f"at {exc.actual} now{how}). Your input is kept: check the record, then save again to apply it.",
                  "error")
            return
        flash(f"Not saved: someone else changed this record meanwhile. {exc}", "error")
        return
    for name, messages in translated.errors.items():
        field = form.field_for(name)
        if field is not None:
            field.errors = [*field.errors, *messages]
    flash(f"Not saved: {translated.message}", "error")


def version_missing(form: RowForm) -> bool:
    """Whether a change to a versioned record came without a version the page showed (a
    crafted POST): refused with a message, never applied without the "changed meanwhile" check."""
    sent = form.version.raw_data  # what was posted: an absent field would take the record's current version
    if sent and str(sent[0]).strip().isdigit():
        return False
    flash("Not saved: the form did not say which version of the record you saw. Reload the page and "
          "try again.", "error")
    return True


def issue(form: CommandForm, call: Callable[[Touchline, dict[str, Any]], Receipt],
          record_id: str | None = None) -> Receipt | None:
    """Run a command as the current user, now; then wait for the lists to show it."""
    svc = services()
    try:
        receipt = call(svc.app, {"occurred_at": svc.clock.now(), "actor": actor()})
    except DomainError as exc:
        show_error(form, exc, record_id)
        return None
    settle(receipt.position)
    return receipt


def settle(position: int | None) -> None:
    """Wait (bounded) for the projections to apply ``position``, then end this request's read
    transaction: a snapshot taken before the command would not show its result."""
    if not wait_for_position(position):
        flash("Saved. The lists are still catching up: reload in a moment to see the change.", "warning")
    read_session.rollback()


class CommandView(ListView):
    create_command: Create | None = None
    create_form_class: type[CommandForm] | None = None
    edit_command: Command | None = None
    edit_form_class: type[RowForm] | None = None
    row_commands: tuple[RowCommand, ...] = ()
    form_ajax_refs = AJAX_REFS
    command_template = "admin/views/command.html"
    bulk_template = "admin/views/bulk.html"
    can_delete = False  # records are never deleted: they are retracted, cancelled, closed...

    @property  # type: ignore[override]
    def can_create(self) -> bool:
        return self.create_command is not None and self.can_write()

    @property  # type: ignore[override]
    def can_edit(self) -> bool:
        return self.edit_command is not None and self.can_write()

    def get_create_form(self) -> Any:
        return self.create_form_class or CommandForm

    def get_edit_form(self) -> Any:
        return self.edit_form_class or RowForm

    def create_form(self, obj: Any = None) -> Any:
        """Prefilled from the query string (``?customer_id=...`` from a customer's page)."""
        form_class = self.get_create_form()
        prefill = {k: v for k, v in request.args.items() if isinstance(getattr(form_class, k, None), UnboundField)}
        for name, loader in AJAX_REFS.items():
            if name in prefill:  # a malformed id prefills nothing, as an unknown one does
                key = primary_key(loader.model, prefill[name])
                prefill[name] = None if key is None else loader.get_one(key)
        form = load_choices(form_class(get_form_data(), obj=obj, **prefill))
        if isinstance(form, CreateForm):
            form.draw_submission()
        for field in form:
            if isinstance(field, StaffField) and field.blank is None and not field.data:
                field.data = staff_ref(current_user.id)  # owner: the user, unless they pick someone else
        return form

    def edit_form(self, obj: Any = None) -> Any:
        return load_choices(self.get_edit_form()(get_form_data(), obj=obj, version=self.version_of(obj)))

    def create_model(self, form: Any) -> Any:
        command = self.create_command
        assert command is not None
        record_id = form.record_id() if isinstance(form, CreateForm) else None

        def create(app: Touchline, common: dict[str, Any]) -> Receipt:
            if record_id is None:
                return command(app, form.values(), common)
            try:
                return command(app, form.values(), {**common, "id": record_id})
            except AlreadyExistsError:
                if record_id not in app.repository:
                    raise  # something else of that name (an email taken...), not this form again
                flash("This form was sent twice: the record was saved once, the first time.", "info")
                g.sent_twice = True  # Flask-Admin's "successfully created" would say otherwise
                return Receipt(record_id, app.repository.get(record_id).version, None)

        receipt = issue(form, create)
        if receipt is None:
            return False
        return self.get_one(str(receipt.id)) or True

    def update_model(self, form: Any, model: Any) -> bool:
        command = self.edit_command
        assert command is not None
        if self.version_missing(form, model):
            return False
        common = {"expected_version": form.expected_version()}
        receipt = issue(form, lambda app, c: command(app, UUID(model.id), form.values(), {**c, **common}), model.id)
        return receipt is not None

    def delete_model(self, model: Any) -> bool:
        flash("Records are never deleted: use a command such as cancel, retract or close.", "error")
        return False

    def get_save_return_url(self, model: Any, is_created: bool = False) -> str:
        if g.get("sent_twice"):  # called right after Flask-Admin flashed its success: take that back
            session["_flashes"] = [f for f in session.get("_flashes", []) if f[0] != "success"]
        if model is not True and model is not None:
            return str(self.get_url(".details_view", id=model.id))
        return str(super().get_save_return_url(model, is_created))

    def version_of(self, model: Any) -> int | None:
        """The version of the record the user is looking at (read models keep it)."""
        return getattr(model, "version", None)

    def version_missing(self, form: RowForm, model: Any) -> bool:
        """``version_missing(form)`` for a record that has versions."""
        return self.version_of(model) is not None and version_missing(form)

    # Commands on one record ---------------------------------------------------------
    def commands_for(self, model: Any) -> list[RowCommand]:
        """The commands the details page offers for ``model`` (none to readers)."""
        if not self.can_write():
            return []
        return [c for c in self.row_commands if c.offered(model)]

    def command_form(self, command: RowCommand, model: Any = None) -> RowForm:
        version = self.version_of(model) if model is not None else None
        data = get_form_data()
        # Only a form being opened takes the record's values: a posted one is what the user sent.
        current = {name: getattr(model, name) for name in command.prefill} if model is not None and data is None \
            else {}
        return load_choices(command.form(data, version=version, **current))  # type: ignore[return-value]

    def _command(self, name: str) -> RowCommand:
        found = next((c for c in self.row_commands if c.name == name), None)
        if found is None:
            abort(404)
        return found

    @expose("/act/<command_name>/", methods=("GET", "POST"))
    @require_write
    def act_view(self, command_name: str) -> Any:
        command = self._command(command_name)
        model = self.get_one(request.args.get("id", ""))
        if model is None:
            abort(404)
        return_url = get_redirect_target() or self.get_url(".details_view", id=model.id)
        form = self.command_form(command, model)
        if request.method == "POST" and not form.validate():
            flash("Not saved: check the fields marked below.", "error")
        elif request.method == "POST" and not (command.versioned and self.version_missing(form, model)):
            common = {"expected_version": form.expected_version()} if command.versioned else {}
            receipt = issue(form, lambda app, c: command.run(app, UUID(model.id), form.values(), {**c, **common}),
                            model.id)
            if receipt is not None:
                flash(command.done or f"{command.label}: done for {model}.", "success")
                return redirect(return_url)
        return self.render(self.command_template, form=form, model=model, command=command, return_url=return_url,
                           details=self._details_columns, get_value=self.get_detail_value)

    # Bulk actions -------------------------------------------------------------------
    def init_actions(self) -> None:
        super().init_actions()
        for command in self.row_commands:
            if command.bulk:
                self._actions.append((command.name, command.label))
                self._actions_data[command.name] = (partial(self._bulk_start, command), command.label, None)

    def _bulk_start(self, command: RowCommand, ids: list[str]) -> Any:
        """The list's action: run at once when there is nothing to fill in, else show the form."""
        form = self.command_form(command)
        if not form.has_input():
            return self._bulk_run(command, form, ids)
        form = load_choices(command.form())  # a fresh form: the action's POST is not its input
        return self.render(self.bulk_template, form=form, command=command, ids=ids,
                           return_url=get_redirect_target() or self.get_url(".index_view"))

    @expose("/bulk/<command_name>/", methods=("POST",))
    @require_write
    def bulk_view(self, command_name: str) -> Any:
        command = self._command(command_name)
        ids = request.form.getlist("rowid")
        form = self.command_form(command)
        if form.validate():
            return self._bulk_run(command, form, ids)
        return self.render(self.bulk_template, form=form, command=command, ids=ids,
                           return_url=get_redirect_target() or self.get_url(".index_view"))

    def _bulk_run(self, command: RowCommand, form: RowForm, ids: list[str]) -> Response:
        svc, done, last = services(), 0, 0
        skipped: dict[str, list[str]] = {}
        common = {"occurred_at": svc.clock.now(), "actor": actor()}
        for record_id in ids:
            model = self.get_one(record_id)
            if model is None:
                flash(f"{command.label}: record {record_id} not found.", "error")
                continue
            reason = command.bulk_skip(model)
            if reason is not None:
                skipped.setdefault(reason, []).append(str(model))
                continue
            # The version the run judged the row by: a change the lists do not show yet is a
            # conflict, not overridden.
            seen = {"expected_version": self.version_of(model)} if command.versioned else {}
            try:
                receipt = command.run(svc.app, UUID(model.id), form.values(), {**common, **seen})
            except DomainError as exc:
                changed = domain_error(exc).error_code in CONFLICTS
                flash(f"{command.label}: {model}: " + ("changed by someone else meanwhile; left as it is."
                                                       if changed else str(exc)), "error")
                continue
            done, last = done + 1, max(last, receipt.position or 0)
        settle(last)
        summary = "".join(f"; {len(rows)} {reason} {'was' if len(rows) == 1 else 'were'} left: {', '.join(rows)}"
                          for reason, rows in skipped.items())
        flash(f"{command.label}: done for {done} of {len(ids)} selected{summary}.",
              "success" if done == len(ids) else "info")
        return redirect(get_redirect_target() or self.get_url(".index_view"))
