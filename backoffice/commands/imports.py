"""`backoffice import`, `backoffice post` and `backoffice store …`: store orders in, posted, logged (SPEC O1–O9)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from backoffice.core.errors import ValidationError


def cmd_import(args: argparse.Namespace) -> int:
    from backoffice import imports as order_import
    from backoffice.cli import _context, _emit

    mapping = None
    if args.mapping:
        try:
            mapping = json.loads(Path(args.mapping).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as exc:  # not found, not UTF-8, not JSON, absurd
            raise ValidationError(
                f"the mapping file is not JSON {{generic_column: source_header}}: {exc}", "mapping"
            ) from exc
    result = order_import.import_file(
        _context(args),
        args.store,
        Path(args.file).name,
        Path(args.file),
        profile=args.profile,
        mapping=mapping,
        payments=Path(args.payments) if args.payments else None,
        dry_run=args.dry_run,
        all_or_nothing=args.all_or_nothing,
        auto_paid=args.auto_paid,
        default_customer=args.default_customer,
        allow_negative_stock=args.allow_negative_stock,
        allow_dates=args.allow_dates,
    )
    data = result.as_json()
    if args.errors_file:  # every problem, however many (the printed list stops at order_import.MAX_PROBLEMS)
        Path(args.errors_file).write_bytes(order_import.problems_csv(result))
    if result.problems_path is not None:
        result.problems_path.unlink(missing_ok=True)
    lines = [f"row {p['row']}, {p['column']}: {p['reason']}" for p in data["problems"][:50]]
    if data["problem_count"] > len(lines):
        lines.append(
            f"… {data['problem_count']:,} problems in all"
            + (
                f": every one in {args.errors_file}"
                if args.errors_file
                else " (--errors-file FILE writes them all)"
            )
        )
    summary = (
        f"{'Preview: ' if result.dry_run else ''}{result.new} new, {result.changed} changed, {result.unchanged} "
        f"unchanged, {result.errors} with errors, {result.posted} posted"
        + (" — the file was rejected, nothing written." if result.rejected else ".")
    )
    _emit(args, data, "\n".join([*lines, summary]))
    if result.rejected:  # the reasons on stderr too, where a script looks for why it failed
        print("\n".join(["error: the file was rejected, nothing written:", *lines]), file=sys.stderr)
    return 2 if result.rejected else 0


def cmd_post(args: argparse.Namespace) -> None:
    from backoffice import imports as order_import
    from backoffice.cli import _context, _emit

    found = order_import.post_orders(_context(args), args.store, args.order)
    _emit(
        args,
        found,
        f"Posted {found['posted']} orders"
        + (f" ({found['first']}..{found['last']})" if found["posted"] else "")
        + (f"; not postable: {', '.join(found['skipped'])}" if found["skipped"] else "")
        + ".",
    )


def cmd_store_set(args: argparse.Namespace) -> None:
    from backoffice import imports as order_import
    from backoffice.cli import _context, _emit

    store = order_import.set_store(
        _context(args),
        args.name,
        args.profile,
        args.auto_paid,
        args.default_customer,
        args.allow_negative_stock,
        None if args.link is None else args.link,
    )
    data = {
        k: store[k]
        for k in ("store_id", "name", "profile", "auto_paid", "default_customer", "allow_negative_stock")
    }
    data["linked"] = store["unlinked_at"] is None
    _emit(args, data | {"id": data.pop("store_id")}, f"Saved store {store['name']}.")


def cmd_store_list(args: argparse.Namespace) -> None:
    from backoffice import imports as order_import
    from backoffice.cli import _context, _emit

    found = order_import.list_stores(_context(args))
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
    _emit(args, data, "\n".join(f"{d['name']} ({d['profile']})" for d in data))


def cmd_store_log(args: argparse.Namespace) -> None:
    from backoffice import imports as order_import
    from backoffice.cli import _context, _emit

    found = order_import.sync_log(_context(args), args.name, args.order, args.failed)
    _emit(
        args,
        found,
        "\n".join(
            f"{r['created_at']:%Y-%m-%d %H:%M}  {r['external_id']:<16} {r['result']:<10} {r['reason'] or ''}"
            for r in found
        ),
    )


def cmd_store_imports(args: argparse.Namespace) -> None:
    from backoffice import imports as order_import
    from backoffice.cli import _context, _emit

    found = order_import.list_imports(_context(args), args.name)
    _emit(
        args,
        found,
        "\n".join(
            f"{r['started_at']:%Y-%m-%d %H:%M}  #{r['import_id']:<5} {r['store']:<12} {r['status']:<14} "
            f"{r['new_orders']} new, {r['changed_orders']} changed, {r['error_orders']} with errors  {r['file_name']}"
            for r in found
        ),
    )


def _flag(parser: argparse.ArgumentParser, name: str, help_text: str) -> None:
    parser.add_argument(
        f"--{name}",
        dest=name.replace("-", "_"),
        action=argparse.BooleanOptionalAction,
        default=None,
        help=help_text,
    )


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("import", parents=[common], help="import a store's orders (CSV, XLSX or Salla JSON)")
    p.add_argument("file")
    p.add_argument("--store", required=True, help="the store's name (created on first import)")
    p.add_argument(
        "--profile", default="generic", help="salla-json, shopify, generic or a saved mapping's name"
    )
    p.add_argument("--mapping", metavar="FILE", help="JSON {generic_column: source_header}")
    p.add_argument(
        "--payments", metavar="FILE", help="split payments: order_id, payment_method, amount, paid_at"
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="preview: count new/changed/unchanged/error orders, write nothing",
    )
    p.add_argument("--all-or-nothing", action="store_true", help="reject the whole file if any row is bad")
    p.add_argument(
        "--allow-dates",
        action="store_true",
        help="confirm orders dated before 2000-01-01 or more than a day ahead (without it they are errors)",
    )
    p.add_argument(
        "--errors-file",
        metavar="FILE",
        help="write every problem to FILE as CSV (row, column, reason); the output lists the first 1,000",
    )
    _flag(p, "auto-paid", "invoices are paid by the store's payment (this run only)")
    _flag(p, "default-customer", "all orders go to the store's walk-in customer (this run only)")
    _flag(p, "allow-negative-stock", "stock may go below zero (this run only)")
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("post", parents=[common], help="post chosen store orders to the books by hand")
    p.add_argument("--store", required=True)
    p.add_argument("--order", action="append", required=True, metavar="EXTERNAL_ID")
    p.set_defaults(handler=cmd_post)

    group = sub.add_parser("store", help="stores (sales channels)").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    p = group.add_parser("set", parents=[common], help="create a store or change its options")
    p.add_argument("name")
    p.add_argument("--profile")
    _flag(p, "auto-paid", "create paid invoices automatically")
    _flag(p, "default-customer", "use one walk-in customer for all orders")
    _flag(p, "allow-negative-stock", "let imports take stock below zero")
    _flag(p, "link", "link (or --no-link to unlink) the store; its history is kept")
    p.set_defaults(handler=cmd_store_set)
    group.add_parser("list", parents=[common]).set_defaults(handler=cmd_store_list)
    p = group.add_parser(
        "log", parents=[common], help="the sync log: every import and post attempt per order"
    )
    p.add_argument("name", nargs="?")
    p.add_argument("--order", metavar="EXTERNAL_ID")
    p.add_argument("--failed", action="store_true")
    p.set_defaults(handler=cmd_store_log)
    p = group.add_parser(
        "imports",
        parents=[common],
        help="the imports, newest first: counts and status (done, interrupted, …)",
    )
    p.add_argument("name", nargs="?")
    p.set_defaults(handler=cmd_store_imports)
