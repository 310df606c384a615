"""Organizations: first-run setup, settings (branding, tax, currency, language, chart), VAT rates (SPEC A2, A3, L3, I5).

Owns the organization record and its tax rates. Users and roles live in auth;
the chart's accounts in the ledger.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.admin.auth import insert_user
from backoffice.books import ledger
from backoffice.core.context import Context, User
from backoffice.core.errors import ConflictError, FieldError, NotFoundError, PermissionDenied, ValidationError
from backoffice.core.i18n import DOCUMENT_LANGUAGES
from backoffice.core.money import currency, percent_text, rate_from_percent
from backoffice.core.validation import check_color, check_country, check_tax_id
from backoffice.db import Database, audit, now, secrets
from backoffice.db.queries import access as access_q
from backoffice.db.queries import orgs as q

MAX_LOGO_BYTES = 1_000_000
CALENDARS = ("gregorian", "hijri", "jalali")
ROUNDING_RULES = ("line", "group")  # VAT rounded per line, or once per rate group (EN 16931 BR-CO-17)
# A new organization in these countries starts with the 'group' rule (ZATCA checks BR-CO-17); elsewhere 'line'.
GROUP_ROUNDING_COUNTRIES = frozenset({"SA"})
CURRENCY_FIXED = (
    "The currency cannot change once an order, invoice, payment or journal entry exists: each document keeps the "
    "currency it was issued in and every balance adds them up. Use another organization for another currency."
)


def default_rounding_rule(country: str | None) -> str:
    """The VAT rounding rule a new organization starts with: per rate group in Saudi Arabia, else per line."""
    return "group" if (country or "").upper() in GROUP_ROUNDING_COUNTRIES else "line"


NO_ORG = 0  # no organization has id 0 (its sequence starts at 1)


def founding(db: Database, actor: User | None = None) -> Context:
    """The Context of a transaction that makes an organization, begun before the organization has an id: its
    `write()` opens the transaction, or joins the one this thread holds (the demo makes its organization and all
    its data in one, decision 0008). It names no organization (NO_ORG): use it for its transaction only, never to
    read an organization's rows or check a role."""
    return Context(db, actor or User.system(), NO_ORG)


def _validate(values: dict[str, Any]) -> dict[str, Any]:
    """Check and normalize the settings given (any subset); every problem at once."""
    clean, problems = dict(values), []

    def check(field: str, result: tuple[Any, str | None]) -> None:
        value, problem = result
        if problem:
            problems.append(FieldError(field, problem))
        clean[field] = value

    for field in ("deposit_percent_bp", "cancellation_fee_bp"):  # a percentage typed, or basis points
        if field in values:
            try:
                raw = values[field]
                clean[field] = raw if isinstance(raw, int) else rate_from_percent(raw, field)
                if not 0 <= clean[field] <= 10000:
                    raise ValidationError("a percentage between 0 and 100", field)
            except ValidationError as exc:
                problems.extend(exc.errors)
    if "name" in values and not (values["name"] or "").strip():
        problems.append(FieldError("name", "the organization's name is required"))
    elif "name" in values:
        clean["name"] = values["name"].strip()
    if "country" in values:
        check("country", check_country(values["country"]))
    if "tax_number" in values:
        check(
            "tax_number", check_tax_id(values["tax_number"], clean.get("country") or values.get("_country"))
        )
    if "brand_color" in values:
        check("brand_color", check_color(values["brand_color"]))
    if "currency" in values:
        try:
            clean["currency"] = currency(values["currency"]).code
        except ValidationError as exc:
            problems.extend(exc.errors)
    for field, allowed in (
        ("language", DOCUMENT_LANGUAGES),
        ("business_type", ledger.BUSINESS_TYPES),
        ("calendar", CALENDARS),
        ("rounding_rule", ROUNDING_RULES),
    ):
        if field in values and values[field] not in allowed:
            problems.append(FieldError(field, f"choose one of {', '.join(allowed)}"))
    if values.get("logo") is not None:
        logo = values["logo"]
        if len(logo) > MAX_LOGO_BYTES:
            problems.append(FieldError("logo", "the logo must be under 1 MB"))
        elif logo[:8] == b"\x89PNG\r\n\x1a\n":
            clean["logo_mime"] = "image/png"
        elif logo[:3] == b"\xff\xd8\xff":
            clean["logo_mime"] = "image/jpeg"
        else:
            problems.append(FieldError("logo", "the logo must be a PNG or JPEG image"))
    if problems:
        raise ValidationError(problems)
    clean.pop("_country", None)
    return clean


def setup(
    db: Database,
    name: str,
    currency_code: str,
    vat_percent: str,
    admin_email: str | None = None,
    admin_password: str | None = None,
    admin_name: str = "Admin",
    business_type: str = "trading",
    country: str | None = None,
    language: str = "en",
    actor: User | None = None,
    admin_language: str | None = None,
) -> int:
    """Create an organization with its chart of accounts and standard VAT rate, and its admin — one transaction
    (or part of the one this thread holds on `db`: see `founding`).

    The first run passes the admin's email and password; an existing admin creating a branch passes `actor`
    (they become its admin), the command line passes the system user (it holds the database). Once an
    organization exists, only those may create another: the first-run form cannot be replayed.
    """
    values = _validate(
        {
            "name": name,
            "currency": currency_code,
            "business_type": business_type,
            "country": country,
            "language": language,
        }
    )
    values["rounding_rule"] = default_rounding_rule(values["country"])
    rate_bp = rate_from_percent(vat_percent)
    with founding(db, actor).write() as conn:  # joins the caller's transaction when it holds one (the demo)
        allowed = actor is not None and (
            actor.is_system or (actor.user_id is not None and access_q.is_admin_anywhere(conn, actor.user_id))
        )
        if not allowed and q.count_orgs(conn) > 0:
            raise PermissionDenied(
                "Only an organization's admin, or the command line, creates another organization."
            )
        if q.org_by_name(conn, values["name"]):
            raise ConflictError(f"An organization named '{values['name']}' already exists.")
        org_id = q.insert_org(conn, **values, created_at=now())
        ledger.create_chart(conn, org_id, values["business_type"])
        q.insert_tax_rate(
            conn, org_id=org_id, code="standard", name="VAT", rate_bp=rate_bp, valid_from=date(2000, 1, 1)
        )
        q.insert_tax_rate(
            conn, org_id=org_id, code="zero", name="Zero-rated", rate_bp=0, valid_from=date(2000, 1, 1)
        )
        if admin_email:
            if admin_password is None:
                raise ValidationError("the admin's password is required", "admin_password")
            user_id = insert_user(
                conn, admin_email, admin_name, admin_password, None, admin_language or language[:2]
            )
            actor = User(user_id, admin_email.lower(), admin_name)
        if actor is not None and actor.user_id is not None:
            access_q.upsert_membership(conn, org_id, actor.user_id, "admin", now())
        ctx = Context(db, actor or User.system(), org_id)
        audit.record(conn, ctx, "create", "organization", org_id, after=values | {"vat_percent": vat_percent})
    return org_id


def needs_first_run(db: Database) -> bool:
    with db.read() as conn:
        return q.count_orgs(conn) == 0


def find_org_id(db: Database, name: str | None) -> int:
    """The organization named (case-insensitive); optional when there is only one."""
    with db.read() as conn:
        if name:
            row = q.org_by_name(conn, name)
            if row is None:
                raise NotFoundError(f"No organization named '{name}'.")
            return int(row["org_id"])
        found = q.all_orgs(conn)
    if len(found) != 1:
        names = ", ".join(o["name"] for o in found) or "none yet (run `backoffice init`)"
        raise ValidationError(f"Name the organization with --org. Organizations: {names}", "org")
    return int(found[0]["org_id"])


def get_settings(ctx: Context) -> dict[str, Any]:
    ctx.require("settings.read")
    with ctx.read() as conn:
        row = q.org_by_id(conn, ctx.org_id)
        if row is None:
            raise NotFoundError("No such organization.")
        row["tax_rates"] = q.tax_rates(conn, ctx.org_id)
        row["currency_fixed"] = _currency_fixed(conn, ctx.org_id, row["currency"])
    row["vat_percent"] = percent_text(
        next((r["rate_bp"] for r in reversed(row["tax_rates"]) if r["code"] == "standard"), 0)
    )
    return row


def _currency_fixed(conn: Connection, org_id: int, current: str) -> bool:
    """Whether the currency stays as it is: the organization has a document or an entry, and no way back is open
    (see _may_become)."""
    if not q.has_documents(conn, org_id):
        return False
    found = q.document_currencies(conn, org_id)
    return len(found) != 1 or found == {current}


def _may_become(conn: Connection, org_id: int, new: str) -> bool:
    """Whether the currency may become `new`: nothing is recorded yet, or every order and invoice is in `new`
    already — the way back for an organization whose currency an older version let change under them."""
    return not q.has_documents(conn, org_id) or q.document_currencies(conn, org_id) == {new}


def update_settings(ctx: Context, **changes: Any) -> dict[str, Any]:
    """Change any of the settings in orgs.SETTING_COLUMNS; a new business_type rebuilds an unused chart. The
    currency changes only while the organization has no document and no journal entry (issue 19): an amount is
    minor units of its document's currency, which a new currency would silently rename (658.00 SAR shown as
    65.800 JOD)."""
    ctx.require("settings.write")
    unknown = set(changes) - set(q.SETTING_COLUMNS)
    if unknown:
        raise ValidationError(f"unknown setting(s): {', '.join(sorted(unknown))}", "settings")
    with ctx.write() as conn:
        before = q.the_org(conn, ctx.org_id)
        values = _validate(changes | {"_country": changes.get("country", before["country"])})
        if (
            "name" in values
            and values["name"].lower() != before["name"].lower()
            and q.org_by_name(conn, values["name"])
        ):
            raise ConflictError(f"An organization named '{values['name']}' already exists.")
        new_currency = values.get("currency", before["currency"])
        if new_currency != before["currency"] and not _may_become(conn, ctx.org_id, new_currency):
            raise ValidationError(CURRENCY_FIXED, "currency")
        if values.get("business_type", before["business_type"]) != before["business_type"]:
            if not q.journal_is_empty(conn, ctx.org_id):
                raise ConflictError("The chart of accounts cannot change once entries are posted.")
            q.delete_chart(conn, ctx.org_id)
            ledger.create_chart(conn, ctx.org_id, values["business_type"])
        changed = {k: v for k, v in values.items() if before.get(k) != v}
        if changed:
            q.update_org(conn, ctx.org_id, changed)
            audit.record(
                conn, ctx, "update", "organization", ctx.org_id, {k: before.get(k) for k in changed}, changed
            )
    return get_settings(ctx)


def set_tax_rate(ctx: Context, code: str, percent: str, valid_from: date, name: str | None = None) -> None:
    """A VAT rate (standard, zero, or any code) in force from a date; earlier documents keep the old rate."""
    ctx.require("settings.write")
    rate_bp = rate_from_percent(percent)
    code = (code or "").strip().lower()
    if not code:
        raise ValidationError("the rate's code is required", "code")
    with ctx.write() as conn:
        q.insert_tax_rate(
            conn, org_id=ctx.org_id, code=code, name=name or code, rate_bp=rate_bp, valid_from=valid_from
        )
        audit.record(conn, ctx, "set", "tax_rate", code, after={"rate_bp": rate_bp, "valid_from": valid_from})


def vat_rate_on(ctx: Context, on: date, code: str = "standard") -> int:
    """The rate in force on a document's date, in basis points."""
    ctx.require("settings.read")
    with ctx.read() as conn:
        rate = q.tax_rate_on(conn, ctx.org_id, code, on)
    if rate is None:
        raise NotFoundError(f"No '{code}' VAT rate is in force on {on.isoformat()}.")
    return int(rate)


def reseal_secrets(db: Database, actor: User) -> int:
    """Seal every organization's stored secrets again with the current key (after a new key was put first in
    BACKOFFICE_SECRET_KEY); returns how many. Only the command line may: it holds the database and its key."""
    if not actor.is_system:
        raise PermissionDenied(
            "Only the command line, which holds the database and its key, re-seals secrets."
        )
    with db.write() as conn:
        return secrets.reseal_all(conn)


def list_organizations(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return q.all_orgs(conn)
