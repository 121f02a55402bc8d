"""Passwords: argon2id hashes (argon2-cffi), and what a password must be.

Only the hash ever reaches the domain (``Touchline.set_user_password``); a password itself is
never stored nor logged. Tests use argon2's cheapest profile (``TESTING``): strength is not
what they measure, and the default costs ~50 ms per hash.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
MAX_LENGTH = 200
# The passwords people pick first; a longer list is no stronger than the length rule.
COMMON = frozenset({"password1234", "123456789012", "qwertyuiopas", "letmeinletmein", "passwordpassword",
                    "touchline123", "administrator", "changemechangeme"})

_default = PasswordHasher()  # RFC 9106 low-memory profile: argon2id, 64 MiB, t=3
_cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)


def _hasher(testing: bool) -> PasswordHasher:
    return _cheap if testing else _default


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why ``password`` is too weak (a sentence for the form or the CLI), or None."""
    if len(password) < MIN_LENGTH:
        return f"Use at least {MIN_LENGTH} characters."
    if len(password) > MAX_LENGTH:
        return f"Use at most {MAX_LENGTH} characters."
    lowered, address = password.lower(), (email or "").lower()
    if len(set(lowered)) < 5:
        return "Use more different characters."
    local = address.split("@")[0]
    if lowered in COMMON or (address and (lowered in address or address in lowered
                                          or (len(local) >= 4 and local in lowered))):
        return "Too easy to guess: do not use your email address or a common password."
    return None


def hash_password(password: str, *, testing: bool = False) -> str:
    return _hasher(testing).hash(password)


def verify_password(password_hash: str | None, password: str, *, testing: bool = False) -> bool:
    """True when ``password`` matches. Without a hash it still spends the time of a check,
    so a missing account answers as slowly as a wrong password."""
    hasher = _hasher(testing)
    try:
        return hasher.verify(password_hash or _dummy_hash(testing), password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


_dummies: dict[bool, str] = {}


def _dummy_hash(testing: bool) -> str:
    if testing not in _dummies:
        _dummies[testing] = _hasher(testing).hash(secrets.token_urlsafe(16))
    return _dummies[testing]


def temporary_password() -> str:
    """A random password for a reset or the demo users (16 characters, ~95 bits)."""
    return secrets.token_urlsafe(12)
