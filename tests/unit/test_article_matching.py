"""Matching articles to a case: tags weigh more than title words, plurals and case do not
matter, ties go to the newest article, at most three, and nothing that does not match."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.knowledge.matching import ArticleCard, match_articles, score, words

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def card(key: str, title: str, tags: str, age_days: int = 0) -> ArticleCard:
    return ArticleCard(key, title, tuple(tags.split()), T0 - timedelta(days=age_days))


JAM = card("jam", "Clearing a paper jam", "printer paper-jam")
INK = card("ink", "Replacing the ink cartridge", "printer ink")
REFUND = card("refund", "How refunds work", "billing refund")
WIFI = card("wifi", "Connecting the printer to Wi-Fi", "wifi network")


def test_words_ignore_case_plurals_punctuation_and_common_words() -> None:
    assert words("The Printers JAM, again!") == {"printer", "jam", "again"}
    assert words(None, "Access glass") == {"access", "glass"}  # "ss" is not a plural


def test_a_tag_counts_three_times_a_title_word_and_a_hyphenated_tag_needs_all_its_words() -> None:
    case = words("My printer has a paper jam")
    assert score(JAM, case) == 3 + 3 + 2  # printer, paper-jam; title: paper, jam
    assert score(INK, case) == 3  # printer
    assert score(JAM, words("paper towels")) == 1  # "paper" alone is not the tag paper-jam, but a title word


def test_the_best_three_come_first_and_what_does_not_match_is_left_out() -> None:
    found = match_articles([REFUND, INK, WIFI, JAM], "Printer jams", "Paper stuck in the printer, wifi is fine")
    assert [a.id for a in found] == ["jam", "wifi", "ink"]
    assert match_articles([REFUND], "Printer jams") == []


def test_ties_go_to_the_newest_then_the_title_and_the_order_never_depends_on_the_input_order() -> None:
    old = card("old", "Printer basics", "printer", age_days=30)
    new = card("new", "Printer setup", "printer", age_days=1)
    same_day = card("b", "A printer guide", "printer", age_days=1)
    for articles in ([old, new, same_day], [same_day, old, new]):
        assert [a.id for a in match_articles(articles, "printer broken")] == ["b", "new", "old"]


def test_at_most_the_limit() -> None:
    many = [card(f"a{i}", f"Refund {i}", "refund") for i in range(5)]
    assert len(match_articles(many, "refund please")) == 3
    assert len(match_articles(many, "refund please", limit=1)) == 1
