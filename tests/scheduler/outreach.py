"""What the outreach tests share: the world with a link key, the public pages on the same
database and clock, and a customer on the churn list."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scheduler.settings import link_key
from tests.scheduler.conftest import ADMIN, World
from tests.web.admin.conftest import form_token
from web import create_app

SECRET = "outreach-test-secret"
PUBLIC_URL = "https://help.shop.example"


def enable_outreach(world: World, **settings: Any) -> None:
    """Give the world's scheduler the key and address the public pages use."""
    world.ctx.settings = replace(world.ctx.settings, link_key=link_key(SECRET), public_url=PUBLIC_URL, **settings)


@pytest.fixture(name="outreach")
def outreach_fixture(world: World) -> World:
    """The world with outreach on: its scheduler signs links as the public pages expect."""
    enable_outreach(world)
    return world


def public_app(database_url: str, world: World) -> Flask:
    return create_app({"DATABASE_URL": database_url, "CLOCK": world.clock, "TESTING": True, "SECRET_KEY": SECRET,
                       "PUBLIC_URL": PUBLIC_URL})


def path_of(link: str) -> str:
    assert link.startswith(PUBLIC_URL + "/"), link
    return link[len(PUBLIC_URL):]


def link_in(text: str, kind: str) -> str:
    """The first ``PUBLIC_URL/<kind>/...`` link in a message's text."""
    start = text.index(f"{PUBLIC_URL}/{kind}/")
    return text[start:].split()[0]


def submit(client: FlaskClient, path: str, data: dict[str, Any] | None = None) -> Any:
    """GET the page, then POST its form with the page's CSRF token."""
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    return client.post(path, data={**(data or {}), "csrf_token": form_token(page)})


def churned_customer(world: World, name: str, email: str, *, marketing: bool = True) -> UUID:
    """A past buyer (a won deal) who has consented to marketing, then 100 quiet days."""
    now = world.clock.now()
    customer = world.app.register_customer(name=name, contact_points=[{"kind": "email", "value": email}],
                                           occurred_at=now - timedelta(days=100), actor=ADMIN).id
    if marketing:
        world.app.give_consent(customer, purpose="marketing", occurred_at=now - timedelta(days=100), actor=ADMIN)
    deal = world.app.open_deal(customer_id=customer, product_id=None, title="Printers", value=1000,
                               owner=world.agent_ref, occurred_at=now - timedelta(days=100), actor=ADMIN).id
    world.app.win_deal(deal, close_value=1000, occurred_at=now - timedelta(days=99), actor=ADMIN)
    return customer
