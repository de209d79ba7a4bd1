"""A throwaway PostgreSQL cluster for the store tests, the way ``.ci/run`` makes one,
and the server and per-test databases the store and service tests share.

``initdb`` in a temporary folder, ``pg_ctl start`` on a free port of 127.0.0.1 with
its socket in that folder, trust authentication for the local user ``postgres``.
PostgreSQL refuses to run as root: as root the server runs as the ``postgres`` system
user (created when absent, as ``.ci/run`` does).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

__all__ = ["Cluster", "find_binaries"]


def find_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``, or None."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(folder, "initdb").exists() and Path(folder, "pg_ctl").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """``start()`` a cluster, ``dsn(db)`` to reach it, ``stop()`` and remove it."""

    def __init__(self, binaries: Path) -> None:
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="logix-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.user: str | None = None  # the system user the server runs as, when root

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(self.binaries / args[0]), *args[1:]]
        if self.user is not None:
            command = ["runuser", "-u", self.user, "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)

    def start(self) -> None:
        if os.geteuid() == 0:
            self.user = "postgres"
            try:
                pwd.getpwnam(self.user)
            except KeyError:
                subprocess.run(
                    ["useradd", "--system", "--no-create-home", self.user],
                    check=True,
                    capture_output=True,
                )
            shutil.chown(self.folder, self.user)
        done = self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync",
            "-E", "UTF8",
        )  # fmt: skip
        if done.returncode:
            raise RuntimeError(f"initdb failed:\n{done.stdout}\n{done.stderr}")
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=100"
        )
        done = self._run(
            "pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "log"),
            "-w", "-t", "60", "start",
        )  # fmt: skip
        if done.returncode:
            log = (self.folder / "log").read_text() if (self.folder / "log").exists() else ""
            raise RuntimeError(f"pg_ctl start failed:\n{done.stdout}\n{done.stderr}\n{log}")

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.folder, ignore_errors=True)


def unavailable(reason: str) -> None:
    """Skip, except under CI (``CI`` set), where a missing PostgreSQL is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(reason)


def postgres_server() -> Iterator[str]:
    """A DSN of a server's maintenance database: ``LOGIX_TEST_POSTGRES_DSN`` when set,
    else a throwaway cluster started here and stopped when the generator ends."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed (pip install -e '.[postgres]')")
    given = os.environ.get("LOGIX_TEST_POSTGRES_DSN")
    if given:
        yield given
        return
    binaries = find_binaries()
    if binaries is None:
        unavailable(
            "no PostgreSQL: set LOGIX_TEST_POSTGRES_DSN or install the server (initdb, pg_ctl)"
        )
    assert binaries is not None
    cluster = Cluster(binaries)
    try:
        cluster.start()
    except (RuntimeError, OSError) as exc:
        cluster.stop()
        unavailable(f"could not start a throwaway PostgreSQL: {exc}")
    try:
        yield cluster.dsn()
    finally:
        cluster.stop()


def with_database(dsn: str, database: str) -> str:
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def fresh_database(server: str, prefix: str = "logix_test") -> Iterator[str]:
    """A new, empty database on ``server`` for one test; dropped when the generator ends."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
