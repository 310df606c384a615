"""`backoffice smtp|send|outbox|credits|remind`: sender settings, emailing documents, the outbox."""

from __future__ import annotations

from datetime import date
from typing import Any

import click

from backoffice.cli import common
from backoffice.core.errors import ValidationError
from backoffice.messaging import KINDS, STATUSES, TLS_MODES


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


smtp = common.Group("smtp")


@smtp.command("set", help="save host, port, TLS, user, password and sender")
@common.options()
@click.option("--host", required=True)
@click.option("--port", required=True)
@click.option("--sender", required=True, metavar="ADDRESS")
@click.option("--sender-name")
@click.option("--tls", type=common.choice(TLS_MODES), default="starttls")
@click.option("--user")
@click.option("--password-env", metavar="VAR", help="read the password from this environment variable")
@common.flag("welcome", "welcome new customers")
@click.option(
    "--welcome-invoice",
    metavar="SKU[:QTY],...",
    help="products invoiced to each new customer with the welcome message; '' removes them",
)
def set_smtp(
    host: str,
    port: str,
    sender: str,
    sender_name: str | None,
    tls: str,
    user: str | None,
    password_env: str | None,
    welcome: bool | None,
    welcome_invoice: str | None,
) -> None:
    from backoffice import messaging

    password = None
    if password_env:
        password = common.getenv(password_env)
        if not password:
            raise ValidationError(
                f"the environment variable {password_env} is empty or unset", "password-env"
            )
    settings = messaging.set_smtp_settings(
        common.context(),
        host=host,
        port=port,
        sender_address=sender,
        sender_name=sender_name,
        tls=tls,
        user=user,
        password=password,
        welcome_enabled=welcome,
        welcome_invoice=welcome_invoice,
    )
    common.emit(settings, f"Sender settings saved: {settings['sender_address']} via {host}:{port}.")


@smtp.command("test", help="send a test message")
@common.options()
@click.option("--to", required=True)
def test(to: str) -> int:
    from backoffice import messaging

    message = messaging.send_test_message(common.context(), to)
    common.emit(_row(message), f"Test message {message['status']}. {message['error'] or ''}".strip())
    return 0 if message["status"] == "sent" else 1


send = common.Group("send")


def _send_command(kind: str) -> click.Command:
    """`send invoice|credit-note|statement NUMBER`: one document with its PDF."""

    @send.command(
        kind.replace("_", "-"),
        help=f"email a {kind.replace('_', '-')} with its PDF",
        epilog="NUMBER: CUSTOMER_ID or CUSTOMER_ID:FROM..TO" if kind == "statement" else None,
    )
    @common.options()
    @click.argument("number")
    @click.option("--to", multiple=True, metavar="ADDR", help="default: the contact's addresses")
    @click.option("--cc", multiple=True, metavar="ADDR")
    @click.option("--note", help="placed at the top of the message")
    @click.option("--subject")
    def send_document(
        number: str, to: tuple[str, ...], cc: tuple[str, ...], note: str | None, subject: str | None
    ) -> int:
        from backoffice import messaging

        message = messaging.send_document(
            common.context(),
            kind,
            number,
            to=common.listed(to),
            cc=common.listed(cc),
            note=note,
            subject=subject,
        )
        common.emit(
            _row(message), f"{number}: {message['status']} to {message['to_addrs']}. {message['error'] or ''}"
        )
        return 0 if message["status"] == "sent" else 1

    return send_document


for _kind in KINDS:
    _send_command(_kind)


@send.command("bulk", help="email all invoices in a number or date range")
@common.options()
@click.option("--numbers", metavar="FROM..TO", help="INV-000001..INV-000050 or 1..50")
@click.option("--from", "date_from", metavar="YYYY-MM-DD")
@click.option("--to", "date_to", metavar="YYYY-MM-DD")
@click.option("--category", help="only customers in this category")
@click.option("--unpaid", is_flag=True, help="only invoices with something left to pay")
@click.option("--note")
@click.option("--preview", is_flag=True, help="count messages, recipients and credits; send nothing")
def bulk(
    numbers: str | None,
    date_from: str | None,
    date_to: str | None,
    category: str | None,
    unpaid: bool,
    note: str | None,
    preview: bool,
) -> int:
    from backoffice import messaging

    ctx = common.context()
    if not numbers and not (date_from or date_to):
        raise ValidationError("choose --numbers FROM..TO or --from D --to D", "numbers")
    selection = messaging.BulkSelection(
        numbers=numbers,
        date_from=_date(date_from, "from"),
        date_to=_date(date_to, "to"),
        category=category,
        unpaid_only=unpaid,
    )
    if preview:
        plan = messaging.preview_bulk(ctx, selection)
        common.emit(plan, f"{plan['messages']} messages, {plan['credits']} credits, "
                          f"{len(plan['missing_address'])} without an address.")  # fmt: skip
        return 0
    result = messaging.send_bulk(ctx, selection, note=note)
    common.emit(result, f"{result['sent']} sent, {result['failed']} failed of {result['messages']}.")
    return 0 if not result["failed"] else 1


@click.command("outbox", cls=common.Command)
@common.options()
@click.argument("action", required=False, default="list", type=common.choice(("list", "retry")))
@click.option("--status", type=common.choice(STATUSES))
@click.option("--limit", type=int, default=200)
def outbox(action: str, status: str | None, limit: int) -> int:
    from backoffice import messaging

    ctx = common.context()
    if action == "retry":
        result = messaging.retry_failed(ctx)
        common.emit(result, f"{result['sent']} sent, {result['failed']} still failing.")
        return 0 if not result["failed"] else 1
    rows = [_row(m) for m in messaging.list_outbox(ctx, status, limit=limit)]
    common.emit(rows, "\n".join(f"#{r['id']} {r['status']:<7} {r['document'] or '-'} {r['to']} {r['error'] or ''}"
                                for r in rows) or "The outbox is empty.")  # fmt: skip
    return 0


@click.command("credits", cls=common.Command)
@common.options()
@click.argument("action", required=False, default="show", type=common.choice(("show", "add")))
@click.argument("amount", required=False)
def credits(action: str, amount: str | None) -> None:
    from backoffice import messaging

    ctx = common.context()
    if action == "add":
        if amount is None:
            raise ValidationError("how many credits? e.g. `backoffice credits add 100`", "credits")
        balance = messaging.add_credits(ctx, amount)
    else:
        balance = messaging.get_credits(ctx)
    common.emit({"balance": balance}, f"{balance} message credits.")


@click.command("remind", cls=common.Command)
@common.options()
@click.option("--dry-run", is_flag=True, help="list who would be reminded; send nothing")
def remind(dry_run: bool) -> int:
    from backoffice import messaging

    result = messaging.send_reminders(common.context(), dry_run=dry_run)
    common.emit(result, f"{result['messages']} reminders ({result['sent']} sent, {result['failed']} failed); "
                        f"{len(result['missing_address'])} customers without an address.")  # fmt: skip
    return 0 if not result["failed"] else 1
