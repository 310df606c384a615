"""Messaging against a real SMTP server (aiosmtpd on 127.0.0.1): outbox, credits, retries, reminders (SPEC M1–M9, C10, I4)."""

from __future__ import annotations

import json
import socket
import threading
from collections import Counter
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backoffice import documents, messaging
from backoffice.cli import main
from backoffice.core.context import Context
from backoffice.core.errors import ConflictError, NotFoundError, ValidationError
from backoffice.db import Database, audit
from backoffice.sales import invoices, orders
from backoffice.sales.orders import LineRequest
from tests.factories import make_customer, make_org, make_product

PASSWORD = "Smtp#Secret-9"


class Catcher:
    """Stores every accepted message; `refuse` maps a recipient to the reply its RCPT gets (once, or always)."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []
        self.refuse: dict[str, str] = {}
        self.refuse_once: dict[str, str] = {}

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse_once:
            return self.refuse_once.pop(address)
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 Message accepted"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.received]  # type: ignore[misc]

    def deliveries(self) -> Counter[tuple[str, str]]:
        """(Message-ID, recipient) → how many times it arrived: every value must be 1."""
        counts: Counter[tuple[str, str]] = Counter()
        for (_, rcpts, _), msg in zip(self.received, self.messages(), strict=True):
            counts.update((msg["Message-ID"], r) for r in rcpts)
        return counts


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and data.login == b"shop" and data.password == PASSWORD.encode()
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers a refusal with 535


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _controller(catcher: Catcher, port: int) -> Controller:
    controller = Controller(
        catcher, hostname="127.0.0.1", port=port, auth_require_tls=False, authenticator=_authenticate
    )
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Any:
    catcher = Catcher()
    port = _free_port()
    catcher.port = port  # type: ignore[attr-defined]
    catcher.controller = _controller(catcher, port)  # type: ignore[attr-defined]
    yield catcher
    try:
        catcher.controller.stop()  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001,S110 - already stopped by the test
        pass


def _shop(database: Database, smtp: Any, credits: int = 100, user: bool = False) -> Context:
    _, admin = make_org(database, name=None)
    make_product(admin, "CUP", price="100", stock=1000)
    messaging.set_smtp_settings(
        admin, "127.0.0.1", smtp.port, "billing@shop.example", "متجر الورد", tls="none",
        user="shop" if user else None, password=PASSWORD if user else None,
    )  # fmt: skip
    if credits:
        messaging.add_credits(admin, credits)
    return admin


def _invoice(ctx: Context, customer: int, on: date | None = None) -> str:
    order_id = orders.create_order(ctx, customer, [LineRequest("CUP", 1)], status="confirmed", order_on=on)
    return invoices.issue_invoice(ctx, order_id, issued_on=on)


def _text_part(msg: EmailMessage) -> str:
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def _attachments(msg: EmailMessage) -> list[tuple[str, bytes]]:
    return [(str(a.get_filename()), a.get_content()) for a in msg.iter_attachments()]


def test_invoice_goes_to_every_address_and_cc_with_note_on_top_and_the_downloaded_pdf(
    db: Database, smtp
) -> None:
    admin = _shop(db, smtp, credits=10)
    customer = make_customer(admin, emails="ali@example.com, accounts@example.com")
    number = _invoice(admin, customer)
    draft = messaging.draft_document(admin, "invoice", number)
    assert draft["to"] == ["ali@example.com", "accounts@example.com"] and draft["credits"] == 10

    sent = messaging.send_document(
        admin, "invoice", number, cc="boss@example.com", note="Thanks for your order!"
    )

    assert sent["status"] == "sent", sent["error"]
    assert sent["credits"] == 3 and messaging.get_credits(admin) == 7
    ((mail_from, rcpts, _),) = smtp.received
    assert mail_from == "billing@shop.example"
    assert rcpts == ["ali@example.com", "accounts@example.com", "boss@example.com"]
    (msg,) = smtp.messages()
    assert msg["To"] == "ali@example.com, accounts@example.com" and msg["Cc"] == "boss@example.com"
    assert number in msg["Subject"] and "متجر الورد" in str(msg["From"])
    assert _text_part(msg).startswith("Thanks for your order!\n")
    assert _attachments(msg) == [(f"{number}.pdf", documents.render_invoice_pdf(admin, number))]
    listed = messaging.list_outbox(admin)
    assert [(m["doc_number"], m["status"], m["created_by_name"]) for m in listed] == [
        (number, "sent", admin.user.actor)
    ]


def test_headers_are_cleaned_and_arabic_subjects_and_file_names_survive(duck: Database, smtp) -> None:
    admin = _shop(duck, smtp)
    customer = make_customer(admin, name="عميل الورد", emails="ali@example.com")
    number = _invoice(admin, customer)
    messaging.send_document(admin, "invoice", number, subject="فاتورة\r\nBcc: evil@example.com\x00")
    messaging.send_document(admin, "statement", str(customer))
    with pytest.raises(ValidationError, match="not an email address"):
        messaging.send_document(admin, "invoice", number, to="ali@example.com\r\nBcc: evil@example.com")
    invoice_msg, statement_msg = smtp.messages()
    assert invoice_msg["Subject"] == "فاتورة Bcc: evil@example.com" and invoice_msg["Bcc"] is None
    assert all("evil@example.com" not in rcpts for _, rcpts, _ in smtp.received)
    ((name, pdf),) = _attachments(statement_msg)
    assert name == f"Statement عميل الورد {date.today()}.pdf" and pdf.startswith(b"%PDF")


def test_sending_stops_at_zero_credits_with_a_clear_message_and_queues_nothing(duck: Database, smtp) -> None:
    admin = _shop(duck, smtp, credits=1)
    customer = make_customer(admin, emails="a@example.com, b@example.com")
    number = _invoice(admin, customer)
    with pytest.raises(ConflictError, match="Not enough message credits: 2 needed, 1 left"):
        messaging.send_document(admin, "invoice", number)
    assert messaging.list_outbox(admin) == [] and messaging.get_credits(admin) == 1 and smtp.received == []


def test_the_smtp_password_never_comes_back_nor_enters_the_audit_log_or_the_outbox(
    duck: Database, smtp
) -> None:
    admin = _shop(duck, smtp, user=True)
    settings = messaging.get_smtp_settings(admin)
    assert settings is not None and settings["has_password"] and PASSWORD not in json.dumps(settings)
    messaging.set_smtp_settings(
        admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none", user="shop"
    )
    assert messaging.get_smtp_settings(admin)["has_password"]  # type: ignore[index]  # kept when not re-entered
    sent = messaging.send_test_message(admin, "me@example.com")  # logs in with the stored password
    assert sent["status"] == "sent", sent["error"]
    entries = audit.list_entries(admin, limit=1000)
    assert PASSWORD not in json.dumps(entries, default=str)
    changes = [json.loads(e["after_json"]) for e in entries if e["entity"] == "smtp_settings"]
    assert [c["smtp_password"] for c in changes] == ["***", "***"]
    assert PASSWORD not in json.dumps(messaging.list_outbox(admin), default=str)


def test_refused_recipients_end_failed_and_a_retry_completes_them_without_duplicates(
    duck: Database, smtp
) -> None:
    admin = _shop(duck, smtp)
    partly = make_customer(admin, emails="ok@example.com, later@example.com")
    nobody = make_customer(admin, emails="nouser@example.com")
    first, second = _invoice(admin, partly), _invoice(admin, nobody)
    smtp.refuse_once["later@example.com"] = "451 4.3.0 try later"
    smtp.refuse["nouser@example.com"] = "550 5.1.1 no such user"

    result = messaging.send_bulk(admin, messaging.BulkSelection(numbers=f"{first}..{second}"))

    assert (result["sent"], result["failed"]) == (0, 2)
    failed = {m["doc_number"]: m for m in messaging.list_outbox(admin, "failed")}
    assert (
        "451 4.3.0 try later" in failed[first]["error"]
        and failed[first]["pending_addrs"] == "later@example.com"
    )
    assert "550 5.1.1 no such user" in failed[second]["error"]
    del smtp.refuse["nouser@example.com"]  # the mailbox was created

    assert messaging.retry_failed(admin) == {"retried": 2, "sent": 2, "failed": 0}
    assert messaging.retry_failed(admin) == {"retried": 0, "sent": 0, "failed": 0}
    counts = smtp.deliveries()
    assert sorted(r for _, r in counts) == ["later@example.com", "nouser@example.com", "ok@example.com"]
    assert set(counts.values()) == {1}
    assert {m["status"] for m in messaging.list_outbox(admin)} == {"sent"}


def test_a_connection_dropped_mid_batch_leaves_failed_rows_that_a_retry_sends_once(
    duck: Database, smtp
) -> None:
    admin = _shop(duck, smtp)
    numbers = [_invoice(admin, make_customer(admin)) for _ in range(4)]

    def progress(done: int, total: int, stage: str) -> None:
        if stage == "send" and done == 2:
            smtp.controller.stop()

    result = messaging.send_bulk(
        admin, messaging.BulkSelection(numbers=f"{numbers[0]}..{numbers[-1]}"), progress=progress
    )
    assert (result["sent"], result["failed"]) == (2, 2)
    assert all("mail server" in m["error"] for m in messaging.list_outbox(admin, "failed"))
    smtp.controller = _controller(smtp, smtp.port)

    assert messaging.retry_failed(admin)["sent"] == 2
    counts = smtp.deliveries()
    assert len(counts) == 4 and set(counts.values()) == {1}
    assert sorted(m["Subject"].split()[1] for m in smtp.messages()) == numbers


def test_two_bulk_sends_at_once_never_take_credits_below_zero(db: Database, smtp) -> None:
    admin = _shop(db, smtp, credits=5)
    numbers = [_invoice(admin, make_customer(admin)) for _ in range(3)]
    for number in numbers:  # render once, so the threads race on the queue rather than on drawing
        documents.render_invoice_pdf(admin, number)
    outcomes: list[object] = []

    def send() -> None:
        try:
            outcomes.append(
                messaging.send_bulk(admin, messaging.BulkSelection(numbers=f"{numbers[0]}..{numbers[-1]}"))[
                    "sent"
                ]
            )
        except ConflictError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str) == [3, "Not enough message credits: 3 needed, 2 left. Ask an admin to add "
                                          "credits; nothing was sent."]  # fmt: skip
    assert messaging.get_credits(admin) == 2 and len(smtp.received) == 3


def test_bulk_preview_counts_messages_recipients_credits_and_missing_addresses(duck: Database, smtp) -> None:
    admin = _shop(duck, smtp)
    two = make_customer(admin, emails="a@example.com, b@example.com")
    none = make_customer(admin, emails="")
    numbers = [_invoice(admin, two), _invoice(admin, none), _invoice(admin, two)]
    plan = messaging.preview_bulk(admin, messaging.BulkSelection(numbers="1..3"))
    assert (plan["messages"], plan["credits"], plan["recipients"]) == (
        2,
        4,
        ["a@example.com", "b@example.com"],
    )
    assert [m["number"] for m in plan["missing_address"]] == [numbers[1]]
    assert (
        messaging.preview_bulk(admin, messaging.BulkSelection(numbers=f"{numbers[1]}..{numbers[1]}"))[
            "messages"
        ]
        == 0
    )
    assert (
        messaging.preview_bulk(admin, messaging.BulkSelection(date_from=date.today(), date_to=date.today()))[
            "messages"
        ]
        == 2
    )
    with pytest.raises(ValidationError, match="FROM..TO"):
        messaging.preview_bulk(admin, messaging.BulkSelection(numbers="INV-1-INV-3"))
    assert smtp.received == []


def test_one_reminder_per_customer_lists_every_overdue_invoice_with_the_statement(
    duck: Database, smtp
) -> None:
    admin = _shop(duck, smtp)
    late = make_customer(admin, emails="late@example.com", payment_terms_days="30")
    once = make_customer(admin, emails="once@example.com", payment_terms_days="30")
    old = date.today() - timedelta(days=45)
    overdue = [_invoice(admin, late, old) for _ in range(3)]
    single, not_due = _invoice(admin, once, old), _invoice(admin, once)

    assert messaging.send_reminders(admin, dry_run=True)["messages"] == 2 and smtp.received == []
    result = messaging.send_reminders(admin)

    assert (result["messages"], result["sent"]) == (2, 2)
    by_to = {m["To"]: m for m in smtp.messages()}
    text = _text_part(by_to["late@example.com"])
    assert all(n in text for n in overdue)
    once_text = _text_part(by_to["once@example.com"])
    assert single in once_text and not_due not in once_text
    ((_, pdf),) = _attachments(by_to["late@example.com"])
    assert pdf.startswith(b"%PDF")
    assert messaging.send_due_reminders(admin)["sent"] == 0 and len(smtp.received) == 2  # once a day


def test_welcome_share_link_and_supplier_statement(duck: Database, smtp) -> None:
    admin = _shop(duck, smtp)
    customer = make_customer(admin, emails="new@example.com", phone="+966 50 123 4567")
    assert messaging.send_welcome(admin, customer) is None  # off by default
    messaging.set_smtp_settings(
        admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none", welcome_enabled=True
    )
    assert messaging.send_welcome(admin, customer)["status"] == "sent"  # type: ignore[index]
    number = _invoice(admin, customer)
    credits = messaging.get_credits(admin)
    link = messaging.share_link(admin, "invoice", number)
    assert link["url"].startswith("https://wa.me/966501234567?text=") and number in link["text"]
    assert "115.00" in link["text"] and messaging.get_credits(admin) == credits
    assert messaging.list_outbox(admin, "shared")[0]["doc_number"] == number
    supplier = make_customer(admin, role="supplier", emails="supplier@example.com")
    assert messaging.send_document(admin, "statement", str(supplier))["status"] == "sent"
    assert [m["To"] for m in smtp.messages()] == ["new@example.com", "supplier@example.com"]


def _cli(capsys, *args: str) -> tuple[int, Any]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out.strip() else err)


def test_cli_smtp_credits_send_outbox_bulk_and_remind(duck: Database, smtp, capsys, monkeypatch) -> None:
    _, admin = make_org(duck, name="Rose")
    make_product(admin, "CUP", price="100", stock=1000)
    number = _invoice(admin, make_customer(admin, emails="ali@example.com"))
    path = duck.url.split(":///", 1)[1]
    duck.dispose()
    base = ["--db", path, "--org", "Rose", "--json"]
    monkeypatch.setenv("SMTP_PW", PASSWORD)
    code, settings = _cli(capsys, "smtp", "set", *base, "--host", "127.0.0.1", "--port", str(smtp.port),
                          "--sender", "billing@shop.example", "--tls", "none", "--user", "shop",
                          "--password-env", "SMTP_PW")  # fmt: skip
    assert code == 0 and settings["has_password"] and PASSWORD not in json.dumps(settings)
    code, error = _cli(capsys, "send", "invoice", number, *base)
    assert code == 2 and "Not enough message credits: 1 needed, 0 left" in error
    assert _cli(capsys, "credits", "add", "5", *base) == (0, {"balance": 5})
    code, sent = _cli(capsys, "send", "invoice", number, *base, "--cc", "boss@example.com", "--note", "Hi")
    assert code == 0 and sent["status"] == "sent" and sent["credits"] == 2
    code, listed = _cli(capsys, "outbox", *base, "--status", "sent")
    assert code == 0 and [r["document"] for r in listed] == [number]
    assert _cli(capsys, "outbox", "retry", *base) == (0, {"retried": 0, "sent": 0, "failed": 0})
    code, plan = _cli(capsys, "send", "bulk", *base, "--numbers", "1..9", "--preview")
    assert code == 0 and {k: plan[k] for k in ("messages", "credits", "recipients", "missing_address")} == {
        "messages": 1, "credits": 1, "recipients": ["ali@example.com"], "missing_address": []}  # fmt: skip
    code, reminders = _cli(capsys, "remind", *base, "--dry-run")
    assert code == 0 and reminders["messages"] == 0
    assert len(smtp.received) == 1


def test_a_welcome_to_another_organizations_customer_is_not_found(db: Database) -> None:
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    theirs = make_customer(admin_b)
    with pytest.raises(NotFoundError, match=f"No contact #{theirs} in this organization"):
        messaging.send_welcome(admin_a, theirs)  # welcome messages are off in A: still not A's customer
    assert messaging.send_welcome(admin_a, make_customer(admin_a)) is None  # A's own: off, nothing sent


def test_registering_a_customer_sends_the_welcome_message_when_enabled(duck: Database, smtp) -> None:

    admin = _shop(duck, smtp)
    messaging.save_customer_and_welcome(admin, {"name": "Quiet", "emails": "quiet@example.com"})
    assert smtp.messages() == []  # off by default
    messaging.set_smtp_settings(
        admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none", welcome_enabled=True
    )
    messaging.save_customer_and_welcome(admin, {"name": "سارة", "emails": "sara@example.com"})
    messaging.save_customer_and_welcome(
        admin, {"name": "Supplier Co", "emails": "supply@example.com", "role": "supplier"}
    )
    assert [m["To"] for m in smtp.messages()] == ["sara@example.com"]


def test_the_apps_scheduler_sends_each_overdue_customer_one_reminder_a_day(duck: Database, smtp) -> None:
    from backoffice.admin import scheduler

    admin = _shop(duck, smtp)
    late = make_customer(admin, emails="late@example.com")
    _invoice(admin, late, date.today() - timedelta(days=60))
    first = scheduler.run_once(duck)
    assert first[admin.org_id]["sent"] == 1
    assert scheduler.run_once(duck)[admin.org_id]["sent"] == 0  # once a day
    assert [m["To"] for m in smtp.messages()] == ["late@example.com"]


def test_the_scheduler_survives_any_failure_and_runs_again_next_tick(
    duck: Database, smtp, monkeypatch
) -> None:
    """A defect (not a BackofficeError) in one organization's round, or a round that fails as a whole, is logged;
    the other organizations still get their reminders, and the thread runs the next round."""
    import threading

    from backoffice.admin import scheduler

    first, second = _shop(duck, smtp), _shop(duck, smtp)
    original = messaging.send_due_reminders
    calls: list[int] = []
    rounds = threading.Semaphore(0)

    def flaky(ctx):
        calls.append(ctx.org_id)
        if ctx.org_id == first.org_id:
            raise KeyError("a defect")
        return original(ctx)

    monkeypatch.setattr(messaging, "send_due_reminders", flaky)
    done = scheduler.run_once(duck)
    assert done[first.org_id] == {"error": "KeyError: 'a defect'"} and done[second.org_id]["sent"] == 0

    real_round = scheduler.run_once
    failures = iter([RuntimeError("database unreachable")])

    def round_that_fails_once(db):
        rounds.release()
        for exc in failures:
            raise exc
        return real_round(db)

    monkeypatch.setattr(scheduler, "run_once", round_that_fails_once)
    stop = threading.Event()
    thread = scheduler.start(duck, interval=0.05, stop=stop)
    try:
        for _ in range(3):  # the failed round, then two more: the thread lives on
            assert rounds.acquire(timeout=30)
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(timeout=30)


def test_a_report_is_emailed_as_xlsx_through_the_outbox(duck: Database, smtp) -> None:
    import io

    from openpyxl import load_workbook

    from backoffice import reports

    admin = _shop(duck, smtp)
    customer = make_customer(admin, emails="owner@example.com")
    _invoice(admin, customer)
    before = messaging.get_credits(admin)
    sent = reports.email_report(
        admin, "sales", "accountant@example.com", cc="owner@example.com", note="For the month"
    )
    assert sent["status"] == "sent" and messaging.get_credits(admin) == before - 2
    (mail,) = smtp.messages()
    assert mail["Cc"] == "owner@example.com" and _text_part(mail).startswith("For the month")
    ((name, data),) = _attachments(mail)
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.max_row >= 2  # the report's rows, as in the download


def test_a_configured_welcome_invoice_is_issued_posted_and_attached_once(duck: Database, smtp) -> None:
    from backoffice.books import ledger
    from backoffice.contacts import customers

    admin = _shop(duck, smtp)
    make_product(admin, "JOIN", price="50", track_stock=False)  # a membership fee: a service, no stock
    with pytest.raises(ValidationError, match="no product with SKU NOPE"):
        messaging.set_smtp_settings(admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none",
                                    welcome_enabled=True, welcome_invoice="JOIN:2, NOPE")  # fmt: skip
    with pytest.raises(ValidationError, match="JOIN.*whole number"):
        messaging.set_smtp_settings(admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none",
                                    welcome_enabled=True, welcome_invoice="JOIN:half")  # fmt: skip
    assert messaging.get_smtp_settings(admin)["welcome_invoice"] == []  # type: ignore[index] # nothing half-saved
    messaging.set_smtp_settings(admin, "127.0.0.1", smtp.port, "billing@shop.example", "متجر الورد", tls="none",
                                welcome_enabled=True, welcome_invoice="JOIN:٢")  # fmt: skip
    assert messaging.get_smtp_settings(admin)["welcome_invoice"] == [{"sku": "JOIN", "quantity": 2}]  # type: ignore[index]

    customer = messaging.save_customer_and_welcome(admin, {"name": "ليلى", "emails": "laila@example.com"})
    (issued,), _ = invoices.list_invoices(admin, customer_id=customer)
    assert issued["total_minor"] == 11_500  # 2 × 50.00 + 15 % VAT
    (mail,) = smtp.messages()
    assert mail["To"] == "laila@example.com" and mail["From"].addresses[0].display_name == "متجر الورد"
    assert issued["number_text"] in _text_part(mail) and "115.00" in _text_part(mail)
    assert _attachments(mail) == [
        (f"{issued['number_text']}.pdf", documents.render_invoice_pdf(admin, issued["number_text"]))
    ]
    assert ledger.trial_balance(admin).balanced
    assert customers.get_customer(admin, customer)["balance_minor"] == 11_500

    again = messaging.send_welcome(admin, customer)  # once per customer: nothing new issued or sent
    assert again is not None and again["doc_number"] == issued["number_text"]
    assert invoices.list_invoices(admin, customer_id=customer)[1] == 1 and len(smtp.received) == 1

    messaging.set_smtp_settings(admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none",
                                welcome_invoice="")  # fmt: skip
    plain = messaging.save_customer_and_welcome(admin, {"name": "Omar", "emails": "omar@example.com"})
    assert (
        invoices.list_invoices(admin, customer_id=plain)[1] == 0 and _attachments(smtp.messages()[-1]) == []
    )


def test_cli_sets_and_removes_the_welcome_invoice(duck: Database, smtp, capsys) -> None:
    _, admin = make_org(duck, name="Rose")
    make_product(admin, "JOIN", price="10", track_stock=False)
    path = duck.url.split(":///", 1)[1]
    duck.dispose()
    base = ["smtp", "set", "--db", path, "--org", "Rose", "--json", "--host", "127.0.0.1", "--port", str(smtp.port),
            "--sender", "billing@shop.example", "--tls", "none"]  # fmt: skip
    code, error = _cli(capsys, *base, "--welcome", "--welcome-invoice", "JOIN:2,GONE")
    assert code == 2 and "no product with SKU GONE" in error
    code, settings = _cli(capsys, *base, "--welcome", "--welcome-invoice", "JOIN:2")
    assert code == 0 and settings["welcome_invoice"] == [{"sku": "JOIN", "quantity": 2}]
    code, settings = _cli(capsys, *base)  # the flag left out keeps the lines
    assert settings["welcome_invoice"] == [{"sku": "JOIN", "quantity": 2}] and settings["welcome_enabled"]
    code, settings = _cli(capsys, *base, "--welcome-invoice", "")
    assert code == 0 and settings["welcome_invoice"] == []


def test_progress_reaches_the_total_when_the_server_goes_away_mid_batch(duck: Database, smtp) -> None:
    admin = _shop(duck, smtp)
    numbers = [_invoice(admin, make_customer(admin)) for _ in range(7)]
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int, stage: str) -> None:
        if stage == "send":
            seen.append((done, total))
            if done == 3:
                smtp.controller.stop()

    result = messaging.send_bulk(
        admin, messaging.BulkSelection(numbers=f"{numbers[0]}..{numbers[-1]}"), progress=progress
    )
    assert (result["sent"], result["failed"]) == (3, 4) and seen[-1] == (7, 7)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert messaging.get_credits(admin) == 100 - 7  # every message queued and charged once
    smtp.controller = _controller(smtp, smtp.port)
    assert messaging.retry_failed(admin)["sent"] == 4
    counts = smtp.deliveries()
    assert len(counts) == 7 and set(counts.values()) == {1}
    assert sorted(m["Subject"].split()[1] for m in smtp.messages()) == numbers


def test_a_refused_password_is_named_as_such_and_an_unreachable_server_still_says_so(
    duck: Database, smtp, capsys
) -> None:
    admin = _shop(duck, smtp, user=True)
    messaging.set_smtp_settings(
        admin, "127.0.0.1", smtp.port, "billing@shop.example", tls="none", user="shop", password="wrong"
    )
    refused = messaging.send_test_message(admin, "me@example.com")
    assert refused["status"] == "failed" and smtp.received == []
    assert refused["error"].startswith("The mail server refused the user name or password")
    assert f"127.0.0.1:{smtp.port}" in refused["error"] and "535" in refused["error"]
    assert "Could not reach" not in refused["error"]
    smtp.controller.stop()  # a server that is not there is still "not reached"
    gone = messaging.send_test_message(admin, "me@example.com")
    assert gone["status"] == "failed" and gone["error"].startswith(
        f"Could not reach the mail server 127.0.0.1:{smtp.port}"
    )
