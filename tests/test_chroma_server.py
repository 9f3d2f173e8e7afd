"""A real Chroma server (``chroma run``) for the retrieval contract suite, and server-only checks.

The ``chroma_server`` fixture starts ``.venv/bin/chroma run`` on a free port of 127.0.0.1 with
a temporary path, waits for its heartbeat, and stops it at the end of the session.
``tests/test_retrieval.py`` runs its whole contract suite against it as well as against
the embedded client.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_cli() -> str | None:
    beside = Path(sys.executable).with_name("chroma")
    return str(beside) if beside.exists() else shutil.which("chroma")


def _heartbeat(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as response:
            return "nanosecond heartbeat" in json.loads(response.read())
    except (OSError, ValueError):
        return False


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """URL of a Chroma server started for this test session."""
    cli = _chroma_cli()
    if cli is None:
        pytest.skip("the `chroma` CLI (from the chromadb package) is not installed")
    port = _free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    log = open(path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [cli, "run", "--path", str(path / "data"), "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _heartbeat(url):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not come up: {(path / 'server.log').read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_server_answers_heartbeat(chroma_server) -> None:
    assert _heartbeat(chroma_server)


def test_collection_lives_on_the_server_named_for_the_model(home, monkeypatch, chroma_server) -> None:
    import chromadb

    from assistant.config import reset_settings
    from assistant.retrieval import index_document, reset_retrieval

    monkeypatch.setenv("LOANWATCH_CHROMA_URL", chroma_server)
    reset_settings()
    reset_retrieval()
    index_document(client_id=1, document_id=901, name="server.pdf", kind="note", pages=["Toll road traffic grew strongly."])
    host, port = chroma_server.removeprefix("http://").split(":")
    names = {c.name for c in chromadb.HttpClient(host=host, port=int(port)).list_collections()}
    assert "loanwatch_chunks_use-m3" in names
    assert not (home / "chroma").exists()  # nothing embedded when a server is set
    reset_retrieval()


def test_unreachable_server_is_a_store_error_that_names_the_setting(home, monkeypatch) -> None:
    from assistant.config import reset_settings
    from assistant.errors import StoreError
    from assistant.retrieval import reset_retrieval, search

    monkeypatch.setenv("LOANWATCH_CHROMA_URL", f"http://127.0.0.1:{_free_port()}")
    reset_settings()
    reset_retrieval()
    with pytest.raises(StoreError) as info:
        search("anything", client_ids=[1])
    assert "LOANWATCH_CHROMA_URL" in info.value.hint
    reset_retrieval()
