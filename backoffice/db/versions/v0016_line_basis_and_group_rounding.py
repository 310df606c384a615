"""Migration 16: each order and invoice line keeps its own price basis, and Saudi organizations round VAT per rate
group (issue 19).

`price_includes_vat` on a line says whether its unit price is VAT-inclusive (what the customer pays for it) or
exclusive (VAT on top); NULL, as every line written before this migration and by the store import has, means the
document's `prices_include_vat`, which is what those lines were priced by.

Saudi organizations (country SA) whose rule nobody ever chose (no settings change in the audit log names it) go
from the old default 'line' to 'group', the EN 16931 rule (BR-CO-17) ZATCA checks. Issued documents do not change:
an invoice keeps its stored amounts, and every order keeps the rule it was priced by (`orders.rounding_rule`), by
which it is invoiced and explained; only documents priced from now on use the group rule."""

NAME = "a price basis per line; group rounding for Saudi organizations"
_UNCHOSEN_SAUDI = """upper(country) = 'SA' AND rounding_rule = 'line'
    AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.org_id = organizations.org_id AND a.entity = 'organization'
                    AND a.action = 'update' AND a.after_json LIKE '%rounding_rule%')"""
STATEMENTS = [
    "ALTER TABLE order_lines ADD COLUMN price_includes_vat BOOLEAN",
    "ALTER TABLE invoice_lines ADD COLUMN price_includes_vat BOOLEAN",
    # the audit log says what changed and why; 'migrate', so the check below (a person's 'update') still holds.
    # (The runner fills {placeholders} with str.format: a JSON brace is written twice.)
    "INSERT INTO audit_log (org_id, user_id, actor, action, entity, entity_id, before_json, after_json, created_at) "
    "SELECT org_id, NULL, 'migration 16', 'migrate', 'organization', CAST(org_id AS VARCHAR), "
    """'{{"rounding_rule": "line"}}', '{{"rounding_rule": "group"}}', CURRENT_TIMESTAMP """
    "FROM organizations WHERE " + _UNCHOSEN_SAUDI,
    "UPDATE organizations SET rounding_rule = 'group' WHERE " + _UNCHOSEN_SAUDI,  # noqa: S608 - our constant
]
