"""`backoffice customer …`: contacts (customers, suppliers, employees), their statement, import and export."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from backoffice import shapes
from backoffice.books import receivables
from backoffice.cli import common
from backoffice.contacts.customers import EXPORT_FORMATS, ROLES, SORT_KEYS
from backoffice.core.errors import ValidationError

customer = common.Group("customer")


F = TypeVar("F", bound=Callable[..., Any])


def _card_options(f: F) -> F:
    """The card's fields as options, the same for `customer add` and `customer update` (given ones only change
    on update; --email and --category replace what the card had)."""
    options = [
        click.option("--name"),
        click.option("--email", multiple=True, help="repeat for several addresses"),
        *(click.option(f"--{n}") for n in ("phone", "tax-id", "address", "city", "country", "postal-code")),
        click.option("--contact-person"),
        click.option("--payment-terms"),
        click.option("--role", type=common.choice(ROLES)),
        click.option("--category", multiple=True, help="repeat for several categories"),
        click.option("--field", multiple=True, metavar="NAME=VALUE", help="a custom field's value"),
        click.option(
            "--allow-duplicate", is_flag=True, help="save even with the same email/phone/tax ID as another"
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _pair(text: str, flag: str) -> tuple[str, str]:
    if "=" not in text:
        raise ValidationError(f"write {flag} NAME=VALUE", flag)
    name, value = text.split("=", 1)
    return name.strip(), value


@customer.command("add", help="add a contact")
@common.options()
@_card_options
def add(**card: Any) -> None:
    from backoffice import messaging
    from backoffice.contacts import customers

    ctx = common.context()
    contact_id = messaging.save_customer_and_welcome(  # a new customer is welcomed when that is on
        ctx,
        _values(card) | {"name": card["name"] or ""},
        list(card["category"]),
        dict(_pair(p, "--field") for p in card["field"]),
        card["allow_duplicate"],
    )
    row = customers.get_customer(ctx, contact_id)
    common.emit(
        shapes.customer_json(row, common.currency_code(ctx)), f"Saved {row['name']} (id {contact_id})."
    )


@customer.command(
    "update", help="change a contact: only the fields given change (--email, --category replace)"
)
@common.options()
@click.argument("id", type=int)
@_card_options
def update(id: int, **card: Any) -> None:
    from backoffice.contacts import customers

    ctx = common.context()
    before = customers.get_customer(ctx, id)
    customers.save_customer(
        ctx,
        _values(card),
        list(card["category"]) if card["category"] else list(before.get("categories") or []),
        dict(before.get("custom") or {}) | dict(_pair(p, "--field") for p in card["field"]),
        contact_id=id,
        allow_duplicate=card["allow_duplicate"],
    )
    row = customers.get_customer(ctx, id)
    common.emit(shapes.customer_json(row, common.currency_code(ctx)), f"Saved {row['name']} (id {id}).")


def _values(card: dict[str, Any]) -> dict[str, Any]:
    """The card's fields the options gave (None: not given)."""
    values = {
        "name": card["name"],
        "emails": ",".join(card["email"]) or None,
        "payment_terms_days": card["payment_terms"],
    } | {
        k: card[k]
        for k in ("phone", "tax_id", "address", "city", "country", "postal_code", "contact_person", "role")
    }
    return {k: v for k, v in values.items() if v is not None}


@customer.command("list", help="search contacts")
@common.options()
@click.option("--search")
@click.option("--category")
@click.option("--role", type=common.choice(ROLES))
@click.option("--sort", default="name", type=common.choice(SORT_KEYS))
@click.option("--desc", is_flag=True)
@click.option("--page", type=int, default=1)
@click.option("--page-size", type=int, default=50)
def list_customers(
    search: str | None,
    category: str | None,
    role: str | None,
    sort: str,
    desc: bool,
    page: int,
    page_size: int,
) -> None:
    from backoffice.contacts import customers

    ctx = common.context()
    found = customers.list_customers(ctx, search, category, role, sort, desc, page, page_size)
    code = common.currency_code(ctx)
    data = [shapes.customer_json(r, code) for r in found.rows]
    text = "\n".join(f"{d['id']:>6}  {d['name']}  {', '.join(d['emails'])}  {d['phone'] or ''}" for d in data)
    common.emit(data, text + f"\n({found.total} found, page {found.page} of {found.pages})")


@customer.command("show")
@common.options()
@click.argument("id", type=int)
def show(id: int) -> None:
    from backoffice.contacts import customers

    ctx = common.context()
    common.emit(shapes.customer_json(customers.get_customer(ctx, id), common.currency_code(ctx)))


@customer.command("statement", help="statement of account for a period")
@common.options()
@click.argument("id", type=int)
@click.option("--from", "date_from")
@click.option("--to", "date_to")
def statement(id: int, date_from: str | None, date_to: str | None) -> None:
    from backoffice.core.money import to_json

    ctx = common.context()
    cur = common.money(ctx)
    found = receivables.statement(ctx, id, common.day(date_from), common.day(date_to))
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
    common.emit(data, f"Opening {data['opening_balance']}\n{text}\nClosing {data['closing_balance']}")


@customer.command("import", help="import contacts from CSV or XLSX")
@common.options()
@click.argument("file")
@click.option("--skip-invalid", is_flag=True, help="import the good rows, list the bad ones")
@click.option("--dry-run", is_flag=True)
def import_customers(file: str, skip_invalid: bool, dry_run: bool) -> int:
    from backoffice.contacts import customers

    result = customers.import_customers(
        common.context(), file, common.path(file).read_bytes(), skip_invalid=skip_invalid, dry_run=dry_run
    )
    data = {
        "created": result.created,
        "written": result.written,
        "problems": [{"row": r, "column": c, "reason": m} for r, c, m in result.problems],
    }
    lines = [f"row {r}, {c}: {m}" for r, c, m in result.problems]
    common.emit(
        data,
        "\n".join(
            lines
            + [f"{result.created} contacts {'imported' if result.written else 'ready (nothing written)'}."]
        ),
    )
    if result.problems and not result.written:  # the reasons on stderr too, where scripts look
        print("\n".join(["error: nothing imported:", *lines]), file=common.err())
    return 2 if result.problems and not result.written else 0


@customer.command("export", help="export contacts with custom fields")
@common.options()
@click.option("--out", required=True)
@click.option("--format", "fmt", type=common.choice(EXPORT_FORMATS))
@click.option("--search")
@click.option("--category")
def export(out: str, fmt: str | None, search: str | None, category: str | None) -> None:
    from backoffice.contacts import customers

    fmt = fmt or ("xlsx" if out.endswith(".xlsx") else "csv")
    data = customers.export_customers(common.context(), fmt, search, category)
    common.path(out).write_bytes(data)
    common.emit({"file": out, "bytes": len(data)}, f"Wrote {out}.")
