"""API requests carry no cookie session.

The API authenticates every request by its bearer token, so a panel session cookie sent
along means nothing there: it is neither read nor written (no cookie can ride on an API
call, and none is set by one). Opening the signed session cost a touchpoint's write a
twentieth of its time: itsdangerous builds its serializer anew on every request.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSessionInterface

API_PATH = "/api/"


class NoSessionOnApi(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> Any:
        if request.path.startswith(API_PATH):
            return self.make_null_session(app)
        return super().open_session(app, request)
