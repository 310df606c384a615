"""Migration 12: on DuckDB the tables keep their keys (primary and unique: what makes numbering gap-free and imports
never duplicate) but no secondary indexes. DuckDB turns an UPDATE of an indexed column into a delete and an insert
(posting's order-status update took 1.7 s for 250,000 orders because of `orders_org_status`), maintains every ART
at commit, and answers its analytical and per-document queries by columnar scans with zone maps anyway.
PostgreSQL keeps its B-trees (decision 0004)."""

NAME = "no secondary indexes on DuckDB"
STATEMENTS = [
    ("duckdb", "DROP INDEX orders_org_status"),
    ("duckdb", "DROP INDEX invoice_lines_invoice"),
    ("duckdb", "DROP INDEX payments_customer"),
    ("duckdb", "DROP INDEX allocations_invoice"),
    ("duckdb", "DROP INDEX import_fingerprints_order"),
]
