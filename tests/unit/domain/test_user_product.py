"""Reference data: users are known by their email address, products by a spelling-insensitive key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from domain.application import Touchline
from domain.errors import AlreadyExistsError, InvalidValueError, NotFoundError
from domain.products.model import product_id_for, product_key
from domain.users.model import UserDeactivatedError, user_id_for

ACTOR = "user:admin"


def register(app: Touchline, now: datetime, email: str = "ann@example.com", **changes: Any) -> Any:
    arguments: dict[str, Any] = {"name": "Ann Agent", "role": "agent", **changes}
    return app.register_user(email=email, occurred_at=now, actor=ACTOR, **arguments)


def test_a_user_is_known_by_the_lower_case_email_address(memory_app: Touchline, now: datetime) -> None:
    receipt = register(memory_app, now, email="  Ann@Example.COM ")
    assert receipt.id == user_id_for("ann@example.com")
    assert memory_app.get_user(receipt.id).email == "ann@example.com"


def test_the_same_email_in_another_case_is_the_same_user(memory_app: Touchline, now: datetime) -> None:
    register(memory_app, now, email="ann@example.com")
    with pytest.raises(AlreadyExistsError, match="ann@example.com"):
        register(memory_app, now, email="ANN@example.com")


@pytest.mark.parametrize("email", [
    "ann", "ann@", "@example.com", "ann@example", "ann@@example.com", "ann@.com", "ann@example.",
    "ann smith@example.com", "",
])
def test_a_user_needs_a_valid_email_address(memory_app: Touchline, now: datetime, email: str) -> None:
    with pytest.raises(InvalidValueError) as caught:
        register(memory_app, now, email=email)
    assert caught.value.field == "email"


def test_a_user_has_a_known_role(memory_app: Touchline, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        register(memory_app, now, role="superuser")
    assert caught.value.field == "role"


def test_a_user_manager_must_exist_and_not_be_the_user(memory_app: Touchline, now: datetime) -> None:
    with pytest.raises(NotFoundError):
        register(memory_app, now, manager_id=user_id_for("boss@example.com"))
    user = register(memory_app, now).id
    with pytest.raises(InvalidValueError) as caught:
        memory_app.change_user_profile(user, name="Ann Agent", role="agent", team=None, region=None,
                                       manager_id=user, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "manager_id"


def test_a_users_name_cannot_reverse_or_break_the_text_around_it(memory_app: Touchline, now: datetime) -> None:
    with pytest.raises(InvalidValueError) as caught:
        register(memory_app, now, name="Ann\u202e Agent")
    assert caught.value.field == "name"
    user = register(memory_app, now).id
    with pytest.raises(InvalidValueError) as caught:
        memory_app.change_user_profile(user, name="Ann\nAgent", role="agent", team=None, region=None,
                                       manager_id=None, occurred_at=now, actor=ACTOR)
    assert caught.value.field == "name"


def test_an_unchanged_profile_records_nothing(memory_app: Touchline, now: datetime) -> None:
    user = register(memory_app, now, team="Central").id
    receipt = memory_app.change_user_profile(user, name=" Ann Agent ", role="agent", team="Central", region=None,
                                             manager_id=None, occurred_at=now, actor=ACTOR)
    assert (receipt.version, receipt.position) == (1, None)


def test_a_user_is_deactivated_and_reactivated_once_each(memory_app: Touchline, now: datetime) -> None:
    user = register(memory_app, now).id
    memory_app.deactivate_user(user, reason="Left the company", occurred_at=now, actor=ACTOR)
    with pytest.raises(UserDeactivatedError):
        memory_app.deactivate_user(user, reason="Again", occurred_at=now, actor=ACTOR)
    memory_app.reactivate_user(user, occurred_at=now, actor=ACTOR)
    with pytest.raises(InvalidValueError, match="active already"):
        memory_app.reactivate_user(user, occurred_at=now, actor=ACTOR)
    assert memory_app.get_user(user).active


def test_an_admin_cannot_deactivate_themselves_nor_give_up_their_own_admin_role(
    memory_app: Touchline, now: datetime
) -> None:
    """Else the only admin could leave the installation with none; another admin (or the CLI) may."""
    admin = register(memory_app, now, email="ada@example.com", role="admin").id
    herself = f"user:{admin}"
    with pytest.raises(InvalidValueError) as refused:
        memory_app.deactivate_user(admin, reason="Leaving", occurred_at=now, actor=herself)
    assert refused.value.field == "active"
    with pytest.raises(InvalidValueError) as refused:
        memory_app.change_user_profile(admin, name="Ada", role="agent", team=None, region=None, manager_id=None,
                                       occurred_at=now, actor=herself)
    assert refused.value.field == "role"
    assert memory_app.change_user_profile(admin, name="Ada A.", role="admin", team=None, region=None,
                                          manager_id=None, occurred_at=now, actor=herself).version == 2
    assert memory_app.get_user(admin).active and memory_app.get_user(admin).role == "admin"
    memory_app.change_user_profile(admin, name="Ada A.", role="agent", team=None, region=None, manager_id=None,
                                   occurred_at=now, actor=ACTOR)  # another admin may
    assert memory_app.get_user(admin).role == "agent"


@pytest.mark.parametrize("spelling", ["GTXPro", "GTX Pro", "gtx-pro", " GTX  PRO "])
def test_product_spellings_share_one_key(spelling: str) -> None:
    assert product_key(spelling) == "gtxpro"
    assert product_id_for(spelling) == product_id_for("GTX Pro")


def test_a_product_registered_under_another_spelling_is_refused(memory_app: Touchline, now: datetime) -> None:
    memory_app.register_product(name="GTX Pro", series="GTX", list_price=4821, occurred_at=now, actor=ACTOR)
    with pytest.raises(AlreadyExistsError):
        memory_app.register_product(name="GTXPro", series="GTX", list_price=4821, occurred_at=now, actor=ACTOR)


def test_an_unchanged_price_records_nothing(memory_app: Touchline, now: datetime) -> None:
    product = memory_app.register_product(name="MG Special", series="MG", list_price="55", occurred_at=now,
                                          actor=ACTOR).id
    unchanged = memory_app.change_product_price(product, list_price="55.00", occurred_at=now, actor=ACTOR)
    changed = memory_app.change_product_price(product, list_price="60", occurred_at=now, actor=ACTOR)
    assert (unchanged.position, changed.version) == (None, 2)
