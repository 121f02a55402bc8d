"""The public survey and unsubscribe pages with bad input: links we did not write, expired
links, bad answers, missing CSRF tokens, a second answer, too many posts. Each answers a clear
4xx page and records nothing. (Storage plays no part here: SQLite only.)"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from flask.testing import FlaskClient

from tests.scheduler.conftest import ADMIN, World
from tests.scheduler.outreach import (
    enable_outreach,
    link_in,
    path_of,
    public_app,
    submit,
)
from tests.web.admin.conftest import form_token
from web.public.pages import BURST

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@dataclass
class Pages:
    world: World
    client: FlaskClient
    survey: str  # the paths of the links in the survey message
    unsubscribe: str
    case_id: UUID

    def events(self) -> int:
        return self.world.app.recorder.max_notification_id() or 0


@pytest.fixture
def pages(world: World, database_url: str) -> Iterator[Pages]:
    enable_outreach(world)
    case_id = world.case()
    world.app.resolve_case(case_id, resolution="Done", occurred_at=world.clock.now(), actor=ADMIN)
    world.clock.advance(hours=25)
    world.tick()
    text = world.sink.messages[-1].get_content()
    web = public_app(database_url, world)
    yield Pages(world, web.test_client(), path_of(link_in(text, "survey")), path_of(link_in(text, "unsubscribe")),
                case_id)
    web.extensions["touchline"].close()


def forged(path: str) -> str:
    """The same link with its last character changed."""
    return path[:-1] + ("A" if path[-1] != "A" else "B")


@pytest.mark.parametrize("which", ["survey", "unsubscribe"])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_forged_or_altered_link_is_a_404_page(pages: Pages, which: str, method: str) -> None:
    before = pages.events()
    good = getattr(pages, which)
    kind, _, token = good.strip("/").partition("/")
    for bad in (forged(good), f"/{kind}/{token.partition('.')[0]}", f"/{kind}/nonsense", f"/{kind}/{'x' * 300}"):
        answer = pages.client.open(bad, method=method, data={"score": "5"})
        assert answer.status_code in (400, 404), bad  # 400: a POST without its CSRF token stops first
        if method == "GET":
            assert answer.status_code == 404
            assert "link is not valid" in answer.get_data(as_text=True)
    assert pages.events() == before


def test_another_secret_key_makes_every_link_invalid(pages: Pages, database_url: str) -> None:
    other = public_app(database_url, pages.world)
    other.config["SECRET_KEY"] = "another-secret"
    other.extensions.pop("touchline_link_settings", None)
    try:
        assert other.test_client().get(pages.survey).status_code == 404
    finally:
        other.extensions["touchline"].close()


def test_an_unsubscribe_link_older_than_its_validity_is_a_410_page(pages: Pages) -> None:
    pages.world.clock.advance(days=366)
    answer = pages.client.get(pages.unsubscribe)
    assert answer.status_code == 410
    assert "This unsubscribe link has expired" in answer.get_data(as_text=True)
    one_click = pages.client.post(pages.unsubscribe + "/one-click", data={"List-Unsubscribe": "One-Click"})
    assert one_click.status_code == 410
    assert pages.world.app.get_customer(pages.world.customer).consents.get("surveys") is None


@pytest.mark.parametrize("data, field, message", [
    ({}, "score", "Please choose a rating from 1 (very poor) to 5 (very good)."),
    ({"score": "9"}, "score", "Please choose a rating from 1 (very poor) to 5 (very good)."),
    ({"score": "five"}, "score", "Please choose a rating from 1 (very poor) to 5 (very good)."),
    ({"score": "3", "comment": "x" * 5001}, "comment", "Please keep the comment under 5,000 characters."),
])
def test_a_bad_answer_shows_the_form_again_with_what_is_wrong(pages: Pages, data: dict[str, str], field: str,
                                                              message: str) -> None:
    before = pages.events()
    answer = submit(pages.client, pages.survey, data)
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert f'id="{field}-error"' in html and message in html
    assert pages.events() == before


def test_a_post_without_its_csrf_token_is_refused(pages: Pages) -> None:
    before = pages.events()
    assert pages.client.post(pages.survey, data={"score": "5"}).status_code == 400
    assert pages.client.post(pages.unsubscribe).status_code == 400
    assert pages.events() == before


def test_a_second_answer_is_refused_politely(pages: Pages) -> None:
    page = pages.client.get(pages.survey)
    token = form_token(page)
    assert pages.client.post(pages.survey, data={"score": "5", "csrf_token": token}).status_code == 200
    again = pages.client.post(pages.survey, data={"score": "1", "csrf_token": token})  # the old tab
    assert again.status_code == 409
    assert "You have answered this survey already" in again.get_data(as_text=True)
    assert [e.score for e in pages.world.app.events.get(pages.case_id) if hasattr(e, "score")] == [5]


def test_the_one_click_post_needs_its_body_and_a_get_goes_to_the_page(pages: Pages) -> None:
    before = pages.events()
    wrong = pages.client.post(pages.unsubscribe + "/one-click", data={"List-Unsubscribe": "yes"})
    assert wrong.status_code == 400
    assert "List-Unsubscribe=One-Click" in wrong.get_data(as_text=True)
    follow = pages.client.get(pages.unsubscribe + "/one-click")
    assert follow.status_code == 302 and follow.headers["Location"].endswith(pages.unsubscribe)
    assert pages.events() == before


def test_unsubscribing_twice_records_once_and_the_link_then_says_so(pages: Pages) -> None:
    page = pages.client.get(pages.unsubscribe)
    assert submit(pages.client, pages.unsubscribe).status_code == 200
    after_first = pages.events()
    again = pages.client.post(pages.unsubscribe, data={"csrf_token": form_token(page)})  # the old page, sent again
    assert again.status_code == 200 and pages.events() == after_first
    opened = pages.client.get(pages.unsubscribe).get_data(as_text=True)  # the link followed later
    assert "You are unsubscribed already" in opened and 'id="unsubscribe"' not in opened


def test_too_many_posts_from_one_address_get_a_429_page(pages: Pages) -> None:
    for _ in range(BURST):
        pages.client.post(pages.unsubscribe + "/one-click", data={"List-Unsubscribe": "no"})
    answer = pages.client.post(pages.unsubscribe + "/one-click", data={"List-Unsubscribe": "One-Click"})
    assert answer.status_code == 429
    assert "Please wait" in answer.get_data(as_text=True)
    pages.world.clock.advance(minutes=1)  # the limit refills with the (injected) clock
    assert pages.client.post(pages.unsubscribe + "/one-click",
                             data={"List-Unsubscribe": "One-Click"}).status_code == 200
