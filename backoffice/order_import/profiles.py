"""Import profiles: how a store's file maps onto the generic layout (one row per order line).

Owns the generic column list with its Arabic/English header aliases, the Shopify orders-export
mapping, Salla's order JSON (API responses, webhooks, JSON Lines) flattened to generic rows, and
user mappings ({generic_column: source_header}). Headers are matched by name, never by position.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from backoffice.errors import ValidationError

GENERIC = ("order_id", "order_date", "status", "currency", "customer_name", "customer_email", "customer_phone",
           "customer_city", "customer_country", "customer_tax_id", "sku", "product_name", "quantity", "unit_price",
           "line_discount", "vat_rate", "prices_include_vat", "shipping", "order_discount", "payment_method",
           "paid_amount")  # fmt: skip
REQUIRED = ("order_id", "order_date", "quantity", "unit_price")
ALIASES: dict[str, tuple[str, ...]] = {
    "order_id": ("order id", "order number", "رقم الطلب", "شماره سفارش"),
    "order_date": ("date", "order date", "created at", "تاريخ الطلب", "التاريخ", "تاریخ سفارش"),
    "status": ("order status", "حالة الطلب", "الحالة", "وضعیت"),
    "currency": ("العملة",),
    "customer_name": ("customer", "name", "اسم العميل", "العميل", "نام مشتری"),
    "customer_email": ("email", "البريد الإلكتروني", "ایمیل"),
    "customer_phone": ("phone", "mobile", "الجوال", "رقم الجوال", "موبایل"),
    "customer_city": ("city", "المدينة", "شهر"),
    "customer_country": ("country", "الدولة", "کشور"),
    "customer_tax_id": ("vat number", "tax id", "الرقم الضريبي"),
    "sku": ("رمز المنتج", "رمز المنتج sku", "کد کالا"),
    "product_name": ("product", "item", "اسم المنتج", "المنتج", "نام کالا"),
    "quantity": ("qty", "الكمية", "تعداد"),
    "unit_price": ("price", "السعر", "سعر الوحدة", "قیمت"),
    "line_discount": ("discount", "الخصم", "تخفیف"),
    "vat_rate": ("vat", "tax rate", "نسبة الضريبة"),
    "prices_include_vat": ("tax included", "prices include tax", "شامل الضريبة"),
    "shipping": ("shipping cost", "الشحن", "تكلفة الشحن", "هزینه ارسال"),
    "order_discount": ("coupon", "خصم الطلب"),
    "payment_method": ("payment", "طريقة الدفع", "روش پرداخت"),
    "paid_amount": ("paid", "المبلغ المدفوع", "مبلغ پرداختی"),
}

SHOPIFY = {  # generic column: Shopify orders-export header
    "order_id": "Name", "order_date": "Created at", "status": "Financial Status", "currency": "Currency",
    "customer_name": "Billing Name", "customer_email": "Email", "customer_phone": "Billing Phone",
    "customer_city": "Billing City", "customer_country": "Billing Country", "sku": "Lineitem sku",
    "product_name": "Lineitem name", "quantity": "Lineitem quantity", "unit_price": "Lineitem price",
    "line_discount": "Lineitem discount", "shipping": "Shipping", "order_discount": "Discount Amount",
    "payment_method": "Payment Method", "paid_amount": "Total",
}  # fmt: skip
SHOPIFY_STATUS_FROM = ("Financial Status", "Fulfillment Status")
PROFILES = ("generic", "shopify", "salla-json")


def _key(text: str) -> str:
    return " ".join(text.strip().lstrip("\ufeff").replace("_", " ").casefold().split())


def map_headers(
    headers: list[str], profile: str, mapping: dict[str, str] | None
) -> tuple[dict[str, str], list[str]]:
    """{generic column: source header} for this file, and the problems (missing required columns)."""
    present = {_key(h): h for h in headers}
    found: dict[str, str] = {}
    if mapping:
        unknown = sorted(set(mapping) - set(GENERIC))
        if unknown:
            raise ValidationError(f"the mapping names unknown columns: {', '.join(unknown)}", "mapping")
        for column, header in mapping.items():
            if _key(header) in present:
                found[column] = present[_key(header)]
    elif profile == "shopify":
        found = {c: present[_key(h)] for c, h in SHOPIFY.items() if _key(h) in present}
    else:
        for column in GENERIC:
            for alias in (column, *ALIASES.get(column, ())):
                if _key(alias) in present:
                    found[column] = present[_key(alias)]
                    break
    problems = [
        f"the file has no {c} column" + (f" (expected {SHOPIFY[c]!r})" if profile == "shopify" else "")
        for c in REQUIRED
        if c not in found
    ]
    return found, problems


def _amount(value: Any) -> Any:
    return value.get("amount") if isinstance(value, dict) else value


def salla_rows(data: bytes) -> list[dict[str, Any]]:
    """Salla order JSON (one order, a list, an API response, a webhook, or JSON Lines) → generic rows."""
    text = data.decode("utf-8-sig")
    try:
        documents = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            documents = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise ValidationError(f"the file is not JSON (line {exc.lineno}: {exc.msg})", "file") from exc
    orders: list[dict[str, Any]] = []
    for doc in documents:
        body = doc.get("data", doc) if isinstance(doc, dict) else doc
        if isinstance(body, dict) and "order" in body and "items" not in body:
            body = body["order"] | {"status": body.get("status", body["order"].get("status"))}
        orders.extend(body if isinstance(body, list) else [body])
    rows: list[dict[str, Any]] = []
    for order in orders:
        if not isinstance(order, dict):
            raise ValidationError("a Salla order must be a JSON object", "file")
        rows.extend(_salla_order(order))
    return rows


def _salla_order(order: dict[str, Any]) -> list[dict[str, Any]]:
    customer = order.get("customer") or {}
    amounts = order.get("amounts") or {}
    status = order.get("status") or {}
    date = order.get("date") or {}
    name = customer.get("name") or " ".join(
        filter(None, [customer.get("first_name"), customer.get("last_name")])
    )
    mobile = customer.get("mobile")
    phone = f"{customer.get('mobile_code', '')}{mobile}" if mobile not in (None, "") else None
    discounts = [Decimal(str(d.get("discount") or 0)) for d in amounts.get("discounts") or []]
    order_discount = str(sum(discounts)) if discounts else None
    tax = amounts.get("tax") or {}
    common = {
        "order_id": str(order.get("reference_id") or order.get("id") or ""),
        "order_date": (date.get("date") if isinstance(date, dict) else date) or "",
        "status": status.get("slug") or status.get("name") if isinstance(status, dict) else status,
        "currency": order.get("currency"),
        "customer_name": name or None,
        "customer_email": customer.get("email"),
        "customer_phone": phone,
        "customer_city": customer.get("city"),
        "customer_country": customer.get("country_code"),
        "shipping": _amount(amounts.get("shipping_cost")),
        "order_discount": order_discount,
        "payment_method": order.get("payment_method"),
        "paid_amount": _amount(amounts.get("total")),
        "prices_include_vat": "false",
        "vat_rate": tax.get("percent"),
    }
    items = order.get("items") or []
    if not items:  # an order read without its items (GET /orders/{id}): one line for its subtotal
        subtotal = _amount(amounts.get("sub_total"))
        return [
            common
            | {
                "sku": None,
                "product_name": "Order items (subtotal)",
                "quantity": "1",
                "unit_price": None if subtotal is None else str(subtotal),
            }
        ]
    rows = []
    for item in items:
        item_amounts = item.get("amounts") or {}
        quantity = item.get("quantity") or 1
        price = _amount(item_amounts.get("price_without_tax"))
        item_tax = item_amounts.get("tax") or {}
        rows.append(
            common
            | {
                "sku": item.get("sku") or (item.get("product") or {}).get("sku"),
                "product_name": item.get("name"),
                "quantity": str(quantity),
                "unit_price": str(price) if price is not None else None,
                "line_discount": str(_amount(item_amounts.get("total_discount")) or 0),
                "vat_rate": item_tax.get("percent") or common["vat_rate"],
            }
        )
    return rows
