"""Rows → LineItems → Statement: the step shared by the PDF and Excel extractors.

``build_statement`` takes printed rows (label, cell texts, page, box), parses every cell,
applies the printed unit (per-share and percentage rows are never scaled), maps labels to
canonical keys with the statement-level conventions, and runs the accounting checks.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

from extractors.checks import check_statement
from extractors.mapping import MapRow, explain_keys, join_label, join_wrapped
from extractors.models import BBox, Column, LineItem, Statement
from extractors.numbers import parse_cell

RowInput = tuple[str, Sequence[str], int, BBox | tuple[float, float, float, float] | None]

_PER_SHARE = re.compile(r"per share|per common share|每股|\(元/股\)|元/股|eps\b", re.IGNORECASE)


def build_statement(
    kind: str,
    scope: str,
    title: str,
    columns: list[Column],
    rows: Sequence[RowInput],
    unit: int,
    currency: str,
    pages: list[int],
    *,
    notes: Sequence[str | None] | None = None,
    row_nos: Sequence[str | None] | None = None,
    headings: Sequence[str] | None = None,
) -> Statement:
    """Build one ``Statement`` from printed rows.

    ``rows`` are ``(label, cell_texts, page, bbox)``; ``cell_texts`` are in the order of
    ``columns`` (missing trailing cells count as empty); ``bbox`` is a ``BBox``, an
    ``(x0, top, x1, bottom)`` tuple or None. ``unit`` is the printed multiplier (1, 1000,
    10000, …). A cell that is not a number is kept as printed with value None and a warning.
    """
    warnings: list[str] = []
    rows, notes, row_nos = _join_wrapped_rows(kind, rows, notes, row_nos)
    parsed: list[tuple[str, list[Decimal | None], list[str], bool, bool, int, BBox | None]] = []
    heading = ""
    for idx, (label, cells, page, box) in enumerate(rows):
        texts = [str(c or "").strip() for c in cells][: len(columns)]
        texts += [""] * (len(columns) - len(texts))
        values: list[Decimal | None] = []
        percent = False
        for t in texts:
            try:
                cell = parse_cell(t)
            except ValueError:
                warnings.append(f"page {page}: cell {t!r} of row {label!r} is not a number; kept as empty")
                values.append(None)
                continue
            percent = percent or cell.percent
            values.append(cell.value)
        if not any(v is not None for v in values) and not any(texts):
            heading = label
        per_share = bool(_PER_SHARE.search(label)) or (
            bool(re.fullmatch(r"\s*(basic|diluted)\s*[:：]?\s*", label, re.IGNORECASE)) and bool(_PER_SHARE.search(heading))
        )
        if headings is not None and idx < len(headings) and _PER_SHARE.search(headings[idx] or ""):
            per_share = True
        parsed.append((label, values, texts, per_share, percent, page, _bbox(box)))
    keys, explained = explain_keys([MapRow(p[0], p[1], p[6].x0 if p[6] is not None else None) for p in parsed], kind)
    warnings.extend(explained)
    items: list[LineItem] = []
    for i, ((label, values, texts, per_share, percent, page, box), key) in enumerate(zip(parsed, keys)):
        if key in ("basic_eps", "diluted_eps"):
            per_share = True
        mult = 1 if (per_share or percent) else unit
        scaled = [v * mult if (v is not None and mult != 1) else v for v in values]
        items.append(
            LineItem(
                key=key,
                label=label,
                values=scaled,
                page=page,
                printed=texts,
                bbox=box,
                note=(notes[i] if notes is not None and i < len(notes) else None),
                row_no=(row_nos[i] if row_nos is not None and i < len(row_nos) else None),
                per_share=per_share,
                percent=percent,
            )
        )
    st = Statement(kind=kind, scope=scope, currency=currency, unit=unit, pages=sorted(set(pages)), title=title,
                   columns=columns, items=items, warnings=warnings)
    st.warnings.extend(check_statement(st))
    return st


def _join_wrapped_rows(kind: str, rows: Sequence[RowInput], notes, row_nos):
    """Rows that are one label wrapped over several printed lines become one row (``join_wrapped``):
    the label joined, the figures of the line that has them, the boxes united."""
    valued = [any(str(c or "").strip() for c in cells) for _, cells, _, _ in rows]
    groups = join_wrapped([r[0] for r in rows], valued, kind)
    if all(len(g) == 1 for g in groups):
        return rows, notes, row_nos
    out: list[RowInput] = []
    out_notes: list[str | None] = []
    out_nos: list[str | None] = []
    for g in groups:
        main = next((j for j in g if valued[j]), g[0])
        label = join_label([rows[j][0] for j in g])
        boxes = [_bbox(rows[j][3]) for j in g if rows[j][3] is not None]
        box = BBox(x0=min(b.x0 for b in boxes), top=min(b.top for b in boxes), x1=max(b.x1 for b in boxes),
                   bottom=max(b.bottom for b in boxes)) if boxes else None
        out.append((label, rows[main][1], rows[main][2], box))
        out_notes.append(next((notes[j] for j in g if notes is not None and j < len(notes) and notes[j]), None))
        out_nos.append(next((row_nos[j] for j in g if row_nos is not None and j < len(row_nos) and row_nos[j]), None))
    return out, (out_notes if notes is not None else None), (out_nos if row_nos is not None else None)


def _bbox(box) -> BBox | None:
    if box is None or isinstance(box, BBox):
        return box
    x0, top, x1, bottom = box
    return BBox(x0=x0, top=top, x1=x1, bottom=bottom)
