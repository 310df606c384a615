"""Migration 11: an import's staged orders, lines and payments live in temporary tables of the importing
connection (backoffice.db.queries.imports.create_staging), so the permanent ones go. They were emptied at the end of
every import, so nothing is lost."""

NAME = "import staging in temporary tables"
STATEMENTS = [
    "DROP TABLE import_payments",
    "DROP TABLE import_lines",
    "DROP TABLE import_orders",
]
