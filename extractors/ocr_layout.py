"""The layout of a page image, read without OCR: is it a table or prose?

The statement search of a long scanned report (``extractors.ocr.statement_pages``) spends most of
its time recognising text. Most pages of an annual report are prose (the business, the risks, the
notes' running text) and a statement is a table. ``page_layout`` finds the text phrases of a small
page image with OpenCV (adaptive threshold, so uneven light and a phone photo's shading do not
matter; characters merged along the line into phrases; connected components) in a few hundredths
of a second, and ``may_hold_statement`` keeps every page that is not clearly prose:

* a table shows many short phrases in the right part of the page (the figures' columns), or
* few of its phrases run across most of the page's width (a statement's rows are label ··· figures,
  broken by the column gaps; a dotted leader is too faint to count as a line of prose).

A prose page (full-width lines, no figure columns) and a nearly blank page are skipped without
recognition. The test errs towards keeping: a page of note tables or a table of contents is
scouted as before; only the recognition of its title decides.
"""

from __future__ import annotations

from dataclasses import dataclass

#: A phrase is a text component at most this tall (share of the page height) and at least this tall
#: (specks of grain are smaller) …
PHRASE_MAX_H = 0.03
PHRASE_MIN_H = 0.004
#: … a figure is a phrase narrower than this share of the page width whose middle lies right of this.
FIGURE_MAX_W = 0.15
FIGURE_FROM_X = 0.55
#: A line of prose spans more than this share of the width with ink on at least this share of its box.
PROSE_MIN_W = 0.5
PROSE_MIN_INK = 0.15
#: The page may hold a statement with at least this many phrases and either this many figures in
#: its right part or at most this share of its phrases lines of prose.
MIN_PHRASES = 8
MIN_FIGURES = 6
MAX_PROSE_SHARE = 0.25


@dataclass(frozen=True)
class Layout:
    phrases: int  # text components (words merged along their line)
    figures: int  # short phrases in the right part of the page
    prose: int  # full-width, densely inked lines

    @property
    def may_hold_statement(self) -> bool:
        return self.phrases >= MIN_PHRASES and (self.figures >= MIN_FIGURES or self.prose <= MAX_PROSE_SHARE * self.phrases)


def page_layout(grey) -> Layout:
    """Phrases, figure phrases and prose lines of a grey page image (uint8, dark ink on light paper;
    the page at about 70–130 dpi)."""
    import cv2
    import numpy as np

    grey = np.ascontiguousarray(grey)
    h, w = grey.shape
    block = max(15, (min(h, w) // 40) | 1)  # the neighbourhood that sets the local paper level: a few lines tall
    grey = cv2.GaussianBlur(grey, (3, 3), 0)  # grain: a speck of one pixel stays under the threshold
    ink = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)
    k = max(3, round(w * 0.012))  # about one character: merges the letters and words of a phrase, not columns
    merged = cv2.dilate(ink, cv2.getStructuringElement(cv2.MORPH_RECT, (k, 1)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(merged, connectivity=8)
    if n <= 1:
        return Layout(0, 0, 0)
    inked = np.bincount(labels[ink > 0], minlength=n)[1:]
    x, bw, bh = stats[1:, 0], stats[1:, 2], stats[1:, 3]
    phrase = (bh >= h * PHRASE_MIN_H) & (bh <= h * PHRASE_MAX_H) & (bw >= bh)
    figure = phrase & (bw < FIGURE_MAX_W * w) & (x + bw / 2 > FIGURE_FROM_X * w)
    prose = phrase & (bw > PROSE_MIN_W * w) & (inked >= PROSE_MIN_INK * bw * bh)
    return Layout(int(phrase.sum()), int(figure.sum()), int(prose.sum()))


__all__ = ["Layout", "page_layout"]
