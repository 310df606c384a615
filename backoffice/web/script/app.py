"""The script the app's server runs for every page (st.App in backoffice/web/server.py and streamlit_app.py).

It sits in a folder of its own: beside backoffice/web/pages/ Streamlit would list and run those files by
themselves (its older multipage mode) and skip `main()`, whose st.navigation routes every page.
"""

from backoffice.web.app import main

main()
