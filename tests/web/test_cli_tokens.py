"""``touchline tokens``: create prints the secret last, list shows tokens, revoke takes effect."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from web import create_app
from web.cli import cli


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("TOUCHLINE_DATABASE_URL", url)
    return url


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_create_prints_the_token_last_and_it_works_until_revoked(env: str) -> None:
    code, output = run("tokens", "create", "--name", "website", "--scopes", "read,write:touchpoints")
    assert code == 0
    token = output.split()[-1]
    assert token.startswith("tl_") and "read, write:touchpoints" in output
    app = create_app({"DATABASE_URL": env, "TESTING": True})
    client = app.test_client()
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    code, listed = run("tokens", "list")
    assert code == 0 and "website" in listed and token not in listed
    assert run("tokens", "revoke", "website")[0] == 0
    assert client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    app.extensions["touchline"].close()


@pytest.mark.parametrize("args, message", [
    (["--name", "x", "--scopes", "admin"], "unknown scope 'admin'"),
    (["--name", "has space", "--scopes", "read"], "name"),
    (["--name", "bi", "--scopes", "read,write:funnel"], "write:funnel would grant nothing: the API only reads funnel"),
])
def test_create_refuses_bad_input_with_a_message(env: str, args: list[str], message: str) -> None:
    code, output = run("tokens", "create", *args)
    assert code != 0 and message in output


def test_a_second_token_with_the_same_name_is_refused(env: str) -> None:
    assert run("tokens", "create", "--name", "bi", "--scopes", "read")[0] == 0
    code, output = run("tokens", "create", "--name", "BI", "--scopes", "read")
    assert code != 0 and "already exists" in output


def test_a_revoked_tokens_name_can_be_given_to_its_replacement(env: str) -> None:
    """Rotating an integration's token keeps its name: revoke, then create again."""
    first = run("tokens", "create", "--name", "crm-sync", "--scopes", "read")[1].split()[-1]
    assert run("tokens", "revoke", "crm-sync")[0] == 0
    code, output = run("tokens", "create", "--name", "CRM-sync", "--scopes", "read,write")
    assert code == 0, output
    second = output.split()[-1]
    code, listed = run("tokens", "list")
    assert code == 0 and listed.count("crm-sync") + listed.count("CRM-sync") == 2  # the revoked one stays listed
    assert second != first
    again = run("tokens", "create", "--name", "crm-sync", "--scopes", "read")
    assert again[0] != 0 and "already exists" in again[1]  # held again by the replacement
    assert run("tokens", "revoke", "crm-sync")[0] == 0  # the name finds the replacement
    code, listed = run("tokens", "list")
    rows = [line for line in listed.splitlines()[1:] if line.lower().startswith("crm-sync")]
    assert len(rows) == 2 and all(line.rstrip().endswith("UTC") for line in rows), listed  # both revoked now


def test_revoking_an_unknown_token_fails_with_a_message(env: str) -> None:
    code, output = run("tokens", "revoke", "nobody")
    assert code != 0 and "not found" in output
