"""The wheel carries the whole app: built from this checkout, installed into a fresh virtual environment outside
it, run from an empty folder (`backoffice --help`, `backoffice init`, `backoffice serve` answering HTTP 200).

To stay fast and offline after the build, the new environment gets no downloads: it sees the packages already
installed for this checkout, but only the wheel's own dependency list and what those depend on in turn (a
folder of links, found from the installed packages' metadata) — so a missing dependency fails here, and
`import backoffice` must come from the new environment, never from the checkout.
"""

from __future__ import annotations

import email
import importlib.metadata
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Owner#2026"

pytestmark = pytest.mark.slow

SIGN_IN = """
import sys
from pathlib import Path

import backoffice.web
from streamlit.testing.v1 import AppTest

at = AppTest.from_file(str(Path(backoffice.web.__file__).parent / "app.py"), default_timeout=60).run()
assert [t.value for t in at.title] == ["Sign in"], at
at.text_input[0].input(sys.argv[1])
at.text_input[1].input(sys.argv[2])
at.button[0].click().run()
assert not at.exception, at.exception
assert [c.value for c in at.caption] == ["Signing in…"], at  # a browser would now collect its cookie
at.run()  # this tab holds the session's first token meanwhile
print(at.title[0].value)
"""


def _clean_env() -> dict[str, str]:
    """No PYTHONPATH (it would point at the checkout) and none of our own settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV") and not k.startswith("BACKOFFICE_")
    } | {"PIP_DISABLE_PIP_VERSION_CHECK": "1"}


def _run(
    args: list[str | Path], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=_clean_env() | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"{args}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def _build_wheel(work: Path) -> Path:
    """`pip wheel` over a clean copy of the sources (a stale build/ folder in the checkout could leak old files)."""
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "backoffice", source / "backoffice", ignore=shutil.ignore_patterns("__pycache__"))
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", source], cwd=work)
    (wheel,) = (work / "dist").glob("backoffice-*.whl")
    return wheel


def _dependency_closure(requires: list[str]) -> dict[str, importlib.metadata.Distribution]:
    """Every installed distribution the wheel needs: its Requires-Dist and theirs, with the extras asked for."""
    found: dict[str, importlib.metadata.Distribution] = {}
    expanded: set[tuple[str, str]] = set()
    todo = [(Requirement(r), "") for r in requires]
    while todo:
        requirement, extra = todo.pop()
        if requirement.marker and not requirement.marker.evaluate({"extra": extra}):
            continue
        dist = importlib.metadata.distribution(requirement.name)
        assert dist.version in requirement.specifier, f"{requirement} but {dist.version} is installed"
        key = dist.metadata["Name"].lower().replace("_", "-")
        found[key] = dist
        for wanted in ("", *requirement.extras):
            if (key, wanted) not in expanded:
                expanded.add((key, wanted))
                todo += [(Requirement(r), wanted) for r in dist.requires or []]
    return found


def _link_dependencies(requires: list[str], folder: Path) -> int:
    """A folder holding links to the top-level files of exactly those distributions (no dev tools, no checkout)."""
    folder.mkdir(parents=True)
    closure = _dependency_closure(requires)
    assert "backoffice" not in closure
    for name, dist in closure.items():
        assert dist.files is not None, f"{name} has no RECORD"
        for top in {f.parts[0] for f in dist.files if f.parts[0] != ".."}:
            target = Path(str(dist.locate_file(top)))
            if target.exists() and not (folder / top).exists():
                (folder / top).symlink_to(target)
    return len(closure)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_wheel_installs_and_serves_the_app_from_an_empty_folder(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)

    # the whole package, pages and Streamlit configuration included, and nothing else of ours
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        metadata = email.message_from_bytes(
            archive.read(next(n for n in names if n.endswith(".dist-info/METADATA")))
        )
    shipped = {n for n in names if n.startswith("backoffice/")}
    in_checkout = {
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "backoffice").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    assert shipped == in_checkout
    assert {"backoffice/web/app.py", "backoffice/web/pages/customers.py"} <= shipped
    assert {"backoffice/web/server.py", "backoffice/web/script/app.py"} <= shipped
    assert "backoffice/web/.streamlit/config.toml" in shipped

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", venv], cwd=tmp_path)
    python, script = venv / "bin" / "python", venv / "bin" / "backoffice"
    _run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "-q", wheel], cwd=tmp_path)
    site = Path(
        _run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], tmp_path
        ).stdout.strip()
    )
    # named site-packages: Streamlit takes a copy found elsewhere for its own development checkout
    deps = tmp_path / "deps" / "site-packages"
    linked = _link_dependencies(metadata.get_all("Requires-Dist") or [], deps)
    assert linked > 20  # streamlit alone brings a dozen
    (site / "backoffice-deps.pth").write_text(f"{deps}\n")

    empty = tmp_path / "empty"
    empty.mkdir()
    where = _run([python, "-c", "import backoffice; print(backoffice.__file__)"], empty).stdout.strip()
    assert Path(where).resolve().is_relative_to(site.resolve()), where  # the installed copy, not the checkout
    assert not Path(where).resolve().is_relative_to(ROOT)

    assert "serve" in _run([script, "--help"], empty).stdout
    shop = empty / "shop.duckdb"
    _run(
        [script, "init", "--db", shop, "--org", "Rose Shop", "--currency", "SAR", "--vat", "15"]
        + ["--admin-email", "owner@example.com", "--admin-password", PASSWORD, "--json"],
        empty,
    )
    assert shop.exists()

    # the installed app.py routes to the installed pages: sign in through the form, land on the first page
    signed_in = _run(
        [python, "-c", SIGN_IN, "owner@example.com", PASSWORD],
        empty,
        env={"BACKOFFICE_DATABASE_URL": f"duckdb:///{shop}"},
    )
    assert signed_in.stdout.split() == ["Customers"], signed_in.stdout

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [script, "serve", "--db", shop, "--port", str(port), "--address", "127.0.0.1"],
            cwd=empty,
            env=_clean_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # serve runs streamlit as a child: stop the whole group
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as health:
                    if health.status == 200 and health.read() == b"ok":
                        break
            except OSError:
                pass
            assert server.poll() is None, f"serve exited with {server.returncode}:\n{log_path.read_text()}"
            assert time.monotonic() < deadline, f"the app did not come up:\n{log_path.read_text()}"
            time.sleep(0.3)
        with urllib.request.urlopen(f"{url}/", timeout=10) as home:
            assert home.status == 200
            assert b"<html" in home.read().lower()
        # the same process and port answer the probes of a load balancer (the st.App routes)
        with urllib.request.urlopen(f"{url}/healthz", timeout=10) as alive:
            assert json.loads(alive.read()) == {"status": "ok"}
        with urllib.request.urlopen(f"{url}/readyz", timeout=30) as ready:
            assert json.loads(ready.read()) == {"status": "ready", "database": "duckdb"}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
