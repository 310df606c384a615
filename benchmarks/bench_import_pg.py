"""Store import on PostgreSQL against the same import on DuckDB (issue 16, item 3): one generated file (bench_import's
generator, four lines an order) imported into a fresh DuckDB file and into a fresh database of a throwaway PostgreSQL
(tests/pgserver.py: Debian's server binaries, initdb in a temporary folder, fsync off), in the same run.

Figures: the first import of BENCH_PG_LINES lines (100,000) on each engine; the re-import of the same file right
after it (best of three: each writes its sync-log rows only); then BENCH_PG_LINES × 4 lines (400,000) imported on
PostgreSQL into a database of their own. Each first import is the best of BENCH_PG_ROUNDS (2) rounds into fresh
databases, the engines in turn: the 2-core machine is shared, and one neighbour's burst moved a single run by half. Ratios against the goals: PostgreSQL/DuckDB first import ≤ 3×, re-import
≤ 2×, PostgreSQL 400,000/100,000 lines ≤ 5× (linear growth is 4×).

BENCH_PG_MILLION=1 adds 1,000,000 lines on both engines, first import and re-import (about four minutes on the
2-core development machine, so not part of a routine run). Skipped, with a word, when PostgreSQL is not installed."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from pathlib import Path

from backoffice import imports as order_import
from backoffice.admin import orgs
from backoffice.core.context import Context, User
from backoffice.db import open_database
from benchmarks.bench_import import generate
from benchmarks.common import report

LINES = int(os.environ.get("BENCH_PG_LINES", "100000"))
MILLION = os.environ.get("BENCH_PG_MILLION", "") not in ("", "0")
ROUNDS = int(os.environ.get("BENCH_PG_ROUNDS", "2"))


def _best(a: tuple[float, float, int], b: tuple[float, float, int]) -> tuple[float, float, int]:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2])


def _import(url: str, csv_path: Path, again: int = 3) -> tuple[float, float, int]:
    """(first import, best re-import, orders) of the file into the fresh database at `url`."""
    db = open_database(url)
    try:
        org_id = orgs.setup(db, "Bench", "SAR", "15", country="SA", actor=User.system())
        ctx = Context(db, User.system("bench"), org_id)
        start = time.perf_counter()
        first = order_import.import_file(ctx, "Salla", csv_path.name, csv_path)
        took = time.perf_counter() - start
        best = float("inf")
        for _ in range(again):
            start = time.perf_counter()
            second = order_import.import_file(ctx, "Salla", csv_path.name, csv_path)
            best = min(best, time.perf_counter() - start)
            assert (second.new, second.changed, second.unchanged) == (0, 0, first.new)
        return took, best, first.new
    finally:
        db.dispose()


def _file(folder: Path, lines: int) -> Path:
    path = folder / f"orders-{lines}.csv"
    if not path.exists():
        generate(path, lines)
    return path


def run() -> list[dict[str, object]]:
    from tests.pgserver import PgServer, find_pg_bin

    if find_pg_bin() is None:
        print("  skipped: PostgreSQL's server binaries are not installed (Debian's postgresql package)")
        return []
    folder = Path(tempfile.mkdtemp(prefix="bench-import-pg-"))
    server = PgServer().start()
    names = iter(range(1, 100))

    def on_duckdb(csv_path: Path, again: int = 3) -> tuple[float, float, int]:
        path = folder / f"shop{next(names)}.duckdb"
        try:
            return _import(f"duckdb:///{path}", csv_path, again)
        finally:
            for leftover in folder.glob(f"{path.name}*"):
                leftover.unlink()

    def on_postgresql(csv_path: Path, again: int = 3) -> tuple[float, float, int]:
        name = f"shop{next(names)}"
        try:
            return _import(server.create_database(name), csv_path, again)
        finally:
            server.drop_database(name)

    def both(lines: int, rounds: int) -> tuple[tuple[float, float, int], tuple[float, float, int]]:
        """Best first import and best re-import on each engine over `rounds` rounds (DuckDB and PostgreSQL in
        turn, a fresh database each), so that a neighbour's burst on the machine weighs on neither alone."""
        csv_path = _file(folder, lines)
        duck = pg = (float("inf"), float("inf"), 0)
        for _ in range(rounds):
            duck = _best(duck, on_duckdb(csv_path))
            pg = _best(pg, on_postgresql(csv_path))
        for engine, (first, again, orders) in (("DuckDB", duck), ("PostgreSQL", pg)):
            print(
                f"  {lines:,} lines ({orders:,} orders) on {engine}: import {first:.2f} s, re-import {again:.2f} s"
                f" (best of {rounds})"
            )
        return duck, pg

    found: list[dict[str, object]] = []
    try:
        duck, pg = both(LINES, ROUNDS)
        found.append(report(f"PG/DuckDB first import, {LINES:,} lines", pg[0], duck[0], goal=3.0))
        found.append(report(f"PG/DuckDB re-import, {LINES:,} lines", pg[1], duck[1], goal=2.0))
        four = min(on_postgresql(_file(folder, 4 * LINES), again=0)[0] for _ in range(ROUNDS))
        print(f"  {4 * LINES:,} lines on PostgreSQL: import {four:.2f} s (best of {ROUNDS})")
        found.append(report(f"PG {4 * LINES:,} / {LINES:,} lines, first import", four, pg[0], goal=5.0))
        if MILLION:
            duck_m, pg_m = both(1_000_000, 1)
            found.append(report("PG/DuckDB first import, 1,000,000 lines", pg_m[0], duck_m[0], goal=3.0))
            found.append(report("PG/DuckDB re-import, 1,000,000 lines", pg_m[1], duck_m[1], goal=2.0))
            found.append(report(f"PG 1,000,000 / {LINES:,} lines, first import", pg_m[0], pg[0]))
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    return found
