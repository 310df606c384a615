"""User and file text is shown as text in a real browser: Markdown images in it are never fetched (issue 14, finding 5).

A listener on 127.0.0.1 records every request. A customer's name, city and category, a custom field's name, a note
and its file name, the admin's own name and a shopper, city, product and SKU that arrive in a store import each carry
``![t](http://127.0.0.1:PORT/<field>.png)`` and a link; the pages that show them are visited; the listener must
have seen nothing and the literal text must be on the page.
"""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from backoffice import imports as order_import
from backoffice.admin import auth, orgs
from backoffice.contacts import customers
from backoffice.core.context import Context
from backoffice.db import open_database
from tests.e2e.conftest import serve

pytestmark = pytest.mark.e2e

EMAIL = "owner@example.com"
PASSWORD = "Sesame#2026"
FIELDS = ("user", "name", "city", "category", "field", "note", "shopper", "shopper-city", "product", "sku")


class Listener:
    """An HTTP server on 127.0.0.1 that answers 404 to everything and remembers what was asked."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's hook name
                listener.requests.append(self.path)
                self.send_response(404)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return None

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payload(self, field: str) -> str:
        base = f"http://127.0.0.1:{self.port}"
        return f"![t]({base}/{field}.png) [{field} *link*]({base}/{field}-link) {field}"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.server.shutdown()


@pytest.fixture(scope="module")
def seeded(listener: Listener, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database whose every user-typed text is a Markdown image; yields the app's URL."""
    db_path = tmp_path_factory.mktemp("markdown") / "markdown.duckdb"
    db = open_database(f"duckdb:///{db_path}")
    p = listener.payload
    org_id = orgs.setup(db, "Rose Shop", "SAR", "15", EMAIL, PASSWORD, admin_name=p("user"), country="SA")
    admin = Context(db, auth.sign_in(db, EMAIL, PASSWORD), org_id)
    customers.define_custom_field(admin, p("field"), "text")
    contact_id = customers.save_customer(
        admin, {"name": p("name"), "city": p("city"), "emails": "buyer@example.com"}, [p("category")]
    )
    customers.add_note(
        admin, contact_id, p("note") + "\nsecond line", [("[f](x) *b*.txt", "text/plain", b"hi")]
    )
    old, today = (date.today() - timedelta(days=40)).isoformat(), date.today().isoformat()
    rows = [
        "order_id,order_date,status,customer_name,customer_phone,customer_city,sku,product_name,quantity,unit_price",
        *(
            f'S-{n},{on},completed,"{p("shopper")}",+966500000001,"{p("shopper-city")}","{p("sku")}",'
            f'"{p("product")}",1,10'
            for n, on in ((1, old), (2, today))
        ),
    ]
    result = order_import.import_file(
        admin, "Store", "orders.csv", "\n".join(rows).encode(), auto_paid=False, allow_negative_stock=True
    )
    assert result.new == 2 and not result.problems, result.problems
    db.dispose()
    with serve(db_path) as url:
        yield url


def wait_idle(page: Page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)


def shown(page: Page) -> str:
    """The page's text as a reader sees it (the invisible word joiners that break autolinks left out)."""
    return page.locator("body").inner_text().replace("\u2060", "")


def open_page(page: Page, title: str) -> None:
    more = page.locator('[data-testid="stSidebarNav"]').get_by_text("View 3 more")
    if more.is_visible():
        more.click()
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
    wait_idle(page)


def pick_first_row(page: Page) -> None:
    """Tick the first row of the page's first table (a canvas: its row-marker column is at the left edge)."""
    grid = page.locator('[data-testid="stDataFrame"]').first
    expect(grid).to_be_visible(timeout=30_000)
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)
    wait_idle(page)


def test_no_page_fetches_an_image_written_in_user_text(
    page: Page, seeded: str, listener: Listener, tmp_path: Path
) -> None:
    url = seeded

    def literal(field: str) -> str:
        return f"![t](http://127.0.0.1:{listener.port}/{field}.png) [{field} *link*]"

    page.goto(url)
    page.get_by_label("Email or mobile").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible(timeout=30_000)
    wait_idle(page)
    pick_first_row(page)  # sorted by name: the customer before the shopper
    expect(page.get_by_role("heading", name="Customer profile")).to_be_visible(timeout=30_000)
    wait_idle(page)
    seen = [shown(page)]
    page.get_by_role("tab", name="Notes and files").click()
    expect(page.get_by_text("second line")).to_be_visible()
    seen.append(shown(page))
    page.get_by_role("tab", name="Edit").click()
    seen.append(shown(page))

    open_page(page, "Orders")
    pick_first_row(page)
    expect(page.get_by_role("heading", name="Order #")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Sync log", exact=True)).to_be_visible(timeout=30_000)  # the order's last part
    wait_idle(page)
    seen.append(shown(page))

    open_page(page, "Invoices")
    pick_first_row(page)
    expect(page.get_by_role("button", name="Credit everything left")).to_be_visible(timeout=30_000)
    wait_idle(page)
    seen.append(shown(page))

    open_page(page, "Messages")
    page.get_by_role("tab", name="Reminders").click()
    seen.append(shown(page))

    open_page(page, "Reports")
    page.get_by_label("By").click()
    page.get_by_role("option", name="Customer", exact=True).click()
    wait_idle(page)
    pick_first_row(page)
    expect(page.get_by_role("heading", name="Documents behind")).to_be_visible(timeout=30_000)
    seen.append(shown(page))

    open_page(page, "Products")  # stock went below zero: the warning names the SKU
    seen.append(shown(page))
    open_page(page, "Store import")  # a file imported in the browser: the result names a SKU gone below zero
    upload = tmp_path / "orders.csv"
    upload.write_text(
        "order_id,order_date,status,customer_name,sku,product_name,quantity,unit_price\n"
        f'S-9,{date.today().isoformat()},completed,Sam,"{listener.payload("up-sku")}",Mug,1,10\n',
        encoding="utf-8",
    )
    page.locator('[data-testid="stFileUploader"]').first.locator("input[type=file]").set_input_files(
        str(upload)
    )
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported.")).to_be_visible(timeout=30_000)
    wait_idle(page)
    seen.append(shown(page))
    page.get_by_role("tab", name="Sync log").click()
    seen.append(shown(page))

    open_page(page, "Users and organizations")
    seen.append(shown(page))
    open_page(page, "My account")
    seen.append(shown(page))
    open_page(page, "Customers")
    seen.append(shown(page))

    assert (
        sorted(set(listener.requests)) == []
    )  # not one fetch of an image (or of anything) written in user text
    # The listener does hear this browser: an image the test itself asks for arrives.
    page.evaluate(f"new Image().src = 'http://127.0.0.1:{listener.port}/probe.png'")
    for _ in range(50):
        if listener.requests:
            break
        page.wait_for_timeout(100)
    assert listener.requests == ["/probe.png"]
    text = "\n".join(seen)
    missing = [f for f in (*FIELDS, "up-sku") if f != "shopper-city" and literal(f) not in text]
    assert missing == []
    assert "[f](x) *b*.txt" in text  # the attachment's file name
