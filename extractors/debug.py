"""A visual debug aid: draw the rows and columns the layout step finds on one page.

    python -m extractors.debug FILE PAGE out.png

Value columns are drawn as blue lines at their digit edge (note / row-number columns in
orange, dropped percentage columns in grey), rows as green boxes, header lines in purple and
the split of a side-by-side balance sheet in red. The rows found are printed too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from extractors import layout


def draw_page(path: str | Path, page_number: int, out: str | Path, resolution: int = 110) -> list[layout.Row]:
    """Write a PNG of page ``page_number`` (1-based) with the layout drawn on it; return the rows."""
    import pdfplumber

    from extractors.pdf import _first_data

    with pdfplumber.open(str(path), pages=[page_number]) as pdf:
        page = pdf.pages[0]
        words = page.extract_words(x_tolerance=1.5, y_tolerance=2)
        lines = layout.words_to_lines(layout.to_words(words))
        split = layout.split_side_by_side(lines)
        halves = [(None, split), (split, None)] if split else [(None, None)]
        im = page.to_image(resolution=resolution)
        rows: list[layout.Row] = []
        for lo, hi in halves:
            part = [layout.Line([w for w in line.words if (lo is None or w.x0 >= lo) and (hi is None or w.x0 < hi)]) for line in lines]
            part = [line for line in part if line.words]
            cols = layout.find_columns(part)
            first = _first_data(part, cols)
            header = layout.find_header_lines(part, first, cols) if first is not None else []
            note_range = layout.classify_columns(cols, header, part[first or 0 :])
            colour = {"value": "blue", "note": "orange", "row_no": "orange", "percent": "grey"}
            for c in cols:
                im.draw_vline(c.right, stroke=colour[c.role], stroke_width=2)
            for h in header:
                im.draw_rect((min(w.x0 for w in h.words), h.top, max(w.x1 for w in h.words), h.bottom), stroke="purple", fill=None)
            found, _ = layout.lines_to_rows(part[first or 0 :], cols, note_range=note_range)
            for r in found:
                im.draw_rect((r.x0, r.top, r.x1, r.bottom), stroke="green", fill=None, stroke_width=1)
            rows += found
        if split:
            im.draw_vline(split, stroke="red", stroke_width=2)
        im.save(str(out))
        page.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 3 or not argv[1].isdigit():
        print("usage: python -m extractors.debug FILE PAGE out.png", file=sys.stderr)
        return 2
    rows = draw_page(argv[0], int(argv[1]), argv[2])
    for r in rows:
        print(f"{r.top:7.1f}  {r.label[:60]:<60}  {' | '.join(r.cells)}")
    print(f"wrote {argv[2]}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
