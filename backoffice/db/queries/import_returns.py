"""SQL of a store import's returns, set-based (issue 14, finding 11): the credit notes, stock, journal, order events
and refunds that `invoices.issue_credit_note` + `payments.refund_credit_note` (an invoiced order the store now calls returned or
cancelled) and `invoices.credit_returned_order` + `payments.refund_returned_order` (a new order that is a return of
its own) write one order at a time — the same rows, for a whole batch in a handful of statements.

The batch's returns are staged in temporary tables of the connection (`ret_notes`, `ret_lines`, `ret_parts`):
credit-note numbers come from one reservation in the org's CN counter and a row number over the staged notes (the
order the per-order path takes: stand-alone returns by order date and file row, then the credited orders by file
row), never from a sequence inside a subquery. Row ids (invoices, entries, payments) are drawn from their sequences
in the select list of the staging statements, once per staged row on both engines.

A stand-alone return puts its goods back at the product's average cost when the return is booked (its cost price
while the product has none on hand), as the per-order path does one return after the other: with a positive
quantity on hand, adding units at the average leaves the average where it was, so each product's cost is its
price until the first return that finds stock on hand, then the average that return finds — a window over the
batch's returns, per product, in their order.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.db.queries import rows, run, scalar
from backoffice.db.queries.sales import int_div

_TABLES = ("ret_refunds", "ret_parts", "ret_lines", "ret_docs", "ret_notes", "ret_units")


def clear(conn: Connection) -> None:
    for table in _TABLES:
        run(conn, f"DROP TABLE IF EXISTS {table}")  # noqa: S608 - our table names


def _number_text(column: str) -> str:
    """'CN-' and the number in six digits at least, as Python's f'CN-{n:06d}' writes it (lpad alone would cut)."""
    return (
        f"'CN-' || CASE WHEN {column} < 1000000 THEN lpad(CAST({column} AS VARCHAR), 6, '0') "
        f"ELSE CAST({column} AS VARCHAR) END"
    )


def stage(conn: Connection, org_id: int, import_id: int, paid: bool, today: date) -> int:
    """Stage the batch's returns in ret_notes (one row a credit note, in number order: `seq`) and their lines in
    ret_lines; returns how many notes. Stand-alone returns: the new orders of the import that are returns; credited:
    the invoiced orders the store now calls returned or cancelled. `paid`: the store pays stand-alone returns back."""
    clear(conn)
    run(
        conn,
        """
        CREATE TEMP TABLE ret_notes AS
        SELECT row_number() OVER (ORDER BY t.credited, t.sort_on, t.first_row) AS seq, t.* FROM (
            SELECT FALSE AS credited, io.order_on AS sort_on, io.first_row, o.org_id, o.order_id, o.customer_id,
                   CAST(NULL AS BIGINT) AS invoice_id, CAST(NULL AS VARCHAR) AS invoice_number, o.currency,
                   o.prices_include_vat, io.order_on AS issued_on, 'returned in the store' AS reason,
                   '(return of order #' || CAST(o.order_id AS VARCHAR) || ')' AS memo, o.status AS from_status,
                   CASE WHEN :paid AND io.total_minor > 0 THEN COALESCE(io.payment_method, 'store_payout') END
                       AS refund_method
            FROM import_orders io JOIN orders o ON o.org_id = io.org_id AND o.order_id = io.order_id
            WHERE io.import_id = :imp AND io.kind = 'new' AND io.is_return AND io.problem IS NULL
            UNION ALL
            SELECT TRUE, CAST(NULL AS DATE), io.first_row, o.org_id, o.order_id, i.customer_id, i.invoice_id,
                   i.number_text, i.currency, i.prices_include_vat, CAST(:today AS DATE),
                   'order #' || CAST(o.order_id AS VARCHAR) || ' returned in the store', 'for ' || i.number_text,
                   o.status, CAST(NULL AS VARCHAR)
            FROM import_orders io JOIN orders o ON o.org_id = io.org_id AND o.order_id = io.order_id
            JOIN invoices i ON i.org_id = io.org_id AND i.order_invoice_key = io.order_id
            WHERE io.import_id = :imp AND io.kind = 'changed' AND io.previous_status = 'invoiced'
              AND io.status IN ('returned', 'cancelled')
        ) t
        """,
        imp=import_id,
        paid=paid,
        today=today,
    )
    count = int(scalar(conn, "SELECT count(*) FROM ret_notes"))
    if count == 0:
        return 0
    div = int_div(conn)
    # the unit cost of each stand-alone return's goods, per (note, product): see the module's docstring
    run(
        conn,
        f"""
        CREATE TEMP TABLE ret_units AS
        WITH op AS (
            SELECT n.seq, l.product_id, CAST(SUM(l.quantity) AS BIGINT) AS qty FROM ret_notes n
            JOIN order_lines l ON l.org_id = n.org_id AND l.order_id = n.order_id
            WHERE NOT n.credited AND l.product_id IS NOT NULL GROUP BY n.seq, l.product_id
        ), b AS (
            SELECT op.seq, op.product_id, p.stock_qty AS n0, p.stock_value_minor AS v0, GREATEST(p.cost_minor, 0) AS c,
                   CAST(COALESCE(SUM(op.qty) OVER (PARTITION BY op.product_id ORDER BY op.seq
                                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT)
                       AS before
            FROM op JOIN products p ON p.org_id = :org AND p.product_id = op.product_id WHERE p.track_stock
        ), s AS (
            SELECT b.*, MIN(CASE WHEN b.n0 + b.before > 0 THEN b.before END) OVER (PARTITION BY b.product_id) AS found
            FROM b
        )
        SELECT seq, product_id,
               CASE WHEN n0 + before <= 0 THEN c ELSE GREATEST(0, (v0 + c * found) {div} (n0 + found)) END AS unit
        FROM s
        """,  # noqa: S608 - the operator comes from int_div, not from input
        org=org_id,
    )
    run(
        conn,
        """
        CREATE TEMP TABLE ret_lines AS
        SELECT n.seq, row_number() OVER (PARTITION BY n.seq ORDER BY l.line_no) AS line_no, l.kind, l.product_id,
               l.sku, l.description, l.quantity, l.unit_price_minor, l.discount_minor, l.vat_rate_bp, l.vat_exempt,
               l.price_includes_vat, l.net_minor, l.vat_minor, COALESCE(u.unit, 0) * l.quantity AS cogs_minor,
               CAST(NULL AS BIGINT) AS corrects_line_id, u.product_id IS NOT NULL AS to_stock
        FROM ret_notes n JOIN order_lines l ON l.org_id = n.org_id AND l.order_id = n.order_id
        LEFT JOIN ret_units u ON u.seq = n.seq AND u.product_id = l.product_id
        WHERE NOT n.credited
        UNION ALL
        SELECT t.seq, row_number() OVER (PARTITION BY t.seq ORDER BY t.line_no), t.kind, t.product_id, t.sku,
               t.description, t.quantity,  t.unit_price_minor,
               CASE WHEN t.quantity = t.whole THEN t.discount_minor
                    ELSE (2 * t.discount_minor * t.quantity + t.whole) {div} (2 * t.whole) END,
               t.vat_rate_bp, t.vat_exempt, t.price_includes_vat, t.net_minor, t.vat_minor, t.cogs_minor,
               t.invoice_line_id, t.to_stock
        FROM (
            SELECT n.seq, l.line_no, l.kind, l.product_id, l.sku, l.description,
                   l.quantity - COALESCE(d.quantity, 0) AS quantity, l.quantity AS whole, l.unit_price_minor,
                   l.discount_minor, l.vat_rate_bp, l.vat_exempt, l.price_includes_vat,
                   l.net_minor - COALESCE(d.net, 0) AS net_minor,
                   l.vat_minor - COALESCE(d.vat, 0) AS vat_minor, l.cogs_minor - COALESCE(d.cogs, 0) AS cogs_minor,
                   l.invoice_line_id, p.product_id IS NOT NULL AND p.track_stock AS to_stock
            FROM ret_notes n JOIN invoice_lines l ON l.org_id = n.org_id AND l.invoice_id = n.invoice_id
            LEFT JOIN (SELECT cl.corrects_line_id, CAST(SUM(cl.quantity) AS BIGINT) AS quantity,
                              CAST(SUM(cl.net_minor) AS BIGINT) AS net, CAST(SUM(cl.vat_minor) AS BIGINT) AS vat,
                              CAST(SUM(cl.cogs_minor) AS BIGINT) AS cogs
                       FROM invoice_lines cl JOIN invoices c ON c.invoice_id = cl.invoice_id
                       WHERE c.org_id = :org AND c.corrects_invoice_id IN (SELECT invoice_id FROM ret_notes)
                       GROUP BY cl.corrects_line_id) d ON d.corrects_line_id = l.invoice_line_id
            LEFT JOIN products p ON p.org_id = l.org_id AND p.product_id = l.product_id
            WHERE n.credited
        ) t WHERE t.quantity > 0
        """.replace("{div}", div),
        org=org_id,
    )
    return count


def nothing_left(conn: Connection) -> list[str]:
    """The invoices among the staged credits whose every line was credited already (the per-order path refuses)."""
    return [
        r["invoice_number"]
        for r in rows(
            conn,
            "SELECT invoice_number FROM ret_notes n WHERE n.credited "
            "AND NOT EXISTS (SELECT 1 FROM ret_lines l WHERE l.seq = n.seq) ORDER BY n.seq",
        )
    ]


def write_notes(
    conn: Connection,
    org_id: int,
    first_number: int,
    accounts: dict[str, int],
    user_id: int | None,
    actor: str,
    at: datetime,
) -> None:
    """The staged credit notes, numbered from `first_number` in `seq` order: headers and lines, goods back in stock,
    the credit-note entries (Dr sales returns, shipping income, VAT / Cr receivable) and the stock-return entries
    (Dr inventory / Cr cost of goods sold), the orders' events and statuses."""
    run(
        conn,
        f"""
        CREATE TEMP TABLE ret_docs AS
        SELECT n.*, :first + n.seq - 1 AS number, {_number_text(":first + n.seq - 1")} AS number_text,
               CAST(COALESCE(t.goods, 0) AS BIGINT) AS goods, CAST(COALESCE(t.shipping, 0) AS BIGINT) AS shipping,
               CAST(COALESCE(t.vat, 0) AS BIGINT) AS vat, CAST(COALESCE(t.cogs, 0) AS BIGINT) AS cogs, nextval('invoice_id_seq') AS note_id, nextval('entry_id_seq') AS entry_id,
               nextval('entry_id_seq') AS cogs_entry_id
        FROM ret_notes n LEFT JOIN (
            SELECT seq, SUM(CASE WHEN kind = 'goods' THEN net_minor ELSE 0 END) AS goods,
                   SUM(CASE WHEN kind = 'shipping' THEN net_minor ELSE 0 END) AS shipping, SUM(vat_minor) AS vat,
                   SUM(cogs_minor) AS cogs
            FROM ret_lines GROUP BY seq) t ON t.seq = n.seq
        """,  # noqa: S608 - constant pieces only
        first=first_number,
    )
    run(conn, "DROP TABLE ret_notes")
    run(conn, "ALTER TABLE ret_docs RENAME TO ret_notes")
    run(
        conn,
        """
        INSERT INTO invoices (invoice_id, org_id, kind, series, number, number_text, order_id, customer_id,
            corrects_invoice_id, issued_on, due_on, currency, prices_include_vat, goods_net_minor, shipping_net_minor,
            net_minor, vat_minor, total_minor, cogs_minor, reason, entry_id, created_by, created_at)
        SELECT note_id, org_id, 'credit_note', 'CN', number, number_text, order_id, customer_id, invoice_id, issued_on,
            issued_on, currency, prices_include_vat, goods, shipping, goods + shipping, vat, goods + shipping + vat,
            cogs, reason, CASE WHEN goods + shipping + vat > 0 THEN entry_id END, :user, :at
        FROM ret_notes
        """,
        user=user_id,
        at=at,
    )
    run(
        conn,
        """
        INSERT INTO invoice_lines (org_id, invoice_id, line_no, kind, product_id, sku, description, quantity,
            unit_price_minor, discount_minor, vat_rate_bp, vat_exempt, price_includes_vat, net_minor, vat_minor,
            gross_minor, cogs_minor, corrects_line_id)
        SELECT :org, n.note_id, l.line_no, l.kind, l.product_id, l.sku, l.description, l.quantity, l.unit_price_minor,
            l.discount_minor, l.vat_rate_bp, l.vat_exempt, l.price_includes_vat, l.net_minor, l.vat_minor, l.net_minor + l.vat_minor,
            l.cogs_minor, l.corrects_line_id
        FROM ret_lines l JOIN ret_notes n ON n.seq = l.seq
        """,
        org=org_id,
    )
    run(
        conn,
        "INSERT INTO stock_moves (org_id, product_id, moved_on, quantity, value_minor, source_type, source_id) "
        "SELECT :org, l.product_id, n.issued_on, l.quantity, l.cogs_minor, 'credit_note', n.number_text "
        "FROM ret_lines l JOIN ret_notes n ON n.seq = l.seq WHERE l.to_stock",
        org=org_id,
    )
    run(
        conn,
        "UPDATE products SET stock_qty = products.stock_qty + d.qty, stock_value_minor = products.stock_value_minor "
        "+ d.cogs FROM (SELECT product_id, SUM(quantity) AS qty, SUM(cogs_minor) AS cogs FROM ret_lines "
        "WHERE to_stock GROUP BY product_id) d WHERE products.org_id = :org AND products.product_id = d.product_id",
        org=org_id,
    )
    run(
        conn,
        "INSERT INTO journal_entries (entry_id, org_id, entry_on, memo, source_type, source_id, created_by, created_at) "
        "SELECT entry_id, org_id, issued_on, 'Credit note ' || number_text || ' ' || memo, 'credit_note', number_text, "
        "CAST(:user AS BIGINT), :at FROM ret_notes WHERE goods + shipping + vat > 0 "
        "UNION ALL SELECT cogs_entry_id, org_id, issued_on, 'Returned to stock, ' || number_text, 'stock_return', "
        "number_text, CAST(:user AS BIGINT), :at FROM ret_notes WHERE cogs > 0",
        user=user_id,
        at=at,
    )
    run(
        conn,
        """
        INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, contact_id, debit_minor, credit_minor)
        SELECT org_id, entry_id, row_number() OVER (PARTITION BY entry_id ORDER BY place), account_id, contact_id,
               debit_minor, credit_minor
        FROM (
            SELECT org_id, entry_id, 1 AS place, :sales_returns AS account_id, CAST(NULL AS BIGINT) AS contact_id,
                   goods AS debit_minor, 0 AS credit_minor FROM ret_notes WHERE goods > 0
            UNION ALL SELECT org_id, entry_id, 2, :shipping, NULL, shipping, 0 FROM ret_notes WHERE shipping > 0
            UNION ALL SELECT org_id, entry_id, 3, :vat, NULL, vat, 0 FROM ret_notes WHERE vat > 0
            UNION ALL SELECT org_id, entry_id, 4, :ar, customer_id, 0, goods + shipping + vat FROM ret_notes
                WHERE goods + shipping + vat > 0
            UNION ALL SELECT org_id, cogs_entry_id, 1, :inventory, NULL, cogs, 0 FROM ret_notes WHERE cogs > 0
            UNION ALL SELECT org_id, cogs_entry_id, 2, :cogs, NULL, 0, cogs FROM ret_notes WHERE cogs > 0
        ) x
        """,
        sales_returns=accounts["sales_returns"],
        shipping=accounts["shipping_income"],
        vat=accounts["vat_payable"],
        ar=accounts["ar"],
        inventory=accounts["inventory"],
        cogs=accounts["cogs"],
    )
    run(
        conn,
        "INSERT INTO order_events (org_id, order_id, from_status, to_status, note, actor, created_at) "
        "SELECT org_id, order_id, from_status, 'returned', 'Credit note ' || number_text, :actor, :at FROM ret_notes",
        actor=actor,
        at=at,
    )
    run(  # a credited order is returned in full; a stand-alone return already is
        conn,
        "UPDATE orders SET status = 'returned', updated_at = :at FROM ret_notes n "
        "WHERE n.credited AND orders.org_id = n.org_id AND orders.order_id = n.order_id",
        at=at,
    )


def notes_written(conn: Connection) -> list[dict[str, Any]]:
    """The notes just written, in number order, for their audit rows."""
    return rows(
        conn,
        "SELECT number_text, order_id, goods + shipping + vat AS total_minor, reason FROM ret_notes ORDER BY seq",
    )


def stage_refunds(conn: Connection, org_id: int) -> bool:
    """ret_parts: what each new credit note pays back, by method. A credited order: what was paid on its invoice
    beyond what it still owes (the credit note counted), at most the note's total, split over the methods it was
    paid with in proportion (largest remainder, ties to the method first by name) — nothing when nothing was paid
    or it was paid by no method. A stand-alone return the store pays out: its total by its order's method. Only
    parts above zero get a payment id and an entry id. Returns whether there is any part."""
    run(
        conn,
        """
        CREATE TEMP TABLE ret_parts AS
        WITH owed AS (
            SELECT n.seq, n.org_id, n.customer_id, n.invoice_id, n.number_text,
                   CAST(LEAST(n.goods + n.shipping + n.vat, GREATEST(0, -(i.total_minor - COALESCE(cn.total, 0)
                         - COALESCE(al.total, 0)))) AS BIGINT) AS refundable
            FROM ret_notes n JOIN invoices i ON i.org_id = n.org_id AND i.invoice_id = n.invoice_id
            LEFT JOIN (SELECT corrects_invoice_id AS id, SUM(total_minor) AS total FROM invoices
                       WHERE org_id = :org AND kind = 'credit_note' AND corrects_invoice_id IN (SELECT invoice_id FROM ret_notes)
                       GROUP BY corrects_invoice_id) cn ON cn.id = i.invoice_id
            LEFT JOIN (SELECT invoice_id AS id, SUM(amount_minor) AS total FROM allocations
                       WHERE org_id = :org AND invoice_id IN (SELECT invoice_id FROM ret_notes) GROUP BY invoice_id) al
                ON al.id = i.invoice_id
            WHERE n.credited
        ), paid AS (
            SELECT o.seq, p.method, CAST(SUM(a.amount_minor) AS BIGINT) AS amount
            FROM owed o JOIN allocations a ON a.org_id = o.org_id AND a.invoice_id = o.invoice_id
            JOIN payments p ON p.payment_id = a.payment_id
            WHERE o.refundable > 0 AND a.kind IN ('payment', 'deposit')
            GROUP BY o.seq, p.method HAVING SUM(a.amount_minor) > 0
        ), shares AS (
            SELECT o.seq, o.org_id, o.customer_id, o.invoice_id, o.number_text, o.refundable, p.method,
                   o.refundable * p.amount AS scaled, CAST(SUM(p.amount) OVER (PARTITION BY o.seq) AS BIGINT) AS whole,
                   row_number() OVER (PARTITION BY o.seq ORDER BY p.method) AS place
            FROM owed o JOIN paid p ON p.seq = o.seq
        ), ranked AS (
            SELECT s.*, s.scaled {div} s.whole AS floor_part,
                   row_number() OVER (PARTITION BY s.seq ORDER BY s.scaled % s.whole DESC, s.place) AS rank_left
            FROM shares s
        )
        SELECT r.seq, r.org_id, r.customer_id, r.invoice_id, r.number_text, TRUE AS credited, r.method, r.place,
               r.floor_part + CASE WHEN r.rank_left <= r.refundable - CAST(SUM(r.floor_part) OVER (PARTITION BY r.seq) AS BIGINT)
                                   THEN 1 ELSE 0 END AS amount_minor, r.refundable
        FROM ranked r
        UNION ALL
        SELECT n.seq, n.org_id, n.customer_id, n.note_id, n.number_text, FALSE, n.refund_method, 1,
               n.goods + n.shipping + n.vat, 0
        FROM ret_notes n WHERE NOT n.credited AND n.refund_method IS NOT NULL
        """.replace("{div}", int_div(conn)),
        org=org_id,
    )
    return bool(scalar(conn, "SELECT count(*) FROM ret_parts"))


def write_refunds(
    conn: Connection, org_id: int, accounts: dict[str, int], today: date, user_id: int | None, at: datetime
) -> None:
    """The refunds of ret_parts: a payment of kind refund each (Dr receivable / Cr the method's account), and for a
    credited order an allocation of minus what was refunded to its invoice. Stand-alone returns are paid back on
    their own date, credited orders today. The payment methods exist (see payments.ensure_methods): a stand-alone
    return's method the org does not know is added first, as card clearing."""
    run(
        conn,
        "INSERT INTO payment_methods (org_id, code, name, account_role) SELECT DISTINCT :org, method, method, "
        "'card_clearing' FROM ret_parts WHERE NOT credited ON CONFLICT DO NOTHING",
        org=org_id,
    )
    run(
        conn,
        """
        CREATE TEMP TABLE ret_refunds AS
        SELECT p.*, CASE WHEN p.credited THEN CAST(:today AS DATE) ELSE n.issued_on END AS paid_on,
               a.account_id AS method_account, nextval('payment_id_seq') AS payment_id,
               nextval('entry_id_seq') AS entry_id
        FROM ret_parts p JOIN ret_notes n ON n.seq = p.seq
        JOIN payment_methods m ON m.org_id = :org AND m.code = p.method
        JOIN accounts a ON a.org_id = :org AND a.role = m.account_role
        WHERE p.amount_minor > 0
        """,
        org=org_id,
        today=today,
    )
    run(
        conn,
        "INSERT INTO journal_entries (entry_id, org_id, entry_on, memo, source_type, source_id, created_by, created_at) "
        "SELECT entry_id, org_id, paid_on, 'Refund (' || method || ') ' || number_text, 'refund', "
        "CAST(invoice_id AS VARCHAR), :user, :at FROM ret_refunds",
        user=user_id,
        at=at,
    )
    run(
        conn,
        "INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, contact_id, debit_minor, credit_minor) "
        "SELECT org_id, entry_id, 1, :ar, customer_id, amount_minor, 0 FROM ret_refunds "
        "UNION ALL SELECT org_id, entry_id, 2, method_account, NULL, 0, amount_minor FROM ret_refunds",
        ar=accounts["ar"],
    )
    run(
        conn,
        "INSERT INTO payments (payment_id, org_id, customer_id, kind, method, amount_minor, paid_on, status, invoice_id, "
        "note, entry_id, created_by, created_at) SELECT payment_id, org_id, customer_id, 'refund', method, amount_minor, "
        "paid_on, 'captured', invoice_id, number_text, entry_id, :user, :at FROM ret_refunds",
        user=user_id,
        at=at,
    )
    run(
        conn,
        "INSERT INTO allocations (org_id, payment_id, kind, invoice_id, amount_minor, allocated_on, entry_id, created_at) "
        "SELECT DISTINCT org_id, CAST(NULL AS BIGINT), 'refund', invoice_id, -refundable, CAST(:today AS DATE), "
        "CAST(NULL AS BIGINT), CAST(:at AS TIMESTAMP) FROM ret_parts WHERE credited",
        today=today,
        at=at,
    )
    run(conn, "DROP TABLE ret_refunds")


def refund_parts(conn: Connection) -> list[dict[str, Any]]:
    """The credited orders' refunds, every method's part (zero ones too), in note and method order: audit rows."""
    return rows(
        conn,
        "SELECT number_text, method, amount_minor FROM ret_parts WHERE credited ORDER BY seq, place",
    )
