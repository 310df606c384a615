"""Migration 7: store orders that are returns of their own (cancellation invoices with minus lines)."""

NAME = "import returns"
STATEMENTS = [
    "ALTER TABLE import_orders ADD COLUMN is_return BOOLEAN NOT NULL DEFAULT FALSE",
]
