"""The audit log: who changed what and when, written in the same transaction as the change (SPEC A5).

Owns recording and reading audit rows. Secrets never enter it: keys in
SECRET_KEYS are masked before anything is stored.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.core.context import Context
from backoffice.db import now
from backoffice.db.queries import audit as q

SECRET_KEYS = {"password", "password_hash", "smtp_password", "token", "token_hash", "logo", "content"}


def _dump(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    clean = {k: ("***" if k in SECRET_KEYS and v else v) for k, v in values.items()}
    return json.dumps(clean, ensure_ascii=False, default=str, sort_keys=True)


def record(
    conn: Connection,
    ctx: Context,
    action: str,
    entity: str,
    entity_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit row inside the caller's transaction."""
    q.insert(
        conn,
        org_id=ctx.org_id,
        user_id=ctx.user.user_id,
        actor=ctx.user.actor,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before_json=_dump(before),
        after_json=_dump(after),
        created_at=now(),
    )


def dumps(values: dict[str, Any] | None) -> str | None:
    """A before/after as the audit log stores it (secrets masked): for record_many's entries, made in advance."""
    return _dump(values)


def record_many(
    conn: Connection,
    ctx: Context,
    action: str,
    entity: str,
    entries: Sequence[tuple[object, str | None, str | None]],
) -> None:
    """Audit rows for many entities at once, (entity_id, dumps(before), dumps(after)) each, inside the caller's
    transaction: the same rows as `record` for each, in bulk."""
    at = now()
    q.insert_many(
        conn,
        [
            (
                ctx.org_id,
                ctx.user.user_id,
                ctx.user.actor,
                action,
                entity,
                None if entity_id is None else str(entity_id),
                before,
                after,
                at,
            )
            for entity_id, before, after in entries
        ],
    )


def list_entries(
    ctx: Context, entity: str | None = None, entity_id: object = None, limit: int = 200
) -> list[dict[str, Any]]:
    ctx.require("audit.read")
    with ctx.read() as conn:
        return q.recent(conn, ctx.org_id, entity, None if entity_id is None else str(entity_id), limit)
