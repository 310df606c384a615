"""Migration 13: on DuckDB the append-only detail tables lose their primary keys — order and invoice lines, stock
moves, order events, payment allocations and the sync log. Their ids still come from their sequences (unique by
construction) and order lines keep their columns NOT NULL; what goes is the ART index DuckDB built and checked for
every row of a store import (a million order lines, as many invoice lines and stock moves) and merged again at
each commit: about a tenth of a 1M-line import's time (issue #4). Nothing looks these rows up by key alone; they
are read by order, invoice or period, by columnar scan with zone maps. DuckDB cannot drop a key, so each table
is rebuilt: created anew without it, filled in its order, the old one dropped and the new one renamed.
PostgreSQL keeps its keys (decision 0004)."""

NAME = "no keys on DuckDB's append-only detail tables"

_TABLES = {
    "order_lines": """(
        org_id BIGINT NOT NULL,
        order_id BIGINT NOT NULL,
        line_no INTEGER NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('goods', 'shipping')),
        product_id BIGINT,
        sku VARCHAR,
        description VARCHAR NOT NULL,
        quantity BIGINT NOT NULL CHECK (quantity > 0),
        unit_price_minor BIGINT NOT NULL CHECK (unit_price_minor >= 0),
        discount_minor BIGINT NOT NULL DEFAULT 0 CHECK (discount_minor >= 0),
        vat_rate_bp INTEGER NOT NULL,
        vat_exempt BOOLEAN NOT NULL DEFAULT FALSE,
        net_minor BIGINT NOT NULL,
        vat_minor BIGINT NOT NULL,
        gross_minor BIGINT NOT NULL
    )""",
    "invoice_lines": """(
        invoice_line_id BIGINT NOT NULL DEFAULT nextval('invoice_line_id_seq'),
        org_id BIGINT NOT NULL,
        invoice_id BIGINT NOT NULL,
        line_no INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        product_id BIGINT,
        sku VARCHAR,
        description VARCHAR NOT NULL,
        quantity BIGINT NOT NULL,
        unit_price_minor BIGINT NOT NULL,
        discount_minor BIGINT NOT NULL,
        vat_rate_bp INTEGER NOT NULL,
        vat_exempt BOOLEAN NOT NULL,
        net_minor BIGINT NOT NULL,
        vat_minor BIGINT NOT NULL,
        gross_minor BIGINT NOT NULL,
        cogs_minor BIGINT NOT NULL DEFAULT 0,
        corrects_line_id BIGINT
    )""",
    "stock_moves": """(
        move_id BIGINT NOT NULL DEFAULT nextval('stock_move_id_seq'),
        org_id BIGINT NOT NULL,
        product_id BIGINT NOT NULL,
        moved_on DATE NOT NULL,
        quantity BIGINT NOT NULL,
        value_minor BIGINT NOT NULL,
        source_type VARCHAR NOT NULL,
        source_id VARCHAR
    )""",
    "order_events": """(
        event_id BIGINT NOT NULL DEFAULT nextval('order_event_id_seq'),
        org_id BIGINT NOT NULL,
        order_id BIGINT NOT NULL,
        from_status VARCHAR,
        to_status VARCHAR NOT NULL,
        note VARCHAR,
        actor VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    "sync_log": """(
        sync_id BIGINT NOT NULL DEFAULT nextval('sync_id_seq'),
        org_id BIGINT NOT NULL,
        store_id BIGINT NOT NULL,
        external_id VARCHAR NOT NULL,
        order_id BIGINT,
        import_id BIGINT,
        result VARCHAR NOT NULL CHECK (result IN ('created', 'updated', 'unchanged', 'posted', 'failed')),
        reason VARCHAR,
        file_name VARCHAR,
        actor VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL
    )""",
    "allocations": """(
        allocation_id BIGINT NOT NULL DEFAULT nextval('allocation_id_seq'),
        org_id BIGINT NOT NULL,
        payment_id BIGINT,
        kind VARCHAR NOT NULL CHECK (kind IN ('payment', 'deposit', 'credit', 'refund')),
        invoice_id BIGINT NOT NULL,
        amount_minor BIGINT NOT NULL,
        allocated_on DATE NOT NULL,
        entry_id BIGINT,
        created_at TIMESTAMP NOT NULL
    )""",
}

STATEMENTS: list[str | tuple[str, str]] = []
for _table, _columns in _TABLES.items():
    STATEMENTS += [
        ("duckdb", f"CREATE TABLE {_table}_rebuilt {_columns}"),
        ("duckdb", f"INSERT INTO {_table}_rebuilt SELECT * FROM {_table}"),  # noqa: S608 - our names
        ("duckdb", f"DROP TABLE {_table}"),
        ("duckdb", f"ALTER TABLE {_table}_rebuilt RENAME TO {_table}"),
    ]
