"""Retrieval: chunk documents, index them (Chroma + BM25), search them within a client scope.

Public API::

    index_document(*, client_id, document_id, name, kind, pages, period=None, date=None, tables=None, prepared=None) -> int
    prepare_chunks(pages, tables=None) -> PreparedChunks   # chunks, vectors, BM25 tokens: no store touched
    delete_document(document_id) -> None
    search(query, *, client_ids, k=5, kinds=None, document_ids=None, mode="hybrid") -> list[Hit]

``pages[i]`` is the text of page ``i + 1``; a hit's ``page`` is 1-based. ``mode`` is
``hybrid`` (dense + lexical by reciprocal-rank fusion), ``dense`` or ``lexical``. A search
only ever returns chunks of ``client_ids``; an empty ``client_ids`` returns nothing.
Each call first checks the index generation (one small SQLite read), so a long-running process
(the app, ``loanwatch warm``) searches what another process indexed or removed since it opened
the index (``search.Retrieval._current``).
Settings: ``LOANWATCH_HOME`` (embedded Chroma under ``home/chroma``, BM25 under
``home/lexical``), ``LOANWATCH_CHROMA_URL`` (a Chroma server instead),
``LOANWATCH_EMBEDDING`` (``use`` | ``e5`` | ``openai``) and ``LOANWATCH_EMBEDDING_MODEL``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from assistant.retrieval.prepare import PreparedChunks, prepare_chunks
from assistant.retrieval.search import MODES, Hit, get_retrieval, reset_retrieval


def index_document(
    *,
    client_id: int,
    document_id: int,
    name: str,
    kind: str,
    pages: list[str],
    period: str | None = None,
    date: dt.date | None = None,
    tables: list | None = None,
    prepared: PreparedChunks | None = None,
) -> int:
    """Chunk and index a document (replacing an earlier index of it); return the chunk count.

    ``prepared``: ``prepare_chunks(pages, tables)`` run elsewhere (an ingest worker), so that
    only the writes happen here.
    """
    return get_retrieval().index_document(
        client_id=client_id,
        document_id=document_id,
        name=name,
        kind=kind,
        pages=pages,
        period=period,
        date=date,
        tables=tables,
        prepared=prepared,
    )


def delete_document(document_id: int) -> None:
    """Remove every chunk of a document from both indexes."""
    get_retrieval().delete_document(document_id)


def search(
    query: str,
    *,
    client_ids: Collection[int],
    k: int = 5,
    kinds: Collection[str] | None = None,
    document_ids: Collection[int] | None = None,
    mode: str = "hybrid",
) -> list[Hit]:
    """The ``k`` best chunks for ``query`` among the documents of ``client_ids``."""
    return get_retrieval().search(query, client_ids=client_ids, k=k, kinds=kinds, document_ids=document_ids, mode=mode)


__all__ = ["MODES", "Hit", "PreparedChunks", "delete_document", "index_document", "prepare_chunks", "reset_retrieval", "search"]
