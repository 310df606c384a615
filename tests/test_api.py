"""The HTTP API (/api/v1, issue 17) against a running server over real HTTP (uvicorn on 127.0.0.1), on both
engines: the permission matrix generated from the route table (no token, a viewer's token on every write, another
organization's token on every record), bad JSON and wrong types, revoked tokens and removed members, and the same
JSON as the command line."""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from backoffice.admin import auth, tokens
from backoffice.api import ROUTES
from backoffice.api import app as api_app
from backoffice.core.context import Context
from backoffice.db import Database
from backoffice.sales import invoices, orders, payments
from backoffice.sales.orders import LineRequest
from tests.apiserver import serve_api
from tests.factories import make_customer, make_org, make_product, make_user


@dataclass
class Server:
    url: str
    local: str

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, raw: bytes | None = None
    ) -> tuple[int, Any]:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        headers = {"Content-Type": "application/json"}
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own test server
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, json.loads(exc.read() or b"null")


@pytest.fixture
def server(db: Database) -> Iterator[Server]:
    with serve_api(db, lambda: "bo_local_test") as address:  # mounted as the app's server mounts it
        yield Server(address, "bo_local_test")


@dataclass
class World:
    admin_a: Context
    viewer_a: str
    token_a: str
    token_b: str
    customer_a: int
    order_a: int
    confirmed_a: int
    invoice_a: str
    authorized_a: int


@pytest.fixture
def world(db: Database, server: Server) -> World:
    _, admin_a = make_org(db)
    _, admin_b = make_org(db)
    make_product(admin_a, "CUP", price="10", stock=100)
    customer = make_customer(admin_a)
    order_id = orders.create_order(admin_a, customer, [LineRequest("CUP", 2)], status="confirmed")
    number = invoices.issue_invoice(admin_a, order_id)
    confirmed = orders.create_order(admin_a, customer, [LineRequest("CUP", 1)], status="confirmed")
    authorized = payments.record_payment(admin_a, customer, "5", "cash", authorize_only=True).payment_id
    viewer = make_user(admin_a, "viewer")
    store = server.call("POST", "/api/v1/cli", {"argv": ["store", "set", "Web", "--org", _org_name(admin_a)]},
                        server.local)  # fmt: skip
    assert store[1]["exit_code"] == 0, store
    return World(
        admin_a,
        tokens.create_token(viewer, "viewer's script")["token"],
        tokens.create_token(admin_a, "admin's script")["token"],
        tokens.create_token(admin_b, "B's script")["token"],
        customer,
        order_id,
        confirmed,
        number,
        authorized,
    )


def _org_name(ctx: Context) -> str:
    return str(ctx.org()["name"])


def _samples(w: World) -> dict[tuple[str, str], tuple[dict[str, Any], dict[str, Any]]]:
    """Every route: (its path values, a body or query a user might send) — a new route without a row fails."""
    c, o, n = w.customer_a, w.order_a, w.invoice_a
    return {
        ("GET", "/customers"): ({}, {}),
        ("POST", "/customers"): ({}, {"name": "Walk-in", "email": ["walkin@example.com"]}),
        ("GET", "/customers/{id}"): ({"id": c}, {}),
        ("PATCH", "/customers/{id}"): ({"id": c}, {"city": "Jeddah"}),
        ("GET", "/customers/{id}/statement"): ({"id": c}, {}),
        ("GET", "/products"): ({}, {}),
        ("POST", "/products"): ({}, {"sku": "NEW-1", "name": "New", "price": "5"}),
        ("POST", "/orders"): ({}, {"customer": c, "line": ["CUP:1"], "confirm": True}),
        ("GET", "/orders/{id}"): ({"id": o}, {}),
        ("POST", "/orders/{id}/transition"): ({"id": w.confirmed_a}, {"to": "fulfilled"}),
        ("POST", "/orders/{id}/cancel"): ({"id": w.confirmed_a}, {}),
        ("POST", "/invoices"): ({}, {"order": w.confirmed_a}),
        ("GET", "/invoices/{number}"): ({"number": n}, {}),
        ("GET", "/invoices/{number}/explain"): ({"number": n}, {}),
        ("POST", "/invoices/{number}/credit-notes"): ({"number": n}, {"reason": "damaged"}),
        ("POST", "/payments"): ({}, {"customer": c, "amount": "3", "method": "cash"}),
        ("POST", "/payments/{id}/capture"): ({"id": w.authorized_a}, {}),
        ("POST", "/payments/{id}/void"): ({"id": w.authorized_a}, {}),
        ("POST", "/refunds"): ({}, {"customer": c, "amount": "1", "method": "cash"}),
        ("GET", "/ledger/trial-balance"): ({}, {}),
        ("GET", "/stores"): ({}, {}),
        ("GET", "/stores/{name}/imports"): ({"name": "Web"}, {}),
        ("GET", "/stores/{name}/log"): ({"name": "Web"}, {}),
        ("POST", "/post"): ({}, {"store": "Web", "order": ["1001"]}),
        **{("GET", f"/reports/{r}"): ({}, {}) for r in ("sales", "profit", "vat", "aging")},
        **{("GET", f"/reports/{r}"): ({}, {}) for r in ("trial-balance", "pnl", "balance-sheet")},
        ("GET", "/outbox"): ({}, {}),
        ("POST", "/backup"): ({}, {}),
        ("GET", "/tokens"): ({}, {}),
        ("POST", "/tokens"): ({}, {"email": "nobody@example.com", "name": "x"}),
        ("DELETE", "/tokens/{id}"): ({"id": 1}, {}),
    }


def _path(route_path: str, values: dict[str, Any]) -> str:
    for name, value in values.items():
        route_path = route_path.replace("{" + name + "}", urllib.parse.quote(str(value)))
    return "/api/v1" + route_path


def _send(
    server: Server, method: str, path: str, payload: dict[str, Any], token: str | None
) -> tuple[int, Any]:
    if method == "GET":
        query = urllib.parse.urlencode(payload, doseq=True)
        return server.call(method, path + (f"?{query}" if query else ""), token=token)
    return server.call(method, path, payload if method != "DELETE" else None, token=token)


def _counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        skip = ("api_tokens", "login_attempts", "jobs")
        names = [t for t in sa.inspect(conn).get_table_names() if t not in skip]
        return {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in names}  # noqa: S608


def test_every_route_has_a_sample(world: World) -> None:
    assert sorted((r.method, r.path) for r in ROUTES) == sorted(_samples(world))


def test_without_a_valid_token_every_route_answers_401(server: Server, world: World) -> None:
    for (method, route_path), (values, payload) in _samples(world).items():
        for token in (None, "bo_not_a_token", "Basic abc"):
            status, body = _send(server, method, _path(route_path, values), payload, token)
            assert status == 401 and body["error"], (method, route_path, token, status, body)


def test_a_viewers_token_cannot_write_anything(db: Database, server: Server, world: World) -> None:
    before = _counts(db)
    for (method, route_path), (values, payload) in _samples(world).items():
        if method == "GET" or route_path.startswith("/tokens"):  # one's own tokens: tested below
            continue
        status, body = _send(server, method, _path(route_path, values), payload, world.viewer_a)
        assert status == 403, (method, route_path, status, body)
    assert _counts(db) == before


def test_another_organizations_token_reaches_nothing_of_this_one(
    db: Database, server: Server, world: World
) -> None:
    before = _counts(db)
    for (method, route_path), (values, payload) in _samples(world).items():
        if not values or route_path.startswith("/tokens"):
            continue
        status, body = _send(server, method, _path(route_path, values), payload, world.token_b)
        assert status in (403, 404), (method, route_path, status, body)
    assert _counts(db) == before
    status, listed = server.call("GET", "/api/v1/customers", token=world.token_b)
    assert status == 200 and listed == []  # B sees its own (none), never A's
    query = urllib.parse.urlencode({"org": _org_name(world.admin_a)})
    status, body = server.call("GET", f"/api/v1/customers?{query}", token=world.token_b)
    assert status == 422  # no --org through a token: it acts in its own organization


def test_an_admins_token_does_what_the_command_line_does(db: Database, server: Server, world: World) -> None:
    status, made = server.call("POST", "/api/v1/customers", {"name": "Fatima", "email": ["f@example.com"]},
                               world.token_a)  # fmt: skip
    assert status == 201 and made["id"] > 0 and made["emails"] == ["f@example.com"]
    status, shown = server.call("GET", f"/api/v1/customers/{made['id']}", token=world.token_a)
    command = server.call("POST", "/api/v1/cli", {"argv": ["customer", "show", str(made["id"]), "--json"]},
                          world.token_a)  # fmt: skip
    assert status == 200 and shown == json.loads(command[1]["stdout"])  # the same document
    status, changed = server.call(
        "PATCH", f"/api/v1/customers/{made['id']}", {"city": "Jeddah"}, world.token_a
    )
    assert (
        status == 200 and changed["city"] == "Jeddah" and changed["emails"] == ["f@example.com"]
    )  # the rest stays
    status, issued = server.call("POST", "/api/v1/invoices", {"order": world.confirmed_a}, world.token_a)
    assert status == 201 and issued["number"] == "INV-000002" and issued["total"] == "11.50"
    status, again = server.call("POST", "/api/v1/invoices", {"order": world.confirmed_a}, world.token_a)
    assert status == 409 and "already has invoice INV-000002" in again["error"]
    status, missing = server.call("GET", "/api/v1/orders/99999", token=world.token_a)
    assert status == 404 and "99999" in missing["error"]


def test_bad_json_wrong_types_and_unknown_fields_are_clear_and_write_nothing(
    db: Database, server: Server, world: World
) -> None:
    before = _counts(db)
    status, body = server.call("POST", "/api/v1/customers", raw=b"{name: oops", token=world.token_a)
    assert status == 400 and "not valid JSON" in body["error"]
    status, body = server.call(
        "POST", "/api/v1/orders", {"customer": "abc", "line": ["CUP:1"]}, world.token_a
    )
    assert status == 422 and body["fields"][0]["field"] == "customer"
    status, body = server.call("POST", "/api/v1/customers", {"name": "X", "colour": "red"}, world.token_a)
    assert status == 422 and body["fields"][0]["field"] == "colour"
    status, body = server.call(
        "POST", "/api/v1/customers", {"name": "X", "email": ["not-an-email"]}, world.token_a
    )
    assert status == 422 and "not-an-email" in body["error"]
    status, body = server.call("POST", "/api/v1/payments", {"customer": world.customer_a, "amount": "-5",
                                                            "method": "cash"}, world.token_a)  # fmt: skip
    assert status == 422
    assert _counts(db) == before


def test_revoked_tokens_and_removed_members_are_refused(db: Database, server: Server, world: World) -> None:
    assert server.call("GET", "/api/v1/customers", token=world.viewer_a)[0] == 200
    viewer = next(t for t in tokens.list_tokens(world.admin_a) if t["name"] == "viewer's script")
    status, _ = server.call("DELETE", f"/api/v1/tokens/{viewer['token_id']}", token=world.token_a)
    assert status == 200
    status, body = server.call("GET", "/api/v1/customers", token=world.viewer_a)
    assert status == 401 and "revoked" in body["error"]

    expiring = tokens.create_token(world.admin_a, "a week", days=7)
    assert server.call("GET", "/api/v1/customers", token=expiring["token"])[0] == 200
    with db.engine.begin() as conn:  # a week later
        conn.execute(sa.text("UPDATE api_tokens SET expires_at = :t WHERE token_id = :id"),
                     {"t": expiring["expires_at"] - timedelta(days=8), "id": expiring["id"]})  # fmt: skip
    status, body = server.call("GET", "/api/v1/customers", token=expiring["token"])
    assert status == 401 and "expired" in body["error"]

    fresh = make_user(world.admin_a, "accountant")
    token = tokens.create_token(fresh, "books")["token"]
    assert server.call("GET", "/api/v1/ledger/trial-balance", token=token)[0] == 200
    auth.remove_member(world.admin_a, fresh.user.user_id)
    assert server.call("GET", "/api/v1/ledger/trial-balance", token=token)[0] == 401


def test_a_token_holder_manages_their_own_tokens_only(server: Server, world: World) -> None:
    status, made = server.call("POST", "/api/v1/tokens", {"email": world.admin_a.user.email}, world.viewer_a)
    assert status == 403  # a token for someone else: an admin's job
    status, listed = server.call("GET", "/api/v1/tokens", token=world.viewer_a)
    assert status == 200 and {t["name"] for t in listed} == {"viewer's script"}
    status, listed = server.call("GET", "/api/v1/tokens", token=world.token_a)
    assert status == 200 and len(listed) == 2  # the admin sees the organization's
    assert all("token" not in t and "token_hash" not in t for t in listed)


def test_through_a_token_no_file_on_the_apps_machine_is_read_or_written(server: Server, world: World) -> None:
    for argv in (
        ["customer", "import", "/etc/passwd"],
        ["customer", "export", "--out", "/tmp/x.xlsx"],
        ["export", "--out", "/tmp/everything.xlsx"],
        ["pdf", "invoice", world.invoice_a, "--out", "/tmp/x.pdf"],
        ["report", "sales", "--format", "csv", "--out", "/tmp/x.csv"],
    ):
        status, answer = server.call("POST", "/api/v1/cli", {"argv": argv}, world.token_a)
        assert status == 200 and answer["exit_code"] == 2 and "cannot be read or written" in answer["stderr"]
    status, answer = server.call("POST", "/api/v1/cli", {"argv": ["demo"]}, world.token_a)
    assert answer["exit_code"] == 1 and "app's own machine" in answer["stderr"]


def test_the_openapi_document_lists_every_route(server: Server) -> None:
    with urllib.request.urlopen(server.url + "/api/v1/openapi.json") as response:  # noqa: S310
        document = json.loads(response.read())
    listed = {(m.upper(), p) for p, ops in document["paths"].items() for m in ops}
    assert {(r.method, r.path) for r in ROUTES} <= listed
    customer_add = document["paths"]["/customers"]["post"]
    assert "backoffice customer add" in customer_add["summary"]


ORDERS_CSV = (
    "order_id,order_date,status,customer_name,customer_email,sku,product_name,quantity,unit_price\n"
    "W1,2026-11-05,completed,Sara,sara@example.com,CUP,Cup,2,10\n"
    "W2,2026-11-06,completed,Omar,omar@example.com,CUP,Cup,1,10\n"
    "W3,2026-11-06,completed,Omar,omar@example.com,CUP,Cup,x,10\n"
)


def _upload(server: Server, token: str, fields: dict[str, str], content: bytes) -> tuple[int, Any]:
    boundary = "----backoffice-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="../../orders.csv"\r\n'
        "Content-Type: text/csv\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        server.url + "/api/v1/imports",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": f"multipart/form-data; boundary={boundary}",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own test server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_a_store_import_uploaded_runs_as_a_job_you_poll(
    db: Database, server: Server, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # where the app keeps the upload meanwhile
    status, started = _upload(server, world.token_a, {"store": "Web"}, ORDERS_CSV.encode())
    assert (
        status == 202
        and started["status"] == "running"
        and started["poll"] == f"/api/v1/jobs/{started['job']}"
    )
    deadline = time.monotonic() + 60
    while True:
        status, job = server.call("GET", started["poll"], token=world.token_a)
        assert status == 200
        if job["status"] != "running" or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert job["status"] == "done" and job["progress"] == 100 and job["exit_code"] == 0, job
    result = job["result"]  # what `backoffice import … --json` prints
    assert result["new"] == 2 and result["errors"] == 1 and result["problems"][0]["column"] == "quantity"
    status, other = server.call("GET", started["poll"], token=world.token_b)
    assert status == 404  # another organization's job is not there
    assert not list(tmp_path.glob("bo-upload-*"))  # the upload is gone


def test_an_upload_refused_writes_nothing(
    db: Database, server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _counts(db)
    status, body = _upload(server, world.viewer_a, {"store": "Web"}, ORDERS_CSV.encode())
    assert status == 403 and "viewer" in body["error"]
    monkeypatch.setattr(api_app, "MAX_UPLOAD_BYTES", 1000)
    status, body = _upload(server, world.token_a, {"store": "Web"}, ORDERS_CSV.encode() * 20)
    assert status == 413 and "larger than" in body["error"]
    status, body = _upload(server, world.token_a, {}, ORDERS_CSV.encode())
    assert status == 422 and body["fields"][0]["field"] == "store"
    assert _counts(db) == before
    status, body = server.call("GET", "/api/v1/jobs/1", token=None)
    assert status == 401


def test_an_invoices_pdf_is_served_as_issued(server: Server, world: World, tmp_path: Path) -> None:
    request = urllib.request.Request(
        f"{server.url}/api/v1/invoices/{world.invoice_a}/pdf",
        headers={"Authorization": f"Bearer {world.viewer_a}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - our own test server
        assert response.headers["Content-Type"] == "application/pdf"
        pdf = response.read()
    (tmp_path / "inv.pdf").write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "inv.pdf"), "-"], capture_output=True, text=True, check=True
    )
    assert world.invoice_a in text.stdout and "23.00" in text.stdout
    status, body = server.call("GET", f"/api/v1/invoices/{world.invoice_a}/pdf", token=world.token_b)
    assert status == 404


def test_the_export_comes_back_as_a_zip_of_the_organizations_tables_only(
    server: Server, world: World
) -> None:
    import io
    import zipfile

    def export(token: str) -> dict[str, str]:
        request = urllib.request.Request(
            f"{server.url}/api/v1/export?format=zip", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - our own test server
            assert response.headers["Content-Type"] == "application/zip"
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
        return {n: archive.read(n).decode("utf-8-sig", "replace") for n in archive.namelist()}

    email = customers_email(world)
    mine = export(world.token_a)
    assert any(email in text for text in mine.values()) and any(world.invoice_a in t for t in mine.values())
    theirs = export(world.token_b)
    assert not any(email in text for text in theirs.values())


def customers_email(world: World) -> str:
    from backoffice.contacts import customers

    return str(customers.get_customer(world.admin_a, world.customer_a)["emails"]).split(",")[0].strip()


def test_a_token_reads_no_variable_of_the_app_and_makes_no_token(
    server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ONLY_SECRET", "s3cret-of-the-server")
    argv = ["smtp", "set", "--host", "evil.example", "--port", "25", "--tls", "none", "--user", "u",
            "--sender", "a@example.com", "--password-env", "APP_ONLY_SECRET"]  # fmt: skip
    status, answer = server.call("POST", "/api/v1/cli", {"argv": argv}, world.token_a)
    assert answer["exit_code"] == 2 and "APP_ONLY_SECRET is empty or unset" in answer["stderr"]
    status, answer = server.call("POST", "/api/v1/cli", {"argv": argv, "env": {"APP_ONLY_SECRET": "mine"}},
                                 world.token_a)  # fmt: skip
    assert answer["exit_code"] == 0  # the caller's own value, sent with the command
    status, body = server.call("POST", "/api/v1/tokens", {"email": world.admin_a.user.email}, world.token_a)
    assert status == 403 and "personal API token" in body["error"]  # a token never mints a longer-lived one
    for argv in (["serve"], ["secret", "rotate"]):
        status, answer = server.call("POST", "/api/v1/cli", {"argv": argv}, server.local)
        assert answer["exit_code"] == 2, answer  # not even the app's own token: never inside the app


def test_an_upload_without_a_valid_token_or_size_is_not_even_read(
    server: Server, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer comes before any of the body is sent: the app reads nothing of such an upload."""
    import http.client

    def headers_only(token: str, length: int) -> tuple[int, Any]:
        host, port = server.url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=10)
        conn.putrequest("POST", "/api/v1/imports")
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", "multipart/form-data; boundary=x")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()  # and not one byte of the body
        response = conn.getresponse()
        answer = response.status, json.loads(response.read())
        conn.close()
        return answer

    status, body = headers_only("bo_wrong", 2_000_000)
    assert status == 401 and "unknown" in body["error"]
    monkeypatch.setattr(api_app, "MAX_UPLOAD_BYTES", 1000)
    status, body = headers_only(world.token_a, 2_000_000)
    assert status == 413 and "larger than" in body["error"]


def test_a_password_change_or_reset_revokes_the_accounts_tokens(
    db: Database, server: Server, world: World
) -> None:
    admin = world.admin_a
    assert server.call("GET", "/api/v1/customers", token=world.token_a)[0] == 200
    auth.change_password(db, admin.user, "Sesame#2026", "Another#Pass2026!")
    assert server.call("GET", "/api/v1/customers", token=world.token_a)[0] == 401
    fresh = tokens.create_token(admin, "after the change")["token"]
    reset = auth.issue_reset_token(
        Context(db, auth.get_user(db, admin.user.user_id), admin.org_id), admin.user.user_id
    )
    auth.redeem_token(db, reset, "Third#Pass2026!xyz")
    assert server.call("GET", "/api/v1/customers", token=fresh)[0] == 401
