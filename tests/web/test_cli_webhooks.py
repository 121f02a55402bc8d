"""``touchline webhooks``: create prints the secret last; the scheduler delivers; replay from a
position delivers again; pause, resume, rotate, delete, list; bad input is a message."""

from __future__ import annotations

import pytest

from domain.clock import SystemClock
from tests.scheduler.webhook_receiver import Receiver
from tests.web.test_cli_tokens import env, run
from web import create_app

__all__ = ["env"]  # the fixture: a fresh SQLite database in TOUCHLINE_DATABASE_URL


def test_create_deliver_then_replay_from_a_position(env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOUCHLINE_WEBHOOK_ALLOW_PRIVATE", "1")  # the receiver listens on 127.0.0.1
    with Receiver(SystemClock()) as receiver:
        code, output = run("webhooks", "create", "--url", receiver.url, "--types", "Customer.*")
        assert code == 0, output
        receiver.secret = output.split()[-1]
        webhook = output.split()[2]
        app = create_app({"DATABASE_URL": env, "TESTING": True})
        services = app.extensions["touchline"]
        for name in ("Ada", "Grace", "Edsger"):
            services.app.register_customer(name=name, contact_points=[], occurred_at=services.clock.now(),
                                           actor="system:test")
        code, output = run("scheduler", "--once")
        assert code == 0 and "deliver_webhooks: 3 delivered" in output, output
        assert [d.payload["data"]["name"] for d in receiver.deliveries] == ["Ada", "Grace", "Edsger"]
        assert all(d.verified for d in receiver.deliveries)
        second = receiver.deliveries[1].payload["position"]
        code, output = run("webhooks", "replay", webhook, "--from", str(second))
        assert code == 0, output
        assert run("scheduler", "--once")[0] == 0
        assert [d.payload["data"]["name"] for d in receiver.deliveries[3:]] == ["Grace", "Edsger"]
        code, listed = run("webhooks", "list")
        assert code == 0 and webhook in listed and receiver.url in listed and receiver.secret not in listed
        services.close()


def test_pause_resume_rotate_and_delete(env: str) -> None:
    code, output = run("webhooks", "create", "--url", "https://hooks.example/in", "--types", "*")
    webhook, secret = output.split()[2], output.split()[-1]
    assert run("webhooks", "pause", webhook, "--reason", "maintenance")[0] == 0
    code, output = run("webhooks", "pause", webhook)
    assert code != 0 and "paused already" in output
    assert run("webhooks", "resume", webhook)[0] == 0
    code, output = run("webhooks", "rotate-secret", webhook)
    assert code == 0 and output.split()[-1].startswith("whsec_") and output.split()[-1] != secret
    code, output = run("webhooks", "rotate-secret", webhook, "--previous-valid-hours", "200")  # over a week
    assert code == 2 and "--previous-valid-hours" in output
    assert run("webhooks", "delete", webhook)[0] == 0
    code, output = run("webhooks", "replay", webhook, "--from", "1")
    assert code != 0 and "was deleted" in output


@pytest.mark.parametrize("args, message", [
    (["create", "--url", "http://hooks.example/in", "--types", "*"], "must use https"),
    (["create", "--url", "https://hooks.example/in", "--types", "Case.Nope"], "unknown event type 'Case.Nope'"),
    (["replay", "not-an-id", "--from", "3"], "is not a webhook id"),
    (["replay", "00000000-0000-0000-0000-000000000001", "--from", "3"], "not found"),
    (["resume", "00000000-0000-0000-0000-000000000001"], "not found"),
])
def test_bad_input_is_a_message_and_a_non_zero_exit(env: str, args: list[str], message: str) -> None:
    code, output = run("webhooks", *args)
    assert code != 0 and message in output, output


def test_replay_needs_a_positive_position(env: str) -> None:
    webhook = run("webhooks", "create", "--url", "https://hooks.example/in", "--types", "*")[1].split()[2]
    code, output = run("webhooks", "replay", webhook, "--from", "0")
    assert code != 0 and "from_position" in output
