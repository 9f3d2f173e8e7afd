"""Scanned and photographed statements: read offline, same pipeline after the words.

The only module that imports the OCR stack (rapidocr → onnxruntime, OpenCV). The named steps::

    scan_pages (pdf pages rendered by pypdfium2 | image files, multi-page TIFF)
    → statement_pages: a fast low-resolution pass over the top of every page finds the titles,
      so a 200-page scanned report is not read 200 times at full resolution
    → ocr_page: PP-OCR detection + recognition at full resolution (red channel as grey: a red
      seal printed over figures fades out, black ink stays)
    → boxes_to_words: deskew (median angle of the long boxes), pixels → points, each text box
      split into words at blanks, wide gaps and lower→upper case joins, using the recogniser's
      per-character positions; every word keeps its lowest character confidence
    → the text-PDF pipeline: locate_statements over the OCR'd page texts, then extractors.pdf's
      statement step (rows, columns, periods, units, mapping, identity checks)
    → attach_confidence: every figure gets its recogniser confidence and its own box; a figure
      read with low confidence, or a subtotal that is not the sum of its rows, becomes a
      statement warning. Misread digits are reported, never fixed.
"""

from __future__ import annotations

import logging
import math
import re
import statistics
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from extractors import layout
from extractors.errors import ScannedDocumentError
from extractors.models import BBox, ExtractionResult, Statement
from extractors.numbers import fold, is_value_token

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

#: A figure whose weakest digit the recogniser read below this confidence is flagged for review.
LOW_CONFIDENCE = 0.90
#: Full-resolution reading: pages are rendered so the longer side has about this many pixels
#: (≈ 200 dpi for A4); larger scans are reduced to it, smaller ones are read as they are.
FULL_SIDE = 2300
#: The statement-finding pass reads the top of each page at this size.
SCOUT_SIDE = 1100
SCOUT_TOP = 0.30
#: Documents of at most this many pages are read in full without the scouting pass.
SCOUT_FROM = 4

_engines: dict[int, object] = {}
_engine_lock = threading.Lock()


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

    @property
    def lines(self) -> list[layout.Line]:
        return layout.words_to_lines([layout.Word(w.text, w.x0, w.x1, w.top, w.bottom) for w in self.words])

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


# ---------------------------------------------------------------------------- engine


def _engine(threads: int):
    """One RapidOCR engine per thread count (loading the models takes about a second)."""
    with _engine_lock:
        eng = _engines.get(threads)
        if eng is None:
            try:
                from rapidocr_onnxruntime import RapidOCR
            except ImportError as exc:  # e.g. OpenCV without libGL on a bare machine
                raise ScannedDocumentError(
                    f"the OCR engine cannot start ({exc})",
                    hint="install it with `pip install rapidocr-onnxruntime` (on a bare Debian machine also "
                         "`apt-get install libgl1 libglib2.0-0`, or use opencv-python-headless)",
                ) from exc
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            # detection on a reduced copy (text lines stay tall enough to find); recognition crops the full image
            eng = RapidOCR(intra_op_num_threads=threads, inter_op_num_threads=1, max_side_len=FULL_SIDE + 100,
                           det_limit_side_len=1280, det_limit_type="max", print_verbose=False)
            _engines[threads] = eng
        return eng


def _to_bgr(image):
    """A PIL image → the BGR array the engine reads; the red channel stands for grey so a red seal fades."""
    import numpy as np

    if image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    arr = np.asarray(image)
    grey = arr if arr.ndim == 2 else arr[:, :, 0]
    return np.ascontiguousarray(np.stack([grey, grey, grey], axis=-1))


def _blank(bgr) -> bool:
    """A page without ink (under 1 pixel in 2,000 darker than mid-grey): nothing to read."""
    return float((bgr[:, :, 0] < 128).mean()) < 0.0005


def _resize(image, side: int):
    w, h = image.size
    k = side / max(w, h)
    if k >= 1:
        return image, 1.0
    from PIL import Image

    return image.resize((max(1, round(w * k)), max(1, round(h * k))), Image.LANCZOS), k


def ocr_image(image, *, page: int, width_pt: float, threads: int = 2, side: int = FULL_SIDE) -> OcrPage:
    """Read one page image; coordinates come back in points of a page ``width_pt`` wide."""
    started = time.perf_counter()
    small, _ = _resize(image, side)
    px_w, px_h = small.size
    k = width_pt / px_w
    bgr = _to_bgr(small)
    if _blank(bgr):
        return OcrPage(page, width_pt, px_h * k, seconds=round(time.perf_counter() - started, 2))
    result, _ = _engine(threads)(bgr, use_cls=False, return_word_box=True)
    words, angle = boxes_to_words(result or [], k, (px_w / 2, px_h / 2))
    _integer_page_separators(words)
    straighten_columns(words)
    return OcrPage(page, width_pt, px_h * k, words, angle, round(time.perf_counter() - started, 2))


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


# ---------------------------------------------------------------------------- pages of a document


@dataclass
class _Source:
    """The pages of a scan: a PDF rendered page by page, or image files (a TIFF may hold several)."""

    paths: list[Path]
    pdf: bool

    def count(self) -> int:
        if self.pdf:
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(self.paths[0]))
            try:
                return len(doc)
            finally:
                doc.close()
        return sum(_frames(p) for p in self.paths)

    def images(self, wanted: Sequence[int], side: int, top: float = 1.0) -> Iterator[tuple[int, object, float]]:
        """(page, PIL image, page width in points) of the wanted pages, rendered or loaded at about ``side`` px."""
        if self.pdf:
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(self.paths[0]))
            try:
                for p in wanted:
                    page = doc[p - 1]
                    try:
                        w, h = page.get_size()
                        scale = min(side / max(w, h), _native_scale(page, w) if top == 1 else 9.9)
                        crop = (0, h * (1 - top), 0, 0) if top < 1 else (0, 0, 0, 0)
                        img = page.render(scale=scale, crop=crop).to_pil()
                        yield p, img, float(w)
                    finally:
                        page.close()
            finally:
                doc.close()
            return
        from PIL import Image

        n = 0
        want = set(wanted)
        for path in self.paths:
            with Image.open(path) as im:
                for frame in range(getattr(im, "n_frames", 1)):
                    n += 1
                    if n not in want:
                        continue
                    im.seek(frame)
                    img = im.convert("RGB")
                    width_pt = _width_pt(im, img.size)
                    if top < 1:
                        img = img.crop((0, 0, img.size[0], max(1, int(img.size[1] * top))))
                    img, _ = _resize(img, side if top == 1 else int(side * max(1.0, img.size[0] / max(img.size))))
                    yield n, img, width_pt


def _native_scale(page, width_pt: float) -> float:
    """The scale at which a scanned page's largest image shows at its own resolution (no upsampling)."""
    import pypdfium2.raw as raw

    best = 0
    try:
        for obj in page.get_objects(max_depth=2):
            if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                px_w, _ = obj.get_px_size()
                x0, _, x1, _ = obj.get_bounds()
                if x1 - x0 > 0.5 * width_pt:
                    best = max(best, px_w / (x1 - x0))
    except Exception:  # noqa: BLE001 - no image seen: render at the default size
        return 9.9
    return best * 1.05 if best else 9.9


def _frames(path: Path) -> int:
    from PIL import Image

    with Image.open(path) as im:
        return getattr(im, "n_frames", 1)


def _width_pt(im, size: tuple[int, int]) -> float:
    """The page width in points: from the image's dpi when it has one, else an A4 page (portrait or landscape)."""
    dpi = im.info.get("dpi")
    if dpi and dpi[0] and 50 <= float(dpi[0]) <= 1200:
        return size[0] * 72.0 / float(dpi[0])
    return 595.0 if size[0] <= size[1] else 842.0


class _Reader:
    """OCR of whole pages, in ``workers`` processes (one onnxruntime thread each) when several
    pages are to be read: on 2 cores two single-threaded processes read about twice the pages of
    one process with two threads (measured: 5.6 vs 8.6 CPU seconds a page; eval/scans.py)."""

    def __init__(self, source: _Source, workers: int):
        self.source, self.workers, self._pool = source, max(1, workers), None

    def read(self, wanted: Sequence[int], side: int, top: float = 1.0) -> Iterator[OcrPage]:
        todo = list(wanted)
        if self.workers == 1 or len(todo) < 2:
            for p, img, width in self.source.images(todo, side, top):
                yield ocr_image(img, page=p, width_pt=width, threads=self.workers, side=side)
            return
        from concurrent.futures import as_completed
        from concurrent.futures.process import BrokenProcessPool

        done: set[int] = set()
        try:
            pool = self._get_pool()
            futures = [pool.submit(_ocr_array, _array(img), p, width, side)
                       for p, img, width in self.source.images(todo, side, top)]
            for f in as_completed(futures):
                page = f.result()
                done.add(page.number)
                yield page
        except (BrokenProcessPool, RuntimeError, OSError) as exc:  # no worker processes here: read in this one
            log.warning("OCR worker processes unavailable (%s); reading pages in this process", exc.__class__.__name__)
            self.close()
            self.workers = 1
            for p, img, width in self.source.images([p for p in todo if p not in done], side, top):
                yield ocr_image(img, page=p, width_pt=width, threads=1, side=side)

    def _get_pool(self):
        if self._pool is None:
            from extractors.procs import worker_pool

            self._pool = worker_pool(self.workers)
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            try:
                self._pool.shutdown(cancel_futures=True)
            except Exception:  # noqa: BLE001 - a broken pool has nothing left to stop
                pass
            self._pool = None


def _array(image):
    import numpy as np

    return np.asarray(image.convert("RGB"))


def _ocr_array(arr, page: int, width_pt: float, side: int) -> OcrPage:
    """Worker side of ``_Reader``: one page, one onnxruntime thread."""
    from PIL import Image

    return ocr_image(Image.fromarray(arr), page=page, width_pt=width_pt, threads=1, side=side)


def _has_title(page: OcrPage) -> bool:
    from extractors.locate import find_titles

    return any(t.kind is not None for _, _, t in find_titles([x.text for x in page.lines] + ["单位：元"], max_join=4))


def statement_pages(reader: _Reader, n: int, progress: Progress | None, seen: dict[int, str] | None = None) -> set[int]:
    """Pages worth reading in full: those whose top shows a statement title (the caller reads the
    next pages too: a statement runs on); documents of a few pages are read in full. ``seen``
    collects the text of each page's top."""
    from extractors.locate import find_titles

    if n < SCOUT_FROM:
        return set(range(1, n + 1))
    found: set[int] = set()
    for page in reader.read(range(1, n + 1), SCOUT_SIDE, top=SCOUT_TOP):
        texts = [x.text for x in page.lines]
        if seen is not None:
            seen[page.number] = "\n".join(texts)
        if any(t.kind is not None for _, _, t in find_titles(texts + ["单位：元", "项目"], max_join=4)):
            found.add(page.number)
        if progress:
            progress(f"scouting page {page.number}/{n}")
    return found


def extract_scanned(paths: Sequence[str | Path], *, sha256: str, name: str, max_pages: int = 5000,
                    threads: int = 2, progress: Progress | None = None) -> ExtractionResult:
    """Extract the statements of a scanned PDF (one path) or of page images (one or more paths),
    reading pages in ``threads`` worker processes (one thread each; a single page: ``threads`` threads)."""
    from extractors.errors import TooLargeDocumentError

    paths = [Path(p) for p in paths]
    source = _Source(paths, pdf=len(paths) == 1 and paths[0].read_bytes()[:1024].find(b"%PDF-") >= 0)
    try:
        n = source.count()
    except (OSError, SyntaxError, ValueError) as exc:  # PIL / pdfium refusing a damaged image
        from extractors.errors import CorruptDocumentError

        raise CorruptDocumentError(f"{name}: the image cannot be read ({exc.__class__.__name__})", path=str(paths[0])) from exc
    if n > max_pages:
        raise TooLargeDocumentError(f"{name}: {n} pages is over the {max_pages}-page limit", path=str(paths[0]))
    pages: dict[int, OcrPage] = {}

    reader = _Reader(source, threads)

    def read(wanted: Sequence[int]) -> None:
        todo = [p for p in sorted(wanted) if p not in pages and 1 <= p <= n]
        for page in reader.read(todo, FULL_SIDE):
            pages[page.number] = page
            if progress:
                progress(f"OCR page {page.number}/{n}: {len(page.words)} words in {page.seconds:.1f} s")

    try:
        return _extract_read(name, paths, n, pages, read, reader, progress, sha256)
    finally:
        reader.close()


def _extract_read(name: str, paths: list[Path], n: int, pages: dict[int, OcrPage], read, reader: _Reader,
                  progress: Progress | None, sha256: str) -> ExtractionResult:
    """Scout, read the statement pages (and the pages they run on to), then the text-PDF statement step."""
    from extractors.company import company_name
    from extractors.locate import locate_statements
    from extractors.pdf import _CJK, _safe_statement, finish_statements, split_by_scope
    from extractors.periods import document_period
    from extractors.units import detect_unit

    tops: dict[int, str] = {}
    candidates = statement_pages(reader, n, progress, tops)
    read({q for p in candidates for q in (p, p + 1)})
    warnings: list[str] = []
    for _ in range(n):  # a statement may run on past the pages read so far: read those too (≥ 1 page a round)
        texts = [pages[p].text if p in pages else tops.get(p, "") for p in range(1, n + 1)]
        located = locate_statements(texts)
        more = {q for loc in located for q in (*loc.pages, loc.pages[-1] + 1)}
        # a title printed at the foot of a page read in full: its table is on the next page
        more |= {p + 1 for p, pg in pages.items() if _has_title(pg)}
        more = {q for q in more - set(pages) if q <= n and (q - 1 in pages)}
        if not more:
            break
        read(more)
    if not any(p.words for p in pages.values()):
        raise ScannedDocumentError(
            f"{name}: no text could be read from the scanned pages ({len(pages)} of {n} read)",
            path=str(paths[0]),
            hint="the scan is blank or unreadable; ask for a sharper scan (200–300 dpi) or a text-based PDF",
        )
    skewed = [f"page {p}: scan skewed by {pg.angle:.1f}°, corrected" for p, pg in sorted(pages.items()) if abs(pg.angle) >= 2]
    warnings += skewed
    page_lines = {p: (pg.lines, pg.height) for p, pg in pages.items()}
    doc_period = document_period("\n".join(texts[:3]))
    doc_is_zh = bool(_CJK.search("".join(texts)[:20000]))
    statements: list[Statement] = []
    for loc in located:
        errs: list[str] = []
        st = _safe_statement(loc, page_lines, doc_period, doc_is_zh, errs)
        warnings += errs
        if st is not None:
            statements += split_by_scope(st)
    statements = finish_statements(statements, located, texts, warnings)
    for st in statements:
        # every figure read from an image waits for a person: the checks below name what looks wrong,
        # but a misread digit that passes them is possible, so none enters a decision unconfirmed
        st.warnings.insert(0, f"read by OCR from a scan (pages {', '.join(map(str, st.pages))}): confirm the figures "
                              "against the page image before they are used (OCR, 扫描件识别，需人工核对)")
        attach_confidence(st, pages)
        st.warnings.extend(subtotal_warnings(st))
        first = pages.get(st.pages[0]) if st.pages else None
        if first is not None and st.unit == 1 and detect_unit(first.text).unit is None:
            # a unit line the scan lost ("$ in millions" under a seal) would scale every figure silently
            st.warnings.append(f"page {st.pages[0]}: no unit could be read on the page; figures are taken "
                               "in the currency's base unit — check the unit printed on the scan")
    if not statements:
        warnings.append(f"no financial statement was found on the {len(pages)} scanned page(s) read")
    warnings.insert(0, f"read by OCR from {len(pages)} scanned page(s) of {n}; figures carry the recogniser's confidence")
    return ExtractionResult(file=name, sha256=sha256, pages=n,
                            company=company_name(texts, sorted({p for st in statements for p in st.pages})),
                            statements=statements, warnings=warnings)


# ---------------------------------------------------------------------------- confidence and sums


def attach_confidence(st: Statement, pages: dict[int, OcrPage]) -> None:
    """Give every printed figure its recogniser confidence and box; flag the weak ones."""
    low: list[str] = []
    for item in st.items:
        page = pages.get(item.page)
        if page is None or item.bbox is None:
            continue
        confs: list[float | None] = []
        boxes: list[BBox | None] = []
        row = [w for w in page.words if item.bbox.top - 2 <= (w.top + w.bottom) / 2 <= item.bbox.bottom + 2]
        used: set[int] = set()
        for cell in item.printed:
            key = _bare(cell)
            if not key:
                confs.append(None)
                boxes.append(None)
                continue
            match = [w for w in row if id(w) not in used and _bare(w.text) and _bare(w.text) in key and is_value_token(w.text)]
            exact = [w for w in match if _bare(w.text) == key]
            chosen = exact[:1] or match
            if not chosen:
                confs.append(None)
                boxes.append(None)
                continue
            used.update(id(w) for w in chosen)
            c = min(w.confidence for w in chosen)
            confs.append(c)
            boxes.append(BBox(x0=min(w.x0 for w in chosen), top=min(w.top for w in chosen),
                              x1=max(w.x1 for w in chosen), bottom=max(w.bottom for w in chosen)))
            if c < LOW_CONFIDENCE:
                low.append(f"page {item.page}: {item.label!r} {cell} read with low confidence {c:.2f}")
        item.confidence = confs
        item.value_boxes = boxes
    for item in st.items:  # "1.25 1.35 … 125": a row printing decimals, one cell without its point
        cells = [fold(c).strip("()-$ ") for c in item.printed if c and re.search(r"\d", c)]
        places = {len(c.split(".")[1]) for c in cells if re.fullmatch(r"[\d,]*\.\d+", c)}
        for c in cells:
            if len(places) == 1 and re.fullmatch(r"\d+", c) and len(c) > next(iter(places)):
                low.append(f"page {item.page}: {item.label!r} {c} printed without the decimal point its row uses")
    for item in st.items:  # a figure read so badly it is no number ("15,144,182,76.19") stayed in the label
        for tok in re.findall(r"[-(]?\d[\d,.]{4,}\d\)?", item.label):
            if len(re.sub(r"\D", "", tok)) >= 5:
                low.append(f"page {item.page}: {item.label!r} holds an unreadable figure {tok}")
    if low:
        head = f"{len(low)} figure(s) read by OCR with low confidence; check them against the scan: "
        st.warnings.append(head + "; ".join(low[:12]) + (" …" if len(low) > 12 else ""))


def _bare(text: str) -> str:
    return re.sub(r"[\s$¥￥]", "", fold(text or ""))


_TOTAL = re.compile(r"合计|总计|小计|^total\b", re.IGNORECASE)
_SKIP_BLOCK = re.compile(r"其中|减[:：]|加[:：]|^\s*(?:less|add|including|of which)\b", re.IGNORECASE)


def subtotal_warnings(st: Statement) -> list[str]:
    """A subtotal (…合计, 小计, Total …) that is not the sum of any run of rows printed directly above
    it (back to the subtotal before, which may itself be a term: 资产总计 = 流动资产合计 + the
    non-current rows) means a misread figure. Runs holding 其中 / 减： / less rows are not judged."""
    out: list[str] = []
    for ci, col in enumerate(st.columns):
        for idx, item in enumerate(st.items):
            v = item.values[ci] if ci < len(item.values) else None
            if v is None or not _TOTAL.search(item.label.strip()) or item.per_share or item.percent:
                continue
            acc, terms, ok, judged = Decimal(0), 0, False, True
            for prev in reversed(st.items[:idx]):
                if _SKIP_BLOCK.search(prev.label):
                    judged = False
                    break
                pv = prev.values[ci] if ci < len(prev.values) else None
                if pv is None or prev.per_share or prev.percent:
                    continue
                acc += pv
                terms += 1
                if abs(acc - v) <= Decimal(st.unit) * Decimal("0.5") * terms + Decimal("0.005"):
                    ok = True
                    break
                if _TOTAL.search(prev.label.strip()):
                    break  # an earlier subtotal closes the run (after counting it as a term)
            if judged and terms >= 2 and not ok:
                name = col.label or (col.period_end.isoformat() if col.period_end else f"column {ci + 1}")
                out.append(f"{name}: {item.label} {v} is not the sum of the rows above it")
    return out
