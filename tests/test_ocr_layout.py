"""The page-layout test of the scouting pass: tables (every generated statement layout, a dotted-leader
statement, at any skew the scans get) are kept; prose and blank pages are passed over unread."""

from __future__ import annotations

import datetime as dt
import random

import pytest

pytest.importorskip("cv2")

from extractors.ocr_layout import page_layout  # noqa: E402

_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_WORDS = ("the company recorded revenue growth across segments while operating costs rose with investment in "
          "logistics capacity and personnel management believes liquidity remains adequate for the next year").split()


def _page(draw_lines, *, dpi: int = 100, skew: float = 0.0, seed: int = 1):
    """An A4 page at ``dpi`` as a grey array: ``draw_lines(draw, font, width, rng)`` writes on it."""
    import numpy as np
    from PIL import Image, ImageDraw, ImageFont

    w, h = round(8.27 * dpi), round(11.69 * dpi)
    img = Image.new("L", (w, h), 255)
    font = ImageFont.truetype(_FONT, max(8, round(dpi * 10 / 72)))
    draw_lines(ImageDraw.Draw(img), font, w, random.Random(seed))
    if skew:
        img = img.rotate(skew, resample=Image.BICUBIC, fillcolor=255)
    arr = np.asarray(img).astype(np.float32) + np.random.default_rng(seed).normal(0, 10, (h, w))
    return np.clip(arr, 0, 255).astype(np.uint8)


def _prose(draw, font, w, rng):
    y = int(w * 0.12)
    for _ in range(38):
        line = ""
        while len(line) < 95:
            line += rng.choice(_WORDS) + " "
        draw.text((int(w * 0.1), y), line.strip(), font=font, fill=0)
        y += int(font.size * 1.5)


def _leader_statement(draw, font, w, rng):
    """Label ........ figure   figure: the dots bridge the gap between a label and its figures."""
    draw.text((int(w * 0.35), int(w * 0.1)), "CONSOLIDATED BALANCE SHEETS", font=font, fill=0)
    y = int(w * 0.2)
    for _ in range(30):
        label = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 4))).capitalize()
        draw.text((int(w * 0.1), y), label + " " + "." * (70 - 2 * len(label) // 2), font=font, fill=0)
        for x in (0.62, 0.80):
            draw.text((int(w * x), y), f"{rng.randint(1, 999)},{rng.randint(100, 999)}", font=font, fill=0)
        y += int(font.size * 1.6)


@pytest.mark.parametrize("skew", [0.0, 1.0, -2.0])
def test_prose_and_blank_pages_are_passed_over(skew):
    assert not page_layout(_page(_prose, skew=skew)).may_hold_statement
    assert not page_layout(_page(lambda *a: None, skew=skew)).may_hold_statement


@pytest.mark.parametrize("skew", [0.0, 1.0, -2.0])
@pytest.mark.parametrize("dpi", [70, 100, 130])
def test_a_statement_with_dotted_leaders_is_kept(skew, dpi):
    assert page_layout(_page(_leader_statement, dpi=dpi, skew=skew)).may_hold_statement


def test_every_generated_statement_layout_is_kept(tmp_path):
    """Each layout the demo generator prints (grids, side-by-side, notes, English and Chinese), every page."""
    import numpy as np
    import pypdfium2 as pdfium

    from assistant.demo.statements import LAYOUTS, StatementSpec, render_pdf

    for i, layout in enumerate(sorted(LAYOUTS)):
        path = tmp_path / f"{layout}.pdf"
        render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=dt.date(2025, 12, 31), layout=layout, seed=i), path)
        doc = pdfium.PdfDocument(str(path))
        try:
            for n in range(len(doc)):
                page = doc[n]
                w, h = page.get_size()
                grey = np.asarray(page.render(scale=1100 / max(w, h)).to_pil().convert("RGB"))[:, :, 0]
                page.close()
                assert page_layout(grey).may_hold_statement, (layout, n + 1, page_layout(grey))
        finally:
            doc.close()


def test_the_scouting_read_passes_a_prose_page_over_without_the_engine(monkeypatch):
    from PIL import Image

    from extractors import ocr

    monkeypatch.setattr(ocr, "_engine", lambda threads: pytest.fail("a prose page must not reach the OCR engine"))
    img = Image.fromarray(_page(_prose, dpi=130)).convert("RGB")
    page = ocr.scout_image(img, page=ocr.SCOUT_ALWAYS + 1, width_pt=595.0)
    assert page.skipped == "prose" and not page.words
