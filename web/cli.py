"""The ``touchline`` command: a Flask CLI group (so ``run`` and ``shell`` work too) plus
Touchline's own commands, one module each under ``web/commands``."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from web import create_app
from web.commands.demo import demo_command
from web.commands.imports import import_group


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """Touchline: an event-sourced customer-service and sales ledger."""


cli.add_command(import_group)
cli.add_command(demo_command)


def main() -> None:
    cli(prog_name="touchline")
