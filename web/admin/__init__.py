"""The admin panel at ``/admin`` (Flask-Admin 2.2, Bootstrap 4 theme, every asset local).

``init_admin(app)`` adds, in order: the session cookie settings and ``SECRET_KEY``, CSRF
protection for every form outside the token-authenticated ``/api/``, Flask-Login with the
account pages, then the Admin with the dashboard as its index and the views of
``web.admin.views`` and the pages of ``web.admin.pages``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, flash, redirect, request
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader
from werkzeug.exceptions import RequestEntityTooLarge

from web.admin.auth import init_auth
from web.admin.localtime import configure_timezone, local_time
from web.admin.pages import register_pages
from web.admin.pages.dashboard import DashboardView
from web.admin.session import configure_session
from web.admin.views import register_views
from web.admin.views.articles import register_knowledge
from web.admin.views.preferences import PreferencesView
from web.admin.views.webhooks import WebhooksView
from web.admin.waiting import wait_for_position
from web.api.errors import handle_http_exception

__all__ = ["init_admin", "wait_for_position"]
HERE = Path(__file__).parent


def _csrf(app: Flask) -> CSRFProtect:
    """Every POST/PUT/PATCH/DELETE carries a valid token (400 otherwise), except under /api/:
    the API authenticates with bearer tokens, never cookies, so a forged request has nothing to ride on."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf = CSRFProtect(app)

    @app.before_request
    def protect_forms() -> None:
        # Also exempt: endpoints in app.extensions["csrf_exempt_endpoints"], authenticated by a signed
        # token in their URL, never a cookie (the RFC 8058 one-click unsubscribe, POSTed by mail providers).
        exempt = request.endpoint in app.extensions.get("csrf_exempt_endpoints", ())
        if app.config.get("WTF_CSRF_ENABLED", True) and not request.path.startswith("/api/") and not exempt:
            csrf.protect()

    return csrf


def _templates_and_assets(app: Flask) -> None:
    # Our templates come before Flask-Admin's (admin/master.html is overridden here).
    loaders = [FileSystemLoader(HERE / "templates")] + ([app.jinja_loader] if app.jinja_loader else [])
    app.jinja_loader = ChoiceLoader(loaders)  # type: ignore[assignment,method-assign]
    # url_for("touchline_admin.static", filename="vendor/chartjs/chart.umd.min.js")
    app.register_blueprint(Blueprint("touchline_admin", __name__, static_folder="static",
                                     static_url_path="/admin/assets"))


def _too_large(app: Flask) -> None:
    """A panel form over ``MAX_CONTENT_LENGTH`` (an import's file) comes back to its page with a
    message, not Flask's bare 413 page; the API keeps its JSON answer."""
    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> Any:
        if not request.path.startswith("/admin"):
            return handle_http_exception(error)
        limit = (app.config.get("MAX_CONTENT_LENGTH") or 0) // 2**20
        flash(f"What you sent is over the limit of {limit} MB (TOUCHLINE_MAX_REQUEST_MB), so nothing of it was read. "
              "Split an import's file, or import it with `touchline import customers FILE`.", "error")
        return redirect(request.path, code=303)


def init_admin(app: Flask) -> Admin:
    configure_session(app, app.extensions["touchline"])
    configure_timezone(app)
    app.jinja_env.globals["local_time"] = local_time  # the one time formatter, for the pages' templates
    _csrf(app)
    _too_large(app)
    account = init_auth(app)
    _templates_and_assets(app)
    admin = Admin(app, name="Touchline", url="/admin", theme=Bootstrap4Theme(swatch="default", fluid=True),
                  index_view=DashboardView(name="Dashboard", url="/admin", endpoint="admin"))
    admin.add_view(account)
    register_views(admin)
    register_knowledge(admin)
    register_pages(admin)
    admin.add_view(PreferencesView(name="My preferences", endpoint="preferences", url="/admin/preferences",
                                   category="Settings"))
    admin.add_view(WebhooksView(name="Webhooks", endpoint="admin_webhooks", url="/admin/webhooks",
                                category="Settings"))
    return admin
