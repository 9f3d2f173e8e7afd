"""Figures read by OCR: each keeps its recogniser confidence and its box, and is flagged on its own.

``attach_confidence`` matches every printed cell of a statement to the OCR words it was read from;
``figure_flags`` names, per figure, why a person must look at it: read with low confidence (or its
separators re-read), no recogniser score found, in a run whose subtotal is not the sum of its
rows, in a column that fails an accounting identity, or printed without its row's decimal point.
The identities find misread digits; they never fix them.
"""

from __future__ import annotations

import re
from decimal import Decimal

from extractors.models import BBox, Statement
from extractors.numbers import fold, is_value_token
from extractors.ocr_words import OcrPage

#: A figure whose weakest digit the recogniser read below this confidence is flagged for review.
LOW_CONFIDENCE = 0.90

def attach_confidence(st: Statement, pages: dict[int, OcrPage]) -> None:
    """Give every printed figure its recogniser confidence and box; flag the weak ones (each figure in
    ``item.flags``, the statement in one warning naming them)."""
    low: list[str] = []
    for item in st.items:
        page = pages.get(item.page)
        if page is None or item.bbox is None:
            continue
        confs: list[float | None] = []
        boxes: list[BBox | None] = []
        row = [w for w in page.words if item.bbox.top - 2 <= (w.top + w.bottom) / 2 <= item.bbox.bottom + 2]
        used: set[int] = set()
        for ci, cell in enumerate(item.printed):
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
                if ci < len(item.values) and item.values[ci] is not None:
                    _flag(item, ci, "no recogniser score found for this figure")
                continue
            used.update(id(w) for w in chosen)
            c = min(w.confidence for w in chosen)
            confs.append(c)
            boxes.append(BBox(x0=min(w.x0 for w in chosen), top=min(w.top for w in chosen),
                              x1=max(w.x1 for w in chosen), bottom=max(w.bottom for w in chosen)))
            if c < LOW_CONFIDENCE:
                low.append(f"page {item.page}: {item.label!r} {cell} read with low confidence {c:.2f}")
                _flag(item, ci, f"read with low confidence {c:.2f}")
        item.confidence = confs
        item.value_boxes = boxes
    for item in st.items:  # "1.25 1.35 … 125": a row printing decimals, one cell without its point
        cells = [(ci, fold(c).strip("()-$ ")) for ci, c in enumerate(item.printed) if c and re.search(r"\d", c)]
        places = {len(c.split(".")[1]) for _, c in cells if re.fullmatch(r"[\d,]*\.\d+", c)}
        for ci, c in cells:
            if len(places) == 1 and re.fullmatch(r"\d+", c) and len(c) > next(iter(places)):
                low.append(f"page {item.page}: {item.label!r} {c} printed without the decimal point its row uses")
                _flag(item, ci, "printed without the decimal point its row uses")
    for item in st.items:  # a figure read so badly it is no number ("15,144,182,76.19") stayed in the label
        for tok in re.findall(r"[-(]?\d[\d,.]{4,}\d\)?", item.label):
            if len(re.sub(r"\D", "", tok)) >= 5:
                low.append(f"page {item.page}: {item.label!r} holds an unreadable figure {tok}")
                for ci in range(len(item.values)):
                    _flag(item, ci, f"the row holds an unreadable figure {tok}")
    if low:
        head = f"{len(low)} figure(s) read by OCR with low confidence; check them against the scan: "
        st.warnings.append(head + "; ".join(low[:12]) + (" …" if len(low) > 12 else ""))


def figure_flags(st: Statement) -> list[str]:
    """Flag, figure by figure, what the accounting identities and the subtotals find wrong: every
    figure of a failing identity or sum (one of them is misread); in a failing subtotal run, the
    figures a single misread digit would explain are named. Returns the statement's warnings for
    the subtotals (the identities already warn)."""
    from extractors.checks import identity_failures

    out: list[str] = []
    by_key = {it.key: it for it in st.items if it.key}
    for ci, keys, msg in identity_failures(st):
        for k in keys:
            if k in by_key:
                _flag(by_key[k], ci, f"fails an identity: {msg}")
    for ci, idx, terms, msg in subtotal_failures(st):
        total = st.items[idx]
        cells = [(st.items[i], ci) for i in terms] + [(total, ci)]
        for item, c in cells:
            _flag(item, c, f"in a sum that does not add up: {msg}")
        likely = _name_likely(st, cells)
        out.append(msg + (f" (a single misread digit would explain: {', '.join(likely)})" if likely else ""))
    n = sum(1 for it in st.items for f in (it.flags or []) if f)
    if n:
        out.append(f"{n} figure(s) flagged one by one for review (confidence, identities, subtotals): see each figure's flag")
    return out


def _name_likely(st: Statement, cells: list) -> list[str]:
    """The cells of a failing sum (the terms, then the total) that one misread digit explains: the sum is off by k·10^m and the
    cell's digit at that place could be read k away. Named in their flag, never changed."""
    values = [(it, ci, it.values[ci]) for it, ci in cells if ci < len(it.values) and it.values[ci] is not None]
    if len(values) < 2:
        return []
    named = []
    for it, ci, v in values:
        printed = it.printed[ci] if ci < len(it.printed) else ""
        # the gap this cell would close, in printed units: as the sum's last figure (the total) or as a term
        gap = _gap(values, it, ci)
        if gap is None or gap == 0:
            continue
        step = abs(gap) / Decimal(st.unit)
        if _one_digit_away(printed, step):
            _flag(it, ci, "likely the misread figure (one digit would balance the sum)")
            named.append(f"{it.label} {printed}")
    return named[:3]


def _gap(values: list, it, ci) -> Decimal | None:  # noqa: ANN001 - a LineItem
    """By how much this cell misses what the others make of it (the last cell is the total)."""
    *terms, last = values
    parts = sum((v for _, _, v in terms), Decimal(0))
    if it is last[0] and ci == last[1]:
        return parts - last[2]
    return last[2] - parts


def _one_digit_away(printed: str, step: Decimal) -> bool:
    """Whether changing one printed digit of ``printed`` moves it by ``step`` (in printed units)."""
    digits = re.sub(r"[^\d.]", "", fold(printed or ""))
    if not digits or step <= 0:
        return False
    places = len(digits.split(".")[1]) if "." in digits else 0
    scaled = step * (Decimal(10) ** places)
    if scaled != scaled.to_integral_value():
        return False
    scaled_int = int(scaled)
    m = 0
    while scaled_int and scaled_int % 10 == 0:
        scaled_int //= 10
        m += 1
    if not 1 <= scaled_int <= 9:
        return False
    plain = digits.replace(".", "")
    return m < len(plain)


def flag_all(st: Statement, reason: str) -> None:
    """Flag every figure of the statement: a doubt that touches them all (a unit the scan lost)."""
    for item in st.items:
        for ci, v in enumerate(item.values):
            if v is not None:
                _flag(item, ci, reason)


def _flag(item, ci: int, reason: str) -> None:  # noqa: ANN001 - a LineItem
    if item.flags is None or len(item.flags) < len(item.values):
        item.flags = (item.flags or []) + [None] * (len(item.values) - len(item.flags or []))
    if ci >= len(item.flags):
        return
    have = item.flags[ci]
    if have is None:
        item.flags[ci] = reason
    elif reason not in have:
        item.flags[ci] = f"{have}; {reason}"


def _bare(text: str) -> str:
    return re.sub(r"[\s$¥￥]", "", fold(text or ""))


_TOTAL = re.compile(r"合计|总计|小计|^total\b", re.IGNORECASE)
_SKIP_BLOCK = re.compile(r"其中|减[:：]|加[:：]|^\s*(?:less|add|including|of which)\b", re.IGNORECASE)


def subtotal_warnings(st: Statement) -> list[str]:
    """The messages of ``subtotal_failures``."""
    return [msg for *_, msg in subtotal_failures(st)]


def subtotal_failures(st: Statement) -> list[tuple[int, int, list[int], str]]:
    """A subtotal (…合计, 小计, Total …) that is not the sum of any run of rows printed directly above
    it (back to the subtotal before, which may itself be a term: 资产总计 = 流动资产合计 + the
    non-current rows) means a misread figure. Runs holding 其中 / 减： / less rows are not judged.
    Each as (column, the subtotal's row, the rows of its longest run, message)."""
    out: list[tuple[int, int, list[int], str]] = []
    for ci, col in enumerate(st.columns):
        for idx, item in enumerate(st.items):
            v = item.values[ci] if ci < len(item.values) else None
            if v is None or not _TOTAL.search(item.label.strip()) or item.per_share or item.percent:
                continue
            acc, terms, ok, judged = Decimal(0), [], False, True
            for j in range(idx - 1, -1, -1):
                prev = st.items[j]
                if _SKIP_BLOCK.search(prev.label):
                    judged = False
                    break
                pv = prev.values[ci] if ci < len(prev.values) else None
                if pv is None or prev.per_share or prev.percent:
                    continue
                acc += pv
                terms.append(j)
                if abs(acc - v) <= Decimal(st.unit) * Decimal("0.5") * len(terms) + Decimal("0.005"):
                    ok = True
                    break
                if _TOTAL.search(prev.label.strip()):
                    break  # an earlier subtotal closes the run (after counting it as a term)
            if judged and len(terms) >= 2 and not ok:
                name = col.label or (col.period_end.isoformat() if col.period_end else f"column {ci + 1}")
                out.append((ci, idx, sorted(terms), f"{name}: {item.label} {v} is not the sum of the rows above it"))
    return out
