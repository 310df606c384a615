"""The sign-in page counts failures per client address behind a proxy on the same host (issue 16, item 9).

Before, every browser that reached the app through nginx on 127.0.0.1 counted as one source ("web"), so 20
failed sign-ins by anyone locked every account out for up to 15 minutes. The request's socket peer and
headers are what Streamlit gives `st.context`; they are set here as the proxy would send them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit.runtime.context as st_context
from streamlit.testing.v1 import AppTest

from backoffice.admin import auth
from backoffice.db import Database
from backoffice.web.text import plain
from tests.factories import PASSWORD, make_org, make_user

ROOT = Path(__file__).resolve().parents[2]
THROTTLED = plain("Too many failed sign-in attempts.")[:-2]  # then: "Try again in N seconds"


class ProxiedRequest:
    """What Streamlit keeps of a websocket's handshake (its ClientContext)."""

    def __init__(self, peer: str, forwarded_for: str | None) -> None:
        self.remote_ip = peer
        self.headers = [("Host", "shop.example")] + (
            [("X-Forwarded-For", forwarded_for)] if forwarded_for else []
        )
        self.cookies: dict[str, str] = {}


def sign_in_from(monkeypatch: pytest.MonkeyPatch, forwarded_for: str, login: str, password: str) -> AppTest:
    """One browser behind nginx on 127.0.0.1 (which appends the browser's address) submits the form."""
    monkeypatch.setattr(st_context, "_get_client_context", lambda: ProxiedRequest("127.0.0.1", forwarded_for))
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=30).run()
    at.text_input[0].input(login)
    at.text_input[1].input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_one_client_failing_twenty_times_does_not_lock_out_another_clients_account(
    duck: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    monkeypatch.setenv("BACKOFFICE_TRUSTED_PROXIES", "127.0.0.1")
    _, admin = make_org(duck)
    target = make_user(admin, "sales").user.email
    attacker = "198.51.100.1, 203.0.113.66"  # it invents an address; nginx appends its real one
    for n in range(auth.SOURCE_THRESHOLD):
        login = target if n < auth.ACCOUNT_THRESHOLD else f"guess{n}@example.com"
        at = sign_in_from(monkeypatch, attacker, login, "Wrong#pass1")
        assert plain(auth.SIGN_IN_FAILED) in errors(at)

    # the attacker is throttled, whatever account it tries next and whatever it writes in the header
    at = sign_in_from(monkeypatch, "192.0.2.77, 203.0.113.66", "guess99@example.com", "Wrong#pass1")
    assert THROTTLED in errors(at)
    # the account it guessed at is throttled for everyone, the right password too
    at = sign_in_from(monkeypatch, "198.51.100.20", target, PASSWORD)
    assert THROTTLED in errors(at)
    # another client signs in to another account at once
    at = sign_in_from(monkeypatch, "198.51.100.20", admin.user.email, PASSWORD)
    assert not at.error and at.session_state["session_token"]

    with duck.read() as conn:
        sources = dict(
            conn.exec_driver_sql("SELECT source, count(*) FROM login_attempts GROUP BY source").fetchall()
        )
    assert sources.pop("203.0.113.66") == auth.SOURCE_THRESHOLD
    assert set(sources) <= {"198.51.100.20", "local"}  # make_user's own sign-in is "local"


def test_without_a_trusted_proxy_the_header_is_ignored(
    duck: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BACKOFFICE_DATABASE_URL", duck.url)
    monkeypatch.delenv("BACKOFFICE_TRUSTED_PROXIES", raising=False)
    make_org(duck)
    sign_in_from(monkeypatch, "203.0.113.66", "nobody@example.com", "Wrong#pass1")
    with duck.read() as conn:
        sources = [r[0] for r in conn.exec_driver_sql("SELECT source FROM login_attempts").fetchall()]
    assert "127.0.0.1" in sources and "203.0.113.66" not in sources
