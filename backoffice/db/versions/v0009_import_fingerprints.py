"""Migration 9: a fingerprint of each imported order's rows, so a re-import skips the orders whose rows and status
are as they were (issue #4: a second import of a 1M-line file at read_csv speed)."""

NAME = "import fingerprints"
STATEMENTS = [
    """CREATE TABLE import_fingerprints (
        org_id BIGINT NOT NULL,
        store_id BIGINT NOT NULL,
        external_id VARCHAR NOT NULL,
        order_id BIGINT NOT NULL,
        fingerprint BIGINT NOT NULL,
        order_status VARCHAR NOT NULL
    )""",
    "CREATE INDEX import_fingerprints_order ON import_fingerprints (org_id, store_id, external_id)",
    "ALTER TABLE import_orders ADD COLUMN fingerprint BIGINT",
]
