"""The database seam: migrations, transactions, the file held by another process (docs/architecture.md)."""

import subprocess
import sys
import textwrap

import pytest
import sqlalchemy as sa

from backoffice.core.errors import DatabaseBusyError
from backoffice.db import Database, open_database, url_for
from backoffice.db.migrations import MIGRATIONS, apply_migrations, table_names


def test_migrations_are_applied_once(db: Database) -> None:
    assert apply_migrations(db) == []  # the fixture already migrated
    with db.read() as conn:
        numbers = [
            r[0] for r in conn.execute(sa.text("SELECT number FROM schema_migrations ORDER BY number"))
        ]
    assert numbers == [m[0] for m in MIGRATIONS]
    assert {"organizations", "users", "contacts", "journal_entries", "journal_lines", "audit_log"} <= set(
        table_names(db)
    )


def test_a_failed_write_leaves_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as conn:
        conn.execute(sa.text("INSERT INTO categories (org_id, name, name_key) VALUES (1, 'x', 'x')"))
        raise RuntimeError("boom")
    with db.read() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM categories")).scalar() == 0


def test_money_columns_are_integers_on_both_engines(db: Database) -> None:
    with db.write() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO journal_lines (org_id, entry_id, line_no, account_id, debit_minor, credit_minor) "
                "VALUES (1, 1, 1, 1, 9007199254740993, 0)"
            )
        )  # 2**53 + 1: a float would lose it
        value = conn.execute(sa.text("SELECT debit_minor FROM journal_lines")).scalar()
    assert value == 9007199254740993 and isinstance(value, int)


def test_a_file_held_by_another_process_gives_an_error_that_says_what_to_do(tmp_path) -> None:
    path = tmp_path / "held.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            con = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            sys.stdin.read()
        """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        with pytest.raises(
            DatabaseBusyError, match="in use by another program .*Wait for it to finish or stop it"
        ):
            open_database(url_for(path))
    finally:
        holder.communicate("")


def test_url_for_prefers_the_path_then_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", "postgresql+psycopg://u@127.0.0.1/x")
    assert url_for(tmp_path / "a.duckdb") == f"duckdb:///{tmp_path / 'a.duckdb'}"
    assert url_for(None) == "postgresql+psycopg://u@127.0.0.1/x"
    monkeypatch.delenv("BACKOFFICE_DATABASE_URL")
    assert url_for(None).endswith("data/backoffice.duckdb")
    assert Database(url_for(tmp_path / "b.duckdb")).dialect == "duckdb"


def test_duckdb_detail_tables_are_rebuilt_without_keys_and_keep_their_rows(tmp_path, monkeypatch) -> None:
    """Migration 13 on a file that already holds lines: every row kept in its order, the key gone, ids still
    drawn from their sequences, the column checks still enforced."""
    from backoffice.db import migrations

    url = url_for(tmp_path / "old.duckdb")
    monkeypatch.setattr(migrations, "MIGRATIONS", [m for m in MIGRATIONS if m[0] < 13])
    old = open_database(url)
    with old.write() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO order_lines (org_id, order_id, line_no, kind, description, quantity, unit_price_minor, "
                "vat_rate_bp, net_minor, vat_minor, gross_minor) SELECT 1, i // 3, i % 3, 'goods', 'Mug ' || i, 1, "
                "1000, 1500, 1000, 150, 1150 FROM range(3000) t(i)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO stock_moves (org_id, product_id, moved_on, quantity, value_minor, source_type) "
                "SELECT 1, i % 7, DATE '2026-01-01' + CAST(i AS INTEGER), -1, -500, 'invoice' FROM range(50) t(i)"
            )
        )
    with old.read() as conn:
        lines_before = conn.execute(sa.text("SELECT * FROM order_lines")).fetchall()
        moves_before = conn.execute(sa.text("SELECT * FROM stock_moves")).fetchall()
    old.dispose()
    monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
    db = open_database(url)
    with db.read() as conn:
        width = len(lines_before[0])  # later migrations may add columns (15: price_includes_vat, NULL here)
        assert [
            r[:width] for r in conn.execute(sa.text("SELECT * FROM order_lines")).fetchall()
        ] == lines_before
        assert conn.execute(sa.text("SELECT * FROM stock_moves")).fetchall() == moves_before
        keys = conn.execute(
            sa.text(
                "SELECT table_name FROM duckdb_constraints() WHERE constraint_type IN ('PRIMARY KEY', 'UNIQUE') "
                "AND table_name IN ('order_lines', 'invoice_lines', 'stock_moves', 'order_events', 'sync_log', "
                "'allocations')"
            )
        ).fetchall()
        assert keys == []
    with db.write() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO stock_moves (org_id, product_id, moved_on, quantity, value_minor, source_type) "
                "VALUES (1, 1, DATE '2026-03-01', 1, 500, 'receipt')"
            )
        )
        ids = [r[0] for r in conn.execute(sa.text("SELECT move_id FROM stock_moves ORDER BY move_id"))]
    assert ids == list(range(1, 52))  # the sequence goes on where it was
    with pytest.raises(sa.exc.DBAPIError, match="CHECK"), db.write() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO order_lines (org_id, order_id, line_no, kind, description, quantity, unit_price_minor, "
                "vat_rate_bp, net_minor, vat_minor, gross_minor) VALUES (1, 1, 9, 'goods', 'x', 0, 1, 0, 0, 0, 0)"
            )
        )


def test_processes_starting_together_on_an_empty_postgresql_database_all_come_up(pg_server) -> None:
    """Three app processes (or replicas) start at once on a database nobody migrated yet."""
    name = "fresh_start_race"
    pg_server.create_database(name)
    url = pg_server.url_for(name)
    script = textwrap.dedent(
        f"""
        import sys, time
        from backoffice.db import open_database
        time.sleep(max(0.0, float(sys.argv[1]) - time.time()))  # start together
        db = open_database({url!r})
        print("up")
        """
    )
    import time

    at = str(time.time() + 3)
    procs = [
        subprocess.Popen([sys.executable, "-c", script, at], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outcomes = [p.communicate(timeout=180) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err.decode()[-2000:] for _, err in outcomes]
    db = Database(url)
    with db.read() as conn:
        numbers = [
            r[0] for r in conn.execute(sa.text("SELECT number FROM schema_migrations ORDER BY number"))
        ]
    db.dispose()
    assert numbers == [m[0] for m in MIGRATIONS]


def test_the_writer_goes_first_come_first_served(db: Database) -> None:
    """A job that takes the writer again right after each of its transactions (an import's batches) lets a save that
    was already waiting in first, instead of taking it back before the waiting thread wakes."""
    import threading
    import time

    order: list[str] = []
    first_held = threading.Event()

    def batches() -> None:
        for n in range(8):
            with db.write():
                order.append(f"batch {n}")
                first_held.set()
                time.sleep(0.15)

    def save() -> None:
        first_held.wait()
        with db.write():
            order.append("save")

    job, other = threading.Thread(target=batches), threading.Thread(target=save)
    job.start()
    other.start()
    job.join()
    other.join()
    assert order.index("save") == 1, order  # right after the batch during which it began to wait


def test_a_service_inside_another_joins_its_transaction_and_still_checks_its_permission(db: Database) -> None:
    """The seam (decision 0008): ctx.write() inside ctx.write() is one transaction, undone whole when the outer
    block fails; a nested service still checks the permission of the Context that calls it."""
    from backoffice.core.errors import PermissionDenied
    from backoffice.sales import orders
    from backoffice.sales.orders import LineRequest
    from tests.factories import make_org as org
    from tests.factories import make_product, make_user

    _, admin = org(db)
    make_product(admin, "CUP", stock=5)
    viewer = make_user(admin, "viewer")
    with pytest.raises(RuntimeError, match="after the order"):
        with admin.write():
            orders.create_order(admin, None, [LineRequest("CUP", 1)])
            assert orders.list_orders(admin)[1] == 1  # a read inside sees the transaction's own write
            raise RuntimeError("after the order")
    assert orders.list_orders(admin)[1] == 0  # undone with the outer block
    with admin.write():
        with pytest.raises(PermissionDenied):
            orders.create_order(viewer, None, [LineRequest("CUP", 1)])


def test_each_thread_has_its_own_transaction(db: Database) -> None:
    """A transaction is held by the thread that opened it: another thread's ctx.write() waits for the writer and
    gets a connection of its own, never the first thread's."""
    import threading

    from tests.factories import make_org as org

    _, admin = org(db)
    inside, seen = threading.Event(), {}

    def other() -> None:
        inside.wait(30)
        with admin.write() as conn:
            seen["other"] = conn

    thread = threading.Thread(target=other)
    thread.start()
    with admin.write() as mine:
        inside.set()
        thread.join(0.5)
        assert thread.is_alive()  # it waits: the writer is this thread's
    thread.join(30)
    assert seen["other"] is not mine
