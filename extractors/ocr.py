"""Scanned and photographed statements: read offline, same pipeline after the words.

The only module that imports the OCR stack (rapidocr → onnxruntime, OpenCV). The named steps::

    scan_pages (pdf pages rendered by pypdfium2 | image files, multi-page TIFF)
    → statement_pages: a fast low-resolution pass finds the titles, so a 200-page scanned report
      is not read 200 times at full resolution: each page is rendered once, small; a prose or
      nearly blank page is passed over from its layout alone (extractors.ocr_layout: no figure
      columns, full-width lines), and only the top of the others is recognised
    → ocr_page: PP-OCR detection + recognition at full resolution (red channel as grey: a red
      seal printed over figures fades out, black ink stays)
    → boxes_to_words: deskew (median angle of the long boxes), pixels → points, each text box
      split into words at blanks, wide gaps and lower→upper case joins, using the recogniser's
      per-character positions; every word keeps its lowest character confidence
    → the text-PDF pipeline: locate_statements over the OCR'd page texts, then extractors.pdf's
      statement step (rows, columns, periods, units, mapping, identity checks)
    → attach_confidence, figure_flags (extractors.ocr_checks): every figure gets its recogniser
      confidence, its own box and, where a person must look, its reasons (low confidence, a
      subtotal ≠ its rows, a failed identity); misread digits are reported, never fixed.

The words step lives in ``extractors.ocr_words``, the per-figure checks in ``extractors.ocr_checks``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from extractors.errors import ScannedDocumentError
from extractors.models import ExtractionResult, Statement
from extractors.ocr_checks import LOW_CONFIDENCE, attach_confidence, figure_flags, flag_all, subtotal_warnings
from extractors.ocr_words import OcrPage, OcrWord, _integer_page_separators, boxes_to_words, straighten_columns

log = logging.getLogger(__name__)

Progress = Callable[[str], None]

#: Full-resolution reading: pages are rendered so the longer side has about this many pixels
#: (≈ 200 dpi for A4); larger scans are reduced to it, smaller ones are read as they are.
FULL_SIDE = 2300
#: The statement-finding pass reads the top of each page at this size.
SCOUT_SIDE = 1100
SCOUT_TOP = 0.30
#: The first pages are scouted whatever their layout: the company and the period are read from them.
SCOUT_ALWAYS = 3
#: Documents of at most this many pages are read in full without the scouting pass.
SCOUT_FROM = 4

_engines: dict[int, object] = {}
_engine_lock = threading.Lock()


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


#: The scouting pass recognises only text boxes narrower than this share of the page and at most
#: this many times as wide as they are tall (a title, a header, a date; not a line of body text,
#: whose recognition costs most of a page's time: the recogniser's work grows with that ratio) …
SCOUT_MAX_WIDTH = 0.7
SCOUT_MAX_ASPECT = 32.0
#: … top down, until their ratios add up to this (a title sits among a page's first lines).
SCOUT_BUDGET = 120.0


def scout_image(image, *, page: int, width_pt: float, threads: int = 2, side: int = SCOUT_SIDE, top: float = SCOUT_TOP) -> OcrPage:
    """The scouting read of a page (the whole page, small): a page whose layout is prose is passed
    over (``skipped``); of the others, the top ``top`` share is read: detection, then recognition
    of its first short boxes only (a statement title is never a full-width line of prose); words
    without per-character boxes."""
    from extractors.ocr_layout import page_layout

    started = time.perf_counter()
    small, _ = _resize(image, side)
    bgr = _to_bgr(small)
    if _blank(bgr):
        return OcrPage(page, width_pt, small.size[1] * width_pt / small.size[0], seconds=round(time.perf_counter() - started, 2))
    if page > SCOUT_ALWAYS and not page_layout(bgr[:, :, 0]).may_hold_statement:
        return OcrPage(page, width_pt, small.size[1] * width_pt / small.size[0], seconds=round(time.perf_counter() - started, 2),
                       skipped="prose")
    if top < 1:
        bgr = bgr[: max(1, round(bgr.shape[0] * top))]
    px_h, px_w = bgr.shape[:2]
    k = width_pt / px_w
    eng = _engine(threads)
    boxes, _ = eng.text_det(bgr)
    if boxes is None or len(boxes) == 0:
        return OcrPage(page, width_pt, px_h * k, seconds=round(time.perf_counter() - started, 2))
    boxes = _scout_boxes(eng.sorted_boxes(boxes), px_w)
    if not boxes:
        return OcrPage(page, width_pt, px_h * k, seconds=round(time.perf_counter() - started, 2))
    rec, _ = eng.text_rec(eng.get_crop_img_list(bgr, boxes), False)
    result = [[b.tolist(), r[0], float(r[1])] for b, r in zip(boxes, rec) if r[0] and float(r[1]) >= 0.5]
    words, angle = boxes_to_words(result, k, (px_w / 2, px_h / 2))
    return OcrPage(page, width_pt, px_h * k, words, angle, round(time.perf_counter() - started, 2))


def _scout_boxes(boxes, px_w: int) -> list:
    """The short boxes of a page's top, top down, within the recognition budget."""
    out, spent = [], 0.0
    for b in boxes:
        w = float(b[:, 0].max() - b[:, 0].min())
        aspect = w / max(1.0, float(b[:, 1].max() - b[:, 1].min()))
        if w > SCOUT_MAX_WIDTH * px_w or aspect > SCOUT_MAX_ASPECT:
            continue
        if spent + aspect > SCOUT_BUDGET and out:
            break
        out.append(b)
        spent += aspect
    return out


def _read(image, page: int, width_pt: float, threads: int, side: int, scout: bool) -> OcrPage:
    return (scout_image if scout else ocr_image)(image, page=page, width_pt=width_pt, threads=threads, side=side)


# ---------------------------------------------------------------------------- pages of a document


@dataclass
class _Source:
    """The pages of a scan: a PDF rendered page by page, or image files (a TIFF may hold several)."""

    paths: list[Path]
    pdf: bool

    def count(self) -> int:
        if self.pdf:
            import pypdfium2 as pdfium

            from extractors.pdfium_lock import PDFIUM

            with PDFIUM:  # pdfium is not thread-safe (extractors.pdfium_lock)
                doc = pdfium.PdfDocument(str(self.paths[0]))
                try:
                    return len(doc)
                finally:
                    doc.close()
        return sum(_frames(p) for p in self.paths)

    def images(self, wanted: Sequence[int], side: int, top: float = 1.0) -> Iterator[tuple[int, object, float]]:
        """(page, PIL image, page width in points) of the wanted pages, rendered or loaded at about ``side`` px
        (whole pages: the scouting read crops the top itself; ``top`` < 1 only drops the native-resolution cap)."""
        if self.pdf:
            import pypdfium2 as pdfium

            from extractors.pdfium_lock import PDFIUM

            # pdfium is not thread-safe (extractors.pdfium_lock): each page is rendered under the lock,
            # and the lock is let go while the caller reads the image
            with PDFIUM:
                doc = pdfium.PdfDocument(str(self.paths[0]))
            try:
                for p in wanted:
                    with PDFIUM:
                        page = doc[p - 1]
                        try:
                            w, h = page.get_size()
                            scale = min(side / max(w, h), _native_scale(page, w) if top == 1 else 9.9)
                            img = page.render(scale=scale).to_pil().copy()  # the bitmap freed here
                        finally:
                            page.close()
                    yield p, img, float(w)
            finally:
                with PDFIUM:
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
                    img, _ = _resize(img, side)
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
    from extractors.render import image_width_pt

    return image_width_pt(im, size)


#: Pages handed to each worker process ahead of the one it is reading.
IN_FLIGHT = 2


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
                yield _read(img, p, width, self.workers, side, top < 1)
            return
        from concurrent.futures.process import BrokenProcessPool

        done: set[int] = set()
        reason = ""
        for attempt in (1, 2):
            try:
                yield from self._in_workers([p for p in todo if p not in done], done, side, top)
                return
            except BrokenProcessPool:  # a worker died (killed, out of memory): once, the pages left go to new workers
                self.close()
                reason = "BrokenProcessPool"
                if attempt == 1:
                    log.warning("an OCR worker process died; reading the remaining pages in new worker processes")
                    continue
            except (RuntimeError, OSError) as exc:
                reason = exc.__class__.__name__
            break
        # no worker processes here: read in this one (the OCR models then stay loaded in this process)
        log.warning("OCR worker processes unavailable (%s); reading pages in this process", reason)
        self.close()
        self.workers = 1
        for p, img, width in self.source.images([p for p in todo if p not in done], side, top):
            yield _read(img, p, width, 1, side, top < 1)

    def _in_workers(self, todo: list[int], done: set[int], side: int, top: float) -> Iterator[OcrPage]:
        from concurrent.futures import FIRST_COMPLETED, wait

        pool = self._get_pool()
        images = iter(self.source.images(todo, side, top))
        pending: set = set()
        try:
            while True:
                # a few pages in flight per worker, not the whole report held as images at once
                while len(pending) < IN_FLIGHT * self.workers and (nxt := next(images, None)) is not None:
                    p, img, width = nxt
                    pending.add(pool.submit(_ocr_array, _array(img, grey=top < 1), p, width, side, top < 1))
                if not pending:
                    break
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                failed = None
                for f in finished:  # the pages read are kept before a dead worker's error is raised
                    if f.exception() is not None:
                        failed = failed or f.exception()
                        continue
                    page = f.result()
                    done.add(page.number)
                    yield page
                if failed is not None:
                    raise failed
        finally:
            images.close()  # the rendered document is closed now, not when the generator is collected

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


def _array(image, grey: bool = False):
    """The page for a worker: RGB, or (``grey``, for the scouting read) only the red channel it reads."""
    import numpy as np

    arr = np.asarray(image.convert("RGB"))
    return np.ascontiguousarray(arr[:, :, 0]) if grey else arr


def _ocr_array(arr, page: int, width_pt: float, side: int, scout: bool = False) -> OcrPage:
    """Worker side of ``_Reader``: one page, one onnxruntime thread."""
    from PIL import Image

    return _read(Image.fromarray(arr), page, width_pt, 1, side, scout)


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
        kinds = {t.kind for _, _, t in find_titles(texts + ["单位：元", "项目"], max_join=4) if t.kind is not None}
        if kinds and not _lists_statements(texts, kinds):
            found.add(page.number)
        if progress:
            progress(f"scouting page {page.number}/{n}" + (f" ({page.skipped}: passed over)" if page.skipped else ""))
    return found


#: A page-number mark in a list of contents: a line that is a bare page number, or a line ending in
#: one after a blank or a dotted leader ("Consolidated Balance Sheets 68", "合并利润表……45").
_PAGE_MARK = re.compile(r"^\d{1,3}$|(?:\s|[.…·]{2})\d{1,3}$")


def _lists_statements(texts: list[str], kinds: set) -> bool:
    """A contents or index page: its top names two or more kinds of statement beside page numbers.
    A statement's own top names one kind and shows no bare page numbers; reading a contents page in
    full (and the page after it) costs a dozen CPU seconds and finds nothing."""
    return len(kinds) >= 2 and sum(1 for t in texts if _PAGE_MARK.search(t.strip())) >= 2


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
        first = pages.get(st.pages[0]) if st.pages else None
        if first is not None and st.unit == 1 and detect_unit(first.text).unit is None:
            # a unit line the scan lost ("$ in millions" under a seal) would scale every figure silently
            st.warnings.append(f"page {st.pages[0]}: no unit could be read on the page; figures are taken "
                               "in the currency's base unit — check the unit printed on the scan")
            flag_all(st, "no unit could be read on the page: the figure may be in thousands or millions")
        st.warnings.extend(figure_flags(st))
    if not statements:
        warnings.append(f"no financial statement was found on the {len(pages)} scanned page(s) read")
    warnings.insert(0, f"read by OCR from {len(pages)} scanned page(s) of {n}; figures carry the recogniser's confidence")
    return ExtractionResult(file=name, sha256=sha256, pages=n,
                            company=company_name(texts, sorted({p for st in statements for p in st.pages})),
                            statements=statements, warnings=warnings)


__all__ = ["FULL_SIDE", "LOW_CONFIDENCE", "SCOUT_SIDE", "OcrPage", "OcrWord", "attach_confidence", "extract_scanned",
           "figure_flags", "ocr_image", "statement_pages", "subtotal_warnings"]
