"""OCR output → the word records of the layout analysis (no OCR engine here: plain geometry and text).

``boxes_to_words``: the engine's text boxes (with per-character positions and scores) → words in
PDF points, deskewed by the page's measured skew, split at blanks, wide gaps, case joins and the
statement vocabulary; each word keeps its weakest digit's confidence. ``straighten_columns``
stands a slanted photo's figure columns upright; misread group separators are re-read and their
confidence capped so they are flagged, never silently trusted.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from extractors import layout


@dataclass
class OcrWord:
    """A word read from a scan, in PDF points (top-left origin), with its lowest char confidence."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    confidence: float


@dataclass
class OcrPage:
    number: int  # 1-based
    width: float  # points
    height: float
    words: list[OcrWord] = field(default_factory=list)
    angle: float = 0.0  # degrees the scan was skewed by (corrected)
    seconds: float = 0.0
    skipped: str = ""  # why the scouting read passed the page over unread ("prose"), if it did

    @property
    def lines(self) -> list[layout.Line]:
        return layout.words_to_lines([layout.Word(w.text, w.x0, w.x1, w.top, w.bottom) for w in self.words])

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)



# ---------------------------------------------------------------------------- boxes → words

_LATIN = re.compile(r"[A-Za-z]")
_NUMBERISH = re.compile(r"[-(]?\d[\d,.]*")
_SEPARATED = re.compile(r"([-(]?)(\d{1,3}(?:[.,]\d{3})+)[.,](\d{2})(\)?)")
#: A figure whose group separators had to be read again ("36.712,125.66") is at most this sure.
REPAIRED_CONFIDENCE = 0.8


def repair_separators(text: str) -> str | None:
    """"36.712,125.66" → "36,712,125.66" when the digits group by threes before a two-digit
    decimal tail and a separator was read as the other one; None when the text needs nothing."""
    m = _SEPARATED.fullmatch(text)
    if not m:
        return None
    fixed = f"{m.group(1)}{m.group(2).replace('.', ',')}.{m.group(3)}{m.group(4)}"
    return fixed if fixed != text else None
_NUMERIC = set("0123456789,.()-−%")


def boxes_to_words(result: Sequence, k: float, centre: tuple[float, float]) -> tuple[list[OcrWord], float]:
    """Engine results ``[quad, text, score, char quads, chars, char scores]`` → deskewed words in points."""
    angle = _skew(result)
    rad = math.radians(angle)
    cos, sin = math.cos(-rad), math.sin(-rad)
    cx, cy = centre

    def rot(x: float, y: float) -> tuple[float, float]:
        dx, dy = x - cx, y - cy
        return (cx + dx * cos - dy * sin) * k, (cy + dx * sin + dy * cos) * k

    words: list[OcrWord] = []
    for r in result:
        quad, text, score = r[0], str(r[1]), float(r[2])
        pts = [rot(*p) for p in quad]
        top, bottom = min(p[1] for p in pts), max(p[1] for p in pts)
        x0, x1 = min(p[0] for p in pts), max(p[0] for p in pts)
        chars = list(r[4]) if len(r) > 4 and r[4] else []
        cboxes = r[3] if len(r) > 3 and r[3] else []
        confs = [float(c) for c in r[5]] if len(r) > 5 and r[5] else []
        if chars and len(chars) == len(cboxes) and "".join(chars).replace(" ", "") == text.replace(" ", ""):
            spans = []
            for ch, cq in zip(chars, cboxes):
                cp = [rot(*p) for p in cq]
                spans.append((ch, min(p[0] for p in cp), max(p[0] for p in cp)))
            if len(confs) != len(chars):
                confs = [score] * len(chars)
        else:  # no per-character positions: spread the text evenly over the box
            step = (x1 - x0) / max(1, len(text))
            spans = [(ch, x0 + i * step, x0 + (i + 1) * step) for i, ch in enumerate(text)]
            confs = [score] * len(text)
        parts = list(_split_chars(spans, confs, bottom - top))
        for i in range(1, len(parts)):  # "stockholders ’equity" (or "²equity"): the apostrophe is the left word's
            if len(parts[i]) > 1 and parts[i][0][0] in "'’²`´" and _LATIN.match(parts[i][1][0]) and parts[i - 1][-1][0] == "s":
                parts[i - 1] = parts[i - 1] + [("’",) + tuple(parts[i][0][1:])]
                parts[i] = parts[i][1:]
        for part in parts:
            t = "".join(c[0] for c in part)
            # a figure is as sure as its weakest digit (the separators' scores say little)
            digits = [c[3] for c in part if c[0].isdigit()] or [c[3] for c in part]
            conf = min(digits)
            if t in ("S", "s", "§"):
                t = "$"  # a dollar sign standing alone is read as the letter S
            fixed = repair_separators(t)
            if fixed is not None:  # the separators were misread: the figure is flagged for review
                t, conf = fixed, min(conf, REPAIRED_CONFIDENCE)
            words.append(OcrWord(t, min(c[1] for c in part), max(c[2] for c in part), top, bottom, round(conf, 4)))
    return words, angle


def _skew(result: Sequence, limit: float = 5.0) -> float:
    """The page's skew in degrees: the angle at which the text boxes' centres line up in the
    fewest, fullest rows (a projection profile over the boxes; the boxes' own edges are often
    snapped level by the detector)."""
    import numpy as np

    if len(result) < 4:
        return 0.0
    pts = np.array([[sum(p[0] for p in r[0]) / 4, sum(p[1] for p in r[0]) / 4] for r in result], dtype=float)
    weights = np.array([max(1.0, abs(r[0][1][0] - r[0][0][0])) for r in result])
    height = float(np.median([abs(r[0][3][1] - r[0][0][1]) for r in result])) or 10.0
    if len(pts) > 400:  # the widest boxes say the most
        keep = np.argsort(-weights)[:400]
        pts, weights = pts[keep], weights[keep]
    sigma = max(1.0, height / 5)
    ww = np.outer(weights, weights)

    def sharpness(deg: float) -> float:
        """How tightly the centres pair up in rows: Σ w_i w_j exp(-(Δy/σ)²) over box pairs."""
        a = math.radians(deg)
        y = pts[:, 1] * math.cos(a) - pts[:, 0] * math.sin(a)
        d = (y[:, None] - y[None, :]) / sigma
        return float((ww * np.exp(-d * d)).sum())

    # first guess from neighbours on one row (the nearest box to the right that overlaps it in
    # height): a page-wide search alone can line up one row's figures with the next row's labels
    guess = []
    for i in range(len(pts)):
        dx = pts[:, 0] - pts[i, 0]
        dy = pts[:, 1] - pts[i, 1]
        ok = (dx > 2 * height) & (dx < 30 * height) & (np.abs(dy) < 0.6 * height)
        if ok.any():
            j = int(np.argmin(np.where(ok, dx, np.inf)))
            guess.append(math.degrees(math.atan2(dy[j], dx[j])))
    if len(guess) < 3:
        return 0.0
    centre = float(np.median(guess))
    if abs(centre) > limit:
        return 0.0
    best = max(np.arange(centre - 0.6, centre + 0.6 + 1e-9, 0.02), key=sharpness)
    if sharpness(best) < 1.05 * sharpness(0.0):
        return 0.0  # no angle lines the boxes up clearly better than none
    best = float(round(best, 2))
    return best if abs(best) >= 0.05 else 0.0


def _split_chars(spans: list[tuple[str, float, float]], confs: list[float], height: float) -> Iterator[list]:
    """Characters of one box → words (the recogniser drops most English blanks): at a blank, a gap
    wider than the box height, a lower→upper case join ("ConsolidatedBalance"), then a Latin run
    is cut into the words of the statement vocabulary ("Cashandcashequivalents"), or where no
    such reading exists, at gaps clearly wider than its letter spacing."""
    for part in _split_coarse(spans, confs, height):
        yield from _split_latin(part, height)


def _split_coarse(spans, confs, height) -> Iterator[list]:
    cur: list = []
    items = list(zip(spans, confs))
    for i, ((ch, a, b), c) in enumerate(items):
        if ch.isspace():
            nxt = next((x[0][0] for x in items[i + 1:] if not x[0][0].isspace()), "")
            if cur and cur[-1][0] in ",." and nxt.isdigit() and _NUMBERISH.fullmatch("".join(x[0] for x in cur)):
                continue  # "952, 944.43": a blank read inside a figure
            if cur:
                yield cur
            cur = []
            continue
        p = cur[-1][0] if cur else ""
        if cur and (a - cur[-1][2] > 0.9 * height or (p.islower() and ch.isupper())
                    or (p == "," and _LATIN.match(ch) and not cur[0][0].isdigit())  # "Receivables,net"
                    or (ch in "(（" and _LATIN.match(p)) or (p in ")）" and _LATIN.match(ch))  # "(used in)operating"
                    or ch in "$¥￥"  # "100.0%$8,630,889": a currency sign starts a cell
                    or (p in "'’" and len(cur) >= 2 and cur[-2][0] == "s" and _LATIN.match(ch))  # "stockholders'equity"
                    or (ch.isdigit() and len(cur) >= 3 and all(_LATIN.match(x[0]) for x in cur[-3:]))):  # "December31"
            yield cur
            cur = []
        cur.append((ch, a, b, c))
    if cur:
        yield cur


def _split_latin(chars: list, height: float) -> Iterator[list]:
    text = "".join(c[0] for c in chars)
    m = re.fullmatch(r"([$(\[]?)([A-Za-z][A-Za-z'-]*[A-Za-z])([),.:;'’\]]*)", text)
    if not m or len(m.group(2)) < 5:
        yield chars
        return
    cuts = _word_break(m.group(2).lower())
    if cuts is not None:
        edges = [len(m.group(1)) + c for c in cuts]
        start = 0
        for e in edges:
            yield chars[start:e]
            start = e
        yield chars[start:]
        return
    yield from _split_gaps(chars, height)


def _split_gaps(chars: list, height: float) -> Iterator[list]:
    centres = [(c[1] + c[2]) / 2 for c in chars]
    steps = [b - a for a, b in zip(centres, centres[1:])]
    latin_steps = [s for s, a, b in zip(steps, chars, chars[1:]) if _LATIN.match(a[0]) and _LATIN.match(b[0])]
    pitch = statistics.median(latin_steps) if len(latin_steps) >= 3 else None
    cur: list = []
    for i, c in enumerate(chars):
        if c[0].isspace():
            if cur:
                yield cur
            cur = []
            continue
        if cur:
            prev = cur[-1]
            step = centres[i] - (cur[-1][1] + cur[-1][2]) / 2
            gap = c[1] - prev[2]
            latin = _LATIN.match(prev[0]) and _LATIN.match(c[0])
            brk = gap > 0.9 * height
            if latin and pitch is not None and step > 1.4 * pitch and step > 0.55 * height:
                brk = True
            if prev[0].islower() and c[0].isupper():
                brk = True
            if prev[0] == "," and _LATIN.match(c[0]) and not cur[0][0].isdigit():
                brk = True  # "Receivables,net"
            if brk:
                yield cur
                cur = []
        cur.append(c)
    if cur:
        yield cur


_lexicon: set[str] | None = None
_COMMON = ("a an and or of the to in on at by for from with per net less add other others its their total "
           "used provided ended ending months weeks year years three six nine twelve as than into under over "
           "amounts thousands millions billions except share shares data unaudited audited gain gains losses sale "
           "sales subsidiary subsidiaries repurchase repurchases proceeds payments payment issuance dividends "
           "paid received purchases purchase maturities acquisitions acquisition borrowings debt stock "
           "compensation depreciation amortization impairment restructuring charges changes change operating "
           "investing financing activities beginning end period balance balances accrued liabilities assets "
           "income expense expenses revenue revenues cost costs earnings diluted basic weighted average "
           "outstanding common preferred treasury additional capital paid-in retained deficit accumulated "
           "comprehensive deferred taxes tax current noncurrent long-term short-term lease leases operating")


def _words_known() -> set[str]:
    """The English words the statement code itself knows: titles, row labels, period headers."""
    global _lexicon
    if _lexicon is None:
        here = Path(__file__).parent
        text = _COMMON + " " + " ".join(
            (here / f).read_text(encoding="utf-8") for f in ("vocabulary.py", "mapping.py", "locate.py", "periods.py", "layout.py")
            if (here / f).exists())
        short = {w for w in _COMMON.split() if len(w) <= 2}
        _lexicon = {w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= 3 or w in short}
    return _lexicon


def _word_break(s: str) -> list[int] | None:
    """Cut positions splitting ``s`` into known words (fewest words; [] for one known word), or
    None when the known words cannot cover it."""
    known = _words_known()
    if s in known:
        return []
    n = len(s)
    best: list[tuple[int, int] | None] = [None] * (n + 1)  # (words, previous cut)
    best[0] = (0, -1)
    for i in range(1, n + 1):
        for j in range(max(0, i - 20), i):
            if best[j] is not None and s[j:i] in known:
                cand = (best[j][0] + 1, j)
                if best[i] is None or cand[0] < best[i][0]:
                    best[i] = cand
    if best[n] is None:
        return None
    cuts, i = [], n
    while i > 0:
        j = best[i][1]
        if j > 0:
            cuts.append(j)
        i = j
    return sorted(cuts)


def straighten_columns(words: list[OcrWord]) -> bool:
    """A photo taken at a slant (keystone) prints the figure columns as slanted, spreading lines:
    fit the first and the last figure column's right edge against the height on the page and map
    every word back so both stand upright (an affine map of x per height). True when it moved words."""
    import numpy as np

    lines = layout.words_to_lines([layout.Word(w.text, w.x0, w.x1, w.top, w.bottom) for w in words])
    rows = []
    for line in lines:
        _, run = layout.trailing_run(line)
        run = [w for w in run if re.search(r"\d", w.text)]
        if len(run) >= 2:
            rows.append(((line.top + line.bottom) / 2, run[0].digit_right, run[-1].digit_right, len(run)))
    if len(rows) < 8:
        return False
    n = statistics.mode(r[3] for r in rows)
    rows = [r for r in rows if r[3] == n]
    if len(rows) < 8:
        return False
    y = np.array([r[0] for r in rows])
    if y.max() - y.min() < 150:
        return False
    fits = []
    for col in (1, 2):
        x = np.array([r[col] for r in rows])
        keep = np.ones(len(x), bool)
        for _ in range(2):
            b, a = np.polyfit(y[keep], x[keep], 1)
            keep = np.abs(x - (a + b * y)) < max(4.0, 3 * float(np.std(x[keep] - (a + b * y[keep]))))
            if keep.sum() < 6:
                return False
        fits.append((a, b))
    (a1, b1), (an, bn) = fits
    span = y.max() - y.min()
    if abs(b1) * span < 3 and abs(bn) * span < 3:
        return False  # within a few points over the table: upright already
    ym = float(np.median(y))
    left, right = a1 + b1 * ym, an + bn * ym
    if right - left < 50:
        return False
    for w in words:
        mid = (w.top + w.bottom) / 2
        lo, hi = a1 + b1 * mid, an + bn * mid
        k = (right - left) / (hi - lo)
        w.x0, w.x1 = left + (w.x0 - lo) * k, left + (w.x1 - lo) * k
    return True


_THOUSANDS_AS_POINT = re.compile(r"([-(]?[1-9]\d{0,2})\.(\d{3}\)?)")


def _integer_page_separators(words: list[OcrWord]) -> None:
    """On a page printing whole numbers grouped by commas ("2,835"), "2.835" is a misread comma:
    read it as "2,835" and cap its confidence so it is flagged for review."""
    nums = [w.text for w in words if re.fullmatch(r"[-(]?\d[\d,.]*\)?", w.text) and len(re.sub(r"\D", "", w.text)) >= 4]
    if len(nums) < 8:
        return
    grouped = sum(1 for t in nums if re.fullmatch(r"[-(]?\d{1,3}(?:,\d{3})+\)?", t))
    decimal = sum(1 for t in nums if re.search(r"\.\d{1,2}\)?$", t))
    if grouped < 0.6 * len(nums) or decimal > 0.05 * len(nums):
        return
    for w in words:
        m = _THOUSANDS_AS_POINT.fullmatch(w.text)
        if m:
            w.text = f"{m.group(1)},{m.group(2)}"
            w.confidence = min(w.confidence, REPAIRED_CONFIDENCE)
