"""The HTTP API (issue 17): /api/v1, JSON, personal API tokens; served by the app that owns the database.

Every route runs the `backoffice` command it mirrors, inside the app (backoffice.cli.common.InApp): the same
services and permission checks, the same JSON the command prints with `--json`, the same messages. A route's
query string or JSON body names the command's options (`page_size` for `--page-size`; a list for a repeated
option; true for a flag); its path gives the command's argument. Errors answer
`{"error": message, "fields": [{"field", "message"}]}` with 400/401/403/404/409/422/429/503.

`POST /api/v1/cli` runs any command line: what `backoffice` sends when the app holds the DuckDB file (with the
app's own local token, as the system user, reading and writing files in the caller's folder), or what a remote
script sends with a personal token (as that user, in its organization, no files on the app's machine).

Why FastAPI: its OpenAPI document (`/api/v1/openapi.json`) and request validation come from the same models we
build from each command's click options, so the document cannot drift from the commands; it mounts in
Streamlit's `st.App` with Starlette's `Mount`, in the same process as the pages.
"""

from backoffice.api.app import ROUTES, create_api

__all__ = ["ROUTES", "create_api"]
