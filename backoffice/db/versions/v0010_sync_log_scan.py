"""Migration 10: on DuckDB the sync log keeps no secondary index. Its ART index cost more on every import (a re-import
of 250,000 orders logs 250,000 rows: 0.2 s of the index's upkeep at commit) than it saved: looking up one order's
attempts is a columnar scan of milliseconds. PostgreSQL keeps its B-tree. A statement given as (dialect, sql) runs on
that engine only."""

NAME = "sync log without a secondary index on DuckDB"
STATEMENTS = [
    ("duckdb", "DROP INDEX sync_log_order"),
]
