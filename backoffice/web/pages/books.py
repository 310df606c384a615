"""Books: the trial balance for any period, straight from the journal (SPEC I5, R6)."""

from collections.abc import Sequence
from datetime import date

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backoffice.admin import orgs
from backoffice.books import ledger
from backoffice.core.i18n import account_name
from backoffice.core.money import currency, format_money
from backoffice.web import page, show_errors, t
from backoffice.web.session import current_language
from backoffice.web.tables import frame, show

ctx = page("Books")
lang = current_language()
cur = currency(orgs.get_settings(ctx)["currency"])
cols: Sequence[DeltaGenerator] = st.columns(4)
date_from = cols[0].date_input(t("From"), value=date(date.today().year, 1, 1))
date_to = cols[1].date_input(t("To"), value=date.today())

with show_errors(lang):
    tb = ledger.trial_balance(ctx, date_from, date_to)
    st.subheader(t("Trial balance"))
    show(
        frame(
            [r | {"name": account_name(r, lang)} for r in tb.rows],
            {"code": "Code", "name": "Account", "debit_minor": "Debit", "credit_minor": "Credit"},
            money=["debit_minor", "credit_minor"],
            cur=cur,
        ),
        "trial_balance",
    )
    cols = st.columns(3)
    cols[0].metric(t("Total debit"), format_money(tb.debit_minor, cur, lang))
    cols[1].metric(t("Total credit"), format_money(tb.credit_minor, cur, lang))
    cols[2].metric(t("Balanced"), t("Yes") if tb.balanced else t("No"))
