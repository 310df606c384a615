"""SQL of the reports: sales, profit and VAT figures from the documents, ledger movements, drill-downs, and
the rows of a full-data export. Aggregation happens here, set-based, in SQL both DuckDB and PostgreSQL run.

Every query takes the organization and the document-date range as bound parameters; the dimension and
period names choose among fixed SQL fragments below (never text from a user).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection


def rows(conn: Connection, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Like backoffice.db.queries.rows, without a mapping object per row: reports return many rows."""
    result = conn.execute(sa.text(sql), params)
    keys = list(result.keys())
    return [dict(zip(keys, r, strict=True)) for r in result.fetchall()]


def org_basics(conn: Connection, org_id: int) -> dict[str, Any] | None:
    found = rows(conn, "SELECT currency, country FROM organizations WHERE org_id = :org", org=org_id)
    return found[0] if found else None


# One document row counts +1 as an invoice and -1 as a credit note: credit notes are negative sales.
_HEADER_MEASURES = """
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN i.net_minor ELSE 0 END) AS BIGINT) AS gross_sales_minor,
    CAST(SUM(CASE WHEN i.kind = 'credit_note' THEN i.net_minor ELSE 0 END) AS BIGINT) AS returns_minor,
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN i.vat_minor ELSE -i.vat_minor END) AS BIGINT) AS vat_minor,
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN i.cogs_minor ELSE -i.cogs_minor END) AS BIGINT) AS cogs_minor,
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN 1 ELSE 0 END) AS BIGINT) AS invoices,
    CAST(SUM(CASE WHEN i.kind = 'credit_note' THEN 1 ELSE 0 END) AS BIGINT) AS credit_notes"""
_LINE_MEASURES = """
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN l.net_minor ELSE 0 END) AS BIGINT) AS gross_sales_minor,
    CAST(SUM(CASE WHEN i.kind = 'credit_note' THEN l.net_minor ELSE 0 END) AS BIGINT) AS returns_minor,
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN l.vat_minor ELSE -l.vat_minor END) AS BIGINT) AS vat_minor,
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN l.cogs_minor ELSE -l.cogs_minor END) AS BIGINT) AS cogs_minor,
    CAST(SUM(CASE WHEN i.kind = 'invoice' THEN l.quantity ELSE -l.quantity END) AS BIGINT) AS quantity"""
_SUMS = ", ".join(
    f"CAST(SUM(t.{m}) AS BIGINT) AS {m}"
    for m in ("gross_sales_minor", "returns_minor", "vat_minor", "cogs_minor", "invoices", "credit_notes")
)
_DOCS = "i.org_id = :org AND i.issued_on >= :dfrom AND i.issued_on <= :dto"
# Joins on the unique ids, with the organization as a filter on each side (both are pushed into the scans).
_LINES = "invoice_lines l JOIN invoices i ON i.invoice_id = l.invoice_id AND i.org_id = :org"


def period_sql(period: str, column: str) -> str:
    """The first day of the day/week (ISO, Monday)/month holding `column`, as a DATE on both engines."""
    if period == "day":
        return column
    unit = {"week": "week", "month": "month"}[period]
    return f"CAST(date_trunc('{unit}', CAST({column} AS TIMESTAMP)) AS DATE)"


_NO_LINES = "NULL AS line_kind, NULL AS sku, NULL AS quantity"
FACT_COLUMNS = "k, label, line_kind, sku, quantity, gross_sales_minor, returns_minor, vat_minor, cogs_minor, invoices, credit_notes"


def _sales_sql(by: str) -> str:
    if by in ("day", "week", "month"):
        return (
            f"SELECT {period_sql(by, 'i.issued_on')} AS k, NULL AS label, {_NO_LINES}, {_HEADER_MEASURES} "  # noqa: S608 - fixed fragments
            f"FROM invoices i WHERE {_DOCS} GROUP BY 1"
        )
    if by == "customer":
        return (
            f"WITH t AS (SELECT i.customer_id AS k, {_HEADER_MEASURES} FROM invoices i WHERE {_DOCS} "  # noqa: S608 - fixed fragments
            f"GROUP BY i.customer_id) SELECT t.*, c.name AS label, {_NO_LINES} FROM t "
            "LEFT JOIN contacts c ON c.org_id = :org AND c.contact_id = t.k"
        )
    if by == "channel":
        return (
            f"WITH t AS (SELECT o.store_id AS k, {_HEADER_MEASURES} FROM invoices i "  # noqa: S608 - fixed fragments
            f"JOIN orders o ON o.order_id = i.order_id AND o.org_id = :org WHERE {_DOCS} GROUP BY o.store_id) "
            f"SELECT t.*, s.name AS label, {_NO_LINES} FROM t LEFT JOIN stores s ON s.org_id = :org AND s.store_id = t.k"
        )
    if by == "customer-category":  # a customer in two categories counts in both: rows overlap, totals do not
        return (
            f"WITH t AS (SELECT i.customer_id, {_HEADER_MEASURES} FROM invoices i WHERE {_DOCS} "  # noqa: S608 - fixed fragments
            f"GROUP BY i.customer_id) SELECT cc.category_id AS k, g.name AS label, {_NO_LINES}, {_SUMS} FROM t "
            "LEFT JOIN contact_categories cc ON cc.org_id = :org AND cc.contact_id = t.customer_id "
            "LEFT JOIN categories g ON g.org_id = :org AND g.category_id = cc.category_id "
            "GROUP BY cc.category_id, g.name"
        )
    lines = (
        f"SELECT l.product_id, l.kind AS line_kind, {_LINE_MEASURES} FROM {_LINES} "  # noqa: S608 - fixed fragments
        f"WHERE {_DOCS} AND l.org_id = :org GROUP BY l.product_id, l.kind"
    )
    if by == "product":
        return (
            f"WITH t AS ({lines}) SELECT t.product_id AS k, t.line_kind, t.gross_sales_minor, t.returns_minor, "  # noqa: S608 - fixed fragments
            "t.vat_minor, t.cogs_minor, t.quantity, p.sku, p.name AS label, NULL AS invoices, NULL AS credit_notes FROM t "
            "LEFT JOIN products p ON p.org_id = :org AND p.product_id = t.product_id"
        )
    if by == "category":
        return (
            f"WITH t AS ({lines}) SELECT CASE WHEN t.line_kind = 'shipping' THEN NULL ELSE p.category END AS k, "  # noqa: S608 - fixed fragments
            "MAX(CASE WHEN t.line_kind = 'shipping' THEN NULL ELSE p.category END) AS label, "
            "MAX(t.line_kind) AS line_kind, NULL AS sku, NULL AS invoices, NULL AS credit_notes, "
            "CAST(SUM(t.gross_sales_minor) AS BIGINT) AS gross_sales_minor, "
            "CAST(SUM(t.returns_minor) AS BIGINT) AS returns_minor, CAST(SUM(t.vat_minor) AS BIGINT) AS vat_minor, "
            "CAST(SUM(t.cogs_minor) AS BIGINT) AS cogs_minor, CAST(SUM(t.quantity) AS BIGINT) AS quantity FROM t LEFT JOIN products p ON p.org_id = :org AND p.product_id = t.product_id "
            "GROUP BY CASE WHEN t.line_kind = 'shipping' THEN NULL ELSE p.category END, t.line_kind = 'shipping'"
        )
    raise ValueError(f"no sales dimension {by!r}")


_ORDER = {  # the largest first; periods in date order
    "sales": "gross_sales_minor - returns_minor DESC",
    "profit": "gross_sales_minor - returns_minor - cogs_minor DESC",
}


def sales_facts(
    conn: Connection, org_id: int, dfrom: date, dto: date, by: str, order: str = "sales"
) -> list[Any]:
    """Per dimension value, as tuples in FACT_COLUMNS order (a report may have 100,000 customers): the key, its
    label, line kind, SKU, quantity, gross sales, returns, VAT and cost of goods (net of credit notes where
    signed), invoices and credit notes."""
    ordering = "k" if by in ("day", "week", "month") else f"{_ORDER[order]}, label"
    sql = f"SELECT {FACT_COLUMNS} FROM ({_sales_sql(by)}) f ORDER BY {ordering}"  # noqa: S608 - fixed fragments
    return list(conn.execute(sa.text(sql), {"org": org_id, "dfrom": dfrom, "dto": dto}).fetchall())


def sales_totals(conn: Connection, org_id: int, dfrom: date, dto: date) -> dict[str, Any]:
    sql = f"SELECT {_HEADER_MEASURES} FROM invoices i WHERE {_DOCS}"  # noqa: S608 - fixed fragments
    return rows(conn, sql, org=org_id, dfrom=dfrom, dto=dto)[0]


# Payment methods: how the documents of the period were settled. Payments and settled deposits count by their
# method; refunds paid out by the refund's method (negative); applied customer credit, and returns kept as
# credit, under '~credit'. What the documents' total exceeds all of these is '~open' (the service adds it).
_METHOD_SQL = f"""
WITH d AS (SELECT i.invoice_id FROM invoices i WHERE {_DOCS}),
r AS (SELECT p.method, p.amount_minor, p.invoice_id FROM payments p JOIN d ON d.invoice_id = p.invoice_id
      WHERE p.org_id = :org AND p.kind = 'refund' AND p.status = 'captured')
SELECT CASE WHEN a.kind IN ('payment', 'deposit') THEN p.method ELSE '~credit' END AS k,
       CAST(SUM(a.amount_minor) AS BIGINT) AS amount_minor, COUNT(DISTINCT a.invoice_id) AS documents
FROM allocations a JOIN d ON d.invoice_id = a.invoice_id
LEFT JOIN payments p ON p.payment_id = a.payment_id AND p.org_id = :org
WHERE a.org_id = :org GROUP BY 1
UNION ALL SELECT r.method, -CAST(SUM(r.amount_minor) AS BIGINT), COUNT(DISTINCT r.invoice_id) FROM r GROUP BY r.method
UNION ALL SELECT '~credit', CAST(SUM(r.amount_minor) AS BIGINT), 0 FROM r HAVING COUNT(*) > 0
"""  # noqa: S608 - fixed fragments


def sales_by_method(conn: Connection, org_id: int, dfrom: date, dto: date) -> list[dict[str, Any]]:
    return rows(conn, _METHOD_SQL, org=org_id, dfrom=dfrom, dto=dto)


# ---------------------------------------------------------------- VAT


def vat_by_class(conn: Connection, org_id: int, dfrom: date, dto: date) -> list[dict[str, Any]]:
    """Sales (invoice lines), adjustments (credit-note lines, negative) and VAT per tax class and rate."""
    return rows(
        conn,
        f"""
        SELECT CASE WHEN l.vat_exempt THEN 'exempt' WHEN l.vat_rate_bp = 0 THEN 'zero' ELSE 'standard' END AS tax_class,
               CASE WHEN l.vat_exempt THEN 0 ELSE l.vat_rate_bp END AS rate_bp,
               SUM(CASE WHEN i.kind = 'invoice' THEN l.net_minor ELSE 0 END) AS sales_minor,
               SUM(CASE WHEN i.kind = 'credit_note' THEN -l.net_minor ELSE 0 END) AS adjustments_minor,
               SUM(CASE WHEN i.kind = 'invoice' THEN l.vat_minor ELSE 0 END) AS sales_vat_minor,
               SUM(CASE WHEN i.kind = 'credit_note' THEN -l.vat_minor ELSE 0 END) AS adjustments_vat_minor
        FROM {_LINES} WHERE {_DOCS} AND l.org_id = :org
        GROUP BY 1, 2 ORDER BY 1 DESC, 2 DESC
        """,  # noqa: S608 - fixed fragments
        org=org_id,
        dfrom=dfrom,
        dto=dto,
    )


def _role_movement(period: str | None) -> str:
    key = period_sql(period, "e.entry_on") if period else "NULL"
    return (
        f"SELECT {key} AS k, l.debit_minor - l.credit_minor AS amount FROM journal_lines l "  # noqa: S608 - fixed fragments
        "JOIN accounts a ON a.account_id = l.account_id AND a.org_id = :org "
        "JOIN journal_entries e ON e.entry_id = l.entry_id AND e.org_id = :org "
        "WHERE l.org_id = :org AND a.role = :role AND e.entry_on >= :dfrom AND e.entry_on <= :dto"
    )


def role_movement(conn: Connection, org_id: int, role: str, dfrom: date, dto: date) -> int:
    """Debits less credits on the accounts with this role in the period (e.g. input VAT)."""
    found = rows(
        conn,
        f"SELECT COALESCE(SUM(amount), 0) AS amount FROM ({_role_movement(None)}) m",  # noqa: S608 - fixed fragments
        org=org_id,
        role=role,
        dfrom=dfrom,
        dto=dto,
    )
    return int(found[0]["amount"])


def vat_by_period(conn: Connection, org_id: int, dfrom: date, dto: date, period: str) -> list[dict[str, Any]]:
    """Output VAT of invoices, of credit notes (negative) and input VAT from the ledger, per period."""
    return rows(
        conn,
        f"""
        SELECT k, SUM(sales_vat) AS sales_vat_minor, SUM(adjustments_vat) AS adjustments_vat_minor,
               SUM(input_vat) AS input_vat_minor, SUM(net_sales) AS net_sales_minor FROM (
            SELECT {period_sql(period, "i.issued_on")} AS k,
                   CASE WHEN i.kind = 'invoice' THEN i.vat_minor ELSE 0 END AS sales_vat,
                   CASE WHEN i.kind = 'credit_note' THEN -i.vat_minor ELSE 0 END AS adjustments_vat,
                   0 AS input_vat,
                   CASE WHEN i.kind = 'invoice' THEN i.net_minor ELSE -i.net_minor END AS net_sales
            FROM invoices i WHERE {_DOCS}
            UNION ALL
            SELECT m.k, 0, 0, m.amount, 0 FROM ({_role_movement(period)}) m
        ) v GROUP BY k ORDER BY k
        """,  # noqa: S608 - fixed fragments
        org=org_id,
        dfrom=dfrom,
        dto=dto,
        role="vat_input",
    )


_PER_ACCOUNT = """
    SELECT a.code, a.name_en, a.name_ar, a.name_fa, a.kind, a.role, m.*
    FROM ({movements}) m JOIN accounts a ON a.org_id = :org AND a.account_id = m.account_id
    WHERE {kinds} ORDER BY a.code
"""


def income_and_expense(conn: Connection, org_id: int, dfrom: date, dto: date) -> list[dict[str, Any]]:
    """Debits and credits per income and expense account in the period, with the account's role."""
    movements = (
        "SELECT l.account_id, CAST(SUM(l.debit_minor) AS BIGINT) AS debit_minor, "
        "CAST(SUM(l.credit_minor) AS BIGINT) AS credit_minor FROM journal_lines l "
        "JOIN journal_entries e ON e.entry_id = l.entry_id AND e.org_id = :org "
        "WHERE l.org_id = :org AND e.entry_on >= :dfrom AND e.entry_on <= :dto GROUP BY l.account_id"
    )
    sql = _PER_ACCOUNT.format(movements=movements, kinds="a.kind IN ('income', 'expense')")
    return rows(conn, sql, org=org_id, dfrom=dfrom, dto=dto)


def account_balances(conn: Connection, org_id: int, dfrom: date, dto: date) -> list[dict[str, Any]]:
    """Per account, debits less credits before the period and within it (up to dto): one pass over the journal."""
    movements = (
        "SELECT l.account_id, "
        "CAST(SUM(CASE WHEN e.entry_on < :dfrom THEN l.debit_minor - l.credit_minor ELSE 0 END) AS BIGINT) AS before_minor, "
        "CAST(SUM(CASE WHEN e.entry_on >= :dfrom THEN l.debit_minor - l.credit_minor ELSE 0 END) AS BIGINT) AS period_minor "
        "FROM journal_lines l JOIN journal_entries e ON e.entry_id = l.entry_id AND e.org_id = :org "
        "WHERE l.org_id = :org AND e.entry_on <= :dto GROUP BY l.account_id"
    )
    return rows(
        conn, _PER_ACCOUNT.format(movements=movements, kinds="1 = 1"), org=org_id, dfrom=dfrom, dto=dto
    )


# ---------------------------------------------------------------- drill-down


def key_sql(by: str) -> str:
    """The text key of a row, as the service builds it, computed per document (or line) for drill-down."""
    if by in ("day", "week", "month"):
        return f"CAST({period_sql(by, 'i.issued_on')} AS VARCHAR)"
    return {
        "customer": "COALESCE(CAST(i.customer_id AS VARCHAR), '~walk-in')",
        "channel": "COALESCE(CAST(o.store_id AS VARCHAR), '~manual')",
        "product": "CASE WHEN l.kind = 'shipping' THEN '~shipping' ELSE COALESCE(CAST(l.product_id AS VARCHAR), '~none') END",
        "category": "CASE WHEN l.kind = 'shipping' THEN '~shipping' ELSE COALESCE(p.category, '~none') END",
        "tax_class": "CASE WHEN l.vat_exempt THEN 'exempt' WHEN l.vat_rate_bp = 0 THEN 'zero' ELSE 'standard' END",
    }[by]


_DOC_COLUMNS = "i.invoice_id, i.kind, i.number_text, i.issued_on, i.customer_id, c.name AS customer_name"
_DOC_GROUP = "i.invoice_id, i.kind, i.number_text, i.issued_on, i.customer_id, c.name"
_CONTACT = "LEFT JOIN contacts c ON c.org_id = i.org_id AND c.contact_id = i.customer_id"
_METHOD_DOCS = f"""
    WITH d AS (SELECT i.invoice_id FROM invoices i WHERE {_DOCS}),
    m AS (SELECT CASE WHEN a.kind IN ('payment', 'deposit') THEN p.method ELSE '~credit' END AS k, a.invoice_id
          FROM allocations a JOIN d ON d.invoice_id = a.invoice_id
          LEFT JOIN payments p ON p.org_id = a.org_id AND p.payment_id = a.payment_id WHERE a.org_id = :org
          UNION ALL SELECT r.method, r.invoice_id FROM payments r JOIN d ON d.invoice_id = r.invoice_id
          WHERE r.org_id = :org AND r.kind = 'refund' AND r.status = 'captured'
          UNION ALL SELECT '~open', d.invoice_id FROM d)
"""  # noqa: S608 - fixed fragments


def documents(
    conn: Connection, org_id: int, dfrom: date, dto: date, by: str | None, key: str | None, limit: int
) -> list[dict[str, Any]]:
    """The invoices and credit notes behind one row of a report, unsigned (the caller signs credit notes).

    For line dimensions (product, category, tax class) the amounts are the row's lines of each document;
    otherwise the whole document. by None: every document of the period."""
    whole = "i.net_minor, i.vat_minor, i.total_minor, i.cogs_minor"
    prefix, where, joins = "", "", ""
    if by in ("product", "category", "tax_class"):
        product = (
            "LEFT JOIN products p ON p.org_id = l.org_id AND p.product_id = l.product_id "
            if by == "category"
            else ""
        )
        sql = (
            f"SELECT {_DOC_COLUMNS}, SUM(l.net_minor) AS net_minor, SUM(l.vat_minor) AS vat_minor, "  # noqa: S608 - fixed fragments
            "SUM(l.gross_minor) AS total_minor, SUM(l.cogs_minor) AS cogs_minor "
            f"FROM {_LINES} {product}{_CONTACT} WHERE {_DOCS} AND l.org_id = :org AND {key_sql(by)} = :key "
            f"GROUP BY {_DOC_GROUP}"
        )
    else:
        if by == "customer-category" and key == "~none":
            where = (
                " AND NOT EXISTS (SELECT 1 FROM contact_categories cc WHERE cc.org_id = i.org_id "
                "AND cc.contact_id = i.customer_id)"
            )
        elif by == "customer-category":
            where = (
                " AND EXISTS (SELECT 1 FROM contact_categories cc WHERE cc.org_id = i.org_id "
                "AND cc.contact_id = i.customer_id AND CAST(cc.category_id AS VARCHAR) = :key)"
            )
        elif by == "method":
            prefix, where = _METHOD_DOCS, " AND i.invoice_id IN (SELECT invoice_id FROM m WHERE k = :key)"
        elif by is not None:
            if by == "channel":
                joins = "JOIN orders o ON o.org_id = i.org_id AND o.order_id = i.order_id "
            where = f" AND {key_sql(by)} = :key"
        sql = f"{prefix}SELECT {_DOC_COLUMNS}, {whole} FROM invoices i {joins}{_CONTACT} WHERE {_DOCS}{where}"  # noqa: S608 - fixed fragments
    return rows(
        conn,
        f"{sql} ORDER BY i.issued_on, i.number_text LIMIT :limit",
        org=org_id,
        dfrom=dfrom,
        dto=dto,
        key=key,
        limit=limit,
    )


def account_lines(
    conn: Connection, org_id: int, code: str, dfrom: date | None, dto: date | None, limit: int
) -> list[dict[str, Any]]:
    """The journal lines of one account in the period, with the document each came from."""
    return rows(
        conn,
        "SELECT e.entry_on, e.entry_id, e.memo, e.source_type, e.source_id, l.contact_id, c.name AS contact_name, "
        "l.debit_minor, l.credit_minor FROM journal_lines l "
        "JOIN accounts a ON a.account_id = l.account_id AND a.org_id = l.org_id "
        "JOIN journal_entries e ON e.entry_id = l.entry_id AND e.org_id = l.org_id "
        "LEFT JOIN contacts c ON c.org_id = l.org_id AND c.contact_id = l.contact_id "
        "WHERE l.org_id = :org AND a.code = :code "
        "AND (CAST(:dfrom AS DATE) IS NULL OR e.entry_on >= :dfrom) AND (CAST(:dto AS DATE) IS NULL OR e.entry_on <= :dto) "
        "ORDER BY e.entry_on, e.entry_id, l.line_no LIMIT :limit",
        org=org_id,
        code=code,
        dfrom=dfrom,
        dto=dto,
        limit=limit,
    )


# ---------------------------------------------------------------- the full-data export (SPEC A6)


def table_columns(conn: Connection) -> dict[str, list[str]]:
    """Every table and its columns, as the database describes them (tables other areas add included)."""
    found: dict[str, list[str]] = {}
    for r in rows(
        conn,
        "SELECT c.table_name, c.column_name FROM information_schema.columns c "
        "JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
        "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
        "ORDER BY c.table_name, c.ordinal_position",
    ):
        found.setdefault(str(r["table_name"]), []).append(str(r["column_name"]))
    return found


def _quoted(conn: Connection, name: str) -> str:
    return str(conn.dialect.identifier_preparer.quote(name))


def _scope(table: str, columns: Sequence[str]) -> str:
    """The rows of one organization: its org_id, or for users the members of the organization."""
    if "org_id" in columns:
        return "org_id = :org"
    if table == "users":
        return "user_id IN (SELECT user_id FROM memberships WHERE org_id = :org)"
    return "1 = 1"  # only tables the caller chose as shared (schema_migrations)


def count_table(conn: Connection, org_id: int, table: str, columns: Sequence[str]) -> int:
    sql = f"SELECT count(*) AS n FROM {_quoted(conn, table)} WHERE {_scope(table, columns)}"  # noqa: S608 - names from the database's own catalogue
    return int(rows(conn, sql, org=org_id)[0]["n"])


def stream_table(
    conn: Connection, org_id: int, table: str, columns: Sequence[str], batch: int = 20_000
) -> Iterator[Sequence[Any]]:
    """The organization's rows of one table, the columns given, in batches (read to the end by the caller)."""
    names = ", ".join(_quoted(conn, c) for c in columns)
    sql = f"SELECT {names} FROM {_quoted(conn, table)} WHERE {_scope(table, columns)}"  # noqa: S608 - names from the database's own catalogue
    result = conn.execution_options(stream_results=True).execute(sa.text(sql), {"org": org_id})
    while chunk := result.fetchmany(batch):
        yield from chunk
