"""Numbered schema migrations, applied once each at start (SQL both DuckDB and PostgreSQL accept).

Owns the DDL. Conventions: surrogate keys from explicit sequences, money as BIGINT
minor units (`*_minor`), rates as basis points (`*_bp`), timestamps `*_at` (UTC,
naive), dates `*_on`. No foreign keys on master tables: DuckDB refuses to update
an indexed column of a row another table references (docs/decisions/0002-no-foreign-keys.md);
the services keep references valid inside their transactions.
"""

from __future__ import annotations

import sqlalchemy as sa

from backoffice.db import Database

# Each migration: (number, name, statements). Append only; never edit a shipped one.
MIGRATIONS: list[tuple[int, str, list[str]]] = [
    (
        1,
        "foundation",
        [
            "CREATE SEQUENCE org_id_seq START 1",
            """CREATE TABLE organizations (
                org_id BIGINT PRIMARY KEY DEFAULT nextval('org_id_seq'),
                name VARCHAR NOT NULL UNIQUE,
                legal_name VARCHAR, address VARCHAR, city VARCHAR, postal_code VARCHAR,
                country VARCHAR, tax_number VARCHAR, phone VARCHAR, email VARCHAR,
                currency VARCHAR NOT NULL,
                language VARCHAR NOT NULL DEFAULT 'en',
                business_type VARCHAR NOT NULL DEFAULT 'trading',
                brand_color VARCHAR NOT NULL DEFAULT '#0f766e',
                logo {blob}, logo_mime VARCHAR,
                invoice_footer VARCHAR,
                rounding_rule VARCHAR NOT NULL DEFAULT 'line',
                rounding_mode VARCHAR NOT NULL DEFAULT 'half_up',
                calendar VARCHAR NOT NULL DEFAULT 'gregorian',
                native_digits BOOLEAN NOT NULL DEFAULT FALSE,
                created_at TIMESTAMP NOT NULL
            )""",
            "CREATE SEQUENCE tax_rate_id_seq START 1",
            """CREATE TABLE tax_rates (
                tax_rate_id BIGINT PRIMARY KEY DEFAULT nextval('tax_rate_id_seq'),
                org_id BIGINT NOT NULL,
                code VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                rate_bp INTEGER NOT NULL CHECK (rate_bp >= 0 AND rate_bp <= 10000),
                valid_from DATE NOT NULL,
                UNIQUE (org_id, code, valid_from)
            )""",
            "CREATE SEQUENCE user_id_seq START 1",
            """CREATE TABLE users (
                user_id BIGINT PRIMARY KEY DEFAULT nextval('user_id_seq'),
                email VARCHAR NOT NULL UNIQUE,
                mobile VARCHAR UNIQUE,
                name VARCHAR NOT NULL,
                password_hash VARCHAR,
                language VARCHAR NOT NULL DEFAULT 'en',
                is_active BOOLEAN NOT NULL DEFAULT TRUE,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE memberships (
                org_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                role VARCHAR NOT NULL CHECK (role IN ('admin', 'accountant', 'sales', 'viewer')),
                created_at TIMESTAMP NOT NULL,
                PRIMARY KEY (org_id, user_id)
            )""",
            """CREATE TABLE auth_tokens (
                token_hash VARCHAR PRIMARY KEY,
                user_id BIGINT NOT NULL,
                purpose VARCHAR NOT NULL CHECK (purpose IN ('invite', 'reset')),
                expires_at TIMESTAMP NOT NULL,
                used_at TIMESTAMP,
                created_by BIGINT,
                created_at TIMESTAMP NOT NULL
            )""",
            "CREATE SEQUENCE login_attempt_id_seq START 1",
            """CREATE TABLE login_attempts (
                attempt_id BIGINT PRIMARY KEY DEFAULT nextval('login_attempt_id_seq'),
                username_key VARCHAR NOT NULL,
                source VARCHAR NOT NULL,
                succeeded BOOLEAN NOT NULL,
                attempted_at TIMESTAMP NOT NULL
            )""",
            "CREATE SEQUENCE audit_id_seq START 1",
            """CREATE TABLE audit_log (
                audit_id BIGINT PRIMARY KEY DEFAULT nextval('audit_id_seq'),
                org_id BIGINT,
                user_id BIGINT,
                actor VARCHAR NOT NULL,
                action VARCHAR NOT NULL,
                entity VARCHAR NOT NULL,
                entity_id VARCHAR,
                before_json VARCHAR,
                after_json VARCHAR,
                created_at TIMESTAMP NOT NULL
            )""",
            "CREATE SEQUENCE contact_id_seq START 1",
            """CREATE TABLE contacts (
                contact_id BIGINT PRIMARY KEY DEFAULT nextval('contact_id_seq'),
                org_id BIGINT NOT NULL,
                role VARCHAR NOT NULL DEFAULT 'customer' CHECK (role IN ('customer', 'supplier', 'employee')),
                name VARCHAR NOT NULL,
                address VARCHAR, city VARCHAR, postal_code VARCHAR, country VARCHAR,
                emails VARCHAR,
                phone VARCHAR,
                tax_id VARCHAR,
                contact_person VARCHAR,
                payment_terms_days INTEGER NOT NULL DEFAULT 0 CHECK (payment_terms_days >= 0),
                language VARCHAR,
                name_key VARCHAR NOT NULL,
                search_text VARCHAR NOT NULL,
                tax_id_key VARCHAR,
                created_at TIMESTAMP NOT NULL,
                updated_at TIMESTAMP NOT NULL
            )""",
            "CREATE INDEX contacts_org ON contacts (org_id, role)",
            """CREATE TABLE contact_emails (
                org_id BIGINT NOT NULL,
                contact_id BIGINT NOT NULL,
                email VARCHAR NOT NULL,
                PRIMARY KEY (org_id, contact_id, email)
            )""",
            "CREATE SEQUENCE category_id_seq START 1",
            """CREATE TABLE categories (
                category_id BIGINT PRIMARY KEY DEFAULT nextval('category_id_seq'),
                org_id BIGINT NOT NULL,
                name VARCHAR NOT NULL,
                name_key VARCHAR NOT NULL,
                UNIQUE (org_id, name_key)
            )""",
            """CREATE TABLE contact_categories (
                org_id BIGINT NOT NULL,
                contact_id BIGINT NOT NULL,
                category_id BIGINT NOT NULL,
                PRIMARY KEY (org_id, contact_id, category_id)
            )""",
            "CREATE SEQUENCE custom_field_id_seq START 1",
            """CREATE TABLE custom_fields (
                field_id BIGINT PRIMARY KEY DEFAULT nextval('custom_field_id_seq'),
                org_id BIGINT NOT NULL,
                name VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('text', 'number', 'date', 'choice')),
                choices VARCHAR,
                required BOOLEAN NOT NULL DEFAULT FALSE,
                position INTEGER NOT NULL DEFAULT 0,
                UNIQUE (org_id, name)
            )""",
            """CREATE TABLE contact_field_values (
                org_id BIGINT NOT NULL,
                contact_id BIGINT NOT NULL,
                field_id BIGINT NOT NULL,
                value VARCHAR NOT NULL,
                PRIMARY KEY (org_id, contact_id, field_id)
            )""",
            "CREATE SEQUENCE note_id_seq START 1",
            """CREATE TABLE contact_notes (
                note_id BIGINT PRIMARY KEY DEFAULT nextval('note_id_seq'),
                org_id BIGINT NOT NULL,
                contact_id BIGINT NOT NULL,
                body VARCHAR NOT NULL,
                created_by BIGINT,
                created_at TIMESTAMP NOT NULL
            )""",
            "CREATE SEQUENCE attachment_id_seq START 1",
            """CREATE TABLE attachments (
                attachment_id BIGINT PRIMARY KEY DEFAULT nextval('attachment_id_seq'),
                org_id BIGINT NOT NULL,
                note_id BIGINT NOT NULL,
                file_name VARCHAR NOT NULL,
                mime VARCHAR NOT NULL,
                size_bytes BIGINT NOT NULL,
                content {blob} NOT NULL,
                created_at TIMESTAMP NOT NULL
            )""",
            "CREATE SEQUENCE account_id_seq START 1",
            """CREATE TABLE accounts (
                account_id BIGINT PRIMARY KEY DEFAULT nextval('account_id_seq'),
                org_id BIGINT NOT NULL,
                code VARCHAR NOT NULL,
                name_en VARCHAR NOT NULL,
                name_ar VARCHAR NOT NULL,
                name_fa VARCHAR NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('asset', 'liability', 'equity', 'income', 'expense')),
                role VARCHAR,
                UNIQUE (org_id, code)
            )""",
            "CREATE SEQUENCE entry_id_seq START 1",
            """CREATE TABLE journal_entries (
                entry_id BIGINT PRIMARY KEY DEFAULT nextval('entry_id_seq'),
                org_id BIGINT NOT NULL,
                entry_on DATE NOT NULL,
                memo VARCHAR NOT NULL,
                source_type VARCHAR NOT NULL,
                source_id VARCHAR,
                created_by BIGINT,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE journal_lines (
                org_id BIGINT NOT NULL,
                entry_id BIGINT NOT NULL,
                line_no INTEGER NOT NULL,
                account_id BIGINT NOT NULL,
                contact_id BIGINT,
                debit_minor BIGINT NOT NULL DEFAULT 0,
                credit_minor BIGINT NOT NULL DEFAULT 0,
                CHECK (debit_minor >= 0 AND credit_minor >= 0 AND (debit_minor = 0 OR credit_minor = 0))
            )""",
        ],
    ),
    (
        2,
        "orders, invoices, stock",
        [
            "ALTER TABLE organizations ADD COLUMN allow_negative_stock BOOLEAN NOT NULL DEFAULT FALSE",
            "ALTER TABLE organizations ADD COLUMN shipping_taxable BOOLEAN NOT NULL DEFAULT TRUE",
            "CREATE SEQUENCE product_id_seq START 1",
            """CREATE TABLE products (
                product_id BIGINT PRIMARY KEY DEFAULT nextval('product_id_seq'),
                org_id BIGINT NOT NULL,
                sku VARCHAR NOT NULL,
                name VARCHAR NOT NULL,
                name_ar VARCHAR,
                unit VARCHAR NOT NULL DEFAULT 'pcs',
                category VARCHAR,
                price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
                price_includes_vat BOOLEAN NOT NULL DEFAULT FALSE,
                vat_rate_bp INTEGER CHECK (vat_rate_bp >= 0 AND vat_rate_bp <= 10000),
                vat_exempt BOOLEAN NOT NULL DEFAULT FALSE,
                cost_minor BIGINT NOT NULL DEFAULT 0 CHECK (cost_minor >= 0),
                track_stock BOOLEAN NOT NULL DEFAULT TRUE,
                stock_qty BIGINT NOT NULL DEFAULT 0,
                stock_value_minor BIGINT NOT NULL DEFAULT 0,
                created_at TIMESTAMP NOT NULL,
                updated_at TIMESTAMP NOT NULL,
                UNIQUE (org_id, sku)
            )""",
            "CREATE SEQUENCE stock_move_id_seq START 1",
            """CREATE TABLE stock_moves (
                move_id BIGINT PRIMARY KEY DEFAULT nextval('stock_move_id_seq'),
                org_id BIGINT NOT NULL,
                product_id BIGINT NOT NULL,
                moved_on DATE NOT NULL,
                quantity BIGINT NOT NULL,
                value_minor BIGINT NOT NULL,
                source_type VARCHAR NOT NULL,
                source_id VARCHAR
            )""",
            "CREATE SEQUENCE order_id_seq START 1",
            """CREATE TABLE orders (
                order_id BIGINT PRIMARY KEY DEFAULT nextval('order_id_seq'),
                org_id BIGINT NOT NULL,
                customer_id BIGINT,
                status VARCHAR NOT NULL,
                order_on DATE NOT NULL,
                currency VARCHAR NOT NULL,
                prices_include_vat BOOLEAN NOT NULL,
                rounding_rule VARCHAR NOT NULL,
                notes VARCHAR,
                source VARCHAR NOT NULL DEFAULT 'manual',
                store_id BIGINT,
                external_id VARCHAR,
                external_total_minor BIGINT,
                net_minor BIGINT NOT NULL,
                vat_minor BIGINT NOT NULL,
                total_minor BIGINT NOT NULL,
                created_at TIMESTAMP NOT NULL,
                updated_at TIMESTAMP NOT NULL,
                UNIQUE (org_id, store_id, external_id)
            )""",
            "CREATE INDEX orders_org_status ON orders (org_id, status)",
            """CREATE TABLE order_lines (
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
                gross_minor BIGINT NOT NULL,
                PRIMARY KEY (org_id, order_id, line_no)
            )""",
            "CREATE SEQUENCE order_event_id_seq START 1",
            """CREATE TABLE order_events (
                event_id BIGINT PRIMARY KEY DEFAULT nextval('order_event_id_seq'),
                org_id BIGINT NOT NULL,
                order_id BIGINT NOT NULL,
                from_status VARCHAR,
                to_status VARCHAR NOT NULL,
                note VARCHAR,
                actor VARCHAR NOT NULL,
                created_at TIMESTAMP NOT NULL
            )""",
            """CREATE TABLE document_counters (
                org_id BIGINT NOT NULL,
                series VARCHAR NOT NULL,
                next_number BIGINT NOT NULL,
                PRIMARY KEY (org_id, series)
            )""",
            "CREATE SEQUENCE invoice_id_seq START 1",
            """CREATE TABLE invoices (
                invoice_id BIGINT PRIMARY KEY DEFAULT nextval('invoice_id_seq'),
                org_id BIGINT NOT NULL,
                kind VARCHAR NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
                series VARCHAR NOT NULL,
                number BIGINT NOT NULL,
                number_text VARCHAR NOT NULL,
                order_id BIGINT NOT NULL,
                order_invoice_key BIGINT,
                customer_id BIGINT,
                corrects_invoice_id BIGINT,
                issued_on DATE NOT NULL,
                due_on DATE NOT NULL,
                currency VARCHAR NOT NULL,
                prices_include_vat BOOLEAN NOT NULL,
                goods_net_minor BIGINT NOT NULL,
                shipping_net_minor BIGINT NOT NULL,
                net_minor BIGINT NOT NULL,
                vat_minor BIGINT NOT NULL,
                total_minor BIGINT NOT NULL,
                cogs_minor BIGINT NOT NULL DEFAULT 0,
                reason VARCHAR,
                batch_id BIGINT,
                entry_id BIGINT,
                cogs_entry_id BIGINT,
                created_by BIGINT,
                created_at TIMESTAMP NOT NULL,
                UNIQUE (org_id, series, number),
                UNIQUE (org_id, number_text),
                UNIQUE (org_id, order_invoice_key)
            )""",
            "CREATE SEQUENCE invoice_line_id_seq START 1",
            """CREATE TABLE invoice_lines (
                invoice_line_id BIGINT PRIMARY KEY DEFAULT nextval('invoice_line_id_seq'),
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
            "CREATE INDEX invoice_lines_invoice ON invoice_lines (org_id, invoice_id)",
            "CREATE SEQUENCE batch_id_seq START 1",
            """CREATE TABLE batch_orders (
                batch_id BIGINT NOT NULL,
                org_id BIGINT NOT NULL,
                order_id BIGINT NOT NULL,
                seq BIGINT NOT NULL,
                PRIMARY KEY (batch_id, order_id)
            )""",
        ],
    ),
]

_DIALECT_TYPES = {"duckdb": {"blob": "BLOB"}, "postgresql": {"blob": "BYTEA"}}


def apply_migrations(db: Database) -> list[int]:
    """Apply every migration not yet recorded, each in its own transaction. Returns the numbers applied."""
    types = _DIALECT_TYPES.get(db.dialect, _DIALECT_TYPES["postgresql"])
    with db.write() as conn:
        conn.execute(
            sa.text(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(number INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
            )
        )
        done = {row[0] for row in conn.execute(sa.text("SELECT number FROM schema_migrations"))}
    applied = []
    for number, name, statements in MIGRATIONS:
        if number in done:
            continue
        with db.write() as conn:
            for statement in statements:
                conn.execute(sa.text(statement.format(**types)))
            conn.execute(
                sa.text("INSERT INTO schema_migrations VALUES (:n, :name, CURRENT_TIMESTAMP)"),
                {"n": number, "name": name},
            )
        applied.append(number)
    return applied


def table_names(db: Database) -> list[str]:
    return sorted(sa.inspect(db.engine).get_table_names())
