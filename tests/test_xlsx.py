"""Excel statements: generated workbooks come back exact through the same statement model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from assistant.demo.compare import compare
from assistant.demo.layouts import LAYOUTS
from assistant.demo.statements import render_xlsx, sample_specs
from extractors.errors import CorruptDocumentError, DocumentError, EmptyDocumentError
from extractors.pipeline import extract_file
from extractors.xlsx import extract_xlsx

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(120)
SPECS = {s.layout: s for s in sample_specs(seed=0)}


@pytest.mark.parametrize("text_numbers", [False, True], ids=["numbers", "text"])
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_workbook_is_extracted_exactly(tmp_path, layout, text_numbers):
    path = tmp_path / f"{layout}.xlsx"
    truth = render_xlsx(SPECS[layout], path, text_numbers=text_numbers)
    got = extract_file(path)
    score = compare(truth, got)
    assert score.exact, (
        f"{layout}: {score.correct}/{score.total} correct, {score.wrong} wrong, {score.missed} missed\n"
        + "\n".join(m.line() for m in score.mismatches[:30])
    )
    assert got.company == truth.company
    assert got.pages == len(truth.statements)


def test_side_by_side_sheet_is_one_statement_in_wan_yuan(tmp_path):
    path = tmp_path / "sme.xlsx"
    truth = render_xlsx(SPECS["sme_side_by_side"], path)
    got = extract_xlsx(path)
    [st] = got.statements
    assert (st.kind, st.unit, st.currency, st.pages) == ("balance_sheet", 10000, "CNY", [1])
    # the right half (liabilities and equity) is part of the same statement
    assert st.value("total_liabilities_and_equity") == truth.statements[0].value("total_liabilities_and_equity")
    assert st.value("total_assets") == st.value("total_liabilities_and_equity")
    assert next(i for i in st.items if i.key == "short_term_borrowings").row_no is not None
    assert st.warnings == []


def test_sheet_index_is_the_page(tmp_path):
    path = tmp_path / "cp.xlsx"
    truth = render_xlsx(SPECS["consolidated_parent"], path)
    got = extract_xlsx(path)
    assert [s.pages for s in got.statements] == [[1], [2], [3], [4]]
    assert [(s.kind, s.scope) for s in got.statements] == [(s.kind, s.scope) for s in truth.statements]
    assert all(i.page == s.pages[0] for s in got.statements for i in s.items)


def test_notes_column_is_kept_apart_from_values(tmp_path):
    path = tmp_path / "ln.xlsx"
    render_xlsx(SPECS["listed_notes"], path, text_numbers=True)
    st = extract_xlsx(path).statements[0]
    cash = st.item("cash")
    assert cash.note and cash.note.startswith("七、")
    assert len(cash.values) == len(st.columns) == 2


def test_workbook_without_statements_gives_none(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["客户走访记录", "2026-09-30"])
    wb.active.append(["经营情况", "正常"])
    wb.save(tmp_path / "notes.xlsx")
    result = extract_xlsx(tmp_path / "notes.xlsx")
    assert result.statements == [] and result.pages == 1


def test_truncated_workbook_is_corrupt(tmp_path):
    path = tmp_path / "cut.xlsx"
    render_xlsx(SPECS["listed_notes"], path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptDocumentError):
        extract_xlsx(path)


def test_zip_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "fake.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    with pytest.raises(DocumentError):
        extract_xlsx(path)


def test_empty_workbook_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(EmptyDocumentError):
        extract_file(path)


def test_cli_extracts_a_workbook(tmp_path, home):
    path = tmp_path / "us.xlsx"
    truth = render_xlsx(SPECS["us_10q"], path)
    env = dict(os.environ, LOANWATCH_HOME=str(home), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "extract", str(path), "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["company"] == truth.company
    kinds = [(s["kind"], s["unit"], s["currency"]) for s in out["statements"]]
    assert kinds == [("income_statement", 1000, "USD"), ("balance_sheet", 1000, "USD"), ("cash_flow", 1000, "USD")]
    income = out["statements"][0]
    assert [c["period_start"] for c in income["columns"]] == ["2026-07-01", "2025-07-01", "2026-01-01", "2025-01-01"]
    truth_rev = truth.statements[0].item("revenue").values
    got_rev = next(i for i in income["items"] if i["key"] == "revenue")["values"]
    assert got_rev == [int(v) for v in truth_rev]


def test_truncated_workbook_exits_1_with_one_line(tmp_path, home):
    path = tmp_path / "cut.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    env = dict(os.environ, LOANWATCH_HOME=str(home), OMP_NUM_THREADS="1")
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "extract", str(path), "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=90)
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "cut.xlsx" in lines[0] and "Traceback" not in proc.stderr


def test_hand_made_export_with_dates_floats_and_merged_title(tmp_path):
    """An accounting-software style sheet: merged title, a date cell, float noise, 本年累计数."""
    import datetime as dt
    from decimal import Decimal

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["利润表"])
    ws.merge_cells("A1:D1")
    ws.append(["编制单位：安徽青山农业开发有限公司", None, "报表期间：", dt.datetime(2026, 6, 30)])
    ws.append([None, None, None, "单位：元"])
    ws.append(["项目", "行次", "本月数", "本年累计数"])
    rows = [
        ("一、营业收入", 1, 1200345.67, 6801234.5),
        ("减：营业成本", 2, 900000.1 + 1e-10, 5100000.25),
        ("二、营业利润（亏损以“-”号填列）", 3, 300345.57, 1701234.25),
        ("三、利润总额（亏损总额以“-”号填列）", 4, 300345.57, 1701234.25),
        ("减：所得税费用", 5, "75,086.39", "425,308.56"),
        ("四、净利润（净亏损以“-”号填列）", 6, 225259.18, 1275925.69),
        ("其中：研发费用", 7, "-", None),
    ]
    for r in rows:
        ws.append(list(r))
    wb.save(tmp_path / "export.xlsx")

    result = extract_xlsx(tmp_path / "export.xlsx")
    assert result.company == "安徽青山农业开发有限公司"
    [st] = result.statements
    assert st.kind == "income_statement" and st.unit == 1 and st.currency == "CNY"
    assert [(c.period_start, c.period_end) for c in st.columns] == [
        (dt.date(2026, 6, 1), dt.date(2026, 6, 30)), (dt.date(2026, 1, 1), dt.date(2026, 6, 30))]
    assert st.item("revenue").values == [Decimal("1200345.67"), Decimal("6801234.5")]
    assert st.item("cost_of_revenue").values == [Decimal("900000.10"), Decimal("5100000.25")]
    assert st.item("income_tax").values == [Decimal("75086.39"), Decimal("425308.56")]
    assert st.item("net_profit").values == [Decimal("225259.18"), Decimal("1275925.69")]
    assert st.item("rd_expenses").values == [None, None]
    assert [i.row_no for i in st.items[:2]] == ["1", "2"]


def test_formulas_without_saved_results_are_reported_not_zero(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["资产负债表"])
    ws.append(["编制单位：测试有限公司", "2026年9月30日", "单位：元"])
    ws.append(["项目", "期末余额", "年初余额"])
    ws.append(["货币资金", "=100+20", "=90"])
    ws.append(["资产总计", "=B4", "=C4"])
    wb.save(tmp_path / "formulas.xlsx")  # openpyxl saves formulas without computed results
    result = extract_xlsx(tmp_path / "formulas.xlsx")
    assert all(v is None for s in result.statements for i in s.items for v in i.values)
    assert any("formulas have no saved results" in w for w in result.warnings)


def _week_workbook(path, income_headers, balance_ends, words: str = ""):  # noqa: ANN001, ANN202
    """A US-style workbook on a 52/53-week calendar: an income statement headed in months, a balance sheet."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Income"
    ws.append(["Example Devices Corporation"])
    ws.append(["Consolidated Condensed Statements of Income"])
    ws.append(["(In Millions; Unaudited)"])
    ws.append([None, *income_headers])
    for label, values in [("Net revenue", (18353, 19673)), ("Cost of sales", (9464, 8738)),
                          ("Gross margin", (8889, 10935)), ("Operating income", (3398, 5011)),
                          ("Net income", (8113, 3361))]:
        ws.append([label, *values])
    bs = wb.create_sheet("Balance")
    bs.append(["Example Devices Corporation"])
    bs.append(["Consolidated Condensed Balance Sheets"])
    bs.append(["(In Millions)"])
    bs.append([None, *balance_ends])
    for label, values in [("Cash and cash equivalents", (4338, 4827)), ("Total current assets", (50407, 57718)),
                          ("Total assets", (175999, 168406)), ("Total current liabilities", (28735, 27462)),
                          ("Total liabilities", (72305, 73015)), ("Total stockholders' equity", (103694, 95391)),
                          ("Total liabilities and stockholders' equity", (175999, 168406))]:
        bs.append([label, *values])
    if words:
        ws.append([])
        ws.append([words])
    wb.save(path)
    return path


def test_a_14_week_quarter_in_a_workbook_is_inferred_not_counted_as_13(tmp_path):
    """The XLSX reader settles 52/53-week starts as the PDF reader does (extractors.fiscal_calendar):
    the printed year end 25 December 2021 makes Q1 2022 14 weeks, never the 13 counted back."""
    import datetime as dt

    from extractors.fiscal_calendar import INFERRED_WEEKS, is_calendar_note
    from extractors.periods import ASSUMED_WEEKS

    path = _week_workbook(tmp_path / "q1.xlsx", ["Three Months Ended Apr 2, 2022", "Three Months Ended Mar 27, 2021"],
                          ["April 2, 2022", "December 25, 2021"])
    result = extract_xlsx(path)
    (income,) = [st for st in result.statements if st.kind == "income_statement"]
    assert [(c.period_start, c.period_end) for c in income.columns] == [
        (dt.date(2021, 12, 26), dt.date(2022, 4, 2)), (dt.date(2020, 12, 27), dt.date(2021, 3, 27))]
    assert not any(w.endswith(ASSUMED_WEEKS) for w in income.warnings)
    assert "14 weeks" in income.warnings[0] and all(w.endswith(INFERRED_WEEKS + ")") and is_calendar_note(w) for w in income.warnings)


def test_a_workbook_quarter_its_dates_leave_open_loses_its_start(tmp_path):
    """Two year-end rules fit the printed dates and give Q1 2022 13 or 14 weeks: refused with a warning, the end kept."""
    import datetime as dt

    path = _week_workbook(tmp_path / "q1_2023.xlsx", ["Three Months Ended Apr 1, 2023", "Three Months Ended Apr 2, 2022"],
                          ["April 1, 2023", "December 31, 2022"])
    (income,) = [st for st in extract_xlsx(path).statements if st.kind == "income_statement"]
    assert [c.period_start for c in income.columns] == [dt.date(2023, 1, 1), None]
    assert income.columns[1].period_end == dt.date(2022, 4, 2)
    assert any(w.startswith("column 2 ") and "has no period start" in w for w in income.warnings)
    # the same workbook with the calendar stated in words settles it
    path = _week_workbook(tmp_path / "q1_2023_stated.xlsx", ["Three Months Ended Apr 1, 2023", "Three Months Ended Apr 2, 2022"],
                          ["April 1, 2023", "December 31, 2022"],
                          words="The company has a 52- or 53-week fiscal year that ends on the last Saturday in December.")
    (income,) = [st for st in extract_xlsx(path).statements if st.kind == "income_statement"]
    assert [c.period_start for c in income.columns] == [dt.date(2023, 1, 1), dt.date(2021, 12, 26)]


@pytest.mark.real_data
@pytest.mark.parametrize("name", ["corpus/en/INTEL_2023Q1_EARNINGS.pdf", "real/BESTBUY_2024Q2_10Q.pdf"])
def test_real_statements_rekeyed_into_a_workbook_get_the_pdfs_52_53_week_starts(shared_data, tmp_path, name):
    """Two real 52/53-week reports' statements typed into a workbook (labels, headers, printed cells) get
    the very starts their PDF gets: Best Buy's inferred, Intel's Q1 2022 refused (never 13 weeks counted)."""
    from openpyxl import Workbook

    from extractors.pdf import extract_pdf

    pdf = shared_data / name
    if not pdf.is_file():
        pytest.skip(f"{pdf} absent")
    result = extract_pdf(pdf)
    wb = Workbook()
    wb.remove(wb.active)
    for i, st in enumerate(s for s in result.statements if s.scope == "consolidated"):
        ws = wb.create_sheet(f"s{i}")
        for row in ([result.company or ""], [st.title or st.kind], ["(In Millions)"], [None, *[c.label for c in st.columns]]):
            ws.append(row)
        for item in st.items:
            ws.append([item.label, *item.printed])
    wb.save(tmp_path / "rekeyed.xlsx")
    spans = {st.kind: [(c.period_start, c.period_end) for c in st.columns] for st in extract_xlsx(tmp_path / "rekeyed.xlsx").statements}
    expected = {st.kind: [(c.period_start, c.period_end) for c in st.columns] for st in result.statements if st.scope == "consolidated"}
    assert "income_statement" in spans and {k: expected[k] for k in spans} == spans
