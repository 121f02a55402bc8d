"""The acknowledgement of a new case links up to three published articles matched to what the
customer wrote, on the public pages; drafts and retired articles are never linked."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from tests.scheduler.conftest import ADMIN, World, define_policy

EMAIL_IN = {"channel": "email", "direction": "inbound", "kind": "inquiry", "subject": "Printer jams",
            "summary": "Paper is stuck in the tray of my printer", "contact_point": "ada.l@work.example"}


def article(world: World, title: str, tags: str, *, publish: bool = True, days_ago: int = 0) -> UUID:
    at = world.clock.now() - timedelta(days=days_ago)
    article_id = world.app.draft_article(title=title, body="Some help.", tags=tags, occurred_at=at, actor=ADMIN).id
    if publish:
        world.app.publish_article(article_id, occurred_at=at, actor=ADMIN)
    return article_id


def links_in(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("- ")]


def test_the_acknowledgement_links_the_best_matched_articles_with_the_code_and_the_expected_time(world: World
                                                                                                ) -> None:
    define_policy(world, first_response=90)
    jam = article(world, "Clearing a paper jam", "printer paper-jam tray")  # 3 tags + 2 title words: 11
    article(world, "Replacing the ink", "printer ink", days_ago=2)  # 3: fourth, left out
    tray = article(world, "Loading the paper tray", "tray paper", days_ago=1)  # 8
    article(world, "How refunds work", "billing refund")  # 0: never linked
    guide = article(world, "Old printer guide", "printer")  # 4
    case_id = world.case(touchpoint=EMAIL_IN)
    world.tick()
    ack, = world.sink.messages
    text = ack.get_content()
    assert f"[{world.app.get_case(case_id).tracking_code}]" in ack["Subject"]
    assert "(within 1 hour 30 minutes)" in text
    assert "These articles may help you meanwhile:" in text
    assert links_in(text) == [f"- Clearing a paper jam: http://127.0.0.1:5000/articles/{jam}",
                              f"- Loading the paper tray: http://127.0.0.1:5000/articles/{tray}",
                              f"- Old printer guide: http://127.0.0.1:5000/articles/{guide}"]


def test_the_links_use_the_configured_public_address_and_a_case_without_touchpoint_matches_its_description(
    world: World
) -> None:
    world.ctx.settings = replace(world.ctx.settings, public_url="https://help.shop.example/")
    refund = article(world, "How refunds work", "billing refund")
    world.app.open_case(customer_id=world.customer, subject="Question", description="I want a refund",
                        channel="email", occurred_at=world.clock.now(), actor=world.agent_ref)
    world.tick()
    ack, = world.sink.messages
    assert links_in(ack.get_content()) == [f"- How refunds work: https://help.shop.example/articles/{refund}"]


def test_drafts_and_retired_articles_are_not_linked_and_without_a_match_there_is_no_paragraph(world: World
                                                                                              ) -> None:
    article(world, "Clearing a paper jam", "printer paper-jam", publish=False)
    retired = article(world, "Printer troubles", "printer")
    world.app.retire_article(retired, reason="Outdated", occurred_at=world.clock.now(), actor=ADMIN)
    article(world, "How refunds work", "billing refund")
    world.case(touchpoint=EMAIL_IN)
    world.tick()
    ack, = world.sink.messages
    assert "articles may help" not in ack.get_content()
    assert links_in(ack.get_content()) == []
