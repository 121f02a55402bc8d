"""Lets Flask-Admin 2.2.1's sqla views import without Flask-SQLAlchemy (which we do not use).

Its ``contrib/sqla/_types.py`` defines ``T_SESSION`` (a type hint) only when Flask-SQLAlchemy
is installed, and ``_compat.py`` imports it unconditionally: ``import flask_admin.contrib.sqla``
fails with ImportError. Fixed upstream (pallets-eco/flask-admin PR #2908); until we upgrade,
load ``_types`` once, add the name, and leave it in ``sys.modules`` for the package to find.
Import this module before anything from ``flask_admin.contrib.sqla``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import flask_admin
from sqlalchemy.orm import Session

NAME = "flask_admin.contrib.sqla._types"

if NAME not in sys.modules:
    spec = importlib.util.spec_from_file_location(
        NAME, Path(flask_admin.__file__).parent / "contrib" / "sqla" / "_types.py")
    assert spec is not None and spec.loader is not None
    types = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(types)
    if not hasattr(types, "T_SESSION"):
        types.T_SESSION = Session  # type: ignore[attr-defined]
    sys.modules[NAME] = types
