"""A real PostgreSQL server on 127.0.0.1 for the store's tests (Debian ``postgresql`` binaries).

``pg_server`` (session fixture) runs ``initdb`` in a temporary directory (as the ``postgres``
user when the tests run as root: initdb refuses root), starts the server on a free port with
its socket in that directory, and stops it at the end. ``pg_database`` gives each test a
fresh, empty database URL. Skips with the reason when the binaries are absent.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("LOANWATCH_PG_BIN", "/usr/lib/postgresql/15/bin"))


@dataclass
class PgServer:
    root: Path
    port: int

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        import psycopg

        name = f"t_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True) as c:
            c.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def start_postgres() -> PgServer:
    """Start a throwaway server; raise RuntimeError with the log when it does not come up."""
    if not (PG_BIN / "initdb").exists():
        raise FileNotFoundError(f"PostgreSQL binaries not found in {PG_BIN}")
    root = Path(tempfile.mkdtemp(prefix="loanwatch-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log, port = root / "data", root / "server.log", _free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                 "-E", "UTF8", "--no-sync", "--locale=C"]), **run)
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    try:
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log),
                                     "-w", "-t", "60", "start"]), **run)
    except subprocess.CalledProcessError as exc:
        text = log.read_text() if log.exists() else exc.stderr
        raise RuntimeError(f"PostgreSQL did not start: {text[-2000:]}") from exc
    return PgServer(root=root, port=port)


def stop_postgres(server: PgServer) -> None:
    subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(server.root / "data"), "-m", "immediate",
                                 "-w", "stop"]), capture_output=True, timeout=60)
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_server():
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg (v3) is not installed: pip install 'psycopg[binary]'")
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql, or set LOANWATCH_PG_BIN)")
    server = start_postgres()
    yield server
    stop_postgres(server)


@pytest.fixture()
def pg_database(pg_server) -> str:
    """A fresh, empty database on the session's server (its SQLAlchemy URL)."""
    return pg_server.create_database()
