"""The JSON shapes of customers, products, orders, invoices and payments: what `backoffice … --json` prints and
what /api/v1 answers (issue 17: scripts read the same document from either). Amounts are strings in the
document's currency's minor-unit precision (backoffice.core.money.to_json)."""

from __future__ import annotations

from typing import Any

from backoffice.contacts.customers import CARD_COLUMNS
from backoffice.core.money import Currency, currency, percent_text, to_json


def amounts(row: dict[str, Any], cur: Currency, total: str = "total_minor") -> dict[str, Any]:
    """An order's, an invoice's or one of their lines' net, VAT and total as the JSON shows them (a line's
    total is its gross_minor)."""
    return {
        "net": to_json(row["net_minor"], cur),
        "vat": to_json(row["vat_minor"], cur),
        "total": to_json(row[total], cur),
    }


def customer_json(row: dict[str, Any], currency_code: str) -> dict[str, Any]:
    cur = currency(currency_code)
    data = {"id": row["contact_id"]} | {k: row.get(k) for k in CARD_COLUMNS}
    data["emails"] = [e for e in (row.get("emails") or "").split(", ") if e]
    data["categories"] = list(row.get("categories") or [])
    data["custom"] = row.get("custom", {})
    data["balance"] = to_json(row.get("balance_minor", 0), cur)
    data["currency"] = cur.code
    return data


def product_json(row: dict[str, Any], cur: Currency) -> dict[str, Any]:
    return {
        "id": row["product_id"],
        "sku": row["sku"],
        "name": row["name"],
        "name_ar": row["name_ar"],
        "unit": row["unit"],
        "category": row["category"],
        "price": to_json(row["price_minor"], cur),
        "price_includes_vat": row["price_includes_vat"],
        "cost": to_json(row["cost_minor"], cur),
        "vat": "exempt"
        if row["vat_exempt"]
        else ("standard" if row["vat_rate_bp"] is None else percent_text(row["vat_rate_bp"])),
        "stock": row["stock_qty"],
        "stock_value": to_json(row["stock_value_minor"], cur),
        "currency": cur.code,
    }


def order_json(row: dict[str, Any]) -> dict[str, Any]:
    """An order in its own currency (never the organization's current one: issue 19)."""
    cur = currency(row["currency"])
    lines = [
        {
            "line": x["line_no"],
            "kind": x["kind"],
            "sku": x["sku"],
            "description": x["description"],
            "quantity": x["quantity"],
            "unit_price": to_json(x["unit_price_minor"], cur),
            "discount": to_json(x["discount_minor"], cur),
            "vat_rate": percent_text(x["vat_rate_bp"]),
            **amounts(x, cur, "gross_minor"),
        }
        for x in row.get("lines", [])
    ]
    return {
        "id": row["order_id"],
        "status": row["status"],
        "customer": row["customer_id"],
        "date": row["order_on"],
        "prices_include_vat": row["prices_include_vat"],
        **amounts(row, cur),
        "currency": cur.code,
        "invoice": row.get("invoice_number"),
        "lines": lines,
    }


def invoice_json(row: dict[str, Any]) -> dict[str, Any]:
    """An invoice or credit note in its own currency (never the organization's current one: issue 19)."""
    cur = currency(row["currency"])
    return {
        "number": row["number_text"],
        "kind": row["kind"],
        "order": row["order_id"],
        "customer": row["customer_id"],
        "date": row["issued_on"],
        "due": row["due_on"],
        **amounts(row, cur),
        "currency": cur.code,
        "lines": [
            {
                "sku": x["sku"],
                "description": x["description"],
                "quantity": x["quantity"],
                **amounts(x, cur, "gross_minor"),
            }
            for x in row.get("lines", [])
        ],
    }


def payment_json(result: Any, cur: Currency) -> dict[str, Any]:
    return {
        "id": result.payment_id,
        "status": result.status,
        "credit": to_json(result.credit_minor, cur),
        "allocated": [{"invoice": n, "amount": to_json(a, cur)} for n, a in result.allocated],
        "currency": cur.code,
    }
