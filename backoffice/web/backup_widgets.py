"""Settings > Backups: the folder, the daily schedule, the app's backups, and Back up now (SPEC A7)."""

import os

import streamlit as st

from backoffice.admin import backup as backups
from backoffice.core.context import Context
from backoffice.web.errors import show_errors
from backoffice.web.session import current_language, db, t
from backoffice.web.tables import frame, show


def backups_section(ctx: Context, editable: bool) -> None:
    lang = current_language()
    folder = backups.folder_for(ctx.db)
    st.caption(
        t("A backup holds the whole database, every organization in it; it is taken while everyone works.")
    )
    st.markdown(f"{t('Folder')}: `{folder}`")
    if os.environ.get("BACKOFFICE_BACKUPS") == "daily":
        st.caption(t("The app takes one every day and keeps 7 daily and 4 weekly."))
    else:
        st.caption(t("Daily backups are off: start the app with BACKOFFICE_BACKUPS=daily."))
    if st.button(t("Back up now"), disabled=not editable):
        with show_errors(lang):
            made = backups.backup(db(), ctx.user)
            st.success(
                t("Backed up to {file} ({size:,} bytes).").format(file=made["file"], size=made["bytes"])
            )
    found = backups.backups_in(folder)
    if found:
        show(
            frame(
                [{"name": p.name, "size": p.stat().st_size} for p in reversed(found)],
                {"name": "File", "size": "Bytes"},
            ),
            "backups",
        )
    st.caption(
        t(
            "A restore goes into a new database and is checked against the backup: backoffice restore FILE --db NEW"
        )
    )
