"""Migration 6: messaging — sender (SMTP) settings, message credits and the outbox (SPEC M1–M9, C10)."""

NAME = "messaging"
STATEMENTS = [
    """CREATE TABLE smtp_settings (
                org_id BIGINT PRIMARY KEY,
                host VARCHAR NOT NULL,
                port INTEGER NOT NULL CHECK (port > 0 AND port < 65536),
                tls VARCHAR NOT NULL CHECK (tls IN ('none', 'starttls', 'ssl')),
                username VARCHAR,
                smtp_password VARCHAR,
                sender_name VARCHAR,
                sender_address VARCHAR NOT NULL,
                welcome_enabled BOOLEAN NOT NULL DEFAULT FALSE,
                updated_at TIMESTAMP NOT NULL
            )""",
    """CREATE TABLE message_credits (
                org_id BIGINT PRIMARY KEY,
                balance BIGINT NOT NULL CHECK (balance >= 0),
                updated_at TIMESTAMP NOT NULL
            )""",
    "CREATE SEQUENCE message_id_seq START 1",
    """CREATE TABLE outbox (
                message_id BIGINT PRIMARY KEY DEFAULT nextval('message_id_seq'),
                org_id BIGINT NOT NULL,
                channel VARCHAR NOT NULL CHECK (channel IN ('email', 'whatsapp')),
                purpose VARCHAR NOT NULL,
                contact_id BIGINT,
                doc_kind VARCHAR,
                doc_number VARCHAR,
                to_addrs VARCHAR NOT NULL,
                cc_addrs VARCHAR,
                pending_addrs VARCHAR,
                subject VARCHAR,
                note VARCHAR,
                sender_address VARCHAR,
                smtp_message_id VARCHAR,
                attachment_name VARCHAR,
                mime {blob},
                share_url VARCHAR,
                idem_key VARCHAR NOT NULL,
                credits INTEGER NOT NULL CHECK (credits >= 0),
                status VARCHAR NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'shared')),
                error VARCHAR,
                attempts INTEGER NOT NULL DEFAULT 0,
                created_by BIGINT,
                created_by_name VARCHAR,
                created_at TIMESTAMP NOT NULL,
                sent_at TIMESTAMP,
                UNIQUE (org_id, idem_key)
            )""",
]
