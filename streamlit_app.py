"""Starts the web app in a checkout: `streamlit run streamlit_app.py` (the app itself is backoffice/web/app.py)."""

from backoffice.web.app import main

main()
