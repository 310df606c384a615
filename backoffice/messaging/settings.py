"""The sender (SMTP) settings, with the welcome-invoice lines (SPEC M3, C10), and message credits (SPEC M4)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from backoffice.core.context import Context
from backoffice.core.errors import FieldError, NotFoundError, ValidationError
from backoffice.core.text import clean_header_value as clean_header
from backoffice.core.text import normalize_digits
from backoffice.db import audit, now, secrets
from backoffice.db.queries import messaging as q
from backoffice.db.queries import products as products_q
from backoffice.messaging.compose import parse_addresses

TLS_MODES = ("none", "starttls", "ssl")


def get_smtp_settings(ctx: Context) -> dict[str, Any] | None:
    """The organization's sender settings; the password never comes back, only `has_password`."""
    ctx.require("settings.read")
    with ctx.read() as conn:
        found = q.smtp_settings(conn, ctx.org_id)
    if found is None:
        return None
    return {
        "host": found["host"],
        "port": int(found["port"]),
        "tls": found["tls"],
        "user": found["username"],
        "has_password": bool(found["smtp_password"]),
        "sender_name": found["sender_name"],
        "sender_address": found["sender_address"],
        "welcome_enabled": bool(found["welcome_enabled"]),
        "welcome_invoice": json.loads(found["welcome_invoice"]) if found["welcome_invoice"] else [],
    }


def parse_welcome_invoice(value: str | Sequence[tuple[str, int | str]] | None) -> list[dict[str, Any]]:
    """Welcome-invoice lines from 'SKU' or 'SKU:QTY' items (commas or new lines) or (sku, quantity) pairs."""
    if value is None:
        return []
    if isinstance(value, str):
        items = [i.strip() for i in re.split(r"[,\n;،]", value) if i.strip()]
        pairs: list[tuple[str, int | str]] = []
        for item in items:
            sku, _, quantity = item.partition(":") if ":" in item else item.partition("×")
            pairs.append((sku.strip(), quantity.strip() or "1"))
    else:
        pairs = list(value)
    lines = []
    for n, (sku, quantity) in enumerate(pairs, 1):
        text = normalize_digits(str(quantity)).strip()
        if not sku:
            raise ValidationError(f"welcome invoice line {n}: give a product SKU", "welcome_invoice")
        if not text.isdigit() or int(text) < 1:
            raise ValidationError(
                f"welcome invoice line {n} ({sku}): the quantity is a whole number of at least 1, not {quantity!r}",
                "welcome_invoice",
            )
        lines.append({"sku": sku, "quantity": int(text)})
    return lines


def set_smtp_settings(
    ctx: Context,
    host: str,
    port: int | str,
    sender_address: str,
    sender_name: str | None = None,
    tls: str = "starttls",
    user: str | None = None,
    password: str | None = None,
    welcome_enabled: bool | None = None,
    clear_password: bool = False,
    welcome_invoice: str | Sequence[tuple[str, int | str]] | None = None,
) -> dict[str, Any]:
    """Save the sender settings (SPEC M3). `password` None keeps the stored one (forms never prefill it).

    `welcome_invoice` (SPEC C10): the products invoiced to each newly registered customer with the welcome message,
    as 'SKU:QTY, SKU' or pairs; None keeps the saved lines, '' or [] removes them."""
    ctx.require("settings.write")
    problems = []
    host = clean_header(host)
    if not host or " " in host:
        problems.append(("host", "give the SMTP server's host name"))
    try:
        port_number = int(str(port).strip())
        if not 0 < port_number < 65536:
            raise ValueError
    except ValueError:
        port_number = 0
        problems.append(("port", "a port is a whole number from 1 to 65535"))
    if tls not in TLS_MODES:
        problems.append(("tls", f"one of {', '.join(TLS_MODES)}"))
    try:
        senders = parse_addresses(sender_address, "sender_address")
    except ValidationError as exc:
        senders, problems = [], [*problems, ("sender_address", exc.errors[0].message)]
    if len(senders) != 1 and not any(f == "sender_address" for f, _ in problems):
        problems.append(("sender_address", "give one sender address"))
    welcome_lines = None
    try:
        welcome_lines = None if welcome_invoice is None else parse_welcome_invoice(welcome_invoice)
    except ValidationError as exc:
        problems.append(("welcome_invoice", exc.errors[0].message))
    if problems:
        raise ValidationError([FieldError(f, m) for f, m in problems])
    with ctx.write() as conn:
        before = q.smtp_settings(conn, ctx.org_id)
        unknown = [
            line["sku"]
            for line in welcome_lines or []
            if products_q.product_by_sku(conn, ctx.org_id, line["sku"]) is None
        ]
        if unknown:
            raise ValidationError(
                f"welcome invoice: no product with SKU {', '.join(unknown)}", "welcome_invoice"
            )
        if welcome_lines is None:
            stored_lines = (before or {}).get("welcome_invoice")
        else:
            stored_lines = json.dumps(welcome_lines, ensure_ascii=False) if welcome_lines else None
        # sealed at rest (backoffice.db.secrets): a new password is sealed, a kept one stays as it is stored
        kept = (before or {}).get("smtp_password")
        stored = None if clear_password else (secrets.seal(conn, password) if password else kept)
        values = {
            "host": host,
            "port": port_number,
            "tls": tls,
            "username": clean_header(user) or None,
            "smtp_password": stored or None,
            "sender_name": clean_header(sender_name) or None,
            "sender_address": senders[0],
            "welcome_enabled": bool(
                (before or {}).get("welcome_enabled", False) if welcome_enabled is None else welcome_enabled
            ),
            "welcome_invoice": stored_lines,
            "updated_at": now(),
        }
        q.save_smtp_settings(conn, ctx.org_id, values)
        audit.record(conn, ctx, "update", "smtp_settings", ctx.org_id, _audited(before), _audited(values))
    result = get_smtp_settings(ctx)
    if result is None:
        raise NotFoundError("The sender settings were not saved.")
    return result


def _audited(values: dict[str, Any] | None) -> dict[str, Any] | None:
    if values is None:
        return None
    return {k: v for k, v in values.items() if k not in ("updated_at", "org_id")}


def get_credits(ctx: Context) -> int:
    """The message credits left (SPEC M4)."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        return q.credit_balance(conn, ctx.org_id)


def add_credits(ctx: Context, amount: int | str) -> int:
    """An admin adds message credits; returns the new balance."""
    ctx.require("settings.write")
    try:
        n = int(normalize_digits(str(amount)).strip())
    except ValueError:
        n = 0
    if n <= 0:
        raise ValidationError("add a whole number of credits above zero", "credits")
    with ctx.write() as conn:
        before = q.credit_balance(conn, ctx.org_id)
        balance = q.add_credits(conn, ctx.org_id, n, now())
        audit.record(
            conn,
            ctx,
            "add",
            "message_credits",
            ctx.org_id,
            {"balance": before},
            {"balance": balance, "added": n},
        )
    return balance
