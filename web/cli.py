"""The ``touchline`` command: a Flask CLI group (so ``run`` and ``shell`` work too) plus
Touchline's own commands, one module each under ``web/commands``."""

from __future__ import annotations

from typing import Any

import click
from eventsourcing.persistence import OperationalError
from flask.cli import FlaskGroup

from projections.crypto import MasterKeyError
from projections.storage import StorageURLError
from scheduler.settings import SettingError
from web import create_app
from web.commands.audit import audit_group
from web.commands.customers import customers_group
from web.commands.demo import demo_command
from web.commands.imports import import_group
from web.commands.mailin import mail_in_group
from web.commands.projections import projections_group
from web.commands.scheduler import scheduler_command
from web.commands.serve import serve_command
from web.commands.tokens import tokens_group
from web.commands.users import users_group
from web.commands.webhooks import webhooks_group


class TouchlineGroup(FlaskGroup):
    """Flask's group, minus its habit of building the app to list commands: ours are all
    registered here, and ``touchline --help`` must not open (or create) a database."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(click.Group.list_commands(self, ctx))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return click.Group.get_command(self, ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StorageURLError as exc:  # a bad TOUCHLINE_DATABASE_URL: a message, not a traceback
            raise click.ClickException(f"TOUCHLINE_DATABASE_URL: {exc}") from None
        except (SettingError, MasterKeyError) as exc:  # any other bad TOUCHLINE_* value, named
            raise click.ClickException(str(exc)) from None
        except OperationalError as exc:  # the database does not answer: a line, not a traceback
            raise click.ClickException(f"the database at TOUCHLINE_DATABASE_URL does not answer: {exc}") from None


@click.group(cls=TouchlineGroup, create_app=create_app, add_version_option=False)
def cli() -> None:
    """Touchline: an event-sourced customer-service and sales ledger."""


cli.add_command(audit_group)
cli.add_command(customers_group)
cli.add_command(import_group)
cli.add_command(mail_in_group)
cli.add_command(projections_group)
cli.add_command(scheduler_command)
cli.add_command(demo_command)
cli.add_command(serve_command)
cli.add_command(tokens_group)
cli.add_command(users_group)
cli.add_command(webhooks_group)


def main() -> None:
    cli(prog_name="touchline")


if __name__ == "__main__":
    main()
