"""The app's server: the pages (app.py) and our HTTP routes (routes.py) in one process, one port (st.App).

`backoffice serve` runs `streamlit run` on this file; Streamlit finds `app` below and serves it with uvicorn
(it imports this file as a top-level module, so nothing but the launcher belongs here). In a checkout,
`streamlit_app.py` at the root does the same. docs/decisions/0012 says why.
"""

from pathlib import Path

import streamlit as st

from backoffice.web.routes import ROUTES, lifespan

app = st.App(Path(__file__).resolve().parent / "script" / "app.py", routes=ROUTES, lifespan=lifespan)
