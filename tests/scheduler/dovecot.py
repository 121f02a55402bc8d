"""A real IMAP server for the poller's tests: Debian's Dovecot (``apt-get install dovecot-imapd``),
started as root with a throwaway configuration in a temporary directory: plain-text login for
one passwd-file user, a maildir, a free port on 127.0.0.1. Skips with a reason when Dovecot
is missing or not startable by this user; fails instead under TOUCHLINE_REQUIRE_SERVICES=1."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from scheduler.mailsink import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-test-password"
CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
mail_location = maildir:~/Maildir
first_valid_uid = {uid}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


@dataclass(frozen=True)
class Dovecot:
    port: int

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX"

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        client.login(USER, PASSWORD)
        client.select("INBOX")
        return client

    def deliver(self, raw: bytes) -> None:
        """Put a message into the mailbox, unseen (IMAP APPEND)."""
        client = self.client()
        try:
            status, _ = client.append("INBOX", "", None, raw)
            assert status == "OK"
        finally:
            client.logout()

    def unseen(self) -> int:
        client = self.client()
        try:
            _, data = client.uid("SEARCH", "UNSEEN")
            return len(data[0].split()) if data and data[0] else 0
        finally:
            client.logout()


def _unavailable(reason: str) -> None:
    if os.environ.get("TOUCHLINE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"Dovecot required (TOUCHLINE_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(reason)


def _wait_for(port: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)  # waiting for a server process to listen, not for test time
    return False


@pytest.fixture(scope="module")
def dovecot() -> Iterator[Dovecot]:
    if not Path(DOVECOT).exists():
        _unavailable("Dovecot is not installed (apt-get install -y dovecot-imapd)")
    if os.geteuid() != 0:
        _unavailable("Dovecot's test server starts as root")
    # Not under pytest's temporary directory: that is private to root, and Dovecot's auth
    # process (user dovecot) must read the passwd file.
    root = Path(tempfile.mkdtemp(prefix="touchline-dovecot-"))
    owner = pwd.getpwnam("dovecot")
    for name in ("run", "state", "home"):
        (root / name).mkdir()
    (root / "home").chmod(0o777)
    root.chmod(0o755)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = free_port()
    config = root / "dovecot.conf"
    config.write_text(CONFIG.format(root=root, uid=owner.pw_uid, gid=owner.pw_gid, port=port))
    # Dovecot daemonizes; its output goes to a file, not to pipes the daemon would keep open.
    with open(root / "start.log", "w") as output:
        started = subprocess.run([DOVECOT, "-c", str(config)], check=False, stdin=subprocess.DEVNULL, stdout=output,
                                 stderr=subprocess.STDOUT, timeout=30)

    if started.returncode != 0 or not _wait_for(port):
        log = (root / "dovecot.log").read_text() if (root / "dovecot.log").exists() else ""
        said = (root / "start.log").read_text().strip()
        _unavailable(f"Dovecot did not start: {said} {log[-500:]}")
    try:
        yield Dovecot(port)
    finally:
        subprocess.run([DOVECOT, "-c", str(config), "stop"], check=False, stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30)
        shutil.rmtree(root, ignore_errors=True)
