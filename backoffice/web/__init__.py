"""Streamlit glue: the only backoffice code that imports streamlit.

Owns the cached database handle, the signed-in user and organization, language and
right-to-left layout, the error boundary and shared widgets. Services never come here.
"""

from backoffice.ui.errors import show_errors
from backoffice.ui.state import (
    context,
    current_language,
    db,
    page,
    require_sign_in,
    t,
)

__all__ = ["context", "current_language", "db", "page", "require_sign_in", "show_errors", "t"]
