"""The HTTP routes the app's server answers beside the pages (st.App; docs/decisions/0012).

- `/healthz`: the process is alive (JSON, always 200 while it answers).
- `/readyz`: the database is reachable and every migration applied (200), else 503 with the reason; a load
  balancer sends browsers only to a ready process. Streamlit answers any unknown path with its page and 200,
  so these say something a probe can check: `{"status": "ready"}`.
- `/auth/session?code=…&next=/page?query`: right after signing in, the page sends the browser here with a
  single-use code; the route trades it for the session's cookie (HttpOnly, SameSite=Lax, Secure under https:
  a page cannot set such a cookie) and sends the browser on to the page it asked for.
- `/auth/signed-out`: after signing out, drops the cookie (only once its session has ended, so a link from
  another site cannot sign anyone out) and goes back to the start.
- `/api/v1`: the HTTP API (backoffice.api, decision 0013), over the same database handle as the pages.

`lifespan` leaves the app's note beside its DuckDB file while it serves (backoffice.api.local), so `backoffice`
in a shell sends its commands here instead of finding the file held.

Handlers are plain functions: Starlette runs them in its thread pool, so the database calls never block the
event loop that serves the pages.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route

from backoffice.admin import sessions
from backoffice.api import create_api, local
from backoffice.core.errors import BackofficeError, DatabaseBusyError
from backoffice.db import url_for
from backoffice.db.migrations import pending_migrations
from backoffice.web.session import SESSION_ROUTE, SIGNED_OUT_ROUTE, database

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


def readyz(request: Request) -> Response:
    try:
        handle = database()
        pending = pending_migrations(handle)
    except DatabaseBusyError as busy:
        return JSONResponse({"status": "busy", "detail": str(busy)}, status_code=503, headers=NO_STORE)
    except Exception as error:  # noqa: BLE001 - whatever stops the database from answering, the probe is told
        return JSONResponse(
            {"status": "unavailable", "detail": type(error).__name__}, status_code=503, headers=NO_STORE
        )
    if pending:
        return JSONResponse(
            {"status": "migrating", "pending_migrations": pending}, status_code=503, headers=NO_STORE
        )
    return JSONResponse({"status": "ready", "database": handle.dialect}, headers=NO_STORE)


def safe_next(value: str | None) -> str:
    """Where to go after the route: a path of this site only (never `//host`, a scheme or a backslash)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or re.search(r"[\x00-\x1f\x7f]", value)
        or value.startswith(("/auth/", "/healthz", "/readyz"))
    ):
        return "/"
    return value[:2000]


def collect_session(request: Request) -> Response:
    response = RedirectResponse(
        safe_next(request.query_params.get("next")), status_code=303, headers=NO_STORE
    )
    # the page's own script navigates here (same-origin); a link from another site must not sign its reader in
    # to whoever made the link (login CSRF). Browsers without Sec-Fetch-Site still need the unguessable code.
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        return response
    try:
        token = sessions.redeem_handoff(database(), request.query_params.get("code", ""))
    except BackofficeError:  # e.g. the database file is busy: the page says so, signed out
        return response
    if token:
        response.set_cookie(
            sessions.COOKIE,
            token,
            max_age=int(sessions.ABSOLUTE.total_seconds()),
            path="/",
            httponly=True,
            samesite="lax",
            secure=request.url.scheme == "https",
        )
    return response


def signed_out(request: Request) -> Response:
    response = RedirectResponse("/", status_code=303, headers=NO_STORE)
    token = request.cookies.get(sessions.COOKIE)
    try:
        live = sessions.check(database(), token) is not None
    except BackofficeError:
        live = True  # cannot tell: keep the cookie (the session ended in the database or will be checked)
    if token and not live:
        response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="lax")
    return response


_LOCAL: dict[str, str | None] = {
    "token": None
}  # the token of this run's note: the shell's `backoffice` as the app


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """While the server runs, its note beside the DuckDB file says where it listens (127.0.0.1 when it listens on
    every address) and holds this run's local token; the note goes when the server stops."""
    from streamlit import config

    url = url_for(None)
    host = str(config.get_option("server.address") or "127.0.0.1")
    host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - reading, not binding
    port = int(config.get_option("server.port"))
    try:
        database()  # the note says this app holds the file: only once it does
    except BackofficeError:  # another program holds it (the pages say who): no note, the CLI runs by itself
        published = False
    else:
        _LOCAL["token"] = local.publish(url, f"http://{host}:{port}")
        published = True
    try:
        yield
    finally:
        if published:
            local.withdraw(url)
        _LOCAL["token"] = None


ROUTES = [
    Route("/healthz", healthz, methods=["GET", "HEAD"]),
    Route("/readyz", readyz, methods=["GET", "HEAD"]),
    Route(SESSION_ROUTE, collect_session, methods=["GET"]),
    Route(SIGNED_OUT_ROUTE, signed_out, methods=["GET"]),
    Mount("/api/v1", app=create_api(database, lambda: _LOCAL["token"])),
]
