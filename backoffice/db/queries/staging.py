"""DuckDB-native staging SQL for store imports, run in an in-memory DuckDB whatever the main engine
(docs/architecture.md: reading and validating import files is DuckDB power kept behind one module). Positional
`?` parameters are allowed here only. Identifiers from a file's header are quoted by `ident`.

Tables: raw (the file as text, row_no), src (generic columns), lines (typed), problems (row, column, reason),
orders (one per external id with totals), out_lines (priced lines), pays (payments per order and method),
preview_stock (the stock a preview's batches so far would leave).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import duckdb

from backoffice.core.text import DIGITS_FROM, DIGITS_TO, LETTER_FOLDS

# Limits of what an import accepts (each named in the problem it raises). Money is BIGINT minor units: an amount or
# a line (quantity × price) of at most 10^14 minor units (a trillion riyals at two decimals) leaves room below 2^63
# (9.2 × 10^18) for VAT arithmetic on it (× 2 × 10,000) and for the sums reports and balances make of many orders.
MAX_MINOR = 10**14
MAX_QUANTITY = 1_000_000  # units on one order line
MAX_ID = 100  # characters of an order id or SKU
EARLIEST = date(2000, 1, 1)  # an order dated before this, or more than a day ahead, needs `allow_dates`
# a number too long for DECIMAL(38, 10) (more than 28 digits before the point): too large, not "not a number"
LONG_NUMBER = "regexp_matches(trim({x}), '^[+-]?[0-9]{{29,}}([.,][0-9]*)?$')"
AMOUNTS = {  # typed column prefix: generic column
    "price": "unit_price",
    "line_discount": "line_discount",
    "shipping": "shipping",
    "order_discount": "order_discount",
    "paid": "paid_amount",
}


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


# Folding and digits come from backoffice.core.text's tables (the same as search_key and normalize_digits in Python);
# a character with no counterpart (tatweel, direction marks) is deleted by translate.
_KEPT = {k: v for k, v in LETTER_FOLDS.items() if v is not None}
FOLD_FROM = "".join(_KEPT) + DIGITS_FROM + "".join(k for k, v in LETTER_FOLDS.items() if v is None)
FOLD_TO = "".join(_KEPT.values()) + DIGITS_TO
FOLD = (
    "CREATE OR REPLACE MACRO fold(x) AS lower(regexp_replace(regexp_replace(regexp_replace(\n"
    f"    translate(x, {_sql_text(FOLD_FROM)}, {_sql_text(FOLD_TO)}),\n"
    """    '[\u064b-\u065f\u0670\u0640]', '', 'g'), 'ة(\\s|$)', 'ه\\1', 'g'), '\\s+', ' ', 'g'))"""
)
DIGITS = f"translate(trim(CAST({{x}} AS VARCHAR)), {_sql_text(DIGITS_FROM)}, {_sql_text(DIGITS_TO)})"
ORDER_LEVEL = ("order_date", "status", "currency", "customer_name", "customer_email", "customer_phone", "customer_city",
               "customer_country", "customer_tax_id", "prices_include_vat", "shipping", "order_discount",
               "payment_method", "paid_amount")  # fmt: skip
DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d", "%d/%m/%Y %H:%M:%S",
                "%d/%m/%Y %H:%M", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y")  # fmt: skip
STATUS: dict[str, str] = {}
for _word in (
    "completed",
    "complete",
    "shipped",
    "delivering",
    "delivered",
    "fulfilled",
    "invoiced",
    "تم التنفيذ",
    "تم الشحن",
    "جاري التوصيل",
    "تم التوصيل",
    "مكتمل",
    "paid",
):
    STATUS[_word] = "fulfilled"
for _word in (
    "payment_pending",
    "under_review",
    "in_progress",
    "pending",
    "processing",
    "on-hold",
    "new",
    "preparing",
    "ready",
    "indelivery",
    "authorized",
    "partially_paid",
    "بانتظار الدفع",
    "بإنتظار المراجعة",
    "بانتظار المراجعة",
    "قيد التنفيذ",
    "جديد",
    "request_quote",
):
    STATUS[_word] = "confirmed"
for _word in (
    "canceled",
    "cancelled",
    "unavailable",
    "voided",
    "failed",
    "ملغي",
    "ملغى",
    "تم الإلغاء",
    "محذوف",
):
    STATUS[_word] = "cancelled"
for _word in (
    "restored",
    "returned",
    "refunded",
    "partially_refunded",
    "مسترجع",
    "تم الاسترجاع",
    "مسترجع جزئي",
):
    STATUS[_word] = "returned"


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


STAGING_MEMORY_FLOOR = 512 * 2**20  # bytes of DuckDB memory for checking a file, at least ...
STAGING_MEMORY_PER_BYTE = 8  # ... and this many times the file: past it DuckDB spills to a temporary folder


def connect(file_bytes: int = 0) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for staging a file of `file_bytes`. Its memory is bounded (DuckDB's default is 80 % of
    the machine): a 44 MB Salla file of 3M orders with 6M problems peaked at 3.3 GB without a bound, 0.85 GB with
    it; a 1M-line CSV (135 MB) gets 1 GB and stages about as fast as unbounded."""
    con = duckdb.connect(":memory:")
    limit = max(STAGING_MEMORY_FLOOR, STAGING_MEMORY_PER_BYTE * file_bytes)
    con.execute(f"SET memory_limit = '{limit // 2**20}MB'")
    con.execute("SET temp_directory = ?", [tempfile.gettempdir() + "/backoffice-staging"])
    con.execute(FOLD)
    # a cell quoted in a problem: at most 40 characters of it (a 10,000-character cell is not repeated back)
    con.execute(
        "CREATE OR REPLACE MACRO shown(x) AS CASE WHEN length(x) > 40 THEN left(x, 40) || '…' ELSE x END"
    )
    con.execute("CREATE TABLE status_map (word VARCHAR, status VARCHAR)")
    con.executemany("INSERT INTO status_map VALUES (?, ?)", list(STATUS.items()))
    return con


def load_csv(con: duckdb.DuckDBPyConnection, path: str, delimiter: str) -> list[str]:
    """The CSV into raw_file. DuckDB's parallel reader cannot pad short rows (null_padding) in a file whose quoted
    fields hold line breaks (a Shopify export's notes and addresses): such a file is read again by one thread."""
    sql = (
        "CREATE OR REPLACE TABLE raw_file AS SELECT *, hash(f) AS __row_hash FROM read_csv(?, all_varchar = true, "
        "header = true, delim = ?, quote = '\"', escape = '\"', strict_mode = false, null_padding = true, "
        "parallel = ?) f"
    )
    try:
        con.execute(sql, [path, delimiter, True])
    except duckdb.Error as exc:
        if "quoted new lines" not in str(exc):
            raise
        con.execute(sql, [path, delimiter, False])
    return _raw_view(con)


def load_frame(con: duckdb.DuckDBPyConnection, frame: Any) -> list[str]:
    return load_frames(con, [frame])


def load_frames(con: duckdb.DuckDBPyConnection, frames: Any) -> list[str]:
    """Arrow tables or record batches (of the same columns, in the file's order) into raw_file, one at a time, so
    a caller that makes them chunk by chunk never holds the whole file as Python or Arrow objects."""
    created = False
    for frame in frames:
        con.register("incoming", frame)
        if created:
            con.execute("INSERT INTO raw_file SELECT *, hash(f) AS __row_hash FROM incoming f")
        else:
            con.execute("CREATE OR REPLACE TABLE raw_file AS SELECT *, hash(f) AS __row_hash FROM incoming f")
            created = True
        con.unregister("incoming")
    if not created:
        raise ValueError("nothing to load")
    return _raw_view(con)


def _raw_view(con: duckdb.DuckDBPyConnection) -> list[str]:
    """raw: the file's rows with row_no, the line a spreadsheet shows (the header is line 1). The table keeps the
    file's order (DuckDB preserves insertion order), so rowid + 2 is that line: no window over a million rows.
    Each row's hash (__row_hash, of every cell) is taken while the file is parsed, for `fingerprints`."""
    headers = [c for c in _columns(con, "raw_file") if c != "__row_hash"]
    if "row_no" in headers:
        raise ValueError("a column is named row_no: rename it in the file")
    _define_raw(con)
    return headers


def _define_raw(con: duckdb.DuckDBPyConnection, keep: str = "") -> None:
    """The raw view over raw_file: row_no from rowid, without the row hashes; `keep` filters or anti-joins rows."""
    con.execute(
        "CREATE OR REPLACE VIEW raw AS SELECT r.rowid + 2 AS row_no, r.* EXCLUDE (__row_hash) FROM raw_file r "  # noqa: S608
        + keep  # our SQL: a filter on the order id, or an anti-join with skipped
    )


def fingerprints(con: duckdb.DuckDBPyConnection, order_header: str, seed: str) -> None:
    """fingerprints: one 63-bit hash per order id over every cell of its rows (in any order) and the profile and
    mapping (`seed`), so an order whose rows are as they were last time is known without typing them."""
    key = f"NULLIF(trim(CAST({ident(order_header)} AS VARCHAR)), '')"
    con.execute(
        f"CREATE OR REPLACE TABLE fingerprints AS SELECT {key} AS external_id, "  # noqa: S608 - a quoted header
        f"CAST(hash(?, count(*), sum(__row_hash)) >> 1 AS BIGINT) AS fingerprint FROM raw_file "
        f"WHERE {key} IS NOT NULL GROUP BY 1",
        [seed],
    )


def skip_known(con: duckdb.DuckDBPyConnection, order_header: str, known: Any) -> int:
    """skipped: the orders whose fingerprint matches the one stored (`known`: external_id, order_id, fingerprint);
    their rows leave raw, so nothing after this types, prices or loads them. Returns how many."""
    key = f"NULLIF(trim(CAST(r.{ident(order_header)} AS VARCHAR)), '')"
    con.register("known", known)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE skipped AS SELECT f.external_id, k.order_id FROM fingerprints f "
            "JOIN known k ON k.external_id = f.external_id AND k.fingerprint = f.fingerprint"
        )
    finally:
        con.unregister("known")
    count = int(con.execute("SELECT count(*) FROM skipped").fetchone()[0])  # type: ignore[index]
    if count == int(con.execute("SELECT count(*) FROM fingerprints").fetchone()[0]):  # type: ignore[index]
        keep = f"WHERE {key} IS NULL"  # every order skipped: only rows without an order id are left to report
    elif count:
        keep = f"ANTI JOIN skipped s ON s.external_id = {key}"
    else:
        return 0
    _define_raw(con, keep)
    return count


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE {table}").fetchall()]


def _num(x: str) -> str:
    """Text → DECIMAL: any digit set, thousands commas or a decimal comma, Excel's leading apostrophe."""
    clean = f"regexp_replace(ltrim({DIGITS.format(x=x)}, ''''), '[\\s\u00a0]|%', '', 'g')"
    slow = (
        f"TRY_CAST(CASE WHEN regexp_matches({clean}, '^-?[0-9]+,[0-9]{{1,2}}$') THEN replace({clean}, ',', '.') "
        f"ELSE replace({clean}, ',', '') END AS DECIMAL(38, 10))"
    )
    fast = f"TRY_CAST({x} AS DECIMAL(38, 10))"
    # CASE, not COALESCE: only the rows the fast cast cannot read pay for the regular expressions (1.9 s → 0.25 s
    # for seven columns of a million lines)
    return f"CASE WHEN {x} IS NULL THEN NULL WHEN {fast} IS NOT NULL THEN {fast} ELSE {slow} END"


def build_src(
    con: duckdb.DuckDBPyConnection, mapping: dict[str, str], generic: tuple[str, ...], status_sql: str | None
) -> None:
    """src: the generic columns as trimmed text, order-level values spread to every line of their order."""
    parts = []
    for column in generic:
        header = mapping.get(column)
        value = f"NULLIF(trim(CAST({ident(header)} AS VARCHAR)), '')" if header else "CAST(NULL AS VARCHAR)"
        if column == "status" and status_sql:
            value = status_sql
        parts.append(f"{value} AS {column}")
    con.execute(f"CREATE OR REPLACE TABLE src0 AS SELECT row_no, {', '.join(parts)} FROM raw")  # noqa: S608
    # Only a column blank on some lines and filled on others needs spreading (on a file that repeats its order
    # values, or leaves a column empty throughout, nothing does): one count per column says which.
    level = [c for c in generic if c in ORDER_LEVEL]
    counted = f"SELECT count(*), {', '.join(f'count({c})' for c in level)} FROM src0"  # noqa: S608
    found = con.execute(counted).fetchone() or (0,) * (len(level) + 1)  # an aggregate: always one row
    gaps = [c for c, filled in zip(level, found[1:], strict=True) if 0 < filled < found[0]]
    if not gaps:
        con.execute("CREATE OR REPLACE VIEW src AS SELECT * FROM src0")
        return
    firsts = ", ".join(f"arg_min({c}, row_no) FILTER (WHERE {c} IS NOT NULL) AS {c}" for c in gaps)
    con.execute(f"CREATE OR REPLACE TABLE firsts AS SELECT order_id, {firsts} FROM src0 GROUP BY order_id")  # noqa: S608
    spread = ", ".join(f"COALESCE(s.{c}, f.{c}) AS {c}" if c in gaps else f"s.{c}" for c in generic)
    con.execute(
        f"CREATE OR REPLACE VIEW src AS SELECT s.row_no, {spread} "  # noqa: S608
        "FROM src0 s LEFT JOIN firsts f ON f.order_id = s.order_id"
    )


def type_lines(
    con: duckdb.DuckDBPyConnection, exponent: int, default_status: str, default_inclusive: bool = False
) -> None:
    """lines: typed values beside their text, so validation can quote what was wrong. Each amount has its minor
    units (NULL when unreadable or too large) and a `_bad` word: 'nan' (not a number), 'big' (over MAX_MINOR) or
    'decimals' (more decimals than the currency has: an error, never rounded away)."""
    scale = 10**exponent
    top = MAX_MINOR // scale  # the largest amount in major units
    d = f"regexp_replace(replace(left({DIGITS.format(x='s.order_date')}, 19), 'T', ' '), '\\.\\d+$', '')"
    dates = ", ".join(f"TRY_STRPTIME({d}, '{f}')" for f in DATE_FORMATS)
    plain = "TRY_CAST(s.order_date AS TIMESTAMP)"  # what almost every file has: read without the clean-up
    decs = ", ".join(f"{_num('s.' + col)} AS {name}_dec" for name, col in AMOUNTS.items())
    typed = []
    for name, col in AMOUNTS.items():
        dec = f"t.{name}_dec"
        minor = f"CASE WHEN abs({dec}) <= {top} THEN CAST(ROUND({dec} * {scale}) AS BIGINT) END"
        if name in ("line_discount", "shipping", "order_discount"):
            minor = f"COALESCE({minor}, 0)"
        # the decimal type keeps ten places: a longer tail is looked for in the text, only on long cells
        tail = f"(length(t.{col}) > 11 AND regexp_matches(t.{col}, '[.][0-9]{{10}}[0-9]*[1-9]'))"
        bad = (
            f"CASE WHEN t.{col} IS NULL THEN NULL WHEN {dec} IS NULL THEN CASE WHEN {LONG_NUMBER.format(x='t.' + col)} "
            f"THEN 'big' ELSE 'nan' END WHEN abs({dec}) > {top} THEN 'big' "
            f"WHEN {dec} * {scale} <> ROUND({dec} * {scale}) OR {tail} THEN 'decimals' END"
        )
        typed.append(f"{minor} AS {name}_minor, {bad} AS {name}_bad")
    con.execute(f"""
        CREATE OR REPLACE TABLE lines AS
        SELECT t.* EXCLUDE ({", ".join(f"{name}_dec" for name in AMOUNTS)}), {", ".join(typed)}
        FROM (
            SELECT s.*,
                CAST(CASE WHEN length(s.order_date) <= 19 AND {plain} IS NOT NULL THEN {plain}
                          ELSE COALESCE(TRY_CAST({d} AS TIMESTAMP), {dates}) END AS DATE) AS order_on,
                COALESCE(sm.status, CASE WHEN s.status IS NULL THEN '{default_status}' END) AS status_norm,
                {_num("s.quantity")} AS qty_dec, {decs},
                CASE WHEN lower(coalesce(s.vat_rate, '')) IN ('exempt', 'معفى', 'معاف') THEN NULL
                     ELSE TRY_CAST(ROUND(TRY_CAST({_num("s.vat_rate")} AS DECIMAL(18, 6)) * 100) AS INTEGER)
                     END AS rate_given,
                lower(coalesce(s.vat_rate, '')) IN ('exempt', 'معفى', 'معاف') AS exempt,
                lower(coalesce(s.prices_include_vat, '{"true" if default_inclusive else "false"}')) IN ('true', '1', 'yes', 'y', 'نعم', 'بله') AS inclusive
            FROM src s
            LEFT JOIN status_map sm ON sm.word = lower(trim(s.status))
        ) t
    """)  # noqa: S608 - scale, limits and formats are our constants


def _amount_checks(exponent: int, currency: str) -> list[tuple[str, str, str]]:
    """The checks of each amount column: a number, not over MAX_MINOR, no more decimals than the currency has."""
    top = f"{MAX_MINOR // 10**exponent:,}"
    checks = []
    for name, col in AMOUNTS.items():
        checks.append((col, f"{name}_bad = 'nan'", f"''''  || shown({col}) || ''' is not a number'"))
        checks.append(
            (
                col,
                f"{name}_bad = 'big'",
                f"''''  || shown({col}) || ''' is more than the largest amount, {top}'",
            )
        )
        checks.append(
            (
                col,
                f"{name}_bad = 'decimals'",
                f"'''' || shown({col}) || ''' has more than {exponent} decimal places, the most {currency} has'",
            )
        )
    return checks


def validate(
    con: duckdb.DuckDBPyConnection,
    currency: str,
    exponent: int = 2,
    today: date | None = None,
    allow_dates: bool = False,
) -> None:
    """problems: every bad cell with its row, column and a reason a merchant understands. An order dated before
    EARLIEST or more than a day after `today` is a problem unless `allow_dates` (the user confirmed such dates)."""
    latest = (today or date.today()) + timedelta(days=1)
    # a line's goods (quantity × price) in exact 128-bit integers, only where the quantity is within bounds
    line = f"CASE WHEN abs(qty_dec) <= {MAX_QUANTITY} THEN CAST(abs(qty_dec) AS HUGEINT) * price_minor END"
    checks = [
        ("order_id", "order_id IS NULL", "'the order id is missing'"),
        ("order_id", f"length(order_id) > {MAX_ID}", f"'the order id is longer than {MAX_ID} characters'"),
        ("sku", f"length(sku) > {MAX_ID}", f"'the SKU is longer than {MAX_ID} characters'"),
        (
            "order_date",
            "order_on IS NULL",
            "CASE WHEN order_date IS NULL THEN 'the order date is missing' ELSE 'bad date ''' || shown(order_date) || ''' (use YYYY-MM-DD)' END",
        ),
        ("status", "status_norm IS NULL", "'unknown status ''' || shown(status) || ''''"),
        (
            "quantity",
            "qty_dec IS NULL",
            "CASE WHEN quantity IS NULL THEN 'the quantity is missing' "
            f"WHEN {LONG_NUMBER.format(x='quantity')} THEN '''' || shown(quantity) || ''' is more than the largest "
            f"quantity of a line, {MAX_QUANTITY:,}' ELSE '''' || shown(quantity) || ''' is not a number' END",
        ),
        (
            "quantity",
            "qty_dec IS NOT NULL AND qty_dec <> floor(qty_dec)",
            "'the quantity must be a whole number'",
        ),
        (
            "quantity",
            "qty_dec IS NOT NULL AND qty_dec = 0",
            "'the quantity is zero'",
        ),
        (
            "quantity",
            f"abs(qty_dec) > {MAX_QUANTITY}",
            f"'''' || shown(quantity) || ''' is more than the largest quantity of a line, {MAX_QUANTITY:,}'",
        ),
        (
            "unit_price",
            "unit_price IS NULL",
            "'the price is missing'",
        ),
        ("unit_price", "price_minor < 0", "'the price cannot be negative'"),
        (
            "unit_price",
            f"price_minor IS NOT NULL AND {line} > {MAX_MINOR}",
            f"'quantity × price is more than the largest line, {MAX_MINOR // 10**exponent:,}'",
        ),
        *_amount_checks(exponent, currency),
        (
            "line_discount",
            "line_discount_minor < 0 OR (qty_dec <> 0 AND price_minor >= 0 "
            f"AND line_discount_minor > COALESCE({line}, 0))",
            "'the discount is negative or larger than the line'",
        ),
        ("shipping", "shipping_minor < 0", "'shipping cannot be negative'"),
        ("paid_amount", "paid_minor < 0", "'the paid amount cannot be negative'"),
        (
            "vat_rate",
            "vat_rate IS NOT NULL AND NOT exempt AND (rate_given IS NULL OR rate_given < 0 OR rate_given > 10000)",
            "'''' || shown(vat_rate) || ''' is not a VAT rate in percent'",
        ),
        (
            "currency",
            "currency IS NOT NULL AND upper(currency) <> ?",
            "'currency ' || shown(currency) || ' is not the organization''s (' || ? || ')'",
        ),
    ]
    if not allow_dates:
        checks += [
            (
                "order_date",
                f"order_on < DATE '{EARLIEST}'",
                f"'the order date ' || order_on || ' is before {EARLIEST}: if it is right, import again confirming "
                "unusual dates'",
            ),
            (
                "order_date",
                f"order_on > DATE '{latest}'",
                "'the order date ' || order_on || ' is in the future: if it is right, import again confirming "
                "unusual dates'",
            ),
        ]
    con.execute(
        "CREATE OR REPLACE TABLE problems (row_no BIGINT, col VARCHAR, reason VARCHAR, order_id VARCHAR)"
    )
    for column, condition, reason in checks:
        params = [currency, currency] if column == "currency" else []  # the only check with parameters
        sql = (
            f"INSERT INTO problems SELECT row_no, '{column}', {reason}, order_id FROM lines WHERE {condition}"  # noqa: S608
        )
        con.execute(sql, params)
    con.execute(  # a return (a cancellation invoice) has only minus lines; a sale only plus lines
        "INSERT INTO problems SELECT min(row_no) FILTER (WHERE qty_dec < 0), 'quantity', 'order ' || order_id || ' mixes sold "
        "lines and returned (minus) lines: import the return as an order of its own', order_id FROM lines "
        "WHERE order_id IS NOT NULL AND qty_dec IS NOT NULL GROUP BY order_id HAVING bool_or(qty_dec > 0) AND bool_or(qty_dec < 0)"
    )
    con.execute(
        "INSERT INTO problems SELECT min(row_no), 'order_date', 'the lines of order ' || order_id || ' disagree on its date', "
        "order_id FROM lines WHERE order_id IS NOT NULL GROUP BY order_id HAVING count(DISTINCT order_on) > 1"
    )
    con.execute(  # the order's lines and shipping together, within the same bound as one line
        f"INSERT INTO problems SELECT min(row_no), 'unit_price', 'the lines of order ' || order_id || ' come to more "  # noqa: S608
        f"than the largest order, {MAX_MINOR // 10**exponent:,}', order_id FROM lines WHERE order_id IS NOT NULL "
        f"GROUP BY order_id HAVING sum(COALESCE({line}, 0)) + max(shipping_minor) > {MAX_MINOR}"
    )


# The lines of the good orders with their amounts (`a`): goods with their share of the order discount, and
# shipping, a line of its own in the order's basis (inclusive only when every line is); _LINE_VAT or _GROUP_VAT
# prices them.
_OUT_LINES = """
        CREATE OR REPLACE TABLE out_lines AS
        WITH d AS (
            SELECT s.*, s.share + CASE WHEN s.size_rank = 1 THEN LEAST(s.order_discount_minor, s.order_amount)
                 - sum(s.share) OVER (PARTITION BY s.order_id) ELSE 0 END AS order_share
            FROM shared2 s
        ), a AS (
            SELECT order_id, line_no, 'goods' AS kind, sku, COALESCE(product_name, sku, 'Item') AS description, qty,
                   price_minor, line_discount_minor + order_share AS discount_minor,
                   CASE WHEN exempt THEN 0 ELSE rate_bp END AS rate_bp, exempt, inclusive,
                   amount - order_share AS amount
            FROM d
            UNION ALL
            SELECT order_id, max(line_no) + 1, 'shipping', NULL, 'Shipping', 1, any_value(shipping_minor), 0,
                   CASE WHEN ? THEN any_value(standard_bp) ELSE 0 END, NOT ?, bool_and(inclusive), any_value(shipping_minor)
            FROM good GROUP BY order_id HAVING any_value(shipping_minor) > 0
        )
        """

# The amounts of `a` (order_id, line_no, rate_bp, inclusive, amount, ...) priced, as pricing._line does: half up,
# an inclusive amount split into net and VAT, an exclusive one with VAT on top.
_LINE_VAT = """
        SELECT *, CASE WHEN inclusive THEN amount - (2 * amount * rate_bp + 10000 + rate_bp) // (2 * (10000 + rate_bp))
                       ELSE amount END AS net_minor,
                  CASE WHEN inclusive THEN (2 * amount * rate_bp + 10000 + rate_bp) // (2 * (10000 + rate_bp))
                       ELSE (2 * amount * rate_bp + 10000) // 20000 END AS vat_minor
        FROM a
"""

# The same by rate group, as pricing._by_group does (half up): in each order's rate group the inclusive lines keep
# their gross G, and the net N inside it is pricing.net_inside's (of gross − round(G × rate ÷ (1 + rate)) and the
# units either side, the nearest exact one with N + round(N × rate) = G, else the first); the exclusive amounts T
# get round((T + N) × rate) − (G − N) on top, N taken one or two units up while that is below zero (it is at
# least −1 when N is not exact). Each part's VAT is shared over its lines by their amounts, largest remainder
# first and ties to the earlier line (money.allocate).
_GROUP_VAT = """
        , grp AS (
            SELECT order_id, rate_bp, bool_or(inclusive) AS has_inclusive,
                   CAST(COALESCE(sum(amount) FILTER (WHERE inclusive), 0) AS BIGINT) AS gross,
                   CAST(COALESCE(sum(amount) FILTER (WHERE NOT inclusive), 0) AS BIGINT) AS taxable
            FROM a GROUP BY order_id, rate_bp
        ), firsts AS (
            SELECT *, gross - (2 * gross * rate_bp + 10000 + rate_bp) // (2 * (10000 + rate_bp)) AS first_net FROM grp
        ), cand AS (
            SELECT f.order_id, f.rate_bp, f.gross, f.first_net, f.first_net + v.delta AS n, v.pos
            FROM firsts f CROSS JOIN (VALUES (0, 0), (1, -1), (2, 1)) v(pos, delta)
        ), inside AS (
            SELECT order_id, rate_bp,
                   COALESCE(arg_min(n, abs(CAST(n AS HUGEINT) * (10000 + rate_bp) - CAST(gross AS HUGEINT) * 10000) * 3 + pos)
                            FILTER (WHERE n >= 0 AND n <= gross AND n + (2 * n * rate_bp + 10000) // 20000 = gross),
                            any_value(first_net)) AS exact_net
            FROM cand GROUP BY order_id, rate_bp
        ), n0 AS (
            SELECT g.*, CASE WHEN g.has_inclusive THEN i.exact_net ELSE 0 END AS net0
            FROM grp g JOIN inside i ON i.order_id = g.order_id AND i.rate_bp = g.rate_bp
        ), up AS (
            SELECT *, CASE WHEN taxable <= 0 THEN 0
                           WHEN (2 * (taxable + net0) * rate_bp + 10000) // 20000 - (gross - net0) >= 0 THEN 0
                           WHEN (2 * (taxable + net0 + 1) * rate_bp + 10000) // 20000 - (gross - net0 - 1) >= 0 THEN 1
                           ELSE 2 END AS k
            FROM n0
        ), parts AS (
            SELECT order_id, rate_bp, gross - (net0 + k) AS inside_vat,
                   CASE WHEN taxable > 0 THEN (2 * (taxable + net0 + k) * rate_bp + 10000) // 20000 - (gross - net0 - k)
                        ELSE 0 END AS top_vat
            FROM up
        ), shares AS (
            SELECT a.*, CASE WHEN a.inclusive THEN p.inside_vat ELSE p.top_vat END AS part_vat,
                   sum(a.amount) OVER (PARTITION BY a.order_id, a.rate_bp, a.inclusive) AS whole
            FROM a JOIN parts p ON p.order_id = a.order_id AND p.rate_bp = a.rate_bp
        ), base AS (
            SELECT *, CASE WHEN whole > 0 THEN CAST((CAST(part_vat AS HUGEINT) * amount) // whole AS BIGINT) ELSE 0 END AS part,
                   CASE WHEN whole > 0 THEN (CAST(part_vat AS HUGEINT) * amount) % whole ELSE 0 END AS remainder
            FROM shares
        ), ranked AS (
            SELECT *, row_number() OVER (PARTITION BY order_id, rate_bp, inclusive ORDER BY remainder DESC, line_no)
                      AS rank_no,
                      CASE WHEN whole > 0 THEN part_vat ELSE 0 END - sum(part) OVER (PARTITION BY order_id, rate_bp, inclusive)
                      AS rest
            FROM base
        ), shared AS (
            SELECT *, part + CASE WHEN rank_no <= rest THEN 1 ELSE 0 END AS share FROM ranked
        )
        SELECT order_id, line_no, kind, sku, description, qty, price_minor, discount_minor, rate_bp, exempt, inclusive,
               amount, CASE WHEN inclusive THEN amount - share ELSE amount END AS net_minor, share AS vat_minor
        FROM shared
"""


def price(
    con: duckdb.DuckDBPyConnection, rates: list[tuple[int, Any]], shipping_taxable: bool, rule: str = "line"
) -> None:
    """out_lines and orders for the orders without problems, half up, as backoffice.sales.pricing.compute does with
    `rule` ('line': VAT per line; 'group': VAT per rate group rounded once, EN 16931 BR-CO-17, shared back to the
    lines). Each line keeps its own basis (`inclusive`); an order's basis is inclusive only when every one of its
    lines is, and its shipping, a line of its own, is in that basis (as backoffice.sales.orders). An order discount
    is shared over its goods lines."""
    if rule not in ("line", "group"):
        raise ValueError(f"unknown rounding rule {rule!r}")
    con.execute("CREATE OR REPLACE TABLE rates (rate_bp INTEGER, valid_from DATE)")
    con.executemany("INSERT INTO rates VALUES (?, ?)", rates)
    con.execute("""
        CREATE OR REPLACE TABLE good AS
        SELECT l.row_no, l.order_id, l.sku, l.product_name, l.order_on, l.status_norm, l.inclusive, l.exempt,
               l.customer_name, l.customer_email, l.customer_phone, l.customer_city, l.customer_country,
               l.customer_tax_id, l.payment_method, l.paid_minor, l.price_minor, l.line_discount_minor,
               l.shipping_minor, l.order_discount_minor,
               CAST(abs(l.qty_dec) AS BIGINT) AS qty, l.qty_dec < 0 AS is_return,
               COALESCE(l.rate_given, rr.rate_bp, 0) AS rate_bp, rr.rate_bp AS standard_bp,
               row_number() OVER (PARTITION BY l.order_id ORDER BY l.row_no) AS line_no
        FROM lines l
        LEFT JOIN (SELECT rate_bp, valid_from, COALESCE(lead(valid_from) OVER (ORDER BY valid_from), DATE '9999-12-31')
                   AS valid_to FROM rates) rr ON l.order_on >= rr.valid_from AND l.order_on < rr.valid_to
        WHERE l.order_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM problems p WHERE p.order_id = l.order_id)
    """)
    con.execute("""
        CREATE OR REPLACE TABLE shared2 AS
        SELECT *, CASE WHEN order_amount > 0 THEN CAST((CAST(order_discount_minor AS HUGEINT) * amount) // order_amount AS BIGINT) ELSE 0 END AS share
        FROM (
            SELECT g.order_id, g.line_no, g.sku, g.product_name, g.qty, g.price_minor, g.line_discount_minor,
                   g.order_discount_minor, g.exempt, g.rate_bp, g.inclusive,
                   g.qty * g.price_minor - g.line_discount_minor AS amount,
                   sum(g.qty * g.price_minor - g.line_discount_minor) OVER (PARTITION BY g.order_id) AS order_amount,
                   row_number() OVER (PARTITION BY g.order_id
                                      ORDER BY g.qty * g.price_minor - g.line_discount_minor DESC, g.line_no) AS size_rank
            FROM good g
        )
    """)
    vat = _LINE_VAT if rule == "line" else _GROUP_VAT
    con.execute(_OUT_LINES + vat, [shipping_taxable, shipping_taxable])
    con.execute("""
        CREATE OR REPLACE TABLE orders AS
        SELECT g.order_id AS external_id, any_value(g.order_on) AS order_on,
               CASE WHEN bool_or(g.is_return) THEN 'returned' ELSE any_value(g.status_norm) END AS status,
               bool_or(g.is_return) AS is_return,
               bool_and(g.inclusive) AS prices_include_vat, any_value(g.customer_name) AS customer_name,
               lower(any_value(g.customer_email)) AS customer_email, any_value(g.customer_phone) AS customer_phone,
               any_value(g.customer_city) AS customer_city, upper(any_value(g.customer_country)) AS customer_country,
               any_value(g.customer_tax_id) AS customer_tax_id, fold(any_value(g.customer_name)) AS customer_name_key,
               lower(any_value(g.payment_method)) AS payment_method, any_value(g.paid_minor) AS paid_minor,
               min(g.row_no) AS first_row,
               COALESCE(lower(any_value(g.customer_email)),
                        NULLIF(right(regexp_replace(any_value(g.customer_phone), '[^0-9]', '', 'g'), 9), ''),
                        'name:' || fold(any_value(g.customer_name))) AS customer_key
        FROM good g GROUP BY g.order_id
    """)
    con.execute(
        """
        CREATE OR REPLACE TABLE order_totals AS
        SELECT o.*, t.net_minor, t.vat_minor, t.net_minor + t.vat_minor AS total_minor, ? AS rounding_rule
        FROM orders o JOIN (SELECT order_id, sum(net_minor) AS net_minor, sum(vat_minor) AS vat_minor FROM out_lines
                            GROUP BY order_id) t ON t.order_id = o.external_id
    """,
        [rule],
    )


def batches(con: duckdb.DuckDBPyConnection, size: int) -> int:
    """batches: each good order's batch number, `size` orders a batch in file order; returns how many (at least 1,
    so an import of only bad or skipped orders still records itself)."""
    con.execute(
        "CREATE OR REPLACE TABLE batches AS SELECT external_id, (row_number() OVER (ORDER BY first_row) - 1) // ? "
        "AS batch FROM order_totals",
        [max(int(size), 1)],
    )
    found = con.execute("SELECT max(batch) FROM batches").fetchone()
    return 1 if found is None or found[0] is None else int(found[0]) + 1


def weighted_batches(con: duckdb.DuckDBPyConnection, size: int, invoiced: Any, weight: int) -> int:
    """batches, as `batches` makes them, but an order that is credited in the writer counts as `weight` orders: a
    return of its own (is_return), or an order the store now calls returned or cancelled that is invoiced in the
    books (`invoiced`: pyarrow, external_id). So a batch of them holds the writer seconds, like any other."""
    complete = getattr(con, "complete", None)  # a result left part-read refuses register(): finish it first
    if complete is not None:
        complete()
    con.register("invoiced_now", invoiced)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE batches AS WITH w AS (SELECT t.external_id, t.first_row, CASE WHEN t.is_return "
            "OR (t.status IN ('returned', 'cancelled') AND t.external_id IN (SELECT external_id FROM invoiced_now)) "
            "THEN ? ELSE 1 END AS weight FROM order_totals t), c AS (SELECT external_id, first_row, "
            "(sum(weight) OVER (ORDER BY first_row ROWS UNBOUNDED PRECEDING) - weight) // ? AS raw FROM w) "
            "SELECT external_id, dense_rank() OVER (ORDER BY raw) - 1 AS batch FROM c",
            [max(int(weight), 1), max(int(size), 1)],
        )
    finally:
        con.unregister("invoiced_now")
    found = con.execute("SELECT max(batch) FROM batches").fetchone()
    return 1 if found is None or found[0] is None else int(found[0]) + 1


_PREVIEW_STOCK = (
    "CREATE TABLE IF NOT EXISTS preview_stock (sku VARCHAR, qty_change BIGINT, value_change BIGINT)"
)


def carry_stock(con: duckdb.DuckDBPyConnection, start: Any, end: Any) -> list[str]:
    """preview_stock: how far a preview's batches so far move each product's stock (quantity and value), for the
    products they move. `start` and `end` are one batch's stock levels (sku, stock_qty, stock_value_minor) before
    it and after it, the carried changes included, just before it is undone. Changes, not levels, so stock others
    receive or sell between the batches still counts. Returns the SKUs the preview leaves below zero."""
    con.execute(_PREVIEW_STOCK)
    con.register("stock_start", start)
    con.register("stock_end", end)
    try:
        con.execute(
            "CREATE OR REPLACE TABLE preview_next AS SELECT e.sku, e.stock_qty - COALESCE(s.stock_qty, 0) AS qty_change, "
            "e.stock_value_minor - COALESCE(s.stock_value_minor, 0) AS value_change FROM stock_end e "
            "LEFT JOIN stock_start s ON s.sku = e.sku WHERE s.sku IS NULL OR s.stock_qty <> e.stock_qty "
            "OR s.stock_value_minor <> e.stock_value_minor "
            "UNION ALL SELECT p.* FROM preview_stock p WHERE p.sku NOT IN (SELECT sku FROM stock_end)"
        )
        below = con.execute(  # products of this batch; and products only earlier batches made, from nothing
            "SELECT sku FROM stock_end WHERE stock_qty < 0 UNION SELECT sku FROM preview_next "
            "WHERE qty_change < 0 AND sku NOT IN (SELECT sku FROM stock_end) ORDER BY sku"
        ).fetchall()
    finally:
        con.unregister("stock_start")
        con.unregister("stock_end")
    con.execute("DROP TABLE preview_stock")
    con.execute("ALTER TABLE preview_next RENAME TO preview_stock")
    return [r[0] for r in below]


def preview_stock(con: duckdb.DuckDBPyConnection) -> Any:
    """preview_stock as an Arrow table (sku, qty_change, value_change); empty before the first batch."""
    con.execute(_PREVIEW_STOCK)
    return con.sql("SELECT sku, qty_change, value_change FROM preview_stock").to_arrow_table()


def skipped_log(
    con: duckdb.DuckDBPyConnection,
    org_id: int,
    store_id: int,
    import_id: int,
    reason: str,
    file_name: str,
    actor: str,
    at: Any,
) -> Any:
    """The sync-log rows (an Arrow table) of the orders `skip_known` skipped: unchanged, for `reason`."""
    return con.sql(
        "SELECT ? AS org_id, ? AS store_id, external_id, order_id, ? AS import_id, 'unchanged' AS result, "
        "? AS reason, ? AS file_name, ? AS actor, CAST(? AS TIMESTAMP) AS created_at FROM skipped",
        params=[org_id, store_id, import_id, reason, file_name, actor, at],
    ).to_arrow_table()


PAYMENTS_FILE = "payments file"  # how a payments file's columns are named in problems (its rows are its own)


def load_payments(con: duckdb.DuckDBPyConnection, path: str, exponent: int, currency: str) -> None:
    """A separate payments file (order_id, payment_method, amount, paid_at): several rows per order. Its bad rows go
    into problems under their order, so that order is held, not posted without the payment (a corrected file then
    imports it whole). Raises ValueError (with DuckDB's words) when the file is not CSV or lacks a column."""
    scale = 10**exponent
    top = MAX_MINOR // scale
    try:
        con.execute(
            "CREATE OR REPLACE TABLE pay_raw AS SELECT row_number() OVER () + 1 AS row_no, * FROM read_csv(?, "
            "all_varchar = true, header = true, quote = '\"', escape = '\"', strict_mode = false, null_padding = true)",
            [path],
        )
    except duckdb.Error as exc:
        raise ValueError(f"the {PAYMENTS_FILE} cannot be read as CSV: {str(exc).splitlines()[0]}") from exc
    headers = {c.strip().lower(): c for c in _columns(con, "pay_raw")}
    missing = [c for c in ("order_id", "payment_method", "amount") if c not in headers]
    if missing:
        raise ValueError(
            f"the {PAYMENTS_FILE} has no {', '.join(missing)} column (it needs order_id, payment_method, amount, "
            "and may have paid_at)"
        )
    order, method, amount = (ident(headers[c]) for c in ("order_id", "payment_method", "amount"))
    paid_at = f"left({ident(headers['paid_at'])}, 19)" if "paid_at" in headers else "NULL"
    con.execute(f"""
        CREATE OR REPLACE TABLE pays AS
        SELECT row_no, external_id, method, amount_text, paid_on,
               CASE WHEN abs(amount_dec) <= {top} THEN CAST(ROUND(amount_dec * {scale}) AS BIGINT) END AS amount_minor,
               CASE WHEN amount_text IS NULL THEN 'missing' WHEN amount_dec IS NULL THEN 'nan'
                    WHEN abs(amount_dec) > {top} THEN 'big'
                    WHEN amount_dec * {scale} <> ROUND(amount_dec * {scale})
                         OR (length(amount_text) > 11 AND regexp_matches(amount_text, '[.][0-9]{{10}}[0-9]*[1-9]'))
                    THEN 'decimals' END AS amount_bad
        FROM (
            SELECT row_no, NULLIF(trim({order}), '') AS external_id, NULLIF(lower(trim({method})), '') AS method,
                   NULLIF(trim({amount}), '') AS amount_text, {_num(f"NULLIF(trim({amount}), '')")} AS amount_dec,
                   CAST(TRY_STRPTIME({paid_at}, '%Y-%m-%d %H:%M:%S') AS DATE) AS paid_on
            FROM pay_raw
        )
    """)  # noqa: S608 - quoted headers; scale and limits are ours
    column = f"{PAYMENTS_FILE}: "
    con.execute(
        f"""
        INSERT INTO problems
        SELECT row_no, '{column}amount', CASE amount_bad
                   WHEN 'missing' THEN 'the amount is missing'
                   WHEN 'nan' THEN '''' || shown(amount_text) || ''' is not a number'
                   WHEN 'big' THEN '''' || shown(amount_text) || ''' is more than the largest amount, {top:,}'
                   ELSE '''' || shown(amount_text) || ''' has more than {exponent} decimal places, the most ' || ? || ' has'
               END, external_id
        FROM pays WHERE amount_bad IS NOT NULL
        UNION ALL SELECT row_no, '{column}amount', 'a payment cannot be negative', external_id FROM pays WHERE amount_minor < 0
        UNION ALL SELECT row_no, '{column}payment_method', 'the payment method is missing', external_id FROM pays
            WHERE method IS NULL
        UNION ALL SELECT row_no, '{column}order_id', 'the order id is missing', NULL FROM pays WHERE external_id IS NULL
        """,  # noqa: S608 - our constants
        [currency],
    )


def payments_from_lines(con: duckdb.DuckDBPyConnection) -> None:
    """Without a payments file: one payment per order from its payment_method and paid_amount (or its total)."""
    con.execute("""
        CREATE OR REPLACE TABLE pays AS
        SELECT first_row AS row_no, external_id, COALESCE(payment_method, 'store_payout') AS method,
               COALESCE(paid_minor, total_minor) AS amount_minor, order_on AS paid_on, NULL AS amount_text
        FROM order_totals
    """)


# ---------------------------------------------------------------- what the import asks of the staged file


def nothing_skipped(con: duckdb.DuckDBPyConnection, fingerprints: bool) -> None:
    """No order is skipped as unchanged (a new store, or a payments file that changes what rows mean)."""
    if fingerprints:
        con.execute("CREATE TABLE fingerprints (external_id VARCHAR, fingerprint BIGINT)")
    con.execute("CREATE TABLE skipped (external_id VARCHAR, order_id BIGINT)")


def shopify_status(found: dict[str, str], headers: list[str]) -> str:
    """A Shopify export has no single status: paid and fulfilled makes a completed order (a SQL expression over
    the file's own columns, quoted as identifiers)."""
    fin = ident(found["status"]) if "status" in found else "NULL"
    ful = next((ident(h) for h in headers if h.strip().lower() == "fulfillment status"), "NULL")
    return (
        f"CASE WHEN lower(trim({fin})) IN ('refunded', 'partially_refunded') THEN 'refunded' "
        f"WHEN lower(trim({fin})) = 'voided' THEN 'voided' WHEN NULLIF(trim({fin}), '') IS NULL THEN NULL "
        f"WHEN lower(trim({fin})) = 'paid' AND lower(coalesce({ful}, '')) = 'fulfilled' THEN 'completed' "
        f"ELSE 'pending' END"
    )


def has_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchone()
    return bool(found and found[0])


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    found = con.execute(sql).fetchone()
    return int(found[0]) if found else 0


def holds_rows(con: duckdb.DuckDBPyConnection) -> bool:
    return _count(con, "SELECT count(*) FROM raw") > 0


def first_problems(con: duckdb.DuckDBPyConnection, limit: int) -> list[tuple[Any, ...]]:
    found = con.execute("SELECT row_no, col, reason FROM problems ORDER BY row_no, col LIMIT ?", [limit])
    return [tuple(r) for r in found.fetchall()]


def problem_count(con: duckdb.DuckDBPyConnection) -> int:
    return _count(con, "SELECT count(*) FROM problems")


def all_problems(con: duckdb.DuckDBPyConnection, chunk: int = 50_000) -> Iterator[list[tuple[Any, ...]]]:
    """Every problem in file order, a chunk at a time (bounded memory, however many there are)."""
    cursor = con.execute("SELECT row_no, col, reason FROM problems ORDER BY row_no, col")
    while found := cursor.fetchmany(chunk):
        yield found


def nothing_good(con: duckdb.DuckDBPyConnection) -> bool:
    return not has_table(con, "order_totals") or _count(con, "SELECT count(*) FROM order_totals") == 0


def error_orders(con: duckdb.DuckDBPyConnection) -> int:
    """Orders (or rows without an order) with a problem."""
    if not has_table(con, "problems"):
        return 0
    return _count(con, "SELECT count(DISTINCT coalesce(order_id, 'row ' || row_no)) FROM problems")


def batch_rows(
    con: duckdb.DuckDBPyConnection, import_id: int, org_id: int, currency_code: str, batch: int | None
) -> Iterator[tuple[str, Any]]:
    """(table, Arrow rows) for the main database's import tables: the orders, lines and payments of every order or
    of one batch (`batches`), and with the first batch the failed orders."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE ids AS SELECT ?::BIGINT AS import_id, ?::BIGINT AS org_id",
        [import_id, org_id],
    )
    if batch is None:
        con.execute("CREATE OR REPLACE TEMP TABLE chosen AS SELECT external_id FROM order_totals")
    else:
        con.execute(
            "CREATE OR REPLACE TEMP TABLE chosen AS SELECT external_id FROM batches WHERE batch = ?", [batch]
        )
    orders = con.sql(
        "SELECT ids.import_id, ids.org_id, external_id, order_on, status, ? AS currency, prices_include_vat, customer_name, "
        "customer_email, customer_phone, customer_city, customer_country, customer_tax_id, customer_name_key, "
        "payment_method, paid_minor, net_minor, vat_minor, total_minor, rounding_rule, first_row, customer_key, is_return, "
        "(SELECT fp.fingerprint FROM fingerprints fp WHERE fp.external_id = order_totals.external_id) AS fingerprint "
        "FROM order_totals, ids WHERE external_id IN (SELECT external_id FROM chosen)",
        params=[currency_code],
    ).to_arrow_table()
    yield "import_orders", orders
    if not batch:  # the failed orders go in once, with the first batch
        failed = con.sql(
            "SELECT ids.import_id, ids.org_id, order_id AS external_id, DATE '1970-01-01' AS order_on, 'failed' AS status, "
            "? AS currency, FALSE AS prices_include_vat, 0 AS net_minor, 0 AS vat_minor, 0 AS total_minor, "
            "min(row_no) AS first_row, 'error' AS kind, 'row ' || min(row_no) || ', ' || arg_min(col, row_no) || ': ' "
            "|| arg_min(reason, row_no) AS problem FROM problems, ids WHERE order_id IS NOT NULL GROUP BY ids.import_id, "
            "ids.org_id, order_id",
            params=[currency_code],
        ).to_arrow_table()
        yield "import_orders", failed
    lines = con.sql(
        "SELECT ids.import_id, ids.org_id, order_id AS external_id, line_no, kind, sku, description, qty AS quantity, "
        "price_minor AS unit_price_minor, discount_minor, rate_bp AS vat_rate_bp, exempt AS vat_exempt, "
        "inclusive AS price_includes_vat, net_minor, vat_minor, "
        "net_minor + vat_minor AS gross_minor FROM out_lines, ids WHERE order_id IN (SELECT external_id FROM chosen)"
    ).to_arrow_table()
    yield "import_lines", lines
    pays = con.sql(
        "SELECT ids.import_id, ids.org_id, external_id, method, amount_minor, paid_on, "
        "row_number() OVER (PARTITION BY external_id ORDER BY row_no) AS seq FROM pays, ids "
        "WHERE amount_minor > 0 AND method IS NOT NULL AND external_id IN (SELECT external_id FROM chosen)"
    ).to_arrow_table()
    yield "import_payments", pays
