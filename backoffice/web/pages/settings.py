"""Settings: the organization's identity, branding, tax and currency, VAT rates, custom fields, chart (SPEC I5, L3, C8)."""

from collections.abc import Sequence
from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice.admin import orgs
from backoffice.books import ledger
from backoffice.contacts import customers
from backoffice.core.i18n import DOCUMENT_LANGUAGES, account_name
from backoffice.core.money import percent_text
from backoffice.sales import payments
from backoffice.web import page, show_errors, t
from backoffice.web.backup_widgets import backups_section
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show

ROUNDING_HELP = (
    "Per rate group: the VAT of each rate is its taxable amount × rate, rounded once (EN 16931, as ZATCA checks). "
    "Issued documents keep the amounts they were issued with."
)

ctx = page("Settings")
lang = current_language()
settings = orgs.get_settings(ctx)
editable = ctx.can("settings.write")
if not editable:
    st.info(t("Only admins can change settings."))

org_tab, tax_tab, fields_tab, chart_tab, backup_tab = st.tabs(
    [t("Organization"), t("VAT rates"), t("Custom fields"), t("Chart of accounts"), t("Backups")]
)
with org_tab, st.form("org_settings"):
    cols: Sequence[DeltaGenerator] = st.columns(2)
    values = {}
    for i, (field, label) in enumerate(
        [
            ("name", "Organization name"),
            ("legal_name", "Legal name"),
            ("tax_number", "VAT number"),
            ("address", "Address"),
            ("city", "City"),
            ("postal_code", "Postal code"),
            ("country", "Country (2 letters)"),
            ("phone", "Phone"),
            ("email", "Email"),
            ("currency", "Currency"),
            ("brand_color", "Brand colour"),
        ]
    ):
        fixed = field == "currency" and settings["currency_fixed"]  # documents keep the currency they have
        values[field] = cols[i % 2].text_input(
            t(label),
            value=settings.get(field) or "",
            key=f"org_{field}",
            disabled=fixed,
            help=t(orgs.CURRENCY_FIXED) if fixed else None,
        )
    if settings["currency_fixed"]:
        st.caption(t(orgs.CURRENCY_FIXED))
    values["invoice_footer"] = st.text_area(t("Invoice footer"), value=settings.get("invoice_footer") or "")
    cols = st.columns(4)
    for col, (field, label, options) in zip(
        cols,
        [
            ("language", "Document language", list(DOCUMENT_LANGUAGES)),
            ("business_type", "Business type", list(ledger.BUSINESS_TYPES)),
            ("calendar", "Calendar", list(orgs.CALENDARS)),
            ("rounding_rule", "VAT rounding", list(orgs.ROUNDING_RULES)),
        ],
        strict=True,
    ):
        values[field] = col.selectbox(
            t(label),
            options,
            index=options.index(settings[field]),
            format_func=t,
            help=t(ROUNDING_HELP) if field == "rounding_rule" else None,
            key=f"org_{field}",
        )
    cols = st.columns(4)
    values["deposit_percent_bp"] = cols[0].text_input(
        t("Default deposit (%)"), percent_text(settings["deposit_percent_bp"])
    )
    values["cancellation_fee_bp"] = cols[1].text_input(
        t("Cancellation fee (%)"), percent_text(settings["cancellation_fee_bp"])
    )
    values["shipping_taxable"] = cols[2].checkbox(
        t("Shipping is taxable"), value=settings["shipping_taxable"]
    )
    values["allow_negative_stock"] = cols[3].checkbox(
        t("Allow stock below zero"), value=settings["allow_negative_stock"]
    )
    values["native_digits"] = st.checkbox(
        t("Arabic-Indic / Persian digits on documents"), value=settings["native_digits"]
    )
    logo = st.file_uploader(t("Logo (PNG or JPEG)"), type=["png", "jpg", "jpeg"])
    if settings.get("logo"):
        st.image(settings["logo"], width=120)
    if st.form_submit_button(t("Save"), type="primary", disabled=not editable):
        with show_errors(lang):
            orgs.update_settings(ctx, **values, **({"logo": logo.getvalue()} if logo else {}))
            st.success(t("Saved"))

with tax_tab:
    show(
        frame(
            [r | {"percent": percent_text(r["rate_bp"]) + " %"} for r in settings["tax_rates"]],
            {"code": "Code", "name": "Name", "percent": "Rate", "valid_from": "In force from"},
        ),
        "rates",
    )
    with st.form("tax_rate", clear_on_submit=True):
        cols = st.columns(4)
        code = cols[0].text_input(t("Code"), value="standard")
        percent = cols[1].text_input(t("Rate (%)"))
        valid_from = cols[2].date_input(t("In force from"), value=date.today())
        name = cols[3].text_input(t("Name"), value="VAT")
        if st.form_submit_button(t("Add rate"), disabled=not editable):
            with show_errors(lang):
                orgs.set_tax_rate(ctx, code, percent, valid_from, name)
                st.rerun()

with fields_tab:
    fields = customers.list_custom_fields(ctx)
    show(
        frame(
            [f | {"choices": ", ".join(f["choices"])} for f in fields],
            {"name": "Name", "kind": "Kind", "choices": "Choices", "required": "Required"},
        ),
        "fields",
    )
    with st.form("custom_field", clear_on_submit=True):
        cols = st.columns(4)
        name = cols[0].text_input(t("Field name"))
        kind = cols[1].selectbox(t("Kind"), list(customers.FIELD_KINDS), format_func=t)
        choices = cols[2].text_input(t("Choices (comma-separated)"))
        required = cols[3].checkbox(t("Required"))
        if st.form_submit_button(t("Add field"), disabled=not editable):
            with show_errors(lang):
                customers.define_custom_field(ctx, name, kind, choices.split(","), required)
                st.rerun()

with chart_tab:
    accounts = [a | {"name": account_name(a, lang)} for a in ledger.list_accounts(ctx)]
    show(frame(accounts, {"code": "Code", "name": "Name", "kind": "Kind", "role": "Used for"}), "chart")
    st.subheader(t("Payment methods"))
    show(
        frame(payments.list_methods(ctx), {"code": "Code", "name": "Name", "account_role": "Account"}),
        "methods",
    )
    with st.form("payment_method", clear_on_submit=True):
        cols = st.columns(3)
        code, name = cols[0].text_input(t("Code")), cols[1].text_input(t("Name"))
        account = cols[2].selectbox(t("Account"), ["cash", "bank", "card_clearing"], format_func=t)
        if st.form_submit_button(t("Add payment method"), disabled=not editable):
            with show_errors(lang):
                payments.add_method(ctx, code, name, account)
                st.rerun()

with backup_tab:
    backups_section(ctx, editable)
