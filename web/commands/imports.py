"""``touchline import ...``: bring data from other systems in (the importers live in ``web/importers``)."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager
from pathlib import Path

import click
from eventsourcing.persistence import PersistenceError
from flask.cli import AppGroup

from web.importers.csvfiles import FileRefusedError, Reject, write_report
from web.importers.maven import ImportSummary, ProgressBar, import_maven
from web.services import services

DEFAULT_REPORT = Path("var/import-rejects.csv")
SHOWN_REJECTS = 50  # on stderr; the report has them all


@click.group("import", cls=AppGroup)
def import_group() -> None:
    """Import data from other systems (re-running an import is safe: it syncs)."""


@import_group.command("maven")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Write the rejected rows here as CSV (default: {DEFAULT_REPORT}, and list them on stderr).")
@click.option("--strict", is_flag=True, help="Exit with status 2 if any row was rejected.")
def maven_command(directory: Path, report: Path | None, strict: bool) -> None:
    """Import the Maven CRM sample data set (accounts, products, sales teams, pipeline) from DIRECTORY."""
    found = services()

    def progress(total: int) -> AbstractContextManager[ProgressBar]:
        return click.progressbar(length=total, label="importing sales_pipeline.csv (deals)", file=sys.stderr)

    try:
        summary = import_maven(found.app, found.clock, directory, progress=progress)
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
        print_summary(summary, None)
        raise click.ClickException(f"cannot write the reject report {target}: {exc}") from None
    print_summary(summary, target)
    if strict and summary.rejects:
        raise click.exceptions.Exit(2)


def show_rejects(rejects: list[Reject]) -> None:
    for r in rejects[:SHOWN_REJECTS]:
        click.echo(f"rejected {r}", err=True)
    if len(rejects) > SHOWN_REJECTS:
        click.echo(f"... and {len(rejects) - SHOWN_REJECTS} more rejected rows", err=True)


def print_summary(summary: ImportSummary, report: Path | None) -> None:
    click.echo("Rows read: " + ", ".join(f"{name} {count:,}" for name, count in summary.rows_read.items()))
    kinds = sorted(set(summary.created) | set(summary.changed))
    detail = "; ".join(f"{kind} {summary.created.get(kind, 0):,} new, {summary.changed.get(kind, 0):,} changed"
                       for kind in kinds)
    click.echo(f"Events stored: {summary.events_stored:,}" + (f" ({detail})" if detail else ""))
    click.echo(f"Rejected: {len(summary.rejects):,} rows" + (f" (report: {report})" if report else ""))
