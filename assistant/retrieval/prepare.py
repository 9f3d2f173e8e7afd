"""The CPU-heavy half of indexing, away from the stores: chunks, their vectors and BM25 tokens.

``prepare_chunks`` runs ``pages_to_chunks → embed_passages → tokenize`` and needs no store,
so ingest runs it in its worker processes (one BLAS thread each: two workers use two cores)
and sends the result back to the parent, which only writes Chroma, the lexical rows and the
index state (``Retrieval.index_document(..., prepared=...)``). The vectors and tokens are the
ones the parent would compute itself: the same chunker, embedder and tokenizer.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.retrieval.chunking import Chunk, pages_to_chunks
from assistant.retrieval.lexical import tokenize

#: Embedders that run on this machine; any other (an OpenAI-compatible endpoint) is called by
#: the parent as before, so that workers never reach the network.
LOCAL_EMBEDDINGS = ("use", "e5")


@dataclass
class PreparedChunks:
    """A document's chunks with their passage vectors (``None``: the parent embeds) and BM25 tokens."""

    chunks: list[Chunk]
    vectors: np.ndarray | None
    tokens: list[list[str]]
    embedder: str | None  # the embedder's name the vectors belong to


def prepare_chunks(pages: list[str], tables: Iterable[Any] | None = None, *, embedder: Any = None) -> PreparedChunks:
    """Chunk a document, embed its chunks (with ``embedder``, else the configured one when it is
    local) and tokenise them for BM25."""
    chunks = pages_to_chunks(pages, tables)
    texts = [c.text for c in chunks]
    if embedder is None:
        embedder = _local_embedder()
    vectors = embedder.embed_passages(texts) if embedder is not None else None
    return PreparedChunks(chunks=chunks, vectors=vectors, tokens=[tokenize(t) for t in texts],
                          embedder=embedder.name if embedder is not None else None)


def _local_embedder() -> Any:
    from assistant.config import get_settings
    from assistant.retrieval.embeddings import get_embedder

    settings = get_settings()
    if settings.embedding.lower().strip() not in LOCAL_EMBEDDINGS:
        return None
    if multiprocessing.parent_process() is not None:  # a worker: one BLAS thread, so N workers use N cores
        os.environ["OMP_NUM_THREADS"] = "1"
    return get_embedder(settings.embedding, settings.embedding_model)
