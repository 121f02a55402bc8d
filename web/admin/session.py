"""The session cookie: signed with ``SECRET_KEY``, HttpOnly, SameSite=Lax, Secure by default.

``SECRET_KEY`` comes from ``TOUCHLINE_SECRET_KEY``; when absent, one is generated once and
kept in ``secret_key`` next to the SQLite file (``var/`` for PostgreSQL), readable by its
owner only, so sessions survive restarts. Several hosts must share one: set the variable.
``SESSION_COOKIE_SECURE`` (``TOUCHLINE_SESSION_COOKIE_SECURE``): 1/0, or ``auto`` (the
default): on, except in tests, debug mode, or when served on a loopback address only (the
local quick start on http://127.0.0.1). Behind a TLS proxy on the same host set it to 1.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path

from flask import Flask

from projections.private_files import open_private
from web.services import Services

KEY_FILE = "secret_key"


def data_directory(services: Services) -> Path:
    if services.storage.is_sqlite:
        return Path(services.storage.event_store_env["SQLITE_DBNAME"]).resolve().parent
    return Path("var").resolve()


def stored_secret_key(directory: Path) -> str:
    """The key in ``directory/secret_key``, created (atomically, mode 0600) when missing."""
    path = directory / KEY_FILE
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        draft = directory / f".{KEY_FILE}.{os.getpid()}"
        with open_private(draft) as out:
            out.write(secrets.token_hex(32))
        try:
            os.link(draft, path)  # fails if another process was first: then use theirs
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def _is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cookie_secure(app: Flask) -> bool:
    value = str(app.config.get("SESSION_COOKIE_SECURE", "auto")).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    return not (app.testing or app.debug or _is_loopback(str(app.config.get("HOST", ""))))


def configure_session(app: Flask, services: Services) -> None:
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = (secrets.token_hex(32) if app.testing
                                    else stored_secret_key(data_directory(services)))
    app.config.update(
        SESSION_COOKIE_NAME="touchline_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=cookie_secure(app),
        REMEMBER_COOKIE_HTTPONLY=True,
    )
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
