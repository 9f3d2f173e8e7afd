"""The dense index: one Chroma collection per embedding model (the only chromadb import).

Embedded ``PersistentClient`` under ``LOANWATCH_HOME/chroma`` by default, a Chroma server
(``chroma run``) when ``LOANWATCH_CHROMA_URL`` is set. An embedded client keeps the HNSW index
it loaded and never sees vectors another process added or removed since (a filtered query then
even fails, "Error finding id"); ``search.Retrieval`` closes it and opens a new one when the
index generation says another process wrote. A server serves every process the same vectors. Our embedder is always handed to
Chroma (and vectors are passed precomputed), so chromadb never reaches for its default
model, which it would try to download. Telemetry is off.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import numpy as np

from assistant.errors import ConfigError, StoreError
from assistant.retrieval.embeddings import Embedder

_PAGE = 2000  # rows per get() page when reading the whole collection back


@dataclass
class DenseHit:
    chunk_id: str
    distance: float
    text: str
    metadata: dict[str, Any]


def _embedding_function(embedder: Embedder) -> Any:
    """Wrap our embedder in chromadb's EmbeddingFunction protocol."""
    from chromadb.api.types import EmbeddingFunction

    class LoanwatchEmbeddingFunction(EmbeddingFunction):  # type: ignore[type-arg]
        def __init__(self, inner: Embedder) -> None:
            self._inner = inner

        def __call__(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002 - chromadb's name
            return list(self._inner.embed_passages(list(input)))

        def embed_query(self, input: list[str]) -> list[np.ndarray]:  # noqa: A002
            return [self._inner.embed_query(text) for text in input]

        @staticmethod
        def name() -> str:
            return "loanwatch"

        def get_config(self) -> dict[str, Any]:
            return {"model": self._inner.name}

        @staticmethod
        def build_from_config(config: dict[str, Any]) -> Any:
            from assistant.retrieval.embeddings import get_embedder

            kinds = {"use-m3": "use", "e5-small": "e5"}
            model = config.get("model", "use-m3")
            return LoanwatchEmbeddingFunction(get_embedder(kinds.get(model, "openai"), model))

        def default_space(self) -> str:
            return "cosine"

        def supported_spaces(self) -> list[str]:
            return ["cosine", "l2", "ip"]

    return LoanwatchEmbeddingFunction(embedder)


def collection_name(embedder: Embedder) -> str:
    """``loanwatch_chunks_<model>``: a model change never mixes vectors of two models."""
    return re.sub(r"[^a-zA-Z0-9_-]", "_", f"loanwatch_chunks_{embedder.name}")[:60]


class VectorStore:
    """Chunks with their vectors and metadata in a Chroma collection."""

    def __init__(self, embedder: Embedder, *, home: Path, url: str | None = None) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.embedder = embedder
        self.embedded = not url
        settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if url:
                parsed = urlparse(url if "//" in url else f"http://{url}")
                if not parsed.hostname:
                    raise ConfigError(f"LOANWATCH_CHROMA_URL {url!r} has no host", hint="e.g. http://127.0.0.1:8000")
                self.client = chromadb.HttpClient(
                    host=parsed.hostname,
                    port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                    ssl=parsed.scheme == "https",
                    settings=settings,
                )
            else:
                path = home / "chroma"
                path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(path), settings=settings)
            self.collection = self.client.get_or_create_collection(
                collection_name(embedder),
                embedding_function=_embedding_function(embedder),
                configuration={"hnsw": {"space": "cosine"}},
            )
        except ConfigError:
            raise
        except Exception as exc:  # chromadb raises many types; say where it failed
            where = url or str(home / "chroma")
            raise StoreError(
                f"cannot open the Chroma vector store at {where}: {exc}",
                hint="check LOANWATCH_CHROMA_URL (is `chroma run` up?) or LOANWATCH_HOME",
            ) from exc

    def count(self) -> int:
        return self.collection.count()

    def close(self) -> None:
        """Release the client: the last embedded client of a folder stops chromadb's shared system
        for it (its HNSW index, its SQLite connections), so the next ``VectorStore`` reads the files
        afresh. Closing twice is a no-op."""
        self.client.close()

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict[str, Any]], vectors: np.ndarray) -> None:
        for start in range(0, len(ids), 1000):
            end = start + 1000
            self.collection.upsert(
                ids=ids[start:end],
                documents=texts[start:end],
                metadatas=metadatas[start:end],
                embeddings=vectors[start:end],
            )

    def delete_document(self, document_id: int) -> None:
        self.collection.delete(where={"document_id": int(document_id)})

    def query(self, vector: np.ndarray, *, where: dict[str, Any], k: int) -> list[DenseHit]:
        result = self.collection.query(
            query_embeddings=[vector], n_results=k, where=where, include=["documents", "metadatas", "distances"]
        )
        return [
            DenseHit(chunk_id=i, distance=float(d), text=t or "", metadata=dict(m or {}))
            for i, d, t, m in zip(
                result["ids"][0], result["distances"][0], result["documents"][0], result["metadatas"][0], strict=True
            )
        ]

    def metadata_where(self, where: dict[str, Any], *, limit: int = 5000) -> dict[str, dict[str, Any]]:
        """id → metadata of the chunks that match a filter (no vectors, no texts)."""
        got = self.collection.get(where=where, include=["metadatas"], limit=limit)
        return {i: dict(m or {}) for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    def iter_all(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every stored chunk (id, text, metadata), page by page (to rebuild the lexical index)."""
        offset = 0
        while True:
            page = self.collection.get(include=["documents", "metadatas"], limit=_PAGE, offset=offset)
            if not page["ids"]:
                return
            yield from zip(page["ids"], page["documents"], page["metadatas"], strict=True)
            offset += len(page["ids"])


def scope_where(
    client_ids: Collection[int], kinds: Collection[str] | None = None, document_ids: Collection[int] | None = None
) -> dict[str, Any]:
    """The Chroma ``where`` filter for a scope: client_id $in, and kind / document_id when given."""
    clauses: list[dict[str, Any]] = [{"client_id": {"$in": sorted(int(c) for c in client_ids)}}]
    if kinds is not None:
        clauses.append({"kind": {"$in": sorted(str(k) for k in kinds)}})
    if document_ids is not None:
        clauses.append({"document_id": {"$in": sorted(int(d) for d in document_ids)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
