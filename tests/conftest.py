"""Shared fixtures: a fresh database per test on DuckDB (always) and PostgreSQL (when installed).

Migrations run once per session into a template; each test gets a copy (a file copy for
DuckDB, CREATE DATABASE … TEMPLATE on PostgreSQL), so a test costs milliseconds, not a migration.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

os.environ.setdefault("BACKOFFICE_FAST_HASH", "1")  # argon2id with tiny cost; the real cost has its own test
os.environ.setdefault("BACKOFFICE_DUCKDB_THREADS", "1")
# the key that seals stored secrets: one per test process, never a file in the checkout (tests/test_secrets.py
# covers the key file made beside a database)
os.environ.setdefault(
    "BACKOFFICE_SECRET_KEY_FILE", os.path.join(tempfile.mkdtemp(prefix="bo-key-"), "secret.key")
)

from backoffice.db import Database, open_database  # noqa: E402
from tests.pgserver import PgServer, find_pg_bin  # noqa: E402

settings.register_profile(
    "ci",
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.register_profile(
    "dev",
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

ENGINES = ["duckdb", "postgresql"]
_counter = itertools.count()


@pytest.fixture(scope="session")
def duckdb_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.duckdb"
    db = open_database(f"duckdb:///{path}")
    with db.write() as conn:
        conn.exec_driver_sql("CHECKPOINT")
    db.dispose()
    return path


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL is not installed (CI installs Debian's postgresql)")
    server = PgServer().start()
    server.create_database("backoffice_template")
    db = open_database(server.url_for("backoffice_template"))
    db.dispose()
    yield server
    server.stop()


def fresh_duckdb(template: Path, folder: Path) -> Database:
    path = folder / f"test{next(_counter)}.duckdb"
    shutil.copyfile(template, path)
    return open_database(f"duckdb:///{path}")


@pytest.fixture(params=ENGINES)
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each engine."""
    if request.param == "duckdb":
        database = fresh_duckdb(request.getfixturevalue("duckdb_template"), tmp_path)
        yield database
        database.dispose()
        return
    server: PgServer = request.getfixturevalue("pg_server")
    name = f"t{os.getpid()}_{next(_counter)}"
    database = open_database(server.create_database(name, template="backoffice_template"))
    yield database
    database.dispose()
    server.drop_database(name)


@pytest.fixture
def duck(duckdb_template: Path, tmp_path: Path) -> Iterator[Database]:
    """A migrated DuckDB file only (CLI, UI and file-level tests)."""
    database = fresh_duckdb(duckdb_template, tmp_path)
    yield database
    database.dispose()


@pytest.fixture(params=ENGINES)
def cli_db(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., tuple[str, ...]]]:
    """Where a command-line test's database is, on each engine. Call it for a new database and pass what it
    returns to the command: DuckDB, `("--db", FILE)`; PostgreSQL, `()` with BACKOFFICE_DATABASE_URL naming a fresh
    database, which this process and the commands it starts read. Migrated (a copy of the template), or with
    `empty=True` nothing at all: no DuckDB file yet, a PostgreSQL database as a new server's is."""
    monkeypatch.delenv("BACKOFFICE_DATABASE_URL", raising=False)
    if request.param == "duckdb":

        def new_file(empty: bool = False) -> tuple[str, ...]:
            path = tmp_path / f"cli{next(_counter)}.duckdb"
            if not empty:
                shutil.copyfile(request.getfixturevalue("duckdb_template"), path)
            return ("--db", str(path))

        yield new_file
        return
    server: PgServer = request.getfixturevalue("pg_server")
    made: list[str] = []

    def fresh(empty: bool = False) -> tuple[str, ...]:
        name = f"cli{os.getpid()}_{next(_counter)}"
        url = server.create_database(name, template=None if empty else "backoffice_template")
        made.append(name)
        monkeypatch.setenv("BACKOFFICE_DATABASE_URL", url)
        return ()

    yield fresh
    for name in made:
        server.drop_database(name)
