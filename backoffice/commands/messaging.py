"""`backoffice smtp|send|outbox|credits|remind`: sender settings, emailing documents, the outbox (SPEC M1–M7, X2)."""

from __future__ import annotations

import argparse
import os
from datetime import date
from typing import Any

from backoffice.core.errors import ValidationError


def _date(text: str | None, field: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError("a date is YYYY-MM-DD", field) from exc


def _row(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": message["message_id"],
        "status": message["status"],
        "channel": message["channel"],
        "document": message["doc_number"],
        "kind": message["doc_kind"],
        "to": message["to_addrs"],
        "cc": message["cc_addrs"],
        "subject": message["subject"],
        "credits": message["credits"],
        "error": message["error"],
        "attempts": message["attempts"],
        "user": message["created_by_name"],
        "created_at": message["created_at"],
        "sent_at": message["sent_at"],
    }


def cmd_smtp_set(args: argparse.Namespace) -> None:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    password = None
    if args.password_env:
        password = os.environ.get(args.password_env)
        if not password:
            raise ValidationError(
                f"the environment variable {args.password_env} is empty or unset", "password-env"
            )
    settings = messaging.set_smtp_settings(
        _context(args),
        host=args.host,
        port=args.port,
        sender_address=args.sender,
        sender_name=args.sender_name,
        tls=args.tls,
        user=args.user,
        password=password,
        welcome_enabled=args.welcome,
        welcome_invoice=args.welcome_invoice,
    )
    _emit(args, settings, f"Sender settings saved: {settings['sender_address']} via {args.host}:{args.port}.")


def cmd_smtp_test(args: argparse.Namespace) -> int:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    message = messaging.send_test_message(_context(args), args.to)
    _emit(args, _row(message), f"Test message {message['status']}. {message['error'] or ''}".strip())
    return 0 if message["status"] == "sent" else 1


def cmd_send_document(args: argparse.Namespace) -> int:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    kind = args.kind.replace("-", "_")
    message = messaging.send_document(
        _context(args),
        kind,
        args.number,
        to=args.to or None,
        cc=args.cc or None,
        note=args.note,
        subject=args.subject,
    )
    _emit(
        args,
        _row(message),
        f"{args.number}: {message['status']} to {message['to_addrs']}. {message['error'] or ''}",
    )
    return 0 if message["status"] == "sent" else 1


def cmd_send_bulk(args: argparse.Namespace) -> int:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    ctx = _context(args)
    if not args.numbers and not (args.date_from or args.date_to):
        raise ValidationError("choose --numbers FROM..TO or --from D --to D", "numbers")
    selection: dict[str, Any] = {
        "numbers": args.numbers,
        "date_from": _date(args.date_from, "from"),
        "date_to": _date(args.date_to, "to"),
        "category": args.category,
        "unpaid_only": args.unpaid,
    }
    if args.preview:
        plan = messaging.preview_bulk(ctx, **selection)
        _emit(args, plan, f"{plan['messages']} messages, {plan['credits']} credits, "
                          f"{len(plan['missing_address'])} without an address.")  # fmt: skip
        return 0
    result = messaging.send_bulk(ctx, **selection, note=args.note)
    _emit(args, result, f"{result['sent']} sent, {result['failed']} failed of {result['messages']}.")
    return 0 if not result["failed"] else 1


def cmd_outbox(args: argparse.Namespace) -> int:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    ctx = _context(args)
    if args.action == "retry":
        result = messaging.retry_failed(ctx)
        _emit(args, result, f"{result['sent']} sent, {result['failed']} still failing.")
        return 0 if not result["failed"] else 1
    rows = [_row(m) for m in messaging.list_outbox(ctx, args.status, limit=args.limit)]
    _emit(args, rows, "\n".join(f"#{r['id']} {r['status']:<7} {r['document'] or '-'} {r['to']} {r['error'] or ''}"
                                for r in rows) or "The outbox is empty.")  # fmt: skip
    return 0


def cmd_credits(args: argparse.Namespace) -> None:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    ctx = _context(args)
    if args.action == "add":
        if args.amount is None:
            raise ValidationError("how many credits? e.g. `backoffice credits add 100`", "credits")
        balance = messaging.add_credits(ctx, args.amount)
    else:
        balance = messaging.get_credits(ctx)
    _emit(args, {"balance": balance}, f"{balance} message credits.")


def cmd_remind(args: argparse.Namespace) -> int:
    from backoffice import messaging
    from backoffice.cli import _context, _emit

    result = messaging.send_reminders(_context(args), dry_run=args.dry_run)
    _emit(args, result, f"{result['messages']} reminders ({result['sent']} sent, {result['failed']} failed); "
                        f"{len(result['missing_address'])} customers without an address.")  # fmt: skip
    return 0 if not result["failed"] else 1


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    smtp = sub.add_parser("smtp", help="sender (SMTP) settings").add_subparsers(dest="action", required=True)
    p = smtp.add_parser("set", parents=[common], help="save host, port, TLS, user, password and sender")
    p.add_argument("--host", required=True)
    p.add_argument("--port", required=True)
    p.add_argument("--sender", required=True, metavar="ADDRESS")
    p.add_argument("--sender-name")
    p.add_argument("--tls", choices=["none", "starttls", "ssl"], default="starttls")
    p.add_argument("--user")
    p.add_argument("--password-env", metavar="VAR", help="read the password from this environment variable")
    p.add_argument(
        "--welcome", action=argparse.BooleanOptionalAction, default=None, help="welcome new customers"
    )
    p.add_argument(
        "--welcome-invoice",
        metavar="SKU[:QTY],...",
        help="products invoiced to each new customer with the welcome message; '' removes them",
    )
    p.set_defaults(handler=cmd_smtp_set)
    p = smtp.add_parser("test", parents=[common], help="send a test message")
    p.add_argument("--to", required=True)
    p.set_defaults(handler=cmd_smtp_test)

    send = sub.add_parser("send", help="email documents").add_subparsers(dest="what", required=True)
    for kind in ("invoice", "credit-note", "statement"):
        p = send.add_parser(kind, parents=[common], help=f"email a {kind} with its PDF")
        p.add_argument(
            "number", help="statement: CUSTOMER_ID or CUSTOMER_ID:FROM..TO" if kind == "statement" else None
        )
        p.add_argument("--to", action="append", metavar="ADDR", help="default: the contact's addresses")
        p.add_argument("--cc", action="append", metavar="ADDR")
        p.add_argument("--note", help="placed at the top of the message")
        p.add_argument("--subject")
        p.set_defaults(handler=cmd_send_document, kind=kind)
    p = send.add_parser("bulk", parents=[common], help="email all invoices in a number or date range")
    p.add_argument("--numbers", metavar="FROM..TO", help="INV-000001..INV-000050 or 1..50")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD")
    p.add_argument("--category", help="only customers in this category")
    p.add_argument("--unpaid", action="store_true", help="only invoices with something left to pay")
    p.add_argument("--note")
    p.add_argument(
        "--preview", action="store_true", help="count messages, recipients and credits; send nothing"
    )
    p.set_defaults(handler=cmd_send_bulk)

    p = sub.add_parser(
        "outbox", parents=[common], help="the outbox; `outbox retry` sends failed messages again"
    )
    p.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    p.add_argument("--status", choices=["queued", "sending", "sent", "failed", "shared"])
    p.add_argument("--limit", type=int, default=200)
    p.set_defaults(handler=cmd_outbox)

    p = sub.add_parser("credits", parents=[common], help="message credits: show, or `credits add N`")
    p.add_argument("action", nargs="?", choices=["show", "add"], default="show")
    p.add_argument("amount", nargs="?")
    p.set_defaults(handler=cmd_credits)

    p = sub.add_parser(
        "remind", parents=[common], help="one payment reminder per customer with overdue invoices"
    )
    p.add_argument("--dry-run", action="store_true", help="list who would be reminded; send nothing")
    p.set_defaults(handler=cmd_remind)
