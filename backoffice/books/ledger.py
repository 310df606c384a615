"""The books: chart-of-accounts templates, balanced journal entries, the trial balance.

Owns double entry. `post_entry` is the one way into the journal: it refuses an
unbalanced or empty entry, and nothing updates or deletes a posted entry
(corrections are new entries). Later issues add posting rules that call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.core.context import Context
from backoffice.core.errors import FieldError, NotFoundError, ValidationError
from backoffice.db import now
from backoffice.db.queries import ledger as q

BUSINESS_TYPES = ("services", "trading", "manufacturing")

# (code, English, Arabic, Persian, kind, role): role names the account posting rules look for.
AccountRow = tuple[str, str, str, str, str, str | None]
_COMMON: list[AccountRow] = [
    ("1000", "Cash", "النقدية", "صندوق", "asset", "cash"),
    ("1010", "Bank", "البنك", "بانک", "asset", "bank"),
    (
        "1020",
        "Card and wallet clearing",
        "تسويات البطاقات والمحافظ",
        "تسویه کارت و کیف پول",
        "asset",
        "card_clearing",
    ),
    ("1100", "Accounts receivable", "الذمم المدينة", "حساب‌های دریافتنی", "asset", "ar"),
    ("1300", "Input VAT", "ضريبة المدخلات", "مالیات بر ارزش افزوده خرید", "asset", "vat_input"),
    ("2000", "Accounts payable", "الذمم الدائنة", "حساب‌های پرداختنی", "liability", "ap"),
    (
        "2100",
        "VAT payable",
        "ضريبة القيمة المضافة المستحقة",
        "مالیات بر ارزش افزوده پرداختنی",
        "liability",
        "vat_payable",
    ),
    (
        "2200",
        "Customer advances",
        "دفعات مقدمة من العملاء",
        "پیش‌دریافت از مشتریان",
        "liability",
        "customer_advances",
    ),
    ("3000", "Owner's equity", "رأس المال", "سرمایه", "equity", "equity"),
    ("3100", "Opening balance equity", "أرصدة افتتاحية", "مانده افتتاحیه", "equity", "opening_equity"),
    ("3200", "Retained earnings", "الأرباح المحتجزة", "سود انباشته", "equity", "retained_earnings"),
    ("4010", "Sales returns", "مردودات المبيعات", "برگشت از فروش", "income", "sales_returns"),
    ("4200", "Shipping income", "إيرادات الشحن", "درآمد ارسال", "income", "shipping_income"),
    ("4900", "Cancellation fees", "رسوم الإلغاء", "هزینه لغو", "income", "fee_income"),
    ("6000", "Operating expenses", "مصروفات تشغيلية", "هزینه‌های عملیاتی", "expense", None),
    ("6100", "Rent", "الإيجار", "اجاره", "expense", None),
    ("6200", "Salaries", "الرواتب", "حقوق و دستمزد", "expense", None),
    ("6300", "Bank charges", "عمولات بنكية", "کارمزد بانکی", "expense", "bank_charges"),
]
_GOODS: list[AccountRow] = [
    ("1200", "Inventory", "المخزون", "موجودی کالا", "asset", "inventory"),
    ("4000", "Sales", "المبيعات", "فروش", "income", "sales"),
    ("5000", "Cost of goods sold", "تكلفة البضاعة المباعة", "بهای تمام‌شده کالای فروش‌رفته", "expense", "cogs"),
]
TEMPLATES: dict[str, list[AccountRow]] = {
    "services": _COMMON
    + [
        ("1200", "Inventory", "المخزون", "موجودی کالا", "asset", "inventory"),
        ("4000", "Service revenue", "إيرادات الخدمات", "درآمد خدمات", "income", "sales"),
        ("5000", "Cost of services", "تكلفة الخدمات", "بهای تمام‌شده خدمات", "expense", "cogs"),
    ],
    "trading": _COMMON + _GOODS,
    "manufacturing": _COMMON
    + _GOODS
    + [
        ("1210", "Raw materials", "المواد الخام", "مواد اولیه", "asset", "raw_materials"),
        ("1220", "Work in progress", "إنتاج تحت التشغيل", "کالای در جریان ساخت", "asset", "work_in_progress"),
        ("5100", "Direct labour", "أجور مباشرة", "دستمزد مستقیم", "expense", None),
        ("5200", "Factory overhead", "مصروفات صناعية غير مباشرة", "سربار تولید", "expense", None),
    ],
}


@dataclass(frozen=True)
class EntryLine:
    account: str  # an account role ("ar") or code ("6100")
    debit_minor: int = 0
    credit_minor: int = 0
    contact_id: int | None = None


def create_chart(conn: Connection, org_id: int, business_type: str) -> None:
    if business_type not in TEMPLATES:
        raise ValidationError(f"Choose one of: {', '.join(BUSINESS_TYPES)}.", "business_type")
    for code, en, ar, fa, kind, role in sorted(TEMPLATES[business_type]):
        q.insert_account(
            conn, org_id=org_id, code=code, name_en=en, name_ar=ar, name_fa=fa, kind=kind, role=role
        )


def check_balanced(lines: Sequence[EntryLine]) -> list[str]:
    """The invariants of one entry, as a list of problems (empty when it may be posted)."""
    problems = []
    if len(lines) < 2:
        problems.append("an entry needs at least two lines")
    for i, line in enumerate(lines, 1):
        if line.debit_minor < 0 or line.credit_minor < 0:
            problems.append(f"line {i}: amounts cannot be negative")
        if (line.debit_minor > 0) == (line.credit_minor > 0):
            problems.append(f"line {i}: exactly one of debit and credit must be above zero")
    debit, credit = sum(x.debit_minor for x in lines), sum(x.credit_minor for x in lines)
    if debit != credit:
        problems.append(f"debits ({debit}) and credits ({credit}) differ by {debit - credit} minor units")
    return problems


# Who may post an entry of each source: the permission of the service that owns the event.
POSTED_BY = {
    "stock_in": "products.write",
    "credit_note": "invoices.issue",
    "stock_return": "invoices.issue",
    "payment": "payments.write",
    "deposit": "payments.write",
    "credit": "payments.write",
    "refund": "payments.write",
    "credit_kept": "payments.write",
    "fee": "payments.write",
    "manual": "ledger.write",
    "opening": "ledger.write",
}


def post_entry(
    ctx: Context,
    entry_on: date,
    memo: str,
    lines: Sequence[EntryLine],
    source_type: str,
    source_id: object = None,
) -> int:
    """Post one balanced entry, in the caller's transaction when there is one; the caller needs the permission of
    the service that owns entries of `source_type` (POSTED_BY). Every line's contact must be the organization's."""
    if source_type not in POSTED_BY:
        raise ValueError(f"no service posts entries of source {source_type!r}")
    ctx.require(POSTED_BY[source_type])
    with ctx.write() as conn:
        return _post(conn, ctx, entry_on, memo, lines, source_type, source_id)


def _post(
    conn: Connection,
    ctx: Context,
    entry_on: date,
    memo: str,
    lines: Sequence[EntryLine],
    source_type: str,
    source_id: object,
) -> int:
    if problems := check_balanced(lines):
        raise ValidationError("Unbalanced journal entry: " + "; ".join(problems), "lines")
    by_key = {}
    for account in q.accounts(conn, ctx.org_id):
        by_key[account["code"]] = account["account_id"]
        if account["role"]:
            by_key[account["role"]] = account["account_id"]
    missing = sorted({x.account for x in lines} - by_key.keys())
    if missing:
        raise ValidationError(f"No account {', '.join(missing)} in this organization's chart.", "account")
    named = {x.contact_id for x in lines if x.contact_id is not None}
    if unknown := named - q.contacts_of_org(conn, ctx.org_id, named):
        raise ValidationError(
            [
                FieldError(f"line {no}", f"no contact #{line.contact_id} in this organization")
                for no, line in enumerate(lines, 1)
                if line.contact_id in unknown
            ]
        )
    entry_id = q.insert_entry(
        conn,
        org_id=ctx.org_id,
        entry_on=entry_on,
        memo=memo,
        source_type=source_type,
        source_id=None if source_id is None else str(source_id),
        created_by=ctx.user.user_id,
        created_at=now(),
    )
    for no, line in enumerate(lines, 1):
        q.insert_line(
            conn,
            org_id=ctx.org_id,
            entry_id=entry_id,
            line_no=no,
            account_id=by_key[line.account],
            contact_id=line.contact_id,
            debit_minor=line.debit_minor,
            credit_minor=line.credit_minor,
        )
    return entry_id


def post_manual_entry(ctx: Context, entry_on: date, memo: str, lines: Sequence[EntryLine]) -> int:
    """A journal entry typed by an accountant (e.g. rent paid)."""
    ctx.require("ledger.write")
    from backoffice.db import audit

    with ctx.write() as conn:
        entry_id = post_entry(ctx, entry_on, memo, lines, "manual")
        audit.record(conn, ctx, "post", "journal_entry", entry_id, after={"memo": memo, "lines": len(lines)})
    return entry_id


def list_accounts(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("settings.read")
    with ctx.read() as conn:
        return q.accounts(conn, ctx.org_id)


def entry_lines(ctx: Context, entry_id: int) -> list[dict[str, Any]]:
    ctx.require("ledger.read")
    with ctx.read() as conn:
        found = q.entry_lines(conn, ctx.org_id, entry_id)
    if not found:  # a posted entry has two lines at least
        raise NotFoundError(f"No journal entry #{entry_id} in this organization.")
    return found


@dataclass(frozen=True)
class TrialBalance:
    rows: list[dict[str, Any]]
    debit_minor: int
    credit_minor: int

    @property
    def balanced(self) -> bool:
        return self.debit_minor == self.credit_minor


def trial_balance(ctx: Context, date_from: date | None = None, date_to: date | None = None) -> TrialBalance:
    ctx.require("ledger.read")
    with ctx.read() as conn:
        found = q.trial_balance(conn, ctx.org_id, date_from, date_to)
    for row in found:
        row["debit_minor"], row["credit_minor"] = int(row["debit_minor"]), int(row["credit_minor"])
    return TrialBalance(found, sum(r["debit_minor"] for r in found), sum(r["credit_minor"] for r in found))


def receivable_balance(ctx: Context, contact_id: int) -> int:
    """The contact's balance from the ledger: receivable less advances, in minor units."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        if not q.contacts_of_org(conn, ctx.org_id, {contact_id}):
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        return q.receivable_balance(conn, ctx.org_id, contact_id)
