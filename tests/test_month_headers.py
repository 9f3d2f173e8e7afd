"""Column headers that print periods in short English forms, date cells and fiscal quarters (XLSX and the shared reader).

Regression: a workbook headed "Dec-25", "31-Dec-2025", "Sept. 30 2025", "30 Jun 25", "Q3 FY25" or with
date cells gave no statement at all (the header row was not recognised) — or, a date cell under
"Three Months Ended", the year to date.
"""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.demo.statements import render_xlsx, sample_specs
from extractors.header_dates import fiscal_quarter, header_dates
from extractors.periods import document_period, resolve_columns
from extractors.xlsx import extract_xlsx
from tests.month_headers import SPELLINGS, TITLE_LINES, rekey_spelled, write_spelled

pytestmark = pytest.mark.timeout(120)
D = dt.date


@pytest.fixture(scope="module")
def truth(tmp_path_factory):
    spec = next(s for s in sample_specs(seed=0) if s.layout == "us_10q")
    return render_xlsx(spec, tmp_path_factory.mktemp("us") / "us.xlsx")


@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_every_header_spelling_gives_the_three_statements_exactly(truth, tmp_path, spelling):
    path = write_spelled(truth, spelling, tmp_path / "spelled.xlsx", title_line=TITLE_LINES.get(spelling))
    got = {st.kind: st for st in extract_xlsx(path).statements}
    assert set(got) == {"balance_sheet", "income_statement", "cash_flow"}
    for want in truth.statements:
        st = got[want.kind]
        assert [(c.period_start, c.period_end) for c in st.columns] == [(c.period_start, c.period_end) for c in want.columns], want.kind
        values = {i.label: i.values for i in st.items}
        assert {i.label: values.get(i.label) for i in want.items} == {i.label: i.values for i in want.items}, want.kind
        assert not [w for w in st.warnings if "period" in w], st.warnings


def test_quarter_labels_without_the_reports_calendar_stay_undated_with_a_warning(truth, tmp_path):
    """"Q3 FY26" names no dates until the report's period fixes the fiscal year: refused, never taken as a calendar quarter."""
    result = extract_xlsx(write_spelled(truth, "fiscal quarter", tmp_path / "q.xlsx"))
    assert not any(st.kind == "balance_sheet" for st in result.statements)
    assert any("'Q3 FY26'" in w and "fiscal calendar does not fix them" in w for w in result.warnings), result.warnings


@pytest.mark.parametrize(("text", "want"), [
    ("Dec-25", D(2025, 12, 31)), ("31-Dec-2025", D(2025, 12, 31)), ("Sep 30, 2025", D(2025, 9, 30)),
    ("Sept. 30 2025", D(2025, 9, 30)), ("30 Jun 25", D(2025, 6, 30)), ("Mar-2026", D(2026, 3, 31)),
    ("Dec'25", D(2025, 12, 31)), ("31st December, 2025", D(2025, 12, 31)), ("31/12/2025", D(2025, 12, 31)),
    ("12/31/25", D(2025, 12, 31)), ("2025-12-31", D(2025, 12, 31)), ("FEBRUARY 2024", D(2024, 2, 29)),
])
def test_header_dates_read_each_form(text, want):
    [hd] = header_dates(text.lower())
    assert hd.date == want


@pytest.mark.parametrize("text", ["Dec 25", "December 31", "Note 12", "Decrease in 2025", "marketable"])
def test_forms_that_name_no_whole_date_read_as_none(text):
    assert header_dates(text.lower()) == []


def test_fiscal_quarter_forms():
    for text in ("Q3 FY25", "3Q25", "Q3 2025", "FY2025 Q3", "Q3'25", "Three Months Ended Q3 FY25"):
        q = fiscal_quarter(text.lower())
        assert (q.n, q.year) == (3, 2025), text


def test_an_open_day_month_order_is_refused_unless_a_sibling_or_the_title_fixes_it():
    cols, why = resolve_columns(["03/04/25", "03/04/24"], flow=False, report=None)
    assert [c.period_end for c in cols] == [None, None]
    assert "'03/04/25' could be 2025-04-03 or 2025-03-04" in why[0]
    cols, _ = resolve_columns(["03/04/25", "31/12/24"], flow=False, report=None)  # the sibling prints the day first
    assert [c.period_end for c in cols] == [D(2025, 4, 3), D(2024, 12, 31)]
    cols, _ = resolve_columns(["03/04/25", "12/31/24"], flow=False, report=None)  # month first
    assert [c.period_end for c in cols] == [D(2025, 3, 4), D(2024, 12, 31)]
    cols, _ = resolve_columns(["03/04/25"], flow=False, report=None, context="As at 3 April 2025")
    assert cols[0].period_end == D(2025, 4, 3)
    cols, _ = resolve_columns(["03/04/2025"], flow=False, report=None)  # four digits change nothing: never read month-first silently
    assert cols[0].period_end is None


def test_a_month_without_its_day_takes_a_52_53_week_end_the_title_prints():
    cols, why = resolve_columns(["Dec-25", "Dec-24"], flow=True, report=None,
                                context="Fifty-two weeks ended December 27, 2025 and December 28, 2024")
    assert [c.period_end for c in cols] == [D(2025, 12, 27), D(2024, 12, 28)]
    cols, why = resolve_columns(["Dec-25"], flow=False, report=None, context="As of December 26, 2025 and December 27, 2025")
    assert cols[0].period_end is None and "several days of that month" in why[0]


def test_fiscal_quarters_of_a_june_year_are_counted_from_the_reports_end():
    """Q1 FY27 is the report's quarter (ended 30 September 2026), so the fiscal year ends in June: Q3 FY26 is January–March 2026."""
    report = document_period("For the quarterly period ended September 30, 2026")
    cols, why = resolve_columns(["Q1 FY27", "Q1 FY26", "Q3 FY26"], flow=True, report=report)
    assert [(c.period_start, c.period_end) for c in cols] == [
        (D(2026, 7, 1), D(2026, 9, 30)), (D(2025, 7, 1), D(2025, 9, 30)), (D(2026, 1, 1), D(2026, 3, 31))]
    # a quarter label that cannot be the report's own: refused
    cols, why = resolve_columns(["Q3 FY24"], flow=True, report=report)
    assert cols[0].period_end is None and "fiscal calendar" in why[0]


def test_an_english_span_over_a_chinese_rendered_date_keeps_its_months():
    """A date cell rendered 2025年9月30日 under "Three Months Ended" was read as the nine months to date."""
    cols, _ = resolve_columns(["Three Months Ended 2025年9月30日"], flow=True, report=None)
    assert (cols[0].period_start, cols[0].period_end) == (D(2025, 7, 1), D(2025, 9, 30))


def test_a_statement_whose_headers_name_no_period_is_reported_not_dropped(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Balance Sheet"])
    ws.append([None, "Current", "Prior"])
    for label, a, b in [("Cash", 10, 9), ("Total assets", 100, 90), ("Total liabilities", 60, 50), ("Total equity", 40, 40)]:
        ws.append([label, a, b])
    wb.save(tmp_path / "undated.xlsx")
    result = extract_xlsx(tmp_path / "undated.xlsx")
    assert result.statements == []
    assert any("no column header above them names a period" in w for w in result.warnings), result.warnings


@pytest.mark.real_data
@pytest.mark.parametrize(("name", "spelling"), [
    ("corpus/en/COCACOLA_2019_10K.pdf", "mon-yy"), ("corpus/en/COCACOLA_2019_10K.pdf", "d mon yy"),
    ("corpus/en/MICROSOFT_2019_10K.pdf", "dd-mon-yyyy"), ("corpus/en/MICROSOFT_2019_10K.pdf", "mon-yyyy"),
    ("corpus/en/PEPSICO_2019_10K.pdf", "mon. d yyyy"), ("corpus/en/PEPSICO_2019_10K.pdf", "dd/mm/yyyy"),
])
def test_real_statements_rekeyed_with_short_headers_get_the_pdfs_periods_and_figures(shared_data, tmp_path, name, spelling):
    """Three real 10-Ks (none used to build the reader; PepsiCo's on a 52/53-week year) typed into a workbook
    with their headers re-spelled: every period end and every figure the PDF gives comes back."""
    from extractors.pdf import extract_pdf

    pdf = shared_data / name
    if not pdf.is_file():
        pytest.skip(f"{pdf} absent")
    result = extract_pdf(pdf)
    wanted = [st for st in result.statements if st.scope == "consolidated" and all(c.period_end for c in st.columns)]
    path = rekey_spelled(wanted, result.company or "", spelling, tmp_path / "rekeyed.xlsx")
    got = extract_xlsx(path).statements
    assert [st.kind for st in got] == [st.kind for st in wanted]
    for want, st in zip(wanted, got):
        assert [c.period_end for c in st.columns] == [c.period_end for c in want.columns], want.kind
        month_ends = [c.period_start for c in want.columns if c.period_end.day >= 28 and (c.period_end + dt.timedelta(days=1)).day == 1]
        assert [c.period_start for c in st.columns if c.period_end.day >= 28 and (c.period_end + dt.timedelta(days=1)).day == 1] == month_ends
        assert [i.values for i in st.items] == [i.values for i in want.items], want.kind


def test_a_month_header_on_a_workbook_that_keeps_a_52_53_week_year_is_refused(truth, tmp_path):
    """"Sep-26" in a workbook that says it keeps a 52/53-week year: the day is printed nowhere, so no period."""
    from openpyxl import load_workbook

    path = write_spelled(truth, "mon-yy", tmp_path / "weeks.xlsx")
    wb = load_workbook(path)
    wb.worksheets[0].append([])
    wb.worksheets[0].append(["The Company's fiscal year is the 52 or 53 weeks ending on the last Saturday of December."])
    wb.save(path)
    result = extract_xlsx(path)
    assert not any(st.kind == "balance_sheet" for st in result.statements)
    assert any("'Sep-26' prints a month without its day" in w and "52/53-week" in w for w in result.warnings), result.warnings


def test_chinese_balance_sheet_headed_by_a_date_cell_and_a_date_serial(tmp_path):
    """Date cells in a Chinese statement keep their Chinese reading (2025年12月31日), a serial under a date format included."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["资产负债表"])
    ws.append(["编制单位：测试有限公司", None, "单位：元"])
    ws.append(["项目", dt.datetime(2025, 12, 31), 45657])  # 45657: 31 December 2024 as Excel counts days
    ws.cell(3, 3).number_format = 'yyyy"年"m"月"d"日"'
    for row in [("货币资金", 100, 90), ("资产总计", 1000, 900), ("负债合计", 600, 500), ("所有者权益合计", 400, 400),
                ("负债和所有者权益总计", 1000, 900)]:
        ws.append(list(row))
    wb.save(tmp_path / "zh.xlsx")
    [st] = extract_xlsx(tmp_path / "zh.xlsx").statements
    assert [(c.label, c.period_end) for c in st.columns] == [("2025年12月31日", D(2025, 12, 31)), ("2024年12月31日", D(2024, 12, 31))]
    assert st.value("total_assets", 1) == 900 and st.warnings == []


def test_a_two_digit_year_is_checked_against_the_years_printed_around_it():
    """"Jun-30" under a title printing 2025 and 2024 is 30 June (of a year printed elsewhere), not June 2030: refused."""
    cols, why = resolve_columns(["Jun-30", "Jun-30"], flow=False, report=None, context="As of June 30, 2025 and 2024")
    assert [c.period_end for c in cols] == [None, None] and "reads as 2030 by its two-digit year" in why[0]
    cols, _ = resolve_columns(["Jun-25", "Jun-24"], flow=False, report=None, context="As of June 30, 2025 and 2024")
    assert [c.period_end for c in cols] == [D(2025, 6, 30), D(2024, 6, 30)]
    # the year printed above in the same header: "Dec-31" is the 31st of that December
    cols, _ = resolve_columns(["2025 Dec-31", "2024 Dec-31"], flow=False, report=None)
    assert [c.period_end for c in cols] == [D(2025, 12, 31), D(2024, 12, 31)]
