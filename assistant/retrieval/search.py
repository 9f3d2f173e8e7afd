"""Index documents and search them, dense + lexical fused by reciprocal rank, always scoped.

``search`` runs named steps: ``dense_candidates`` (Chroma, ``where client_id $in``) and
``lexical_candidates`` (BM25 with out-of-scope chunks masked before ranking), then
``fuse`` (reciprocal-rank fusion) and ``_in_scope`` (a last check on every hit's
metadata). Empty ``client_ids`` → no results: nobody sees anything by default.

Another process may index or remove documents while this one holds the index open (``loanwatch
ingest`` beside ``loanwatch serve`` or ``loanwatch warm``). Each search, index and removal first
reads the index generation (``LexicalIndex.generation``, one small SQLite read); when another
process bumped it, an embedded Chroma client is closed and opened again (it would not see the
new vectors), and BM25 reloads its rows as it does for any change. This process's own writes
move the generation it has seen along with them, so an ingest never reopens its own index.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.config import get_settings
from assistant.errors import ConfigError
from assistant.retrieval.embeddings import get_embedder
from assistant.retrieval.lexical import LexicalIndex, LexicalRow
from assistant.retrieval.prepare import PreparedChunks, prepare_chunks
from assistant.retrieval.query import statement_intent
from assistant.retrieval.vectorstore import DenseHit, VectorStore, collection_name, scope_where

RRF_K = 60  # the usual constant of reciprocal-rank fusion
# A lexical candidate must score at least this share of the best BM25 score to take part in
# the fusion: a query for a code ("LW-1007") matches one chunk strongly and many others on
# a common prefix; those weak matches must not lift dense neighbours above the exact one.
LEXICAL_FLOOR = 0.3
# The dense list counts half in the fusion: on the FinanceBench dev pages the default USE model
# found 0.55 of the evidence pages against BM25's 0.95 (eval/reports/retrieval.md), and at
# full weight its confident misses pushed BM25's finds out of the top five.
DENSE_WEIGHT = 0.5
MODES = ("hybrid", "dense", "lexical")


@dataclass
class Hit:
    """One retrieved chunk with its provenance and how each retriever ranked it (1-based)."""

    client_id: int
    document_id: int
    document: str
    kind: str
    page: int
    text: str
    score: float
    chunk_id: str
    dense_rank: int | None = None
    lexical_rank: int | None = None


class Retrieval:
    """The dense store and the lexical index of one home and one embedding model."""

    def __init__(self, *, home: Path, chroma_url: str | None, embedding: str, embedding_model: str) -> None:
        self.embedder = get_embedder(embedding, embedding_model)
        self._home, self._url = home, chroma_url
        self.lexical = LexicalIndex(home / "lexical" / collection_name(self.embedder))
        self._seen = self.lexical.generation()  # read before Chroma opens: a write after this read is a change
        self.store = VectorStore(self.embedder, home=home, url=chroma_url)
        self._checked = False
        self._lock = threading.Lock()
        self._gate = threading.Condition()  # guards _seen, _users and swapping self.store
        self._users = 0  # calls using self.store now: an embedded store is only swapped when none is

    # ---- following other processes ----------------------------------------------------

    @contextmanager
    def _current(self) -> Iterator[None]:
        """Use the index as it stands on disk: when another process changed it since this one last
        looked, reopen an embedded Chroma client first (after the calls using the old one finish)."""
        with self._gate:
            while (generation := self.lexical.generation()) != self._seen:
                if self.store.embedded:
                    if self._users:
                        self._gate.wait()
                        continue
                    self.store.close()
                    self.store = VectorStore(self.embedder, home=self._home, url=self._url)
                self._seen = generation  # a server serves every process's vectors; BM25 follows by itself
            self._users += 1
        try:
            yield
        finally:
            with self._gate:
                self._users -= 1
                self._gate.notify_all()

    def _wrote(self, generation: int) -> None:
        """This process wrote ``generation``: when it had seen the one before, it has seen this one too."""
        with self._gate:
            if generation == self._seen + 1:
                self._seen = generation

    def close(self) -> None:
        """Release the Chroma client and the generation reader (once the calls using them finish)."""
        with self._gate:
            while self._users:
                self._gate.wait()
            self.store.close()
            self.lexical.close()

    # ---- indexing --------------------------------------------------------------------

    def index_document(
        self,
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
        """Chunk, embed and store a document; ``prepared``: its chunks, vectors and tokens computed
        elsewhere (an ingest worker) from the same ``pages`` and ``tables``."""
        if prepared is None or prepared.embedder not in (None, self.embedder.name):
            prepared = prepare_chunks(pages, tables, embedder=self.embedder)
        with self._current():
            return self._index(client_id, document_id, name, kind, period, date, prepared)

    def _index(self, client_id: int, document_id: int, name: str, kind: str, period: str | None, date: dt.date | None,
               prepared: PreparedChunks) -> int:
        chunks = prepared.chunks
        self._delete(document_id)  # re-indexing a document replaces it
        if not chunks:
            return 0
        ids = [f"{document_id}:{c.index}" for c in chunks]
        texts = [c.text for c in chunks]
        base: dict[str, Any] = {"client_id": int(client_id), "document_id": int(document_id), "document": name, "kind": kind}
        if period:
            base["period"] = period
        if date:
            base["date"] = date.isoformat()
        metadatas = [
            {
                **base, "page": c.page, "chunk": c.index, "block": c.block,
                **({"heading": c.heading} if c.heading else {}),
                **({"statement": c.statement} if c.statement else {}),
            }
            for c in chunks
        ]
        vectors = prepared.vectors if prepared.vectors is not None else self.embedder.embed_passages(texts)
        self.store.add(ids, texts, metadatas, vectors)
        self._wrote(self.lexical.add(LexicalRow(i, client_id, document_id, kind, t, tokens)
                                     for i, t, tokens in zip(ids, texts, prepared.tokens, strict=True)))
        return len(chunks)

    def delete_document(self, document_id: int) -> None:
        with self._current():
            self._delete(document_id)

    def _delete(self, document_id: int) -> None:
        self.store.delete_document(document_id)
        self._wrote(self.lexical.delete_document(document_id))

    # ---- searching -------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        client_ids: Collection[int],
        k: int = 5,
        kinds: Collection[str] | None = None,
        document_ids: Collection[int] | None = None,
        mode: str = "hybrid",
    ) -> list[Hit]:
        if mode not in MODES:
            raise ConfigError(f"unknown search mode {mode!r}", hint=f"use one of {', '.join(MODES)}")
        scope = {int(c) for c in client_ids}
        if not scope or not query.strip() or k <= 0:
            return []
        if (kinds is not None and not kinds) or (document_ids is not None and not document_ids):
            return []
        with self._current():
            return self._search(query, scope, k, kinds, document_ids, mode)

    def _search(self, query: str, scope: set[int], k: int, kinds, document_ids, mode: str) -> list[Hit]:
        depth = max(4 * k, 30)
        dense = self.dense_candidates(query, scope, depth, kinds, document_ids) if mode != "lexical" else []
        lexical = self.lexical_candidates(query, scope, depth, kinds, document_ids) if mode != "dense" else []
        statements = self.statement_candidates(query, scope, depth, kinds, document_ids) if mode == "hybrid" else []
        hits = [h for h in fuse(dense, lexical, self._fetch, statements=statements) if _in_scope(h, scope, kinds, document_ids)]
        return distinct_pages_first(hits)[:k]

    def dense_candidates(self, query, scope, depth, kinds, document_ids) -> list[DenseHit]:
        vector = self.embedder.embed_query(query)
        return self.store.query(vector, where=scope_where(scope, kinds, document_ids), k=depth)

    def lexical_candidates(self, query, scope, depth, kinds, document_ids) -> list[tuple[str, float]]:
        self._ensure_lexical()
        found = self.lexical.search(query, client_ids=scope, k=depth, kinds=kinds, document_ids=document_ids)
        return [(cid, score) for cid, score in found if score >= LEXICAL_FLOOR * found[0][1]]

    def statement_candidates(self, query, scope, depth, kinds, document_ids) -> list[tuple[str, float]]:
        """Primary-statement tables, when the question names a statement or one of its line items,
        ranked by BM25: a balance-sheet question should see the balance sheet."""
        intents = statement_intent(query)
        if not intents:
            return []
        where = scope_where(scope, kinds, document_ids)
        clauses = where["$and"] if "$and" in where else [where]
        found = self.store.metadata_where({"$and": [*clauses, {"statement": {"$in": sorted(intents)}}]})
        if not found:
            return []
        self._ensure_lexical()
        ranked = self.lexical.search(query, client_ids=scope, k=depth, kinds=kinds, document_ids=document_ids, only_ids=found)
        # a question about two statements (DPO: balance sheet and P&L) needs both: take turns
        by_kind: dict[str, list[tuple[str, float]]] = {}
        for cid, score in ranked:
            by_kind.setdefault(str(found[cid].get("statement")), []).append((cid, score))
        turns = [kind_list[i] for i in range(depth) for kind_list in by_kind.values() if i < len(kind_list)]
        return turns[:depth]

    def _ensure_lexical(self) -> None:
        """Rebuild the lexical rows from Chroma when missing, stale or out of step with it (once a process)."""
        with self._lock:
            if self._checked:
                return
            if self.lexical.stale(self.store.count()):
                self._wrote(self.lexical.rebuild(
                    LexicalRow(cid, int(m["client_id"]), int(m["document_id"]), str(m["kind"]), text or "")
                    for cid, text, m in self.store.iter_all()
                ))
            self._checked = True

    def _fetch(self, ids: list[str]) -> dict[str, DenseHit]:
        if not ids:
            return {}
        got = self.store.collection.get(ids=ids, include=["documents", "metadatas"])
        return {
            i: DenseHit(chunk_id=i, distance=float("nan"), text=t or "", metadata=dict(m or {}))
            for i, t, m in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }


def fuse(dense: list[DenseHit], lexical: list[tuple[str, float]], fetch, *, statements=()) -> list[Hit]:
    """Reciprocal-rank fusion: score = Σ 1 / (RRF_K + rank) over the lists that hold a chunk
    (dense, lexical, and the statement tables a question points to)."""
    scores: dict[str, float] = {}
    dense_rank: dict[str, int] = {}
    lexical_rank: dict[str, int] = {}
    for rank, hit in enumerate(dense, start=1):
        dense_rank[hit.chunk_id] = rank
        scores[hit.chunk_id] = scores.get(hit.chunk_id, 0.0) + DENSE_WEIGHT / (RRF_K + rank)
    for rank, (chunk_id, _score) in enumerate(lexical, start=1):
        lexical_rank[chunk_id] = rank
        scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    for rank, (chunk_id, _score) in enumerate(statements, start=1):
        scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (RRF_K + rank)
    known = {h.chunk_id: h for h in dense}
    known.update(fetch([cid for cid in scores if cid not in known]))
    ordered = sorted(scores, key=lambda cid: (-scores[cid], cid))
    hits: list[Hit] = []
    for cid in ordered:
        record = known.get(cid)
        if record is None:  # deleted between the two look-ups
            continue
        m = record.metadata
        hits.append(
            Hit(
                client_id=int(m["client_id"]),
                document_id=int(m["document_id"]),
                document=str(m.get("document", "")),
                kind=str(m.get("kind", "")),
                page=int(m.get("page", 0)),
                text=record.text,
                score=round(scores[cid], 6),
                chunk_id=cid,
                dense_rank=dense_rank.get(cid),
                lexical_rank=lexical_rank.get(cid),
            )
        )
    return hits


def distinct_pages_first(hits: list[Hit]) -> list[Hit]:
    """The best chunk of each page first, then the other chunks: five hits cite five pages."""
    seen: set[tuple[int, int]] = set()
    first, rest = [], []
    for hit in hits:
        key = (hit.document_id, hit.page)
        (rest if key in seen else first).append(hit)
        seen.add(key)
    return first + rest


def _in_scope(hit: Hit, scope: set[int], kinds, document_ids) -> bool:
    """The last guard: a hit outside the caller's clients (or filters) never leaves this module."""
    if hit.client_id not in scope:
        return False
    if kinds is not None and hit.kind not in set(kinds):
        return False
    return document_ids is None or hit.document_id in {int(d) for d in document_ids}


_ENGINES: dict[tuple, Retrieval] = {}
_ENGINES_LOCK = threading.Lock()


def get_retrieval() -> Retrieval:
    """The retrieval engine for the current settings (one per home, Chroma URL and model)."""
    s = get_settings()
    key = (str(s.home_dir), s.chroma_url, s.embedding, s.embedding_model)
    with _ENGINES_LOCK:
        if key not in _ENGINES:
            _ENGINES[key] = Retrieval(
                home=s.home_dir, chroma_url=s.chroma_url, embedding=s.embedding, embedding_model=s.embedding_model
            )
        return _ENGINES[key]


def reset_retrieval() -> None:
    """Close and forget open engines (tests switch homes and servers): the next engine of a home
    opens its files afresh, as a new process would."""
    with _ENGINES_LOCK:
        engines = list(_ENGINES.values())
        _ENGINES.clear()
    for engine in engines:
        engine.close()
