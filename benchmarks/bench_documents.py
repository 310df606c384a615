"""Invoice PDFs: a 20-line bilingual Arabic/English invoice (Vazirmatn, shaped right-to-left) against the
same layout in Latin with fpdf2's core Helvetica, side by side in one run (goal ≤ 4×); then throughput of
1,000 bilingual invoices in one process and in two worker processes, and the service path with a database."""

from __future__ import annotations

import multiprocessing
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from backoffice.documents import invoice_sheet, layout
from benchmarks.common import report, timed

LINES = 20
INVOICES = 1_000
PRODUCTS = [
    ("COF-250", "Arabic coffee 250g", "قهوة عربية ٢٥٠ غرام"),
    ("TEA-GRN", "Green tea", "شاي أخضر"),
    ("CUP-GL", "Glass cup", "كوب زجاج"),
    ("DATE-1K", "Sukkari dates 1kg", "تمر سكري ١ كيلو"),
    ("SAF-01", "Saffron 1g", "زعفران ١ غرام"),
    ("HON-500", "Sidr honey 500g", "عسل سدر ٥٠٠ غرام"),
    ("OUD-12", "Oud oil 12ml", "دهن عود ١٢ مل"),
    ("MUG-01", "Coffee mug", "فنجان قهوة"),
]


def _org(language: str) -> dict[str, Any]:
    return {
        "name": "متجر الواحة" if language != "en" else "Oasis Store",
        "legal_name": None,
        "address": "شارع التحلية" if language != "en" else "Tahlia Street",
        "city": "Jeddah",
        "postal_code": "23434",
        "country": "SA" if language != "en" else "US",
        "phone": "+966 12 345 6789",
        "email": "sales@example.com",
        "tax_number": "300000000000003",
        "currency": "SAR",
        "language": language,
        "brand_color": "#0f766e",
        "logo": None,
        "invoice_footer": "Thank you for shopping with us",
        "calendar": "hijri" if language != "en" else "gregorian",
        "native_digits": False,
    }


def _invoice(n: int, language: str) -> tuple[dict[str, Any], list[dict[str, Any]], dict[int, str]]:
    lines, names_ar = [], {}
    for i in range(LINES):
        sku, name, name_ar = PRODUCTS[(n + i) % len(PRODUCTS)]
        quantity = 1 + (n + i) % 5
        net = quantity * 1250
        vat = net * 15 // 100
        lines.append(
            {
                "kind": "goods",
                "product_id": i + 1,
                "sku": sku,
                "description": name if language == "en" else name_ar,
                "quantity": quantity,
                "unit_price_minor": 1250,
                "discount_minor": 0,
                "vat_rate_bp": 1500,
                "vat_exempt": False,
                "net_minor": net,
                "vat_minor": vat,
                "gross_minor": net + vat,
            }
        )
        names_ar[i + 1] = name_ar
    net = sum(x["net_minor"] for x in lines)
    vat = sum(x["vat_minor"] for x in lines)
    invoice = {
        "kind": "invoice",
        "number_text": f"INV-{n:06d}",
        "issued_on": date(2026, 11, 22),
        "due_on": date(2026, 12, 6),
        "currency": "SAR",
        "net_minor": net,
        "vat_minor": vat,
        "total_minor": net + vat,
        "customer_name": f"Customer {n}" if language == "en" else f"عميل رقم {n}",
        "created_at": datetime(2026, 11, 22, 10, 0, 0),
        "reason": None,
    }
    return invoice, lines, names_ar


def bilingual_sheet(n: int) -> layout.Sheet:
    invoice, lines, _ = _invoice(n, "ar-en")
    return invoice_sheet(invoice, lines, _org("ar-en"), None, {}, None)


def latin_sheet(n: int) -> layout.Sheet:
    invoice, lines, _ = _invoice(n, "en")
    return invoice_sheet(invoice, lines, _org("en"), None, {}, None)


def _render_range(bounds: tuple[int, int]) -> int:
    return sum(len(layout.render(bilingual_sheet(n))) for n in range(*bounds))


def _warm() -> None:
    layout.render(bilingual_sheet(0))


def _throughput(workers: int) -> float:
    """Invoices per second for INVOICES bilingual invoices (workers warmed up first: fonts loaded)."""
    if workers == 1:
        _warm()
        start = time.perf_counter()
        _render_range((1, INVOICES + 1))
        return INVOICES / (time.perf_counter() - start)
    step = INVOICES // workers
    chunks = [(1 + i * step, 1 + (i + 1) * step) for i in range(workers)]
    with multiprocessing.get_context("fork").Pool(workers, initializer=_warm) as pool:
        pool.map(_warm_task, range(workers))  # every worker has started and loaded its fonts
        start = time.perf_counter()
        pool.map(_render_range, chunks)
        return INVOICES / (time.perf_counter() - start)


def _warm_task(_: int) -> None:
    _warm()


def _service(results: list[dict[str, object]]) -> None:
    """render_invoice_pdf on a database: read + draw, and the kept PDF served again."""
    from backoffice import documents
    from backoffice.admin import orgs
    from backoffice.catalog import products
    from backoffice.core.context import Context, User
    from backoffice.db import open_database
    from backoffice.sales import invoices, orders
    from backoffice.sales.orders import LineRequest

    folder = Path(tempfile.mkdtemp(prefix="bench-documents-"))
    db = open_database(f"duckdb:///{folder / 'bench.duckdb'}")
    org_id = orgs.setup(db, "متجر الواحة", "SAR", "15", country="SA", language="ar-en", actor=User.system())
    ctx = Context(db, User.system("bench"), org_id)
    orgs.update_settings(ctx, tax_number="300000000000003", calendar="hijri")
    for sku, name, name_ar in PRODUCTS:
        product_id = products.save_product(
            ctx, {"sku": sku, "name": name, "name_ar": name_ar, "price": "12.50"}
        )
        products.receive_stock(ctx, product_id, 1000)
    order_id = orders.create_order(
        ctx,
        None,
        [LineRequest(PRODUCTS[i % len(PRODUCTS)][0], 1 + i % 5) for i in range(LINES)],
        status="confirmed",
    )
    number = invoices.issue_invoice(ctx, order_id)
    drawn = timed(lambda: documents.render_invoice_pdf(ctx, number, keep=False), repeat=9)
    raw = timed(lambda: layout.render(bilingual_sheet(1)), repeat=9)
    results.append(report("service: read + draw, 20 lines (vs drawing only)", drawn, raw))
    documents.render_invoice_pdf(ctx, number)
    kept = timed(lambda: documents.render_invoice_pdf(ctx, number), repeat=9)
    results.append(report("service: kept PDF served again (vs drawing)", kept, drawn))
    db.dispose()


def run() -> list[dict[str, object]]:
    results = []
    layout.render(bilingual_sheet(0))  # load the fonts once, as a running app has
    bilingual = timed(lambda: layout.render(bilingual_sheet(1)), repeat=15)
    latin = timed(lambda: layout.render(latin_sheet(1), core_font=True), repeat=15)
    results.append(report("20-line invoice: bilingual Arabic vs Latin core font", bilingual, latin, goal=4.0))
    for workers in (1, 2):
        rate = _throughput(workers)
        print(
            f"{INVOICES} bilingual invoices, {workers} process{'es' if workers > 1 else ''}: {rate:8.1f} invoices/s"
        )
        results.append({"name": f"bilingual invoices/s, {workers} process(es)", "per_second": round(rate, 1)})
    _service(results)
    return results


if __name__ == "__main__":
    run()
