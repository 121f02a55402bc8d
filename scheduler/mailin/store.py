"""Where inbound mail's bytes live: a directory of files named by their SHA-256 (``raw/`` for whole
mails, ``attachments/`` for attachments). Content-addressed, so writing the same mail twice
is harmless, and a file is written (to a temporary name, then renamed) before any event
refers to it."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

from projections.private_files import open_private


class MailStore:
    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)

    def _put(self, kind: str, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / kind / digest[:2] / digest
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{digest}.{uuid.uuid4().hex}.tmp")  # one per writer: threads write too
            with open_private(temporary, "wb") as out:  # customers' mail
                out.write(data)
            os.replace(temporary, path)
        return digest

    def _get(self, kind: str, digest: str) -> bytes:
        return (self.directory / kind / digest[:2] / digest).read_bytes()

    def put_raw(self, raw: bytes) -> str:
        return self._put("raw", raw)

    def raw(self, digest: str) -> bytes:
        return self._get("raw", digest)

    def put_attachment(self, data: bytes) -> str:
        return self._put("attachments", data)

    def attachment(self, digest: str) -> bytes:
        return self._get("attachments", digest)
