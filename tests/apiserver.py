"""/api/v1 served over real HTTP on 127.0.0.1 by uvicorn in a thread of this process, mounted as the app's server
mounts it (tests and benchmarks): this process then plays the running app that holds the database."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Mount

from backoffice.api import create_api, local
from backoffice.db import Database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_api(
    db: Database, local_token: Callable[[], str | None] | None = None, note: bool = False
) -> Iterator[str]:
    """Serve /api/v1 over `db`; yields the base address. With `note`, the app's note is left beside the DuckDB
    file (its token is then the local one) and removed at the end, as the real app does."""
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    if note:
        token = local.publish(db.url, address)
        local_token = lambda: token  # noqa: E731 - the note's token, for this server's life
    app = Starlette(routes=[Mount("/api/v1", app=create_api(lambda: db, local_token or (lambda: None)))])
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield address
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        if note:
            local.withdraw(db.url)
