"""Logging in and out, changing one's password, an admin's reset, and who the current user is.

The user loader reads the User aggregate on every request, so a deactivation or a new
password ends other sessions at once: the session remembers the user's
``credentials_version``, which every password change increments.
A reset by an admin sets a temporary password (typed, or generated and shown once) that the
user must replace at the next login: until then every panel page leads to the password form.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_admin import BaseView, expose
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from domain.errors import DomainError, NotFoundError
from domain.users.model import User, user_id_for
from web.admin.access import ADMINS, READERS, actor, require_roles
from web.admin.auth_forms import LoginForm, PasswordForm, ResetForm
from web.admin.passwords import hash_password, temporary_password, verify_password
from web.admin.throttle import LoginThrottle
from web.services import services

CREDENTIALS = "credentials_version"
WRONG = "Wrong email or password."


@dataclass(frozen=True)
class PanelUser(UserMixin):  # type: ignore[misc]  # Flask-Login ships no type hints
    id: str
    email: str
    name: str
    role: str
    team: str | None
    active: bool
    must_change_password: bool
    timezone: str | None = None  # their preference; None: the instance's default (web.admin.localtime)

    @property
    def is_active(self) -> bool:
        return self.active

    @classmethod
    def of(cls, user: User) -> PanelUser:
        return cls(str(user.id), user.email, user.name, user.role, user.team, user.active, user.must_change_password,
                   user.timezone)


def _stored_user(user_id: UUID) -> User | None:
    try:
        return services().app.get_user(user_id)
    except NotFoundError:
        return None


def load_user(user_id: str) -> PanelUser | None:
    try:
        user = _stored_user(UUID(user_id))
    except ValueError:
        return None
    if user is None or not user.active or session.get(CREDENTIALS) != user.credentials_version:
        return None
    return PanelUser.of(user)


def _testing() -> bool:
    return bool(current_app.testing)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.index")


def _set_password(user: User, password: str, *, must_change: bool) -> None:
    svc = services()
    svc.app.set_user_password(user.id, password_hash=hash_password(password, testing=_testing()),
                              must_change=must_change, occurred_at=svc.clock.now(), actor=actor())


class AccountView(BaseView):
    """``/admin/account/...``: reachable by everyone; each page checks who may use it."""

    def is_visible(self) -> bool:
        return False

    @expose("/")
    def index(self) -> Any:
        return redirect(url_for(".password" if current_user.is_authenticated else ".login"))

    @expose("/login", methods=("GET", "POST"))
    def login(self) -> Any:
        form = LoginForm()
        if form.validate_on_submit():
            email, throttle = form.email.data.strip().lower(), current_app.extensions["touchline_login"]
            minutes = throttle.minutes_locked(email)
            if minutes:
                form.form_errors.append(f"Too many failed logins: try again in {minutes} minute(s).")
                return self.render("admin/auth/login.html", form=form), 429
            try:
                user = _stored_user(user_id_for(email))
            except DomainError:
                user = None
            good = verify_password(user.password_hash if user else None, form.password.data, testing=_testing())
            if not (good and user and user.active):
                throttle.failed(email)
                form.form_errors.append(WRONG)
                return self.render("admin/auth/login.html", form=form), 401
            throttle.succeeded(email)
            session.clear()  # nothing from before the login survives it
            session[CREDENTIALS] = user.credentials_version
            login_user(PanelUser.of(user))
            if user.must_change_password:
                return redirect(url_for("account.password"))
            return redirect(_safe_next(request.args.get("next")))
        return self.render("admin/auth/login.html", form=form)

    @expose("/logout", methods=("GET", "POST"))
    def logout(self) -> Any:
        if request.method == "POST":  # a POST (with its CSRF token): no logging out by a link on another site
            logout_user()
            session.clear()
            flash("You are logged out.", "info")
            return redirect(url_for("account.login"))
        return self.render("admin/auth/logout.html")

    @expose("/password", methods=("GET", "POST"))
    @require_roles(*READERS)
    def password(self) -> Any:
        form = PasswordForm(email=current_user.email)
        if form.validate_on_submit():
            user = _stored_user(UUID(current_user.id))
            assert user is not None  # the loader just found it
            if not verify_password(user.password_hash, form.current.data, testing=_testing()):
                form.current.errors.append("This is not your current password.")
            elif form.new.data == form.current.data:  # a temporary one is known to the admin who set it
                form.new.errors.append("Choose a password other than the temporary one." if user.must_change_password
                                       else "Choose a password other than your current one.")
            else:
                _set_password(user, form.new.data, must_change=False)
                session[CREDENTIALS] = user.credentials_version + 1  # this session stays; others end
                flash("Your password is changed.", "success")
                return redirect(url_for("admin.index"))
        return self.render("admin/auth/password.html", form=form, forced=current_user.must_change_password)

    @expose("/reset/<uuid:user_id>", methods=("GET", "POST"))
    @require_roles(*ADMINS)
    def reset(self, user_id: UUID) -> Any:
        user = _stored_user(user_id)
        if user is None:
            return self.render("admin/auth/reset.html", user=None, form=None), 404
        form = ResetForm(email=user.email)
        if form.validate_on_submit():
            password = form.password.data or temporary_password()
            try:
                _set_password(user, password, must_change=True)
            except DomainError as exc:
                form.form_errors.append(str(exc))
            else:
                return self.render("admin/auth/reset_done.html", user=user, password=password)
        return self.render("admin/auth/reset.html", user=user, form=form)


ALLOWED_WITH_TEMPORARY_PASSWORD = ("account.password", "account.logout")


def force_password_change() -> Any:
    """Before every panel request: a user with a temporary password may only replace it (or leave)."""
    endpoint = request.endpoint or ""
    if endpoint in ALLOWED_WITH_TEMPORARY_PASSWORD or endpoint.endswith("static") or not request.path.startswith("/admin"):
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("account.password"))
    return None


def init_auth(app: Flask) -> AccountView:
    manager = LoginManager(app)
    manager.login_view = "account.login"
    manager.login_message = "Please log in to see this page."
    manager.user_loader(load_user)
    app.extensions["touchline_login"] = LoginThrottle(app.extensions["touchline"])
    app.before_request(force_password_change)
    return AccountView(name="Account", endpoint="account", url="/admin/account")
