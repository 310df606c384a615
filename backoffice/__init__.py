"""backoffice: an open-source back-office for small merchants.

The package holds the services (pure Python, no streamlit), the database seam
(`backoffice.db`) and the Streamlit glue (`backoffice.web`, the only part that
imports streamlit).
"""

__version__ = "0.1.0"
