"""The satisfaction survey page: ``/survey/<token>`` from the survey message. GET asks for a
rating from 1 to 5 and a comment; POST records them as the case's CSAT (once per resolution)."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length

from domain.cases.model import Case
from domain.customers.outreach import SurveyAnsweredError, SurveyClosedError
from domain.errors import DomainError, NotFoundError
from scheduler.links import read_survey_token
from web.public.forms import storable_text
from web.public.pages import Page, limit_address, link_settings, public_error
from web.services import services

blp = Blueprint("public_surveys", __name__)
SCORES = [("5", "5 - very good"), ("4", "4 - good"), ("3", "3 - fair"), ("2", "2 - poor"), ("1", "1 - very poor")]
PICK = "Please choose a rating from 1 (very poor) to 5 (very good)."


class SurveyForm(FlaskForm):
    # One message for a missing or unknown score (not wtforms' "Not a valid choice" as well).
    score = RadioField("How did we do?", choices=SCORES, validate_choice=False,
                       validators=[InputRequired(PICK), AnyOf([v for v, _ in SCORES], message=PICK)])
    comment = TextAreaField("Anything you would like to tell us? (optional)",
                            validators=[Length(max=5000, message="Please keep the comment under 5,000 characters."),
                                        storable_text])


def _closed(case: Case, resolution: int) -> tuple[str, int] | None:
    if case.rated_resolution == resolution:
        return public_error(409, "Thank you", "You have answered this survey already; we have your rating.")
    if not case.survey_open(resolution):
        return public_error(410, "This survey is closed",
                            "Your request was reopened or resolved again since we asked; there is nothing to rate.")
    return None


@blp.route("/survey/<token>", methods=["GET", "POST"])
def survey(token: str) -> Page:
    """Rate a resolved case; 404 for a link we did not write, 409/410 when it cannot be answered."""
    found = read_survey_token(link_settings().link_key, token)
    if found is None:
        return public_error(404, "Link not valid", "This survey link is not valid. Please use the link in our message.")
    case_id, resolution = found
    app = services().app
    try:
        case = app.get_case(case_id)
    except NotFoundError:
        return public_error(404, "Link not valid", "We cannot find the request this survey is about.")
    form = SurveyForm()
    if (problem := _closed(case, resolution)) is not None:
        return problem
    if not form.is_submitted():
        return render_template("public/survey.html", form=form, case=case)
    if (limited := limit_address()) is not None:
        return limited
    if not form.validate():
        return render_template("public/survey.html", form=form, case=case), 400
    try:
        app.answer_survey(case_id, resolution=resolution, score=int(form.score.data),
                          comment=(form.comment.data or "").strip(), occurred_at=services().clock.now())
    except (SurveyAnsweredError, SurveyClosedError):  # answered in another tab meanwhile
        return _closed(app.get_case(case_id), resolution) or public_error(409, "Thank you", "We have your rating.")
    except DomainError as exc:
        return public_error(400, "Not recorded", str(exc))
    return render_template("public/thanks.html", title="Thank you",
                           message="Thank you for your rating; it helps us do better.")
