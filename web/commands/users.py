"""``touchline users create|deactivate|reset-password``: the people who log in to the panel.

Passwords are hashed here (argon2) and only the hash is stored. ``create`` asks for the
password twice when ``--password`` is not given; ``reset-password`` sets a temporary password
(generated and printed last, unless given) that the user must replace at the next login.
"""

from __future__ import annotations

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from domain.errors import AlreadyExistsError, DomainError
from domain.users.model import ROLES, User, user_id_for
from projections.private_files import open_private
from web.admin.handover import hand_over, handover_note, held_work, remaining
from web.admin.passwords import hash_password, password_problem, temporary_password
from web.admin.session import data_directory
from web.services import services

ACTOR = "system:cli"


def _checked(password: str, email: str) -> str:
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(f"password refused: {problem}")
    return password


def _hash(password: str) -> str:
    return hash_password(password, testing=current_app.testing)


def _user(email: str) -> User:
    try:
        return services().app.get_user(user_id_for(email))
    except DomainError:
        raise click.ClickException(f"no user with the email address {email!r}") from None


def _active(email: str, as_what: str) -> User:
    """The user ``email`` names, who must be active to be given a role such as manager."""
    user = _user(email)
    if not user.active:
        raise click.ClickException(f"the {as_what} {user.email} is deactivated")
    return user


@click.group("users")
def users_group() -> None:
    """Create, deactivate and reset the passwords of panel users."""


@users_group.command("create")
@click.option("--email", required=True, help="The address the user logs in with.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, agent or auditor.")
@click.option("--name", default=None, help="Full name (default: from the email address).")
@click.option("--team", default=None, help="The user's team, e.g. for queues by team.")
@click.option("--manager", default=None, metavar="EMAIL",
              help="Their manager (an active user): overdue promises and SLA breaches are escalated to them.")
@click.option("--password", default=None, help="Asked for (twice) when not given.")
@with_appcontext
def create_command(email: str, role: str, name: str | None, team: str | None, manager: str | None,
                   password: str | None) -> None:
    """Create a user who can log in to the panel at /admin."""
    svc = services()
    name = name or email.split("@")[0].replace(".", " ").title()
    manager_id = _active(manager, "manager").id if manager is not None else None
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        receipt = svc.app.register_user(email=email, name=name, role=role, team=team, manager_id=manager_id,
                                        password_hash=_hash(_checked(password, email)),
                                        occurred_at=svc.clock.now(), actor=ACTOR)
    except AlreadyExistsError:
        raise click.ClickException(f"a user with the email address {email} exists already; "
                                   "change its password with: touchline users reset-password EMAIL") from None
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {role} {svc.app.get_user(receipt.id).email} ({receipt.id}).")


@users_group.command("deactivate")
@click.argument("email")
@click.option("--reason", required=True, help="Why (kept in the user's history).")
@click.option("--reassign-to", "reassign_to", default=None, metavar="EMAIL",
              help="A colleague (an active admin or agent) who takes over their active cases and open "
                   "promises, each with a handover note.")
@with_appcontext
def deactivate_command(email: str, reason: str, reassign_to: str | None) -> None:
    """Deactivate EMAIL: their sessions end and they cannot log in. Then say what they still
    hold (active cases, open promises, as the read models show them), or hand their cases over."""
    svc, user = services(), _user(email)
    to = _colleague(reassign_to, user) if reassign_to is not None else None
    now = svc.clock.now()
    try:
        svc.app.deactivate_user(user.id, reason=reason, occurred_at=now, actor=ACTOR)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Deactivated {user.email}.")
    work = held_work(user.id, user.email)
    if to is not None and work.items:
        done = hand_over(svc.app, work, f"user:{to.id}", note=handover_note(user.name, reason), occurred_at=now,
                         actor=ACTOR)
        for _, line in done.report(to.email):
            click.echo(line)
        work = remaining(work, done)
    if work.summary(user.email):
        click.echo(f"Warning: {work.summary(user.email)}")


def _colleague(email: str, leaving: User) -> User:
    """Who takes over ``leaving``'s work: an active admin or agent other than them."""
    to = _active(email, "colleague to reassign to")
    if to.id == leaving.id:
        raise click.ClickException("reassign their work to someone other than the user leaving")
    if not services().app.is_staff(f"user:{to.id}"):
        raise click.ClickException(f"work cannot be given to {to.email} (an {to.role}): pick an admin or agent")
    return to


@users_group.command("reset-password")
@click.argument("email")
@click.option("--password", default=None, help="The temporary password (default: a generated one, printed).")
@with_appcontext
def reset_command(email: str, password: str | None) -> None:
    """Give EMAIL a temporary password, to be replaced at the next login; their sessions end."""
    svc, user = services(), _user(email)
    chosen = _checked(password, user.email) if password is not None else temporary_password()
    try:
        svc.app.set_user_password(user.id, password_hash=_hash(chosen), must_change=True,
                                  occurred_at=svc.clock.now(), actor=ACTOR)
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Reset the password of {user.email}; they must choose a new one at the next login.")
    if password is None:
        click.echo("Temporary password (not shown again):")
        click.echo(chosen)


DEMO_NAMES = {"admin": "Demo Admin", "agent": "Demo Agent", "auditor": "Demo Auditor"}
DEMO_PASSWORD_FILE = "demo-password"


def ensure_demo_users() -> str:
    """admin@, agent@ and auditor@example.com, once. Their password: ``TOUCHLINE_DEMO_PASSWORD``
    (the operator's own: neither printed nor written anywhere), else generated, printed once and
    kept (mode 0600) in ``demo-password`` in the data directory, never in the repo. Returns a line
    saying how to log in."""
    svc = services()
    path = data_directory(svc) / DEMO_PASSWORD_FILE
    missing = [role for role in ROLES if not _exists(f"{role}@example.com")]
    if not missing:
        where = f"the password is in {path}" if path.exists() else "their password is unchanged"
        return f"demo users admin@, agent@, auditor@example.com exist already; {where}"
    given = os.environ.get("TOUCHLINE_DEMO_PASSWORD")
    password = given or temporary_password()
    _checked(password, "demo@example.com")
    for role in missing:
        svc.app.register_user(email=f"{role}@example.com", name=DEMO_NAMES[role], role=role,
                              password_hash=_hash(password), occurred_at=svc.clock.now(), actor="system:demo-users")
    users = ", ".join(f"{r}@example.com" for r in missing)
    if given:
        return f"demo users {users} can log in at /admin with the password from TOUCHLINE_DEMO_PASSWORD"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open_private(path) as out:
        out.write(password + "\n")
    return f"demo users {users} can log in at /admin with the password {password} (also in {path})"


def _exists(email: str) -> bool:
    try:
        services().app.get_user(user_id_for(email))
    except DomainError:
        return False
    return True
