"""Deterministic factories for tests: organizations, users with a role, customers."""

from __future__ import annotations

import itertools
from typing import Any

from backoffice.admin import auth, orgs
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.db import Database

PASSWORD = "Sesame#2026"
_seq = itertools.count(1)


def make_org(
    db: Database,
    name: str | None = None,
    currency: str = "SAR",
    vat: str = "15",
    country: str | None = "SA",
    business_type: str = "trading",
) -> tuple[int, Context]:
    """An organization with its admin; returns (org_id, the admin's Context)."""
    n = next(_seq)
    email = f"admin{n}@example.com"
    org_id = orgs.setup(
        db,
        name or f"Org {n}",
        currency,
        vat,
        email,
        PASSWORD,
        admin_name=f"Admin {n}",
        country=country,
        business_type=business_type,
        actor=User.system(),
    )
    return org_id, Context(db, auth.sign_in(db, email, PASSWORD), org_id)


def make_user(admin: Context, role: str) -> Context:
    n = next(_seq)
    email = f"{role}{n}@example.com"
    auth.add_user(admin, email, f"{role.title()} {n}", role, PASSWORD)
    return Context(admin.db, auth.sign_in(admin.db, email, PASSWORD), admin.org_id)


def system(db: Database, org_id: int) -> Context:
    return Context(db, User.system("test"), org_id)


def make_customer(ctx: Context, **values: Any) -> int:
    n = next(_seq)
    data = {"name": f"عميل {n}", "emails": f"c{n}@example.com"} | values
    return customers.save_customer(ctx, data)


def make_product(
    ctx: Context, sku: str | None = None, price: str = "10", stock: int = 0, cost: str = "4", **values: Any
) -> int:
    from backoffice.catalog import products

    product_id = products.save_product(
        ctx,
        {"sku": sku or f"SKU{next(_seq)}", "name": f"منتج {next(_seq)}", "price": price, "cost": cost}
        | values,
    )
    if stock:
        products.receive_stock(ctx, product_id, stock)
    return product_id
