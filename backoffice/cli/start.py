"""`backoffice init`, `demo` and `serve`: a new organization, the demo one, the web app."""

from __future__ import annotations

import os
import sys

import click

from backoffice.books.ledger import BUSINESS_TYPES
from backoffice.cli import common
from backoffice.core.i18n import DOCUMENT_LANGUAGES


@click.command("init", cls=common.Command)
@common.options()
@click.option("--currency", required=True, help="ISO code: SAR, AED, JOD, IRR, USD …")
@click.option("--vat", required=True, metavar="PERCENT", help="standard VAT rate, e.g. 15")
@click.option("--admin-email", required=True)
@click.option("--admin-password", required=True)
@click.option("--admin-name", default="Admin")
@click.option("--business-type", default="trading", type=common.choice(BUSINESS_TYPES))
@click.option("--country", help="two-letter code, e.g. SA")
@click.option("--language", default="en", type=common.choice(DOCUMENT_LANGUAGES))
def init(
    currency: str,
    vat: str,
    admin_email: str,
    admin_password: str,
    admin_name: str,
    business_type: str,
    country: str | None,
    language: str,
) -> None:
    from backoffice.admin import orgs
    from backoffice.core.context import User

    name = common.option("org")
    org_id = orgs.setup(
        common.open_database(must_exist=False),
        name,
        currency,
        vat,
        admin_email,
        admin_password,
        admin_name=admin_name,
        business_type=business_type,
        country=country,
        language=language,
        actor=User.system(),
    )
    common.emit(
        {"id": org_id, "name": name},
        f"Created organization '{name}' (id {org_id}) and its admin {admin_email}.",
    )


@click.command("demo", cls=common.Command)
@common.options()
@click.option("--customers", type=int, default=300)
@click.option("--seed", type=int, default=7)
def demo(customers: int, seed: int) -> None:
    from backoffice.admin import demo as demo_data

    result = demo_data.load_demo(common.open_database(must_exist=False), customers=customers, seed=seed)
    common.emit(
        result,
        f"Demo organization '{result['org']}' with {result['customers']} customers. "
        f"Sign in as {result['admin_email']} / {result['admin_password']}",
    )


@click.command("serve", cls=common.Command)
@common.options(json_flag=False)
@click.option("--host", "--address", "address", default="127.0.0.1", help="the address to listen on")
@click.option("--port", type=int, default=8501)
def serve(address: str, port: int) -> int:
    """The app's server: the pages, /healthz, /readyz and the sign-in cookie's routes on one port (st.App)."""
    import importlib.resources

    from backoffice.core.client_address import trusted_proxies
    from backoffice.db import url_for

    try:
        trusted = trusted_proxies()
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    env = os.environ | {
        "BACKOFFICE_DATABASE_URL": url_for(common.option("db")),
        # uvicorn, under Streamlit, replaces the peer by X-Forwarded-For when the peer is in FORWARDED_ALLOW_IPS
        # (127.0.0.1 by default): the same proxies as the app's own rule, none unless configured
        "FORWARDED_ALLOW_IPS": ",".join(str(network) for network in trusted),
    }
    # the server inside the installed package (its .streamlit/config.toml beside it), wherever the cwd is:
    # Streamlit finds the st.App in it and serves the pages and the routes with uvicorn
    app = importlib.resources.files("backoffice") / "web" / "server.py"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(app),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.headless",
        "true",
    ]
    # Streamlit takes this process's place: a signal to `backoffice serve` (systemd, a terminal) reaches it
    os.execve(sys.executable, command, env)
