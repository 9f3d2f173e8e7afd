"""52/53-week fiscal calendars: a span headed in months takes the start the report or its calendar
fixes, and is refused where they leave it open (issue 10). Generated headers for several companies'
calendars, and the real Intel release at the end."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.fiscal_calendar import (
    INFERRED_WEEKS,
    YearEnd,
    extra_week_quarter,
    is_calendar_note,
    settle_week_starts,
    stated_rules,
    stated_spans,
)
from extractors.models import Column, Statement
from extractors.periods import resolve_columns

D = dt.date
SAT, SUN = 5, 6


def _flow(*headers: str) -> Statement:
    columns, warnings = resolve_columns(list(headers), flow=True, report=None, context="")
    return Statement(kind="income_statement", columns=columns, warnings=warnings)


def _balance(*ends: dt.date) -> Statement:
    return Statement(kind="balance_sheet", columns=[Column(period_end=e, label=str(e)) for e in ends])


def _starts(st: Statement) -> list[dt.date | None]:
    return [c.period_start for c in st.columns]


@pytest.mark.parametrize(("rule", "year", "end"), [
    (YearEnd(9, SAT, nearest=False), 2019, D(2019, 9, 28)),  # Apple: the last Saturday of September
    (YearEnd(9, SAT, nearest=False), 2016, D(2016, 9, 24)),
    (YearEnd(8, SUN, nearest=True), 2022, D(2022, 8, 28)),  # Costco: the Sunday nearest the end of August
    (YearEnd(8, SUN, nearest=True), 2023, D(2023, 9, 3)),  # … which may fall in September
    (YearEnd(12, SAT, nearest=False), 2021, D(2021, 12, 25)),  # Intel: the last Saturday of December
    (YearEnd(12, SAT, nearest=True), 2021, D(2022, 1, 1)),
    (YearEnd(1, SAT, nearest=True), 2024, D(2024, 2, 3)),  # Best Buy: the Saturday nearest the end of January
])
def test_year_end_rules(rule, year, end):
    assert rule.on(year) == end and end.weekday() == rule.weekday


def test_a_printed_comparative_rules_out_the_nearest_rule_and_fixes_a_14_week_quarter():
    # Intel's Q1 2022 release: under "the Saturday nearest 31 December" Q1 2021 (ending 27 March 2021)
    # would be 12 weeks, which no quarter is; the last Saturday of December makes Q1 2022 14 weeks
    st = _flow("Three Months Ended Apr 2, 2022", "Three Months Ended Mar 27, 2021")
    bs = _balance(D(2022, 4, 2), D(2021, 12, 25))
    settle_week_starts([st, bs], "")
    assert _starts(st) == [D(2021, 12, 26), D(2020, 12, 27)]
    assert len(st.warnings) == 2 and all(w.endswith(INFERRED_WEEKS + ")") and is_calendar_note(w) for w in st.warnings)
    assert "14 weeks" in st.warnings[0] and "13 weeks" in st.warnings[1]


def test_dates_that_two_rules_fit_differently_are_refused_not_guessed():
    # Intel's Q1 2023 release prints Q1 2023, Q1 2022 and the year end 31 December 2022: the last Saturday
    # of December gives Q1 2022 14 weeks, the Saturday nearest 31 December 13 — nothing printed decides
    st = _flow("Three Months Ended Apr 1, 2023", "Three Months Ended Apr 2, 2022")
    settle_week_starts([st, _balance(D(2023, 4, 1), D(2022, 12, 31))], "")
    assert _starts(st) == [D(2023, 1, 1), None]
    assert [c.period_end for c in st.columns] == [D(2023, 4, 1), D(2022, 4, 2)]  # the end stays
    refusal = [w for w in st.warnings if w.startswith("column 2 ")]
    assert len(refusal) == 1 and "has no period start" in refusal[0]
    assert "2021-12-26 if the year ends on the last Saturday of December" in refusal[0] and "2022-01-02" in refusal[0]
    assert not is_calendar_note(refusal[0])


@pytest.mark.parametrize("sentence", [
    "Intel has a 52- or 53-week fiscal year that ends on the last Saturday in December.",
    "Revenue rose. The first quarter of 2022 covered the 14 weeks ended April 2, 2022.",
])
def test_a_stated_calendar_or_span_beats_inference(sentence):
    st = _flow("Three Months Ended Apr 1, 2023", "Three Months Ended Apr 2, 2022")
    settle_week_starts([st, _balance(D(2023, 4, 1), D(2022, 12, 31))], sentence)
    assert _starts(st) == [D(2023, 1, 1), D(2021, 12, 26)]


def test_a_stated_rule_the_printed_dates_break_is_refused():
    st = _flow("Three Months Ended Apr 1, 2023", "Three Months Ended Apr 2, 2022")
    settle_week_starts([st], "Our fiscal year ends on the Saturday nearest the end of May.")
    assert _starts(st) == [None, None]
    assert all("the year end the report states (the Saturday nearest the end of May) does not" in w for w in st.warnings)


def test_apple_first_quarter_of_a_53_week_year():
    # Apple's Q1 FY2023 ended on 31 December 2022 (a month end, read as October–December) and was 14 weeks;
    # Q1 FY2022 ended on 25 December 2021; the balance sheet prints the year end 24 September 2022
    st = _flow("Three Months Ended December 31, 2022", "Three Months Ended December 25, 2021")
    settle_week_starts([st, _balance(D(2022, 12, 31), D(2022, 9, 24))], "")
    assert _starts(st) == [D(2022, 9, 25), D(2021, 9, 26)]


def test_a_4_4_5_retailer_third_quarter_and_nine_months():
    # a retailer whose year ends on the Saturday nearest the end of January (fiscal 2023 of 53 weeks)
    st = _flow("Three Months Ended October 28, 2023", "Three Months Ended October 29, 2022",
               "Nine Months Ended October 28, 2023", "Nine Months Ended October 29, 2022")
    settle_week_starts([st, _balance(D(2023, 10, 28), D(2023, 1, 28), D(2022, 10, 29))], "")
    assert _starts(st) == [D(2023, 7, 30), D(2022, 7, 31), D(2023, 1, 29), D(2022, 1, 30)]


def test_the_quarter_a_report_gives_the_extra_week_settles_a_later_quarter():
    # Apple's Q3 FY2023 (a 53-week year): 13 or 14 weeks by the dates alone; the report says the extra
    # week goes to the first quarter, so the third is 13 weeks
    headers = ("Three Months Ended July 1, 2023", "Three Months Ended June 25, 2022")
    bs = _balance(D(2023, 7, 1), D(2022, 9, 24))
    st = _flow(*headers)
    settle_week_starts([st, bs], "")
    assert _starts(st) == [None, D(2022, 3, 27)]
    st = _flow(*headers)
    settle_week_starts([st, bs], "The Company’s fiscal year is the 52- or 53-week period that ends on the last Saturday of September. "
                                 "An additional week is included in the first fiscal quarter every five or six years.")
    assert _starts(st) == [D(2023, 4, 2), D(2022, 3, 27)]


def test_a_longer_span_is_the_year_to_date():
    # Adobe (the Friday nearest 30 November): six months ended 3 June 2022 would be the second half under a
    # May year end, where the quarter could start a week apart; six months are the year to date, so only
    # the November year end fits
    st = _flow("Three Months Ended June 2, 2023", "Three Months Ended June 3, 2022",
               "Six Months Ended June 2, 2023", "Six Months Ended June 3, 2022")
    settle_week_starts([st, _balance(D(2023, 6, 2), D(2022, 12, 2))], "")
    assert _starts(st) == [D(2023, 3, 4), D(2022, 3, 5), D(2022, 12, 3), D(2021, 12, 4)]
    assert "the Friday nearest the end of November" in st.warnings[1]


def test_costco_printed_weeks_are_left_alone():
    st = _flow("12 Weeks Ended November 20, 2022", "12 Weeks Ended November 21, 2021")
    settle_week_starts([st, _balance(D(2022, 11, 20), D(2022, 8, 28))], "")
    assert _starts(st) == [D(2022, 8, 29), D(2021, 8, 30)] and st.warnings == []


def test_dates_no_calendar_fits_are_refused():
    # two Saturday quarter ends 53 weeks apart: no 52/53-week year makes both quarter ends
    st = _flow("Three Months Ended Apr 2, 2022", "Three Months Ended Mar 20, 2021")
    settle_week_starts([st], "")
    assert _starts(st) == [None, None]
    assert len(st.warnings) == 2 and all("has no period start: no 52/53-week year end" in w for w in st.warnings)


def test_calendar_months_are_untouched():
    st = _flow("Three Months Ended June 30, 2023", "Three Months Ended June 30, 2022")
    settle_week_starts([st], "")
    assert _starts(st) == [D(2023, 4, 1), D(2022, 4, 1)] and st.warnings == []


def test_stated_rules_and_spans_are_read_from_sentences():
    text = ("The Company’s fiscal year is the 52- or 53-week period that ends on the last Saturday of September. "
            "Costco operates on a 52/53 week fiscal year basis ending on the Sunday closest to the end of August. "
            "On the last Friday of March we paid a dividend. The fourteen weeks ended April 2, 2022 were strong. "
            "Our fiscal year end is a 52-week or 53-week period ending the Saturday closest to the last day in January.")
    assert stated_rules(text) == {YearEnd(9, SAT, nearest=False), YearEnd(8, SUN, nearest=True), YearEnd(1, SAT, nearest=True)}
    assert stated_spans(text) == {D(2022, 4, 2): {14}}


@pytest.mark.parametrize(("text", "quarter"), [
    ("An additional week is included in the first fiscal quarter every five or six years.", 1),
    ("The fourth quarter of fiscal 2023 included 14 weeks.", 4),
    ("Q1 2022 was a 14-week quarter, compared with 13 weeks in Q1 2021.", 1),
    ("Sales rose in the 14-week fourth quarter.", 4),
    ("The first quarter included 14 weeks; the fourth quarter of 2020 included 14 weeks.", None),  # two: neither
    ("Revenue in the first quarter rose 14%.", None),
])
def test_extra_week_quarter(text, quarter):
    assert extra_week_quarter(text) == quarter


@pytest.mark.real_data
def test_intel_q1_2023_release_refuses_the_open_comparative_start(shared_data):
    from extractors.pdf import extract_pdf

    pdf = shared_data / "corpus" / "en" / "INTEL_2023Q1_EARNINGS.pdf"
    if not pdf.is_file():
        pytest.skip(f"{pdf} absent")
    result = extract_pdf(pdf)
    income = next(st for st in result.statements if st.kind == "income_statement")
    assert [(c.period_start, c.period_end) for c in income.columns] == [(D(2023, 1, 1), D(2023, 4, 1)), (None, D(2022, 4, 2))]
    assert any(w.startswith("column 2 ") and "has no period start" in w for w in income.warnings)
