"""The product catalogue and stock on hand at average cost (SPEC I6, O9).

Owns products (SKU, names, unit, price with or without VAT, VAT rate or exempt, cost,
category) and stock receipts. Sales move stock out at average cost when an invoice is
issued (backoffice.sales.invoices); stock value and quantity always move together.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.books import ledger, posting
from backoffice.core import tabular
from backoffice.core.context import Context
from backoffice.core.errors import ConflictError, FieldError, NotFoundError, ValidationError
from backoffice.core.money import Currency, currency, rate_from_percent, to_minor
from backoffice.core.tabular import ImportResult
from backoffice.core.text import normalize_digits
from backoffice.db import audit, now
from backoffice.db.queries import orgs as orgs_q
from backoffice.db.queries import products as q


def _currency(conn: Connection, org_id: int) -> Currency:
    org = orgs_q.the_org(conn, org_id)
    return currency(org["currency"])


def _validate(conn: Connection, ctx: Context, values: dict[str, Any], new: bool) -> dict[str, Any]:
    cur = _currency(conn, ctx.org_id)
    problems: list[FieldError] = []
    clean: dict[str, Any] = {}
    sku = normalize_digits(str(values.get("sku") or "")).strip()
    if new:
        if not sku:
            problems.append(FieldError("sku", "the SKU is required"))
        elif len(sku) > 64 or any(ch.isspace() for ch in sku):
            problems.append(FieldError("sku", "a SKU is up to 64 characters without spaces"))
        clean["sku"] = sku
    for field in ("name", "name_ar", "unit", "category"):
        if field in values:
            clean[field] = (values[field] or "").strip() or None
    if new and not clean.get("name"):
        problems.append(FieldError("name", "the product's name is required"))
    if "unit" in clean and clean["unit"] is None:
        clean["unit"] = "pcs"
    for field, key in (("price", "price_minor"), ("cost", "cost_minor")):
        if values.get(field) not in (None, ""):
            try:
                clean[key] = to_minor(values[field], cur, field=field)
                if clean[key] < 0:
                    problems.append(FieldError(field, f"the {field} cannot be negative"))
            except ValidationError as exc:
                problems.extend(exc.errors)
        elif new and field == "price":
            problems.append(FieldError("price", "the price is required"))
    if "vat" in values:
        vat = normalize_digits(str(values["vat"] or "")).strip().lower()
        clean["vat_exempt"] = vat in ("exempt", "معفى", "معاف")
        clean["vat_rate_bp"] = None
        if vat and not clean["vat_exempt"] and vat != "standard":
            try:
                clean["vat_rate_bp"] = rate_from_percent(vat.rstrip("%"), "vat")
            except ValidationError as exc:
                problems.extend(exc.errors)
    for flag in ("price_includes_vat", "track_stock"):
        if flag in values and values[flag] is not None:
            clean[flag] = bool(values[flag])
    if problems:
        raise ValidationError(problems)
    return clean


def save_product(ctx: Context, values: dict[str, Any], product_id: int | None = None) -> int:
    """Create (product_id None) or update a product; the SKU is unique per organization and never changes."""
    ctx.require("products.write")
    with ctx.write() as conn:
        return _save(conn, ctx, values, product_id)


def _create(conn: Connection, ctx: Context, clean: dict[str, Any]) -> int:
    if q.product_by_sku(conn, ctx.org_id, clean["sku"]):
        raise ConflictError(f"A product with SKU {clean['sku']} already exists.")
    product_id = q.insert_product(conn, ctx.org_id, clean, now())
    audit.record(conn, ctx, "create", "product", product_id, after=clean)
    return product_id


def _save(conn: Connection, ctx: Context, values: dict[str, Any], product_id: int | None) -> int:
    at = now()
    if product_id is None:
        return _create(conn, ctx, _validate(conn, ctx, values, new=True))
    before = q.product(conn, ctx.org_id, product_id)
    if before is None:
        raise NotFoundError(f"No product #{product_id} in this organization.")
    clean = _validate(conn, ctx, {k: v for k, v in values.items() if k != "sku"}, new=False)
    if clean:
        q.update_product(conn, ctx.org_id, product_id, clean, at)
        audit.record(conn, ctx, "update", "product", product_id, {k: before[k] for k in clean}, clean)
    return product_id


def receive_stock(
    ctx: Context,
    product_id: int,
    quantity: int,
    unit_cost: str | None = None,
    on: date | None = None,
    reason: str = "opening",
) -> None:
    """Stock coming in (opening stock or a count adjustment): quantity and value rise; average cost follows.

    Opening stock is posted Dr inventory / Cr opening balance equity. Purchases come with the purchases issue.
    """
    ctx.require("products.write")
    if quantity <= 0:
        raise ValidationError("the quantity received must be above zero", "quantity")
    with ctx.write() as conn:
        _receive(conn, ctx, product_id, quantity, unit_cost, on or date.today(), reason)


def _receive(
    conn: Connection,
    ctx: Context,
    product_id: int,
    quantity: int,
    unit_cost: str | None,
    on: date,
    reason: str,
) -> None:
    found = q.product(conn, ctx.org_id, product_id)
    if found is None:
        raise NotFoundError(f"No product #{product_id} in this organization.")
    cost = (
        to_minor(unit_cost, _currency(conn, ctx.org_id), field="cost") if unit_cost else found["cost_minor"]
    )
    value = cost * quantity
    q.move_stock(conn, ctx.org_id, product_id, quantity, value, on, reason, product_id)
    if value > 0:
        ledger.post_entry(
            ctx,
            on,
            f"Stock in: {found['sku']} × {quantity}",
            posting.stock_in_entry(value),
            "stock_in",
            product_id,
        )
    audit.record(
        conn, ctx, "receive", "product", product_id, after={"quantity": quantity, "value_minor": value}
    )


def get_product(ctx: Context, product_id: int | None = None, sku: str | None = None) -> dict[str, Any]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        found = (
            q.product(conn, ctx.org_id, product_id)
            if product_id
            else q.product_by_sku(conn, ctx.org_id, sku or "")
        )
        if found is None:
            raise NotFoundError(f"No product {sku or '#' + str(product_id)} in this organization.")
        found["moves"] = q.stock_moves(conn, ctx.org_id, found["product_id"])
    found["average_cost_minor"] = (
        (found["stock_value_minor"] // found["stock_qty"]) if found["stock_qty"] > 0 else found["cost_minor"]
    )
    return found


def list_products(
    ctx: Context, search: str | None = None, page: int = 1, page_size: int = 50
) -> tuple[list[dict[str, Any]], int]:
    ctx.require("customers.read")
    pattern = f"%{search.strip().lower()}%" if search and search.strip() else None
    with ctx.read() as conn:
        total = q.count_products(conn, ctx.org_id, pattern)
        return q.list_products(conn, ctx.org_id, pattern, page_size, (max(page, 1) - 1) * page_size), total


def negative_stock(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        return q.negative_stock(conn, ctx.org_id)


HEADERS = {
    "sku": "sku",
    "name": "name",
    "name_ar": "name_ar",
    "unit": "unit",
    "category": "category",
    "price": "price",
    "cost": "cost",
    "vat": "vat",
    "tax_inclusive": "price_includes_vat",
    "stock": "stock",
    "رمز المنتج": "sku",
    "اسم المنتج": "name",
    "السعر": "price",
    "التكلفة": "cost",
    "الكمية": "stock",
}


def import_products(ctx: Context, file_name: str, data: bytes, dry_run: bool = False) -> ImportResult:
    """Products from CSV/XLSX (sku, name, name_ar, unit, category, price, cost, vat, tax_inclusive, stock).

    All or nothing: any bad row and nothing is written; every problem is listed by row and column.
    """
    ctx.require("products.write")
    result = ImportResult()
    try:
        headers, body = tabular.read_table(file_name, data)
    except ValidationError as exc:
        result.problems.append((0, "file", exc.errors[0].message))
        return result
    by_key = {tabular.header_key(h): key for h, key in HEADERS.items()}
    keys = [by_key.get(tabular.header_key(h)) for h in headers]
    for header, key in zip(headers, keys, strict=True):
        if key is None:
            result.problems.append((1, header, "unknown column"))
    if "sku" not in keys or "name" not in keys or "price" not in keys:
        result.problems.append((1, "sku/name/price", "the file needs sku, name and price columns"))
    if result.problems:
        return result
    with ctx.write() as conn:
        seen: dict[str, int] = {}
        ready = []
        for offset, cells in enumerate(body):
            row_no = offset + 2
            record: dict[str, Any] = {k: v for k, v in zip(keys, cells, strict=False) if k}
            flag = str(record.get("price_includes_vat") or "").lower()
            record["price_includes_vat"] = flag in ("1", "true", "yes", "نعم")
            stock = normalize_digits(record.pop("stock", "") or "0").strip() or "0"
            try:
                clean = _validate(conn, ctx, record, new=True)
            except ValidationError as exc:
                result.problems += [(row_no, e.field, e.message) for e in exc.errors]
                continue
            if not stock.isdigit():
                result.problems.append((row_no, "stock", "stock is a whole number of units"))
                continue
            if clean["sku"] in seen or q.product_by_sku(conn, ctx.org_id, clean["sku"]):
                where = f"row {seen[clean['sku']]}" if clean["sku"] in seen else "an existing product"
                result.problems.append((row_no, "sku", f"SKU {clean['sku']} is already used by {where}"))
                continue
            seen[clean["sku"]] = row_no
            ready.append((clean, int(stock)))
        if result.problems or dry_run:
            result.created = 0 if result.problems else len(ready)
            return result
        for clean, units in ready:
            product_id = _create(conn, ctx, clean)
            if units:
                _receive(conn, ctx, product_id, units, None, date.today(), "opening")
        result.created, result.written = len(ready), True
    return result
