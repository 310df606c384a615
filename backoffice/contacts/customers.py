"""Contacts: customers, suppliers and employees on one card (SPEC C1–C12).

Owns validation (per-country tax IDs, E.164 phones, several emails), duplicate
detection on normalized email/phone/tax ID, categories, admin-defined custom
fields, private notes with attachments, the list with search/sort/paging, and
CSV/XLSX import and export. Balances come from the ledger, never a stored copy.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.engine import Connection

from backoffice.contacts import attachments
from backoffice.core import tabular
from backoffice.core.context import Context
from backoffice.core.errors import ConflictError, FieldError, NotFoundError, ValidationError
from backoffice.core.i18n import LANGUAGES
from backoffice.core.money import parse_decimal
from backoffice.core.tabular import ImportResult
from backoffice.core.text import clean_header_value, digits_only, normalize_digits, search_key
from backoffice.core.validation import (
    check_country,
    check_emails,
    check_phone,
    check_tax_id,
    tax_id_key,
)
from backoffice.db import audit, now
from backoffice.db.queries import contacts as q
from backoffice.db.queries import orgs as orgs_q

ROLES = ("customer", "supplier", "employee")
FIELD_KINDS = ("text", "number", "date", "choice")
FORM_FIELDS = (
    "name",
    "role",
    "address",
    "city",
    "postal_code",
    "country",
    "emails",
    "phone",
    "tax_id",
    "contact_person",
    "payment_terms_days",
    "language",
)
REQUIRED = ("name",)
PAGE_SIZES = (25, 50, 100, 200)
SORT_KEYS = tuple(q.SORTS)  # what a list can be sorted by
EXPORT_FORMATS = ("csv", "xlsx")


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


# ---------------------------------------------------------------- validation


def _org_country(conn: Connection, org_id: int) -> str | None:
    org = orgs_q.org_by_id(conn, org_id)
    return org["country"] if org else None


def _parse_custom(
    fields: list[dict[str, Any]], custom: dict[str, Any]
) -> tuple[dict[int, str], list[FieldError]]:
    values: dict[int, str] = {}
    problems = []
    by_name = {f["name"]: f for f in fields}
    for name in custom:
        if name not in by_name:
            problems.append(FieldError(name, "no such custom field"))
    for f in fields:
        raw = custom.get(f["name"])
        text = "" if raw is None else normalize_digits(str(raw)).strip()
        if not text:
            if f["required"]:
                problems.append(FieldError(f["name"], "this field is required"))
            continue
        try:
            if f["kind"] == "number":
                text = str(parse_decimal(text, f["name"]))
            elif f["kind"] == "date":
                text = _parse_date(text).isoformat()
            elif f["kind"] == "choice" and text not in json.loads(f["choices"] or "[]"):
                raise ValidationError(
                    f"choose one of {', '.join(json.loads(f['choices'] or '[]'))}", f["name"]
                )
        except ValidationError as exc:
            problems.append(FieldError(f["name"], exc.errors[0].message))
            continue
        values[f["field_id"]] = text
    return values, problems


def _parse_date(text: str) -> date:
    text = normalize_digits(text).strip().split(" ")[0].replace("/", "-").replace(".", "-")
    parts = text.split("-")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 3 and len(parts[2]) == 4:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise ValidationError(f"'{text}' is not a date (use YYYY-MM-DD)", "date")


@dataclass(frozen=True)
class _Settings:
    """What validation reads from the organization: its country (the phone/tax ID region) and custom fields."""

    country: str | None
    fields: list[dict[str, Any]]


def _settings(conn: Connection, org_id: int) -> _Settings:
    return _Settings(_org_country(conn, org_id), q.custom_fields(conn, org_id))


def _validate(
    conn: Connection | None,
    ctx: Context,
    values: dict[str, Any],
    custom: dict[str, Any],
    settings: _Settings | None = None,
) -> tuple[dict[str, Any], list[str], dict[int, str]]:
    """One contact's fields checked and normalized; `settings` read once by an import (then `conn` may be None)."""
    if settings is None:
        if conn is None:
            raise TypeError("checking a contact needs a connection or the settings an import read")
        settings = _settings(conn, ctx.org_id)
    unknown = set(values) - set(FORM_FIELDS)
    if unknown:
        raise ValidationError(f"unknown field(s): {', '.join(sorted(unknown))}", "fields")
    problems: list[FieldError] = []
    clean: dict[str, Any] = {k: (v.strip() if isinstance(v, str) else v) or None for k, v in values.items()}
    if not clean.get("name"):
        problems.append(FieldError("name", "the full name is required"))
    role = clean.get("role") or "customer"
    if role not in ROLES:
        problems.append(FieldError("role", f"choose one of {', '.join(ROLES)}"))
    clean["role"] = role
    country, problem = check_country(clean.get("country"))
    if problem:
        problems.append(FieldError("country", problem))
    clean["country"] = country
    region = country or settings.country
    emails, problem = check_emails(clean.get("emails"))
    if problem:
        problems.append(FieldError("emails", problem))
    clean["emails"] = ", ".join(emails) or None
    phone, problem = check_phone(clean.get("phone"), region)
    if problem:
        problems.append(FieldError("phone", problem))
    clean["phone"] = phone
    tax_id, problem = check_tax_id(clean.get("tax_id"), region)
    if problem:
        problems.append(FieldError("tax_id", problem))
    clean["tax_id"] = tax_id
    terms = normalize_digits(str(clean.get("payment_terms_days") or "0")).strip()
    if not terms.isdecimal() or int(terms) > 3650:  # isdigit() admits '²', which int() refuses
        problems.append(
            FieldError("payment_terms_days", "payment terms are a whole number of days (0 = due at once)")
        )
    else:
        clean["payment_terms_days"] = int(terms)
    if clean.get("language") and clean["language"] not in LANGUAGES:
        problems.append(FieldError("language", f"choose one of {', '.join(LANGUAGES)}"))
    custom_values, custom_problems = _parse_custom(settings.fields, custom)
    problems += custom_problems
    if problems:
        raise ValidationError(problems)
    clean["name_key"] = search_key(clean["name"])
    clean["tax_id_key"] = tax_id_key(tax_id)
    national = digits_only(phone)[3:] if phone else ""
    clean["search_text"] = " | ".join(
        filter(
            None,
            [
                clean["name_key"],
                clean["emails"],
                digits_only(phone),
                national,
                clean["tax_id_key"],
                search_key(clean.get("contact_person")),
                search_key(clean.get("city")),
            ],
        )
    )
    return clean, emails, custom_values


def check_customer(
    ctx: Context, values: dict[str, Any], custom: dict[str, Any] | None = None, contact_id: int | None = None
) -> list[dict[str, Any]]:
    """Validate without saving; returns the existing contacts this one would duplicate (SPEC C11)."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        if contact_id is not None and q.contact(conn, ctx.org_id, contact_id) is None:
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        clean, emails, _ = _validate(conn, ctx, values, custom or {})
        return q.duplicates(conn, ctx.org_id, emails, clean["phone"], clean["tax_id_key"], contact_id)


def _duplicate_error(found: list[dict[str, Any]]) -> ConflictError:
    labels = {"email": "email", "phone": "phone", "tax_id": "tax ID"}
    hits = "; ".join(f"same {labels[d['field']]} as {d['name']} (#{d['contact_id']})" for d in found)
    return ConflictError(f"Possible duplicate: {hits}. Save anyway only if this is a different contact.")


# ---------------------------------------------------------------- writes


def save_customer(
    ctx: Context,
    values: dict[str, Any],
    categories: Sequence[str] = (),
    custom: dict[str, Any] | None = None,
    contact_id: int | None = None,
    allow_duplicate: bool = False,
) -> int:
    """Create (contact_id None) or update a contact; validates everything first, then writes in one transaction.
    A new customer's welcome message is backoffice.messaging.save_customer_and_welcome's."""
    ctx.require("customers.write")
    return _save_customer(ctx, values, categories, custom, contact_id, allow_duplicate)


def _save_customer(
    ctx: Context,
    values: dict[str, Any],
    categories: Sequence[str],
    custom: dict[str, Any] | None,
    contact_id: int | None,
    allow_duplicate: bool,
) -> int:
    with ctx.write() as conn:
        before = q.contact(conn, ctx.org_id, contact_id) if contact_id else None
        if contact_id and before is None:
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        merged = ({k: before[k] for k in FORM_FIELDS} if before else {}) | values
        clean, emails, custom_values = _validate(conn, ctx, merged, custom or {})
        if not allow_duplicate and (
            found := q.duplicates(conn, ctx.org_id, emails, clean["phone"], clean["tax_id_key"], contact_id)
        ):
            raise _duplicate_error(found)
        return _write(conn, ctx, clean, emails, categories, custom_values, contact_id, before)


def _write(
    conn: Connection,
    ctx: Context,
    clean: dict[str, Any],
    emails: list[str],
    categories: Sequence[str],
    custom_values: dict[int, str],
    contact_id: int | None,
    before: dict[str, Any] | None,
) -> int:
    at = now()
    if contact_id is None:
        contact_id = q.insert_contact(conn, ctx.org_id, clean, at)
    else:
        q.update_contact(conn, ctx.org_id, contact_id, clean, at)
    q.replace_emails(conn, ctx.org_id, contact_id, emails)
    names = [c.strip() for c in categories if c and c.strip()]
    ids = [q.category_id(conn, ctx.org_id, name, search_key(name)) for name in names]
    q.replace_categories(conn, ctx.org_id, contact_id, ids)
    q.replace_field_values(conn, ctx.org_id, contact_id, custom_values)
    after = {k: clean.get(k) for k in FORM_FIELDS} | {"categories": sorted(names), "custom": custom_values}
    audit.record(
        conn,
        ctx,
        "update" if before else "create",
        "contact",
        contact_id,
        {k: before[k] for k in FORM_FIELDS} if before else None,
        after,
    )
    return contact_id


# ---------------------------------------------------------------- reads


def get_customer(ctx: Context, contact_id: int) -> dict[str, Any]:
    """The card: fields, categories, custom values (by field name) and the balance from the ledger."""
    ctx.require("customers.read")
    with ctx.read() as conn:
        row = q.contact(conn, ctx.org_id, contact_id)
        if row is None:
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        row["categories"] = q.categories_of(conn, ctx.org_id, contact_id)
        row["custom"] = {v["name"]: v["value"] for v in q.field_values(conn, ctx.org_id, [contact_id])}
        row["balance_minor"] = q.balances(conn, ctx.org_id, [contact_id]).get(contact_id, 0)
        row["activity"] = q.ledger_lines(conn, ctx.org_id, contact_id, 200)
    return row


def search_pattern(text: str | None) -> str | None:
    """The LIKE pattern for a search box: names folded (ي/ی, ك/ک, أ/إ/آ, ة/ه), phones by their digits."""
    key = search_key(text)
    if not key:
        return None
    compact = key.replace(" ", "").replace("-", "").replace("+", "")
    if len(compact) >= 4 and compact.isdigit():
        key = compact.lstrip("0") or compact
    escaped = key.replace("\\", "").replace("%", "").replace("_", " ")
    return f"%{escaped}%"


def list_customers(
    ctx: Context,
    search: str | None = None,
    category: str | None = None,
    role: str | None = None,
    sort: str = "name",
    descending: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> Page:
    """One page of contacts matching the search (name, email, phone, tax ID) and category."""
    ctx.require("customers.read")
    if sort not in SORT_KEYS:
        raise ValidationError(f"sort by one of {', '.join(SORT_KEYS)}", "sort")
    page_size = max(1, min(page_size, 1000))
    pattern, cat = search_pattern(search), (search_key(category) or None)
    with ctx.read() as conn:
        total = q.count_contacts(conn, ctx.org_id, role, pattern, cat)
        page = max(1, min(page, max(1, -(-total // page_size))))
        found = q.page_contacts(
            conn, ctx.org_id, role, pattern, cat, sort, descending, page_size, (page - 1) * page_size
        )
        ids = [r["contact_id"] for r in found]
        balances = q.balances(conn, ctx.org_id, ids)
        custom = q.field_values(conn, ctx.org_id, ids)
        tags = q.categories_for(conn, ctx.org_id, ids)
    by_contact: dict[int, dict[str, str]] = {}
    for v in custom:
        by_contact.setdefault(v["contact_id"], {})[v["name"]] = v["value"]
    for r in found:
        r["balance_minor"] = balances.get(r["contact_id"], 0)
        r["custom"] = by_contact.get(r["contact_id"], {})
        r["categories"] = [t["name"] for t in tags if t["contact_id"] == r["contact_id"]]
    return Page(found, total, page, page_size)


def list_categories(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        return q.all_categories(conn, ctx.org_id)


# ---------------------------------------------------------------- custom fields


def list_custom_fields(ctx: Context) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        fields = q.custom_fields(conn, ctx.org_id)
    for f in fields:
        f["choices"] = json.loads(f["choices"] or "[]")
    return fields


def define_custom_field(
    ctx: Context, name: str, kind: str, choices: Sequence[str] = (), required: bool = False
) -> int:
    """An admin adds an extra field; it then appears on the form, the list and exports (SPEC C8)."""
    ctx.require("settings.write")
    name = (name or "").strip()
    problems = []
    if not name:
        problems.append(FieldError("name", "the field's name is required"))
    if name in FORM_FIELDS:
        problems.append(FieldError("name", "that name is a built-in field"))
    if kind not in FIELD_KINDS:
        problems.append(FieldError("kind", f"choose one of {', '.join(FIELD_KINDS)}"))
    options = [c.strip() for c in choices if c and c.strip()]
    if kind == "choice" and not options:
        problems.append(FieldError("choices", "a choice field needs at least one choice"))
    if problems:
        raise ValidationError(problems)
    with ctx.write() as conn:
        existing = q.custom_fields(conn, ctx.org_id)
        if any(f["name"].lower() == name.lower() for f in existing):
            raise ConflictError(f"A custom field named '{name}' already exists.")
        field_id = q.insert_custom_field(
            conn,
            org_id=ctx.org_id,
            name=name,
            kind=kind,
            choices=json.dumps(options, ensure_ascii=False) if options else None,
            required=required,
            position=len(existing),
        )
        audit.record(
            conn,
            ctx,
            "create",
            "custom_field",
            field_id,
            after={"name": name, "kind": kind, "choices": options},
        )
    return field_id


def delete_custom_field(ctx: Context, field_id: int) -> None:
    ctx.require("settings.write")
    with ctx.write() as conn:
        before = next((f for f in q.custom_fields(conn, ctx.org_id) if f["field_id"] == field_id), None)
        if before is None:
            raise NotFoundError(f"No custom field #{field_id} in this organization.")
        q.delete_custom_field(conn, ctx.org_id, field_id)
        audit.record(conn, ctx, "delete", "custom_field", field_id, before=before)


# ---------------------------------------------------------------- notes and attachments


def add_note(ctx: Context, contact_id: int, body: str, files: Sequence[tuple[str, str, bytes]] = ()) -> int:
    """A private note on a contact, with files (name, mime, bytes), visible to the organization's users only.

    Files must be of an allowed type by extension and content, at most 10 MB each and 25 MB per contact together
    (backoffice.contacts.attachments); the stored MIME type is the one for that type, not the one the browser sent. Any
    refused file refuses the whole note, each file named with its reason, and nothing is written.
    """
    ctx.require("customers.write")
    body = (body or "").strip()
    if not body and not files:
        raise ValidationError("write a note or attach a file", "body")
    checked = [(name, *attachments.check_file(name, content), content) for name, _, content in files]
    problems = [FieldError("files", problem) for _, _, problem, _ in checked if problem]
    if problems:
        raise ValidationError(problems)
    with ctx.write() as conn:
        if q.contact(conn, ctx.org_id, contact_id) is None:
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        too_large = attachments.check_total(
            q.attachment_bytes_of_contact(conn, ctx.org_id, contact_id), sum(len(c) for *_, c in checked)
        )
        if too_large:
            raise ValidationError(too_large, "files")
        at = now()
        note_id = q.insert_note(
            conn,
            org_id=ctx.org_id,
            contact_id=contact_id,
            body=body,
            created_by=ctx.user.user_id,
            created_at=at,
        )
        for name, mime, _, content in checked:
            q.insert_attachment(
                conn,
                org_id=ctx.org_id,
                note_id=note_id,
                file_name=_safe_file_name(name),
                mime=mime,
                size_bytes=len(content),
                content=content,
                created_at=at,
            )
        audit.record(
            conn,
            ctx,
            "create",
            "note",
            note_id,
            after={"contact_id": contact_id, "files": [f[0] for f in files]},
        )
    return note_id


def _safe_file_name(name: str) -> str:
    return clean_header_value(name.replace("/", "_").replace("\\", "_"))[:200] or "file"


def list_notes(ctx: Context, contact_id: int) -> list[dict[str, Any]]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        if q.contact(conn, ctx.org_id, contact_id) is None:
            raise NotFoundError(f"No contact #{contact_id} in this organization.")
        found = q.notes(conn, ctx.org_id, contact_id)
        files = q.attachments_of_contact(conn, ctx.org_id, contact_id)
    for note in found:
        note["attachments"] = [f for f in files if f["note_id"] == note["note_id"]]
    return found


def get_attachment(ctx: Context, attachment_id: int) -> tuple[str, str, bytes]:
    ctx.require("customers.read")
    with ctx.read() as conn:
        row = q.attachment(conn, ctx.org_id, attachment_id)
    if row is None:
        raise NotFoundError(f"No attachment #{attachment_id} in this organization.")
    return row["file_name"], row["mime"], bytes(row["content"])


# ---------------------------------------------------------------- import and export

HEADER_ALIASES = {
    "name": (
        "name",
        "full name",
        "full_name",
        "customer",
        "customer name",
        "customer_name",
        "الاسم",
        "اسم العميل",
        "الاسم الكامل",
        "نام",
        "نام مشتری",
    ),
    "emails": ("email", "emails", "e-mail", "البريد الإلكتروني", "البريد", "ایمیل"),
    "phone": ("phone", "mobile", "telephone", "الجوال", "الهاتف", "رقم الجوال", "تلفن", "موبایل"),
    "tax_id": ("tax_id", "tax id", "vat", "vat number", "vat_number", "الرقم الضريبي", "شماره اقتصادی"),
    "address": ("address", "العنوان", "آدرس", "نشانی"),
    "city": ("city", "المدينة", "شهر"),
    "postal_code": ("postal_code", "postal code", "zip", "الرمز البريدي", "کد پستی"),
    "country": ("country", "الدولة", "کشور"),
    "contact_person": ("contact_person", "contact person", "جهة الاتصال", "شخص رابط"),
    "payment_terms_days": ("payment_terms_days", "payment terms", "شروط الدفع", "شرایط پرداخت"),
    "role": ("role", "type", "النوع", "نوع"),
    "language": ("language", "اللغة", "زبان"),
    "categories": ("categories", "category", "tags", "الفئة", "التصنيف", "الفئات", "دسته‌بندی"),
}


def _map_headers(
    headers: list[str], custom_names: list[str]
) -> tuple[dict[int, str], list[tuple[int, str, str]]]:
    lookup = {tabular.header_key(alias): key for key, aliases in HEADER_ALIASES.items() for alias in aliases}
    lookup |= {tabular.header_key(name): f"custom:{name}" for name in custom_names}
    mapping: dict[int, str] = {}
    problems: list[tuple[int, str, str]] = []
    for i, header in enumerate(headers):
        key = lookup.get(tabular.header_key(header))
        if key is None:
            problems.append(
                (1, header, "unknown column (expected name, email, phone, tax_id, … or a custom field)")
            )
        elif key in mapping.values():
            problems.append((1, header, "this column appears twice"))
        else:
            mapping[i] = key
    if "name" not in mapping.values():
        problems.append((1, "name", "the file needs a name column"))
    return mapping, problems


def import_customers(
    ctx: Context, file_name: str, data: bytes, skip_invalid: bool = False, dry_run: bool = False
) -> ImportResult:
    """Import contacts from CSV/XLSX with the form's validation; every problem listed by row and column.

    All-or-nothing by default: one bad row and nothing is written. With skip_invalid the good rows are
    imported and the bad ones listed. Duplicates (in the file or with existing contacts) are problems.

    Every row is checked without holding the database's writer (a read connection finds the existing contacts a
    row would duplicate, all at once); the writer is then taken for one short set-based transaction that checks
    again for duplicates saved meanwhile and writes the contacts, their details and their audit rows in bulk.
    """
    ctx.require("customers.write")
    result = ImportResult()
    try:
        headers, body = tabular.read_table(file_name, data)
    except tabular.CellErrors as exc:  # formula cells without a saved value: their rows and columns
        result.problems += exc.cells
        return result
    except tabular.CellError as exc:
        result.problems.append((exc.row, exc.column, str(exc.errors[0].message).split(": ", 1)[1]))
        return result
    except ValidationError as exc:
        result.problems += [(0, "file", e.message) for e in exc.errors]
        return result
    with ctx.read() as conn:
        settings = _settings(conn, ctx.org_id)
    mapping, result.problems = _map_headers(headers, [f["name"] for f in settings.fields])
    if result.problems:
        return result
    checked = _check_rows(ctx, settings, mapping, body)
    with ctx.read() as conn:
        existing = _existing_keys(conn, ctx.org_id, [row for row in checked if isinstance(row, _Row)])
    ready = _pick_rows(checked, existing, result)
    if dry_run or (result.problems and not skip_invalid):
        result.created = len(ready) if dry_run else 0
        return result
    for row in ready:
        row.prepare()
    with ctx.write() as conn:
        if _settings(conn, ctx.org_id) != settings:
            result.problems.append(
                (0, "file", "the custom fields changed while the file was checked: import it again")
            )
            return result
        meanwhile = _existing_keys(conn, ctx.org_id, ready)
        late = [row for row in ready if _duplicates_of(row, meanwhile)]
        if late:  # saved by someone else while the file was checked
            for row in late:
                found = _duplicates_of(row, meanwhile)
                result.problems.append((row.row_no, found[0]["field"], str(_duplicate_error(found))))
            result.problems.sort(key=lambda p: p[0])
            if not skip_invalid:
                return result
            refused = {row.row_no for row in late}
            ready = [row for row in ready if row.row_no not in refused]
        _write_many(conn, ctx, ready)
        result.created, result.written = len(ready), True
    return result


@dataclass
class _Row:
    """One valid row of an import, normalized."""

    row_no: int
    clean: dict[str, Any]
    emails: list[str]
    categories: list[str]
    custom_values: dict[int, str]

    category_names: list[str] = field(default_factory=list)
    category_keys: list[str] = field(default_factory=list)
    after: str | None = None  # the audit's after, dumped

    def prepare(self) -> None:
        """What its write needs that no id is part of, made before the writer is taken."""
        self.category_names = [c.strip() for c in self.categories if c and c.strip()]
        self.category_keys = [search_key(name) for name in self.category_names]
        after = {k: self.clean.get(k) for k in FORM_FIELDS}
        self.after = audit.dumps(
            after | {"categories": sorted(self.category_names), "custom": self.custom_values}
        )

    def keys(self) -> list[tuple[str, str]]:
        """Its duplicate-detection keys, in the order the file's own duplicates are reported."""
        return [("email", e) for e in self.emails] + [
            ("phone", self.clean["phone"]),
            ("tax_id", self.clean["tax_id_key"]),
        ]


def _check_rows(
    ctx: Context, settings: _Settings, mapping: dict[int, str], body: Sequence[Sequence[str | None]]
) -> list[_Row | list[tuple[int, str, str]]]:
    """Every row validated, in file order: a _Row, or that row's problems."""
    checked: list[_Row | list[tuple[int, str, str]]] = []
    for offset, cells in enumerate(body):
        row_no = offset + 2  # the header is row 1
        record = {mapping[i]: cell for i, cell in enumerate(cells) if i in mapping}
        values = {k: v for k, v in record.items() if k in FORM_FIELDS}
        custom = {k[7:]: v for k, v in record.items() if k.startswith("custom:")}
        categories = [c for c in (record.get("categories") or "").replace("،", ";").split(";") if c.strip()]
        try:
            clean, emails, custom_values = _validate(None, ctx, values, custom, settings)
        except ValidationError as exc:
            checked.append([(row_no, e.field, e.message) for e in exc.errors])
            continue
        checked.append(_Row(row_no, clean, emails, categories, custom_values))
    return checked


def _existing_keys(
    conn: Connection, org_id: int, found: Sequence[_Row]
) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """The existing contacts the rows' emails, phones and tax IDs point at, by (field, value)."""
    emails = [e for row in found for e in row.emails]
    phones = [row.clean["phone"] for row in found if row.clean["phone"]]
    taxes = [row.clean["tax_id_key"] for row in found if row.clean["tax_id_key"]]
    existing: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for hit in q.duplicates_of_many(conn, org_id, emails, phones, taxes):
        existing.setdefault((hit["field"], hit["value"]), []).append(
            {"contact_id": hit["contact_id"], "name": hit["name"], "field": hit["field"]}
        )
    return existing


def _duplicates_of(row: _Row, existing: dict[tuple[str, str], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The existing contacts a row duplicates, in the form's order: phone, tax ID, then emails."""
    keys = [("phone", row.clean["phone"]), ("tax_id", row.clean["tax_id_key"])]
    keys += [("email", e) for e in row.emails]
    return [hit for key in keys if key[1] for hit in existing.get(key, [])]


def _pick_rows(
    checked: list[_Row | list[tuple[int, str, str]]],
    existing: dict[tuple[str, str], list[dict[str, Any]]],
    result: ImportResult,
) -> list[_Row]:
    """The rows to write: valid, not repeating an earlier row's email/phone/tax ID, not duplicating a contact."""
    ready: list[_Row] = []
    seen: dict[tuple[str, str], int] = {}
    for row in checked:
        if not isinstance(row, _Row):
            result.problems += row
            continue
        keys = row.keys()
        clash = [k for k in keys if k[1] and k in seen]
        if clash:
            result.problems.append((row.row_no, clash[0][0], f"same {clash[0][0]} as row {seen[clash[0]]}"))
            continue
        if found := _duplicates_of(row, existing):
            result.problems.append((row.row_no, found[0]["field"], str(_duplicate_error(found))))
            continue
        seen.update({k: row.row_no for k in keys if k[1]})
        ready.append(row)
    return ready


def _write_many(conn: Connection, ctx: Context, ready: Sequence[_Row]) -> None:
    """New contacts written set-based: the same rows and audit entries as _write makes one contact at a time. What
    needs no id (categories' names, the audit's after) is made before, outside the writer, by _Row.prepare."""
    if not ready:
        return
    ids = q.next_contact_ids(conn, len(ready))
    q.insert_contacts(
        conn, ctx.org_id, ids, [row.clean for row in ready], [row.emails for row in ready], now()
    )
    first: dict[str, str] = {}  # a category is named as it is first written, as one at a time would
    for row in ready:
        for name, key in zip(row.category_names, row.category_keys, strict=True):
            first.setdefault(key, name)
    category_ids = {key: q.category_id(conn, ctx.org_id, name, key) for key, name in first.items()}
    links = [
        (cid, category)
        for cid, row in zip(ids, ready, strict=True)
        for category in dict.fromkeys(category_ids[key] for key in row.category_keys)
    ]
    values = [(cid, f, v) for cid, row in zip(ids, ready, strict=True) for f, v in row.custom_values.items()]
    q.insert_contact_details(conn, ctx.org_id, links, values)
    audit.record_many(
        conn, ctx, "create", "contact", [(cid, None, row.after) for cid, row in zip(ids, ready, strict=True)]
    )


# A contact's card as the export and the CLI's JSON show it, in this order.
CARD_COLUMNS = (
    "role",
    "name",
    "emails",
    "phone",
    "tax_id",
    "address",
    "city",
    "postal_code",
    "country",
    "contact_person",
    "payment_terms_days",
)
EXPORT_COLUMNS = ("contact_id", *CARD_COLUMNS, "categories")


def export_customers(
    ctx: Context, fmt: str = "csv", search: str | None = None, category: str | None = None
) -> bytes:
    """Every matching contact with its custom fields, as CSV (UTF-8 with BOM) or XLSX, formula-safe."""
    ctx.require("customers.read")
    fields = [f["name"] for f in list_custom_fields(ctx)]
    with ctx.read() as conn:
        found = q.export_contacts(conn, ctx.org_id, search_pattern(search), search_key(category) or None)
        custom = q.all_field_values(conn, ctx.org_id)
    by_contact: dict[int, dict[str, str]] = {}
    for v in custom:
        by_contact.setdefault(v["contact_id"], {})[v["name"]] = v["value"]
    rows = [
        [r[c] for c in EXPORT_COLUMNS] + [by_contact.get(r["contact_id"], {}).get(f) for f in fields]
        for r in found
    ]
    headers = list(EXPORT_COLUMNS) + fields
    if fmt == "xlsx":
        return tabular.to_xlsx({"customers": (headers, rows)})
    if fmt not in EXPORT_FORMATS:
        raise ValidationError("choose csv or xlsx", "format")
    return tabular.to_csv(headers, rows)
