"""Migration 18: long work asked for over the API (a store import of a big file) runs as a job whose progress
and result any replica can answer about."""

NAME = "jobs: long work asked for over the API, with progress and result"
STATEMENTS = [
    "CREATE SEQUENCE job_id_seq START 1",
    """CREATE TABLE jobs (
                job_id BIGINT PRIMARY KEY DEFAULT nextval('job_id_seq'),
                org_id BIGINT NOT NULL,
                user_id BIGINT,
                kind VARCHAR NOT NULL,
                status VARCHAR NOT NULL CHECK (status IN ('running', 'done', 'failed')),
                progress INTEGER NOT NULL DEFAULT 0,
                stage VARCHAR,
                exit_code INTEGER,
                result_json VARCHAR,
                error VARCHAR,
                created_at TIMESTAMP NOT NULL,
                finished_at TIMESTAMP
            )""",
]
