"""The template editor's check: each objection is attributed to the field it concerns, and a
value the purpose does not offer is found even in a branch the sample values do not take."""

from __future__ import annotations

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
