"""``touchline audit show|export|import`` and ``projections rebuild --as-of|--known-at --into``, on
SQLite and PostgreSQL: what was true then, what was known then, and an export that imports into
an empty store with identical projections. Bad input exits non-zero with a message."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import Result
from eventsourcing.utils import get_topic
from flask import Flask

from domain.audit.model import AuditRead
from domain.clock import FixedClock
from projections.chain_verify import verify_chain
from projections.engine import create_views_engine
from projections.registry import all_projections
from projections.verify import diff_table
from tests.conftest import new_database
from tests.integration.test_audit_replay import T0, Story, hours, recorded, transferred_case
from web import create_app
from web.cli import cli
from web.commands.audit_verify import audit_key


@pytest.fixture
def databases(database_url: str, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """More fresh databases of the same backend as ``database_url``."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgres"
    with ExitStack() as stack:
        made = iter(range(100))

        def another() -> str:
            directory = tmp_path / f"other-{next(made)}"
            directory.mkdir()
            return stack.enter_context(new_database(backend, directory))

        yield another


AUDIT_KEY = "audit-key-of-these-tests"  # every store here shares it: exports are signed, imports check them


def flask_app(url: str) -> Flask:
    return create_app({"DATABASE_URL": url, "CLOCK": FixedClock(T0), "TESTING": True, "AUDIT_KEY": AUDIT_KEY})


@pytest.fixture
def apps() -> Iterator[Callable[[str], Flask]]:
    started: list[Flask] = []

    def start(url: str) -> Flask:
        started.append(flask_app(url))
        return started[-1]

    yield start
    for app in started:
        app.extensions["touchline"].close()


@pytest.fixture
def story_app(database_url: str, apps: Callable[[str], Flask]) -> tuple[Flask, Story]:
    app = apps(database_url)
    story = transferred_case(app.extensions["touchline"].app)
    app.extensions["touchline"].projection_runner().catch_up()
    return app, story


def invoke(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(cli, list(args))


def audit_reads(app: Flask) -> list[Any]:
    touchline = app.extensions["touchline"].app
    notes = touchline.recorder.select_notifications(start=1, limit=1000, topics=[get_topic(AuditRead.Recorded)])
    return [touchline.mapper.to_domain_event(n) for n in notes]


def views_url(url: str) -> str:
    return url if url.startswith("sqlite") else url.replace("postgresql://", "postgresql+psycopg://", 1)


def same_tables(a_url: str, b_url: str) -> list[Any]:
    """Every projection table compared row by row: the differences (none when identical)."""
    a, b = create_views_engine(a_url), create_views_engine(b_url)
    found: list[Any] = []
    try:
        with a.connect() as left, b.connect() as right:
            for projection in all_projections():
                for table in projection.tables:
                    found += diff_table(left, right, table, 20)[1]
    finally:
        a.dispose()
        b.dispose()
    return found


# -- show ------------------------------------------------------------------------------------

def test_show_prints_the_events_and_the_state_as_asked(story_app: tuple[Flask, Story]) -> None:
    app, story = story_app
    now = invoke(app, "audit", "show", str(story.case))
    assert now.exit_code == 0, now.output
    assert "Case.Transferred" in now.output and "user:first@example.com" in now.output
    assert hours(-1).isoformat() in now.output and recorded(2).isoformat() in now.output
    assert '"assignee": "user:second@example.com"' in now.output
    as_of = invoke(app, "audit", "show", "CASE-000001", "--as-of", hours(-1.5).isoformat())
    assert as_of.exit_code == 0, as_of.output
    assert '"assignee": "user:first@example.com"' in as_of.output and '"priority": "high"' in as_of.output
    known = invoke(app, "audit", "show", str(story.case), "--known-at", recorded(0.5).isoformat())
    assert "version 1 of 4" in known.output
    assert "it did not exist yet" in invoke(app, "audit", "show", str(story.case), "--as-of", hours(-9).isoformat()).output
    reads = audit_reads(app)
    assert [r.channel for r in reads] == ["cli"] * 4 and reads[1].query["as_of"] == hours(-1.5).isoformat()
    assert reads[1].subject == str(story.case) and reads[1].actor == "system:cli"


@pytest.mark.parametrize("args, message", [
    (["--version", "9"], "--version: there is no version 9"),
    (["--version", "0"], "0 is not in the range x>=1"),
    (["--as-of", "2026-03-01T00:00:00"], "needs a timezone"),
    (["--known-at", "soon"], "'soon' is not a date and time"),
    (["--version", "1", "--as-of", "2026-03-01T00:00:00+00:00"], "--as-of: give at most one"),
])
def test_show_refuses_bad_questions(story_app: tuple[Flask, Story], args: list[str], message: str) -> None:
    app, story = story_app
    result = invoke(app, "audit", "show", str(story.case), *args)
    assert result.exit_code == 2 and message in result.output
    assert audit_reads(app) == []


@pytest.mark.parametrize("record", ["CASE-999999", "00000000-0000-0000-0000-000000000007", "nonsense"])
def test_show_names_an_unknown_record(story_app: tuple[Flask, Story], record: str) -> None:
    result = invoke(story_app[0], "audit", "show", record)
    assert result.exit_code == 1 and "Error:" in result.output


# -- projections at a point in time -----------------------------------------------------------

def test_a_projection_known_at_t_equals_one_rebuilt_from_the_events_recorded_by_t(
        story_app: tuple[Flask, Story], databases: Callable[[], str], apps: Callable[[str], Flask],
        tmp_path: Path) -> None:
    app, _ = story_app
    cut = recorded(1.5)  # the case was opened and assigned; the transfer and re-prioritising came later
    built = databases()
    result = invoke(app, "projections", "rebuild", "--known-at", cut.isoformat(), "--into", views_url(built))
    assert result.exit_code == 0, result.output
    # The reference: a store that only ever had the events recorded by then, rebuilt live.
    exported = tmp_path / "until.ndjson"
    assert invoke(app, "audit", "export", "--until", cut.isoformat(), "--out", str(exported)).exit_code == 0
    reference_url = databases()
    reference = apps(reference_url)
    assert invoke(reference, "audit", "import", str(exported)).exit_code == 0
    reference.extensions["touchline"].projection_runner().rebuild()
    assert same_tables(views_url(built), reference.extensions["touchline"].storage.views_url) == []
    with create_views_engine(views_url(built)).connect() as conn:
        assignee = conn.execute(sa.text("SELECT assignee FROM cases")).scalar()
    assert assignee == "user:first@example.com"


def test_a_projection_as_of_a_business_instant_leaves_out_what_happened_later(
        story_app: tuple[Flask, Story], databases: Callable[[], str]) -> None:
    app, _ = story_app
    built = databases()
    result = invoke(app, "projections", "rebuild", "cases", "customer360", "--as-of", hours(-4.5).isoformat(),
                    "--into", views_url(built))
    assert result.exit_code == 0, result.output
    with create_views_engine(views_url(built)).connect() as conn:
        case = conn.execute(sa.text("SELECT assignee, priority FROM cases")).one()
    assert tuple(case) == (None, "normal")  # opened; not yet assigned nor re-prioritised
    before = invoke(app, "projections", "rebuild", "cases", "--as-of", hours(-9).isoformat(),
                    "--into", views_url(built))
    assert before.exit_code == 0
    with create_views_engine(views_url(built)).connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM cases")).scalar() == 0


@pytest.mark.parametrize("args, message", [
    (["--as-of", "2026-03-01T00:00:00+00:00"], "give --into URL"),
    (["--as-of", "2026-03-01T00:00:00+00:00", "--known-at", "2026-03-01T00:00:00+00:00", "--into", "sqlite:///x.db"],
     "not both"),
    (["--as-of", "yesterday", "--into", "sqlite:///x.db"], "is not a date and time"),
    (["--as-of", "2026-03-01T00:00:00+00:00", "--into", "mysql://nowhere/x"], "--into"),
])
def test_rebuild_at_a_point_in_time_refuses_bad_input(story_app: tuple[Flask, Story], args: list[str],
                                                     message: str) -> None:
    result = invoke(story_app[0], "projections", "rebuild", *args)
    assert result.exit_code != 0 and message in result.output


def test_rebuild_at_a_point_in_time_never_writes_into_the_live_read_models(story_app: tuple[Flask, Story]) -> None:
    app, _ = story_app
    live = app.extensions["touchline"].storage.views_url
    result = invoke(app, "projections", "rebuild", "--as-of", hours(-9).isoformat(), "--into", live)
    assert result.exit_code == 1 and "live read-model database" in result.output


# -- export and import -------------------------------------------------------------------------

def test_an_export_imports_into_an_empty_store_with_identical_projections(
        story_app: tuple[Flask, Story], databases: Callable[[], str], apps: Callable[[str], Flask],
        tmp_path: Path) -> None:
    app, _ = story_app
    source = app.extensions["touchline"]
    out = tmp_path / "all.ndjson"
    head = source.app.recorder.max_notification_id()
    exported = invoke(app, "audit", "export", "--out", str(out))
    assert exported.exit_code == 0, exported.output
    manifest = json.loads((tmp_path / "all.ndjson.manifest.json").read_text())
    lines = out.read_text().splitlines()
    assert manifest["count"] == len(lines) == head  # the export's own AuditRead comes after it
    assert (manifest["first_position"], manifest["last_position"]) == (1, len(lines))
    assert "exported" in exported.stderr and audit_reads(app)[-1].subject == "export"
    target = apps(databases())
    imported = invoke(target, "audit", "import", str(out))
    assert imported.exit_code == 0, imported.output
    # Signed at once: the imported events keep their recorded times, and verifying the store a day
    # later must not take them for a tail whose checkpoints were deleted.
    # (Only where a key exists: on PostgreSQL it comes from configuration, which this one lacks.)
    key = audit_key(target.extensions["touchline"])
    assert (f"checkpoint signed at position {len(lines)}" in imported.output) == (key is not None)
    assert verify_chain(target.extensions["touchline"].app.recorder, key, now=datetime.now(UTC) + timedelta(days=1)).ok
    original = source.app.recorder.select_notifications(start=1, limit=1000)[:len(lines)]
    into = target.extensions["touchline"].app
    copied = into.recorder.select_notifications(start=1, limit=1000)
    # Events without personal fields come back byte for byte; sealed ones are sealed again under
    # the new store's own keys, so they decode to the same events.
    assert [(n.id, n.originator_id, n.originator_version, n.topic) for n in copied] == [
        (n.id, n.originator_id, n.originator_version, n.topic) for n in original]
    assert [vars(into.mapper.to_domain_event(n)) for n in copied] == [
        vars(source.app.mapper.to_domain_event(n)) for n in original]
    assert [n.state for n in copied if b'"sealed"' not in n.state] == [
        n.state for n in original if b'"sealed"' not in n.state]
    source.projection_runner().rebuild()
    target.extensions["touchline"].projection_runner().rebuild()
    assert same_tables(source.storage.views_url, target.extensions["touchline"].storage.views_url) == []


def test_export_blanks_secrets(story_app: tuple[Flask, Story], tmp_path: Path) -> None:
    app, _ = story_app
    touchline = app.extensions["touchline"].app
    user = touchline.register_user(email="ann@example.com", name="Ann", role="agent", occurred_at=T0,
                                   actor="system:test").id
    touchline.set_user_password(user, password_hash="$argon2id$v=19$secret", occurred_at=T0, actor="system:test")
    assert invoke(app, "audit", "export", "--out", str(tmp_path / "x.ndjson")).exit_code == 0
    text = (tmp_path / "x.ndjson").read_text()
    assert "argon2" not in text and '"redacted":["password_hash"]' in text


def test_export_since_and_until_select_by_recorded_time(story_app: tuple[Flask, Story], tmp_path: Path) -> None:
    app, _ = story_app
    out = tmp_path / "window.ndjson"
    result = invoke(app, "audit", "export", "--since", recorded(0.5).isoformat(), "--until", recorded(2.5).isoformat(),
                    "--out", str(out))
    assert result.exit_code == 0, result.output
    versions = [json.loads(line)["version"] for line in out.read_text().splitlines()]
    assert versions == [2, 3]  # assigned (R0+1m) and transferred (R0+2m)
    assert invoke(app, "audit", "export", "--since", T0.isoformat(), "--until", hours(-1).isoformat(),
                  "--out", str(out)).exit_code == 2


@pytest.fixture
def exported(story_app: tuple[Flask, Story], tmp_path: Path) -> Path:
    out = tmp_path / "events.ndjson"
    assert invoke(story_app[0], "audit", "export", "--out", str(out)).exit_code == 0
    return out


def _rewrite(path: Path, change: Callable[[list[str]], list[str]], *, fix_digest: bool) -> None:
    import hashlib

    lines = change(path.read_text().split("\n")[:-1])
    data = "\n".join(lines) + ("\n" if lines else "")
    path.write_text(data)
    if fix_digest:  # as someone without the key could: the digest redone, the signature dropped
        manifest_file = path.with_name(path.name + ".manifest.json")
        manifest = json.loads(manifest_file.read_text())
        manifest["sha256"] = hashlib.sha256(data.encode()).hexdigest()
        manifest.pop("signature", None)
        manifest.pop("key_id", None)
        manifest_file.write_text(json.dumps(manifest))


@pytest.mark.parametrize("change, fix_digest, message", [
    (lambda lines: [lines[0].replace('"Ada"', '"Eve"'), *lines[1:]], False, "differs from the manifest"),
    (lambda lines: lines[:-1], False, "differs from the manifest"),
    (lambda lines: [*lines[:2], lines[2][:40], *lines[3:]], True, "line 3: not JSON"),
    (lambda lines: [*lines[:1], '{"position": 99}', *lines[1:]], True, "line 2: needs the keys"),
    (lambda lines: [lines[1], lines[0], *lines[2:]], True, "line 2: position 1 does not follow 2"),
    (lambda lines: lines[:-1], True, "the manifest says"),
])
def test_a_bad_file_is_refused_naming_the_problem_and_nothing_is_imported(
        exported: Path, databases: Callable[[], str], apps: Callable[[str], Flask],
        change: Callable[[list[str]], list[str]], fix_digest: bool, message: str) -> None:
    _rewrite(exported, change, fix_digest=fix_digest)
    target = apps(databases())
    result = invoke(target, "audit", "import", "--allow-unverified", str(exported))  # to reach each line's check
    assert result.exit_code == 1 and message in result.output, result.output
    assert not target.extensions["touchline"].app.recorder.max_notification_id()


def test_a_truncated_last_line_is_named(exported: Path, databases: Callable[[], str],
                                        apps: Callable[[str], Flask]) -> None:
    _rewrite(exported, lambda lines: lines, fix_digest=False)
    data = exported.read_bytes()[:-1]  # the final newline lost
    exported.write_bytes(data)
    _rewrite(exported, lambda lines: lines, fix_digest=True)
    exported.write_bytes(data)
    import hashlib
    manifest_file = exported.with_name(exported.name + ".manifest.json")
    manifest = json.loads(manifest_file.read_text())
    manifest["sha256"] = hashlib.sha256(data).hexdigest()
    manifest.pop("signature", None)
    manifest_file.write_text(json.dumps(manifest))
    result = invoke(apps(databases()), "audit", "import", "--allow-unverified", str(exported))
    assert result.exit_code == 1 and f"line {len(data.splitlines())}: truncated" in result.output


def test_import_refuses_a_store_that_has_events(story_app: tuple[Flask, Story], exported: Path) -> None:
    app, _ = story_app
    before = app.extensions["touchline"].app.recorder.max_notification_id()
    result = invoke(app, "audit", "import", str(exported))
    assert result.exit_code == 1 and "not empty" in result.output
    assert app.extensions["touchline"].app.recorder.max_notification_id() == before


def test_import_needs_the_manifest(exported: Path, databases: Callable[[], str], apps: Callable[[str], Flask]) -> None:
    exported.with_name(exported.name + ".manifest.json").unlink()
    result = invoke(apps(databases()), "audit", "import", str(exported))
    assert result.exit_code == 1 and "manifest" in result.output and "missing" in result.output


@pytest.fixture
def keyed(database_url: str, databases: Callable[[], str]) -> Iterator[Callable[[str | None], Flask]]:
    """Apps on fresh databases of this backend with the given audit key (None: none configured)."""
    started: list[Flask] = []

    def start(key: str | None) -> Flask:
        started.append(create_app({"DATABASE_URL": databases(), "CLOCK": FixedClock(T0), "TESTING": True,
                                   **({"AUDIT_KEY": key} if key else {})}))
        return started[-1]

    yield start
    for app in started:
        app.extensions["touchline"].close()


def test_a_signed_export_proves_the_file_is_the_one_exported(keyed: Callable[[str | None], Flask],
                                                            tmp_path: Path) -> None:
    """The manifest is signed with the audit key: a line changed and the SHA-256 recomputed no
    longer passes, nor does the signature stripped; what this key cannot check is refused unless
    ``--allow-unverified``, which says so."""
    source = keyed("audit-key-1")
    transferred_case(source.extensions["touchline"].app)
    out = tmp_path / "signed.ndjson"
    exported = invoke(source, "audit", "export", "--out", str(out))
    assert exported.exit_code == 0 and "manifest signed with the audit key" in exported.output
    manifest = out.with_name(out.name + ".manifest.json")
    original, signed = out.read_text(), manifest.read_text()
    intact = invoke(keyed("audit-key-1"), "audit", "import", str(out))
    assert intact.exit_code == 0 and "the manifest's signature holds" in intact.output, intact.output
    lines = original.split("\n")[:-1]
    changed = "\n".join([lines[0].replace('"Ada"', '"Eve"'), *lines[1:]]) + "\n"
    out.write_text(changed)
    forged = json.loads(signed)
    forged["sha256"] = hashlib.sha256(changed.encode()).hexdigest()
    for stripped in (False, True):
        if stripped:
            forged.pop("signature")
        manifest.write_text(json.dumps(forged))
        target = keyed("audit-key-1")
        refused = invoke(target, "audit", "import", str(out))
        expected = "not signed" if stripped else "signature does not hold"
        assert refused.exit_code == 1 and expected in refused.output, refused.output
        assert not target.extensions["touchline"].app.recorder.max_notification_id()
    out.write_text(original)
    manifest.write_text(signed)
    for key, expected in (("another-key", "signed with another audit key"), (None, "no audit key here")):
        if key is None and source.extensions["touchline"].storage.is_sqlite:
            continue  # SQLite generates a key of its own: there is always one
        other = invoke(keyed(key), "audit", "import", str(out))
        assert other.exit_code == 1 and expected in other.output and "--allow-unverified" in other.output
        taken = invoke(keyed(key), "audit", "import", "--allow-unverified", str(out))
        assert taken.exit_code == 0 and "rests on its SHA-256 alone" in taken.output


def test_a_partial_export_is_refused_at_import_naming_the_first_record_cut(
        story_app: tuple[Flask, Story], databases: Callable[[], str], apps: Callable[[str], Flask],
        tmp_path: Path) -> None:
    app, _ = story_app
    out = tmp_path / "part.ndjson"
    logged = app.extensions["touchline"].app.recorder.select_notifications(start=1, limit=1000)
    since = next(n for n in logged if n.originator_version > 1)  # a record's later version, not its first
    recorded = json.loads(since.state)["timestamp"]["_data_"]
    assert invoke(app, "audit", "export", "--out", str(out), "--since", recorded).exit_code == 0
    target = apps(databases())
    result = invoke(target, "audit", "import", str(out))
    assert result.exit_code == 1 and "a partial export (made with --since" in result.output, result.output
    # Even unsigned and with the window's mark removed: a record without its first versions.
    manifest_file = out.with_name(out.name + ".manifest.json")
    manifest = json.loads(manifest_file.read_text())
    for name in ("since", "signature", "key_id"):
        manifest.pop(name, None)
    manifest_file.write_text(json.dumps(manifest))
    result = invoke(target, "audit", "import", "--allow-unverified", str(out))
    assert result.exit_code == 1 and "without its earlier versions: a partial export" in result.output, result.output
    assert not target.extensions["touchline"].app.recorder.max_notification_id()
