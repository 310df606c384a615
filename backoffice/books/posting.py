"""The posting rules: which accounts each business event debits and credits (DESIGN.md, "The books").

Issued invoices are posted set-based, many at once, by backoffice.db.queries.sales.post_batch with the
same rule as `invoice_entry` below (a test holds the two together). Everything else is posted one
entry at a time through ledger.post_entry with the lines built here.
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
