"""Start a throwaway PostgreSQL server for tests, and stop it again.

What it does:
- finds the server binaries of Debian's ``postgresql`` package
  (``/usr/lib/postgresql/<version>/bin``, newest first, or ``$PG_BIN``);
- runs ``initdb`` (trust auth, UTF8) into a fresh ``tempfile.mkdtemp()`` dir;
- starts ``postgres`` listening only on 127.0.0.1 on a free port, with its
  unix socket in the temp dir and durability turned off (fsync,
  synchronous_commit, full_page_writes) for speed;
- when running as root, runs the server tools as the ``postgres`` system
  user via ``runuser`` (PostgreSQL refuses to run as root);
- creates/drops databases with the server's own ``psql``;
- on ``stop()`` (or at interpreter exit) kills the server
  (``pg_ctl stop -m immediate``) and deletes the temp dir.

What it does not do: no password auth, no SSL, no persistence, no
production-grade settings, and no support for servers not found on disk.
Stdlib only; usable without psycopg (the URL is meant for SQLAlchemy).
"""

from __future__ import annotations

import atexit
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

SUPERUSER = "postgres"  # bootstrap superuser name given to initdb


def find_pg_bin() -> Path | None:
    """Directory with initdb/pg_ctl/postgres, or None if PostgreSQL is absent."""
    if os.environ.get("PG_BIN"):
        candidates = [Path(os.environ["PG_BIN"])]
    else:

        def version(p: Path) -> tuple[int, ...]:
            return tuple(int(x) for x in re.findall(r"\d+", p.parent.name))

        candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=version, reverse=True)
    for d in candidates:
        if all((d / exe).is_file() for exe in ("initdb", "pg_ctl", "postgres")):
            return d
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class PgServer:
    """A temporary PostgreSQL cluster; use as a context manager or start()/stop()."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        found = bin_dir or find_pg_bin()
        if found is None:
            raise RuntimeError("PostgreSQL server binaries not found (set PG_BIN)")
        self.bin: Path = Path(found)
        self.port: int = 0
        self.dir: Path | None = None
        self.url: str = ""
        # PostgreSQL will not run as root: switch to the Debian 'postgres' user.
        self._as_user: str | None = None
        if os.geteuid() == 0:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError("running as root but no 'postgres' system user exists") from None
            self._as_user = "postgres"

    def _run(self, *args: str, as_server: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if as_server and self._as_user:
            cmd = ["runuser", "-u", self._as_user, "--", *cmd]
        return subprocess.run(cmd, cwd=self.dir, capture_output=True, text=True)

    def _check(self, proc: subprocess.CompletedProcess[str]) -> None:
        if proc.returncode != 0:
            raise RuntimeError(f"{proc.args} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")

    @property
    def datadir(self) -> Path:
        assert self.dir is not None, "server not started"
        return self.dir / "data"

    def start(self) -> PgServer:
        self.dir = Path(tempfile.mkdtemp(prefix="pgserver-"))
        atexit.register(self.stop)
        try:
            if self._as_user:
                pw = pwd.getpwnam(self._as_user)
                os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            os.chmod(self.dir, 0o755)  # world-traversable
            base = [
                "initdb",
                "-D",
                str(self.datadir),
                f"--username={SUPERUSER}",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-sync",
            ]
            proc = self._run(*base, "--locale=C.UTF-8")
            if proc.returncode != 0:  # C.UTF-8 missing: fall back to plain C
                shutil.rmtree(self.datadir, ignore_errors=True)
                proc = self._run(*base, "--locale=C")
            self._check(proc)
            self.port = _free_port()
            with open(self.datadir / "postgresql.conf", "a") as conf:
                conf.write(
                    f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                    f"unix_socket_directories = '{self.dir}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                )
            self._check(
                self._run(
                    "pg_ctl",
                    "start",
                    "-w",
                    "-t",
                    "30",
                    "-D",
                    str(self.datadir),
                    "-l",
                    str(self.dir / "server.log"),
                )
            )
            deadline = time.monotonic() + 30
            while (
                self._run(
                    "pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), as_server=False
                ).returncode
                != 0
            ):
                if time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not accept connections within 30 s")
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise
        self.url = self.url_for("postgres")
        return self

    def stop(self) -> None:
        """Kill the server (immediate mode) and delete its directory; idempotent."""
        atexit.unregister(self.stop)
        if self.dir is None:
            return
        if (self.datadir / "postmaster.pid").exists():
            self._run("pg_ctl", "stop", "-m", "immediate", "-w", "-D", str(self.datadir))
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = None
        self.url = ""

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def url_for(self, database: str) -> str:
        """SQLAlchemy URL (psycopg 3 driver) of a database on this server."""
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql: str) -> str:
        """Run SQL through the server's psql as the superuser; return its output."""
        proc = self._run(
            "psql",
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            SUPERUSER,
            "-d",
            "postgres",
            "-c",
            sql,
            as_server=False,
        )
        self._check(proc)
        return proc.stdout

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database *name* (optionally from *template*); return its URL."""
        sql = f"CREATE DATABASE {_ident(name)}"
        if template:
            sql += f" TEMPLATE {_ident(template)}"
        self.psql(sql)
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        self.psql(f"DROP DATABASE IF EXISTS {_ident(name)} WITH (FORCE)")
