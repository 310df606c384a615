"""The `backoffice` command line: a contract for scripts and cron jobs (docs/architecture.md, "The command line").

Flags, `--json` shapes and exit codes stay stable once shipped: 0 success, 2 invalid
input (nothing written), 1 any other failure; errors go to stderr in words a user
can act on. Each command imports only what it needs, so the CLI starts fast.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice.books import receivables
from backoffice.core.errors import BackofficeError, ValidationError
from backoffice.sales import lifecycle

if TYPE_CHECKING:
    from backoffice.core.context import Context
    from backoffice.db import Database

Handler = Callable[[argparse.Namespace], Any]
_OPENED: list[
    Any
] = []  # databases this run opened, closed when the command ends (the file lock goes with them)


def _common(json_flag: bool = True) -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--db",
        metavar="PATH",
        help="DuckDB file (default: BACKOFFICE_DATABASE_URL or data/backoffice.duckdb)",
    )
    parent.add_argument("--org", metavar="NAME", help="organization (optional when there is only one)")
    if json_flag:
        parent.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    return parent


def _open(args: argparse.Namespace, must_exist: bool = True) -> Database:
    from backoffice.db import open_database, url_for

    if args.db and must_exist and not Path(args.db).exists():
        raise ValidationError(
            f"No database at {args.db}. Create one with `backoffice init --db {args.db} …`.", "db"
        )
    db = open_database(url_for(args.db))
    _OPENED.append(db)
    return db


def _context(args: argparse.Namespace) -> Context:
    from backoffice.admin.orgs import find_org_id
    from backoffice.core.context import Context, User

    db = _open(args)
    return Context(db, User.system(), find_org_id(db, args.org))


def _emit(args: argparse.Namespace, data: Any, text: str | None = None) -> None:
    """Print a command's result. It comes after the work is done and committed: a reader that has gone away
    (`… --json | head`) changes nothing about that, so a broken pipe ends the output quietly, not the command."""
    try:
        if getattr(args, "json", False):
            print(json.dumps(data, ensure_ascii=False, default=str))
        elif text is not None:
            print(text)
        else:
            print(json.dumps(data, ensure_ascii=False, default=str, indent=2))
        sys.stdout.flush()
    except BrokenPipeError:
        # what is still buffered would fail again at exit: stdout goes to /dev/null from here on
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


# ---------------------------------------------------------------- init, demo, serve


def cmd_init(args: argparse.Namespace) -> None:
    from backoffice.admin import orgs

    db = _open(args, must_exist=False)
    org_id = orgs.setup(
        db,
        args.org,
        args.currency,
        args.vat,
        args.admin_email,
        args.admin_password,
        admin_name=args.admin_name,
        business_type=args.business_type,
        country=args.country,
        language=args.language,
    )
    _emit(
        args,
        {"id": org_id, "name": args.org},
        f"Created organization '{args.org}' (id {org_id}) and its admin {args.admin_email}.",
    )


def cmd_demo(args: argparse.Namespace) -> None:
    from backoffice.admin import demo

    db = _open(args, must_exist=False)
    result = demo.load_demo(db, customers=args.customers, seed=args.seed)
    _emit(
        args,
        result,
        f"Demo organization '{result['org']}' with {result['customers']} customers. "
        f"Sign in as {result['admin_email']} / {result['admin_password']}",
    )


def cmd_serve(args: argparse.Namespace) -> None:
    import importlib.resources
    import subprocess

    from backoffice.db import url_for

    env = os.environ | {"BACKOFFICE_DATABASE_URL": url_for(args.db)}
    # the app inside the installed package (its .streamlit/config.toml beside it), wherever the cwd is
    app = importlib.resources.files("backoffice") / "web" / "app.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        args.address,
        "--server.port",
        str(args.port),
        "--browser.gatherUsageStats",
        "false",
        "--server.headless",
        "true",
    ]
    raise SystemExit(subprocess.call(command, env=env))


# ---------------------------------------------------------------- organizations and users


def cmd_org_set(args: argparse.Namespace) -> None:
    from backoffice.admin import orgs

    ctx = _context(args)
    changes: dict[str, Any] = {
        k: v
        for k, v in {
            "tax_number": args.tax_number,
            "address": args.address,
            "city": args.city,
            "country": args.country,
            "language": args.language,
            "brand_color": args.brand_color,
            "invoice_footer": args.footer,
            "currency": args.currency,
            "calendar": args.calendar,
            "business_type": args.business_type,
            "name": args.name,
            "deposit_percent_bp": args.deposit_percent,
            "cancellation_fee_bp": args.cancellation_fee_percent,
            "allow_negative_stock": args.allow_negative_stock,
            "shipping_taxable": args.shipping_taxable,
        }.items()
        if v is not None
    }
    if args.logo:
        changes["logo"] = Path(args.logo).read_bytes()
    settings = orgs.update_settings(ctx, **changes)
    if args.vat is not None:
        from datetime import date

        orgs.set_tax_rate(
            ctx, "standard", args.vat, date.fromisoformat(args.vat_from) if args.vat_from else date.today()
        )
        settings = orgs.get_settings(ctx)
    _emit(args, _public_settings(settings), f"Saved settings of '{settings['name']}'.")


def _public_settings(settings: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in settings.items() if k not in ("logo", "tax_rates")}
    shown["has_logo"] = settings.get("logo") is not None
    shown["tax_rates"] = [
        {"code": r["code"], "percent": str(r["rate_bp"] / 100), "valid_from": r["valid_from"]}
        for r in settings["tax_rates"]
    ]
    shown["id"] = shown.pop("org_id")
    return shown


def cmd_org_show(args: argparse.Namespace) -> None:
    from backoffice.admin import orgs

    _emit(args, _public_settings(orgs.get_settings(_context(args))))


def cmd_user_add(args: argparse.Namespace) -> None:
    from backoffice.admin import auth

    password = os.environ.get(args.password_env) if args.password_env else None
    if args.password_env and password is None:
        raise ValidationError(f"the environment variable {args.password_env} is not set", "password-env")
    ctx = _context(args)
    user_id, token = auth.add_user(ctx, args.email, args.name or args.email, args.role, password, args.mobile)
    joined = any(m["user_id"] == user_id for m in auth.list_members(ctx))
    _emit(
        args,
        {"id": user_id, "invitation_token": token, "pending_acceptance": not joined},
        (
            f"Added user {args.email} (id {user_id}) as {args.role}."
            if joined
            else f"{args.email} already has an account (id {user_id}): it is invited as {args.role} and "
            "gets access once its owner signs in and accepts under My account with this code:"
        )
        + (f" Invitation token: {token}" if token and joined else f" {token}" if token else ""),
    )


def cmd_user_reset(args: argparse.Namespace) -> None:
    from backoffice.admin import auth
    from backoffice.db.queries import access

    ctx = _context(args)
    with ctx.db.read() as conn:
        user = access.user_by_login(conn, args.email.lower())
    if user is None:
        raise ValidationError(f"no user {args.email}", "email")
    token = auth.issue_reset_token(ctx, user["user_id"])
    _emit(args, {"id": user["user_id"], "reset_token": token}, f"Reset token for {args.email}: {token}")


# ---------------------------------------------------------------- customers


def _customer_json(row: dict[str, Any], currency_code: str) -> dict[str, Any]:
    from backoffice.core.money import currency, to_json

    cur = currency(currency_code)
    keys = (
        "role",
        "name",
        "emails",
        "phone",
        "tax_id",
        "address",
        "city",
        "postal_code",
        "country",
        "contact_person",
        "payment_terms_days",
    )
    data = {"id": row["contact_id"]} | {k: row.get(k) for k in keys}
    data["emails"] = [e for e in (row.get("emails") or "").split(", ") if e]
    data["categories"] = list(row.get("categories") or [])
    data["custom"] = row.get("custom", {})
    data["balance"] = to_json(row.get("balance_minor", 0), cur)
    data["currency"] = cur.code
    return data


def _currency_of(ctx: Any) -> str:
    from backoffice.admin import orgs

    return str(orgs.get_settings(ctx)["currency"])


def cmd_customer_add(args: argparse.Namespace) -> None:
    from backoffice import messaging
    from backoffice.contacts import customers

    ctx = _context(args)
    values = {
        "name": args.name or "",
        "emails": ",".join(args.email or []) or None,
        "phone": args.phone,
        "tax_id": args.tax_id,
        "address": args.address,
        "city": args.city,
        "country": args.country,
        "postal_code": args.postal_code,
        "contact_person": args.contact_person,
        "role": args.role,
        "payment_terms_days": args.payment_terms,
    }
    custom = dict(_pair(p, "--field") for p in args.field or [])
    contact_id = messaging.save_customer_and_welcome(
        ctx,
        {k: v for k, v in values.items() if v is not None},
        args.category or [],
        custom,
        allow_duplicate=args.allow_duplicate,
    )
    row = customers.get_customer(ctx, contact_id)
    _emit(args, _customer_json(row, _currency_of(ctx)), f"Saved {row['name']} (id {contact_id}).")


def _pair(text: str, flag: str) -> tuple[str, str]:
    if "=" not in text:
        raise ValidationError(f"write {flag} NAME=VALUE", flag)
    name, value = text.split("=", 1)
    return name.strip(), value


def cmd_customer_list(args: argparse.Namespace) -> None:
    from backoffice.contacts import customers

    ctx = _context(args)
    page = customers.list_customers(
        ctx, args.search, args.category, args.role, args.sort, args.desc, args.page, args.page_size
    )
    code = _currency_of(ctx)
    data = [_customer_json(r, code) for r in page.rows]
    text = "\n".join(f"{d['id']:>6}  {d['name']}  {', '.join(d['emails'])}  {d['phone'] or ''}" for d in data)
    _emit(args, data, text + f"\n({page.total} found, page {page.page} of {page.pages})")


def cmd_customer_show(args: argparse.Namespace) -> None:
    from backoffice.contacts import customers

    ctx = _context(args)
    _emit(args, _customer_json(customers.get_customer(ctx, args.id), _currency_of(ctx)))


def cmd_customer_import(args: argparse.Namespace) -> int:
    from backoffice.contacts import customers

    result = customers.import_customers(
        _context(args),
        args.file,
        Path(args.file).read_bytes(),
        skip_invalid=args.skip_invalid,
        dry_run=args.dry_run,
    )
    data = {
        "created": result.created,
        "written": result.written,
        "problems": [{"row": r, "column": c, "reason": m} for r, c, m in result.problems],
    }
    lines = [f"row {r}, {c}: {m}" for r, c, m in result.problems]
    _emit(
        args,
        data,
        "\n".join(
            lines
            + [f"{result.created} contacts {'imported' if result.written else 'ready (nothing written)'}."]
        ),
    )
    if result.problems and not result.written:  # the reasons on stderr too, where scripts look
        print("\n".join(["error: nothing imported:", *lines]), file=sys.stderr)
    return 2 if result.problems and not result.written else 0


def cmd_customer_export(args: argparse.Namespace) -> None:
    from backoffice.contacts import customers

    fmt = args.format or ("xlsx" if args.out.endswith(".xlsx") else "csv")
    data = customers.export_customers(_context(args), fmt, args.search, args.category)
    Path(args.out).write_bytes(data)
    _emit(args, {"file": args.out, "bytes": len(data)}, f"Wrote {args.out}.")


# ---------------------------------------------------------------- products, orders, invoices


def _money(ctx: Any) -> Any:
    from backoffice.core.money import currency

    return currency(_currency_of(ctx))


def _product_json(row: dict[str, Any], cur: Any) -> dict[str, Any]:
    from backoffice.core.money import percent_text, to_json

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


def cmd_product_add(args: argparse.Namespace) -> None:
    from backoffice.catalog import products

    ctx = _context(args)
    values = {
        "sku": args.sku,
        "name": args.name,
        "name_ar": args.name_ar,
        "unit": args.unit,
        "category": args.category,
        "price": args.price,
        "cost": args.cost,
        "price_includes_vat": args.tax_inclusive,
    }
    if args.vat is not None:
        values["vat"] = args.vat
    if args.stock is not None and args.stock < 0:
        raise ValidationError("stock cannot be negative", "stock")
    with ctx.db.write() as conn:  # the product and its opening stock together, or neither
        product_id = products._save(conn, ctx, {k: v for k, v in values.items() if v is not None}, None)
        if args.stock:
            from datetime import date

            products.receive_in(conn, ctx, product_id, args.stock, None, date.today(), "opening")
    row = products.get_product(ctx, product_id)
    _emit(args, _product_json(row, _money(ctx)), f"Saved {row['sku']} (id {product_id}).")


def cmd_product_list(args: argparse.Namespace) -> None:
    from backoffice.catalog import products

    ctx = _context(args)
    found, total = products.list_products(ctx, args.search, args.page, args.page_size)
    cur = _money(ctx)
    data = [_product_json(r, cur) for r in found]
    _emit(
        args,
        data,
        "\n".join(f"{d['sku']:<16} {d['name']:<32} {d['price']:>12} stock {d['stock']}" for d in data)
        + f"\n({total} products)",
    )


def cmd_product_import(args: argparse.Namespace) -> int:
    from backoffice.catalog import products

    result = products.import_products(
        _context(args), args.file, Path(args.file).read_bytes(), dry_run=args.dry_run
    )
    problems = result.problems or []
    data = {
        "created": result.created,
        "written": result.written,
        "problems": [{"row": r, "column": c, "reason": m} for r, c, m in problems],
    }
    _emit(
        args,
        data,
        "\n".join([f"row {r}, {c}: {m}" for r, c, m in problems] + [f"{result.created} products."]),
    )
    return 2 if problems else 0


def _line(text: str) -> Any:
    from backoffice.sales.orders import LineRequest

    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
        raise ValidationError(f"write --line SKU:QTY or SKU:QTY:PRICE (got {text!r})", "line")
    return LineRequest(parts[0], parts[1], parts[2] if len(parts) == 3 else None)


def _order_json(row: dict[str, Any], cur: Any) -> dict[str, Any]:
    from backoffice.core.money import percent_text, to_json

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
            "net": to_json(x["net_minor"], cur),
            "vat": to_json(x["vat_minor"], cur),
            "total": to_json(x["gross_minor"], cur),
        }
        for x in row.get("lines", [])
    ]
    return {
        "id": row["order_id"],
        "status": row["status"],
        "customer": row["customer_id"],
        "date": row["order_on"],
        "prices_include_vat": row["prices_include_vat"],
        "net": to_json(row["net_minor"], cur),
        "vat": to_json(row["vat_minor"], cur),
        "total": to_json(row["total_minor"], cur),
        "currency": cur.code,
        "invoice": row.get("invoice_number"),
        "lines": lines,
    }


def cmd_order_add(args: argparse.Namespace) -> None:
    from backoffice.sales import orders

    ctx = _context(args)
    order_id = orders.create_order(
        ctx,
        args.customer,
        [_line(x) for x in args.line],
        args.shipping,
        args.notes,
        status="confirmed" if args.confirm else "draft",
    )
    row = orders.get_order(ctx, order_id)
    _emit(
        args,
        _order_json(row, _money(ctx)),
        f"Order #{order_id}: total {row['total_minor']} (minor units), {row['status']}.",
    )


def cmd_order_transition(args: argparse.Namespace) -> None:
    from backoffice.sales import orders

    ctx = _context(args)
    if args.to == "fulfilled":  # authorizations are captured; an order with a deposit is invoiced (seed 004)
        status = lifecycle.fulfil_order(ctx, args.id)["status"]
    elif args.to == "cancelled":  # deposits are refunded less the organization's cancellation fee
        lifecycle.cancel_order(ctx, args.id)
        status = "cancelled"
    else:
        status = orders.transition_order(ctx, args.id, args.to, args.note)
    _emit(args, {"id": args.id, "status": status}, f"Order #{args.id} is now {status}.")


def cmd_order_cancel(args: argparse.Namespace) -> None:
    from backoffice.core.money import to_json

    ctx = _context(args)
    result = lifecycle.cancel_order(ctx, args.id, args.fee_percent, args.refund_method)
    cur = _money(ctx)
    data = {
        "id": args.id,
        "status": "cancelled",
        "fee": to_json(result["fee_minor"], cur),
        "refunded": to_json(result["refunded_minor"], cur),
        "currency": cur.code,
    }
    _emit(args, data, f"Order #{args.id} cancelled; fee {data['fee']}, refunded {data['refunded']}.")


def cmd_customer_statement(args: argparse.Namespace) -> None:
    from datetime import date

    from backoffice.core.money import to_json

    ctx = _context(args)
    cur = _money(ctx)
    found = receivables.statement(
        ctx,
        args.id,
        args.date_from and date.fromisoformat(args.date_from),
        args.date_to and date.fromisoformat(args.date_to),
    )
    lines = [
        {
            "date": x["date"],
            "description": x["description"],
            "document": x["document"],
            "debit": to_json(x["debit_minor"], cur),
            "credit": to_json(x["credit_minor"], cur),
            "balance": to_json(x["balance_minor"], cur),
        }
        for x in found["lines"]
    ]
    data = {
        "customer": found["customer_name"],
        "opening_balance": to_json(found["opening_balance_minor"], cur),
        "closing_balance": to_json(found["closing_balance_minor"], cur),
        "lines": lines,
        "currency": cur.code,
    }
    text = "\n".join(
        f"{x['date']}  {x['description']:<44} {x['debit']:>12} {x['credit']:>12} {x['balance']:>12}"
        for x in lines
    )
    _emit(args, data, f"Opening {data['opening_balance']}\n{text}\nClosing {data['closing_balance']}")


def cmd_order_show(args: argparse.Namespace) -> None:
    from backoffice.sales import orders

    ctx = _context(args)
    _emit(args, _order_json(orders.get_order(ctx, args.id), _money(ctx)))


def _invoice_json(row: dict[str, Any], cur: Any) -> dict[str, Any]:
    from backoffice.core.money import to_json

    return {
        "number": row["number_text"],
        "kind": row["kind"],
        "order": row["order_id"],
        "customer": row["customer_id"],
        "date": row["issued_on"],
        "due": row["due_on"],
        "net": to_json(row["net_minor"], cur),
        "vat": to_json(row["vat_minor"], cur),
        "total": to_json(row["total_minor"], cur),
        "currency": cur.code,
        "lines": [
            {
                "sku": x["sku"],
                "description": x["description"],
                "quantity": x["quantity"],
                "net": to_json(x["net_minor"], cur),
                "vat": to_json(x["vat_minor"], cur),
                "total": to_json(x["gross_minor"], cur),
            }
            for x in row.get("lines", [])
        ],
    }


def cmd_invoice_issue(args: argparse.Namespace) -> None:
    from backoffice.sales import invoices

    ctx = _context(args)
    number = invoices.issue_invoice(ctx, args.order)
    _emit(args, _invoice_json(invoices.get_invoice(ctx, number), _money(ctx)), f"Issued {number}.")


def cmd_invoice_credit_note(args: argparse.Namespace) -> None:
    from backoffice.sales import invoices

    ctx = _context(args)
    returns = None
    if args.line:
        returns = []
        for text in args.line:
            sku, _, qty = text.partition(":")
            if not sku or not qty:
                raise ValidationError(f"write --line SKU:QTY (got {text!r})", "line")
            returns.append(invoices.ReturnRequest(sku, qty))
    number = invoices.issue_credit_note(ctx, args.number, returns, args.reason)
    _emit(args, _invoice_json(invoices.get_invoice(ctx, number), _money(ctx)), f"Issued {number}.")


def cmd_invoice_show(args: argparse.Namespace) -> None:
    from backoffice.sales import invoices

    ctx = _context(args)
    _emit(args, _invoice_json(invoices.get_invoice(ctx, args.number), _money(ctx)))


def cmd_invoice_explain(args: argparse.Namespace) -> int:
    from backoffice.core.money import to_json
    from backoffice.sales import invoices

    ctx = _context(args)
    cur = _money(ctx)
    found = invoices.explain_invoice(ctx, args.number)
    data = [
        {
            "where": d.where,
            "stored": to_json(d.stored_minor, cur),
            "computed": to_json(d.computed_minor, cur),
            "reason": d.reason,
        }
        for d in found
    ]
    _emit(
        args,
        data,
        "\n".join(
            f"{d['where']}: stored {d['stored']}, lines give {d['computed']} — {d['reason']}" for d in data
        )
        or f"{args.number}: every total agrees with its lines.",
    )
    return 1 if found else 0


# ---------------------------------------------------------------- ledger


def cmd_ledger_trial_balance(args: argparse.Namespace) -> None:
    from datetime import date

    from backoffice.books import ledger
    from backoffice.core.money import currency, to_json

    ctx = _context(args)
    tb = ledger.trial_balance(
        ctx,
        args.date_from and date.fromisoformat(args.date_from),
        args.date_to and date.fromisoformat(args.date_to),
    )
    cur = currency(_currency_of(ctx))
    rows = [
        {
            "code": r["code"],
            "account": r["name_en"],
            "kind": r["kind"],
            "debit": to_json(r["debit_minor"], cur),
            "credit": to_json(r["credit_minor"], cur),
        }
        for r in tb.rows
    ]
    data: dict[str, Any] = {
        "rows": rows,
        "totals": {
            "debit": to_json(tb.debit_minor, cur),
            "credit": to_json(tb.credit_minor, cur),
            "balanced": tb.balanced,
            "currency": cur.code,
        },
    }
    text = "\n".join(f"{r['code']}  {r['account']:<32} {r['debit']:>14} {r['credit']:>14}" for r in rows)
    _emit(args, data, text + f"\n{'Total':<38} {data['totals']['debit']:>14} {data['totals']['credit']:>14}")


def cmd_ledger_opening(args: argparse.Namespace) -> None:
    from datetime import date

    from backoffice.books import opening

    ctx = _context(args)
    lines = opening.read_opening_csv(args.file, Path(args.file).read_bytes())
    entry_id = opening.post_opening_balances(ctx, date.fromisoformat(args.on), lines)
    _emit(args, {"id": entry_id}, f"Posted opening balances as entry {entry_id}.")


# ---------------------------------------------------------------- the parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backoffice", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = _common()

    p = sub.add_parser("init", parents=[common], help="create an organization and its admin")
    p.add_argument("--currency", required=True, help="ISO code: SAR, AED, JOD, IRR, USD …")
    p.add_argument("--vat", required=True, metavar="PERCENT", help="standard VAT rate, e.g. 15")
    p.add_argument("--admin-email", required=True)
    p.add_argument("--admin-password", required=True)
    p.add_argument("--admin-name", default="Admin")
    p.add_argument("--business-type", default="trading", choices=["services", "trading", "manufacturing"])
    p.add_argument("--country", help="two-letter code, e.g. SA")
    p.add_argument("--language", default="en", choices=["en", "ar", "fa", "ar-en", "fa-en"])
    p.set_defaults(handler=cmd_init)

    p = sub.add_parser("demo", parents=[common], help="load a demo organization with realistic data")
    p.add_argument("--customers", type=int, default=300)
    p.add_argument("--seed", type=int, default=7)
    p.set_defaults(handler=cmd_demo)

    p = sub.add_parser("serve", parents=[_common(json_flag=False)], help="start the web app")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8501)
    p.set_defaults(handler=cmd_serve)

    org = sub.add_parser("org", help="organization settings").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = org.add_parser("set", parents=[common], help="change settings (the same as the Settings page)")
    for flag in (
        "--tax-number",
        "--address",
        "--city",
        "--country",
        "--brand-color",
        "--footer",
        "--currency",
        "--name",
        "--vat-from",
    ):
        p.add_argument(flag)
    p.add_argument("--language", choices=["ar", "fa", "en", "ar-en", "fa-en"])
    p.add_argument("--calendar", choices=["gregorian", "hijri", "jalali"])
    p.add_argument("--business-type", choices=["services", "trading", "manufacturing"])
    p.add_argument(
        "--vat", metavar="PERCENT", help="a new standard VAT rate, in force from --vat-from (default today)"
    )
    p.add_argument("--logo", metavar="FILE", help="PNG or JPEG")
    p.add_argument("--deposit-percent", metavar="PERCENT", help="default deposit on an order")
    p.add_argument(
        "--cancellation-fee-percent", metavar="PERCENT", help="kept from a cancelled order's deposit"
    )
    p.add_argument("--allow-negative-stock", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--shipping-taxable", action=argparse.BooleanOptionalAction, default=None)
    p.set_defaults(handler=cmd_org_set)
    org.add_parser("show", parents=[common]).set_defaults(handler=cmd_org_show)

    user = sub.add_parser("user", help="users and roles").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = user.add_parser(
        "add", parents=[common], help="add a user with a role (invitation token unless a password is given)"
    )
    p.add_argument("--email", required=True)
    p.add_argument("--name")
    p.add_argument("--mobile")
    p.add_argument("--role", required=True, choices=["admin", "accountant", "sales", "viewer"])
    p.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    p.set_defaults(handler=cmd_user_add)
    p = user.add_parser("reset", parents=[common], help="issue a password reset token")
    p.add_argument("--email", required=True)
    p.set_defaults(handler=cmd_user_reset)

    customer = sub.add_parser("customer", help="customers, suppliers, employees").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = customer.add_parser("add", parents=[common], help="add a contact")
    p.add_argument("--name")
    p.add_argument("--email", action="append", help="repeat for several addresses")
    for flag in (
        "--phone",
        "--tax-id",
        "--address",
        "--city",
        "--country",
        "--postal-code",
        "--contact-person",
        "--payment-terms",
    ):
        p.add_argument(flag)
    p.add_argument("--role", choices=["customer", "supplier", "employee"])
    p.add_argument("--category", action="append", help="repeat for several categories")
    p.add_argument("--field", action="append", metavar="NAME=VALUE", help="a custom field's value")
    p.add_argument(
        "--allow-duplicate", action="store_true", help="save even with the same email/phone/tax ID as another"
    )
    p.set_defaults(handler=cmd_customer_add)
    p = customer.add_parser("list", parents=[common], help="search contacts")
    p.add_argument("--search")
    p.add_argument("--category")
    p.add_argument("--role", choices=["customer", "supplier", "employee"])
    p.add_argument("--sort", default="name", choices=["name", "created", "city", "country"])
    p.add_argument("--desc", action="store_true")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=50)
    p.set_defaults(handler=cmd_customer_list)
    p = customer.add_parser("show", parents=[common])
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_customer_show)
    p = customer.add_parser("statement", parents=[common], help="statement of account for a period")
    p.add_argument("id", type=int)
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.set_defaults(handler=cmd_customer_statement)
    p = customer.add_parser("import", parents=[common], help="import contacts from CSV or XLSX")
    p.add_argument("file")
    p.add_argument("--skip-invalid", action="store_true", help="import the good rows, list the bad ones")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(handler=cmd_customer_import)
    p = customer.add_parser("export", parents=[common], help="export contacts with custom fields")
    p.add_argument("--out", required=True)
    p.add_argument("--format", choices=["csv", "xlsx"])
    p.add_argument("--search")
    p.add_argument("--category")
    p.set_defaults(handler=cmd_customer_export)

    product = sub.add_parser("product", help="the product catalogue").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = product.add_parser(
        "add", parents=[common], help="add a product (price net of VAT unless --tax-inclusive)"
    )
    p.add_argument("--sku", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--name-ar")
    p.add_argument("--unit")
    p.add_argument("--category")
    p.add_argument("--price", required=True)
    p.add_argument("--cost")
    p.add_argument("--vat", metavar="PERCENT|exempt", help="default: the organization's standard rate")
    p.add_argument("--tax-inclusive", action="store_true", help="the price includes VAT")
    p.add_argument("--stock", type=int, help="opening stock, at --cost")
    p.set_defaults(handler=cmd_product_add)
    p = product.add_parser("list", parents=[common])
    p.add_argument("--search")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--page-size", type=int, default=100)
    p.set_defaults(handler=cmd_product_list)
    p = product.add_parser("import", parents=[common], help="products from CSV/XLSX")
    p.add_argument("file")
    p.add_argument("--dry-run", action="store_true")
    p.set_defaults(handler=cmd_product_import)

    order = sub.add_parser("order", help="orders").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = order.add_parser("add", parents=[common], help="a manual order")
    p.add_argument("--customer", type=int, help="customer id (none: walk-in)")
    p.add_argument(
        "--line", action="append", required=True, metavar="SKU:QTY[:PRICE]", help="repeat once per line"
    )
    p.add_argument("--shipping")
    p.add_argument("--notes")
    p.add_argument("--confirm", action="store_true", help="create it confirmed, not as a draft")
    p.set_defaults(handler=cmd_order_add)
    p = order.add_parser("transition", parents=[common], help="confirm, fulfil or cancel")
    p.add_argument("id", type=int)
    p.add_argument("--to", required=True, choices=["confirmed", "fulfilled", "cancelled"])
    p.add_argument("--note")
    p.set_defaults(handler=cmd_order_transition)
    p = order.add_parser("cancel", parents=[common], help="cancel; refund deposits less the cancellation fee")
    p.add_argument("id", type=int)
    p.add_argument("--fee-percent", help="default: the organization's cancellation fee")
    p.add_argument("--refund-method", help="default: the deposit's own method")
    p.set_defaults(handler=cmd_order_cancel)
    p = order.add_parser("show", parents=[common])
    p.add_argument("id", type=int)
    p.set_defaults(handler=cmd_order_show)

    invoice = sub.add_parser("invoice", help="invoices and credit notes").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = invoice.add_parser("issue", parents=[common], help="invoice a confirmed or fulfilled order")
    p.add_argument("--order", type=int, required=True)
    p.set_defaults(handler=cmd_invoice_issue)
    p = invoice.add_parser(
        "credit-note", parents=[common], help="credit an invoice, in full or the lines given"
    )
    p.add_argument("number")
    p.add_argument("--line", action="append", metavar="SKU:QTY")
    p.add_argument("--reason")
    p.set_defaults(handler=cmd_invoice_credit_note)
    p = invoice.add_parser("show", parents=[common])
    p.add_argument("number")
    p.set_defaults(handler=cmd_invoice_show)
    p = invoice.add_parser(
        "explain", parents=[common], help="recalculate from the lines; exit 1 when a total disagrees"
    )
    p.add_argument("number")
    p.set_defaults(handler=cmd_invoice_explain)

    led = sub.add_parser("ledger", help="the books").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = led.add_parser("trial-balance", parents=[common])
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.set_defaults(handler=cmd_ledger_trial_balance)
    p = led.add_parser(
        "opening", parents=[common], help="post opening balances from CSV (account, debit, credit, customer)"
    )
    p.add_argument("file")
    p.add_argument("--on", required=True, metavar="DATE", help="the date of the balances, e.g. 2026-07-01")
    p.set_defaults(handler=cmd_ledger_opening)
    _register_extensions(sub, common)
    return parser


def _register_extensions(sub: Any, common: argparse.ArgumentParser) -> None:
    """Sub-commands of other areas live in backoffice/commands/*.py, each with register(sub, common)."""
    import importlib
    import pkgutil

    from backoffice import commands

    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        importlib.import_module(f"backoffice.commands.{info.name}").register(sub, common)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = args.handler(args)
    except BackofficeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    except (ValueError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ValueError) else 1
    finally:
        while _OPENED:
            _OPENED.pop().dispose()
    return int(code or 0)


if __name__ == "__main__":
    raise SystemExit(main())
