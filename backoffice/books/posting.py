"""The posting rules: which accounts each business event debits and credits (docs/architecture.md, "The books").

Every rule of the books is here, as the lines of one balanced entry; the services post them through
ledger.post_entry. Work on thousands of documents at once posts set-based in SQL with the same rules:
issued invoices by backoffice.db.queries.sales.post_batch (`invoice_entry`, `stock_out_entry`), a store
import's payments by backoffice.db.queries.imports.record_paid (`payment_entry`); tests hold each pair together.
"""

from __future__ import annotations

from backoffice.books.ledger import EntryLine


def invoice_entry(goods_net: int, shipping_net: int, vat: int, customer_id: int | None) -> list[EntryLine]:
    """Issue invoice: Dr receivable (total) / Cr sales, Cr shipping income, Cr VAT payable."""
    lines = [EntryLine("ar", goods_net + shipping_net + vat, 0, customer_id)]
    lines += [
        EntryLine(role, 0, amount)
        for role, amount in (("sales", goods_net), ("shipping_income", shipping_net), ("vat_payable", vat))
        if amount > 0
    ]
    return lines


def stock_out_entry(cogs: int) -> list[EntryLine]:
    """Goods leave stock at average cost: Dr cost of goods sold / Cr inventory."""
    return [EntryLine("cogs", cogs), EntryLine("inventory", 0, cogs)]


def credit_note_entry(
    goods_net: int, shipping_net: int, vat: int, customer_id: int | None
) -> list[EntryLine]:
    """Credit note: Dr sales returns, Dr shipping income, Dr VAT payable / Cr receivable (total)."""
    lines = [
        EntryLine(role, amount)
        for role, amount in (
            ("sales_returns", goods_net),
            ("shipping_income", shipping_net),
            ("vat_payable", vat),
        )
        if amount > 0
    ]
    return [*lines, EntryLine("ar", 0, goods_net + shipping_net + vat, customer_id)]


def stock_return_entry(cogs: int) -> list[EntryLine]:
    """Returned goods go back to stock at the cost they left at: Dr inventory / Cr cost of goods sold."""
    return [EntryLine("inventory", cogs), EntryLine("cogs", 0, cogs)]


def payment_entry(method_role: str, amount: int, applied: int, customer_id: int | None) -> list[EntryLine]:
    """Money received (a payment or a deposit): Dr the method's account (cash, bank, card clearing …) /
    Cr receivable for what it pays of invoices, Cr customer advances for the rest (held for them)."""
    lines = [EntryLine(method_role, amount)]
    if applied:
        lines.append(EntryLine("ar", 0, applied, customer_id))
    if amount - applied:
        lines.append(EntryLine("customer_advances", 0, amount - applied, customer_id))
    return lines


def settle_entry(amount: int, customer_id: int | None) -> list[EntryLine]:
    """Held credit or a deposit pays invoices: Dr customer advances / Cr receivable."""
    return [EntryLine("customer_advances", amount, 0, customer_id), EntryLine("ar", 0, amount, customer_id)]


def refund_entry(debit_role: str, method_role: str, amount: int, customer_id: int | None) -> list[EntryLine]:
    """Money paid back: Dr receivable (a credit note's refund) or customer advances (held money) / Cr the
    method's account."""
    return [EntryLine(debit_role, amount, 0, customer_id), EntryLine(method_role, 0, amount)]


def credit_kept_entry(amount: int, customer_id: int | None) -> list[EntryLine]:
    """A return's credit kept for the customer: Dr receivable / Cr customer advances, to be applied later."""
    return [EntryLine("ar", amount, 0, customer_id), EntryLine("customer_advances", 0, amount, customer_id)]


def cancellation_fee_entry(fee: int, customer_id: int | None) -> list[EntryLine]:
    """The fee kept from a cancelled order's deposit: Dr customer advances / Cr fee income."""
    return [EntryLine("customer_advances", fee, 0, customer_id), EntryLine("fee_income", 0, fee)]


def stock_in_entry(value: int) -> list[EntryLine]:
    """Stock received without a purchase (opening stock, a count): Dr inventory / Cr opening equity."""
    return [EntryLine("inventory", value), EntryLine("opening_equity", 0, value)]
