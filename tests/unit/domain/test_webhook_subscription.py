"""Webhook subscriptions in the domain: which URLs and type patterns are accepted, the secret,
the status rules, and the signature a receiver checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.application import Touchline
from domain.errors import InvalidValueError
from domain.users.model import secret_fields
from domain.webhooks.catalog import matches, topics_for
from domain.webhooks.model import WebhookStateError, WebhookSubscription
from domain.webhooks.signing import SignatureError, signature, signature_header, verify

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WHEN = {"occurred_at": NOW, "actor": "user:admin"}


def create(app: Touchline, url: str = "https://hooks.example/in", types: str | list[str] = "Case.*",
           **kwargs: object) -> WebhookSubscription:
    return app.get_webhook(app.create_webhook(url=url, event_types=types, **kwargs, **WHEN).receipt.id)


@pytest.mark.parametrize(("url", "message"), [
    ("", "is required"),
    ("hooks.example/in", "is not an https:// URL"),
    ("ftp://hooks.example/in", "is not an https:// URL"),
    ("https:///nohost", "is not an https:// URL"),
    ("https://hooks.example:99999/in", "is not a URL"),
    ("https://user:pw@hooks.example/in", "must not hold a user name or password"),
    ("https://hooks.example/in#part", "must not have a #fragment"),
    ("http://hooks.example/in", "must use https"),
])
def test_a_bad_url_is_refused_naming_the_field(memory_app: Touchline, url: str, message: str) -> None:
    with pytest.raises(InvalidValueError, match=message) as caught:
        create(memory_app, url)
    assert caught.value.field == "url"


def test_plain_http_only_to_this_machine_unless_allowed(memory_app: Touchline) -> None:
    assert create(memory_app, "http://127.0.0.1:8080/in", allow_private=True).url == "http://127.0.0.1:8080/in"
    assert create(memory_app, "http://localhost/in", allow_private=True).url == "http://localhost/in"
    assert create(memory_app, "http://hooks.example/in", allow_http=True).url == "http://hooks.example/in"


@pytest.mark.parametrize(("url", "kind"), [
    ("https://169.254.169.254/latest/meta-data", "link-local"),  # a cloud's metadata service
    ("https://[::ffff:169.254.169.254]/", "link-local"), ("https://[fe80::1]/", "link-local"),
    ("https://0.0.0.0/", "link-local or reserved"), ("https://10.0.0.1/in", "private-network"),
    ("https://192.168.1.20/in", "private-network"), ("https://172.16.5.4/in", "private-network"),
    ("https://[fd00::1]/in", "private-network"), ("https://127.0.0.1/in", "loopback"),
    ("http://localhost:8080/in", "loopback"),
])
def test_a_url_into_the_servers_own_networks_is_refused(memory_app: Touchline, url: str, kind: str) -> None:
    """A token that may create webhooks must not make the server call its own network."""
    with pytest.raises(InvalidValueError, match=kind) as caught:
        create(memory_app, url)
    assert caught.value.field == "url"


def test_private_networks_only_when_allowed_and_link_local_never(memory_app: Touchline) -> None:
    assert create(memory_app, "https://10.0.0.1/in", allow_private=True).url == "https://10.0.0.1/in"
    with pytest.raises(InvalidValueError, match="link-local"):
        create(memory_app, "https://169.254.169.254/", allow_private=True)


@pytest.mark.parametrize("types", ["", " , ", "Case", "Case.Bogus", "Nothing.*", "ApiToken.*", "ApiToken.Created",
                                   "WebhookSubscription.*", "Case.**", ["*", "Deal.Nope"]])
def test_an_unknown_or_hidden_type_pattern_is_refused(memory_app: Touchline, types: str | list[str]) -> None:
    with pytest.raises(InvalidValueError) as caught:
        create(memory_app, types=types)
    assert caught.value.field == "event_types"


def test_patterns_are_cleaned_and_match_types(memory_app: Touchline) -> None:
    webhook = create(memory_app, types="Deal.Won,\n Case.* , Deal.Won")
    assert webhook.event_types == ["Case.*", "Deal.Won"]
    assert matches(webhook.event_types, "Case.Resolved") and matches(webhook.event_types, "Deal.Won")
    assert not matches(webhook.event_types, "Deal.Lost") and not matches(webhook.event_types, "Customer.Registered")
    topics = topics_for(["Case.*"])
    assert topics and all(":Case." in t for t in topics)
    assert not [t for t in topics_for(["*"]) if ":ApiToken" in t or ":WebhookSubscription" in t]


def test_the_secret_is_generated_kept_for_signing_and_never_shown(memory_app: Touchline) -> None:
    issued = memory_app.create_webhook(url="https://hooks.example/in", event_types="*", **WHEN)
    webhook = memory_app.get_webhook(issued.receipt.id)
    assert issued.secret.startswith("whsec_") and len(issued.secret) > 40 and webhook.secret == issued.secret
    rotated = memory_app.rotate_webhook_secret(webhook.id, **WHEN)
    assert rotated.secret != issued.secret and memory_app.get_webhook(webhook.id).secret == rotated.secret
    assert secret_fields(WebhookSubscription.Created) == {"secret"}
    assert secret_fields(WebhookSubscription.SecretRotated) == {"secret"}


def test_after_a_rotation_the_previous_secret_signs_too_until_its_overlap_ends(memory_app: Touchline) -> None:
    """A receiver given the new secret a few hours later misses no delivery; one that leaked stops at once."""
    issued = memory_app.create_webhook(url="https://hooks.example/in", event_types="*", **WHEN)
    rotated = memory_app.rotate_webhook_secret(issued.receipt.id, **WHEN)
    webhook = memory_app.get_webhook(issued.receipt.id)
    assert webhook.signing_secrets(NOW + timedelta(hours=23)) == [rotated.secret, issued.secret]
    assert webhook.signing_secrets(NOW + timedelta(hours=24)) == [rotated.secret]
    leaked = memory_app.rotate_webhook_secret(issued.receipt.id, previous_valid_for=timedelta(0), **WHEN)
    assert memory_app.get_webhook(issued.receipt.id).signing_secrets(NOW) == [leaked.secret]
    with pytest.raises(InvalidValueError) as caught:
        memory_app.rotate_webhook_secret(issued.receipt.id, previous_valid_for=timedelta(days=8), **WHEN)
    assert caught.value.field == "previous_valid_hours"


def test_a_header_carries_one_signature_per_secret_and_either_verifies() -> None:
    body, t = b'{"a":1}', 1_700_000_000
    header = signature_header(["new", "old"], t, body)
    assert header == f"t={t},v1={signature('new', t, body)},v1={signature('old', t, body)}"
    assert verify("old", header, body, now=t) == verify("new", header, body, now=t) == t


def test_status_rules(memory_app: Touchline) -> None:
    webhook_id = create(memory_app).id
    with pytest.raises(WebhookStateError, match="is not paused"):
        memory_app.resume_webhook(webhook_id, **WHEN)
    memory_app.pause_webhook(webhook_id, reason="maintenance", **WHEN)
    with pytest.raises(WebhookStateError, match="paused already"):
        memory_app.pause_webhook(webhook_id, **WHEN)
    assert memory_app.get_webhook(webhook_id).pause_reason == "maintenance"
    memory_app.resume_webhook(webhook_id, **WHEN)
    memory_app.delete_webhook(webhook_id, **WHEN)
    with pytest.raises(WebhookStateError, match="was deleted"):
        memory_app.change_webhook(webhook_id, event_types="*", **WHEN)


@pytest.mark.parametrize("position", [0, -3, True, "5"])
def test_a_replay_needs_a_log_position(memory_app: Touchline, position: object) -> None:
    webhook_id = create(memory_app).id
    with pytest.raises(InvalidValueError) as caught:
        memory_app.replay_webhook(webhook_id, from_position=position, **WHEN)  # type: ignore[arg-type]
    assert caught.value.field == "from_position"
    memory_app.replay_webhook(webhook_id, from_position=1, **WHEN)
    assert (memory_app.get_webhook(webhook_id).replays, memory_app.get_webhook(webhook_id).replay_from) == (1, 1)


def test_a_replay_starts_at_most_at_the_next_position_of_the_log(memory_app: Touchline) -> None:
    webhook_id = create(memory_app).id
    head = memory_app.recorder.max_notification_id()
    memory_app.replay_webhook(webhook_id, from_position=head + 1, **WHEN)  # from the next event on
    for position in (head + 3, 2**63, 10**20):  # a typo; beyond what the log (and its 64-bit positions) can reach
        with pytest.raises(InvalidValueError, match=r"is past the end of the log \(its last position is \d+\)"):
            memory_app.replay_webhook(webhook_id, from_position=position, **WHEN)
    assert memory_app.get_webhook(webhook_id).replays == 1


def test_an_unchanged_edit_records_nothing(memory_app: Touchline) -> None:
    webhook = create(memory_app, types="Case.*")
    receipt = memory_app.change_webhook(webhook.id, url=webhook.url, event_types=["Case.*"], **WHEN)
    assert receipt.position is None and memory_app.get_webhook(webhook.id).version == webhook.version


def test_verify_accepts_any_matching_v1_and_refuses_malformed_headers() -> None:
    body, t = b'{"a":1}', 1_772_442_000
    header = f"t={t},v1={signature('old', t, body)},v1={signature('new', t, body)}"
    assert verify("new", header, body, t + 10) == t
    assert signature_header("new", t, body) == f"t={t},v1={signature('new', t, body)}"
    for bad in ("", "v1=abc", f"t=x,v1={signature('new', t, body)}", f"t={t}", f"t={t},t={t},v1=00"):
        with pytest.raises(SignatureError, match="malformed"):
            verify("new", bad, body, t)
