"""The customer form (new and edit): required fields marked, a message on each field that is wrong,
a duplicate warning with "save anyway", Save and Save & new (SPEC C2, C3, C4, C8, C11)."""

from __future__ import annotations

import functools
from datetime import date
from typing import Any

import streamlit as st

from backoffice import messaging
from backoffice.contacts import attachments, customers
from backoffice.core.context import Context
from backoffice.core.errors import BackofficeError, ConflictError, ValidationError
from backoffice.web.errors import show_errors
from backoffice.web.session import current_language, t
from backoffice.web.text import plain

TEXT_FIELDS = [
    ("name", "Full name", True),
    ("emails", "Emails (comma-separated)", False),
    ("phone", "Phone", False),
    ("tax_id", "Tax ID (VAT number)", False),
    ("contact_person", "Main contact person", False),
    ("address", "Address", False),
    ("city", "City", False),
    ("postal_code", "Postal code", False),
    ("country", "Country (2 letters)", False),
]


def _error(key: str, field: str) -> None:
    message = st.session_state.get(f"{key}_errors", {}).get(field)
    if message:
        st.markdown(f":red[{plain(message)}]")


def _reset(key: str) -> None:
    for name in list(st.session_state):
        if str(name).startswith(f"{key}_"):
            del st.session_state[name]


def customer_form(ctx: Context, existing: dict[str, Any] | None, key: str) -> int | None:
    """Draw the form; returns the contact id when a save succeeded in this run."""
    existing = existing or {}
    if notice := st.session_state.pop(f"{key}_notice", None):
        st.success(notice)
    duplicate = st.session_state.get(f"{key}_duplicate")
    fields = customers.list_custom_fields(ctx)
    categories = [c["name"] for c in customers.list_categories(ctx)]
    with st.form(key, clear_on_submit=False):
        if st.session_state.get(f"{key}_errors"):
            st.error(t("Please correct the marked fields."))
        if duplicate:
            st.warning(plain(duplicate))
        values: dict[str, Any] = {}
        cols = st.columns(2)
        for i, (field, label, required) in enumerate(TEXT_FIELDS):
            with cols[i % 2]:
                values[field] = st.text_input(
                    t(label) + (" *" if required else ""),
                    value=existing.get(field) or "",
                    key=f"{key}_{field}",
                )
                _error(key, field)
        with cols[0]:
            roles = list(customers.ROLES)
            values["role"] = st.selectbox(
                t("Type"),
                roles,
                index=roles.index(existing.get("role") or "customer"),
                format_func=t,
                key=f"{key}_role",
            )
            values["payment_terms_days"] = st.text_input(
                t("Payment terms (days)"),
                value=str(existing.get("payment_terms_days") or 0),
                key=f"{key}_payment_terms_days",
            )
            _error(key, "payment_terms_days")
        with cols[1]:
            chosen = st.multiselect(
                t("Categories"),
                sorted(set(categories) | set(existing.get("categories", []))),
                default=existing.get("categories", []),
                accept_new_options=True,
                key=f"{key}_categories",
            )
        custom = _custom_inputs(fields, existing.get("custom", {}), key)
        allow = (
            st.checkbox(t("Save anyway (it is a different contact)"), key=f"{key}_allow")
            if duplicate
            else False
        )
        buttons = st.columns(4)
        save = buttons[0].form_submit_button(t("Save"), type="primary")
        save_new = buttons[1].form_submit_button(t("Save & new")) if not existing else False
    if not (save or save_new):
        return None
    return _save(ctx, key, values, chosen, custom, existing.get("contact_id"), allow, bool(save_new))


def _custom_inputs(fields: list[dict[str, Any]], current: dict[str, str], key: str) -> dict[str, Any]:
    custom: dict[str, Any] = {}
    for f in fields:
        label = plain(f["name"]) + (" *" if f["required"] else "")
        value = current.get(f["name"], "")
        wkey = f"{key}_cf_{f['field_id']}"
        if f["kind"] == "choice":
            options = ["", *f["choices"]]
            custom[f["name"]] = st.selectbox(
                label, options, index=options.index(value) if value in options else 0, key=wkey
            )
        elif f["kind"] == "date":
            picked = st.date_input(label, value=date.fromisoformat(value) if value else None, key=wkey)
            custom[f["name"]] = picked.isoformat() if picked else ""
        else:
            custom[f["name"]] = st.text_input(label, value=value, key=wkey)
        _error(key, f["name"])
    return custom


def _save(
    ctx: Context,
    key: str,
    values: dict[str, Any],
    chosen: list[str],
    custom: dict[str, Any],
    contact_id: int | None,
    allow: bool,
    and_new: bool,
) -> int | None:
    """Save; on a field error or a possible duplicate, redraw the form with the messages in place."""
    try:
        if contact_id is None:  # a new contact: welcomed when the organization turned that on
            saved = messaging.save_customer_and_welcome(ctx, values, chosen, custom, allow)
        else:
            saved = customers.save_customer(ctx, values, chosen, custom, contact_id, allow_duplicate=allow)
    except ValidationError as exc:
        st.session_state[f"{key}_errors"] = {e.field: e.message for e in exc.errors}
        st.session_state.pop(f"{key}_duplicate", None)
        st.rerun()
    except ConflictError as exc:
        st.session_state[f"{key}_errors"] = {}
        st.session_state[f"{key}_duplicate"] = str(exc)
        st.rerun()
    except BackofficeError as exc:
        st.error(plain(exc))
        return None
    return _after_save(key, saved, values["name"], and_new)


def _after_save(key: str, saved: int, name: str, and_new: bool) -> int:
    _reset(key)
    st.session_state[f"{key}_notice"] = t("Saved") + ": " + plain(name)
    if and_new:
        st.rerun()
    return saved


def _attachment_bytes(ctx: Context, attachment_id: int) -> bytes:
    return customers.get_attachment(ctx, attachment_id)[2]


def notes_section(ctx: Context, contact_id: int) -> None:
    """Private notes with attachments on the customer's profile (SPEC C6)."""
    with st.form("note", clear_on_submit=True):
        body = st.text_area(t("Private note (visible to this organization's users only)"))
        files = st.file_uploader(
            t("Attachments"), accept_multiple_files=True, type=list(attachments.EXTENSIONS)
        )
        st.caption(
            t(
                "PDF, images, office documents or text; at most {file} a file and {total} per customer."
            ).format(
                file=attachments.megabytes(attachments.MAX_FILE_BYTES),
                total=attachments.megabytes(attachments.MAX_CUSTOMER_BYTES),
            )
        )
        if st.form_submit_button(t("Add note")):
            with show_errors(current_language()):
                customers.add_note(
                    ctx, contact_id, body, [(f.name, f.type or "", f.getvalue()) for f in files or []]
                )
                st.success(t("Note added"))
    for note in customers.list_notes(ctx, contact_id):
        with st.container(border=True):
            st.caption(f"{note['created_at']:%Y-%m-%d %H:%M} · {plain(note['author'] or '')}")
            st.markdown(plain(note["body"]))
            for att in note["attachments"]:
                st.download_button(
                    f"📎 {plain(att['file_name'])} ({att['size_bytes']:,} B)",
                    functools.partial(_attachment_bytes, ctx, att["attachment_id"]),
                    file_name=att["file_name"],
                    mime=att["mime"],
                    key=f"att_{att['attachment_id']}",
                )
