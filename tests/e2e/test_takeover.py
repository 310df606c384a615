"""The reported takeover, tried in a real browser: an admin of one organization "invites" another
organization's admin, then tries to reset its password from the Users page. Neither step works."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import serve
from tests.e2e.test_browser import wait_idle

pytestmark = pytest.mark.e2e

A_ADMIN, B_ADMIN, PASSWORD = "owner-a@example.com", "owner-b@example.com", "Orchid#Lantern7"


@pytest.fixture(scope="module")
def two_orgs_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("takeover")
    db_path = folder / "two.duckdb"
    env = os.environ | {"BACKOFFICE_FAST_HASH": "1"}
    for org, email in (("Shop A", A_ADMIN), ("Shop B", B_ADMIN)):
        subprocess.run(
            [sys.executable, "-m", "backoffice.cli", "init", "--db", str(db_path), "--org", org]
            + ["--currency", "SAR", "--vat", "15", "--country", "SA"]
            + ["--admin-email", email, "--admin-password", PASSWORD],
            check=True,
            env=env,
            capture_output=True,
        )
    subprocess.run(
        [sys.executable, "-m", "backoffice.cli", "customer", "add", "--db", str(db_path), "--org", "Shop B"]
        + ["--name", "Secret customer of B", "--email", "secret@example.com"],
        check=True,
        env=env,
        capture_output=True,
    )
    with serve(db_path) as url:
        yield url


def sign_in_as(page: Page, url: str, email: str) -> None:
    page.goto(url)
    page.get_by_label("Email or mobile").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible(timeout=30_000)
    wait_idle(page)


def open_page(page: Page, title: str) -> None:
    nav = page.locator('[data-testid="stSidebarNav"]')
    more = nav.get_by_text("View", exact=False).filter(has_text="more")
    if more.count():  # Streamlit folds a long navigation
        more.first.click()
    nav.get_by_text(title, exact=True).click()
    expect(page.get_by_role("heading", name=title)).to_be_visible(timeout=30_000)
    wait_idle(page)


def test_an_admin_cannot_take_over_another_organizations_admin(
    browser: Browser, two_orgs_url: str, output_path: str
) -> None:
    attacker = browser.new_page()
    sign_in_as(attacker, two_orgs_url, A_ADMIN)
    open_page(attacker, "Users and organizations")
    # Step 1: "invite" B's admin. The account is only invited; it gets no access to A, A gets none over it.
    attacker.get_by_label("Email *", exact=True).fill(B_ADMIN)
    attacker.get_by_label("Name *", exact=True).fill("Victim")
    attacker.get_by_role("button", name="Invite").click()
    expect(attacker.get_by_text("It is invited: give this code to the person")).to_be_visible(timeout=30_000)
    wait_idle(attacker)
    code = attacker.locator('[data-testid="stCode"] code').first.inner_text().strip()
    # Step 2: the reset tab does not offer the account: it is not a member of A.
    attacker.get_by_role("tab", name="Reset a password").click()
    attacker.get_by_role("tabpanel", name="Reset a password").get_by_label("User").click()
    options = attacker.get_by_role("option")
    expect(options.first).to_be_visible(timeout=10_000)
    assert not any(B_ADMIN in text for text in options.all_inner_texts())
    attacker.keyboard.press("Escape")

    # The victim accepts, talked into it with the code: it is then a member of A, and still A's admin cannot
    # reset it. Without the code, signed in as itself, it could not accept.
    victim = browser.new_page()
    sign_in_as(victim, two_orgs_url, B_ADMIN)
    open_page(victim, "My account")
    expect(victim.get_by_text("Shop A invites you as sales.")).to_be_visible(timeout=30_000)
    victim.get_by_role("button", name="Accept").click()
    expect(victim.get_by_text("the code is wrong or has expired")).to_be_visible(timeout=30_000)
    wait_idle(victim)
    victim.get_by_label("Code from the admin who invited you").fill(code)
    victim.get_by_role("button", name="Accept").click()
    wait_idle(victim)
    expect(victim.get_by_text("Shop A invites you as sales.")).to_have_count(0)

    open_page(attacker, "Customers")
    open_page(attacker, "Users and organizations")
    attacker.get_by_role("tab", name="Reset a password").click()
    panel = attacker.get_by_role("tabpanel", name="Reset a password")
    panel.get_by_label("User").click()
    attacker.get_by_role("option").filter(has_text=B_ADMIN).click()
    panel.get_by_role("button", name="Issue reset token").click()
    expect(attacker.get_by_text("also belongs to an organization you do not administer")).to_be_visible(
        timeout=30_000
    )
    Path(output_path).mkdir(parents=True, exist_ok=True)
    attacker.screenshot(path=str(Path(output_path) / "takeover-refused.png"), full_page=True)
    # A's admin sees no organization but A, and none of B's customers.
    assert "Secret customer of B" not in attacker.content()
    expect(attacker.get_by_text("Shop B")).to_have_count(0)
