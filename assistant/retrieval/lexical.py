"""The lexical index: BM25 (bm25s) over jieba-segmented Chinese and lowercased English.

Exact names, account labels and codes matter in finance, and a dense model blurs them.
Rows (chunk id, client, document, kind, page, text, tokens) live in a small SQLite file under
``LOANWATCH_HOME/lexical``; the BM25 matrix is built from the stored tokens when the rows
changed (a generation counter) and saved beside them, so a new process loads it instead of
rebuilding. When the file is missing, holds another number of chunks than Chroma, or was tokenised
by another ``TOKENIZER_VERSION``, the caller rebuilds it from the Chroma documents
(``LexicalIndex.rebuild``). Queries are expanded with ``query.expand_query`` first.

Every write bumps the generation in its transaction; it is also how ``search.Retrieval`` learns
that another process indexed or removed a document (``generation``: a read on a kept connection).

The scope is applied before ranking: scores of chunks outside the allowed clients (and
kinds/documents) are masked out, so they can never rank, whatever the query.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import sqlite3
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant.retrieval.query import expand_query

TOKENIZER_VERSION = 2  # bump when ``tokenize`` changes: stored rows are then rebuilt from Chroma
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:[-_/.,'’][a-z0-9]+)*")
_PARTS = re.compile(r"[-_/.,'’]")
_RUNS = re.compile(r"[a-z]+|[0-9]+")
_YEAR = re.compile(r"(19|20)\d\d")
_ALPHA = re.compile(r"[a-z]")
_DIGIT = re.compile(r"[0-9]")
_STOP_EN = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with "
    "what which who how did does do than then there their our we you your not no".split()
)
_STOP_ZH = frozenset("的 了 和 是 在 与 及 或 等 其 为 对 中 上 下 是否 多少 什么 哪些 如何".split())


def _stem(word: str) -> str:
    """A light English stemmer: liabilities → liability, assets → asset, expenses → expense."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@functools.cache
def _jieba():
    """jieba, imported on first use with its start-up chatter silenced."""
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@functools.lru_cache(maxsize=1 << 16)
def _cut(run: str) -> tuple[str, ...]:
    """jieba's search-mode words of a run of Chinese characters, stop words left out. Cached: a
    report repeats its labels and phrases (14 real reports: 36,881 runs, 12,796 distinct)."""
    return tuple(w for w in _jieba().lcut_for_search(run) if w.strip() and w not in _STOP_ZH)


def tokenize(text: str) -> list[str]:
    """Words for BM25: jieba search-mode words for Chinese; lowercase, lightly stemmed English words;
    codes that mix letters and digits whole (``lw-1007``, ``fy2017``); years; no other bare numbers.

    Amounts are left out on purpose: a statement page holds hundreds of them, which would
    only lengthen its chunks (BM25 favours short ones); figures are answered from the store.
    """
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.lower()):
        token = match.group(0)
        if not token[0].isascii():  # a run of Chinese characters
            tokens.extend(_cut(token))
        elif _ALPHA.search(token) is None:  # a number: only a year is kept
            if _YEAR.fullmatch(token):
                tokens.append(token)
        else:
            tokens.extend(_word(token))
    return tokens


@functools.lru_cache(maxsize=1 << 16)
def _word(token: str) -> tuple[str, ...]:
    """A lowercase token with a letter: a code, a fiscal year, a quarter whole, with its words and
    years; else its stemmed parts."""
    if _DIGIT.search(token) is None:
        return tuple(_stem(part) for part in _PARTS.split(token) if len(part) > 1 and part not in _STOP_EN)
    words = [token]
    for run in _RUNS.findall(token):
        if (run.isalpha() and len(run) > 1 and run not in _STOP_EN) or _YEAR.fullmatch(run):
            words.append(_stem(run) if run.isalpha() else run)
    return tuple(words)


@dataclass
class LexicalRow:
    chunk_id: str
    client_id: int
    document_id: int
    kind: str
    text: str
    tokens: list[str] | None = None  # ``tokenize(text)`` when already computed (an ingest worker does it)


class LexicalIndex:
    """BM25 over the stored rows, persisted under one folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self._db_path = path / "rows.sqlite"
        self._lock = threading.RLock()
        self._reader: sqlite3.Connection | None = None  # kept open for ``generation`` (one per process)
        self._reader_pid = 0
        self._reader_lock = threading.Lock()  # not ``_lock``: a generation check never waits for a BM25 search
        self._generation = -1
        self._bm25 = None
        self._ids: list[str] = []
        self._position: dict[str, int] = {}
        self._client = np.zeros(0, dtype=np.int64)
        self._document = np.zeros(0, dtype=np.int64)
        self._kind = np.zeros(0, dtype=object)
        with self._connect() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS rows (chunk_id TEXT PRIMARY KEY, client_id INTEGER NOT NULL,"
                " document_id INTEGER NOT NULL, kind TEXT NOT NULL, tokens TEXT NOT NULL)"
            )
            db.execute("CREATE INDEX IF NOT EXISTS rows_document ON rows (document_id)")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('generation', 0)")
            db.execute("INSERT OR IGNORE INTO meta VALUES ('tokenizer', ?)", (TOKENIZER_VERSION,))

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._db_path, timeout=30)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    # ---- writing ---------------------------------------------------------------------

    # Each write returns the generation it committed: one more than the one before it, in the
    # same transaction, so a caller that saw generation g - 1 knows no one else wrote in between.

    def add(self, rows: Iterable[LexicalRow]) -> int:
        """Store the rows (replacing rows of the same chunk ids); the generation written."""
        data = [(r.chunk_id, int(r.client_id), int(r.document_id), r.kind,
                 json.dumps(tokenize(r.text) if r.tokens is None else r.tokens, ensure_ascii=False)) for r in rows]
        with self._lock, self._connect() as db:
            db.executemany("INSERT OR REPLACE INTO rows VALUES (?, ?, ?, ?, ?)", data)
            return _bump(db)

    def delete_document(self, document_id: int) -> int:
        """Remove a document's rows; the generation written."""
        with self._lock, self._connect() as db:
            db.execute("DELETE FROM rows WHERE document_id = ?", (int(document_id),))
            return _bump(db)

    def rebuild(self, rows: Iterable[LexicalRow]) -> int:
        """Replace every row (from the Chroma documents, when the lexical files were lost or stale);
        the generation written."""
        with self._lock:
            with self._connect() as db:
                db.execute("DELETE FROM rows")
                db.execute("UPDATE meta SET value = ? WHERE key = 'tokenizer'", (TOKENIZER_VERSION,))
            return self.add(rows)

    def stale(self, expected_count: int) -> bool:
        """True when the rows were tokenised by another version or do not match the dense store's count."""
        with self._connect() as db:
            version = db.execute("SELECT value FROM meta WHERE key = 'tokenizer'").fetchone()[0]
        return int(version) != TOKENIZER_VERSION or self.count() != expected_count

    def count(self) -> int:
        with self._connect() as db:
            return int(db.execute("SELECT count(*) FROM rows").fetchone()[0])

    # ---- searching -------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        client_ids: Collection[int],
        k: int,
        kinds: Collection[str] | None = None,
        document_ids: Collection[int] | None = None,
        only_ids: Collection[str] | None = None,
    ) -> list[tuple[str, float]]:
        """The ``k`` best (chunk_id, BM25 score) in scope (and among ``only_ids`` when given),
        best first; only positive scores."""
        with self._lock:
            self._load()
            if self._bm25 is None or not self._ids:
                return []
            query_ids = self._bm25.get_tokens_ids(tokenize(expand_query(query)))
            if not query_ids:
                return []
            scores = self._bm25.get_scores_from_ids(query_ids)
            allowed = np.isin(self._client, np.fromiter((int(c) for c in client_ids), dtype=np.int64))
            if kinds is not None:
                allowed &= np.isin(self._kind, np.array(list(kinds), dtype=object))
            if document_ids is not None:
                allowed &= np.isin(self._document, np.fromiter((int(d) for d in document_ids), dtype=np.int64))
            if only_ids is not None:
                keep = np.zeros(len(self._ids), dtype=bool)
                keep[[self._position[i] for i in only_ids if i in self._position]] = True
                allowed &= keep
            scores = np.where(allowed, scores, 0.0)
            n = min(k, int(np.count_nonzero(scores > 0)))
            if n == 0:
                return []
            top = np.argpartition(-scores, n - 1)[:n]
            top = top[np.argsort(-scores[top], kind="stable")]
            return [(self._ids[i], float(scores[i])) for i in top]

    def generation(self) -> int:
        """The stored generation: a single-row read on a connection kept open (about 5 µs; a new
        connection costs 100-300 µs), so a long-running caller can check it before every search."""
        with self._reader_lock:
            if self._reader is None or self._reader_pid != os.getpid():  # a forked child opens its own
                self._reader = sqlite3.connect(self._db_path, timeout=30, check_same_thread=False)
                self._reader_pid = os.getpid()
            # fetchall steps the statement to its end: no read snapshot is held between calls
            ((value,),) = self._reader.execute("SELECT value FROM meta WHERE key = 'generation'").fetchall()
            return int(value)

    def close(self) -> None:
        with self._reader_lock:
            if self._reader is not None and self._reader_pid == os.getpid():
                self._reader.close()
            self._reader = None

    def _load(self) -> None:
        """Bring the in-memory BM25 up to the stored generation: load the saved matrix or build it."""
        generation = self.generation()
        if generation == self._generation:
            return
        saved = self.path / f"bm25-{generation}"
        if saved.is_dir() and self._load_saved(saved):
            self._generation = generation
            return
        self._build()
        self._generation = generation
        self._save(saved)

    def _build(self) -> None:
        import bm25s

        with self._connect() as db:
            rows = db.execute("SELECT chunk_id, client_id, document_id, kind, tokens FROM rows ORDER BY rowid").fetchall()
        self._ids = [r[0] for r in rows]
        self._position = {cid: i for i, cid in enumerate(self._ids)}
        self._client = np.array([r[1] for r in rows], dtype=np.int64)
        self._document = np.array([r[2] for r in rows], dtype=np.int64)
        self._kind = np.array([r[3] for r in rows], dtype=object)
        if not rows:
            self._bm25 = None
            return
        corpus = [json.loads(r[4]) or [""] for r in rows]
        retriever = bm25s.BM25()
        retriever.index(corpus, show_progress=False)
        self._bm25 = retriever

    def _save(self, folder: Path) -> None:
        for old in self.path.glob("bm25-*"):
            shutil.rmtree(old, ignore_errors=True)
        if self._bm25 is None:
            return
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        self._bm25.save(str(tmp), show_progress=False)
        with open(tmp / "rows.json", "w", encoding="utf-8") as fh:
            json.dump(
                {"ids": self._ids, "client": self._client.tolist(), "document": self._document.tolist(), "kind": self._kind.tolist()},
                fh,
                ensure_ascii=False,
            )
        tmp.rename(folder)

    def _load_saved(self, folder: Path) -> bool:
        import bm25s

        try:
            retriever = bm25s.BM25.load(str(folder), show_progress=False)
            with open(folder / "rows.json", encoding="utf-8") as fh:
                rows = json.load(fh)
        except (OSError, ValueError, KeyError):
            return False
        self._bm25 = retriever
        self._ids = rows["ids"]
        self._position = {cid: i for i, cid in enumerate(self._ids)}
        self._client = np.array(rows["client"], dtype=np.int64)
        self._document = np.array(rows["document"], dtype=np.int64)
        self._kind = np.array(rows["kind"], dtype=object)
        return True


def _bump(db: sqlite3.Connection) -> int:
    """Count one more change of the rows, in the caller's transaction; the new generation."""
    ((value,),) = db.execute("UPDATE meta SET value = value + 1 WHERE key = 'generation' RETURNING value").fetchall()
    return int(value)
