"""A real Chroma server (``chroma run``) for the retrieval contract suite, and server-only checks.

The ``chroma_server`` session fixture (tests/conftest.py, helpers in tests/chroma.py) starts
``.venv/bin/chroma run`` on a free port of 127.0.0.1 with a temporary path, once per session.
``tests/test_retrieval.py`` runs its whole contract suite against it as well as against
the embedded client.
"""

from __future__ import annotations

import pytest

from tests.chroma import free_port as _free_port
from tests.chroma import heartbeat as _heartbeat


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
