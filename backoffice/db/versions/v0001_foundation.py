"""Migration 1: foundation."""

NAME = "foundation"
STATEMENTS = [
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
]
