"""Satisfaction surveys: sent once per resolution, ``survey_delay`` after it, unless the case was
reopened, rated, or the customer opted out; answered once on the public page as the case's CSAT."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.messages.model import message_uuid
from projections.queries.customers import get_timeline
from scheduler.context import SchedulerContext
from scheduler.directory import Directory
from scheduler.surveys import _notice, send_surveys
from scheduler.templates import TemplateBook
from tests.scheduler.conftest import ADMIN, World
from tests.scheduler.outreach import (
    PUBLIC_URL,
    enable_outreach,
    link_in,
    outreach_fixture,  # noqa: F401 - the fixture ``outreach``
    path_of,
    public_app,
    submit,
)
from web.services import build_services


def resolved_case(world: World) -> UUID:
    case_id = world.case()
    world.app.resolve_case(case_id, resolution="Replaced the roller", occurred_at=world.clock.now(),
                           actor=world.agent_ref)
    return case_id


def surveys_to_ada(world: World) -> list[object]:
    return [m for m in world.mail_to("ada@example.com") if m["Subject"].endswith("How did we do?")]


def test_the_survey_goes_out_a_day_after_resolution_once_with_its_links(outreach: World) -> None:
    case_id = resolved_case(outreach)
    outreach.tick()
    outreach.clock.advance(hours=23, minutes=59)
    outreach.tick()
    assert surveys_to_ada(outreach) == []  # not yet: the delay is 24 hours
    outreach.clock.advance(minutes=1)
    outreach.tick()
    outreach.clock.advance(hours=1)
    outreach.tick()
    survey, = surveys_to_ada(outreach)
    case = outreach.app.get_case(case_id)
    assert survey["Subject"] == f"[{case.tracking_code}] How did we do?"
    assert case.surveys == {1: str(message_uuid(f"case-survey/{case_id}/1"))}
    assert survey["Message-ID"] == outreach.app.get_message(UUID(case.surveys[1])).message_id
    text = survey.get_content()
    assert link_in(text, "survey").startswith(f"{PUBLIC_URL}/survey/s-{case_id.hex}-1.")
    unsubscribe = link_in(text, "unsubscribe")
    assert survey["List-Unsubscribe"] == f"<{unsubscribe}/one-click>"
    # As sent, not only as a parser decodes it: a provider looks for "<https://..." itself (RFC 2369).
    assert dict(survey.raw_items())["List-Unsubscribe"] == f"<{unsubscribe}/one-click>"
    assert survey["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    with outreach.services.views.connect() as conn:  # and the agent sees it on the customer's timeline
        lines = [t["summary"] for t in get_timeline(conn, str(outreach.customer), sort="-position").items]
    assert f"Case {case.tracking_code}: satisfaction survey sent" in lines


def test_two_schedulers_racing_record_one_survey(outreach: World, database_url: str) -> None:
    case_id = resolved_case(outreach)
    outreach.clock.advance(hours=25)
    outreach.catch_up()
    other = build_services({"DATABASE_URL": database_url}, clock=outreach.clock)
    try:
        rival = SchedulerContext(other.app, other.views, outreach.clock, outreach.ctx.settings)
        stale = other.app.get_case(case_id)  # the rival read the case before the first saved
        with other.views.connect() as conn:
            directory = Directory(conn)
            directory.load(customer_ids=[stale.customer_id])
        notice = _notice(rival, stale, directory, TemplateBook())
        first = send_surveys(outreach.ctx)
        late = rival.issue([notice], {stale.id: stale})
        again = send_surveys(rival)  # its next scan: the view is behind, the case is not
    finally:
        other.close()
    assert (first.done, first.messages) == (1, 1)
    assert (late.done, late.messages, late.already + late.conflicts) == (0, 0, 1)
    assert (again.done, again.messages) == (0, 0)
    outreach.tick()
    assert len(surveys_to_ada(outreach)) == 1
    assert len(outreach.app.get_case(case_id).surveys) == 1


@pytest.mark.parametrize("change", ["reopened", "rated", "opted_out", "erased"])
def test_no_survey_when_the_case_was_reopened_rated_or_the_customer_opted_out_or_was_erased(
        outreach: World, change: str) -> None:
    case_id = resolved_case(outreach)
    now = outreach.clock.now()
    if change == "reopened":
        outreach.app.reopen_case(case_id, reason="Still jams", occurred_at=now, actor=outreach.agent_ref)
    elif change == "rated":
        outreach.app.rate_case(case_id, score=4, occurred_at=now, actor=outreach.agent_ref)
    elif change == "erased":
        outreach.app.erase_customer(outreach.customer, reason="GDPR request", occurred_at=now, actor=ADMIN)
    else:
        outreach.app.withdraw_consent(outreach.customer, purpose="surveys", occurred_at=now, actor=ADMIN)
    outreach.clock.advance(hours=25)
    outreach.tick()
    assert surveys_to_ada(outreach) == []
    assert outreach.app.get_case(case_id).surveys == {}


def test_a_case_resolved_again_after_reopening_is_surveyed_again(outreach: World) -> None:
    case_id = resolved_case(outreach)
    outreach.clock.advance(hours=25)
    outreach.tick()
    now = outreach.clock.now()
    outreach.app.reopen_case(case_id, reason="Still jams", occurred_at=now, actor=outreach.agent_ref)
    outreach.app.resolve_case(case_id, resolution="New printer", occurred_at=now, actor=outreach.agent_ref)
    outreach.clock.advance(hours=25)
    outreach.tick()
    assert len(surveys_to_ada(outreach)) == 2
    assert sorted(outreach.app.get_case(case_id).surveys) == [1, 2]


def test_without_a_link_key_no_survey_is_sent(world: World) -> None:
    resolved_case(world)
    world.clock.advance(hours=25)
    world.tick()
    assert surveys_to_ada(world) == []


def test_the_answer_on_the_public_page_is_the_cases_csat_given_by_the_customer_once(
        outreach: World, database_url: str) -> None:
    case_id = resolved_case(outreach)
    outreach.clock.advance(hours=25)
    outreach.tick()
    survey, = surveys_to_ada(outreach)
    path = path_of(link_in(survey.get_content(), "survey"))
    web = public_app(database_url, outreach)
    client = web.test_client()
    try:
        refused = submit(client, path, {"score": "4", "comment": "Quick\x00 thanks"})
        assert refused.status_code == 400 and "Please remove the invisible control characters" in \
            refused.get_data(as_text=True).split('id="comment"', 1)[1][:800]  # in words, on the field
        answered = submit(client, path, {"score": "4", "comment": "Quick, thanks"})
        assert answered.status_code == 200
        assert "Thank you for your rating" in answered.get_data(as_text=True)
        case = outreach.app.get_case(case_id)
        assert case.satisfaction == 4
        rated = list(outreach.app.events.get(case_id))[-1]
        assert (type(rated).__name__, rated.comment, rated.actor) == \
            ("SatisfactionRated", "Quick, thanks", f"customer:{outreach.customer}")
        second = client.get(path)
        assert second.status_code == 409
        assert "You have answered this survey already" in second.get_data(as_text=True)
        assert outreach.app.get_case(case_id).version == case.version  # nothing more recorded
    finally:
        web.extensions["touchline"].close()


def test_a_survey_of_a_case_reopened_since_cannot_be_answered(outreach: World, database_url: str) -> None:
    case_id = resolved_case(outreach)
    outreach.clock.advance(hours=25)
    outreach.tick()
    survey, = surveys_to_ada(outreach)
    outreach.app.reopen_case(case_id, reason="Still jams", occurred_at=outreach.clock.now(), actor=ADMIN)
    web = public_app(database_url, outreach)
    try:
        page = web.test_client().get(path_of(link_in(survey.get_content(), "survey")))
        assert page.status_code == 410
        assert "This survey is closed" in page.get_data(as_text=True)
        assert outreach.app.get_case(case_id).satisfaction is None
    finally:
        web.extensions["touchline"].close()


def test_the_survey_delay_is_a_setting(outreach: World) -> None:
    enable_outreach(outreach, survey_delay=timedelta(hours=2))
    resolved_case(outreach)
    outreach.clock.advance(hours=2)
    outreach.tick()
    assert len(surveys_to_ada(outreach)) == 1
