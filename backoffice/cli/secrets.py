"""`backoffice secret rotate|new-key`: the key that seals stored secrets (SMTP passwords) at rest."""

from __future__ import annotations

from backoffice.cli import common

secret = common.Group("secret")


@secret.command("new-key", help="print a new key for BACKOFFICE_SECRET_KEY (nothing is changed)")
@common.options()
def new_key() -> None:
    from backoffice.db import secrets

    key = secrets.new_key()
    common.emit({"key": key}, key)


@secret.command("rotate", help="seal every stored secret again with the first key of BACKOFFICE_SECRET_KEY")
@common.options()
def rotate() -> None:
    from backoffice.admin import orgs

    count = orgs.reseal_secrets(common.open_database(), common.actor())
    common.emit({"resealed": count}, f"Sealed {count} stored secret(s) again with the current key.")
