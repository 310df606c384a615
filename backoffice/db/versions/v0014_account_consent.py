"""Migration 14: an existing account joins another organization only when its owner accepts (issue #14).

`membership_invitations` holds an admin's offer of a role to an account that already exists, with the hash of
the code the admin passes to the person; the account's owner, signed in as itself, accepts with that code (the
membership is created) or declines. Tokens gain the organization that issued them, so removing a member revokes
that organization's invitations, and a `revoked_at`, so issuing a new token or changing the password revokes the
older ones. Every token issued before this migration is revoked: some may come from the takeover it closes."""

NAME = "membership invitations; tokens carry their organization and can be revoked"
STATEMENTS = [
    """CREATE TABLE membership_invitations (
                org_id BIGINT NOT NULL,
                user_id BIGINT NOT NULL,
                role VARCHAR NOT NULL CHECK (role IN ('admin', 'accountant', 'sales', 'viewer')),
                invited_by BIGINT,
                code_hash VARCHAR NOT NULL,
                expires_at TIMESTAMP NOT NULL,
                created_at TIMESTAMP NOT NULL,
                PRIMARY KEY (org_id, user_id)
            )""",
    "ALTER TABLE auth_tokens ADD COLUMN org_id BIGINT",
    "ALTER TABLE auth_tokens ADD COLUMN revoked_at TIMESTAMP",
    "UPDATE auth_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE used_at IS NULL",
]
