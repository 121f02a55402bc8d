"""``touchline import ...``: bring data from other systems in (the importers live in ``web/importers``)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import click
from eventsourcing.persistence import PersistenceError
from flask.cli import AppGroup

from web.importers.csvfiles import FileRefusedError, Reject, read_file, write_report
from web.importers.customers import DEFAULT_SOURCE, import_customers, owners_in
from web.importers.maven import import_maven
from web.importers.summary import ImportSummary, ProgressBar, ProgressFactory
from web.services import services

DEFAULT_REPORT = Path("var/import-rejects.csv")
SHOWN_REJECTS = 50  # on stderr; the report has them all

report_option = click.option(
    "--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=f"Write the rejected rows here as CSV (default: {DEFAULT_REPORT}, and list them on stderr).")
strict_option = click.option("--strict", is_flag=True, help="Exit with status 2 if any row was rejected.")


@click.group("import", cls=AppGroup)
def import_group() -> None:
    """Import data from other systems (re-running an import is safe: it syncs)."""


@import_group.command("maven")
@click.argument("directory", type=click.Path(path_type=Path))
@report_option
@strict_option
def maven_command(directory: Path, report: Path | None, strict: bool) -> None:
    """Import the Maven CRM sample data set (accounts, products, sales teams, pipeline) from DIRECTORY."""
    found = services()
    run_import(lambda: import_maven(found.app, found.clock, directory,
                                    progress=progress_bar("importing sales_pipeline.csv (deals)")), report, strict)


@import_group.command("customers")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--source", default=DEFAULT_SOURCE, show_default=True,
              help="The system the file's external_id values come from (zendesk, hubspot...): the same source and "
                   "id are the same customer on every import.")
@click.option("--check", is_flag=True, help="Check the file and report what the import would do; write nothing.")
@click.option("--ignore-other-columns", is_flag=True,
              help="Read past the columns Touchline does not know (an export's own), instead of refusing the file.")
@report_option
@strict_option
def customers_command(file: Path, source: str, check: bool, ignore_other_columns: bool, report: Path | None,
                      strict: bool) -> None:
    """Import customers from a CSV FILE (columns: see the README's "Importing customers")."""
    found = services()

    def run() -> ImportSummary:
        label = f"{'checking' if check else 'importing'} {file.name}"
        return import_customers(found.app, found.clock, file.name, read_file(file), source=source,
                                owners=owners_in(found.views), check_only=check, ignore_other=ignore_other_columns,
                                progress=progress_bar(label))

    run_import(run, report, strict, checked=check)


def progress_bar(label: str) -> ProgressFactory:
    def progress(total: int) -> AbstractContextManager[ProgressBar]:
        return click.progressbar(length=total, label=label, file=sys.stderr)
    return progress


def run_import(run: Callable[[], ImportSummary], report: Path | None, strict: bool, checked: bool = False) -> None:
    """Run an import, then report: the rejected rows (stderr and the report file) and the summary."""
    try:
        summary = run()
    except FileRefusedError as exc:
        raise click.ClickException(f"import refused, nothing was written: {exc}") from None
    except PersistenceError as exc:
        raise click.ClickException(
            f"import stopped by the database: {exc!r}; the batches saved before are kept, re-run to finish"
        ) from None
    target = report or DEFAULT_REPORT
    if report is None:
        show_rejects(summary.rejects)
    try:
        write_report(target, summary.rejects)
    except OSError as exc:
        if report is not None:
            show_rejects(summary.rejects)
        print_summary(summary, None, checked)
        raise click.ClickException(f"cannot write the reject report {target}: {exc}") from None
    print_summary(summary, target, checked)
    if strict and summary.rejects:
        raise click.exceptions.Exit(2)


def show_rejects(rejects: list[Reject]) -> None:
    for r in rejects[:SHOWN_REJECTS]:
        click.echo(f"rejected {r}", err=True)
    if len(rejects) > SHOWN_REJECTS:
        click.echo(f"... and {len(rejects) - SHOWN_REJECTS} more rejected rows", err=True)


def print_summary(summary: ImportSummary, report: Path | None, checked: bool = False) -> None:
    click.echo("Rows read: " + ", ".join(f"{name} {count:,}" for name, count in summary.rows_read.items()))
    if summary.ignored_columns:
        click.echo("Ignored columns: " + ", ".join(summary.ignored_columns))
    kinds = sorted(set(summary.created) | set(summary.changed))
    detail = "; ".join(f"{kind} {summary.created.get(kind, 0):,} new, {summary.changed.get(kind, 0):,} changed"
                       for kind in kinds)
    stored = "Events the import would store (checked only, nothing was written)" if checked else "Events stored"
    click.echo(f"{stored}: {summary.events_stored:,}" + (f" ({detail})" if detail else ""))
    click.echo(f"Rejected: {len(summary.rejects):,} rows" + (f" (report: {report})" if report else ""))
    if summary.skipped:
        for r in summary.skipped[:SHOWN_REJECTS]:
            click.echo(f"skipped {r}", err=True)
        click.echo(f"Skipped: {len(summary.skipped):,} rows (left as they are on purpose; the reasons are above)")
