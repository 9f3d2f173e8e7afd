"""Chunking respects pages, headings, paragraphs and tables, and sizes chunks for zh and en."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from assistant.retrieval.chunking import MAX, TARGET, pages_to_chunks, size, table_to_chunks
from extractors.models import Column, LineItem, Statement

_CJK = re.compile(r"[\u4e00-\u9fff]")


def _zh_paragraph(n: int, tag: str) -> str:
    return "".join(f"{tag}第{i}句说明公司经营情况良好，现金流稳定，应收账款回收正常。" for i in range(n))


def _en_paragraph(n: int, tag: str) -> str:
    return " ".join(f"{tag} sentence {i} explains that traffic on the toll road rose and costs were stable." for i in range(n))


def test_chunks_never_cross_pages_and_pages_are_one_based() -> None:
    pages = [_en_paragraph(30, "alpha"), "", _zh_paragraph(40, "贝塔")]
    chunks = pages_to_chunks(pages)
    assert {c.page for c in chunks} == {1, 3}
    for chunk in chunks:
        if chunk.page == 1:
            assert "贝塔" not in chunk.text and "alpha" in chunk.text
        else:
            assert "alpha" not in chunk.text and "贝塔" in chunk.text
    assert [c.index for c in chunks] == list(range(len(chunks)))


def test_chinese_chunks_are_300_to_500_characters_with_overlap() -> None:
    chunks = pages_to_chunks([_zh_paragraph(60, "甲")])
    assert len(chunks) >= 4
    for chunk in chunks[:-1]:
        n = len(_CJK.findall(chunk.text))
        assert 300 <= n <= 500, n
    # consecutive chunks share a sentence: the next opens with the end of the previous
    for before, after in zip(chunks, chunks[1:]):
        opening = after.text.split("。")[0]
        assert opening and opening in before.text


def test_english_chunks_are_150_to_250_words_with_overlap() -> None:
    chunks = pages_to_chunks([_en_paragraph(80, "Beta")])
    assert len(chunks) >= 4
    for chunk in chunks[:-1]:
        words = len(chunk.text.split())
        assert 150 <= words <= 250, words
    for before, after in zip(chunks, chunks[1:]):
        first_sentence = after.text.split(".")[0]
        assert first_sentence in before.text


def test_a_heading_starts_a_new_chunk() -> None:
    page = "\n".join([_en_paragraph(8, "intro"), "", "ITEM 7. MANAGEMENT DISCUSSION", _en_paragraph(8, "mdna")])
    chunks = pages_to_chunks([page])
    mdna = [c for c in chunks if "mdna" in c.text]
    assert mdna and mdna[0].text.startswith("ITEM 7. MANAGEMENT DISCUSSION")
    assert all("ITEM 7" not in c.text for c in chunks if "intro" in c.text and "mdna" not in c.text)
    assert mdna[0].heading == "ITEM 7. MANAGEMENT DISCUSSION"


def test_a_long_table_keeps_its_title_and_header_in_every_piece() -> None:
    rows = [f"Line item number {i} {1000 + i:,} {2000 + i:,}" for i in range(120)]
    page = "\n".join(
        ["Some text before the table that explains the statement below.", "", "CONSOLIDATED BALANCE SHEETS",
         "(in thousands)", "As of December 31, 2017 2016", *rows]
    )
    chunks = pages_to_chunks([page])
    tables = [c for c in chunks if c.block == "table"]
    assert len(tables) >= 2
    for chunk in tables:
        lines = chunk.text.splitlines()
        assert "CONSOLIDATED BALANCE SHEETS" in lines[:4]
        assert "As of December 31, 2017 2016" in lines[:5]
        assert size(chunk.text) <= MAX + 60
    body = "\n".join(c.text for c in tables)
    assert all(row in body for row in rows)  # no row lost
    assert sum(body.count(row) for row in rows) == len(rows)  # and none repeated


def test_chinese_statement_rows_form_a_table_chunk_with_the_header() -> None:
    rows = [f"项目{i} {i} 1,{i:03d},000.00 2,{i:03d},000.00" for i in range(10)]
    page = "\n".join(["合并资产负债表", "2020 年 12 月 31 日", "单位:元 币种:人民币", "项目 附注 2020 年 12 月 31 日 2019 年 12 月 31 日", *rows])
    chunks = pages_to_chunks([page])
    assert len(chunks) == 1 and chunks[0].block == "table"
    assert chunks[0].text.startswith("合并资产负债表")
    assert "项目 附注 2020 年 12 月 31 日" in chunks[0].text


def test_extracted_statement_becomes_table_chunks_per_page() -> None:
    statement = Statement(
        kind="balance_sheet",
        title="合并资产负债表",
        columns=[Column(label="2020年12月31日"), Column(label="2019年12月31日")],
        items=[
            LineItem(key="cash", label="货币资金", values=[Decimal(1), Decimal(2)], page=49, printed=["1.00", "2.00"]),
            LineItem(key="total_assets", label="资产总计", values=[Decimal(3), Decimal(4)], page=50, printed=["3.00", "4.00"]),
        ],
    )
    chunks = pages_to_chunks(["第一页"], tables=[statement])
    table_chunks = [c for c in chunks if c.block == "table"]
    assert [c.page for c in table_chunks] == [49, 50]
    assert "合并资产负债表" in table_chunks[0].text and "2020年12月31日" in table_chunks[0].text
    assert "货币资金 | 1.00 | 2.00" in table_chunks[0].text
    assert "资产总计 | 3.00 | 4.00" in table_chunks[1].text


def test_plain_table_mapping_is_accepted() -> None:
    chunks = table_to_chunks({"page": 3, "title": "Covenants", "header": ["name", "limit"], "rows": [["DSCR", "1.2x"]]})
    assert chunks[0].page == 3 and chunks[0].text.splitlines() == ["Covenants", "name | limit", "DSCR | 1.2x"]


def test_size_counts_cjk_characters_and_words() -> None:
    assert size("流动比率") == 4
    assert size("current ratio 1.5") == 6
    assert TARGET < MAX


@pytest.mark.real_data
def test_real_balance_sheet_page_is_one_table_with_its_title(shared_data) -> None:
    from extractors.document import open_pdf

    text = open_pdf(shared_data / "real" / "NETFLIX_2017_10K.pdf")
    chunks = pages_to_chunks(text.page_texts)
    page45 = [c for c in chunks if c.page == 45]
    assert any(c.block == "table" and "CONSOLIDATED BALANCE SHEETS" in c.text and "Total current liabilities" in c.text for c in page45)
    assert max(c.page for c in chunks) == text.page_count


def test_statement_tables_are_tagged_by_title_even_when_wrapped() -> None:
    rows = [f"Row {i} {1000 + i:,} {2000 + i:,}" for i in range(8)]
    pages = [
        "\n".join(["SQUARE, INC.", "CONSOLIDATED", "BALANCE", "SHEETS", "(In thousands)", "December 31, 2016 2015", *rows]),
        "\n".join(rows),  # the statement continues at the top of the next page
        "\n".join(["Selected Financial Data", "Consolidated Balance Sheets Data:", *rows]),
        "\n".join(["合并现金流量表", "2020年1—12月", "项目 附注 2020年度 2019年度", *[f"现金项目{i} {i},000.00 {i},500.00" for i in range(8)]]),
        "\n".join(["Consolidated Balance Sheets 45", "Consolidated Statements of Operations 42", "Consolidated Statements of Cash Flows 44", *rows]),
    ]
    tags = {c.page: c.statement for c in pages_to_chunks(pages)}
    assert tags[1] == "balance_sheet" and tags[2] == "balance_sheet" and tags[4] == "cash_flow"
    assert tags[3] == ""  # "... Balance Sheets Data" is a summary, not the statement
    assert tags[5] == ""  # three titles together: a table of contents
