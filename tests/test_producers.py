"""The synthetic statements written by other PDF producers extract exactly (eval/producers.py).

HTML rendering always runs; the producers themselves (chromium, LibreOffice, weasyprint) are
optional tools: each test skips with the reason when its tool is absent.
"""

from __future__ import annotations

import re

import pytest

from assistant.demo.statements import sample_specs
from eval import producers

SPECS = {s.layout: s for s in sample_specs()}


def _needs(producer: str) -> None:
    reason = producers.unavailable(producer)
    if reason:
        pytest.skip(reason)


def _exact(case) -> None:
    row = producers.score_case(case)
    assert row["total"] > 0
    assert row["exact"], row["errors"][:5]


def test_html_rendering_prints_every_figure_under_th_headers():
    doc, blocks = producers.spec_html(SPECS["sme_side_by_side"])
    assert doc.count("<section") == len(blocks) == 1
    heads = re.findall(r"<th[^>]*>([^<]*)</th>", doc)
    assert "行次" in heads and "期末余额" in heads and "负债和所有者权益（或股东权益）" in heads
    cells = set(re.findall(r'<td class="num">([^<]*)</td>', doc))
    printed = {t for row in blocks[0].all_rows() for t in row.printed if t}
    assert printed and printed <= cells


@pytest.mark.parametrize("producer", [pytest.param("chromium", marks=pytest.mark.browser), "weasyprint"])
def test_html_printed_to_pdf_extracts_exactly(producer, tmp_path):
    _needs(producer)
    specs = {k: SPECS[k] for k in ("sme_income", "ifrs_interim")}
    cases = producers.html_cases(producer, specs, tmp_path)
    assert sorted(c.name for c in cases) == ["ifrs_interim", "ifrs_interim_plain", "sme_income", "sme_income_plain"]
    for case in cases:
        _exact(case)


def test_libreoffice_export_of_excel_statements_extracts_exactly(tmp_path):
    # left-aligned headers and text cells, numbers stored as text, cells padded by a point
    _needs("libreoffice")
    layouts = ("sme_side_by_side", "listed_notes", "us_10q", "ruled_grid")
    cases = producers.libreoffice_cases(SPECS, tmp_path, layouts=layouts, text_numbers=(False, True))
    assert len(cases) == 8
    for case in cases:
        _exact(case)


def test_libreoffice_writer_pdf_of_the_html_extracts_exactly(tmp_path):
    # left-aligned figures, two dates closer than the usual header gap, EPS rows carried to
    # the next page under a repeated header
    _needs("writer")
    specs = {k: SPECS[k] for k in ("ifrs_interim", "consolidated_parent")}
    cases = producers.html_cases("writer", specs, tmp_path, variants=("plain",))
    assert sorted(c.name for c in cases) == ["consolidated_parent_plain", "ifrs_interim_plain"]
    for case in cases:
        _exact(case)
