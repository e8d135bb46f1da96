"""`flask users ...`: create accounts and set status, tier and role from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from quantum.auth import service
from quantum.auth.models import AccountStatus, Tier, User, UserRole
from quantum.auth.schemas import RegisterSchema
from quantum.errors import APIError
from quantum.extensions import db

users_cli = AppGroup("users", help="Manage user accounts: create, show, set status, tier and role.")


def _describe(user: User) -> str:
    return (f"{user.email} (id {user.id}): status={user.account_status.value} tier={user.tier.value} "
            f"role={user.role.value}")


def _find(email: str) -> User:
    try:
        return service.require_user_by_email(session=db.session, email=email)
    except APIError as exc:
        raise click.ClickException(exc.message) from None


def _choice(enum_class: type) -> click.Choice:
    return click.Choice([member.value for member in enum_class], case_sensitive=False)


def _set(email: str, field: str, value: str) -> None:
    user = _find(email)
    before = getattr(user, field).value
    try:
        service.update_user(session=db.session, user=user, changes={field: value.lower()}, via="cli")
    except APIError as exc:
        raise click.ClickException(exc.message) from None
    after = getattr(user, field).value
    note = "unchanged" if before == after else f"{before} -> {after}"
    click.echo(f"{field} {note}: {_describe(user)}")


@users_cli.command("set-status")
@click.argument("email")
@click.argument("status", type=_choice(AccountStatus))
def set_status_command(email: str, status: str) -> None:
    """Set EMAIL's account status (active, suspended, inactive); applies at once to its tokens and keys."""
    _set(email, "account_status", status)


@users_cli.command("set-tier")
@click.argument("email")
@click.argument("tier", type=_choice(Tier))
def set_tier_command(email: str, tier: str) -> None:
    """Set EMAIL's tier (free, pro, enterprise); scopes follow at once."""
    _set(email, "tier", tier)


@users_cli.command("set-role")
@click.argument("email")
@click.argument("role", type=_choice(UserRole))
def set_role_command(email: str, role: str) -> None:
    """Set EMAIL's role (user, admin)."""
    _set(email, "role", role)


@users_cli.command("show")
@click.argument("email")
def show_command(email: str) -> None:
    """Print EMAIL's id, status, tier and role."""
    click.echo(_describe(_find(email)))


@users_cli.command("create")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The password (prompted when not given).")
@click.option("--username", default=None, help="An optional username.")
@click.option("--tier", type=_choice(Tier), default="free", show_default=True)
@click.option("--role", type=_choice(UserRole), default="user", show_default=True)
def create_command(email: str, password: str, username: str | None, tier: str, role: str) -> None:
    """Create an account (for example the first admin)."""
    if problem := _email_problem(email):
        raise click.BadParameter(problem, param_hint="EMAIL")
    data = {"email": email, "password": password, "username": username, "tier": tier.lower(), "role": role.lower()}
    try:
        user = service.create_user(session=db.session, data=data)
    except APIError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created {_describe(user)}")


def _email_problem(email: str) -> str | None:
    try:
        RegisterSchema().load({"email": email, "password": "placeholder-1"}, partial=("password",))
    except ValidationError as exc:
        return "; ".join(exc.messages_dict.get("email", [])) or None
    return None
