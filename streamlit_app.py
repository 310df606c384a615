"""Starts the web app in a checkout: `streamlit run streamlit_app.py` (what `make run` does).

Streamlit finds `app` (an st.App) and serves with uvicorn the pages of backoffice/web/app.py and the routes of
backoffice/web/routes.py (health, readiness, the session cookie) on one port, as `backoffice serve` does with
backoffice/web/server.py. Run as a page script itself (Streamlit's AppTest does), it draws the app.
"""

from pathlib import Path

import streamlit as st

if __name__ == "__main__":  # a page run (AppTest): the app itself
    from backoffice.web.app import main

    main()
else:  # imported by `streamlit run` to serve
    from backoffice.web.routes import ROUTES, lifespan

    app = st.App(
        Path(__file__).resolve().parent / "backoffice" / "web" / "script" / "app.py",
        routes=ROUTES,
        lifespan=lifespan,
    )
