"""What every `backoffice` command shares: the `--db/--org/--json` options, opening the database, the
Context, printing a result, and the one place that turns an error into an exit code.

Exit codes (a contract, README "Command line"): 0 success, 2 invalid input or usage (nothing written),
1 any other failure; the message goes to stderr, never a traceback.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

import click

from backoffice.core.errors import BackofficeError, PermissionDenied, ValidationError

if TYPE_CHECKING:
    from datetime import date

    from backoffice.core.context import Context, User
    from backoffice.core.money import Currency
    from backoffice.db import Database

F = TypeVar("F", bound=Callable[..., Any])

CONTEXT_SETTINGS: dict[str, Any] = {"help_option_names": ["-h", "--help"]}
_NEGATIVE_NUMBER = re.compile(r"^-\d+$|^-\d*\.\d+$")  # argparse's own test: such a token is a value
_OPENED: list[Database] = []  # databases this run opened, closed when it ends (the file lock goes with them)


@dataclass
class InApp:
    """A command run inside the app that owns the database (issue 17): forwarded by the `backoffice` of a shell
    while the app holds the DuckDB file, or asked for through /api/v1. The command uses the app's database, acts
    as `actor` (the system user for the app's own local token, else a personal token's user, in its
    organization only), and writes its output into buffers that go back to the caller."""

    database: Database
    actor: User
    org_id: int | None = None  # a personal token acts in its own organization, and no other
    cwd: Path | None = None  # the caller's working folder: relative file names are read and written there
    files: bool = False  # whether the command may read and write files on the app's machine
    out: IO[str] = field(default_factory=io.StringIO)
    err: IO[str] = field(default_factory=io.StringIO)
    failure: BaseException | None = None  # the error that decided the exit code, for the API's HTTP status
    progress: Callable[[float, str], None] | None = None  # a long command's progress, for a job's poll
    env: dict[str, str] = field(
        default_factory=dict
    )  # the caller's variables the command names (--password-env)


_IN_APP: ContextVar[InApp | None] = ContextVar("backoffice_cli_in_app", default=None)
# Commands that act on the database as a whole or on the process, not as a user of one organization: through the
# app they run only for the app's own local token (the system user).
SYSTEM_ONLY = frozenset({"init", "demo", "restore"})
# Never inside the app: `serve` would start another server over this one; `secret rotate` must seal with the key the
# app itself will use, which is the one it was started with (rotate with the app stopped).
NEVER_IN_APP = {
    "serve": "The app is already serving this database.",
    "secret": "Stop the app, run `backoffice secret rotate` with the new key first in BACKOFFICE_SECRET_KEY, then "
    "start the app with that same value: the app seals with the key it was started with.",
}


def in_app() -> InApp | None:
    return _IN_APP.get()


def run_in_app(command: click.Command, argv: Sequence[str], where: InApp) -> int:
    """Run a command line inside the app as `where` says; its output is in where.out/where.err."""
    words = [a for a in argv if not a.startswith("-")]
    refusal: BackofficeError | None = None
    if words and words[0] in NEVER_IN_APP:
        refusal = ValidationError(NEVER_IN_APP[words[0]], words[0])
    elif words and words[0] in SYSTEM_ONLY and not where.actor.is_system:
        refusal = PermissionDeniedForArea(words[0])
    elif words[:2] == ["token", "create"] and where.org_id is not None:  # a token never makes another one
        refusal = PermissionDeniedForArea("token create")
    if refusal is not None:
        where.failure = refusal
        print(f"error: {refusal}", file=where.err)
        return refusal.exit_code
    token = _IN_APP.set(where)
    try:
        return run(command, argv)
    finally:
        _IN_APP.reset(token)


class PermissionDeniedForArea(PermissionDenied):
    exit_code = 1

    def __init__(self, area: str) -> None:
        super().__init__(
            f"`backoffice {area}` runs only on the app's own machine, not with a personal API token."
        )


def getenv(name: str) -> str | None:
    """A variable a command is told to read (`--password-env VAR`): the caller's own, never the app's."""
    where = _IN_APP.get()
    return where.env.get(name) if where is not None else os.environ.get(name)


def out() -> IO[str]:
    """Where a command's output goes: stdout, or the caller's buffer when it runs inside the app."""
    where = _IN_APP.get()
    return where.out if where is not None else sys.stdout


def err() -> IO[str]:
    where = _IN_APP.get()
    return where.err if where is not None else sys.stderr


def path(text: str) -> Path:
    """A file named on the command line: relative to the caller's working folder. Through a personal token
    (a remote caller) no file on the app's machine may be read or written."""
    where = _IN_APP.get()
    if where is None:
        return Path(text)
    if not where.files:
        raise ValidationError(
            f"{text}: files on the app's machine cannot be read or written through the API; "
            "send the file's content in the request instead",
            "file",
        )
    found = Path(text).expanduser()
    return found if found.is_absolute() or where.cwd is None else where.cwd / found


def progress() -> Callable[[float, str], None] | None:
    """Where a long command reports how far it is: a job's record inside the app, nowhere on a shell."""
    where = _IN_APP.get()
    return where.progress if where is not None else None


def actor() -> User:
    from backoffice.core.context import User

    where = _IN_APP.get()
    return where.actor if where is not None else User.system()


# ---------------------------------------------------------------- commands and groups


class _FullHelp:
    """A command's help is one line: listed in full under its group, never cut at 45 characters."""

    short_help: str | None
    help: str | None

    def get_short_help_str(self, limit: int = 45) -> str:
        return (self.short_help or self.help or "").strip()


class Command(_FullHelp, click.Command):
    """A leaf command that reads its arguments the way the argparse CLI did: a unique prefix of a long option
    stands for it (`--dry` is `--dry-run`); a negative number is a value, not an option (`credits add -5`);
    an option is not taken for the value of the one before it (`--name --json` is refused, as it was)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._argparse_reading(ctx, args))

    def _argparse_reading(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value: dict[str, bool] = {}  # long option -> whether the next token is its value
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    if name.startswith("--"):
                        takes_value[name] = not param.is_flag and not param.count
        read: list[tuple[bool, str]] = []  # (is it an option or its value?, the token)
        negative = False
        i = 0
        while i < len(args):
            token = args[i]
            if token == "--":
                read += [(False, t) for t in args[i + 1 :]]
                negative = True  # what follows stays behind a "--"
                break
            if token.startswith("--") and len(token) > 2:
                name, equals, value = token.partition("=")
                if name not in takes_value:
                    hits = [o for o in takes_value if o.startswith(name)]
                    if len(hits) > 1:
                        raise click.UsageError(f"ambiguous option: {name} could match {', '.join(hits)}", ctx)
                    name = hits[0] if hits else name
                read.append((True, name + equals + value))
                if takes_value.get(name) and not equals and i + 1 < len(args):
                    i += 1
                    if _looks_like_an_option(args[i]):  # `--name --json`: argparse refused, click took it
                        raise click.BadOptionUsage(name, f"Option '{name}' requires an argument.", ctx)
                    read.append((True, args[i]))
            elif _NEGATIVE_NUMBER.match(token):
                read.append((False, token))
                negative = True
            else:
                read.append((token.startswith("-") and len(token) > 1, token))
            i += 1
        if not negative:
            return [token for _, token in read]
        # options first, then "--": click reads every token after it as a positional, "-5" included
        return (
            [t for is_option, t in read if is_option] + ["--"] + [t for is_option, t in read if not is_option]
        )


def _looks_like_an_option(token: str) -> bool:
    """argparse's reading: a token is an option, not a value, if it starts with "-", is longer than that, and
    is neither a negative number nor text with a space ("- buy milk" is a value)."""
    return token.startswith("-") and len(token) > 1 and not _NEGATIVE_NUMBER.match(token) and " " not in token


class Group(_FullHelp, click.Group):
    """A command area (`customer`, `store` …): its sub-commands are listed in the order they are defined."""

    command_class = Command
    group_class = type  # a group's sub-groups are Groups too

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)


def options(json_flag: bool = True) -> Callable[[F], F]:
    """`--db PATH`, `--org NAME` and (unless json_flag is False) `--json`: on every command, first in its help.
    Their values are kept on the click context for open_database, context and emit."""

    def remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        ctx.meta[f"backoffice.{param.name}"] = value
        return value

    def decorate(f: F) -> F:
        if json_flag:
            f = click.option(
                "--json",
                is_flag=True,
                expose_value=False,
                callback=remember,
                help="print one JSON document on stdout",
            )(f)
        f = click.option(
            "--org",
            metavar="NAME",
            expose_value=False,
            callback=remember,
            help="organization (optional when there is only one)",
        )(f)
        return click.option(
            "--db",
            metavar="PATH",
            expose_value=False,
            callback=remember,
            help="DuckDB file (default: BACKOFFICE_DATABASE_URL or data/backoffice.duckdb)",
        )(f)

    return decorate


def option(name: str) -> Any:
    """The value of a common option (`db`, `org`, `json`) of the command running now."""
    return click.get_current_context().meta.get(f"backoffice.{name}")


def choice(values: Sequence[str]) -> click.Choice[str]:
    return click.Choice([str(v) for v in values])  # a StrEnum member by its value, as the database stores it


def flag(name: str, help: str | None) -> Callable[[F], F]:
    """`--name/--no-name`, None when neither is given (argparse's BooleanOptionalAction with default None)."""
    return click.option(f"--{name}/--no-{name}", default=None, help=help)


def listed(values: Sequence[str]) -> list[str] | None:
    """A repeated option as argparse's append gave it: the values given, or None when there are none."""
    return list(values) or None


# ---------------------------------------------------------------- the database and the Context


def open_database(must_exist: bool = True) -> Database:
    from backoffice.db import open_database as open_url
    from backoffice.db import url_for

    where = _IN_APP.get()
    if where is not None:  # inside the app: its database, whatever --db said (the caller's client checked it)
        return where.database
    path = option("db")
    if path and must_exist and not Path(path).exists():
        raise ValidationError(
            f"No database at {path}. Create one with `backoffice init --db {path} …`.", "db"
        )
    db = open_url(url_for(path))
    _OPENED.append(db)
    return db


def context() -> Context:
    from backoffice.admin.orgs import find_org_id
    from backoffice.core.context import Context

    db = open_database()
    where = _IN_APP.get()
    if where is not None and where.org_id is not None:  # a personal token: its organization only
        token_org(db, where.org_id, option("org"))
        return Context(db, where.actor, where.org_id)
    return Context(db, actor(), find_org_id(db, option("org")))


def token_org(db: Database, org_id: int, named: str | None) -> None:
    """A personal token acts in its own organization: naming another is refused the same way whether or not it
    exists (never a hint at other organizations' names)."""
    if named and named.strip().lower() != str(db.organization(org_id)["name"]).strip().lower():
        raise PermissionDenied("This API token belongs to another organization.")


def currency_code(ctx: Context) -> str:
    from backoffice.admin import orgs

    return str(orgs.get_settings(ctx)["currency"])


def money(ctx: Context) -> Currency:
    from backoffice.core.money import currency

    return currency(currency_code(ctx))


def day(text: str | None) -> date | None:
    """An optional --from/--to/--on value: YYYY-MM-DD, or None when not given."""
    from datetime import date

    return date.fromisoformat(text) if text else None


# ---------------------------------------------------------------- output


def emit(data: Any, text: str | None = None) -> None:
    """Print a command's result: one JSON line with --json, else the text, else indented JSON. It comes after
    the work is done and committed: a reader that has gone away (`… --json | head`) changes nothing about
    that, so a broken pipe ends the output quietly, not the command."""
    stream = out()
    try:
        if option("json"):
            print(json.dumps(data, ensure_ascii=False, default=str), file=stream)
        elif text is not None:
            print(text, file=stream)
        else:
            print(json.dumps(data, ensure_ascii=False, default=str, indent=2), file=stream)
        stream.flush()
    except BrokenPipeError:
        # what is still buffered would fail again at exit: stdout goes to /dev/null from here on
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def error(message: str) -> None:
    print(f"error: {message}", file=err())


# ---------------------------------------------------------------- the one place for exit codes


def run(command: click.Command, argv: Sequence[str] | None = None) -> int:
    """Run the command line `argv` (default: sys.argv) and return its exit code; nothing escapes but the code.

    0: done (or help shown). 2: a usage error or invalid input — nothing was written (BackofficeError's own
    exit_code: ValidationError, NotFoundError, ConflictError; ValueError). 1: anything else (the file is held
    by the app, a permission, an OSError). A command may return its own code (an import that was rejected: 2;
    a message that was not sent: 1). Ctrl-C: 130, as a shell counts an interrupted program."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        try:
            with command.make_context("backoffice", args) as ctx:
                result = command.invoke(ctx)
        finally:
            while _OPENED and _IN_APP.get() is None:
                _OPENED.pop().dispose()
    except click.exceptions.NoArgsIsHelpError as exc:  # `backoffice` or `backoffice customer` alone
        print(exc.format_message(), file=err())
        return 2
    except click.UsageError as exc:
        if (where := _IN_APP.get()) is not None:
            where.failure = exc
        if exc.ctx is not None:
            print(exc.ctx.get_usage(), file=err())
            print(f"Try '{exc.ctx.command_path} --help' for help.", file=err())
        error(exc.format_message())
        return 2
    except click.exceptions.Exit as exc:  # --help
        return int(exc.exit_code)
    except click.ClickException as exc:
        error(exc.format_message())
        return 1
    except BackofficeError as exc:
        if (where := _IN_APP.get()) is not None:
            where.failure = exc
        error(str(exc))
        return exc.exit_code
    except (ValueError, OSError) as exc:
        error(str(exc))
        return 2 if isinstance(exc, ValueError) else 1
    except (KeyboardInterrupt, click.Abort):
        error("interrupted")
        return 130
    return int(result or 0)
