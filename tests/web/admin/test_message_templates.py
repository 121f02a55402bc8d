"""Message templates in the panel: listed (search, sort, CSV), customised from the built-in
text and revised by admins with a preview on sample values; a template the sandbox refuses is
shown as errors on its fields and nothing is saved; one revised meanwhile is a conflict."""

from __future__ import annotations

import pytest

from scheduler.template_worker import RenderError
from scheduler.templates import BUILT_IN
from tests.web.admin.conftest import Panel, projecting
from tests.web.admin.matrix import READ, assert_matrix
from tests.web.admin.test_users import ADMIN_ONLY
from web.admin.views import templates as templates_view

NEW = "/admin/message-templates/new/?purpose=customer_apology"


def stored(panel: Panel, purpose: str = "customer_apology", subject: str = "Sorry, {{ customer }}") -> str:
    receipt = panel.services.app.save_message_template(purpose=purpose, subject=subject, body="{{ what }}",
                                                       occurred_at=panel.clock.now(), actor="system:test")
    panel.catch_up()
    return str(receipt.id)


def test_role_matrix_of_the_templates_views(panel: Panel) -> None:
    on = f"?id={stored(panel)}"
    assert_matrix(panel, [
        ("GET /admin/message-templates/", "", None, READ), ("GET /admin/message-templates/details/" + on, "", None, READ),
        ("GET /admin/message-templates/export/csv/", "", None, READ), ("GET " + NEW, "", None, ADMIN_ONLY),
        ("POST " + NEW, "", {"subject": ""}, ADMIN_ONLY),
        ("GET /admin/message-templates/edit/" + on, "", None, ADMIN_ONLY),
        ("POST /admin/message-templates/edit/" + on, "", {"subject": ""}, ADMIN_ONLY)])


def test_the_list_searches_sorts_exports_and_offers_the_purposes_still_built_in(panel: Panel) -> None:
    stored(panel, "owner_reminder", "Reminder for {{ owner }}")
    stored(panel, "customer_apology")
    admin = panel.client("admin")
    page = admin.get("/admin/message-templates/?search=reminder").get_data(as_text=True)
    assert "Reminder for {{ owner }}" in page and "Sorry, {{ customer }}" not in page
    listed = admin.get("/admin/message-templates/?sort=0").get_data(as_text=True)
    assert listed.index("customer_apology") < listed.index("owner_reminder")
    built_in = listed.split('id="list-description"', 1)[1].split("</p>", 1)[0]
    assert "purpose=acknowledgement" in built_in and "purpose=owner_reminder" not in built_in
    csv = admin.get("/admin/message-templates/export/csv/").get_data(as_text=True)
    assert "Reminder for {{ owner }}" in csv


def test_a_stored_template_a_stricter_check_now_refuses_is_named_above_the_list(panel: Panel) -> None:
    """Stored before the sandbox refused ``set``: its messages quietly fell back to the built-in text."""
    panel.services.app.save_message_template(purpose="owner_reminder", subject="Due: {{ what }}",
                                             body="{% set who = owner %}{{ who }}", occurred_at=panel.clock.now(),
                                             actor="system:test")
    stored(panel)
    listed = panel.client("agent").get("/admin/message-templates/").get_data(as_text=True)
    described = listed.split('id="list-description"', 1)[1].split("</p>", 1)[0]
    assert "so their messages use the built-in text:</strong> owner_reminder (SecurityError: {% set %}" in described
    assert "customer_apology (" not in described  # the valid one is not named


def test_the_list_checks_each_stored_text_once(panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    """A stored text that runs out of time costs a second per check: not one per page view."""
    stored(panel, subject="Checked once, {{ customer }}")
    checked = []
    real = templates_view.template_errors
    monkeypatch.setattr(templates_view, "template_errors", lambda *text: checked.append(text) or real(*text))
    for _ in range(3):
        assert panel.client("agent").get("/admin/message-templates/").status_code == 200
    assert checked == [("customer_apology", "Checked once, {{ customer }}", "{{ what }}")]


def test_customising_starts_from_the_built_in_text_with_its_preview(panel: Panel) -> None:
    page = panel.client("admin").get("/admin/message-templates/new/?purpose=acknowledgement").get_data(as_text=True)
    subject, _ = BUILT_IN["acknowledgement"]
    assert f'value="{subject}"' in page  # the built-in Jinja source, ready to edit
    preview = page.split('id="template-preview"', 1)[1]
    assert "[CASE-000123] We have received your request: Printer jams" in preview


def test_a_template_is_customised_then_revised_and_the_preview_saves_nothing(stored_panel: Panel) -> None:
    panel = stored_panel
    admin = panel.client("admin")
    with projecting(panel):
        before = panel.event_count()
        page = panel.post(admin, NEW, {"purpose": "customer_apology", "subject": "Sorry, {{ customer }}",
                                       "body": "{{ owner }} owes you {{ what }}.", "_preview": "Preview"})
        preview = page.get_data(as_text=True).split('id="template-preview"', 1)[1]
        assert "Sorry, Ada Lovelace" in preview and "Ann Agent owes you Send the refund form." in preview
        assert panel.event_count() == before
        assert panel.post(admin, NEW, {"purpose": "customer_apology", "subject": "Sorry, {{ customer }}",
                                       "body": "{{ owner }} owes you {{ what }}."}).status_code == 302
        template_id = str(panel.services.app.get_message_template("customer_apology").id)
        edit = f"/admin/message-templates/edit/?id={template_id}"
        assert panel.post(admin, edit, {"subject": "Our apologies", "body": "{{ what }}", "version": "1"}
                          ).status_code == 302
    saved = panel.services.app.get_message_template("customer_apology")
    assert (saved.version, saved.subject) == (2, "Our apologies")


@pytest.mark.parametrize(("field", "text", "problem"), [
    ("subject", "Sorry {{ customer }", "TemplateSyntaxError"),
    ("body", "{% if not what %}{{ voucher_code }}{% endif %}", "UndefinedError: &#39;voucher_code&#39; is undefined"),
    ("body", "{{ customer.__class__.__mro__ }}", "SecurityError"),
    ("subject", "{{ what.__init__.__globals__ }}", "SecurityError"),
    ("body", "{{ (range(100000)|list * 10)|sort|sort|sort|sort|sort|first }}", "TimeoutError"),  # seconds of work
    ("subject", "Sorry\nBcc: evil@example.com", "holds line breaks"),  # a subject is one header line
])
def test_a_template_the_sandbox_refuses_is_a_field_error_and_nothing_is_saved(
    panel: Panel, field: str, text: str, problem: str
) -> None:
    template_id = stored(panel)
    admin = panel.client("admin")
    before = panel.event_count()
    values = {"subject": "Sorry", "body": "{{ what }}", field: text}
    for url, data in ((f"/admin/message-templates/edit/?id={template_id}", {**values, "version": "1"}),
                      ("/admin/message-templates/new/?purpose=owner_reminder", {**values, "purpose": "owner_reminder"})):
        page = panel.post(admin, url, data).get_data(as_text=True)
        assert page.count(problem) >= 1 and problem in page.split(f'id="{field}"', 1)[1][:1200], url
        assert "Not saved" in page
    assert panel.event_count() == before
    assert panel.services.app.get_message_template("customer_apology").body == "{{ what }}"


def test_a_preview_whose_fields_together_run_out_of_time_is_an_error_not_a_crash(
        panel: Panel, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each field passed alone; sending renders both in one go, as the preview does."""
    def too_slow(*_: object) -> None:
        raise RenderError("TimeoutError", "the template took longer than 1 s to render")

    monkeypatch.setattr("web.admin.views.templates.preview", too_slow)
    admin = panel.client("admin")
    before = panel.event_count()
    for data in ({"_preview": "Preview"}, {}):
        page = panel.post(admin, NEW, {"purpose": "customer_apology", "subject": "Sorry", "body": "{{ what }}",
                                       **data})
        assert page.status_code == 200
        assert "TimeoutError: the template took longer than 1 s" in page.get_data(as_text=True).split(
            'id="body"', 1)[1][:1200]
    assert panel.event_count() == before


def test_an_unknown_purpose_is_refused_on_its_field(panel: Panel) -> None:
    admin = panel.client("admin")
    before = panel.event_count()
    page = panel.post(admin, NEW, {"purpose": "birthday", "subject": "Hi", "body": "x"}).get_data(as_text=True)
    assert "unknown purpose" in page.split('id="purpose"', 1)[1][:1200]
    assert panel.event_count() == before


def test_a_template_revised_meanwhile_is_a_conflict(panel: Panel) -> None:
    template_id = stored(panel)
    admin = panel.client("admin")
    panel.services.app.save_message_template(purpose="customer_apology", subject="Theirs", body="{{ what }}",
                                             occurred_at=panel.clock.now(), actor="user:other")
    page = panel.post(admin, f"/admin/message-templates/edit/?id={template_id}",
                      {"subject": "Mine", "body": "{{ what }}", "version": "1"}).get_data(as_text=True)
    assert "someone else changed this record meanwhile" in page
    assert 'name="version" type="hidden" value="2"' in page  # shown again to be saved over theirs, knowingly
    # customising a purpose someone customised meanwhile is a conflict too, not an overwrite
    page = panel.post(admin, NEW, {"purpose": "customer_apology", "subject": "Mine", "body": "{{ what }}"})
    assert "someone else changed this record meanwhile" in page.get_data(as_text=True)
    assert panel.services.app.get_message_template("customer_apology").subject == "Theirs"
