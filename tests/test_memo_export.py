"""Word/PDF export is the stored text (issue 12): the officer's saved edits, never the metadata
comment; A4, a header, page numbers, a DRAFT mark until approved, the sign-off block.

The PDF is read back with poppler's ``pdftotext`` (another reader than the one the verifier
uses) and the Word file with python-docx.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest

from assistant.memo import build_memo, render_markdown
from assistant.memo.export import SignOff, export_docx, export_pdf, parse_markdown, printed_text
from tests.memo_fixtures import declining_client

EDIT = "客户经理补充：已约谈实际控制人，要求限期提交整改方案。"


@pytest.fixture(scope="module")
def edited():
    text = render_markdown(build_memo(declining_client(), "2026Q3"))
    return text.replace("检查发现的问题：", f"检查发现的问题：\n\n{EDIT}", 1)


def _pdftotext(data: bytes, tmp_path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler's pdftotext is not installed")
    path = tmp_path / "memo.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _squash(s: str) -> str:
    return re.sub(r"\s+", "", s)


DRAFT = SignOff(3, "edited", prepared_by=["李强"], prepared_on=dt.date(2026, 10, 25))
APPROVED = SignOff(5, "approved", prepared_by=["李强"], prepared_on=dt.date(2026, 10, 25), submitted_by="李强",
                   approved_by="张主管", approved_on=dt.date(2026, 10, 28))


def test_the_pdf_prints_the_saved_text_and_never_the_metadata(edited, tmp_path):
    data = export_pdf(edited, DRAFT, bank="示例银行")
    text = _pdftotext(data, tmp_path)
    assert "loanwatch-memo" not in text and "digest" not in text and "<!--" not in text
    assert _squash(EDIT) in _squash(text)
    body = re.sub(r"\[\d{1,3}\]", "", _squash(text))  # citation marks are superscripts, not the text's
    from assistant.memo.model import Table

    for item in parse_markdown(edited):  # every printed line and table cell of the stored text is in the file
        # a table cell may wrap inside its column, and a layout reader interleaves columns: its words
        parts = [w for row in item.rows for c in row for w in c.text.split()] if isinstance(item, Table) \
            else [printed_text([item])]
        for part in parts:
            assert re.sub(r"\[\d{1,3}\]", "", _squash(part))[:40] in body, part
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    for n, page in enumerate(pages, start=1):  # every page has its number and the header
        assert re.search(rf"第\s*{n}\s*页", page) and "示例新能源股份有限公司 · 2026Q3" in page
    assert "示例新能源股份有限公司 · 2026Q3 · 示例银行" in text  # the header on the pages
    assert "DRAFT" in text and "草稿" in text
    assert "编制人：李强" in text and "审批人：（尚未审批）" in text
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4


def test_an_approved_pdf_has_the_sign_off_and_no_draft_mark(edited, tmp_path):
    text = _pdftotext(export_pdf(edited, APPROVED), tmp_path)
    assert "DRAFT" not in text and "草稿" not in text
    assert "审批人：张主管" in text and "2026-10-28" in text and "提交人：李强" in text


def test_the_word_file_is_the_saved_text_a4_with_header_footer_and_sign_off(edited):
    from docx import Document

    doc = Document(io.BytesIO(export_docx(edited, DRAFT, bank="示例银行")))
    paragraphs = [p.text for p in doc.paragraphs]
    full = "\n".join(paragraphs + [c.text for t in doc.tables for r in t.rows for c in r.cells])
    assert EDIT in paragraphs
    assert "loanwatch-memo" not in full and "<!--" not in full
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    header = section.header.paragraphs[0].text
    assert "示例新能源股份有限公司 · 2026Q3 · 示例银行" in header and "DRAFT" in header
    assert 'PAGE' in section.footer.paragraphs[0]._p.xml  # a page-number field
    assert any(p.startswith("编制人：李强") for p in paragraphs) and "审批人：（尚未审批）" in paragraphs
    assert doc.core_properties.comments and "示例新能源股份有限公司" in doc.core_properties.comments
    approved = Document(io.BytesIO(export_docx(edited, APPROVED)))
    assert "DRAFT" not in approved.sections[0].header.paragraphs[0].text


def test_exports_read_back_verify(edited, tmp_path, home):
    """memo verify reads an export back without its page furniture: every number still traces."""
    from assistant.memo.workflow import verify_file
    from assistant.store import close_stores, open_store
    from tests.memo_fixtures import store_snapshot

    store_snapshot(open_store(), declining_client())
    try:
        for fmt, data in (("pdf", export_pdf(edited, APPROVED)), ("docx", export_docx(edited, DRAFT))):
            path = tmp_path / f"memo.{fmt}"
            path.write_bytes(data)
            report = verify_file(path)
            assert report.ok, report.summary()
            wrong = tmp_path / f"wrong.{fmt}"
            bad = edited.replace("营业收入 1.52亿元", "营业收入 1.85亿元")
            wrong.write_bytes(export_pdf(bad, DRAFT) if fmt == "pdf" else export_docx(bad, DRAFT))
            assert not verify_file(wrong).ok
    finally:
        close_stores()
