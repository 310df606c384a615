"""SQL of the audit log."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db import bulk
from backoffice.db.queries import rows, run


def insert(conn: Connection, **values: Any) -> None:
    run(
        conn,
        "INSERT INTO audit_log (org_id, user_id, actor, action, entity, entity_id, before_json, after_json, created_at) "
        "VALUES (:org_id, :user_id, :actor, :action, :entity, :entity_id, :before_json, :after_json, :created_at)",
        **values,
    )


COLUMNS = (
    "org_id",
    "user_id",
    "actor",
    "action",
    "entity",
    "entity_id",
    "before_json",
    "after_json",
    "created_at",
)


def insert_many(conn: Connection, values: list[tuple[Any, ...]]) -> None:
    """Audit rows in bulk, each a tuple in the order of COLUMNS."""
    bulk.insert_values(conn, "audit_log", COLUMNS, values)


def recent(
    conn: Connection, org_id: int, entity: str | None, entity_id: str | None, limit: int
) -> list[dict[str, Any]]:
    return rows(
        conn,
        "SELECT created_at, actor, action, entity, entity_id, before_json, after_json FROM audit_log "
        "WHERE org_id = :org AND (CAST(:entity AS VARCHAR) IS NULL OR entity = :entity) "
        "AND (CAST(:eid AS VARCHAR) IS NULL OR entity_id = :eid) ORDER BY audit_id DESC LIMIT :limit",
        org=org_id,
        entity=entity,
        eid=entity_id,
        limit=limit,
    )
