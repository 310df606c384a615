"""Store order import: preview first, never duplicates, posts completed orders, explains every failure (SPEC O1–O9, O12).

Pipeline (docs/architecture.md): the file is read into an in-memory DuckDB (backoffice.db.queries.staging), mapped by
profile to the generic layout, typed and validated in SQL (every problem with row, column and reason), priced;
the good orders go to the main database in bulk and are upserted set-based by (store, external order id);
completed orders are invoiced and posted on their own dates by the invoicing path manual orders use, paid by
the store's payments when the store says so; a sync-log row records each order's outcome.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.core.context import Context
from backoffice.core.enums import ImportStatus
from backoffice.core.errors import BackofficeError, ConflictError, NotFoundError, ValidationError
from backoffice.core.money import currency
from backoffice.core.tabular import (
    check_headers,
    decode,
    refuse_other_formats,
    sniff_delimiter,
    utf16_without_bom,
)
from backoffice.db import audit, bulk, now
from backoffice.db.queries import import_returns as returns_q
from backoffice.db.queries import imports as q
from backoffice.db.queries import orgs as orgs_q
from backoffice.db.queries import payments as payments_q
from backoffice.db.queries import products as products_q
from backoffice.db.queries import sales as sales_q
from backoffice.db.queries import staging
from backoffice.imports import profiles
from backoffice.sales import invoices

Progress = Callable[[float, str], None]
SAME_ROWS = (
    "the same rows as the last import"  # the sync log's reason for an order skipped by its fingerprint
)


@dataclass
class StoreImportResult:
    """What a store import did, order by order (new, changed, unchanged, held as errors, posted), with its problems.
    Contacts and products imports report rows instead: backoffice.core.tabular.ImportResult."""

    new: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: int = 0
    posted: int = 0
    problems: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, reason)
    rejected: bool = False
    dry_run: bool = False
    import_id: int | None = None
    negative_stock: list[str] = field(default_factory=list)
    payments: int = 0
    problem_count: int = 0  # every problem found; `problems` holds the first MAX_PROBLEMS of them
    problems_path: Path | None = (
        None  # all of them as CSV (row, column, reason) when there are more than that
    )

    def as_json(self) -> dict[str, Any]:
        return {
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "errors": self.errors,
            "posted": self.posted,
            "rejected": self.rejected,
            "dry_run": self.dry_run,
            "payments": self.payments,
            "negative_stock": self.negative_stock,
            "problems": [{"row": r, "column": c, "reason": m} for r, c, m in self.problems],
            "problem_count": max(self.problem_count, len(self.problems)),
        }


class _Rollback(Exception):
    """Raised inside a transaction to undo a preview."""


# ---------------------------------------------------------------- stores


def set_store(
    ctx: Context,
    name: str,
    profile: str | None = None,
    auto_paid: bool | None = None,
    default_customer: bool | None = None,
    allow_negative_stock: bool | None = None,
    linked: bool | None = None,
) -> dict[str, Any]:
    """Create a store or change its options; unlinking and relinking keeps its orders, so nothing posts twice."""
    ctx.require("settings.write")
    with ctx.write() as conn:
        return _store(
            conn, ctx, name, profile or "generic", auto_paid, default_customer, allow_negative_stock, linked
        )


def _store(
    conn: Connection,
    ctx: Context,
    name: str,
    profile: str,
    auto_paid: bool | None,
    default_customer: bool | None,
    allow_negative_stock: bool | None,
    linked: bool | None = None,
) -> dict[str, Any]:
    name = (name or "").strip()
    if not name:
        raise ValidationError("the store needs a name", "store")
    found = q.store_by_name(conn, ctx.org_id, name)
    if found is None:
        store_id = q.insert_store(
            conn,
            org_id=ctx.org_id,
            name=name,
            profile=profile,
            auto_paid=True if auto_paid is None else auto_paid,
            default_customer=bool(default_customer),
            allow_negative_stock=True if allow_negative_stock is None else allow_negative_stock,
            linked_on=date.today(),
            created_at=now(),
        )
        audit.record(conn, ctx, "create", "store", store_id, after={"name": name, "profile": profile})
    else:
        store_id = found["store_id"]
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "auto_paid": auto_paid,
                "default_customer": default_customer,
                "allow_negative_stock": allow_negative_stock,
            }.items()
            if v is not None
        }
        if linked is False:
            changes["unlinked_at"] = now()
        elif linked is True:
            changes |= {"unlinked_at": None, "linked_on": date.today()}
        if changes:
            q.update_store(conn, ctx.org_id, store_id, changes)
            audit.record(conn, ctx, "update", "store", store_id, {k: found.get(k) for k in changes}, changes)
    store = q.store_by_name(conn, ctx.org_id, name)
    if store is None:
        raise NotFoundError(f"No store {name!r} in this organization.")
    if store["default_customer"] and store["default_customer_id"] is None:
        from backoffice.core.text import search_key
        from backoffice.db.queries import contacts as contacts_q

        label = f"Walk-in ({name})"
        contact_id = contacts_q.insert_contact(
            conn,
            ctx.org_id,
            {
                "role": "customer",
                "name": label,
                "name_key": search_key(label),
                "search_text": search_key(label),
                "payment_terms_days": 0,
            },
            now(),
        )
        q.update_store(conn, ctx.org_id, store["store_id"], {"default_customer_id": contact_id})
        store["default_customer_id"] = contact_id
    return store


def list_stores(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        return q.stores(conn, ctx.org_id)


def check_mapping(mapping: Any) -> dict[str, str] | None:
    """A mapping as a user gave it (a file's JSON, say): {generic_column: source_header}, text to text, or refused."""
    if mapping is None:
        return None
    if not isinstance(mapping, dict):
        raise ValidationError(
            f"a mapping is a JSON object {{generic_column: source_header}}, not {_kind(mapping)}", "mapping"
        )
    for column, header in mapping.items():
        if not isinstance(header, str):
            raise ValidationError(
                f"{column!s}: the source header must be text, not {_kind(header)} ({str(header)[:40]})",
                "mapping",
            )
    return mapping


def _kind(value: Any) -> str:
    """A JSON value's kind in words, for messages."""
    return profiles.json_kind(value)


def save_mapping(ctx: Context, name: str, mapping: dict[str, str]) -> None:
    """A column mapping saved as a named profile (for Salla/Zid spreadsheets and anything else)."""
    ctx.require("settings.write")
    check_mapping(mapping)
    unknown = sorted(set(mapping) - set(profiles.GENERIC))
    if not name.strip() or name in profiles.PROFILES or unknown:
        raise ValidationError(
            f"give the profile a new name; unknown columns: {', '.join(unknown) or 'none'}", "mapping"
        )
    with ctx.write() as conn:
        q.save_profile(conn, ctx.org_id, name.strip(), json.dumps(mapping, ensure_ascii=False), now())
        audit.record(conn, ctx, "save", "import_profile", name, after=mapping)


def list_mappings(ctx: Context) -> list[str]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        return q.profiles(conn, ctx.org_id)


# ---------------------------------------------------------------- reading and validating (in DuckDB)


def _read(con: Any, file_name: str, data: bytes | Path, profile: str) -> list[str]:
    """The file into the staging table raw, whatever its kind; returns its headers. A UTF-8 CSV on disk goes
    straight to DuckDB's reader (no copy through Python); anything else is decoded in Python first."""
    path = data if isinstance(data, Path) else None
    head = _head(data)
    if not head.strip() and (path is None or path.stat().st_size <= len(head)):
        raise ValidationError("the file is empty", "file")
    json_file = profile == "salla-json" or file_name.lower().endswith((".json", ".jsonl"))
    if not json_file and head[:4] != b"PK\x03\x04" and utf16_without_bom(head) is None:
        refuse_other_formats(head)  # an old .xls is named as one before its NULs are
        _refuse_nul(data, head)  # the same answer whether the file came from disk (CLI) or from memory (page)
    if (
        path is not None
        and not json_file
        and head[:4] != b"PK\x03\x04"
        and _utf8(head)
        and utf16_without_bom(head) is None  # ASCII in UTF-16 is valid UTF-8, NULs and all
    ):
        try:
            return _load_csv(con, str(path), head.decode("utf-8", errors="ignore"))
        except ValidationError as exc:
            if "not utf-8 encoded" not in str(exc):  # a stray Windows-1256 byte far down: decode it below
                raise
    raw = data.read_bytes() if isinstance(data, Path) else data
    if not raw.strip():
        raise ValidationError("the file is empty", "file")
    if json_file:
        import pyarrow as pa

        schema = pa.schema([(c, pa.string()) for c in profiles.GENERIC])
        batches = (  # a chunk of orders at a time, straight into staging: never the whole file as objects
            pa.RecordBatch.from_pydict(
                {c: [None if r.get(c) is None else str(r.get(c)) for r in rows] for c in profiles.GENERIC},
                schema=schema,
            )
            for rows in profiles.salla_row_chunks(raw)
        )
        try:
            return staging.load_frames(con, batches)
        except ValueError as exc:
            raise ValidationError("the file holds no orders", "file") from exc
    if raw[:4] == b"PK\x03\x04":
        import pyarrow as pa

        from backoffice.core.tabular import read_table

        headers, body = read_table(file_name, raw)
        check_headers(headers, profiles._key)
        names = _unique(headers)
        table = pa.table({n: [row[i] if i < len(row) else None for row in body] for i, n in enumerate(names)})
        return staging.load_frame(con, table)
    refuse_other_formats(raw)
    text = decode(raw)  # Windows-1256/1252 and UTF-16 become UTF-8 here: DuckDB 2.0 cannot decode them itself
    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False)
    with handle:
        handle.write(text)
    try:
        return _load_csv(con, handle.name, text[:65536])
    finally:
        Path(handle.name).unlink(missing_ok=True)


def _head(data: bytes | Path, size: int = 65536) -> bytes:
    if isinstance(data, bytes):
        return data[:size]
    with data.open("rb") as handle:
        return handle.read(size)


def _refuse_nul(data: bytes | Path, head: bytes) -> None:
    """A NUL byte in a text file (UTF-16 aside) is binary data: refused with its row and column, before DuckDB's
    reader (which would keep it) or the decoder (which would refuse it without a place) sees the file."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or head[:2].count(0) == 1:
        return  # UTF-16: its NULs are half of its characters
    offset, chunk, at = 0, b"", -1
    if isinstance(data, bytes):
        chunk, at = data, data.find(b"\x00")
    else:
        with data.open("rb") as handle:
            while block := handle.read(1 << 24):
                if (found := block.find(b"\x00")) >= 0:
                    chunk, at = block, found
                    break
                offset += len(block)
    if at < 0:
        return
    before = 0
    if offset and isinstance(data, Path):
        with data.open("rb") as handle:
            while offset - handle.tell() > 0:
                before += handle.read(min(1 << 24, offset - handle.tell())).count(b"\n")
    row = before + chunk.count(b"\n", 0, at) + 1
    line = chunk[chunk.rfind(b"\n", 0, at) + 1 : at].decode("utf-8", errors="replace")
    first = head.split(b"\n", 1)[0].decode("utf-8", errors="replace").lstrip("\ufeff")
    delimiter = sniff_delimiter(first)
    headers = [h.strip().strip('"') for h in first.split(delimiter)]
    index = line.count(delimiter)
    column = headers[index] if row > 1 and index < len(headers) else f"column {index + 1}"
    raise ValidationError(
        f"row {row}, {column}: a NUL character (binary data) — this is not a text file. "
        "Save it as CSV (UTF-8) or XLSX.",
        "file",
    )


def _utf8(head: bytes) -> bool:
    """Whether the start of a file is UTF-8 (a character cut at the end of the sample does not count)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3 and exc.reason == "unexpected end of data"
    return True


def _load_csv(con: Any, path: str, head: str) -> list[str]:
    first = head.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = sniff_delimiter(first)
    check_headers(
        next(csv.reader(io.StringIO(head.lstrip("\ufeff")), delimiter=delimiter), []), profiles._key
    )
    try:
        return staging.load_csv(con, path, delimiter)
    except ValueError as exc:
        raise ValidationError(str(exc), "file") from exc
    except Exception as exc:  # DuckDB's CSV errors name the line; keep its words
        words = str(exc).splitlines()
        reason = next((w for w in words if "not utf-8 encoded" in w), words[0])
        raise ValidationError(f"the file cannot be read as CSV: {reason}", "file") from exc


def _unique(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for h in headers:
        base = h or "column"
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}_{seen[base]}")
    return names


def _stage(
    conn: Connection,
    ctx: Context,
    file_name: str,
    data: bytes | Path,
    profile: str,
    mapping: dict[str, str] | None,
    payments: bytes | Path | None,
    progress: Progress,
    store_id: int | None,
    allow_dates: bool = False,
) -> tuple[Any, list[tuple[int, str, str]], int]:
    """The file read, mapped, typed, validated and priced in an in-memory DuckDB; returns it, the problems, and how
    many orders were skipped because their rows and status are as the last import left them."""
    org = ctx.org()
    cur = currency(org["currency"])
    if profile not in profiles.PROFILES and mapping is None:
        saved = q.profile(conn, ctx.org_id, profile)
        if saved is None:
            raise ValidationError(
                f"unknown profile '{profile}': use salla-json, shopify, generic or a saved mapping", "profile"
            )
        mapping = json.loads(saved)
    con = staging.connect(data.stat().st_size if isinstance(data, Path) else len(data))
    headers = _read(con, file_name, data, profile)
    progress(0.15, "read")
    found, missing = profiles.map_headers(headers, "generic" if profile == "salla-json" else profile, mapping)
    if missing:
        return con, [(1, m.split(" column")[0].replace("the file has no ", ""), m) for m in missing], 0
    skipped = 0
    if payments is None:  # a payments file changes what the rows mean: such imports go the full way
        seed = json.dumps([profile, found], sort_keys=True, ensure_ascii=False)
        staging.fingerprints(con, found["order_id"], seed)
        if store_id is not None:
            skipped = staging.skip_known(
                con, found["order_id"], q.known_fingerprints(conn, ctx.org_id, store_id)
            )
        else:
            staging.nothing_skipped(con, fingerprints=False)
    else:
        staging.nothing_skipped(con, fingerprints=True)
    # a Shopify export has no single status: paid and fulfilled makes a completed order
    status_sql = staging.shopify_status(found, headers) if profile == "shopify" else None
    staging.build_src(con, found, profiles.GENERIC, status_sql)
    # Shopify exports show prices as the shop displays them: with tax included outside the US and Canada.
    staging.type_lines(con, cur.exponent, "fulfilled", default_inclusive=profile == "shopify")
    staging.validate(con, cur.code, cur.exponent, date.today(), allow_dates)
    if payments is not None:  # before pricing: an order with a bad payment row is held, not posted unpaid
        _load_payments(con, payments, cur.exponent, cur.code)
    progress(0.3, "validated")
    rates = [
        (int(r["rate_bp"]), r["valid_from"])
        for r in orgs_q.tax_rates(conn, ctx.org_id)
        if r["code"] == "standard"
    ]
    staging.price(con, rates, bool(org["shipping_taxable"]), org["rounding_rule"])
    if payments is None:
        staging.payments_from_lines(con)
    problems = staging.first_problems(
        con, MAX_PROBLEMS
    )  # a file can hold millions: _all_problems writes them out
    if not problems and not skipped and not staging.holds_rows(con):
        problems.append((1, "file", "the file holds no orders, only a header"))
    progress(0.4, "priced")
    return con, problems, skipped


# Problems an import result holds (and the command line prints); a file may have millions (each one a row, column and
# reason, ~200 bytes as Python objects): all of them go to a CSV file instead (problems_csv, --errors-file).
MAX_PROBLEMS = 1_000


def _all_problems(con: Any, result: StoreImportResult) -> None:
    """Count the problems; keep the first MAX_PROBLEMS in the result and, when there are more, write them all to a
    temporary CSV (result.problems_path), streamed from the staging database in bounded memory."""
    import csv

    from backoffice.core.tabular import safe_text

    if not staging.has_table(con, "problems"):  # stopped before its rows were checked (a column missing): few
        result.problem_count = len(result.problems)
        return
    found = staging.problem_count(con)
    paid = result.problems[min(found, MAX_PROBLEMS) :]  # payment problems follow the rows' own, as ever
    result.problem_count = found + len(paid)
    result.problems = result.problems[:MAX_PROBLEMS]
    if result.problem_count <= MAX_PROBLEMS:
        return
    handle = tempfile.NamedTemporaryFile(
        "w", suffix=".csv", prefix="import-problems-", encoding="utf-8", newline="", delete=False
    )
    with handle:
        handle.write("\ufeff")
        writer = csv.writer(handle)
        writer.writerow(["row", "column", "reason"])
        for chunk in staging.all_problems(con):
            writer.writerows([safe_text(v) for v in r] for r in chunk)
        writer.writerows([safe_text(v) for v in r] for r in paid)
    result.problems_path = Path(handle.name)


def _load_payments(con: Any, payments: bytes | Path, exponent: int, currency_code: str) -> None:
    """The payments file, decoded as the orders file is (UTF-8, UTF-16, Windows-1256 or 1252), into `pays`; a file
    that is not text or not CSV is refused by name."""
    raw = payments.read_bytes() if isinstance(payments, Path) else payments
    try:
        _refuse_nul(raw, raw[:65536])
        text = decode(raw)
    except ValidationError as exc:
        raise ValidationError(exc.errors[0].message, staging.PAYMENTS_FILE) from exc
    if not text.strip():
        raise ValidationError("the file is empty", staging.PAYMENTS_FILE)
    handle = tempfile.NamedTemporaryFile("w", suffix=".csv", encoding="utf-8", delete=False)
    with handle:
        handle.write(text)
    try:
        staging.load_payments(con, handle.name, exponent, currency_code)
    except ValueError as exc:
        raise ValidationError(str(exc), staging.PAYMENTS_FILE) from exc
    finally:
        Path(handle.name).unlink(missing_ok=True)


# ---------------------------------------------------------------- the import


def import_file(
    ctx: Context,
    store_name: str,
    file_name: str,
    data: bytes | Path,
    profile: str = "generic",
    mapping: dict[str, str] | None = None,
    payments: bytes | Path | None = None,
    dry_run: bool = False,
    all_or_nothing: bool = False,
    auto_paid: bool | None = None,
    default_customer: bool | None = None,
    allow_negative_stock: bool | None = None,
    progress: Progress | None = None,
    batch_orders: int | None = None,
    allow_dates: bool = False,
) -> StoreImportResult:
    """Preview (dry_run) or import a store's orders. Never writes an order twice; never half an order.

    all_or_nothing rejects the whole file when any row is bad (result.rejected); otherwise the good
    orders are imported and the bad ones listed (and logged as failed). An order dated before 2000 or more than a
    day ahead is a problem (shown by the preview) unless allow_dates confirms such dates.

    The file is read, validated and priced without holding the database's writer; the orders are then written in
    batches of `batch_orders` (BATCH_ORDERS, or BACKOFFICE_IMPORT_BATCH), one transaction each, so other people's
    saves wait seconds, not the whole import. A batch holds whole orders; a crash between batches leaves the
    earlier ones imported, and importing the file again skips them. A preview runs the same batches, each undone;
    each starts from the stock the ones before it would have left, so its shortages and the products it lists
    below zero are the import's.
    """
    ctx.require("orders.write")
    size = batch_orders or batch_size()
    mapping = check_mapping(mapping)
    report = progress or (lambda fraction, step: None)
    result = StoreImportResult(dry_run=dry_run)
    with ctx.read() as conn:
        existing = q.store_by_name(conn, ctx.org_id, store_name)
        con, result.problems, skipped = _stage(
            conn,
            ctx,
            file_name,
            data,
            profile,
            mapping,
            payments,
            report,
            existing["store_id"] if existing else None,
            allow_dates,
        )
        invoiced = q.invoiced_orders(conn, ctx.org_id, existing["store_id"]) if existing else None
    if result.problems:
        _all_problems(con, result)
    if result.problems and (all_or_nothing or staging.nothing_good(con)):
        result.rejected = True
        result.errors = staging.error_orders(con)
        report(1.0, "done")
        return result
    if invoiced is None:  # the store's first import: nothing of it is invoiced yet
        import pyarrow as pa

        invoiced = pa.table({"external_id": pa.array([], pa.string())})
    # a return writes a little more than a new order (its credit note, stock, entries, refund): a batch holds
    # CREDITS_PER_BATCH of them at most
    batches = staging.weighted_batches(con, size, invoiced, max(1, size // CREDITS_PER_BATCH))
    overrides = {
        "auto_paid": auto_paid,
        "default_customer": default_customer,
        "allow_negative_stock": allow_negative_stock,
    }
    writer = _Writer(ctx, store_name, file_name, profile, con, result, skipped, batches, overrides)
    try:
        for batch in range(batches):
            try:
                with ctx.write() as conn:
                    writer.batch(conn, batch)
                    if dry_run:
                        raise _Rollback
            except _Rollback:
                writer.import_id = (
                    None  # undone with its batch: the next batch of the preview records its own
                )
            # "orders written" is a catalogue key: the page translates it
            report(0.4 + 0.55 * (batch + 1) / batches, "orders written")
    finally:
        writer.release()
    report(1.0, "done")
    return result


# The imports this process is writing now. An import's record says 'running' or 'batch 3 of 9' until its last batch;
# one left so by a process that ended (killed, power cut) is shown, and then recorded, as 'interrupted'.
_WRITING: set[int] = set()
_WRITING_GUARD = threading.Lock()


def _gone(conn: Connection, import_id: int) -> bool:
    """Has the process that was writing this unfinished import ended? This process knows its own; a DuckDB file is
    open in one process only (so no other is writing); on PostgreSQL the writing process holds an advisory lock."""
    with _WRITING_GUARD:
        if import_id in _WRITING:
            return False
    if conn.dialect.name == "duckdb":
        return True
    return not q.import_held(conn, import_id)


def _interrupted(conn: Connection, org_id: int) -> list[int]:
    return [i for i in q.unfinished_imports(conn, org_id) if _gone(conn, i)]


def list_imports(ctx: Context, store_name: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """The store imports, newest first, with their counts and status: 'done', 'dry run', 'batch 3 of 9' (one being
    written now) or 'interrupted' (its process ended half way: the batches before were kept, importing the file
    again writes the rest)."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        store_id = _store_id(conn, ctx, store_name)
        found = q.imports(conn, ctx.org_id, store_id, limit)
        gone = set(_interrupted(conn, ctx.org_id))
    for row in found:
        if row["import_id"] in gone:
            row["status"] = ImportStatus.INTERRUPTED
    return found


# Orders a write transaction holds: about 3-4 s of the writer's time on the development machine (2 cores). Twice as
# many make a 1M-line import some 5 % faster but hold everyone else's saves twice as long.
BATCH_ORDERS = 50_000


# Returns a batch credits at most: a return weighs BATCH_ORDERS // CREDITS_PER_BATCH = 5 orders. They are credited
# and refunded set-based (_credit_returns). On the development machine (2 cores, 2026-12-03) a re-import turning
# 16,000 paid orders into returns wrote two batches of 0.8 and 1.0 s before their commits (2.2 s at most with the
# machine loaded by other work), 2.4-2.9 s in all; another session's save waited 0.9 s at most (3.4 s loaded).
# Credited one by one, as before issue 14 (finding 11), a return took 0.12-0.17 s and a batch held 20 of them.
CREDITS_PER_BATCH = 10_000


def batch_size() -> int:
    """Orders a batch: BACKOFFICE_IMPORT_BATCH when set (a night-time job may take bigger ones), else BATCH_ORDERS."""
    text = os.environ.get("BACKOFFICE_IMPORT_BATCH", "").strip()
    if not text:
        return BATCH_ORDERS
    if not text.isdecimal() or int(text) < 1:
        raise ValidationError(
            f"must be a whole number of orders, 1 or more (it is {text!r})", "BACKOFFICE_IMPORT_BATCH"
        )
    return int(text)


class _Writer:
    """Writes the staged orders batch by batch; the import's record, counts and sync log grow with each batch."""

    def __init__(
        self,
        ctx: Context,
        store_name: str,
        file_name: str,
        profile: str,
        con: Any,
        result: StoreImportResult,
        skipped: int,
        batches: int,
        overrides: dict[str, bool | None],
    ) -> None:
        self.ctx, self.con, self.result = ctx, con, result
        self.store_name, self.file_name, self.profile = store_name, file_name, profile
        self.skipped, self.batches = skipped, batches
        self.overrides = overrides  # the run's store options (auto_paid, …); None keeps the store's own
        self.import_id: int | None = None
        self.negative_before: set[str] = set()
        self.counts = {"new": 0, "changed": 0, "unchanged": skipped, "posted": 0}
        self.held: list[
            int
        ] = []  # the import ids this writer registered as being written (a preview's several)
        self.owner: Connection | None = None  # PostgreSQL: the session holding their advisory locks

    def hold(self, import_id: int) -> None:
        """Mark the import as being written by this process (see _gone), before its first batch commits."""
        with _WRITING_GUARD:
            _WRITING.add(import_id)
        self.held.append(import_id)
        if not self.ctx.db.is_duckdb:
            if self.owner is None:
                self.owner = self.ctx.db.engine.connect()
            q.hold_import(self.owner, import_id)
            self.owner.commit()  # the session's lock outlives the transaction

    def release(self) -> None:
        with _WRITING_GUARD:
            _WRITING.difference_update(self.held)
        if self.owner is not None:
            for import_id in self.held:
                q.let_go_import(self.owner, import_id)
            self.owner.commit()
            self.owner.close()
            self.owner = None

    def batch(self, conn: Connection, batch: int) -> None:
        ctx = self.ctx
        store = _store(conn, ctx, self.store_name, self.profile, None, None, None)
        options = {k: store[k] if v is None else v for k, v in self.overrides.items()}
        if options["default_customer"] and not store["default_customer"]:
            store = _store(conn, ctx, self.store_name, self.profile, None, True, None)
        org = ctx.org()
        at = now()
        if self.import_id is None:
            q.mark_interrupted(conn, _interrupted(conn, ctx.org_id))  # earlier ones whose process ended
            self.negative_before = {p["sku"] for p in products_q.negative_stock(conn, ctx.org_id)}
            self.import_id = q.insert_import(
                conn,
                org_id=ctx.org_id,
                store_id=store["store_id"],
                file_name=self.file_name,
                profile=self.profile,
                created_by=ctx.user.user_id,
                started_at=at,
            )
            self.result.import_id = self.import_id
            self.hold(self.import_id)
        import_id = self.import_id
        last = batch == self.batches - 1
        preview = self.result.dry_run
        # each batch of a preview is undone: the next one starts from the stock the ones before it left
        carry = preview and self.batches > 1
        start = q.stock_levels(conn, ctx.org_id) if carry else None
        q.create_staging(conn)
        _load(conn, self.con, import_id, ctx.org_id, org["currency"], None if self.batches == 1 else batch)
        stock = staging.preview_stock(self.con) if carry and batch else None
        _write(conn, ctx, store, self.file_name, self.result, options, import_id, org["currency"], at, stock)
        if last and self.skipped:
            unchanged = staging.skipped_log(
                self.con,
                ctx.org_id,
                store["store_id"],
                import_id,
                SAME_ROWS,
                self.file_name,
                ctx.user.actor,
                at,
            )
            bulk.load_arrow(conn, "sync_log", unchanged)
        found = q.counts(conn, import_id)
        for key in ("new", "changed", "unchanged"):
            self.counts[key] += found[key]
        if preview:  # each batch undone: its own count
            self.counts["posted"] += found["posted"]
        else:  # the sync log's count over every batch so far
            self.counts["posted"] = found["posted"]
        result = self.result
        result.new, result.changed, result.unchanged = (
            self.counts["new"],
            self.counts["changed"],
            self.counts["unchanged"],
        )
        result.posted, result.errors = self.counts["posted"], staging.error_orders(self.con)
        if carry:
            negative = set(staging.carry_stock(self.con, start, q.stock_levels(conn, ctx.org_id)))
        else:
            negative = {p["sku"] for p in products_q.negative_stock(conn, ctx.org_id)}
        result.negative_stock = sorted(negative - self.negative_before)
        status = (
            ImportStatus.DRY_RUN
            if result.dry_run
            else (ImportStatus.DONE if last else ImportStatus.batch(batch + 1, self.batches))
        )
        q.finish_import(conn, import_id, self.counts | {"errors": result.errors}, status, now())
        q.clear_staging(conn)
        audit.record(
            conn, ctx, "import", "store", store["store_id"],
            after={"file": self.file_name, "batch": batch + 1, "batches": self.batches} | found,
        )  # fmt: skip


def _write(
    conn: Connection,
    ctx: Context,
    store: dict[str, Any],
    file_name: str,
    result: StoreImportResult,
    options: dict[str, bool],
    import_id: int,
    currency_code: str,
    at: Any,
    stock: Any = None,
) -> None:
    """One batch, loaded: classified, customers and products made, orders upserted and advanced, the completed
    ones invoiced and posted on their dates, paid, returns credited, the sync log and fingerprints written.
    `stock` (a preview's later batch): the stock changes its earlier batches made, applied before posting."""
    kinds = q.classify(conn, ctx.org_id, store["store_id"], import_id)
    q.assign_customers(
        conn, ctx.org_id, import_id, store["default_customer_id"] if options["default_customer"] else None
    )
    q.create_products(conn, ctx.org_id, import_id)
    if stock is not None and stock.num_rows:
        bulk.load_arrow(conn, "import_stock", stock)
        q.carry_stock(conn, ctx.org_id)
    q.insert_orders(conn, ctx.org_id, store["store_id"], import_id, currency_code, ctx.user.actor, at)
    q.advance_changed(conn, import_id, ctx.user.actor, at)
    summary = invoices.invoice_batch(
        ctx,
        store_id=store["store_id"],
        issued_on=None,
        allow_negative_stock=options["allow_negative_stock"],
        statuses=("fulfilled",),
    )
    if options["auto_paid"] and summary["invoices"]:
        payments_q.ensure_methods(conn, ctx.org_id)
        result.payments += q.record_paid(
            conn,
            ctx.org_id,
            import_id,
            summary["batch_id"],
            sales_q.accounts_by_role(conn, ctx.org_id),
            ctx.user.user_id,
            at,
        )
    _credit_returns(conn, ctx, import_id, options["auto_paid"])
    q.write_sync_log(
        conn, ctx.org_id, store["store_id"], import_id, file_name, ctx.user.actor, summary["batch_id"], at
    )
    q.save_fingerprints(conn, ctx.org_id, store["store_id"], import_id)
    q.analyze_written(conn, kinds.get("new", 0))


def _credit_returns(conn: Connection, ctx: Context, import_id: int, paid: bool) -> int:
    """The batch's returns, in one set-based pass (backoffice.db.queries.import_returns): each new order that is a
    return of its own (a cancellation invoice with minus lines) gets a credit note on the order's date, its goods
    back in stock at the product's average cost, and, when the store pays out (`paid`), a refund by the order's
    method; each completed order the store now calls returned or cancelled gets a full credit note today and, when
    it was paid, a refund by the methods it was paid with (when nothing was paid, the credit note alone settles
    it). The rows are those `invoices.credit_returned_order` + `payments.refund_returned_order` and
    `invoices.issue_credit_note` + `payments.refund_credit_note` write one order at a time (tests/test_import_returns.py holds the
    two together), audit rows included. Returns how many credit notes."""
    today = date.today()
    count = returns_q.stage(conn, ctx.org_id, import_id, paid, today)
    if not count:
        returns_q.clear(conn)
        return 0
    if done := returns_q.nothing_left(conn):  # as the per-order path refuses (and with it, this batch)
        raise ConflictError(f"Everything on invoice {done[0]} has already been credited.")
    at = now()
    accounts = sales_q.accounts_by_role(conn, ctx.org_id)
    first = sales_q.take_numbers(conn, ctx.org_id, invoices.SERIES["credit_note"], count)
    returns_q.write_notes(conn, ctx.org_id, first, accounts, ctx.user.user_id, ctx.user.actor, at)
    notes = [
        (n["number_text"], None, audit.dumps(
            {"order": int(n["order_id"]), "total_minor": int(n["total_minor"]), "reason": n["reason"]}
        ))
        for n in returns_q.notes_written(conn)
    ]  # fmt: skip
    audit.record_many(conn, ctx, "issue", "credit_note", notes)
    if returns_q.stage_refunds(conn, ctx.org_id):
        payments_q.ensure_methods(conn, ctx.org_id)
        returns_q.write_refunds(conn, ctx.org_id, accounts, today, ctx.user.user_id, at)
        parts: dict[str, list[tuple[str, int]]] = {}
        for part in returns_q.refund_parts(conn):
            parts.setdefault(part["number_text"], []).append((part["method"], int(part["amount_minor"])))
        audit.record_many(
            conn,
            ctx,
            "refund",
            "credit_note",
            [(number, None, audit.dumps({"parts": found})) for number, found in parts.items()],
        )
    returns_q.clear(conn)  # the staging tables are the connection's (a rolled-back batch takes them along)
    return count


def _load(
    conn: Connection, con: Any, import_id: int, org_id: int, currency_code: str, batch: int | None
) -> None:
    """The staged orders, lines, payments (and, with the first batch, the failed orders) into the main database,
    in bulk: all of them, or one batch's (`batches` in staging)."""
    for table, rows in staging.batch_rows(con, import_id, org_id, currency_code, batch):
        bulk.load_arrow(conn, table, rows)
    q.analyze_staging(conn)


# ---------------------------------------------------------------- after the import


def post_orders(ctx: Context, store_name: str, external_ids: list[str]) -> dict[str, Any]:
    """Post chosen orders by hand (held ones, or from before the store was linked). Posting twice is impossible:
    an order already invoiced is skipped and said so."""
    ctx.require("invoices.issue")
    with ctx.write() as conn:
        store = q.store_by_name(conn, ctx.org_id, store_name)
        if store is None:
            raise NotFoundError(f"No store named '{store_name}'.")
        found = q.orders_by_external(conn, ctx.org_id, store["store_id"], external_ids)
        missing = sorted(set(external_ids) - {f["external_id"] for f in found})
        if missing:
            raise ValidationError(f"no order {', '.join(missing)} in store {store_name}", "order")
        summary = invoices.invoice_batch(
            ctx,
            store_id=store["store_id"],
            issued_on=None,
            allow_negative_stock=store["allow_negative_stock"],
            order_ids=[f["order_id"] for f in found],
        )
        skipped = [f["external_id"] for f in found if f["status"] not in ("confirmed", "fulfilled")]
        at = now()
        q.write_manual_post_log(
            conn, ctx.org_id, store["store_id"], summary.get("batch_id"), ctx.user.actor, at
        )
    return {
        "posted": summary["invoices"],
        "first": summary["first"],
        "last": summary["last"],
        "skipped": skipped,
    }


def sync_log(
    ctx: Context,
    store_name: str | None = None,
    external_id: str | None = None,
    failed_only: bool = False,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Every import and post attempt of an order (or of all orders), newest first; failed ones with the reason."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        store_id = _store_id(conn, ctx, store_name)
        return q.sync_log(conn, ctx.org_id, store_id, external_id, failed_only, limit)


def _store_id(conn: Any, ctx: Context, store_name: str | None) -> int | None:
    """The id of the organization's store of that name (None: every store); an unknown name is not found."""
    if not store_name:
        return None
    store = q.store_by_name(conn, ctx.org_id, store_name)
    if store is None:
        raise NotFoundError(f"No store named '{store_name}'.")
    return int(store["store_id"])


__all__ = [
    "BackofficeError",
    "StoreImportResult",
    "import_file",
    "list_imports",
    "list_stores",
    "post_orders",
    "set_store",
    "sync_log",
]


def file_headers(ctx: Context, file_name: str, data: bytes) -> list[str]:
    """The column names of a file, for the mapping screen."""
    ctx.require("customers.read")
    con = staging.connect()
    return _read(con, file_name, data, "generic")


def problems_csv(result: StoreImportResult) -> bytes:
    """The error report a merchant downloads: row, column, reason."""
    from backoffice.core.tabular import to_csv

    if result.problems_path is not None:  # more than the result holds: the file has them all
        return result.problems_path.read_bytes()
    return to_csv(["row", "column", "reason"], result.problems)
