"""The template editor's check: each objection is attributed to the field it concerns, and a
value the purpose does not offer is found even in a branch the sample values do not take."""

from __future__ import annotations

import pytest

from scheduler.templates import BUILT_IN, preview, template_errors


def test_each_field_gets_its_own_objection() -> None:
    errors = template_errors("owner_reminder", "Due {{ due }", "{{ what.__class__ }}")
    assert set(errors) == {"subject", "body"}
    assert errors["subject"].startswith("TemplateSyntaxError") and "(line 1)" in errors["subject"]
    assert errors["body"].startswith("SecurityError")


def test_an_unknown_value_is_found_in_a_branch_the_sample_does_not_take() -> None:
    errors = template_errors("customer_apology", "Sorry", "{% if not what %}{{ coupon }}{% endif %}")
    assert errors == {"body": "UndefinedError: 'coupon' is undefined; this template can use contact, customer, "
                              "due, escalate_after, owner, reference, what"}


def test_loops_and_filters_over_offered_values_pass() -> None:
    assert template_errors("acknowledgement", "{{ code | lower }}",
                           "{% for w in subject.split() %}{{ w }} {% endfor %}{{ articles }}") == {}


def test_the_acknowledgement_offers_the_article_links_and_a_template_without_them_still_works() -> None:
    _, body = preview("acknowledgement", *BUILT_IN["acknowledgement"])
    assert "These articles may help you meanwhile:" in body
    assert template_errors("acknowledgement", "[{{ code }}]", "Thanks, {{ customer }}.") == {}


@pytest.mark.parametrize(("body", "error"), [
    ("{{ 1/0 }}", "ZeroDivisionError"),
    ("{{ customer|truncate(-1) }}", "AssertionError"),
    ("{{ customer|wordwrap(0) }}", "ValueError"),
    ("{{ customer|slice(0)|list }}", "ZeroDivisionError"),
    ("{{ range(10**6)|list }}", "OverflowError"),
])
def test_whatever_a_template_raises_is_its_objection(body: str, error: str) -> None:
    """Not only Jinja's own errors: any exception of the preview is the template's (was a 500)."""
    assert template_errors("customer_apology", "Sorry", body)["body"].startswith(f"{error}: ")


@pytest.mark.parametrize("body", [
    "{{ 'a' * 999999999 }}", "{{ [1] * 10**8 }}", "{{ 9**9**9 }}", "{{ 2**1000 }}",
    "{{ customer|center(999999999) }}", "{{ customer|center('99999999999'|int) }}", "{{ customer.ljust(10**9) }}",
    "{{ customer * 999999 }}",
])
def test_a_template_that_would_render_for_minutes_is_refused_before_it_does(body: str) -> None:
    assert template_errors("customer_apology", "Sorry", body)["body"].startswith("SecurityError: ")


def test_ordinary_arithmetic_and_repetition_still_work() -> None:
    subject, body = preview("customer_apology", "{{ '-' * 20 }}", "{{ 2 * 3 }} {{ 2 ** 10 }} {{ customer|center(30) }}")
    assert subject == "-" * 20 and body.startswith("6 1024 ")
