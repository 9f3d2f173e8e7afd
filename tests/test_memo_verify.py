"""The memo verifier: every number traceable, and a planted wrong number caught."""

from __future__ import annotations

import pytest

from assistant.memo import allowed_numbers, build_memo, memo_text, render_docx, render_markdown, render_pdf, verify_memo
from assistant.memo.builder import resolve_span
from tests.memo_fixtures import declining_client, sound_client

CLIENTS = {"declining": declining_client, "sound": sound_client}


@pytest.fixture(scope="module")
def declining_zh():
    snap = declining_client()
    memo = build_memo(snap, "2026Q3")
    return snap, memo, render_markdown(memo), allowed_numbers(snap, resolve_span("2026Q3"))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_every_number_of_a_built_memo_is_traceable(name, lang):
    snap = CLIENTS[name]()
    memo = build_memo(snap, "2026Q3", lang=lang)
    report = verify_memo(render_markdown(memo), allowed_numbers(snap, resolve_span("2026Q3")))
    assert report.ok, report.summary()
    assert report.total > 100  # the memo is full of numbers, and all were checked


@pytest.mark.parametrize("old,new", [
    ("营业收入 1.52亿元", "营业收入 1.57亿元"),  # a stored figure
    ("| 1.11倍[^", "| 1.31倍[^"),  # a ratio in the table
    ("同比下降 28.2%", "同比下降 23.2%"),  # a computed change
    ("落后 17.0个百分点", "落后 12.0个百分点"),  # a gap from the site note
    ("2026-08-20，王敏", "2026-08-21，王敏"),  # a date
    ("3.00亿元[^1]", "3.50亿元[^1]"),  # a facility term
    ("第4页", "第9页"),  # a page of a source
])
def test_a_planted_wrong_number_fails(declining_zh, old, new):
    _, _, text, allowed = declining_zh
    assert old in text
    report = verify_memo(text.replace(old, new, 1), allowed)
    assert not report.ok
    planted = new.strip("| ").split("[")[0].split("，")[0]
    assert any(u.text in planted or planted.endswith(u.text) or u.text in new for u in report.unsupported), report.summary()
    assert report.traceable == report.total - len(report.unsupported)


@pytest.mark.parametrize("old,new", [
    ("共触发 10 项预警", "共触发 11 项预警"),  # eleven is no count of anything
    ("共触发 10 项预警", "共触发 3 项预警"),  # the previous quarter's high count is not this one's
    ("其中高风险 4 项", "其中高风险 2 项"),
])
def test_a_wrong_count_fails_even_when_some_number_equals_it(declining_zh, old, new):
    _, _, text, allowed = declining_zh
    assert old in text
    report = verify_memo(text.replace(old, new, 1), allowed)
    assert not report.ok
    assert [u.text for u in report.unsupported] == [new.split()[1]]


def test_allowed_numbers_come_from_the_facts_not_the_memo(declining_zh):
    """Change a stored fact after the memo was written: the memo no longer verifies."""
    snap, _, text, _ = declining_zh
    other = declining_client()
    fact = next(f for f in other.facts if f.key == "revenue" and f.span == resolve_span("2026Q3"))
    fact.value = fact.value + 10_000_000
    report = verify_memo(text, allowed_numbers(other, resolve_span("2026Q3")))
    assert not report.ok
    assert any("1.52亿" in u.text for u in report.unsupported)


def test_verifier_ignores_the_metadata_line_but_checks_everything_else(declining_zh):
    _, _, text, allowed = declining_zh
    assert "digest" in text
    injected = text.replace("## 9.", "另查明新增对外担保 4,321.00万元。\n\n## 9.")
    report = verify_memo(injected, allowed)
    assert [u.text for u in report.unsupported] == ["4,321.00万"]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_rendered_files_read_back_and_verify(tmp_path, declining_zh, fmt):
    snap, memo, _, allowed = declining_zh
    path = tmp_path / f"memo.{fmt}"
    (render_docx if fmt == "docx" else render_pdf)(memo, path)
    text, meta = memo_text(path)
    assert meta["client"] == "示例新能源股份有限公司" and meta["period"] == "2026Q3"
    assert meta["as_of"] == "2026-10-25"
    report = verify_memo(text, allowed)
    assert report.ok, report.summary()
    assert report.total > 100


def test_english_pdf_with_wrapped_amounts_verifies(tmp_path):
    snap = declining_client()
    memo = build_memo(snap, "2026Q3", lang="en")
    path = tmp_path / "memo.pdf"
    render_pdf(memo, path)
    text, _ = memo_text(path)
    report = verify_memo(text, allowed_numbers(snap, resolve_span("2026Q3")))
    assert report.ok, report.summary()


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(CLIENTS))
def test_every_pdf_memo_reads_back_and_verifies(tmp_path, name, lang):
    """The PDF's line wraps fall where its font's metrics put them: any of them must read back."""
    snap = CLIENTS[name]()
    path = tmp_path / "memo.pdf"
    render_pdf(build_memo(snap, "2026Q3", lang=lang), path)
    text, meta = memo_text(path)
    assert meta["lang"] == lang
    report = verify_memo(text, allowed_numbers(snap, resolve_span("2026Q3")))
    assert report.ok, report.summary()


def test_a_unit_split_by_a_pdf_line_wrap_reads_as_one_amount(declining_zh):
    """CJK text breaks between any two characters: "3.5个百分" ends a line, "点" starts the next."""
    from assistant.memo.verify import _join_split_units

    _, _, _, allowed = declining_zh
    assert _join_split_units("下降 3.5个百分\n点。") == "下降 3.5个百分点。"
    assert _join_split_units("上升8.0个\n百分点") == "上升8.0个百分点"
    assert _join_split_units("310.00万\n元") == "310.00万元"
    assert _join_split_units("2.26倍\n，幅度") == "2.26倍\n，幅度"  # no unit continues there
    assert _join_split_units("共 10 项\n预警") == "共 10 项\n预警"
    assert _join_split_units("已投\n入 1.82") == "已投\n入 1.82"  # no number before the break
    assert not verify_memo("毛利率较上期下降 3.5个百分\n点。", allowed).ok  # read as a bare 3.5
    assert verify_memo(_join_split_units("毛利率较上期下降 3.5个百分\n点。"), allowed).ok
    wrong = verify_memo(_join_split_units("毛利率较上期下降 3.7个百分\n点。"), allowed)
    assert [u.text for u in wrong.unsupported] == ["3.7个百分点"]


def test_a_table_figure_swapped_for_another_true_figure_is_caught_with_the_rebuilt_tables(declining_zh, tmp_path):
    """1.68亿 is last quarter's revenue: an allowed value, but not this quarter's revenue cell."""
    from assistant.memo.verify import rebuilt_tables

    snap, memo, text, allowed = declining_zh
    row = next(line for line in text.splitlines() if line.startswith("| 营业收入 | 1.52亿元"))
    swapped = text.replace(row, row.replace("1.52亿元", "1.68亿元", 1))
    assert verify_memo(swapped, allowed).ok  # the value check alone cannot tell
    tables = rebuilt_tables(snap, resolve_span("2026Q3"), "zh")
    report = verify_memo(swapped, allowed, tables=tables)
    assert not report.ok and [u.text for u in report.unsupported] == ["1.68亿"]
    assert verify_memo(text, allowed, tables=tables).ok
    # the same through Word: rows read back as "label | cell | …"
    from docx import Document

    path = tmp_path / "memo.docx"
    render_docx(memo, path)
    doc = Document(str(path))
    cell = next(c for t in doc.tables for r in t.rows if r.cells[0].text == "营业收入" for c in r.cells[1:2])
    cell.paragraphs[0].runs[0].text = cell.paragraphs[0].runs[0].text.replace("1.52", "1.68")
    doc.save(str(path))
    read, _ = memo_text(path)
    assert verify_memo(read, allowed).ok and not verify_memo(read, allowed, tables=tables).ok
