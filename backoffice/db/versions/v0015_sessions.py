"""Migration 15: sign-in sessions in the database (issue 17), so a reload, a second tab, a restart or another
replica keeps the person signed in (docs/decisions/0012).

A row per signed-in browser: the SHA-256 of its random token (never the token), the user, the organization last
chosen, when it was created and last seen, when it expires when idle and at the latest, and when it was revoked
(sign out, a password change, "sign out everywhere"; NULL while it holds). `handoff_hash` is the single-use
code, valid for a minute, with which the browser collects its cookie from the /auth/session route."""

NAME = "sign-in sessions"
STATEMENTS = [
    "CREATE SEQUENCE session_id_seq START 1",
    """CREATE TABLE sessions (
                session_id BIGINT PRIMARY KEY DEFAULT nextval('session_id_seq'),
                token_hash VARCHAR NOT NULL,
                user_id BIGINT NOT NULL,
                org_id BIGINT,
                source VARCHAR,
                created_at TIMESTAMP NOT NULL,
                last_seen_at TIMESTAMP NOT NULL,
                idle_expires_at TIMESTAMP NOT NULL,
                expires_at TIMESTAMP NOT NULL,
                revoked_at TIMESTAMP,
                handoff_hash VARCHAR,
                handoff_expires_at TIMESTAMP
            )""",
    # DuckDB keeps no secondary indexes (migration 12); the table is small and scanned by hash
    ("postgresql", "CREATE UNIQUE INDEX sessions_token ON sessions (token_hash)"),
    ("postgresql", "CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL"),
]
