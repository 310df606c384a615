"""End to end in a real browser: a merchant signs in, adds a customer, sees a field error, reads the app in Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from backoffice.admin.demo import ADMIN_EMAIL, PASSWORD

pytestmark = pytest.mark.e2e


def wait_idle(page: Page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30_000)


def sign_in(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_label("Email or mobile").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible(timeout=30_000)
    wait_idle(page)


def test_add_a_customer_with_an_arabic_name_after_a_field_error(
    page: Page, app_url: str, output_path: str
) -> None:
    sign_in(page, app_url)
    page.get_by_role("tab", name="New customer").click()
    page.get_by_label("Full name *").fill("عبدالرحمن الفارسي")
    page.get_by_label("Emails (comma-separated)").fill("abdulrahman@@example")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("is not a valid email address")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_label("Emails (comma-separated)").fill("abdulrahman@example.com")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name="عبدالرحمن الفارسي")).to_be_visible(
        timeout=30_000
    )  # the profile opens
    Path(output_path).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(output_path) / "customer-profile.png"), full_page=True)


def test_switching_to_arabic_lays_the_page_out_right_to_left(
    page: Page, app_url: str, output_path: str
) -> None:
    sign_in(page, app_url)
    page.get_by_label("Language").click()  # the sidebar's language picker
    page.get_by_role("option", name="العربية").click()
    expect(page.get_by_role("heading", name="العملاء")).to_be_visible(timeout=30_000)
    wait_idle(page)
    direction = page.evaluate("getComputedStyle(document.querySelector('[data-testid=stMain]')).direction")
    assert direction == "rtl"
    sidebar = page.locator('[data-testid="stSidebar"]').bounding_box()
    main = page.locator('[data-testid="stMain"]').bounding_box()
    assert sidebar and main and sidebar["x"] > main["x"]  # the sidebar moved to the right
    Path(output_path).mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(Path(output_path) / "customers-rtl.png"), full_page=True)
    page.get_by_label("اللغة").click()  # back to English for the other tests
    page.get_by_role("option", name="English").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible(timeout=30_000)


def test_import_a_store_file_preview_then_import(page: Page, app_url: str, tmp_path: Path) -> None:
    sign_in(page, app_url)
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Store import", exact=True).click()
    expect(page.get_by_role("heading", name="Store import")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_label("New store name").fill("Salla")
    page.get_by_label("New store name").press("Enter")
    wait_idle(page)
    orders_csv = tmp_path / "orders.csv"
    orders_csv.write_text(
        "order_id,order_date,status,customer_name,customer_email,sku,product_name,quantity,unit_price,prices_include_vat\n"
        "S-1,2026-03-01,completed,نورة,noura@example.com,OUD-50,Oud,1,249,true\n"
        "S-2,2026-03-02,بانتظار الدفع,Sam,sam@example.com,MUG-01,Mug,2,29,true\n",
        encoding="utf-8",
    )
    expect(page.get_by_label("New store name")).to_have_value("Salla")
    page.locator('[data-testid="stFileUploader"]').first.locator("input[type=file]").set_input_files(
        str(orders_csv)
    )
    # the upload's own rerun: wait for the file to show (an idle app seen before that rerun began is not enough)
    expect(page.get_by_text("orders.csv")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Preview only: nothing was written.")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("button", name="Import", exact=True).click()
    expect(page.get_by_text("Imported.")).to_be_visible(timeout=30_000)
    values = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert values[:5] == ["2", "0", "0", "0", "1"]  # new, changed, unchanged, errors, posted


def test_email_an_invoice_from_the_app_and_it_arrives(page: Page, app_url: str) -> None:
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received: list[bytes] = []

    class Catcher:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            received.append(envelope.original_content or envelope.content)
            return "250 OK"

    from tests.e2e.conftest import _free_port

    port = _free_port()
    controller = Controller(Catcher(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        sign_in(page, app_url)
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Messages", exact=True).click()
        expect(page.get_by_role("heading", name="Messages")).to_be_visible(timeout=30_000)
        wait_idle(page)
        page.get_by_role("tab", name="Sender settings").click()
        page.get_by_label("SMTP host").fill("127.0.0.1")
        page.get_by_label("Port").fill(str(port))
        page.get_by_label("Sender address").fill("billing@demo.example")
        page.get_by_label("Encryption").click()
        page.get_by_role("option", name="none", exact=True).click()
        page.get_by_role("button", name="Save", exact=True).click()
        expect(page.get_by_text("Saved")).to_be_visible(timeout=30_000)
        wait_idle(page)
        page.get_by_role("tab", name="Send a document").click()
        page.get_by_label("Number (statement: customer ID)").fill("INV-000001")
        page.get_by_label("Number (statement: customer ID)").press("Enter")
        wait_idle(page)
        page.get_by_role("button", name="Send", exact=True).click()
        expect(page.get_by_text("Sent", exact=True)).to_be_visible(timeout=30_000)
        assert len(received) == 1
        mail = message_from_bytes(received[0], policy=policy.default)
        assert "INV-000001" in str(mail["Subject"])
        attachments = [part.get_content() for part in mail.iter_attachments()]
        assert attachments and attachments[0].startswith(b"%PDF")
    finally:
        controller.stop()
