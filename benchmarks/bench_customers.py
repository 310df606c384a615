"""Customers list search at 100,000 customers: the service (count + page + balances + custom fields)
against the same count and page query run on raw DuckDB, in the same process and file."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

import pandas as pd

from backoffice.admin import orgs
from backoffice.admin.demo import (
    ARABIC_FIRST,
    ARABIC_LAST,
    ENGLISH_FIRST,
    ENGLISH_LAST,
    PERSIAN_FIRST,
    PERSIAN_LAST,
)
from backoffice.contacts.customers import list_customers, search_pattern
from backoffice.core.context import Context, User
from backoffice.core.text import search_key
from backoffice.db import now, open_database
from benchmarks.common import report, timed

COUNT = 100_000
RAW_COUNT = "SELECT count(*) FROM contacts c WHERE c.org_id = ? AND c.search_text LIKE ?"
RAW_PAGE = (
    "SELECT c.contact_id, c.role, c.name, c.emails, c.phone, c.tax_id, c.city, c.country, c.payment_terms_days, "
    "c.created_at FROM contacts c WHERE c.org_id = ? AND c.search_text LIKE ? "
    "ORDER BY c.name_key ASC NULLS LAST, c.contact_id LIMIT 50 OFFSET 0"
)


def _frame(org_id: int) -> pd.DataFrame:
    rng = random.Random(1)
    firsts, lasts = ARABIC_FIRST + PERSIAN_FIRST + ENGLISH_FIRST, ARABIC_LAST + PERSIAN_LAST + ENGLISH_LAST
    names = [f"{rng.choice(firsts)} {rng.choice(lasts)}" for _ in range(COUNT)]
    phones = [f"+9665{rng.randrange(10**7, 10**8)}" for _ in range(COUNT)]
    emails = [f"customer{n}@example.com" for n in range(COUNT)]
    at = now()
    return pd.DataFrame(
        {
            "contact_id": range(1, COUNT + 1),
            "org_id": org_id,
            "role": "customer",
            "name": names,
            "emails": emails,
            "phone": phones,
            "name_key": [search_key(n) for n in names],
            "search_text": [
                f"{search_key(n)} | {e} | {p[1:]} | {p[4:]}"
                for n, e, p in zip(names, emails, phones, strict=True)
            ],
            "payment_terms_days": 0,
            "created_at": at,
            "updated_at": at,
        }
    )


def run() -> list[dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-customers-"))
    path = folder / "bench.duckdb"
    db = open_database(f"duckdb:///{path}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", actor=User.system())
    frame = _frame(org_id)
    with db.write() as conn:
        raw = conn.connection.dbapi_connection  # the DuckDB connection under SQLAlchemy, for a bulk insert
        raw.register("frame", frame)
        raw.execute("INSERT INTO contacts BY NAME SELECT * FROM frame")
        raw.execute("INSERT INTO contact_emails SELECT org_id, contact_id, emails FROM frame")
        raw.unregister("frame")
    ctx = Context(db, User.system("bench"), org_id)
    pooled = db.engine.raw_connection()  # the same DuckDB database, queried without our code in between
    direct = pooled.driver_connection
    results = []
    for label, query in [
        ("name (Arabic, folded)", "محمد"),
        ("phone digits", "0551234"),
        ("email", "customer4242@"),
        ("no match", "zzzz"),
    ]:
        pattern = search_pattern(query)

        def raw_query(p: str | None = pattern) -> None:
            direct.execute(RAW_COUNT, [org_id, p]).fetchall()
            direct.execute(RAW_PAGE, [org_id, p]).fetchall()

        ours = timed(lambda q=query: list_customers(ctx, search=q, page_size=50))
        results.append(report(f"customers search @100k: {label}", ours, timed(raw_query)))
    pooled.close()
    db.dispose()
    return results
