"""Migration 15: each order and invoice line keeps its own price basis (issue 19).

`price_includes_vat` on a line says whether its unit price is VAT-inclusive (what the customer pays for it) or
exclusive (VAT on top); NULL, as every line written before this migration and by the store import has, means the
document's `prices_include_vat`, which is what those lines were priced by."""

NAME = "a price basis per line"
STATEMENTS = [
    "ALTER TABLE order_lines ADD COLUMN price_includes_vat BOOLEAN",
    "ALTER TABLE invoice_lines ADD COLUMN price_includes_vat BOOLEAN",
]
