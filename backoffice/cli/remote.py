"""`backoffice` through a running app (issue 17): while the app holds a DuckDB file, a command against that file
goes to the app's /api/v1/cli by itself and prints what the app's run of it printed, with its exit code; `--url
URL` (or BACKOFFICE_URL) with BACKOFFICE_TOKEN sends it to a remote app the same way.

The app leaves its address and a local token in `<database file>.app.json` beside the file, readable only by
its owner (0600), and removes it when it stops: whoever may read the database file may ask the app to act on it,
as the system user, with files read and written in their own working folder. A stale file (the app died) is
noticed: its process is gone, or nothing answers at its address, and the command runs here instead.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

APP_FILE_SUFFIX = ".app.json"


def app_file(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + APP_FILE_SUFFIX)


def _database_path(argv: Sequence[str]) -> Path | None:
    """The DuckDB file the command names (--db), or that BACKOFFICE_DATABASE_URL or the default names."""
    from backoffice.db import url_for

    named = None
    for i, word in enumerate(argv):
        if word == "--db" and i + 1 < len(argv):
            named = argv[i + 1]
        elif word.startswith("--db="):
            named = word.split("=", 1)[1]
    url = url_for(named)
    if not url.startswith("duckdb:///"):
        return None
    return Path(url.split(":///", 1)[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _split_url(argv: Sequence[str]) -> tuple[list[str], str | None]:
    """argv without `--url URL` / `--url=URL` (a global option, anywhere), and the URL."""
    rest: list[str] = []
    url = os.environ.get("BACKOFFICE_URL") or None
    words = list(argv)
    i = 0
    while i < len(words):
        if words[i] == "--url" and i + 1 < len(words):
            url, i = words[i + 1], i + 2
            continue
        if words[i].startswith("--url="):
            url = words[i].split("=", 1)[1]
        else:
            rest.append(words[i])
        i += 1
    return rest, url


def target(argv: Sequence[str]) -> tuple[list[str], dict[str, Any] | None]:
    """(argv to run, where to send it: {"url", "token", "local"} or None to run it here)."""
    rest, url = _split_url(argv)
    if url:
        token = os.environ.get("BACKOFFICE_TOKEN", "")
        return rest, {"url": url.rstrip("/"), "token": token, "local": False}
    database = _database_path(rest)
    if database is None:
        return rest, None
    file = app_file(database)
    try:
        if file.stat().st_uid != os.getuid():  # a note someone else left: not our app's
            return rest, None
        found = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return rest, None
    if not isinstance(found, dict) or not _alive(int(found.get("pid", 0))):
        return rest, None
    return rest, {"url": str(found["url"]).rstrip("/"), "token": str(found["token"]), "local": True}


def named_variables(argv: Sequence[str]) -> dict[str, str]:
    """The variables the command line tells the command to read (`--password-env VAR`), from this shell: the
    command runs in the app, whose own environment is not the caller's to read."""
    names = [argv[i + 1] for i, word in enumerate(argv[:-1]) if word == "--password-env"]
    names += [word.split("=", 1)[1] for word in argv if word.startswith("--password-env=")]
    return {name: os.environ[name] for name in names if name in os.environ}


def send(argv: Sequence[str], where: dict[str, Any]) -> int | None:
    """Run `argv` in the app; its output printed here, its exit code returned. None only when nothing listens at
    a local note's address (an app that died: the command runs here). Once the app may have received the
    command it is never run again here: a lost answer is an error that says so."""
    body = {"argv": list(argv), "cwd": os.getcwd() if where["local"] else None, "env": named_variables(argv)}
    request = urllib.request.Request(
        where["url"] + "/api/v1/cli",
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {where['token']}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=None) as response:  # noqa: S310 - the app's own address
            answer = json.loads(response.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("error", str(exc))
        except ValueError:
            message = str(exc)
        print(f"error: {where['url']}: {message}", file=sys.stderr)
        return 1
    except urllib.error.URLError as exc:
        if where["local"] and isinstance(exc.reason, ConnectionRefusedError):
            return None  # nothing listens there: the app is gone, the command never reached it
        print(f"error: {where['url']} does not answer ({exc.reason})", file=sys.stderr)
        return 1
    except (OSError, ValueError) as exc:  # the answer was cut off: the command may have run
        print(
            f"error: the app at {where['url']} did not answer in full ({exc}); the command may have run there: "
            "check before running it again",
            file=sys.stderr,
        )
        return 1
    sys.stdout.write(answer["stdout"])
    sys.stdout.flush()
    sys.stderr.write(answer["stderr"])
    return int(answer["exit_code"])
