"""The web front-end (Streamlit): the only backoffice code that imports streamlit.

`app` routes (page config, sign-in gate, sidebar, navigation); `pages/` are the screens, registered in
`registry`; `session` owns the cached database handle, the language and the right-to-left layout; `state` is
the sign-in gate and the Context a page works with; `signin` the signed-out screens; `errors` the error
boundary; the rest are widgets shared by pages. Services never come here.
"""

from backoffice.web.errors import show_errors
from backoffice.web.session import current_language, db, t
from backoffice.web.state import context, page, require_sign_in

__all__ = ["context", "current_language", "db", "page", "require_sign_in", "show_errors", "t"]
