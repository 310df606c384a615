"""Sessions that last (issue 17), in chromium against a real server over its own DuckDB file: reload, a second
tab, a deep link before signing in, signing out in one tab, a restart; and the HTTP side of the same server
(/healthz, /readyz, the cookie's attributes) with plain HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from backoffice.admin.demo import ADMIN_EMAIL, PASSWORD
from tests.e2e.conftest import app_env, serve

pytestmark = pytest.mark.e2e
TIMEOUT = 30_000


@pytest.fixture(scope="module")
def db_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sessions") / "sessions.duckdb"
    subprocess.run(
        [sys.executable, "-m", "backoffice.cli", "demo", "--db", str(path), "--customers", "12"],
        check=True,
        env=app_env(path),
        capture_output=True,
    )
    return path


@pytest.fixture
def server(db_path: Path) -> Iterator[str]:
    with serve(db_path) as url:
        yield url


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context()
    yield context
    context.close()


def wait_idle(page: Page) -> None:
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=TIMEOUT)


def fill_sign_in(page: Page) -> None:
    page.get_by_label("Email or mobile").fill(ADMIN_EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def expect_signed_in_on(page: Page, heading: str) -> None:
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=TIMEOUT)
    wait_idle(page)


def customer_id(db_path: Path) -> int:
    """A demo customer's id, read while no server holds the file."""
    import duckdb

    with duckdb.connect(str(db_path), read_only=True) as conn:
        found = conn.execute("SELECT max(contact_id) FROM contacts").fetchone()
    assert found is not None
    return int(found[0])


def test_reload_second_tab_deep_link_sign_out_everywhere(
    db_path: Path, context: BrowserContext, browser: Browser
) -> None:
    wanted = customer_id(db_path)
    with serve(db_path) as url:
        # a deep link before signing in: the sign-in screen, then that very page and query
        page = context.new_page()
        page.goto(f"{url}/customer?id={wanted}")
        fill_sign_in(page)
        expect_signed_in_on(page, "Customer profile")
        assert page.url == f"{url}/customer?id={wanted}"
        profile = page.locator('[data-testid="stMain"]').inner_text()

        cookie = next(c for c in context.cookies() if c["name"] == "backoffice_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # http here
        assert cookie["expires"] > time.time() + 6 * 24 * 3600  # kept across browser restarts, a week

        # reload: still signed in, same page, same customer
        page.reload()
        expect_signed_in_on(page, "Customer profile")
        assert page.url == f"{url}/customer?id={wanted}"
        expect(page.locator('[data-testid="stMain"]')).to_have_text(
            profile, use_inner_text=True, timeout=TIMEOUT
        )

        # a second tab is signed in, on the page its link names
        second = context.new_page()
        second.goto(f"{url}/orders")
        expect_signed_in_on(second, "Orders")

        # another browser (no cookie) is not
        stranger = browser.new_page()
        stranger.goto(f"{url}/orders")
        expect(stranger.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT)
        stranger.close()

        # sign out in the second tab: the first is signed out at its next action
        second.get_by_role("button", name="Sign out").click()
        expect(second.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT)
        assert not [c for c in context.cookies() if c["name"] == "backoffice_session"]  # dropped
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Invoices", exact=True).click()
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT)
        expect(page.get_by_role("heading", name="Invoices")).to_have_count(0)


def test_a_restart_of_the_server_keeps_the_browser_signed_in(db_path: Path, context: BrowserContext) -> None:
    page = context.new_page()
    with serve(db_path) as url:
        page.goto(f"{url}/products")
        fill_sign_in(page)
        expect_signed_in_on(page, "Products")
    # the server is gone (its memory with it); a new one on the same file and another port: the cookie is for
    # the host, not the port, so the browser sends it there too
    with serve(db_path) as url:
        page.goto(f"{url}/products")
        expect_signed_in_on(page, "Products")


def get_json(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_and_readiness_answer_json(server: str) -> None:
    assert get_json(f"{server}/healthz") == (200, {"status": "ok"})
    assert get_json(f"{server}/readyz") == (200, {"status": "ready", "database": "duckdb"})


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def test_the_session_route_never_sends_the_browser_off_site_nor_takes_a_made_up_code(server: str) -> None:
    opener = urllib.request.build_opener(NoRedirect)
    for nxt, expected in [
        ("/customer?id=5", "/customer?id=5"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        query = urllib.parse.urlencode({"code": "made-up", "next": nxt})
        with pytest.raises(urllib.error.HTTPError) as answer:
            opener.open(f"{server}/auth/session?{query}", timeout=10)
        assert answer.value.code == 303
        assert answer.value.headers["Location"] == expected
        assert "set-cookie" not in {k.lower() for k in answer.value.headers}


HOLDER = """
import sys, time, duckdb
conn = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.readline()  # until the test closes our stdin
"""


def test_a_database_file_held_by_another_process_shows_who_and_opens_once_free(
    db_path: Path, page: Page
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(db_path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with serve(db_path) as url:
            status, body = get_json(f"{url}/readyz")
            assert status == 503 and body["status"] == "busy" and f"process {holder.pid}" in body["detail"]
            assert get_json(f"{url}/healthz") == (200, {"status": "ok"})  # alive, only not ready

            page.goto(f"{url}/customers")
            expect(page.get_by_role("heading", name="The database is busy")).to_be_visible(timeout=TIMEOUT)
            expect(page.get_by_text(f"process {holder.pid} (python")).to_be_visible()
            assert "Traceback" not in page.content()

            assert holder.stdin is not None
            holder.stdin.close()  # the other program finishes
            holder.wait(timeout=20)
            expect(page.get_by_role("heading", name="Sign in")).to_be_visible(timeout=TIMEOUT)  # retried
            assert get_json(f"{url}/readyz") == (200, {"status": "ready", "database": "duckdb"})
    finally:
        holder.kill()
        holder.wait()
