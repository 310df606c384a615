"""`backoffice token create|list|revoke`: personal API tokens for /api/v1 (the same as My account)."""

from __future__ import annotations

import click

from backoffice.cli import common

token = common.Group("token")


@token.command("create", help="a token for a member (shown once): /api/v1 with Authorization: Bearer TOKEN")
@common.options()
@click.option("--email", required=True, help="the member the token acts as")
@click.option("--name", default="API", help="what it is for (a script's name)")
@click.option("--days", type=int, help="how many days it works (default: until revoked)")
def create(email: str, name: str, days: int | None) -> None:
    from backoffice.admin import tokens

    made = tokens.create_token(common.context(), name, email, days)
    common.emit(made, f"Token #{made['id']} for {email} (shown only now): {made['token']}")


@token.command("list", help="the organization's tokens: who, what for, created, last used, revoked")
@common.options()
def list_tokens() -> None:
    from backoffice.admin import tokens

    found = tokens.list_tokens(common.context())
    data = [
        {
            "id": t["token_id"],
            "email": t["email"],
            "name": t["name"],
            "created_at": t["created_at"],
            "last_used_at": t["last_used_at"],
            "expires_at": t["expires_at"],
            "revoked": t["revoked_at"] is not None,
        }
        for t in found
    ]
    text = "\n".join(
        f"{d['id']:>4}  {d['email']}  {d['name']}  last used {d['last_used_at'] or 'never'}"
        + ("  (revoked)" if d["revoked"] else "")
        for d in data
    )
    common.emit(data, text or "No API tokens.")


@token.command("revoke", help="revoke a token; it stops at its next request")
@common.options()
@click.argument("id", type=int)
def revoke(id: int) -> None:
    from backoffice.admin import tokens

    tokens.revoke_token(common.context(), id)
    common.emit({"id": id, "revoked": True}, f"Token #{id} revoked.")
