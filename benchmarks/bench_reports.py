"""Every standard report on a generated database of 10,000,000 invoice lines (BENCH_REPORT_LINES to change it):
each report service's time against a hand-written DuckDB query computing the same figures, in the same run and
file, and the process's peak memory. Data is generated set-based with DuckDB range()."""

# ruff: noqa: S608 - the generator and the hand-written queries are built from this file's constants and ints
from __future__ import annotations

import os
import resource
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from backoffice import reports
from backoffice.admin import orgs
from backoffice.core.context import Context, User
from backoffice.db import open_database
from benchmarks.common import report, timed

LINES = int(os.environ.get("BENCH_REPORT_LINES", "10000000"))
LINES_PER_INVOICE = 5
PRODUCTS, CUSTOMERS, CATEGORIES = 1_000, 100_000, 20
DFROM, DTO = (
    date(2025, 1, 1),
    date(2025, 12, 31),
)  # documents span 2024-07-01 .. 2026-06-30: half are in range
GOAL = 1.5


def _generate(raw: Any, org_id: int, accounts: dict[str, int], lines: int) -> None:
    """Products, customers and their categories, stores, orders, invoice lines, invoices (every 20th a credit
    note), payments with allocations, and the journal (one balanced entry per document and per payment)."""
    invoices = lines // LINES_PER_INVOICE
    at = "TIMESTAMP '2026-01-01 00:00:00'"
    steps = [
        f"INSERT INTO products (product_id, org_id, sku, name, category, price_minor, cost_minor, created_at, updated_at) "
        f"SELECT i, {org_id}, 'P' || i, 'Product ' || i, 'Category ' || (i % 12), 1000 + (i % 50) * 100, 400, {at}, {at} "
        f"FROM range(1, {PRODUCTS} + 1) t(i)",
        f"INSERT INTO contacts (contact_id, org_id, role, name, name_key, search_text, created_at, updated_at) "
        f"SELECT i, {org_id}, 'customer', 'Customer ' || i, 'customer ' || i, 'customer ' || i, {at}, {at} "
        f"FROM range(1, {CUSTOMERS} + 1) t(i)",
        f"INSERT INTO categories (category_id, org_id, name, name_key) SELECT i, {org_id}, 'Tag ' || i, 'tag ' || i "
        f"FROM range(1, {CATEGORIES} + 1) t(i)",
        f"INSERT INTO contact_categories (org_id, contact_id, category_id) SELECT {org_id}, i, 1 + i % {CATEGORIES} "
        f"FROM range(1, {CUSTOMERS} + 1) t(i) WHERE i % 3 = 0 UNION ALL SELECT {org_id}, i, 1 + (i + 5) % {CATEGORIES} "
        f"FROM range(1, {CUSTOMERS} + 1) t(i) WHERE i % 7 = 0 AND i % 3 <> 0",
        f"INSERT INTO stores (store_id, org_id, name, profile, linked_on, created_at) "
        f"SELECT i, {org_id}, 'Store ' || i, 'salla', DATE '2024-01-01', {at} FROM range(1, 4) t(i)",
        f"INSERT INTO orders (order_id, org_id, customer_id, status, order_on, currency, prices_include_vat, "
        f"rounding_rule, source, store_id, net_minor, vat_minor, total_minor, created_at, updated_at) "
        f"SELECT i, {org_id}, NULL, 'invoiced', DATE '2024-07-01' + CAST(i % 730 AS INTEGER), 'SAR', FALSE, 'line', "
        f"CASE WHEN i % 4 = 0 THEN 'manual' ELSE 'import' END, CASE WHEN i % 4 = 0 THEN NULL ELSE 1 + i % 3 END, "
        f"0, 0, 0, {at}, {at} FROM range(1, {invoices} + 1) t(i)",
        f"""INSERT INTO invoice_lines (invoice_line_id, org_id, invoice_id, line_no, kind, product_id, sku, description,
            quantity, unit_price_minor, discount_minor, vat_rate_bp, vat_exempt, net_minor, vat_minor, gross_minor, cogs_minor)
        SELECT (i - 1) * {LINES_PER_INVOICE} + n, {org_id}, i, n, kind, product_id, NULL, 'Item', quantity, price, 0,
               rate, exempt, quantity * price, quantity * price * rate // 10000,
               quantity * price + quantity * price * rate // 10000, CASE WHEN kind = 'goods' THEN quantity * 400 ELSE 0 END
        FROM (SELECT i, n, CASE WHEN n = {LINES_PER_INVOICE} AND i % 3 = 0 THEN 'shipping' ELSE 'goods' END AS kind,
                     CASE WHEN n = {LINES_PER_INVOICE} AND i % 3 = 0 THEN NULL ELSE 1 + (i * 31 + n * 17) % {PRODUCTS} END AS product_id,
                     1 + (i + n) % 3 AS quantity, 1000 + ((i * 7 + n) % 50) * 100 AS price,
                     CASE WHEN (i + n) % 10 = 0 THEN 0 ELSE 1500 END AS rate, (i + n) % 25 = 0 AS exempt
              FROM range(1, {invoices} + 1) a(i), range(1, {LINES_PER_INVOICE} + 1) b(n))""",
        f"""INSERT INTO invoices (invoice_id, org_id, kind, series, number, number_text, order_id, order_invoice_key,
            customer_id, corrects_invoice_id, issued_on, due_on, currency, prices_include_vat, goods_net_minor,
            shipping_net_minor, net_minor, vat_minor, total_minor, cogs_minor, entry_id, created_at)
        SELECT l.invoice_id, {org_id}, CASE WHEN l.invoice_id % 20 = 0 THEN 'credit_note' ELSE 'invoice' END,
               CASE WHEN l.invoice_id % 20 = 0 THEN 'CN' ELSE 'INV' END, l.invoice_id, 'D-' || l.invoice_id,
               l.invoice_id, CASE WHEN l.invoice_id % 20 = 0 THEN NULL ELSE l.invoice_id END,
               CASE WHEN l.invoice_id % 10 = 0 THEN NULL ELSE 1 + (l.invoice_id * 7919) % {CUSTOMERS} END,
               CASE WHEN l.invoice_id % 20 = 0 THEN l.invoice_id - 1 END,
               DATE '2024-07-01' + CAST(l.invoice_id % 730 AS INTEGER), DATE '2024-07-01' + CAST(l.invoice_id % 730 AS INTEGER),
               'SAR', FALSE, SUM(CASE WHEN l.kind = 'goods' THEN l.net_minor ELSE 0 END),
               SUM(CASE WHEN l.kind = 'shipping' THEN l.net_minor ELSE 0 END), SUM(l.net_minor), SUM(l.vat_minor),
               SUM(l.gross_minor), SUM(l.cogs_minor), l.invoice_id, {at}
        FROM invoice_lines l GROUP BY l.invoice_id""",
        f"""INSERT INTO payments (payment_id, org_id, customer_id, kind, method, amount_minor, paid_on, status, entry_id, created_at)
        SELECT invoice_id, {org_id}, customer_id, 'payment',
               ['cash', 'card', 'bank_transfer', 'wallet'][1 + invoice_id % 4], total_minor, issued_on, 'captured',
               {invoices} + invoice_id, {at}
        FROM invoices WHERE kind = 'invoice' AND invoice_id % 10 < 7 AND customer_id IS NOT NULL""",
        f"""INSERT INTO allocations (allocation_id, org_id, payment_id, kind, invoice_id, amount_minor, allocated_on, created_at)
        SELECT payment_id, {org_id}, payment_id, 'payment', payment_id, amount_minor, paid_on, {at} FROM payments""",
        f"""INSERT INTO journal_entries (entry_id, org_id, entry_on, memo, source_type, source_id, created_at)
        SELECT entry_id, {org_id}, issued_on, 'Document', kind, number_text, {at} FROM invoices
        UNION ALL SELECT entry_id, {org_id}, paid_on, 'Payment', 'payment', NULL, {at} FROM payments""",
        f"""INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, contact_id, debit_minor, credit_minor)
        SELECT {org_id}, entry_id, 1, {accounts["ar"]}, customer_id, total_minor, 0 FROM invoices WHERE kind = 'invoice'
        UNION ALL SELECT {org_id}, entry_id, 2, {accounts["sales"]}, NULL, 0, goods_net_minor FROM invoices WHERE kind = 'invoice'
        UNION ALL SELECT {org_id}, entry_id, 3, {accounts["shipping_income"]}, NULL, 0, shipping_net_minor FROM invoices
            WHERE kind = 'invoice' AND shipping_net_minor > 0
        UNION ALL SELECT {org_id}, entry_id, 4, {accounts["vat_payable"]}, NULL, 0, vat_minor FROM invoices WHERE kind = 'invoice'
        UNION ALL SELECT {org_id}, entry_id, 5, {accounts["cogs"]}, NULL, cogs_minor, 0 FROM invoices WHERE kind = 'invoice'
        UNION ALL SELECT {org_id}, entry_id, 6, {accounts["inventory"]}, NULL, 0, cogs_minor FROM invoices WHERE kind = 'invoice'
        UNION ALL SELECT {org_id}, entry_id, 1, {accounts["sales_returns"]}, NULL, goods_net_minor, 0 FROM invoices WHERE kind = 'credit_note'
        UNION ALL SELECT {org_id}, entry_id, 2, {accounts["shipping_income"]}, NULL, shipping_net_minor, 0 FROM invoices
            WHERE kind = 'credit_note' AND shipping_net_minor > 0
        UNION ALL SELECT {org_id}, entry_id, 3, {accounts["vat_payable"]}, NULL, vat_minor, 0 FROM invoices WHERE kind = 'credit_note'
        UNION ALL SELECT {org_id}, entry_id, 4, {accounts["ar"]}, customer_id, 0, total_minor FROM invoices WHERE kind = 'credit_note'
        UNION ALL SELECT {org_id}, entry_id, 5, {accounts["inventory"]}, NULL, cogs_minor, 0 FROM invoices WHERE kind = 'credit_note'
        UNION ALL SELECT {org_id}, entry_id, 6, {accounts["cogs"]}, NULL, 0, cogs_minor FROM invoices WHERE kind = 'credit_note'
        UNION ALL SELECT {org_id}, entry_id, 1, {accounts["card_clearing"]}, NULL, amount_minor, 0 FROM payments
        UNION ALL SELECT {org_id}, entry_id, 2, {accounts["ar"]}, customer_id, 0, amount_minor FROM payments""",
    ]
    raw.execute("SET enable_progress_bar = false")
    for sql in steps:
        raw.execute(sql)


# ---------------------------------------------------------------- the hand-written queries (same figures)

_WHERE = "i.org_id = {org} AND i.issued_on BETWEEN DATE '{dfrom}' AND DATE '{dto}'"
_H = (
    "SUM(CASE WHEN i.kind = 'invoice' THEN i.net_minor ELSE 0 END) AS g, "
    "SUM(CASE WHEN i.kind = 'credit_note' THEN i.net_minor ELSE 0 END) AS r, "
    "SUM(CASE WHEN i.kind = 'invoice' THEN i.vat_minor ELSE -i.vat_minor END) AS v, "
    "SUM(CASE WHEN i.kind = 'invoice' THEN i.cogs_minor ELSE -i.cogs_minor END) AS c, "
    "count(*) FILTER (WHERE i.kind = 'invoice') AS ni, count(*) FILTER (WHERE i.kind = 'credit_note') AS nc"
)
_L = (
    "SUM(CASE WHEN i.kind = 'invoice' THEN l.net_minor ELSE 0 END) AS g, "
    "SUM(CASE WHEN i.kind = 'credit_note' THEN l.net_minor ELSE 0 END) AS r, "
    "SUM(CASE WHEN i.kind = 'invoice' THEN l.vat_minor ELSE -l.vat_minor END) AS v, "
    "SUM(CASE WHEN i.kind = 'invoice' THEN l.cogs_minor ELSE -l.cogs_minor END) AS c, "
    "SUM(CASE WHEN i.kind = 'invoice' THEN l.quantity ELSE -l.quantity END) AS q"
)
_TOTALS = f"SELECT {_H} FROM invoices i WHERE {_WHERE}"
_LINES = (
    "SELECT l.product_id, l.kind AS lk, {L} FROM invoice_lines l JOIN invoices i ON i.invoice_id = l.invoice_id "
    "WHERE " + _WHERE + " GROUP BY l.product_id, l.kind"
)
RAW: dict[str, list[str]] = {
    "sales by month": [
        f"SELECT date_trunc('month', i.issued_on), {_H} FROM invoices i WHERE {_WHERE} GROUP BY 1 ORDER BY 1",
        _TOTALS,
    ],
    "sales by product": [
        f"WITH t AS ({_LINES}) SELECT t.*, p.sku, p.name FROM t LEFT JOIN products p ON p.product_id = t.product_id",
        _TOTALS,
    ],
    "sales by category": [
        f"WITH t AS ({_LINES}) SELECT CASE WHEN lk = 'shipping' THEN NULL ELSE p.category END, SUM(g), SUM(r), "
        "SUM(v), SUM(c), SUM(q) FROM t LEFT JOIN products p ON p.product_id = t.product_id GROUP BY 1, lk = 'shipping'",
        _TOTALS,
    ],
    "sales by customer": [
        f"WITH t AS (SELECT i.customer_id, {_H} FROM invoices i WHERE {_WHERE} GROUP BY i.customer_id) "
        "SELECT t.*, c.name FROM t LEFT JOIN contacts c ON c.contact_id = t.customer_id",
        _TOTALS,
    ],
    "sales by channel": [
        f"WITH t AS (SELECT o.store_id, {_H} FROM invoices i JOIN orders o ON o.order_id = i.order_id "
        f"WHERE {_WHERE} GROUP BY o.store_id) SELECT t.*, s.name FROM t LEFT JOIN stores s ON s.store_id = t.store_id",
        _TOTALS,
    ],
    "sales by customer category": [
        f"WITH t AS (SELECT i.customer_id, {_H} FROM invoices i WHERE {_WHERE} GROUP BY 1) "
        "SELECT cc.category_id, g.name, SUM(t.g), SUM(t.r), SUM(t.v), SUM(t.c), SUM(t.ni), SUM(t.nc) FROM t "
        "LEFT JOIN contact_categories cc ON cc.contact_id = t.customer_id "
        "LEFT JOIN categories g ON g.category_id = cc.category_id GROUP BY 1, 2",
        _TOTALS,
    ],
    "sales by payment method": [
        f"WITH d AS (SELECT i.invoice_id, i.kind, i.total_minor FROM invoices i WHERE {_WHERE}) "
        "SELECT p.method, SUM(a.amount_minor), count(DISTINCT a.invoice_id) FROM allocations a "
        "JOIN d ON d.invoice_id = a.invoice_id JOIN payments p ON p.payment_id = a.payment_id GROUP BY p.method",
        f"WITH d AS (SELECT i.invoice_id, i.kind, i.total_minor FROM invoices i WHERE {_WHERE}) "
        "SELECT (SELECT SUM(CASE WHEN kind = 'invoice' THEN total_minor ELSE -total_minor END) FROM d) - "
        "(SELECT SUM(a.amount_minor) FROM allocations a JOIN d ON d.invoice_id = a.invoice_id)",
        _TOTALS,
    ],
    "profit by product": [
        f"WITH t AS ({_LINES}) SELECT t.*, p.sku, p.name FROM t LEFT JOIN products p ON p.product_id = t.product_id",
        _TOTALS,
    ],
    "VAT return (SA boxes)": [
        "SELECT CASE WHEN l.vat_exempt THEN 'e' WHEN l.vat_rate_bp = 0 THEN 'z' ELSE 's' END, l.vat_rate_bp, "
        "SUM(CASE WHEN i.kind = 'invoice' THEN l.net_minor ELSE 0 END), SUM(CASE WHEN i.kind = 'credit_note' THEN -l.net_minor ELSE 0 END), "
        "SUM(CASE WHEN i.kind = 'invoice' THEN l.vat_minor ELSE 0 END), SUM(CASE WHEN i.kind = 'credit_note' THEN -l.vat_minor ELSE 0 END) "
        "FROM invoice_lines l JOIN invoices i ON i.invoice_id = l.invoice_id WHERE "
        + _WHERE
        + " GROUP BY 1, 2",
        "SELECT SUM(l.debit_minor - l.credit_minor) FROM journal_lines l JOIN accounts a ON a.account_id = l.account_id "
        "JOIN journal_entries e ON e.entry_id = l.entry_id WHERE l.org_id = {org} AND a.role = 'vat_input' "
        "AND e.entry_on BETWEEN DATE '{dfrom}' AND DATE '{dto}'",
    ],
    "VAT by month": [
        "SELECT date_trunc('month', i.issued_on), SUM(CASE WHEN i.kind = 'invoice' THEN i.vat_minor ELSE 0 END), "
        "SUM(CASE WHEN i.kind = 'credit_note' THEN -i.vat_minor ELSE 0 END), "
        "SUM(CASE WHEN i.kind = 'invoice' THEN i.net_minor ELSE -i.net_minor END) FROM invoices i WHERE "
        + _WHERE
        + " GROUP BY 1",
        "SELECT date_trunc('month', e.entry_on), SUM(l.debit_minor - l.credit_minor) FROM journal_lines l "
        "JOIN accounts a ON a.account_id = l.account_id JOIN journal_entries e ON e.entry_id = l.entry_id "
        "WHERE l.org_id = {org} AND a.role = 'vat_input' AND e.entry_on BETWEEN DATE '{dfrom}' AND DATE '{dto}' GROUP BY 1",
    ],
    "trial balance": [
        "SELECT a.code, a.name_en, a.kind, SUM(l.debit_minor), SUM(l.credit_minor) FROM accounts a "
        "JOIN journal_lines l ON l.account_id = a.account_id JOIN journal_entries e ON e.entry_id = l.entry_id "
        "WHERE a.org_id = {org} AND e.entry_on BETWEEN DATE '{dfrom}' AND DATE '{dto}' GROUP BY 1, 2, 3 ORDER BY 1",
    ],
    "profit and loss": [
        "SELECT a.code, a.name_en, a.kind, a.role, SUM(l.debit_minor), SUM(l.credit_minor) FROM accounts a "
        "JOIN journal_lines l ON l.account_id = a.account_id JOIN journal_entries e ON e.entry_id = l.entry_id "
        "WHERE a.org_id = {org} AND e.entry_on BETWEEN DATE '{dfrom}' AND DATE '{dto}' GROUP BY 1, 2, 3, 4 ORDER BY 1",
    ],
    "balance sheet": [
        "SELECT a.code, a.kind, SUM(CASE WHEN e.entry_on < DATE '{dfrom}' THEN l.debit_minor - l.credit_minor ELSE 0 END), "
        "SUM(CASE WHEN e.entry_on >= DATE '{dfrom}' THEN l.debit_minor - l.credit_minor ELSE 0 END) FROM accounts a "
        "JOIN journal_lines l ON l.account_id = a.account_id JOIN journal_entries e ON e.entry_id = l.entry_id "
        "WHERE a.org_id = {org} AND e.entry_on <= DATE '{dto}' GROUP BY 1, 2 ORDER BY 1",
    ],
}


def _interleaved(
    ours: Callable[[], object], raw: Callable[[], object], repeat: int = 7
) -> tuple[float, float]:
    """Median times of both, run in turns (the machine is shared: turns keep a burst of load from favouring one)."""
    times: dict[Callable[[], object], list[float]] = {ours: [], raw: []}
    for fn in (ours, raw):
        timed(fn, repeat=1)  # warm-up
    for _ in range(repeat):
        for fn in (raw, ours):
            start = time.perf_counter()
            fn()
            times[fn].append(time.perf_counter() - start)
    return statistics.median(times[ours]), statistics.median(times[raw])


def _ours(ctx: Context) -> dict[str, Callable[[], object]]:
    span = (DFROM, DTO)
    return {
        "sales by month": lambda: reports.sales_report(ctx, *span, by="month"),
        "sales by product": lambda: reports.sales_report(ctx, *span, by="product"),
        "sales by category": lambda: reports.sales_report(ctx, *span, by="category"),
        "sales by customer": lambda: reports.sales_report(ctx, *span, by="customer"),
        "sales by channel": lambda: reports.sales_report(ctx, *span, by="channel"),
        "sales by customer category": lambda: reports.sales_report(ctx, *span, by="customer-category"),
        "sales by payment method": lambda: reports.sales_report(ctx, *span, by="method"),
        "profit by product": lambda: reports.profit_report(ctx, *span, by="product"),
        "VAT return (SA boxes)": lambda: reports.vat_report(ctx, *span),
        "VAT by month": lambda: reports.vat_report(ctx, *span, by="month"),
        "trial balance": lambda: reports.trial_balance_report(ctx, *span),
        "profit and loss": lambda: reports.profit_and_loss(ctx, *span),
        "balance sheet": lambda: reports.balance_sheet(ctx, *span),
    }


def run(lines: int = LINES) -> list[dict[str, object]]:
    folder = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    db = open_database(f"duckdb:///{folder / 'bench.duckdb'}")
    org_id = orgs.setup(db, "Bench", "SAR", "15", country="SA", actor=User.system())
    ctx = Context(db, User.system("bench"), org_id)
    start = time.perf_counter()
    with db.write() as conn:
        accounts = {
            r[0]: r[1]
            for r in conn.exec_driver_sql(
                f"SELECT role, account_id FROM accounts WHERE org_id = {org_id} AND role IS NOT NULL"
            )
        }
        _generate(conn.connection.dbapi_connection, org_id, accounts, lines)
    with db.write() as conn:
        conn.exec_driver_sql("CHECKPOINT")
    made = time.perf_counter() - start
    print(
        f"  generated {lines:,} invoice lines, {lines // LINES_PER_INVOICE:,} documents and their journal in {made:.1f} s"
    )
    results = []
    ours = _ours(ctx)
    with db.read() as conn:
        raw = conn.connection.dbapi_connection
        assert raw is not None
        for name, queries in RAW.items():
            sql = [x.format(org=org_id, dfrom=DFROM, dto=DTO, L=_L) for x in queries]

            def by_hand(sql: list[str] = sql) -> object:
                return [raw.execute(x).fetchall() for x in sql]

            our_time, raw_time = _interleaved(ours[name], by_hand)
            results.append(report(name, our_time, raw_time, GOAL))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory of the process: {peak_mb:,.0f} MB")
    results.append(
        {"name": "peak memory (MB)", "value": round(peak_mb), "lines": lines, "generate_s": round(made, 1)}
    )
    db.dispose()
    shutil.rmtree(folder, ignore_errors=True)
    results.append(page_time())
    return results


def page_time(lines: int = 1_000_000) -> dict[str, object]:
    """The Reports page's AppTest run (sign-in, controls, four reports, charts, table) over `lines` invoice lines."""
    from streamlit.testing.v1 import AppTest  # noqa: TID251 - the benchmark drives the page as a user would

    folder = Path(tempfile.mkdtemp(prefix="bench-reports-page-"))
    url = f"duckdb:///{folder / 'page.duckdb'}"
    db = open_database(url)
    org_id = orgs.setup(
        db, "Bench", "SAR", "15", "owner@bench.example", "Bench#2026pw", country="SA", actor=User.system()
    )
    with db.write() as conn:
        accounts = {
            r[0]: r[1]
            for r in conn.exec_driver_sql(
                f"SELECT role, account_id FROM accounts WHERE org_id = {org_id} AND role IS NOT NULL"
            )
        }  # noqa: S608
        _generate(conn.connection.dbapi_connection, org_id, accounts, lines)
    with db.read() as conn:
        user_id = conn.exec_driver_sql("SELECT min(user_id) FROM users").scalar()
    db.dispose()
    previous = os.environ.get("BACKOFFICE_DATABASE_URL")
    os.environ["BACKOFFICE_DATABASE_URL"] = url
    try:
        at = AppTest.from_file(
            str(Path(__file__).resolve().parents[1] / "streamlit_app.py"), default_timeout=600
        )
        at.session_state["user_id"] = user_id
        at.session_state["org_id"] = org_id
        at.run()
        at.switch_page("backoffice/web/pages/reports.py")
        at.run()
        at.date_input(key="report_from").set_value(DFROM)  # the whole generated year, not just this month
        at.date_input(key="report_to").set_value(DTO)
        at.checkbox(key="report_compare").check()
        start = time.perf_counter()
        at.run()
        elapsed = time.perf_counter() - start
        assert not at.exception, at.exception
        shown = [m.value for m in at.metric]
        assert shown and any(v not in ("0.00 SAR", "0") for v in shown), (
            shown
        )  # the year's figures, not an empty page
    finally:
        if previous is None:
            os.environ.pop("BACKOFFICE_DATABASE_URL", None)
        else:
            os.environ["BACKOFFICE_DATABASE_URL"] = previous
        shutil.rmtree(folder, ignore_errors=True)
    print(f"  Reports page (AppTest run) over {lines:,} invoice lines: {elapsed:.2f} s")
    return {"name": "reports page AppTest run (s)", "value": round(elapsed, 2), "lines": lines}


if __name__ == "__main__":
    run()
