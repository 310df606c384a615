"""`backoffice import`, `backoffice post` and `backoffice store …`: store orders in, posted, logged."""

from __future__ import annotations

import json
from pathlib import Path

import click

from backoffice.cli import common
from backoffice.core.errors import ValidationError


@click.command("import", cls=common.Command)
@common.options()
@click.argument("file")
@click.option("--store", required=True, help="the store's name (created on first import)")
@click.option("--profile", default="generic", help="salla-json, shopify, generic or a saved mapping's name")
@click.option("--mapping", metavar="FILE", help="JSON {generic_column: source_header}")
@click.option("--payments", metavar="FILE", help="split payments: order_id, payment_method, amount, paid_at")
@click.option(
    "--dry-run", is_flag=True, help="preview: count new/changed/unchanged/error orders, write nothing"
)
@click.option("--all-or-nothing", is_flag=True, help="reject the whole file if any row is bad")
@click.option(
    "--allow-dates",
    is_flag=True,
    help="confirm orders dated before 2000-01-01 or more than a day ahead (without it they are errors)",
)
@click.option(
    "--errors-file",
    metavar="FILE",
    help="write every problem to FILE as CSV (row, column, reason); the output lists the first 1,000",
)
@common.flag("auto-paid", "invoices are paid by the store's payment (this run only)")
@common.flag("default-customer", "all orders go to the store's walk-in customer (this run only)")
@common.flag("allow-negative-stock", "stock may go below zero (this run only)")
def import_orders(
    file: str,
    store: str,
    profile: str,
    mapping: str | None,
    payments: str | None,
    dry_run: bool,
    all_or_nothing: bool,
    allow_dates: bool,
    errors_file: str | None,
    auto_paid: bool | None,
    default_customer: bool | None,
    allow_negative_stock: bool | None,
) -> int:
    from backoffice import imports as order_import

    columns = None
    if mapping:
        try:
            columns = json.loads(common.path(mapping).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:  # not found, not UTF-8, not JSON, absurd
            raise ValidationError(
                f"the mapping file is not JSON {{generic_column: source_header}}: {exc}", "mapping"
            ) from exc
    result = order_import.import_file(
        common.context(),
        store,
        Path(file).name,
        common.path(file),
        profile=profile,
        mapping=columns,
        payments=common.path(payments) if payments else None,
        dry_run=dry_run,
        all_or_nothing=all_or_nothing,
        auto_paid=auto_paid,
        default_customer=default_customer,
        allow_negative_stock=allow_negative_stock,
        allow_dates=allow_dates,
        progress=common.progress(),
    )
    data = result.as_json()
    if errors_file:  # every problem, however many (the printed list stops at order_import.MAX_PROBLEMS)
        common.path(errors_file).write_bytes(order_import.problems_csv(result))
    if result.problems_path is not None:
        result.problems_path.unlink(missing_ok=True)
    lines = [f"row {p['row']}, {p['column']}: {p['reason']}" for p in data["problems"][:50]]
    if data["problem_count"] > len(lines):
        lines.append(
            f"… {data['problem_count']:,} problems in all"
            + (f": every one in {errors_file}" if errors_file else " (--errors-file FILE writes them all)")
        )
    summary = (
        f"{'Preview: ' if result.dry_run else ''}{result.new} new, {result.changed} changed, {result.unchanged} "
        f"unchanged, {result.errors} with errors, {result.posted} posted"
        + (" — the file was rejected, nothing written." if result.rejected else ".")
    )
    common.emit(data, "\n".join([*lines, summary]))
    if result.rejected:  # the reasons on stderr too, where a script looks for why it failed
        print("\n".join(["error: the file was rejected, nothing written:", *lines]), file=common.err())
    return 2 if result.rejected else 0


@click.command("post", cls=common.Command)
@common.options()
@click.option("--store", required=True)
@click.option("--order", multiple=True, required=True, metavar="EXTERNAL_ID")
def post(store: str, order: tuple[str, ...]) -> None:
    from backoffice import imports as order_import

    found = order_import.post_orders(common.context(), store, list(order))
    common.emit(
        found,
        f"Posted {found['posted']} orders"
        + (f" ({found['first']}..{found['last']})" if found["posted"] else "")
        + (f"; not postable: {', '.join(found['skipped'])}" if found["skipped"] else "")
        + ".",
    )


store = common.Group("store")


@store.command("set", help="create a store or change its options")
@common.options()
@click.argument("name")
@click.option("--profile")
@common.flag("auto-paid", "create paid invoices automatically")
@common.flag("default-customer", "use one walk-in customer for all orders")
@common.flag("allow-negative-stock", "let imports take stock below zero")
@common.flag("link", "link (or --no-link to unlink) the store; its history is kept")
def set_store(
    name: str,
    profile: str | None,
    auto_paid: bool | None,
    default_customer: bool | None,
    allow_negative_stock: bool | None,
    link: bool | None,
) -> None:
    from backoffice import imports as order_import

    saved = order_import.set_store(
        common.context(), name, profile, auto_paid, default_customer, allow_negative_stock, link
    )
    data = {
        k: saved[k]
        for k in ("store_id", "name", "profile", "auto_paid", "default_customer", "allow_negative_stock")
    }
    data["linked"] = saved["unlinked_at"] is None
    common.emit(data | {"id": data.pop("store_id")}, f"Saved store {saved['name']}.")


@store.command("list")
@common.options()
def list_stores() -> None:
    from backoffice import imports as order_import

    found = order_import.list_stores(common.context())
    data = [
        {
            "id": s["store_id"],
            "name": s["name"],
            "profile": s["profile"],
            "auto_paid": s["auto_paid"],
            "default_customer": s["default_customer"],
            "allow_negative_stock": s["allow_negative_stock"],
            "linked": s["unlinked_at"] is None,
        }
        for s in found
    ]
    common.emit(data, "\n".join(f"{d['name']} ({d['profile']})" for d in data))


@store.command("log", help="the sync log: every import and post attempt per order")
@common.options()
@click.argument("name", required=False)
@click.option("--order", metavar="EXTERNAL_ID")
@click.option("--failed", is_flag=True)
def log(name: str | None, order: str | None, failed: bool) -> None:
    from backoffice import imports as order_import

    found = order_import.sync_log(common.context(), name, order, failed)
    common.emit(
        found,
        "\n".join(
            f"{r['created_at']:%Y-%m-%d %H:%M}  {r['external_id']:<16} {r['result']:<10} {r['reason'] or ''}"
            for r in found
        ),
    )


@store.command("imports", help="the imports, newest first: counts and status (done, interrupted, …)")
@common.options()
@click.argument("name", required=False)
def imports(name: str | None) -> None:
    from backoffice import imports as order_import

    found = order_import.list_imports(common.context(), name)
    common.emit(
        found,
        "\n".join(
            f"{r['started_at']:%Y-%m-%d %H:%M}  #{r['import_id']:<5} {r['store']:<12} {r['status']:<14} "
            f"{r['new_orders']} new, {r['changed_orders']} changed, {r['error_orders']} with errors  {r['file_name']}"
            for r in found
        ),
    )
