"""Scanned statements: a generated statement printed, scanned (skew, grain) and read back by OCR.

The OCR runs on one small page per test (a few seconds on 2 cores); the steps after the words
(rows, columns, periods, mapping, checks) are the text-PDF ones, tested elsewhere.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from extractors.errors import ScannedDocumentError
from extractors.models import Column
from extractors.pipeline import extract_file
from extractors.statements import build_statement

pytest.importorskip("rapidocr_onnxruntime")


def _values(result) -> dict[tuple, Decimal | None]:
    return {(st.kind, c.period_start, c.period_end, it.key): v
            for st in result.statements for it in st.items if it.key for c, v in zip(st.columns, it.values)}


@pytest.fixture(scope="module")
def scanned_statement(tmp_path_factory):
    """A one-page SME income statement, rendered at 150 dpi, skewed 0.8°, with grain; its truth."""
    import numpy as np
    import pypdfium2 as pdfium
    from PIL import Image

    from assistant.demo.statements import StatementSpec, render_pdf

    d = tmp_path_factory.mktemp("scan")
    spec = StatementSpec(company="浙江鼎泰纺织有限公司", layout="sme_income", seed=3, period_end=dt.date(2026, 9, 30),
                         span="month", scale=30_000_000)
    truth = render_pdf(spec, d / "statement.pdf")
    doc = pdfium.PdfDocument(str(d / "statement.pdf"))
    img = doc[0].render(scale=150 / 72).to_pil().convert("RGB")
    doc.close()
    img = img.crop((0, 0, img.size[0], img.size[1] // 2))  # the statement fills the top half
    img = img.rotate(0.8, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    arr = np.asarray(img).astype(np.float32) + np.random.default_rng(7).normal(0, 10, img.size[::-1])[:, :, None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    png = d / "statement.png"
    img.save(png, dpi=(150, 150))
    return png, truth


def test_scanned_image_is_read_exactly(scanned_statement):
    png, truth = scanned_statement
    lines: list[str] = []
    result = extract_file(png, progress=lines.append)
    assert _values(result) == _values(truth)
    st = result.statements[0]
    assert st.kind == "income_statement" and st.unit == 1
    assert any("OCR page 1/1" in x for x in lines)  # per-page progress
    # every figure carries the recogniser's confidence and its own box on the page
    revenue = st.item("revenue")
    assert revenue.confidence and all(0.5 < c <= 1 for c in revenue.confidence)
    assert revenue.value_boxes and all(b is not None and b.x1 > b.x0 for b in revenue.value_boxes)
    assert any("OCR" in w for w in result.warnings)
    # even an exact read waits for a person: the statement is flagged for review, never used unconfirmed
    assert st.warnings and st.warnings[0].startswith("read by OCR from a scan")


def test_scanned_pdf_is_read_like_the_image(scanned_statement, tmp_path):
    from PIL import Image

    png, truth = scanned_statement
    pdf = tmp_path / "scan.pdf"
    Image.open(png).save(pdf, "PDF", resolution=150.0)
    result = extract_file(pdf)
    assert _values(result) == _values(truth)
    assert result.pages == 1


def test_blank_scan_is_refused_in_one_line(tmp_path):
    from PIL import Image

    path = tmp_path / "blank.jpg"
    Image.new("RGB", (1240, 1754), (247, 247, 245)).save(path, quality=80)
    with pytest.raises(ScannedDocumentError) as info:
        extract_file(path)
    assert "no text could be read from the scanned pages" in str(info.value)
    assert "\n" not in str(info.value)


def test_damaged_image_is_a_document_error(tmp_path):
    from extractors.errors import DocumentError

    path = tmp_path / "cut.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(300))
    with pytest.raises(DocumentError):
        extract_file(path)


# ---------------------------------------------------------------- steps without the engine


def _statement(rows):
    cols = [Column(period_end=dt.date(2026, 9, 30), label="期末余额")]
    return build_statement("balance_sheet", "consolidated", "资产负债表", cols,
                           [(label, [cell], 1, (50.0, 100.0 + 20 * i, 500.0, 112.0 + 20 * i)) for i, (label, cell) in enumerate(rows)],
                           1, "CNY", [1])


def test_low_confidence_figure_becomes_a_warning():
    from extractors.ocr import OcrPage, OcrWord, attach_confidence

    st = _statement([("货币资金", "1,234.56"), ("存货", "7,000.00")])
    words = [OcrWord("货币资金", 50, 100, 100, 112, 0.99), OcrWord("1,234.56", 400, 480, 100, 112, 0.99),
             OcrWord("存货", 50, 80, 120, 132, 0.99), OcrWord("7,000.00", 400, 480, 120, 132, 0.61)]
    attach_confidence(st, {1: OcrPage(1, 595, 842, words)})
    assert st.item("cash").confidence == [0.99]
    assert st.item("inventory").confidence == [0.61]
    assert st.item("inventory").value_boxes[0].x0 == 400
    flagged = [w for w in st.warnings if "low confidence" in w]
    assert len(flagged) == 1 and "7,000.00" in flagged[0] and "1,234.56" not in flagged[0]


def test_subtotal_that_is_not_the_sum_of_its_rows_is_flagged():
    from extractors.ocr import subtotal_warnings

    good = _statement([("货币资金", "100.00"), ("存货", "50.00"), ("流动资产合计", "150.00"),
                       ("固定资产", "30.00"), ("非流动资产合计", "30.00"), ("资产总计", "180.00")])
    assert subtotal_warnings(good) == []
    misread = _statement([("货币资金", "100.00"), ("存货", "80.00"), ("流动资产合计", "150.00")])  # 5 read as 8
    assert len(subtotal_warnings(misread)) == 1


def test_boxes_become_deskewed_words_split_at_labels_and_figures():
    """A box holding a label and a figure is cut where the recogniser placed its characters;
    a page skewed by a degree comes back level."""
    import math

    from extractors.ocr_words import boxes_to_words

    a = math.radians(1.0)  # the whole page turned by 1° about its centre (600, 800)

    def box(x0, y0, text, pitch=20.0, h=30.0):
        def at(x, y):
            dx, dy = x0 + x - 600, y0 + y - 800
            return [600 + dx * math.cos(a) - dy * math.sin(a), 800 + dx * math.sin(a) + dy * math.cos(a)]
        n = len(text)
        chars = [[at(i * pitch, 0), at(i * pitch + pitch * 0.8, 0), at(i * pitch + pitch * 0.8, h), at(i * pitch, h)] for i in range(n)]
        quad = [at(0, 0), at(n * pitch, 0), at(n * pitch, h), at(0, h)]
        return [quad, text, 0.98, chars, list(text), [0.98] * n]

    rows = [box(100, 100 + 60 * i, f"货币资金{' ' * 8}{i + 1},234.56") for i in range(6)]
    rows += [box(800, 100 + 60 * i, f"{i + 5},678.90") for i in range(6)]  # the next column of figures
    words, angle = boxes_to_words(rows, 0.5, (600, 800))
    assert abs(angle - 1.0) < 0.05
    texts = [w.text for w in words]
    assert texts[:2] == ["货币资金", "1,234.56"]
    firsts = [w for w in words if w.text == "货币资金"]
    assert max(w.top for w in firsts[:1]) == pytest.approx(firsts[0].top)
    figures = [w for w in words if "234" in w.text]
    assert max(f.x1 for f in figures) - min(f.x1 for f in figures) < 1.0  # a straight column after deskew


def test_english_words_lost_by_the_recogniser_are_restored():
    from extractors.ocr_words import _split_chars

    text = "CondensedConsolidatedBalanceSheets"
    spans = [(ch, 10.0 * i, 10.0 * i + 8) for i, ch in enumerate(text)]
    words = ["".join(c[0] for c in part) for part in _split_chars(spans, [0.99] * len(text), 20.0)]
    assert words == ["Condensed", "Consolidated", "Balance", "Sheets"]
    text = "Cashandcashequivalents"
    spans = [(ch, 10.0 * i, 10.0 * i + 8) for i, ch in enumerate(text)]
    words = ["".join(c[0] for c in part) for part in _split_chars(spans, [0.99] * len(text), 20.0)]
    assert words == ["Cash", "and", "cash", "equivalents"]


def test_slanted_photo_columns_are_stood_upright():
    """A phone photo narrows the page towards the top: the figure columns lean and spread."""
    from extractors.ocr_words import OcrWord, straighten_columns

    words, truth = [], []
    for i in range(20):
        y = 100 + 25 * i
        squeeze = 1 - 0.04 * (1 - i / 19)  # 4% narrower at the top row
        for x0, x1, text in ((60, 140, f"行{i}项目"), (330, 400, f"{i + 1},234.56"), (460, 530, f"{i + 7},890.12")):
            words.append(OcrWord(text, 300 + (x0 - 300) * squeeze, 300 + (x1 - 300) * squeeze, y - 5, y + 5, 0.99))
            truth.append((x0, x1))
    assert straighten_columns(words)
    rights = [w.x1 for w in words if w.text.endswith(".12")]
    assert max(rights) - min(rights) < 1.0
    assert not straighten_columns(words)  # upright now: left alone


def test_only_pages_whose_top_names_a_statement_are_read_in_full():
    """The scouting pass reads the top of every page; only title pages (and the page after) get the full pass."""
    from extractors.ocr import SCOUT_SIDE, OcrPage, OcrWord, statement_pages

    class FakeReader:
        def __init__(self):
            self.calls = []

        def read(self, wanted, side, top=1.0):
            self.calls.append((list(wanted), side, top))
            for p in wanted:
                text = "合并资产负债表" if p == 7 else ("母公司利润表" if p == 9 else "第三节 管理层讨论与分析")
                yield OcrPage(p, 595, 842, [OcrWord(text, 200, 380, 60, 72, 0.99)])

    reader = FakeReader()
    assert statement_pages(reader, 200, None) == {7, 9}
    assert reader.calls == [(list(range(1, 201)), SCOUT_SIDE, pytest.approx(0.30))]


def test_a_contents_page_listing_the_statements_is_not_read_in_full():
    """An index of the statements (titles beside page numbers) names several kinds; the statements' own pages name one."""
    from extractors.ocr import OcrPage, OcrWord, statement_pages

    tops = {
        # as the recogniser reads an index: each page number a line of its own, a little above its title
        5: [("INDEX TO THE CONSOLIDATED FINANCIAL STATEMENTS", 100), ("68", 116), ("Consolidated Balance Sheets", 130),
            ("69", 146), ("Consolidated Statements of Operations", 160), ("73", 176), ("Consolidated Statements of Cash Flows", 190)],
        6: [("目录", 100), ("合并资产负债表", 130), ("45", 144), ("合并利润表", 160), ("48", 174)],
        8: [("SQUARE, INC.", 100), ("CONSOLIDATED BALANCE SHEETS", 120), ("December 31,", 150), ("2016 2015", 170)],
    }

    class FakeReader:
        def read(self, wanted, side, top=1.0):
            for p in wanted:
                words = [OcrWord(t, 100 if not t.isdigit() else 480, 300 if not t.isdigit() else 500, y, y + 12, 0.99)
                         for t, y in tops.get(p, [("Management's discussion and analysis", 100)])]
                yield OcrPage(p, 595, 842, words)

    assert statement_pages(FakeReader(), 20, None) == {8}


def test_a_scanned_statement_is_ingested_and_flagged_for_review(scanned_statement, home):
    # through the real ingest path: stored as a statement, its figures unconfirmed until a person confirms
    from assistant.ingest import ingest
    from assistant.review import flagged
    from assistant.store import close_stores, open_store

    png, truth = scanned_statement
    store = open_store()
    try:
        report = ingest([png], client="浙江鼎泰纺织有限公司", store=store, workers=1, index=False)
        assert [r.status for r in report.results] == ["stored"]
        waiting = flagged(store)
        assert len(waiting) == 1 and waiting[0].kind == "income_statement"
        assert any(w.startswith("read by OCR from a scan") for w in waiting[0].warnings)
    finally:
        close_stores()


# ---------------------------------------------------------------- figures flagged one by one


def test_each_low_confidence_figure_carries_its_own_flag():
    from extractors.ocr import OcrPage, OcrWord, attach_confidence

    st = _statement([("货币资金", "1,234.56"), ("存货", "7,000.00")])
    words = [OcrWord("货币资金", 50, 100, 100, 112, 0.99), OcrWord("1,234.56", 400, 480, 100, 112, 0.99),
             OcrWord("存货", 50, 80, 120, 132, 0.99), OcrWord("7,000.00", 400, 480, 120, 132, 0.61)]
    attach_confidence(st, {1: OcrPage(1, 595, 842, words)})
    assert st.item("cash").flags is None
    assert st.item("inventory").flags == ["read with low confidence 0.61"]


def test_a_subtotal_off_by_one_digit_flags_its_run_and_names_the_likely_misread_figure():
    from extractors.ocr import figure_flags

    # 存货 printed 50.00, read 80.00: the run is off by 30.00, one digit of 存货 explains it
    st = _statement([("货币资金", "100.00"), ("存货", "80.00"), ("流动资产合计", "150.00"),
                     ("固定资产", "30.00"), ("非流动资产合计", "30.00")])
    warnings = figure_flags(st)
    flags = {it.label: (it.flags or [None])[0] for it in st.items}
    assert "likely the misread figure" in flags["存货"]
    assert flags["货币资金"] and "does not add up" in flags["货币资金"]
    assert flags["流动资产合计"] and "does not add up" in flags["流动资产合计"]
    assert flags["固定资产"] is None and flags["非流动资产合计"] is None  # their own run adds up
    assert any("is not the sum of the rows above it" in w and "存货 80.00" in w for w in warnings)
    # the figures stay as read: the identities find misread digits, they never fix them
    assert st.item("inventory").values == [Decimal("80.00")]


def test_a_failed_identity_flags_every_figure_it_reads():
    from extractors.ocr import figure_flags

    st = _statement([("资产总计", "180.00"), ("负债合计", "100.00"), ("所有者权益合计", "90.00"),
                     ("负债和所有者权益总计", "190.00")])
    figure_flags(st)
    for key in ("total_assets", "total_liabilities_and_equity"):
        assert "fails an identity" in st.item(key).flags[0], key


def test_ocr_figures_are_stored_with_confidence_and_cell_box_and_the_cell_crop_shows_the_value(scanned_statement, home):
    """The stored box cuts the printed figure out of the stored scan: reading the crop back gives the value."""
    import io

    from PIL import Image
    from sqlalchemy import select

    from assistant.ingest import ingest
    from assistant.review import cell_image, flagged_figures
    from assistant.store import close_stores, open_store
    from assistant.store.schema import FigureRow
    from extractors.ocr import ocr_image

    png, truth = scanned_statement
    store = open_store()
    try:
        ingest([png], client="浙江鼎泰纺织有限公司", store=store, workers=1, index=False)
        with store.session() as s:
            figs = list(s.execute(select(FigureRow).where(FigureRow.key == "revenue")).scalars())
        assert figs and all(f.confidence is not None and 0.5 < f.confidence <= 1 for f in figs)
        f = figs[0]
        assert f.cell_x0 is not None and f.cell_x0 < f.cell_x1 and f.cell_top < f.cell_bottom
        crop = Image.open(io.BytesIO(cell_image(store, f.id)))
        assert crop.size[0] < 600 and crop.size[1] < 120  # one cell, not the page
        read = ocr_image(crop, page=1, width_pt=crop.size[0] * 72 / 200, threads=1)
        assert f.printed.replace(",", "") in "".join(w.text for w in read.words).replace(",", "")
        # the review lists the figures flagged on their own, each with its reason and its cell
        for ff in flagged_figures(store, f"S{f.statement_id}"):
            assert ff.flag and ff.bbox is not None
            if ff.flag.startswith("read with low confidence"):
                assert ff.confidence < 0.90
    finally:
        close_stores()


def test_ingest_shows_each_scanned_page_read(scanned_statement, home, capsys):
    from assistant.ingest import ingest
    from assistant.store import close_stores, open_store

    png, _ = scanned_statement
    store = open_store()
    try:
        ingest([png], client="浙江鼎泰纺织有限公司", store=store, workers=1, index=False, progress=True)
    finally:
        close_stores()
    assert "statement.png: OCR page 1/1" in capsys.readouterr().err


def test_a_unit_the_scan_lost_flags_every_figure():
    from extractors.ocr import figure_flags
    from extractors.ocr_checks import flag_all

    st = _statement([("货币资金", "100.00"), ("存货", "50.00"), ("流动资产合计", "150.00")])
    flag_all(st, "no unit could be read on the page")
    figure_flags(st)
    assert all(it.flags == ["no unit could be read on the page"] for it in st.items)
