"""The team deployment, end to end (issue 16; docs/deploy.md): PostgreSQL, two app processes, nginx in front.

On 127.0.0.1 and free ports: a throwaway PostgreSQL (tests/pgserver.py); two `backoffice serve` processes over
it with `BACKOFFICE_TRUSTED_PROXIES=127.0.0.1`; Debian's nginx running deploy/nginx/backoffice.conf as it
stands, with only its ports, listen addresses and certificate (a self-signed one made here) replaced, as an
ordinary process (`nginx -p <tmp> -c <tmp>/nginx.conf -e <tmp>/error.log -g 'daemon off;'`).

Each replica is reached through nginx, honestly: the shipped config keeps a browser on one process by its
`backoffice_node` cookie (a consistent hash). The test asks nginx which process each of a few cookie values
lands on (health checks; nginx's access log names the upstream that answered), then gives one browser a
cookie that lands on replica A and another one that lands on replica B. Each browser signs in through nginx,
saves a customer and issues an invoice from the orders page; the access log then shows that every request of
each browser, its websocket too, was served by its replica. Afterwards the books are read from PostgreSQL:
two customers, INV-000001 and INV-000002 with their customers, the stock moved, a balanced trial balance.

The sign-in throttle sees each browser's own address through the proxy: the second browser comes over IPv6
loopback (::1) and sends an X-Forwarded-For of its own (198.51.100.7); the attempt is recorded from ::1.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from backoffice.admin import auth, orgs
from backoffice.books import ledger
from backoffice.catalog import products
from backoffice.contacts import customers
from backoffice.core.context import Context, User
from backoffice.db import open_database
from backoffice.sales import invoices
from tests.e2e.conftest import _free_port
from tests.e2e.test_browser import wait_idle
from tests.factories import make_product
from tests.pgserver import PgServer, find_pg_bin

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "backoffice.conf"
EMAIL, PASSWORD = "owner@cluster.example", "Harbour#Lantern26"
SPOOFED = "198.51.100.7"


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


@dataclass
class Cluster:
    url: str  # PostgreSQL
    https_port: int
    replicas: dict[str, int]  # name -> port of its `backoffice serve`
    folder: Path
    apps: dict[str, subprocess.Popen[bytes]]  # name -> its process

    def base(self, host: str) -> str:
        return f"https://{host}:{self.https_port}"

    def access_log(self) -> list[dict[str, str]]:
        """nginx's access log in this test's format: cookie, upstream, request, status."""
        lines = (self.folder / "access.log").read_text().splitlines()
        keys = ("remote", "forwarded_for", "cookie", "upstream", "request", "status")
        return [dict(zip(keys, line.split("\t"), strict=True)) for line in lines]

    def wait_for_log(self, done: Callable[[list[dict[str, str]]], bool]) -> list[dict[str, str]]:
        """nginx writes a websocket's line when it closes, a moment after the browser let go of it."""
        deadline = time.monotonic() + 15
        while not done(log := self.access_log()):
            assert time.monotonic() < deadline, "nginx's access log never showed what the test waits for"
            time.sleep(0.1)
        return log

    def replica_of(self, upstream: str) -> str:
        ports = {str(port): name for name, port in self.replicas.items()}
        return ports[upstream.rsplit(":", 1)[-1]]


def render_site(
    https_port: int, http_port: int, replicas: list[int], cert: Path, key: Path, ipv6: bool
) -> str:
    """deploy/nginx/backoffice.conf with its ports, listen addresses and certificate replaced; each
    replacement must hit exactly once, so a change to the shipped file fails here instead of drifting."""
    text = SITE.read_text()

    def v6(listen: str) -> str:
        return f"listen [::1]:{listen};" if ipv6 else "# (no IPv6 loopback on this machine)"

    replacements = [
        (r"server 127\.0\.0\.1:8501 ", f"server 127.0.0.1:{replicas[0]} "),
        (r"server 127\.0\.0\.1:8502 ", f"server 127.0.0.1:{replicas[1]} "),
        (r"listen 80;", f"listen 127.0.0.1:{http_port};"),
        (r"listen \[::\]:80;", v6(str(http_port))),
        (r"listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        (r"listen \[::\]:443 ssl;", v6(f"{https_port} ssl")),
        (r"ssl_certificate +\S+;", f"ssl_certificate {cert};"),
        (r"ssl_certificate_key +\S+;", f"ssl_certificate_key {key};"),
    ]
    for pattern, new in replacements:
        text, n = re.subn(pattern, new, text)
        assert n == 1, f"{pattern!r} matched {n} times in {SITE}"
    return text


def main_conf(folder: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf gives the site, in a folder of our own (no root needed)."""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user nobody nogroup;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\npid {folder / 'nginx.pid'};\nevents {{ worker_connections 256; }}\n"
        "http {\n"
        "    log_format cluster '$remote_addr\\t$http_x_forwarded_for\\t$cookie_backoffice_node\\t"
        "$upstream_addr\\t$request\\t$status';\n"
        f"    access_log {folder / 'access.log'} cluster;\n{temp}\n"
        f"    include {folder / 'backoffice.conf'};\n"
        "}\n"
    )


def wait_healthy(
    url: str, process: subprocess.Popen[bytes], log: Path, context: ssl.SSLContext | None = None
) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2, context=context).read() == b"ok":
                return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(f"{url} did not become healthy; see {log}:\n{log.read_text()[-3000:]}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if nginx is None or find_pg_bin() is None or shutil.which("openssl") is None:
        pytest.skip("needs Debian's nginx, postgresql and openssl (CI installs them)")
    folder = Path(tempfile.mkdtemp(prefix="cluster-"))
    folder.chmod(0o755)  # nginx's workers (nobody, when the test runs as root) reach their temp folders
    processes: list[subprocess.Popen[bytes]] = []
    server = PgServer().start()
    try:
        url = server.create_database("backoffice")
        db = open_database(url)  # migrates
        org_id = orgs.setup(
            db,
            "Cluster Shop",
            "SAR",
            "15",
            EMAIL,
            PASSWORD,
            admin_name="Owner",
            country="SA",
            actor=User.system(),
        )
        make_product(Context(db, User.system("test"), org_id), "CUP-1", price="20", stock=10, name="Cup")
        db.dispose()

        env = os.environ | {
            "BACKOFFICE_DATABASE_URL": url,
            "BACKOFFICE_TRUSTED_PROXIES": "127.0.0.1",
            "BACKOFFICE_FAST_HASH": "1",
            "STREAMLIT_SERVER_COOKIE_SECRET": "one-secret-for-every-replica",
            "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none",
        }
        replicas = {"A": _free_port(), "B": _free_port()}
        for name, port in replicas.items():
            log = (folder / f"app-{name}.log").open("w")
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "backoffice.cli", "serve", "--port", str(port)],
                    cwd=folder,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        cert, key = folder / "cert.pem", folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
            + ["-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1"],
            check=True,
            capture_output=True,
        )
        https_port, http_port = _free_port(), _free_port()
        (folder / "backoffice.conf").write_text(
            render_site(https_port, http_port, list(replicas.values()), cert, key, _ipv6_loopback())
        )
        (folder / "nginx.conf").write_text(main_conf(folder))
        nginx_log = folder / "nginx.log"
        processes.append(
            subprocess.Popen(
                [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(folder / "error.log")]
                + ["-g", "daemon off;"],
                stdout=nginx_log.open("w"),
                stderr=subprocess.STDOUT,
            )
        )
        for (name, port), process in zip(replicas.items(), processes, strict=False):
            wait_healthy(f"http://127.0.0.1:{port}", process, folder / f"app-{name}.log")
        unverified = ssl._create_unverified_context()
        wait_healthy(f"https://127.0.0.1:{https_port}", processes[-1], nginx_log, unverified)
        yield Cluster(url, https_port, replicas, folder, dict(zip(replicas, processes, strict=False)))
    finally:
        for process in reversed(processes):
            stop(process)
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def pin_cookies(cluster: Cluster) -> dict[str, str]:
    """A `backoffice_node` cookie value that nginx sends to each replica, found by asking nginx."""
    unverified = ssl._create_unverified_context()
    for n in range(64):
        request = urllib.request.Request(
            f"{cluster.base('127.0.0.1')}/_stcore/health", headers={"Cookie": f"backoffice_node=probe{n}"}
        )
        assert urllib.request.urlopen(request, context=unverified).read() == b"ok"
    found: dict[str, str] = {}
    for line in cluster.access_log():
        if line["cookie"].startswith("probe"):
            found.setdefault(cluster.replica_of(line["upstream"]), line["cookie"])
    assert set(found) == set(cluster.replicas), found
    return found


def sign_in(page: Page, base: str) -> None:
    page.goto(base)
    page.get_by_label("Email or mobile").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Customers")).to_be_visible(timeout=30_000)
    wait_idle(page)


def save_customer(page: Page, name: str, email: str) -> None:
    page.get_by_role("tab", name="New customer").click()
    page.get_by_label("Full name *").fill(name)
    page.get_by_label("Emails (comma-separated)").fill(email)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=30_000)  # the profile opens
    wait_idle(page)


def issue_invoice(page: Page, customer: str) -> str:
    """Orders → New order: the customer, one CUP-1, saved as an invoice; returns the number it shows."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text("Orders", exact=True).click()
    expect(page.get_by_role("heading", name="Orders")).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.get_by_role("tab", name="New order").click()
    page.get_by_label("Find customer").fill(customer)
    page.get_by_label("Find customer").press("Enter")
    wait_idle(page)
    page.get_by_label("Customer", exact=True).click()
    page.get_by_role("option", name=re.compile(re.escape(customer))).click()
    wait_idle(page)
    page.get_by_label("Product").first.click()
    page.get_by_role("option", name="CUP-1 · Cup").click()
    page.get_by_text("invoice", exact=True).click()  # Save as: invoice
    page.get_by_role("button", name="Save", exact=True).click()
    issued = page.get_by_text(re.compile(r"Issued: INV-\d{6}"))
    expect(issued).to_be_visible(timeout=30_000)
    return re.findall(r"INV-\d{6}", issued.inner_text())[0]


def test_two_replicas_behind_nginx_over_one_postgresql(browser: Browser, cluster: Cluster) -> None:
    started = time.monotonic()
    cookies = pin_cookies(cluster)
    ipv6 = _ipv6_loopback()
    visits = {
        "A": ("127.0.0.1", {}),
        # over ::1, with an address of its own invention (on 127.0.0.1 the browser would be the trusted proxy)
        "B": ("[::1]", {"X-Forwarded-For": SPOOFED}) if ipv6 else ("127.0.0.1", {}),
    }
    issued: dict[str, str] = {}
    for name, (host, headers) in visits.items():
        base = cluster.base(host)
        context = browser.new_context(ignore_https_errors=True, extra_http_headers=headers)
        context.add_cookies([{"name": "backoffice_node", "value": cookies[name], "url": base}])
        page = context.new_page()
        try:
            sign_in(page, base)
            save_customer(page, f"Customer via {name}", f"via-{name.lower()}@example.com")
            issued[name] = issue_invoice(page, f"Customer via {name}")
        finally:
            context.close()  # closes the websocket: nginx logs it now
    assert sorted(issued.values()) == ["INV-000001", "INV-000002"]

    # every request of each browser, its websocket included, was served by the replica its cookie names
    log = cluster.wait_for_log(
        lambda log: all(
            any(
                line["cookie"] == cookie and line["request"].startswith("GET /_stcore/stream") for line in log
            )
            for cookie in cookies.values()
        )
    )
    for name, cookie in cookies.items():
        served = [
            line
            for line in log
            if line["cookie"] == cookie and not line["request"].startswith("GET /_stcore/health")
        ]
        assert served, f"no request with {name}'s cookie reached nginx"
        assert {cluster.replica_of(line["upstream"]) for line in served} == {name}
        assert any(
            line["request"].startswith("GET /_stcore/stream") and line["status"] == "101" for line in served
        )
    if ipv6:  # the second browser's own header reached nginx, which appended the browser's address
        assert any(line["forwarded_for"] == SPOOFED and line["remote"] == "::1" for line in log)

    db = open_database(cluster.url)
    try:
        ctx = Context(db, User.system("test"), orgs.find_org_id(db, "Cluster Shop"))
        found = customers.list_customers(ctx, page_size=50).rows
        assert sorted(c["name"] for c in found) == ["Customer via A", "Customer via B"]
        ids = {c["name"]: c["contact_id"] for c in found}
        for name, number in issued.items():
            invoice = invoices.get_invoice(ctx, number)
            assert invoice["customer_id"] == ids[f"Customer via {name}"]
            assert invoice["total_minor"] == 2300  # 20.00 + 15 % VAT
        listed, total = invoices.list_invoices(ctx)
        assert total == 2
        assert products.get_product(ctx, sku="CUP-1")["stock_qty"] == 8
        tb = ledger.trial_balance(ctx)
        assert tb.debit_minor == tb.credit_minor > 0
        # the throttle counted each browser's own address, never the proxy's one source nor the invented one
        with db.read() as conn:
            sources = [r[0] for r in conn.exec_driver_sql("SELECT source FROM login_attempts").fetchall()]
        assert sorted(sources) == sorted(["127.0.0.1", "::1" if ipv6 else "127.0.0.1"])
        assert auth.SOURCE_THRESHOLD > len(sources)
    finally:
        db.dispose()
    print(f"cluster flow: {time.monotonic() - started:.1f} s")


def test_plain_http_is_sent_to_https(cluster: Cluster) -> None:
    http_port = int(
        re.findall(r"listen 127\.0\.0\.1:(\d+);", (cluster.folder / "backoffice.conf").read_text())[0]
    )
    connection = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    connection.request("GET", "/orders", headers={"Host": "shop.example"})
    response = connection.getresponse()
    assert response.status == 301 and response.getheader("Location") == "https://shop.example/orders"


def test_a_new_browser_gets_a_cookie_that_keeps_it_on_the_process_that_served_it(cluster: Cluster) -> None:
    """Eight new browsers: each first response sets the cookie once, and the cookie leads back to the process
    that served that first response (a config that hashed something else would match by chance 1 in 256)."""
    unverified = ssl._create_unverified_context()
    base = cluster.base("127.0.0.1")
    for n in range(8):
        first = urllib.request.urlopen(f"{base}/?first{n}", context=unverified)
        cookie = first.headers["Set-Cookie"]
        assert re.fullmatch(r"backoffice_node=\w+; Path=/; Secure; HttpOnly; SameSite=Lax", cookie), cookie
        again = urllib.request.Request(f"{base}/?again{n}", headers={"Cookie": cookie.split(";")[0]})
        assert urllib.request.urlopen(again, context=unverified).headers["Set-Cookie"] is None  # set once
    log = cluster.wait_for_log(lambda log: any(line["request"].startswith("GET /?again7") for line in log))
    upstream = {
        line["request"].split()[1]: line["upstream"] for line in log if line["request"].startswith("GET /?")
    }
    assert all(upstream[f"/?first{n}"] == upstream[f"/?again{n}"] for n in range(8))


def test_a_browser_moved_to_the_other_process_stays_signed_in(browser: Browser, cluster: Cluster) -> None:
    """Sessions live in PostgreSQL (docs/decisions/0012): signed in on A, the same browser sent to B (its
    `backoffice_node` cookie changed, as when A goes away) is still signed in, on the page it was on."""
    cookies = pin_cookies(cluster)
    base = cluster.base("127.0.0.1")
    context = browser.new_context(ignore_https_errors=True)
    context.add_cookies([{"name": "backoffice_node", "value": cookies["A"], "url": base}])
    page = context.new_page()
    try:
        sign_in(page, base)
        session = next(c for c in context.cookies() if c["name"] == "backoffice_session")
        assert session["httpOnly"] and session["secure"] and session["sameSite"] == "Lax"  # https via nginx
        page.locator('[data-testid="stSidebarNav"]').get_by_text("Products", exact=True).click()
        expect(page.get_by_role("heading", name="Products")).to_be_visible(timeout=30_000)
        wait_idle(page)
        context.add_cookies([{"name": "backoffice_node", "value": cookies["B"], "url": base}])
        page.goto(f"{base}/products?moved=1")  # a reload, marked for the access log
        expect(page.get_by_role("heading", name="Products")).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=30_000)
    finally:
        context.close()
    log = cluster.wait_for_log(lambda log: any("moved=1" in line["request"] for line in log))
    assert [cluster.replica_of(line["upstream"]) for line in log if "moved=1" in line["request"]] == ["B"]


def test_last_a_stopped_process_sends_its_browsers_to_another(cluster: Cluster) -> None:
    """(Last in this module: it stops replica A.) A browser pinned to A is served by B, no error page."""
    cookie = pin_cookies(cluster)["A"]
    stop(cluster.apps["A"])
    unverified = ssl._create_unverified_context()
    for n in range(2):  # the first finds A refusing and moves on; the next skips A at once
        request = urllib.request.Request(
            f"{cluster.base('127.0.0.1')}/_stcore/health?after-stop{n}",
            headers={"Cookie": f"backoffice_node={cookie}"},
        )
        assert urllib.request.urlopen(request, context=unverified).read() == b"ok"
    log = cluster.wait_for_log(lambda log: any("after-stop1" in line["request"] for line in log))
    answered = [line["upstream"].split(", ")[-1] for line in log if "after-stop" in line["request"]]
    assert [cluster.replica_of(upstream) for upstream in answered] == ["B", "B"]
