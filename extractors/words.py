"""Words with positions for the statement pages, from one of two engines.

``page_lines_pdfium`` builds words from pypdfium2's loose character boxes (milliseconds a
page); ``page_lines_pdfplumber`` uses pdfplumber's ``extract_words`` (pdfminer: about half a
second a page). Both split words the same way (a gap over 1.5 pt or a blank) and return
``{page number: (lines, page height)}`` plus a warning per page that could not be read; a
bad page never loses the rest.
"""

from __future__ import annotations

import re
from pathlib import Path

from extractors import layout

PageLines = dict[int, tuple[list[layout.Line], float]]


def page_lines_pdfplumber(path: Path, wanted: list[int]) -> tuple[PageLines, list[str]]:
    """pdfplumber words of the wanted pages only (opened once, each page closed after use)."""
    from extractors.document import open_plumber

    out: PageLines = {}
    warnings: list[str] = []
    if not wanted:
        return out, warnings
    with open_plumber(path, pages=wanted) as pdf:
        for page in pdf.pages:
            try:
                words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False, return_chars=True)
                words = [part for w in words for part in _split_plumber_word(w)]
                out[page.page_number] = (layout.words_to_lines(layout.to_words(words)), float(page.height))
            except Exception as exc:  # noqa: BLE001 - one bad page never loses the rest
                warnings.append(f"page {page.page_number}: could not be read ({exc.__class__.__name__})")
            finally:
                page.close()
    return out, warnings


def page_lines_pdfium(path: Path, wanted: list[int]) -> tuple[PageLines, list[str]]:
    """The same words from pypdfium2's character boxes (loose boxes, pdfplumber's 1.5 pt rule)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from extractors.pdfium_lock import PDFIUM

    out: PageLines = {}
    warnings: list[str] = []
    if not wanted:
        return out, warnings
    with PDFIUM:  # pdfium is not thread-safe (extractors.pdfium_lock)
        pdf = pdfium.PdfDocument(str(path))
        try:
            for p in wanted:
                page = textpage = None
                try:
                    page = pdf[p - 1]
                    height = float(page.get_height())
                    textpage = page.get_textpage()
                    chars = []
                    n = textpage.count_chars()
                    for i in range(n):
                        code = raw.FPDFText_GetUnicode(textpage.raw, i)
                        if code in (0, 0xFFFE, 0xFFFF):
                            continue
                        if raw.FPDFText_IsGenerated(textpage.raw, i):
                            if chr(code) == " " and chars and i + 1 < n and _kerned_word_gap(chars[-1][0], raw.FPDFText_GetUnicode(textpage.raw, i + 1)):
                                prev = chars[-1]  # a blank at the previous glyph's right edge, on its line
                                chars.append((" ", prev[2], prev[2], prev[3], prev[4]))
                            continue
                        left, bottom, right, top = textpage.get_charbox(i, loose=True)
                        chars.append((chr(code), left, right, height - top, height - bottom))
                    out[p] = (layout.words_to_lines(chars_to_words(chars)), height)
                except Exception as exc:  # noqa: BLE001 - one bad page never loses the rest
                    warnings.append(f"page {p}: could not be read ({exc.__class__.__name__})")
                finally:
                    if textpage is not None:
                        textpage.close()
                    if page is not None:
                        page.close()
        finally:
            pdf.close()
    return out, warnings


def _kerned_word_gap(prev: str, next_code: int) -> bool:
    """A space pdfium inferred between two Latin letters ("of" + "goods" typeset with a gap
    under the 1.5 pt word rule, loose boxes nearly touching) is a word break: without it
    "Cost ofgoods sold" reads as one word. The same after a closing apostrophe or a comma
    before a letter ("stockholders’ equity", "Cash, cash equivalents"). Only before a letter
    (or an opening parenthesis or $), so no figure changes."""
    nxt = chr(next_code) if 0 < next_code < 0x110000 else ""
    left = (prev.isascii() and prev.isalpha()) or prev in "’',;:)"
    return left and nxt.isascii() and (nxt.isalpha() or nxt in "($")


def chars_to_words(chars: list[tuple[str, float, float, float, float]], x_tolerance: float = 1.5) -> list[layout.Word]:
    """(text, x0, x1, top, bottom) characters → words: a line by vertical middle, a gap or a blank splits."""
    rows: list[list[tuple[str, float, float, float, float]]] = []
    for c in sorted(chars, key=lambda c: ((c[3] + c[4]) / 2, c[1])):
        mid = (c[3] + c[4]) / 2
        if rows and abs(mid - (rows[-1][0][3] + rows[-1][0][4]) / 2) <= 2.5:
            rows[-1].append(c)
        else:
            rows.append([c])
    words: list[layout.Word] = []
    for row in rows:
        cur: list[tuple[str, float, float, float, float]] = []
        for c in sorted(row, key=lambda c: c[1]):
            if c[0].isspace():
                words += _word(cur)
                cur = []
                continue
            if cur and c[1] - cur[-1][2] > x_tolerance:
                words += _word(cur)
                cur = []
            cur.append(c)
        words += _word(cur)
    return words


def _word(chars: list[tuple[str, float, float, float, float]]) -> list[layout.Word]:
    if not chars:
        return []
    return [layout.Word("".join(c[0] for c in part), min(c[1] for c in part), max(c[2] for c in part),
                        min(c[3] for c in part), max(c[4] for c in part)) for part in cell_gap_parts(chars)]


_ROW_NUMBER = re.compile(r"\d{1,3}")
_AMOUNT = re.compile(r"[-(]?\d{1,3}(?:,\d{3})*\.\d+\)?|[-(]?\d{1,3}(?:,\d{3})+\)?")


def cell_gap_parts(chars: list[tuple[str, float, float, float, float]]) -> list[list[tuple[str, float, float, float, float]]]:
    """A row or note number glued to the amount of the next cell ("1" + "1,121.27" read as
    "11,121.27"): split at the one gap between digits that is clearly wider than every other.

    Spreadsheet exports pad cells by about a point, under the 1.5 pt word gap; the glyphs of
    one number sit closer than 0.35 pt. Only a 1–3 digit integer followed by a grouped or
    decimal amount is split, so no ordinary number or word changes.
    """
    if len(chars) < 3:
        return [chars]
    gaps = [b[1] - a[2] for a, b in zip(chars, chars[1:])]
    i = max(range(len(gaps)), key=lambda k: gaps[k])
    others = gaps[:i] + gaps[i + 1:]
    if gaps[i] < 0.9 or (others and max(others) > 0.35):
        return [chars]
    left, right = "".join(c[0] for c in chars[: i + 1]), "".join(c[0] for c in chars[i + 1:])
    if _ROW_NUMBER.fullmatch(left) and _AMOUNT.fullmatch(right):
        return [chars[: i + 1], chars[i + 1:]]
    return [chars]


def _split_plumber_word(w: dict) -> list[dict]:
    chars = [(c["text"], float(c["x0"]), float(c["x1"]), float(c["top"]), float(c["bottom"])) for c in w.get("chars", [])]
    parts = cell_gap_parts(chars) if chars else [chars]
    if len(parts) == 1:
        return [w]
    return [dict(text="".join(c[0] for c in p), x0=min(c[1] for c in p), x1=max(c[2] for c in p),
                 top=min(c[3] for c in p), bottom=max(c[4] for c in p)) for p in parts]
