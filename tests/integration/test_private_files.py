"""Files holding customers' data or secrets are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from projections.audit_export import manifest_path
from projections.private_files import open_private
from scheduler.leader import FileLeaderLock
from scheduler.mailin.store import MailStore
from web import create_app
from web.cli import cli
from web.importers.csvfiles import Reject, write_report

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """As on a machine whose umask lets everyone read new files (022, the common default)."""
    before = os.umask(0o022)
    yield
    os.umask(before)


def test_the_sqlite_databases_and_their_journals_are_owner_only(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'touchline.db'}", "TESTING": True})
    services = app.extensions["touchline"]
    services.app.register_customer(name="Ada", occurred_at=NOW, actor="system:test")
    services.projection_runner().catch_up()
    try:
        files = sorted(p.name for p in (tmp_path / "var").iterdir() if p.name.startswith("touchline"))
        assert {"touchline.db", "touchline.db-wal", "touchline-views.db"} <= set(files), files
        assert {name: mode(tmp_path / "var" / name) for name in files} == dict.fromkeys(files, 0o600)
    finally:
        services.close()


def test_an_audit_export_is_owner_only(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "TESTING": True})
    app.extensions["touchline"].app.register_customer(name="Ada", occurred_at=NOW, actor="system:test")
    out = tmp_path / "events.ndjson"
    out.write_text("an older export, made public by hand\n")
    out.chmod(0o644)
    result = app.test_cli_runner().invoke(cli, ["audit", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert mode(out) == 0o600 and "Ada" in out.read_text()
    app.extensions["touchline"].close()


def test_stored_mail_is_owner_only(tmp_path: Path) -> None:
    store = MailStore(tmp_path / "mail")
    digest = store.put_raw(b"From: ada@example.com\r\n\r\nMy router is broken.")
    assert mode(tmp_path / "mail" / "raw" / digest[:2] / digest) == 0o600


def test_open_private_makes_an_existing_file_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text("old")
    path.chmod(0o644)
    with open_private(path) as out:
        out.write("new")
    assert (mode(path), path.read_text()) == (0o600, "new")


def test_an_audit_exports_manifest_is_owner_only(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "TESTING": True})
    app.extensions["touchline"].app.register_customer(name="Ada", occurred_at=NOW, actor="system:test")
    out = tmp_path / "events.ndjson"
    result = app.test_cli_runner().invoke(cli, ["audit", "export", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert mode(manifest_path(out)) == 0o600
    app.extensions["touchline"].close()


def test_the_import_reject_report_is_owner_only(tmp_path: Path) -> None:
    report = tmp_path / "var" / "import-rejects.csv"
    write_report(report, [Reject("accounts.csv", 2, "no name", "Ada Lovelace,ada@example.com")])
    assert mode(report) == 0o600 and "ada@example.com" in report.read_text()
    report.chmod(0o644)  # an older report, left readable
    write_report(report, [])
    assert mode(report) == 0o600


def test_a_point_in_time_build_is_owner_only(tmp_path: Path) -> None:
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 't.db'}", "TESTING": True})
    app.extensions["touchline"].app.register_customer(name="Ada", occurred_at=NOW, actor="system:test")
    built = tmp_path / "as-of" / "views.db"
    built.parent.mkdir()
    result = app.test_cli_runner().invoke(cli, ["projections", "rebuild", "--as-of", "2030-01-01T00:00:00+00:00",
                                                "--into", f"sqlite:///{built}"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in built.parent.iterdir())
    assert "views.db" in files
    assert {name: mode(built.parent / name) for name in files} == dict.fromkeys(files, 0o600)
    app.extensions["touchline"].close()


def test_the_scheduler_lock_file_is_owner_only(tmp_path: Path) -> None:
    lock = FileLeaderLock(tmp_path / "touchline.db.scheduler.lock")
    assert lock.acquire()
    try:
        assert mode(lock.path) == 0o600 and lock.path.read_text() == f"{os.getpid()}\n"
    finally:
        lock.release()
