"""A real app server (streamlit run on 127.0.0.1) over its own demo database, and Debian's chromium."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if not Path(CHROMIUM).exists():
        skip = pytest.mark.skip(reason="Debian's chromium is not installed (CI installs it)")
        for item in items:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("e2e")
    db_path = folder / "e2e.duckdb"
    subprocess.run(
        [sys.executable, "-m", "backoffice.cli", "demo", "--db", str(db_path), "--customers", "30"],
        check=True,
        env=app_env(db_path),
        capture_output=True,
    )
    with serve(db_path) as url:
        yield url


def app_env(db_path: Path) -> dict[str, str]:
    return os.environ | {"BACKOFFICE_DATABASE_URL": f"duckdb:///{db_path}", "BACKOFFICE_FAST_HASH": "1"}


@contextmanager
def serve(db_path: Path) -> Iterator[str]:
    """`streamlit run` over this database file on 127.0.0.1 and a free port; yields its URL once healthy."""
    env = app_env(db_path)
    port = _free_port()
    log_path = db_path.with_suffix(".log")
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                str(ROOT / "streamlit_app.py"),
                "--server.headless=true",
                "--server.address=127.0.0.1",
                f"--server.port={port}",
                "--browser.gatherUsageStats=false",
                "--server.fileWatcherType=none",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError(f"the app did not start; see {log_path}")
            time.sleep(0.3)
        try:
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)
