"""Public pages: no login, for customers (survey answers, unsubscribing, knowledge articles).

Each page module defines its own ``blp`` (a Flask Blueprint whose name starts with ``public_``)
and is listed in ``PAGES``; add one with a line ``PAGES += ("articles",)``. Templates live in
``web/public/templates/public/`` and extend ``public/base.html``. Forms are FlaskForms: the app's
global CSRF check (web/admin/__init__.py) covers every POST here. ``limit_address()`` is a cheap
per-address rate limit for the POST handlers (429 page when spent).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from flask import Blueprint, Flask, request
from flask_wtf.csrf import CSRFError

from web.public.forms import STAMP_VALID
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
    # A form's token lives as long as its stamp (a day, ``forms.STAMP_VALID``), not Flask-WTF's hour:
    # a customer who wrote a long message over lunch must not lose it to a bare 400.
    app.config["WTF_CSRF_TIME_LIMIT"] = int(STAMP_VALID.total_seconds())

    @app.errorhandler(CSRFError)
    def refused_form(error: CSRFError) -> Any:
        if request.path.startswith("/admin"):
            return error  # the panel's own 400 (its forms come back with a fresh token on reload)
        return public_error(400, "Please send the form again",
                            "We could not accept this form: it was open too long, or your browser did not send "
                            "our cookie with it. Please go back, reload the page and send it again.")
