"""Words with positions for the statement pages, from one of two engines.

``page_lines_pdfium`` builds words from pypdfium2's loose character boxes (milliseconds a
page); ``page_lines_pdfplumber`` uses pdfplumber's ``extract_words`` (pdfminer: about half a
second a page). Both split words the same way (a gap over 1.5 pt or a blank) and return
``{page number: (lines, page height)}`` plus a warning per page that could not be read; a
bad page never loses the rest.
"""

from __future__ import annotations

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
                words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
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

    out: PageLines = {}
    warnings: list[str] = []
    if not wanted:
        return out, warnings
    pdf = pdfium.PdfDocument(str(path))
    try:
        for p in wanted:
            page = textpage = None
            try:
                page = pdf[p - 1]
                height = float(page.get_height())
                textpage = page.get_textpage()
                chars = []
                for i in range(textpage.count_chars()):
                    code = raw.FPDFText_GetUnicode(textpage.raw, i)
                    if code in (0, 0xFFFE, 0xFFFF) or raw.FPDFText_IsGenerated(textpage.raw, i):
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
    return [layout.Word("".join(c[0] for c in chars), min(c[1] for c in chars), max(c[2] for c in chars),
                        min(c[3] for c in chars), max(c[4] for c in chars))]
