"""What command forms share: the base form, fields for business time, colleagues, teams and
records picked by search, and the choices they offer (read when the form is built).

Forms check only what a browser can get wrong (a date that is not a date); the rules stay in
the domain, whose errors ``web.admin.commands`` puts on the field they name.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

import sqlalchemy as sa
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.form import BaseForm
from flask_admin.model.fields import AjaxSelectField
from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import ValidationError

from domain.directory import STAFF_ROLES
from projections import models
from projections.views.directory import pipeline_stages, users
from web.admin.views.base import read_session
from web.admin.views.display import staff_ref
from web.services import services


class CommandForm(BaseForm):
    """A command's input. ``values()`` gives the command's arguments: records picked by search
    as their ids, blank optional choices as None."""

    # Domain field names that are not form field names: {domain name: form field}.
    aliases: dict[str, str] = {}

    def values(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, field in self._fields.items():
            if name in ("csrf_token", "version", "submission"):
                continue
            value = field.data
            if isinstance(value, models.ReadModel):
                value = UUID(str(value.id))
            elif value == "" and isinstance(field, SelectField):
                value = None
            found[name] = value
        return found

    def field_for(self, domain_name: str) -> Any:
        """The field a domain error names (``contact_points[0].value`` -> ``contact_points``)."""
        for name in (domain_name, domain_name.split("[")[0].split(".")[0]):
            name = self.aliases.get(name, name)
            if name in self._fields:
                return self._fields[name]
        return None

    def has_input(self) -> bool:
        """Whether the user has anything to fill in (else a button is enough)."""
        return any(f.type not in ("HiddenField", "CSRFTokenField") for f in self)


class CreateForm(CommandForm):
    """A form that creates a record. It carries a one-time ``submission`` id, drawn when the
    form is opened; the new record's id is derived from it and from what was typed: the same
    form sent twice (a double click, a resend after a timeout) names the same record, so it is
    saved once, while the form sent again with other content (back, edit, save) is a new record."""

    submission = HiddenField()

    def draw_submission(self) -> None:
        if not self.submission.data:
            self.submission.data = uuid4().hex

    def record_id(self) -> UUID | None:
        try:
            drawn = UUID(hex=str(self.submission.data or ""))
        except ValueError:  # a crafted or stripped field: an ordinary create, as before
            return None
        typed = json.dumps(self.values(), sort_keys=True, default=str)
        return uuid5(NAMESPACE_URL, f"/admin/submissions/{drawn}/{hashlib.sha256(typed.encode()).hexdigest()}")


class RowForm(CommandForm):
    """A command on an existing record: carries the version the user saw, so a change made by
    someone else meanwhile is reported as a conflict instead of silently overridden."""

    version = HiddenField()

    def expected_version(self) -> int | None:
        raw = (self.version.data or "").strip() if isinstance(self.version.data, str) else self.version.data
        return int(raw) if raw not in (None, "") and str(raw).isdigit() else None


class ListedField(SelectField):
    """A choice the list offers, and nothing else: a crafted POST cannot send a value the form
    never showed (``load_choices`` fills the list per request; ``refusal`` says what to do)."""

    refusal = "Pick one from the list."

    def pre_validate(self, form: Any) -> None:
        if (self.data or "") not in {value for value, _ in self.choices}:  # not sent: the blank, if offered
            raise ValidationError(self.refusal)


class StaffField(ListedField):
    """A colleague (active admins and agents), sent as ``user:<id>``: work cannot go to nobody."""

    refusal = "Pick a colleague from the list (an active admin or agent)."

    def __init__(self, label: str, *, blank: str | None = None, **kwargs: Any) -> None:
        super().__init__(label, choices=[], validate_choice=False, **kwargs)
        self.blank = blank

    def load_choices(self) -> None:
        with services().views.connect() as conn:
            rows = conn.execute(sa.select(users.c.id, users.c.name, users.c.team)
                                .where(users.c.active.is_(True), users.c.role.in_(STAFF_ROLES))
                                .order_by(users.c.name)).all()
        choices = [(staff_ref(r.id), f"{r.name} ({r.team})" if r.team else r.name) for r in rows]
        self.choices = ([("", self.blank)] if self.blank is not None else []) + choices


class TeamField(ListedField):
    """A team, from the teams users belong to; blank when ``blank`` is given."""

    refusal = "Pick a team from the list (the teams of the people who work cases)."

    def __init__(self, label: str, *, blank: str = "", **kwargs: Any) -> None:
        super().__init__(label, choices=[], validate_choice=False, **kwargs)
        self.blank = blank

    def load_choices(self) -> None:
        with services().views.connect() as conn:
            teams = conn.execute(sa.select(users.c.team).where(users.c.team.is_not(None)).distinct()
                                 .order_by(users.c.team)).scalars().all()
        self.choices = [("", self.blank)] + [(t, t) for t in teams]


class StageField(SelectField):
    """An open stage of the pipeline, in order."""

    def __init__(self, label: str, **kwargs: Any) -> None:
        super().__init__(label, choices=[], validate_choice=False, **kwargs)

    def load_choices(self) -> None:
        with services().views.connect() as conn:
            self.choices = [(s, s) for s in pipeline_stages(conn)]


def load_choices(form: BaseForm) -> BaseForm:
    """Fill the choices of fields that read them (colleagues, teams, stages) for this request."""
    for field in form:
        if hasattr(field, "load_choices"):
            field.load_choices()
    return form


def choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ").capitalize()) for v in values]


class ActiveCustomers(QueryAjaxModelLoader):
    """Customers found by name or email, merged duplicates left out; shown as "name <email>"."""

    def get_query(self) -> Any:
        return super().get_query().filter(models.Customer.merged_into.is_(None))

    def format(self, model: Any) -> tuple[Any, str] | None:
        if not model:
            return None
        return model.id, f"{model.name} <{model.email}>" if model.email else str(model.name)


class CasesByCode(QueryAjaxModelLoader):
    def format(self, model: Any) -> tuple[Any, str] | None:
        return (model.id, f"{model.tracking_code} {model.subject}") if model else None


customer_loader = ActiveCustomers("customer_id", read_session, models.Customer, fields=["name", "email"],
                                  placeholder="Type a name or an email", order_by=models.Customer.name_key)
case_loader = CasesByCode("case_id", read_session, models.Case, fields=["tracking_code", "subject"],
                          placeholder="Type a tracking code or a subject")
AJAX_REFS = {"customer_id": customer_loader, "case_id": case_loader}


def customer_field(label: str = "Customer", **kwargs: Any) -> AjaxSelectField:
    return AjaxSelectField(customer_loader, label, **kwargs)


class OptionalRecordField(AjaxSelectField):
    """A record that may be left blank; an id that names no record is an error on the field
    (Flask-Admin's field took it for blank, and the link was silently dropped)."""

    def pre_validate(self, form: BaseForm) -> None:
        super().pre_validate(form)
        if self.raw_data and self.raw_data[0] not in ("", "__None") and self.data is None:
            raise ValidationError("No such record: pick one from the list, or leave it blank.")


def case_field(label: str = "Case", **kwargs: Any) -> AjaxSelectField:
    return OptionalRecordField(case_loader, label, allow_blank=True, **kwargs)


class HandOverForm(RowForm):
    """An open promise or deal given to a colleague, with a note."""

    aliases = {"owner": "to_owner"}
    to_owner = StaffField("Hand over to")
    note = TextAreaField("Note for them", render_kw={"rows": 3},
                         description="What was agreed with the customer, so they carry it on as agreed.")
