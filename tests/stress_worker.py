"""One worker process of the multi-process stress test (tests/test_stress_postgres.py): for a given number of
seconds it sells, pays, refunds, credits, cancels and restocks against the same few customers and products, through the
service functions, in an order shuffled by its seed. A business rule's refusal (not enough stock, nothing left to
refund, already credited) is counted; anything else is a failure and ends the process with its traceback.

Run: python -m tests.stress_worker URL ORG_ID SEED SECONDS START_AT CUSTOMERS PRODUCTS METHODS
(CUSTOMERS, PRODUCTS: comma-separated ids and SKUs; METHODS: comma-separated payment method codes).
Prints one JSON line: {"done": {...operation: count}, "refused": {...operation: count}}.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter

from backoffice.catalog import products
from backoffice.core.context import Context, User
from backoffice.core.errors import BackofficeError
from backoffice.db import open_database
from backoffice.sales import invoices, lifecycle, orders, payments
from backoffice.sales.orders import LineRequest


def main(argv: list[str]) -> int:
    url, org_id, seed, seconds, start_at = argv[0], int(argv[1]), int(argv[2]), float(argv[3]), float(argv[4])
    customer_ids = [int(c) for c in argv[5].split(",")]
    skus = argv[6].split(",")
    methods = argv[7].split(",")
    rng = random.Random(seed)
    ctx = Context(open_database(url, migrate=False), User.system(f"stress{seed}"), org_id)

    def sell() -> None:
        lines = [LineRequest(sku, rng.randint(1, 3)) for sku in rng.sample(skus, rng.randint(1, 2))]
        order_id = orders.create_order(ctx, rng.choice(customer_ids), lines, status="confirmed")
        invoices.issue_invoice(ctx, order_id)

    def pay() -> None:
        payments.record_payment(ctx, rng.choice(customer_ids), "23.00", rng.choice(methods))

    def refund() -> None:
        payments.refund_credit(ctx, rng.choice(customer_ids), "7.00", rng.choice(methods))

    def credit() -> None:
        issued, _ = invoices.list_invoices(ctx, kind="invoice", customer_id=rng.choice(customer_ids))
        if not issued:
            raise BackofficeError("no invoice to credit yet")
        invoices.issue_credit_note(ctx, rng.choice(issued)["number_text"], reason="stress")

    def cancel() -> None:
        order_id = orders.create_order(
            ctx, rng.choice(customer_ids), [LineRequest(rng.choice(skus), 1)], status="confirmed"
        )
        payments.take_deposit(ctx, order_id, "5.00", rng.choice(methods))
        lifecycle.cancel_order(ctx, order_id)

    def restock() -> None:
        products.receive_stock(ctx, products.get_product(ctx, sku=rng.choice(skus))["product_id"], 4)

    operations = [sell] * 4 + [pay] * 4 + [refund] * 2 + [credit] + [cancel] + [restock]
    done: Counter[str] = Counter()
    refused: Counter[str] = Counter()
    time.sleep(max(0.0, start_at - time.time()))  # every worker starts at the same moment
    end = time.time() + seconds
    while time.time() < end:
        operation = rng.choice(operations)
        try:
            operation()
            done[operation.__name__] += 1
        except BackofficeError:
            refused[operation.__name__] += 1
    print(json.dumps({"done": done, "refused": refused}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
