"""A real Chroma server (``chroma run``) on 127.0.0.1 for the retrieval tests.

``start_chroma(path)`` runs the ``chroma`` CLI of the chromadb package on a free port with its
data under ``path`` and waits for its heartbeat; ``stop_chroma`` ends it. The session fixture
``chroma_server`` (tests/conftest.py) starts one for the whole test session.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path


@dataclass
class ChromaServer:
    url: str
    process: subprocess.Popen
    log: Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chroma_cli() -> str | None:
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


def heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return "nanosecond heartbeat" in json.loads(response.read())
    except (OSError, ValueError):
        return False


def start_chroma(path: Path, cli: str) -> ChromaServer:
    """Start ``chroma run`` over ``path``; raise RuntimeError with its log when it does not come up."""
    port = free_port()
    log = path / "server.log"
    with open(log, "wb") as out:  # the child keeps its own handle
        proc = subprocess.Popen(
            [cli, "run", "--path", str(path / "data"), "--port", str(port), "--host", "127.0.0.1"],
            stdout=out, stderr=subprocess.STDOUT, env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
        )
    server = ChromaServer(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + 60
    while not heartbeat(server.url):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_chroma(server)
            raise RuntimeError(f"chroma run did not come up: {log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)
    return server


def stop_chroma(server: ChromaServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
