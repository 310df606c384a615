"""Routing only: page config, the sign-in gate, the sidebar (organization, language, sign out) and navigation.

Streamlit runs a file, not a function: `backoffice serve` runs this file from the installed package (its
`.streamlit/config.toml` beside it is the app's configuration), and `streamlit run streamlit_app.py` in a
checkout runs the few lines there that call `main()`.
"""

from __future__ import annotations

import streamlit as st

from backoffice.admin import auth
from backoffice.core.context import User
from backoffice.core.i18n import LANGUAGE_NAMES
from backoffice.web.registry import PAGES
from backoffice.web.session import db, t
from backoffice.web.state import choose_organization, require_database, require_sign_in, sign_out
from backoffice.web.text import plain


def _picked_language(user: User) -> None:
    """The sidebar's language changed: it becomes the account's (before the run that shows it)."""
    chosen = {name: code for code, name in LANGUAGE_NAMES.items()}[st.session_state["language_picker"]]
    auth.set_language(db(), user, chosen)
    st.session_state["language"] = chosen


def main() -> None:
    """One run of the app: Streamlit calls it again on every interaction."""
    st.set_page_config(page_title="backoffice", page_icon=":material/storefront:", layout="wide")
    require_database()
    user = require_sign_in()

    with st.sidebar:
        memberships = auth.organizations_of(db(), user)
        if len(memberships) > 1:
            names = {m["org_id"]: m["name"] for m in memberships}
            found = st.session_state.get("session")
            remembered = getattr(found, "org_id", None)
            current = st.session_state.get(
                "org_id", remembered if remembered in names else memberships[0]["org_id"]
            )
            picked = st.selectbox(
                t("Organization"),
                list(names),
                index=list(names).index(current) if current in names else 0,
                format_func=names.__getitem__,
            )
            choose_organization(picked)
        # the picker shows the account's language, also after it changed elsewhere (My account): a keyed
        # widget would otherwise keep its old value and set the old language back
        st.session_state["language_picker"] = LANGUAGE_NAMES[user.language]
        st.selectbox(  # labels as options: AppTest-friendly
            t("Language"),
            list(LANGUAGE_NAMES.values()),
            key="language_picker",
            on_change=_picked_language,
            args=(user,),
        )
        st.caption(f"{plain(user.name)} · {plain(user.email)}")
        if st.button(t("Sign out")):
            sign_out()

    sections: dict[str, list[st.Page]] = {}
    for spec in PAGES:
        sections.setdefault(t(spec.section), []).append(
            st.Page(spec.path, title=t(spec.title), icon=spec.icon, url_path=spec.url_path)
        )
    st.navigation(sections).run()


if __name__ == "__main__":  # run by Streamlit as the main script (`backoffice serve`)
    main()
