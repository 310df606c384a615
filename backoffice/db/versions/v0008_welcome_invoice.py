"""Migration 8: the welcome invoice (SPEC C10): products and quantities invoiced to a newly registered customer."""

NAME = "welcome invoice"
STATEMENTS = [
    "ALTER TABLE smtp_settings ADD COLUMN welcome_invoice VARCHAR",  # JSON [{"sku": ..., "quantity": ...}] or NULL
]
