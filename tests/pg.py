"""A real PostgreSQL server on 127.0.0.1 for the store's tests (Debian ``postgresql`` binaries).

``start_postgres`` runs ``initdb`` in a temporary directory (as the ``postgres`` user when the
tests run as root: initdb refuses root) and starts the server on a free port with its socket in
that directory; ``stop_postgres`` ends it. The fixtures live in tests/conftest.py: ``pg_server``
starts one server for the whole session, ``pg_database`` gives each test a fresh, empty database.

``pg_bin()`` finds the binaries the way ``.ci/run`` does: ``LOANWATCH_PG_BIN``, else the newest
``/usr/lib/postgresql/*/bin`` (Debian), else ``initdb`` on PATH, else ``pg_config --bindir``.
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


def pg_bin() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, or None when PostgreSQL is not installed."""
    if os.environ.get("LOANWATCH_PG_BIN"):
        return Path(os.environ["LOANWATCH_PG_BIN"])
    debian = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"),
                    key=lambda p: [int(n) if n.isdigit() else 0 for n in p.parts[-3].split(".")])
    if debian:
        return debian[-1].parent
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).parent
    try:
        bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, timeout=30, check=False).stdout.strip()
    except OSError:
        return None
    return Path(bindir) if bindir and (Path(bindir) / "initdb").exists() else None


@dataclass
class PgServer:
    root: Path
    port: int
    bin_dir: Path

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


def start_postgres(bin_dir: Path, root: Path | None = None) -> PgServer:
    """Start a throwaway server (``root``: in this folder, reusing the cluster already there); raise RuntimeError with the
    log when it does not come up."""
    if not (bin_dir / "initdb").exists():
        raise FileNotFoundError(f"PostgreSQL binaries not found in {bin_dir}")
    if root is None:
        root = Path(tempfile.mkdtemp(prefix="loanwatch-pg-"))
    root.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(root, "postgres", "postgres")
    data, log, port = root / "data", root / "server.log", _free_port()
    run = dict(check=True, capture_output=True, text=True, timeout=120)
    if not (data / "PG_VERSION").exists():
        subprocess.run(_as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                                     "-E", "UTF8", "--no-sync", "--locale=C"]), **run)
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off"
    try:
        subprocess.run(_as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(log),
                                     "-w", "-t", "60", "start"]), **run)
    except subprocess.CalledProcessError as exc:
        text = log.read_text() if log.exists() else exc.stderr
        raise RuntimeError(f"PostgreSQL did not start: {text[-2000:]}") from exc
    return PgServer(root=root, port=port, bin_dir=bin_dir)


def stop_postgres(server: PgServer, keep: bool = False) -> None:
    """Stop the server and remove its folder (``keep``: stop it cleanly and leave the cluster for the next start)."""
    subprocess.run(_as_postgres([str(server.bin_dir / "pg_ctl"), "-D", str(server.root / "data"), "-m", "fast" if keep else "immediate",
                                 "-w", "stop"]), capture_output=True, timeout=120)
    if not keep:
        shutil.rmtree(server.root, ignore_errors=True)
