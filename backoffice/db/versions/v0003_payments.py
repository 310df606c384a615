"""Migration 3: payments, deposits, refunds and fees, and their allocation to invoices."""

NAME = "payments"
STATEMENTS = [
    "ALTER TABLE organizations ADD COLUMN deposit_percent_bp INTEGER NOT NULL DEFAULT 0",
    "ALTER TABLE organizations ADD COLUMN cancellation_fee_bp INTEGER NOT NULL DEFAULT 0",
    """CREATE TABLE payment_methods (
        org_id BIGINT NOT NULL,
        code VARCHAR NOT NULL,
        name VARCHAR NOT NULL,
        account_role VARCHAR NOT NULL CHECK (account_role IN ('cash', 'bank', 'card_clearing')),
        active BOOLEAN NOT NULL DEFAULT TRUE,
        PRIMARY KEY (org_id, code)
    )""",
    "CREATE SEQUENCE payment_id_seq START 1",
    """CREATE TABLE payments (
        payment_id BIGINT PRIMARY KEY DEFAULT nextval('payment_id_seq'),
        org_id BIGINT NOT NULL,
        customer_id BIGINT,
        kind VARCHAR NOT NULL CHECK (kind IN ('payment', 'deposit', 'refund', 'fee')),
        method VARCHAR,
        amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
        paid_on DATE NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('captured', 'authorized', 'voided')),
        order_id BIGINT,
        invoice_id BIGINT,
        refund_of BIGINT,
        reference VARCHAR,
        note VARCHAR,
        entry_id BIGINT,
        batch_id BIGINT,
        created_by BIGINT,
        created_at TIMESTAMP NOT NULL
    )""",
    "CREATE INDEX payments_customer ON payments (org_id, customer_id)",
    "CREATE SEQUENCE allocation_id_seq START 1",
    """CREATE TABLE allocations (
        allocation_id BIGINT PRIMARY KEY DEFAULT nextval('allocation_id_seq'),
        org_id BIGINT NOT NULL,
        payment_id BIGINT,
        kind VARCHAR NOT NULL CHECK (kind IN ('payment', 'deposit', 'credit', 'refund')),
        invoice_id BIGINT NOT NULL,
        amount_minor BIGINT NOT NULL,
        allocated_on DATE NOT NULL,
        entry_id BIGINT,
        created_at TIMESTAMP NOT NULL
    )""",
    "CREATE INDEX allocations_invoice ON allocations (org_id, invoice_id)",
]
