"""``touchline import maven``: the Maven CRM data set into the event store, on SQLite and PostgreSQL.

The real data set is imported once per backend (module-scoped ``full_import``) and checked
by loading the aggregates through the Application; behaviours that change the store
(sync, bad rows, the CLI) use small data sets written into ``tmp_path``.
"""

from __future__ import annotations

import csv
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from flask.testing import FlaskCliRunner

from domain.application import Touchline
from domain.clock import FixedClock
from domain.customers.model import customer_id_for
from domain.deals.model import Deal, deal_id_for
from domain.products.model import Product, product_id_for
from domain.users.model import user_id_for
from projections.storage import storage_from_url
from tests.conftest import ADMIN_URL, MAVEN_DIR, _postgres_or_skip
from web.importers.batches import BatchSaver
from web.importers.csvfiles import FileRefusedError
from web.importers.maven import import_maven
from web.importers.summary import ImportSummary

IMPORTED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)


def rows_of(directory: Path, name: str) -> list[dict[str, str]]:
    with (directory / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def email_of(name: str) -> str:
    return name.lower().replace(" ", ".") + "@maven.example"


def log_of(app: Touchline) -> list[tuple[UUID | str, int, str]]:
    """Every stored event as (aggregate, version, topic), in log order."""
    return [(n.originator_id, n.originator_version, n.topic)
            for n in app.recorder.select_notifications(0, 1_000_000, inclusive_of_start=False)]


@dataclass
class FullImport:
    app: Touchline
    summary: ImportSummary
    deals: dict[str, Deal]  # by opportunity_id, loaded with app.get_deal
    pipeline: list[dict[str, str]]


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def full_import(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullImport]:
    """The real data set imported once into a fresh database of each backend."""
    assert MAVEN_DIR.is_dir(), f"the Maven CRM data set is missing at {MAVEN_DIR}"
    database = None
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('maven') / 'touchline.db'}"
    else:
        _postgres_or_skip()
        database = f"touchline_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        url = f"{ADMIN_URL.rsplit('/', 1)[0]}/{database}"
    app = Touchline(env=storage_from_url(url).event_store_env)
    try:
        summary = import_maven(app, FixedClock(IMPORTED_AT), MAVEN_DIR)
        pipeline = rows_of(MAVEN_DIR, "sales_pipeline.csv")
        deals = {r["opportunity_id"]: app.get_deal(deal_id_for("maven", r["opportunity_id"])) for r in pipeline}
        yield FullImport(app, summary, deals, pipeline)
    finally:
        app.close()
        if database is not None:
            with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def test_every_account_becomes_a_company(full_import: FullImport) -> None:
    accounts = rows_of(MAVEN_DIR, "accounts.csv")
    customers = [full_import.app.get_customer(customer_id_for("maven", a["account"])) for a in accounts]
    assert len({c.id for c in customers}) == 85
    assert {c.customer_kind for c in customers} == {"company"}
    assert [c.external_ref for c in customers] == [f"maven:account:{a['account']}" for a in accounts]


def test_an_account_segment_is_normalised(full_import: FullImport) -> None:
    acme = full_import.app.get_customer(customer_id_for("maven", "Acme Corporation"))
    assert acme.segment == {"sector": "technology", "size": "1000-4999", "location": "United States",
                            "revenue_musd": "1100.04", "employees": "2822", "established": "1996"}
    bluth = full_import.app.get_customer(customer_id_for("maven", "Bluth Company"))
    assert bluth.segment["parent"] == "Acme Corporation"


def test_every_product_is_registered_with_its_list_price(full_import: FullImport) -> None:
    for row in rows_of(MAVEN_DIR, "products.csv"):
        product = full_import.app.get_product(product_id_for(row["product"]))
        assert (product.name, product.series, product.list_price) == (row["product"], row["series"],
                                                                      Decimal(row["sales_price"]))


def test_every_agent_and_manager_is_a_user_in_their_team(full_import: FullImport) -> None:
    teams = rows_of(MAVEN_DIR, "sales_teams.csv")
    people = {r["sales_agent"] for r in teams} | {r["manager"] for r in teams}
    users = {name: full_import.app.get_user(user_id_for(email_of(name))) for name in people}
    assert len(users) == 41
    assert {u.role for u in users.values()} == {"agent"}
    for row in teams:
        agent, manager = users[row["sales_agent"]], users[row["manager"]]
        assert (agent.team, agent.region, agent.manager_id) == (row["manager"], row["regional_office"], manager.id)
        assert (manager.team, manager.region, manager.manager_id) == (row["manager"], row["regional_office"], None)


def test_managers_are_registered_before_their_agents(full_import: FullImport) -> None:
    position = {aggregate_id: i for i, (aggregate_id, version, topic) in enumerate(log_of(full_import.app))
                if topic.endswith("User.Registered")}
    for row in rows_of(MAVEN_DIR, "sales_teams.csv"):
        manager, agent = user_id_for(email_of(row["manager"])), user_id_for(email_of(row["sales_agent"]))
        assert position[manager] < position[agent]


def test_every_opportunity_becomes_a_deal_in_its_stage(full_import: FullImport) -> None:
    stages = Counter(deal.stage for deal in full_import.deals.values())
    assert stages == {"Won": 4238, "Lost": 2473, "Engaging": 1589, "Prospecting": 500}


def test_gtxpro_deals_point_at_the_gtx_pro_product(full_import: FullImport) -> None:
    gtx_pro = full_import.app.get_product(product_id_for("GTX Pro"))
    spelt_gtxpro = [r["opportunity_id"] for r in full_import.pipeline if r["product"] == "GTXPro"]
    assert len(spelt_gtxpro) == 1480
    for opportunity_id in spelt_gtxpro:
        deal = full_import.deals[opportunity_id]
        assert (deal.product_id, deal.value) == (gtx_pro.id, gtx_pro.list_price)
        assert deal.title.startswith("GTX Pro ")


def test_deals_without_account_are_kept_without_a_customer(full_import: FullImport) -> None:
    no_account = [full_import.deals[r["opportunity_id"]] for r in full_import.pipeline if not r["account"]]
    assert len(no_account) == 1425
    assert {d.customer_id for d in no_account} == {None}
    assert all(d.title.endswith(" (no account)") for d in no_account)


def test_deals_belong_to_their_agent_and_account(full_import: FullImport) -> None:
    row = next(r for r in full_import.pipeline if r["opportunity_id"] == "Z063OYW0")
    deal = full_import.deals["Z063OYW0"]
    assert deal.owner == str(user_id_for(email_of(row["sales_agent"])))
    assert deal.customer_id == customer_id_for("maven", row["account"])
    assert deal.title == f"GTX Pro for {row['account']}"


def test_a_won_deal_replays_its_stages_at_its_dates(full_import: FullImport) -> None:
    events: list[Any] = list(full_import.app.events.get(deal_id_for("maven", "1C1I7A6R")))
    engaged, closed = datetime(2016, 10, 20, tzinfo=timezone.utc), datetime(2017, 3, 1, tzinfo=timezone.utc)
    assert [(type(e).__name__, e.occurred_at, e.actor) for e in events] == [
        ("Opened", engaged, "import:maven"), ("StageChanged", engaged, "import:maven"),
        ("Won", closed, "import:maven")]
    assert events[-1].close_value == Decimal("1054")


def test_a_lost_deal_is_lost_at_its_close_date_with_the_import_reason(full_import: FullImport) -> None:
    row = next(r for r in full_import.pipeline if r["deal_stage"] == "Lost")
    last: Any = list(full_import.app.events.get(deal_id_for("maven", row["opportunity_id"])))[-1]
    assert (type(last).__name__, last.reason, last.occurred_at.date().isoformat()) == (
        "Lost", "maven: lost", row["close_date"])


def test_prospecting_deals_count_from_when_they_were_imported(full_import: FullImport) -> None:
    prospecting = [full_import.deals[r["opportunity_id"]] for r in full_import.pipeline
                   if r["deal_stage"] == "Prospecting"]
    assert {(d.version, d.stage_entered_at) for d in prospecting} == {(1, IMPORTED_AT)}


def test_the_summary_counts_rows_and_events(full_import: FullImport) -> None:
    assert full_import.summary.rows_read == {
        "accounts.csv": 85, "products.csv": 7, "sales_teams.csv": 35, "sales_pipeline.csv": 8800}
    assert full_import.summary.events_stored == len(log_of(full_import.app))
    assert full_import.summary.rejects == []


def test_running_the_import_again_stores_nothing(full_import: FullImport) -> None:
    before = full_import.app.recorder.max_notification_id()
    again = import_maven(full_import.app, FixedClock(datetime(2026, 4, 1, tzinfo=timezone.utc)), MAVEN_DIR)
    assert full_import.app.recorder.max_notification_id() == before
    assert (again.events_stored, again.rejects) == (0, [])


# Small data sets --------------------------------------------------------------------------

HEADERS = {
    "accounts.csv": "account,sector,year_established,revenue,employees,office_location,subsidiary_of",
    "products.csv": "product,series,sales_price",
    "sales_teams.csv": "sales_agent,manager,regional_office",
    "sales_pipeline.csv": "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date,close_value",
}
SMALL = {
    "accounts.csv": ["Acme Corporation,technolgy,1996,1100.04,2822,United States,",
                     "Betasoloin,medical,1999,251.41,495,United States,"],
    "products.csv": ["GTX Pro,GTX,4821", "MG Special,MG,55"],
    "sales_teams.csv": ["Anna Snelling,Dustin Brinkmann,Central", "Moses Frase,Dustin Brinkmann,Central"],
    "sales_pipeline.csv": ["AAA00001,Anna Snelling,GTXPro,Acme Corporation,Won,2016-10-20,2017-03-01,4514",
                           "AAA00002,Moses Frase,MG Special,,Engaging,2016-11-02,,",
                           "AAA00003,Anna Snelling,MG Special,Betasoloin,Prospecting,,,",
                           "AAA00004,Moses Frase,GTX Pro,Betasoloin,Lost,2016-10-25,2017-01-10,0"],
}


def write_dataset(directory: Path, rows: dict[str, list[str]] | None = None,
                  headers: dict[str, str] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, header in (HEADERS | (headers or {})).items():
        lines = [header, *(rows or SMALL)[name]]
        (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def changed(name: str, old: str, new: str) -> dict[str, list[str]]:
    """SMALL with one line of one file replaced."""
    assert old in SMALL[name]
    return SMALL | {name: [new if line == old else line for line in SMALL[name]]}


def new_events(app: Touchline, after: int) -> list[tuple[str, UUID | str]]:
    return [(n.topic.rsplit(":", 1)[1], n.originator_id)
            for n in app.recorder.select_notifications(after, 1000, inclusive_of_start=False)]


def test_a_rerun_after_the_files_changed_appends_exactly_the_differences(
    stored_app: Touchline, clock: FixedClock, tmp_path: Path,
) -> None:
    import_maven(stored_app, clock, write_dataset(tmp_path / "v1"))
    before = stored_app.recorder.max_notification_id() or 0
    rows = SMALL | {
        "accounts.csv": ["Acme Corporation,software,1996,1100.04,2822,United States,", SMALL["accounts.csv"][1]],
        "products.csv": ["GTX Pro,GTX,4999", SMALL["products.csv"][1]],
        "sales_pipeline.csv": [line.replace("Engaging,2016-11-02,,", "Won,2016-11-02,2017-02-01,60")
                               for line in SMALL["sales_pipeline.csv"]],
    }
    summary = import_maven(stored_app, clock, write_dataset(tmp_path / "v2", rows))
    assert sorted(new_events(stored_app, before)) == sorted([
        ("Customer.DetailsChanged", customer_id_for("maven", "Acme Corporation")),
        ("Product.PriceChanged", product_id_for("GTX Pro")),
        ("Deal.Won", deal_id_for("maven", "AAA00002")),
    ])
    assert (summary.events_stored, summary.rejects) == (3, [])
    deal = stored_app.get_deal(deal_id_for("maven", "AAA00002"))
    assert (deal.stage, deal.close_value, deal.stage_entered_at) == (
        "Won", Decimal("60"), datetime(2017, 2, 1, tzinfo=timezone.utc))
    assert stored_app.get_customer(customer_id_for("maven", "Acme Corporation")).segment["sector"] == "software"


def test_a_prospecting_deal_cannot_engage_before_it_was_recorded(
    stored_app: Touchline, clock: FixedClock, tmp_path: Path,
) -> None:
    import_maven(stored_app, clock, write_dataset(tmp_path / "v1"))
    clock.advance(days=1)
    rows = changed("sales_pipeline.csv", "AAA00003,Anna Snelling,MG Special,Betasoloin,Prospecting,,,",
                   "AAA00003,Anna Snelling,MG Special,Betasoloin,Engaging,2016-12-01,,")
    import_maven(stored_app, clock, write_dataset(tmp_path / "v2", rows))
    deal = stored_app.get_deal(deal_id_for("maven", "AAA00003"))
    assert (deal.stage, deal.stage_entered_at) == ("Engaging", IMPORTED_AT)


@pytest.mark.parametrize("old, new, reason", [
    ("AAA00001,Anna Snelling,GTXPro,Acme Corporation,Won,2016-10-20,2017-03-01,4514",
     "AAA00001,Anna Snelling,GTXPro,Acme Corporation,Lost,2016-10-20,2017-03-01,0",
     "the stored deal is Won and the file says Lost; an import only moves deals forward"),
    ("AAA00001,Anna Snelling,GTXPro,Acme Corporation,Won,2016-10-20,2017-03-01,4514",
     "AAA00001,Anna Snelling,GTXPro,Acme Corporation,Won,2016-10-20,2017-03-01,9999",
     "an import does not rewrite closed deals"),
    ("AAA00002,Moses Frase,MG Special,,Engaging,2016-11-02,,",
     "AAA00002,Moses Frase,MG Special,,Prospecting,2016-11-02,,",
     "the stored deal is Engaging and the file says Prospecting"),
    ("AAA00002,Moses Frase,MG Special,,Engaging,2016-11-02,,",
     "AAA00002,Anna Snelling,MG Special,Acme Corporation,Engaging,2016-11-02,,",
     "account and sales_agent differ from the stored deal"),
], ids=["won-now-lost", "won-value-changed", "engaging-back-to-prospecting", "reassigned"])
def test_a_change_that_would_rewrite_history_is_rejected(
    stored_app: Touchline, clock: FixedClock, tmp_path: Path, old: str, new: str, reason: str,
) -> None:
    import_maven(stored_app, clock, write_dataset(tmp_path / "v1"))
    before = stored_app.recorder.max_notification_id()
    summary = import_maven(stored_app, clock, write_dataset(tmp_path / "v2", changed("sales_pipeline.csv", old, new)))
    assert [(r.file, r.line, r.raw) for r in summary.rejects] == [
        ("sales_pipeline.csv", SMALL["sales_pipeline.csv"].index(old) + 2, new)]
    assert reason in summary.rejects[0].reason
    assert stored_app.recorder.max_notification_id() == before


P = "sales_pipeline.csv"
BAD_ROWS = [
    (P, ",Anna Snelling,GTX Pro,Acme Corporation,Engaging,2016-10-20,,", "opportunity_id is required"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Engaging,2016-13-45,,", "engage_date '2016-13-45' is not a date"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2017-03-01,2016-10-20,100",
     "close_date 2016-10-20 is before engage_date 2017-03-01"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2017-03-01,-5", "close_value: must not be negative"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2017-03-01,lots",
     "close_value: 'lots' is not a number"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Negotiating,2016-10-20,,", "deal_stage 'Negotiating' is unknown"),
    (P, "BAD00001,Anna Snelling,GTX Ultra,Acme Corporation,Engaging,2016-10-20,,", "unknown product 'GTX Ultra'"),
    (P, "BAD00001,Nobody Here,GTX Pro,Acme Corporation,Engaging,2016-10-20,,", "unknown sales_agent 'Nobody Here'"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Initech,Engaging,2016-10-20,,", "unknown account 'Initech'"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2017-03-01,",
     "close_value is required when deal_stage is Won"),
    (P, "AAA00001,Moses Frase,MG Special,,Engaging,2016-11-02,,", "duplicate opportunity_id 'AAA00001' (first on line 2)"),
    (P, "BAD00001,Anna Snelling,GTX Pro", "has 3 fields; the header has 8"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Engaging,2099-01-10,,", "engage_date 2099-01-10 is in the future"),
    (P, "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2099-06-01,500",
     "close_date 2099-06-01 is in the future"),
    ("accounts.csv", ",retail,1990,100,50,Kenya,", "account is required"),
    ("accounts.csv", "Zeta Corp,retail,1990,-3,100,Kenya,", "revenue: must not be negative"),
    ("accounts.csv", "acme corporation,retail,1990,3,100,Kenya,", "duplicate account 'acme corporation' (first on line 2)"),
    ("accounts.csv", "Zeta Corp,retail,1990,3,100,Kenya,No Such Parent",
     "subsidiary_of: no account named 'No Such Parent' (in this file or imported before)"),
    ("accounts.csv", "Zeta Corp,retail,1990,3,100,Kenya,zeta corp", "subsidiary_of names the account itself"),
    ("products.csv", "GTX Ultra,GTX,cheap", "sales_price: 'cheap' is not a number"),
    ("products.csv", "GTXPro,GTX,4821", "duplicate product 'GTXPro' (first on line 2)"),
    ("sales_teams.csv", ",Dustin Brinkmann,Central", "sales_agent is required"),
    ("sales_teams.csv", "Anna Snelling,Cara Losch,East", "duplicate sales_agent 'Anna Snelling' (first on line 2)"),
]


@pytest.mark.parametrize("file, bad_row, reason", BAD_ROWS, ids=[r for _, _, r in BAD_ROWS])
def test_a_bad_row_is_rejected_with_its_line_and_writes_nothing(
    stored_app: Touchline, memory_app: Touchline, clock: FixedClock, tmp_path: Path,
    file: str, bad_row: str, reason: str,
) -> None:
    import_maven(memory_app, clock, write_dataset(tmp_path / "good"))
    rows = SMALL | {file: [*SMALL[file], bad_row]}
    summary = import_maven(stored_app, clock, write_dataset(tmp_path / "bad", rows))
    assert [(r.file, r.line, r.raw) for r in summary.rejects] == [(file, len(SMALL[file]) + 2, bad_row)]
    assert reason in summary.rejects[0].reason
    # Exactly what the same files without the bad row store.
    assert log_of(stored_app) == log_of(memory_app)


def test_deals_of_a_rejected_product_are_rejected_too(stored_app: Touchline, clock: FixedClock, tmp_path: Path) -> None:
    rows = changed("products.csv", "MG Special,MG,55", "MG Special,MG,-55")
    summary = import_maven(stored_app, clock, write_dataset(tmp_path, rows))
    assert [(r.file, r.line) for r in summary.rejects] == [
        ("products.csv", 3), ("sales_pipeline.csv", 3), ("sales_pipeline.csv", 4)]
    assert "unknown product 'MG Special'" in summary.rejects[1].reason


@pytest.mark.parametrize("file, header, message", [
    ("accounts.csv", "account,sector,year_established,revenue,staff,office_location,subsidiary_of",
     "accounts.csv: wrong columns: missing employees; unexpected 'staff'"),
    ("sales_pipeline.csv", "opportunity_id,sales_agent,product,account,deal_stage,engage_date,close_date",
     "sales_pipeline.csv: wrong columns: missing close_value"),
    ("products.csv", "product,series,sales_price,currency", "products.csv: wrong columns: unexpected 'currency'"),
])
def test_a_file_with_the_wrong_columns_refuses_the_whole_import(
    stored_app: Touchline, clock: FixedClock, tmp_path: Path, file: str, header: str, message: str,
) -> None:
    with pytest.raises(FileRefusedError) as refused:
        import_maven(stored_app, clock, write_dataset(tmp_path, headers={file: header}))
    assert message in str(refused.value)
    assert log_of(stored_app) == []


def test_a_missing_file_refuses_the_whole_import(stored_app: Touchline, clock: FixedClock, tmp_path: Path) -> None:
    directory = write_dataset(tmp_path)
    (directory / "sales_teams.csv").unlink()
    with pytest.raises(FileRefusedError, match="sales_teams.csv: cannot be read"):
        import_maven(stored_app, clock, directory)
    assert log_of(stored_app) == []


def test_a_row_that_conflicts_with_a_concurrent_save_is_rejected_and_its_batch_still_saved(
    stored_app: Touchline, clock: FixedClock,
) -> None:
    def product(name: str) -> Product:
        return Product.register(name=name, series="GTX", list_price=55, occurred_at=clock.now(), actor="user:test")

    stored_app.save(product("GTX Pro"))  # someone else registered it meanwhile
    conflicts: list[tuple[str, str]] = []
    saver = BatchSaver(stored_app, on_conflict=lambda key, reason: conflicts.append((key, reason)))
    saver.add("line 2", product("GTXPro"))
    saver.add("line 3", product("MG Special"))
    saver.flush()
    assert conflicts == [("line 2", "Product GTXPro already exists")]
    assert stored_app.get_product(product_id_for("MG Special")).name == "MG Special"
    assert (saver.events_stored, dict(saver.created)) == (1, {"Product": 1})


# The command line ----------------------------------------------------------------------------

def touchline(runner: FlaskCliRunner, *args: str) -> Any:
    from web.cli import cli  # here, not at the top: the other CLI modules must not stop the import tests

    return runner.invoke(cli, ["import", "maven", *args])


def test_the_command_imports_and_prints_a_summary(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    result = touchline(cli_runner, str(write_dataset(tmp_path / "data")), "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 0, result.output
    app = cli_runner.app.extensions["touchline"].app
    assert "Rows read: accounts.csv 2, products.csv 2, sales_teams.csv 2, sales_pipeline.csv 4" in result.stdout
    assert f"Events stored: {len(log_of(app))} (" in result.stdout
    assert "Rejected: 0 rows" in result.stdout
    assert app.get_deal(deal_id_for("maven", "AAA00001")).stage == "Won"


def test_the_command_lists_rejects_and_writes_the_default_report(
    cli_runner: FlaskCliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    bad = "BAD00001,Anna Snelling,GTX Pro,Acme Corporation,Won,2016-10-20,2017-03-01,"
    result = touchline(cli_runner, str(write_dataset(tmp_path / "data", SMALL | {P: [*SMALL[P], bad]})))
    assert result.exit_code == 0, result.output
    assert "rejected sales_pipeline.csv:6: close_value is required when deal_stage is Won" in result.stderr
    assert "Rejected: 1 rows" in result.stdout
    with (tmp_path / "var" / "import-rejects.csv").open(newline="") as f:
        assert list(csv.reader(f)) == [["file", "line", "reason", "raw"],
                                       [P, "6", "close_value is required when deal_stage is Won", bad]]


def test_the_report_writes_a_rejected_formula_as_text_not_as_a_formula(
    cli_runner: FlaskCliRunner, tmp_path: Path,
) -> None:
    bad = "=2+5*cmd,Anna Snelling,GTX Pro,Acme Corporation,Engaging,2016-13-45,,"
    report = tmp_path / "r.csv"
    result = touchline(cli_runner, str(write_dataset(tmp_path / "data", SMALL | {P: [*SMALL[P], bad]})),
                       "--report", str(report))
    assert result.exit_code == 0, result.output
    with report.open(newline="") as f:
        assert list(csv.reader(f))[1][3] == "'" + bad


def test_strict_exits_2_when_a_row_was_rejected(cli_runner: FlaskCliRunner, tmp_path: Path) -> None:
    directory = write_dataset(tmp_path / "data", SMALL | {"products.csv": [*SMALL["products.csv"], "X,Y,-1"]})
    result = touchline(cli_runner, str(directory), "--strict", "--report", str(tmp_path / "r.csv"))
    assert result.exit_code == 2
    assert "Rejected: 1 rows" in result.stdout


@pytest.mark.parametrize("break_it, message", [
    (lambda d: d / "nowhere", "no such directory"),
    (lambda d: write_dataset(d, headers={"products.csv": "product,series,price"}),
     "products.csv: wrong columns: missing sales_price; unexpected 'price'"),
], ids=["missing-directory", "wrong-columns"])
def test_the_command_refuses_an_unusable_directory_with_a_message(
    cli_runner: FlaskCliRunner, tmp_path: Path, break_it: Any, message: str,
) -> None:
    result = touchline(cli_runner, str(break_it(tmp_path)))
    assert result.exit_code == 1
    assert "import refused, nothing was written" in result.stderr and message in result.stderr
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
