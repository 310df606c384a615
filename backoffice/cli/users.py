"""`backoffice user add|reset`: users, their roles, invitations and password resets."""

from __future__ import annotations

import click

from backoffice.cli import common
from backoffice.core.context import ROLES
from backoffice.core.errors import ValidationError

user = common.Group("user")


@user.command("add", help="add a user with a role (invitation token unless a password is given)")
@common.options()
@click.option("--email", required=True)
@click.option("--name")
@click.option("--mobile")
@click.option("--role", required=True, type=common.choice(ROLES))
@click.option("--password-env", metavar="VAR", help="read the password from this environment variable")
def add(email: str, name: str | None, mobile: str | None, role: str, password_env: str | None) -> None:
    from backoffice.admin import auth

    password = common.getenv(password_env) if password_env else None
    if password_env and password is None:
        raise ValidationError(f"the environment variable {password_env} is not set", "password-env")
    ctx = common.context()
    user_id, token = auth.add_user(ctx, email, name or email, role, password, mobile)
    joined = any(m["user_id"] == user_id for m in auth.list_members(ctx))
    common.emit(
        {"id": user_id, "invitation_token": token, "pending_acceptance": not joined},
        (
            f"Added user {email} (id {user_id}) as {role}."
            if joined
            else f"{email} already has an account (id {user_id}): it is invited as {role} and "
            "gets access once its owner signs in and accepts under My account with this code:"
        )
        + (f" Invitation token: {token}" if token and joined else f" {token}" if token else ""),
    )


@user.command("reset", help="issue a password reset token")
@common.options()
@click.option("--email", required=True)
def reset(email: str) -> None:
    from backoffice.admin import auth

    ctx = common.context()
    user_id = auth.account_id(ctx, email)
    token = auth.issue_reset_token(ctx, user_id)
    common.emit({"id": user_id, "reset_token": token}, f"Reset token for {email}: {token}")
