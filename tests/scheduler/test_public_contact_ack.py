"""A case opened through the public contact form is acknowledged by the scheduler as any new
case is: one email to the address in the form, naming the tracking code shown on the page."""

from __future__ import annotations

import re

import pytest

from tests.scheduler.conftest import World
from tests.web.public_site import build_site

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_scheduler_acknowledges_a_contact_form_case_by_email(world: World, database_url: str) -> None:
    site = build_site(database_url, world.clock)
    try:
        answer = site.send("/contact", {"name": "Grace Hopper", "email": "grace@example.com", "topic": "question",
                                        "message": "Do you ship to Norway?"})
        code = re.search(r'id="tracking-code">(CASE-\d+)<', answer.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
        world.tick()
        world.tick()  # a second run sends nothing more
        [mail] = world.mail_to("grace@example.com")
        assert code in mail["Subject"] or code in mail.get_content()
    finally:
        site.services.close()
