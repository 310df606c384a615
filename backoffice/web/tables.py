"""Tables for people: translated headers, formatted money, right-to-left column order for ar/fa.

st.dataframe always lays columns left to right, so for RTL the column order is reversed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import streamlit as st

from backoffice.core.i18n import RTL_LANGUAGES
from backoffice.core.money import Currency, currency, format_money
from backoffice.web.session import current_language, t


def frame(
    rows: Sequence[dict[str, Any]],
    columns: dict[str, str],
    money: Sequence[str] = (),
    cur: Currency | None = None,
) -> pd.DataFrame:
    """rows → DataFrame of the chosen columns (key → English header), money columns formatted: in a row's own
    `currency` when it has one (a document keeps the currency it was issued in), else in `cur`."""
    lang = current_language()
    data = {}
    for key, header in columns.items():
        values = [_cell(r.get(key)) for r in rows]
        if key in money and cur is not None:
            values = [
                format_money(int(v or 0), currency(r["currency"]) if r.get("currency") else cur, lang)
                for r, v in zip(rows, values, strict=True)
            ]
        data[t(header)] = values
    df = pd.DataFrame(data, columns=[t(h) for h in columns.values()])
    if lang in RTL_LANGUAGES:
        df = df[df.columns[::-1]]
    return df


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return value


def show(df: pd.DataFrame, key: str, selectable: bool = False) -> int | None:
    """Draw the table; with selectable, returns the row index the user picked."""
    if not selectable:
        st.dataframe(df, hide_index=True, width="stretch")
        return None
    event = st.dataframe(
        df, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key=key
    )
    picked = event.selection.rows if event is not None else []
    return picked[0] if picked else None
