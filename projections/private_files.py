"""Files that hold personal data or secrets (the SQLite databases, audit exports, stored mail,
keys, the demo password) are readable and writable by their owner only (0600), whatever the
umask: on a shared machine a 0644 database hands every local user the customers' history."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE = 0o600


def open_private(path: Path, mode: str = "w", **options: Any) -> IO[Any]:
    """``path`` opened for writing (created, or emptied), owner-only: also when it existed.
    ``options`` are ``open``'s for a text file (``encoding``, ``newline``)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    os.fchmod(fd, PRIVATE)
    return os.fdopen(fd, mode, **options)


def create_private(path: Path) -> None:
    """Create ``path`` empty and owner-only if it does not exist, e.g. a SQLite database before
    SQLite opens it (its -wal and -shm files then take the database file's mode)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE))
    except FileExistsError:
        pass
