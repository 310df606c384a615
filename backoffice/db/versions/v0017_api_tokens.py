"""Migration 17: personal API tokens (issue 17). A token is shown once; only its SHA-256 is kept. It is bound to
one user and one organization, acts with that user's role there, may expire, and is revoked by its owner or an
admin."""

NAME = "personal API tokens"
STATEMENTS = [
    "CREATE SEQUENCE api_token_id_seq START 1",
    """CREATE TABLE api_tokens (
                token_id BIGINT PRIMARY KEY DEFAULT nextval('api_token_id_seq'),
                org_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                name VARCHAR NOT NULL,
                token_hash VARCHAR NOT NULL UNIQUE,
                created_by BIGINT,
                created_at TIMESTAMP NOT NULL,
                last_used_at TIMESTAMP,
                expires_at TIMESTAMP,
                revoked_at TIMESTAMP
            )""",
]
