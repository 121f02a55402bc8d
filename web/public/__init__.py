"""Public pages: no login, for customers (survey answers, unsubscribing, knowledge articles).

Each page module defines its own ``blp`` (a Flask Blueprint whose name starts with ``public_``)
and is listed in ``PAGES``; add one with a line ``PAGES += ("articles",)``. Templates live in
``web/public/templates/public/`` and extend ``public/base.html``. Forms are FlaskForms: the app's
global CSRF check (web/admin/__init__.py) covers every POST here. ``limit_address()`` is a cheap
per-address rate limit for the POST handlers (429 page when spent).
"""

from __future__ import annotations

from importlib import import_module

from flask import Blueprint, Flask

from web.public.pages import limit_address, public_error

__all__ = ["PAGES", "init_public", "limit_address", "public_error"]

PAGES: tuple[str, ...] = ("surveys", "unsubscribe")
PAGES += ("articles",)
PAGES += ("contact", "callback", "status", "consent")
PAGES += ("callback_cancel",)


def init_public(app: Flask) -> None:
    # The shared templates (public/base.html, public/error.html) are found through this blueprint.
    app.register_blueprint(Blueprint("public", __name__, template_folder="templates"))
    for name in PAGES:
        app.register_blueprint(import_module(f"web.public.{name}").blp)
