"""Processes starting at once on a new PostgreSQL database (issue 16, item 7): every one of them opens it, the
schema is migrated once, none crashes in the migrations (UniqueViolation, DuplicateColumn …).

Four separate OS processes, each imported and waiting before the round begins; a file appearing is the signal,
so they open the database within a millisecond of each other. Several rounds, a new empty database each."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa

from backoffice.db.migrations import MIGRATIONS
from tests.pgserver import PgServer

ROOT = Path(__file__).resolve().parents[1]
PROCESSES, ROUNDS = 4, 5
WORKER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from backoffice.db import open_database

    folder, urls = Path(sys.argv[1]), sys.argv[2:]
    print("ready", flush=True)
    for i, url in enumerate(urls):
        go = folder / f"go{i}"
        while not go.exists():
            time.sleep(0.001)
        open_database(url).dispose()
        print("opened", i, flush=True)
    """
)


def test_four_processes_starting_at_once_on_a_new_database_migrate_it_once(
    pg_server: PgServer, tmp_path: Path
) -> None:
    names = [f"start{os.getpid()}_{i}" for i in range(ROUNDS)]
    urls = [pg_server.create_database(name) for name in names]  # empty: nothing migrated yet
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(tmp_path), *urls],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
        )
        for _ in range(PROCESSES)
    ]
    try:

        def each_says(words: str) -> None:
            for proc in procs:
                assert proc.stdout is not None
                line = proc.stdout.readline().strip()
                if line != words:
                    proc.kill()
                    raise AssertionError(f"expected {words!r}, got {line!r}:\n{proc.communicate()[1]}")

        each_says("ready")  # all imported, all waiting
        for i in range(ROUNDS):
            (tmp_path / f"go{i}").touch()
            each_says(f"opened {i}")
        for proc in procs:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0 and not err.strip(), err
        for url in urls:
            engine = sa.create_engine(url)
            with engine.connect() as conn:
                numbers = conn.execute(
                    sa.text("SELECT number FROM schema_migrations ORDER BY number")
                ).scalars()
                assert list(numbers) == [number for number, _, _ in MIGRATIONS]
            engine.dispose()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        for name in names:
            pg_server.drop_database(name)
