"""Who may do what in the panel: roles, the ``Protected`` mixin every admin view starts
with, and the decorators for hand-written POST handlers.

Checked on the server for every request: a hidden button is a courtesy, the 403 is the rule.
A view is read by ``read_roles``; any POST/PUT/PATCH/DELETE, and the create/edit/delete/action
endpoints of model views (GET included), need ``write_roles``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from domain.users.model import ROLES

READERS: tuple[str, ...] = ROLES  # ("admin", "agent", "auditor")
WRITERS: tuple[str, ...] = ("admin", "agent")
ADMINS: tuple[str, ...] = ("admin",)
HISTORY_READERS: tuple[str, ...] = ("admin", "auditor")  # history is an auditor's tool (issue 9)

# Model-view endpoints that change data even when fetched with GET (they show the command form).
WRITE_ENDPOINTS = frozenset({"create_view", "edit_view", "delete_view", "action_view", "ajax_update"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

F = TypeVar("F", bound=Callable[..., Any])


def role() -> str | None:
    """The current user's role, or None when nobody is logged in."""
    return current_user.role if current_user.is_authenticated else None


def actor() -> str:
    """``user:<id>``: who acts, as domain commands record it (the id, as the demo and the importers
    do: one reference per person, and no email address in every event's actor)."""
    if not current_user.is_authenticated:
        abort(401)
    return f"user:{current_user.id}"


def login_redirect() -> Any:
    return redirect(url_for("account.login", next=request.full_path.rstrip("?")))


class Protected:
    """Mixin placed BEFORE the Flask-Admin base class: ``class V(Protected, ModelView)``."""

    read_roles: tuple[str, ...] = READERS
    write_roles: tuple[str, ...] = WRITERS
    # Exposed method names that accept POST without changing anything (e.g. a search form).
    safe_posts: tuple[str, ...] = ()

    def is_accessible(self) -> bool:
        return role() in self.read_roles

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_redirect()
        abort(403)

    def can_write(self) -> bool:
        return role() in self.write_roles

    def _handle_view(self, name: str, **kwargs: Any) -> Any:
        if not self.is_accessible():
            return self.inaccessible_callback(name, **kwargs)
        writing = name in WRITE_ENDPOINTS or (request.method not in SAFE_METHODS and name not in self.safe_posts)
        if writing and not self.can_write():
            abort(403)
        return None

    # Model views ask these per request, so readers get no New/Edit/Delete buttons nor actions.
    # A subclass may still set ``can_delete = False`` (a class attribute wins over the property).
    @property
    def can_create(self) -> bool:
        return self.can_write()

    @property
    def can_edit(self) -> bool:
        return self.can_write()

    @property
    def can_delete(self) -> bool:
        return self.can_write()

    def is_action_allowed(self, name: str) -> bool:
        allowed: bool = super().is_action_allowed(name)  # type: ignore[misc]
        return allowed and self.can_write()


def require_roles(*roles: str) -> Callable[[F], F]:
    """For a view function or exposed method: 401/redirect when anonymous, 403 for other roles."""

    def decorate(view: F) -> F:
        @wraps(view)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_redirect()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def require_write(view: F) -> F:
    """For an exposed method of a ``Protected`` view: 403 unless the user is one of its writers."""

    @wraps(view)
    def checked(self: Protected, *args: Any, **kwargs: Any) -> Any:
        if not self.can_write():
            abort(403)
        return view(self, *args, **kwargs)

    return checked  # type: ignore[return-value]
