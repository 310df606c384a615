"""Demo data: an organization, users of every role and realistic customers with Arabic, Persian
and English names, so a new user sees a living app on first start (`make run`, `backoffice demo`).

Deterministic for a seed. Goes through the same services as a user would (validation,
audit), so demo data is never something the app could not have made itself.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError

from backoffice.admin import orgs
from backoffice.admin.auth import add_user
from backoffice.books import ledger
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.core.errors import ConflictError, NotFoundError
from backoffice.core.validation import check_phone
from backoffice.db import Database

DEMO_ORG = "Demo Store"
ADMIN_EMAIL, PASSWORD = "admin@demo.example", "Demo#2026!"
STAFF = [
    ("accountant@demo.example", "Layla Haddad", "accountant"),
    ("sales@demo.example", "Reza Karimi", "sales"),
    ("viewer@demo.example", "Sam Taylor", "viewer"),
]

ARABIC_FIRST = [
    "محمد",
    "فاطمة",
    "عبدالله",
    "نورة",
    "خالد",
    "سارة",
    "فيصل",
    "ريم",
    "سلطان",
    "هيفاء",
    "يوسف",
    "أمل",
]
ARABIC_LAST = [
    "العتيبي",
    "الزهراني",
    "القحطاني",
    "الشمري",
    "الحربي",
    "الدوسري",
    "المطيري",
    "الغامدي",
    "العنزي",
]
PERSIAN_FIRST = ["علی", "زهرا", "رضا", "مریم", "حسین", "نگار", "پرویز", "ژیلا", "کاوه", "گلناز"]
PERSIAN_LAST = ["رضایی", "محمدی", "کریمی", "حسینی", "جعفری", "موسوی", "قاسمی", "چگینی"]
ENGLISH_FIRST = ["Olivia", "James", "Amelia", "Noah", "Isla", "Oliver", "Grace", "Jack"]
ENGLISH_LAST = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Clarke"]
PLACES = {  # country: (cities, mobile prefixes, language)
    "SA": (
        ["الرياض", "جدة", "الدمام", "مكة المكرمة", "Riyadh"],
        ["+96650", "+96655", "+96654", "+96656"],
        "ar",
    ),
    "AE": (["دبي", "أبوظبي", "Dubai"], ["+97150", "+97155"], "ar"),
    "JO": (["عمّان", "إربد"], ["+96279", "+96277"], "ar"),
    "IR": (["تهران", "اصفهان", "شیراز", "تبریز"], ["+98912", "+98935"], "fa"),
    "GB": (["London", "Manchester"], ["+447911", "+447700"], "en"),
}
CATEGORIES = ["VIP", "جملة", "Online", "عملاء التجزئة", "مشتری ویژه"]


def _person(rng: random.Random) -> tuple[str, str]:
    kind = rng.choices(["ar", "fa", "en"], weights=[5, 3, 2])[0]
    if kind == "ar":
        return f"{rng.choice(ARABIC_FIRST)} {rng.choice(ARABIC_LAST)}", rng.choice(
            ["SA", "SA", "SA", "AE", "JO"]
        )
    if kind == "fa":
        return f"{rng.choice(PERSIAN_FIRST)} {rng.choice(PERSIAN_LAST)}", "IR"
    return f"{rng.choice(ENGLISH_FIRST)} {rng.choice(ENGLISH_LAST)}", "GB"


def demo_contact(rng: random.Random, n: int) -> tuple[dict[str, Any], list[str]]:
    name, country = _person(rng)
    cities, prefixes, language = PLACES[country]
    prefix = rng.choice(prefixes)
    phone = prefix + "".join(str(rng.randrange(10)) for _ in range(12 - len(prefix) + 1))
    if check_phone(phone, country)[1]:  # keep demo data valid whatever the numbering plan says
        phone = prefix + "0" + phone[len(prefix) + 1 :]
    if check_phone(phone, country)[1]:
        phone = ""
    values = {
        "name": name,
        "country": country,
        "city": rng.choice(cities),
        "emails": f"customer{n}@example.com" + (f", accounts{n}@example.com" if n % 7 == 0 else ""),
        "phone": phone if n % 5 and phone else None,
        "tax_id": ("3" + f"{n:013d}" + "3") if country == "SA" and n % 4 == 0 else None,
        "payment_terms_days": rng.choice([0, 0, 14, 30]),
        "language": language,
        "role": "supplier" if n % 23 == 0 else "customer",
    }
    return values, rng.sample(CATEGORIES, k=rng.choice([0, 1, 1, 2]))


def load_demo(
    db: Database, customers_count: int | None = None, seed: int = 7, **kwargs: Any
) -> dict[str, Any]:
    """Create the demo organization once; later calls leave it as it is and say so.

    All or nothing: the organization, its users and every row of its data are one transaction (the services called
    join it through the Context, decision 0008), so a demo that fails half-way leaves nothing behind and the next
    one starts afresh instead of finding a half-filled organization."""
    count = customers_count if customers_count is not None else kwargs.get("customers", 300)
    info = {"org": DEMO_ORG, "admin_email": ADMIN_EMAIL, "admin_password": PASSWORD}
    try:
        org_id = orgs.find_org_id(db, DEMO_ORG)
        return info | {"id": org_id, "customers": 0, "created": False}
    except NotFoundError:
        pass
    try:
        with orgs.founding(db, User.system("demo")).write():
            org_id, made = _fill(db, count, seed)
    except (ConflictError, IntegrityError) as exc:
        # Another demo started at the same moment (PostgreSQL) made the organization first: it stands whole, this
        # one is undone. Anything else refused is raised as it was.
        try:
            org_id = orgs.find_org_id(db, DEMO_ORG)
        except NotFoundError:
            raise exc from None
        return info | {"id": org_id, "customers": 0, "created": False}
    return info | {"id": org_id, "customers": made, "created": True}


def _fill(db: Database, count: int, seed: int) -> tuple[int, int]:
    """The demo organization and its data, inside the caller's transaction; returns its id and customers made."""
    org_id = orgs.setup(
        db,
        DEMO_ORG,
        "SAR",
        "15",
        ADMIN_EMAIL,
        PASSWORD,
        admin_name="Demo Admin",
        country="SA",
        language="ar-en",
        admin_language="en",
        actor=User.system(),
    )
    ctx = Context(db, User.system("demo"), org_id)
    orgs.update_settings(
        ctx,
        tax_number="310122393500003",
        address="King Fahd Road 1200",
        city="الرياض",
        invoice_footer="شكراً لتسوقكم معنا — Thank you for shopping with us",
        calendar="hijri",
    )
    for email, name, role in STAFF:
        add_user(ctx, email, name, role, PASSWORD)
    from backoffice import messaging

    messaging.add_credits(ctx, 200)  # message credits to try sending with
    customers.define_custom_field(ctx, "Delivery window", "choice", ["Morning", "Evening", "صباحاً", "مساءً"])
    customers.define_custom_field(ctx, "Loyalty number", "text")
    rng = random.Random(seed)
    made = 0
    for n in range(1, count + 1):
        values, categories = demo_contact(rng, n)
        custom = {"Delivery window": rng.choice(["Morning", "Evening", "صباحاً", "مساءً", ""])}
        customers.save_customer(ctx, values, categories, custom, allow_duplicate=True)
        made += 1
    first = customers.list_customers(ctx, page_size=1).rows
    if first:  # an opening balance so the ledger and a profile balance show something real
        ledger.post_manual_entry(
            ctx,
            date(date.today().year, 1, 1),
            "Opening balance",
            [
                ledger.EntryLine("ar", 125_000, 0, first[0]["contact_id"]),
                ledger.EntryLine("opening_equity", 0, 125_000),
            ],
        )
    buyers = [r["contact_id"] for r in customers.list_customers(ctx, role="customer", page_size=40).rows]
    _sales(ctx, rng, buyers)
    return org_id, made


PRODUCTS = [  # sku, English, Arabic, price (VAT included, as stores show it), cost
    ("OUD-50", "Oud perfume 50 ml", "عطر عود 50 مل", "249.00", "95.00"),
    ("DATES-1KG", "Sukkari dates 1 kg", "تمر سكري 1 كجم", "45.00", "22.50"),
    ("ABAYA-M", "Black abaya, M", "عباية سوداء مقاس M", "320.00", "140.00"),
    ("COFFEE-250", "Saudi coffee 250 g", "قهوة سعودية 250 جم", "38.50", "17.25"),
    ("MUG-01", "Ceramic mug", "كوب سيراميك", "29.00", "11.00"),
    ("BOOK-AR", "Arabic calligraphy book", "كتاب الخط العربي", "75.00", "30.00"),
]


def _sales(ctx: Context, rng: random.Random, buyers: list[int]) -> None:
    """Products with stock, and a few weeks of orders in every state: invoiced, returned, open, cancelled."""
    from datetime import timedelta

    from backoffice.catalog import products
    from backoffice.sales import invoices, orders, payments

    for sku, name, name_ar, price, cost in PRODUCTS:
        values = {
            "sku": sku,
            "name": name,
            "name_ar": name_ar,
            "price": price,
            "cost": cost,
            "price_includes_vat": True,
            "category": "Store",
        }
        product_id = products.save_product(ctx, values)
        products.receive_stock(ctx, product_id, 200, on=date.today() - timedelta(days=60))
    for n in range(30):
        on = date.today() - timedelta(days=40 - n)
        picked = rng.sample(PRODUCTS, rng.randint(1, 3))
        lines = [orders.LineRequest(sku, rng.randint(1, 3)) for sku, *_ in picked]
        customer = rng.choice(buyers) if buyers else None
        order_id = orders.create_order(ctx, customer, lines, shipping="25", order_on=on, status="confirmed")
        if n % 10 == 9:
            orders.transition_order(ctx, order_id, "cancelled")
        elif n < 26:
            number = invoices.issue_invoice(ctx, order_id, issued_on=on)
            if customer is not None and n % 3 != 2:  # most are paid, some in two methods
                total = invoices.get_invoice(ctx, number)["total_minor"]
                first = total if n % 3 == 0 else total // 2
                payments.record_payment(ctx, customer, first, "card", [number], paid_on=on)
                if first < total and n % 2:
                    payments.record_payment(ctx, customer, total - first, "cash", [number], paid_on=on)
            if n % 8 == 3:
                invoices.issue_credit_note(
                    ctx, number, reason="customer return", issued_on=on + timedelta(days=2)
                )
