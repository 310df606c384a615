"""The `backoffice` command line: a contract for scripts and cron jobs (README, "Command line").

Flags, `--json` shapes and exit codes stay stable once shipped: 0 success, 2 invalid input (nothing
written), 1 any other failure; errors go to stderr in words a user can act on (backoffice.cli.common.run).

One module per area (backoffice/cli/customers.py …), listed in AREAS below. A run imports only the module
of the command it runs, and that module imports the domain it calls, so `backoffice --help` and every
command start fast; docs/decisions/0007 says why click.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

import click

from backoffice.cli.common import CONTEXT_SETTINGS, Group, run

# command -> (module in backoffice.cli, its click command there, the help shown by `backoffice --help`)
AREAS: dict[str, tuple[str, str, str]] = {
    "init": ("start", "init", "create an organization and its admin"),
    "demo": ("start", "demo", "load a demo organization with realistic data"),
    "serve": ("start", "serve", "start the web app"),
    "org": ("orgs", "org", "organization settings"),
    "user": ("users", "user", "users and roles"),
    "customer": ("customers", "customer", "customers, suppliers, employees"),
    "product": ("products", "product", "the product catalogue"),
    "order": ("orders", "order", "orders"),
    "invoice": ("invoices", "invoice", "invoices and credit notes"),
    "ledger": ("ledger", "ledger", "the books"),
    "pdf": ("documents", "pdf", "invoice, credit note, receipt and statement PDFs"),
    "import": ("imports", "import_orders", "import a store's orders (CSV, XLSX or Salla JSON)"),
    "post": ("imports", "post", "post chosen store orders to the books by hand"),
    "store": ("imports", "store", "stores (sales channels)"),
    "smtp": ("messaging", "smtp", "sender (SMTP) settings"),
    "send": ("messaging", "send", "email documents"),
    "outbox": ("messaging", "outbox", "the outbox; `outbox retry` sends failed messages again"),
    "token": ("tokens", "token", "personal API tokens for /api/v1: create, list, revoke"),
    "secret": ("secrets", "secret", "the key that seals stored passwords (rotate, new-key)"),
    "credits": ("messaging", "credits", "message credits: show, or `credits add N`"),
    "remind": ("messaging", "remind", "one payment reminder per customer with overdue invoices"),
    "payment": ("payments", "payment", "payments, deposits, refunds"),
    "report": ("reports", "report", "reports"),
    "export": ("reports", "export", "every table of the organization to XLSX (or a zip of CSVs)"),
    "backup": ("backup", "backup", "a consistent backup of the whole database to one file"),
    "restore": ("backup", "restore", "restore a backup into a new database and verify it"),
}


class Areas(Group):
    """The top level: each area's module is imported when its command runs (or its help is asked for)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(AREAS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in AREAS:
            return None
        module, name, help_text = AREAS[cmd_name]
        command = getattr(importlib.import_module(f"backoffice.cli.{module}"), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"backoffice.cli.{module}.{name} is not a click command")
        command.help = command.short_help = help_text
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):  # from AREAS: listing them imports none of them
            formatter.write_dl([(name, help_text) for name, (_, _, help_text) in AREAS.items()])


cli = Areas(
    "backoffice",
    help="The `backoffice` command line: a contract for scripts and cron jobs.",
    context_settings=CONTEXT_SETTINGS,
)


def main(argv: Sequence[str] | None = None) -> int:
    """The console script: run `argv` (default: sys.argv) and return the exit code (0, 1 or 2). While the app
    holds the DuckDB file, or with `--url`, the command runs in that app (backoffice.cli.remote)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or any(a in ("-h", "--help") for a in args):
        return run(cli, args)  # help is this program's own
    from backoffice.cli import remote

    args, where = remote.target(args)
    if where is not None and args[:1] != ["serve"]:
        code = remote.send(args, where)
        if code is not None:
            return code
    return run(cli, args)
