"""Import profiles: how a store's file maps onto the generic layout (one row per order line).

Owns the generic column list with its Arabic/English header aliases, the Shopify orders-export
mapping, Salla's order JSON (API responses, webhooks, JSON Lines) flattened to generic rows, and
user mappings ({generic_column: source_header}). Headers are matched by name, never by position.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from backoffice.core.errors import FieldError, ValidationError
from backoffice.core.tabular import header_key

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
    """A store export's header as tabular.header_key cleans it, with "_" as a space: "Order_ID" is "order id"."""
    return header_key(text.replace("_", " "))


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


def json_kind(value: Any) -> str:
    """A JSON value's kind in words, for messages ("text", "a list", …)."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (int, float, Decimal)):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return "null"


def _json(text: str) -> Any:
    """One JSON document; numbers as exact Decimals (a price is never a float, a 5,000-digit number no error)."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def _documents(data: bytes) -> Iterator[Any]:
    """The file's JSON documents: one, or one a line (JSON Lines), read one at a time so that a file of millions
    of orders is never held as Python objects all at once. Refused with the line and column of the fault."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or data[:2].count(0) == 1:
        raise ValidationError("the file is UTF-16; save the JSON as UTF-8", "file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ValidationError(
            f"line {line}, column {column}: byte 0x{data[exc.start]:02X} is not UTF-8; save the JSON as UTF-8",
            "file",
        ) from exc
    try:
        try:
            whole = _json(text)
        except json.JSONDecodeError as first:
            if first.msg != "Extra data":  # not several documents one a line: the fault is in the one
                raise
            for one_line in text.splitlines():
                if one_line.strip():
                    yield _json(one_line)
            return
        yield whole
    except json.JSONDecodeError as exc:
        raise ValidationError(f"the file is not JSON (line {exc.lineno}: {exc.msg})", "file") from exc
    except RecursionError as exc:
        line, column = _too_deep(text)
        raise ValidationError(
            f"line {line}, column {column}: the JSON is nested more than {DEEPEST} levels deep (a Salla order is a "
            "few levels deep)",
            "file",
        ) from exc


DEEPEST = 500  # levels of nesting named in the message when Python's JSON reader gives up on a file


def _too_deep(text: str) -> tuple[int, int]:
    """Where (line, column) the nesting first goes deeper than DEEPEST; only run on a file already refused."""
    depth, in_string, escaped, line, start = 0, False, False, 1, 0
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > DEEPEST:
                return line, i - start + 1
        elif ch in "]}":
            depth -= 1
        if ch == "\n":
            line, start = line + 1, i + 1
    return line, len(text) - start + 1


class _Order:
    """One Salla order read field by field: a value of the wrong kind is a problem named by its path."""

    def __init__(self, number: int, order: dict[str, Any], problems: list[FieldError]) -> None:
        self.number, self.order, self.problems = number, order, problems
        ref = order.get("reference_id") or order.get("id")
        self.label = f"order {number}" + (
            f" ({str(ref)[:40]})" if isinstance(ref, (str, int, Decimal)) else ""
        )

    def problem(self, path: str, message: str) -> None:
        self.problems.append(FieldError(f"{self.label}, {path}", message))

    def obj(self, parent: dict[str, Any], key: str, path: str) -> dict[str, Any]:
        value = parent.get(key)
        if value in (None, "", []):
            return {}
        if not isinstance(value, dict):
            self.problem(path, f"must be a JSON object, not {json_kind(value)}")
            return {}
        return value

    def items(self) -> list[dict[str, Any]]:
        value = self.order.get("items")
        if value in (None, "", {}):
            return []
        if not isinstance(value, list):
            self.problem("items", f"must be a list of objects, not {json_kind(value)}")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.problem(f"items[{i}]", f"must be a JSON object, not {json_kind(item)}")
        return good

    def number_text(self, value: Any, path: str) -> Decimal | None:
        if self.scalar(value, path) is None and value is not None:
            return None
        try:
            number = Decimal(str(value))
        except ArithmeticError:
            self.problem(path, f"'{str(value)[:40]}' is not a number")
            return None
        if not number.is_finite() or number.adjusted() > 30:  # the staging checks give the exact limit later
            self.problem(path, f"'{str(value)[:40]}' is not an amount (too large, or not finite)")
            return None
        return number

    def scalar(self, value: Any, path: str) -> Any:
        """A field that must be one value (text or a number): an object or a list there is named, not stored as
        its Python spelling."""
        if value is None or (isinstance(value, (str, int, Decimal)) and not isinstance(value, bool)):
            return value
        self.problem(path, f"must be text or a number, not {json_kind(value)}")
        return None


CHUNK_ORDERS = 20_000  # orders turned into rows at a time: memory stays bounded however long the file


def salla_rows(data: bytes) -> list[dict[str, Any]]:
    """Salla order JSON (one order, a list, an API response, a webhook, or JSON Lines) → generic rows."""
    return [row for chunk in salla_row_chunks(data) for row in chunk]


def salla_row_chunks(data: bytes, size: int = CHUNK_ORDERS) -> Iterator[list[dict[str, Any]]]:
    """The generic rows of Salla order JSON, `size` orders at a time. A field of the wrong kind (a customer that
    is text, items that are not objects, a discount that is not a number) refuses the file — at the end, with the
    first 50 such fields named by order and path — so a caller keeps nothing until the whole file was read."""
    problems: list[FieldError] = []
    found = 0
    rows: list[dict[str, Any]] = []
    for number, order in enumerate(_orders(data), 1):
        if not isinstance(order, dict):
            if len(problems) < 50:
                problems.append(
                    FieldError(f"order {number}", f"must be a JSON object, not {json_kind(order)}")
                )
            found += 1
            continue
        order_problems: list[FieldError] = []
        order_rows = _salla_order(_Order(number, order, order_problems))
        found += len(order_problems)
        problems.extend(order_problems[: max(0, 50 - len(problems))])
        if found:
            continue  # the file will be refused: keep no rows
        for row in order_rows:
            for column, value in row.items():
                if isinstance(value, str) and "\x00" in value:
                    raise ValidationError(
                        f"{column} holds a NUL character (binary data)", f"order {row['order_id']}"
                    )
        rows.extend(order_rows)
        if number % size == 0:
            yield rows
            rows = []
    if problems:
        raise ValidationError(problems)
    if rows:
        yield rows


def _orders(data: bytes) -> Iterator[Any]:
    for doc in _documents(data):
        body = doc.get("data", doc) if isinstance(doc, dict) else doc
        if isinstance(body, dict) and isinstance(body.get("order"), dict) and "items" not in body:
            body = body["order"] | {"status": body.get("status", body["order"].get("status"))}
        yield from body if isinstance(body, list) else [body]


def _text(value: Any) -> Any:
    """A JSON scalar as the generic layout's text; exact decimals written out in full."""
    if isinstance(value, Decimal):
        return format(value, "f") if abs(value.adjusted()) < 60 else str(value)
    return value


def _salla_order(read: _Order) -> list[dict[str, Any]]:
    order = read.order
    customer = read.obj(order, "customer", "customer")
    amounts = read.obj(order, "amounts", "amounts")
    status = order.get("status") or {}
    date = order.get("date") or {}

    def one(parent: dict[str, Any], key: str, path: str) -> Any:
        return read.scalar(parent.get(key), path)

    name = one(customer, "name", "customer.name") or " ".join(
        str(x)
        for x in filter(
            None,
            [
                one(customer, "first_name", "customer.first_name"),
                one(customer, "last_name", "customer.last_name"),
            ],
        )
    )
    mobile = one(customer, "mobile", "customer.mobile")
    code = one(customer, "mobile_code", "customer.mobile_code") or ""
    phone = f"{code}{mobile}" if mobile not in (None, "") else None
    discounts = amounts.get("discounts") or []
    if not isinstance(discounts, list):
        read.problem("amounts.discounts", f"must be a list, not {json_kind(discounts)}")
        discounts = []
    found = []
    for i, d in enumerate(discounts):
        value = d.get("discount") if isinstance(d, dict) else d
        number = read.number_text(value or 0, f"amounts.discounts[{i}].discount")
        if number is not None:
            found.append(number)
    order_discount = _text(sum(found)) if found else None
    tax = read.obj(amounts, "tax", "amounts.tax")
    common = {
        "order_id": str(_text(one(order, "reference_id", "reference_id") or one(order, "id", "id") or "")),
        "order_date": (
            one(date, "date", "date.date") if isinstance(date, dict) else one(order, "date", "date")
        )
        or "",
        "status": (one(status, "slug", "status.slug") or one(status, "name", "status.name"))
        if isinstance(status, dict)
        else one(order, "status", "status"),
        "currency": one(order, "currency", "currency"),
        "customer_name": name or None,
        "customer_email": one(customer, "email", "customer.email"),
        "customer_phone": phone,
        "customer_city": one(customer, "city", "customer.city"),
        "customer_country": one(customer, "country_code", "customer.country_code"),
        "shipping": _text(_amount(amounts.get("shipping_cost"))),
        "order_discount": order_discount,
        "payment_method": one(order, "payment_method", "payment_method"),
        "paid_amount": _text(_amount(amounts.get("total"))),
        "prices_include_vat": "false",
        "vat_rate": _text(tax.get("percent")),
    }
    items = read.items()
    if not items:  # an order read without its items (GET /orders/{id}): one line for its subtotal
        subtotal = _amount(amounts.get("sub_total"))
        return [
            common
            | {
                "sku": None,
                "product_name": "Order items (subtotal)",
                "quantity": "1",
                "unit_price": None if subtotal is None else str(_text(subtotal)),
            }
        ]
    rows = []
    for i, item in enumerate(items):
        item_amounts = read.obj(item, "amounts", f"items[{i}].amounts")
        quantity = read.scalar(item.get("quantity"), f"items[{i}].quantity") or 1
        price = _amount(item_amounts.get("price_without_tax"))
        item_tax = read.obj(item_amounts, "tax", f"items[{i}].amounts.tax")
        product = read.obj(item, "product", f"items[{i}].product")
        rows.append(
            common
            | {
                "sku": read.scalar(item.get("sku"), f"items[{i}].sku")
                or read.scalar(product.get("sku"), f"items[{i}].product.sku"),
                "product_name": read.scalar(item.get("name"), f"items[{i}].name"),
                "quantity": str(_text(quantity)),
                "unit_price": str(_text(price)) if price is not None else None,
                "line_discount": str(_text(_amount(item_amounts.get("total_discount")) or 0)),
                "vat_rate": _text(item_tax.get("percent")) or common["vat_rate"],
            }
        )
    return rows
