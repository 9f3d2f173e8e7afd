"""52/53-week fiscal years: the length a report states in words settles a counted start."""

from __future__ import annotations

import datetime as dt

import pytest

from extractors.models import Column
from extractors.periods import ASSUMED_WEEKS, apply_week_years, fiscal_year_of, week_years

D = dt.date


def test_week_years_reads_the_stated_lengths():
    text = ("The Company’s fiscal years 2019 and 2018 spanned 52 weeks each, whereas fiscal year 2017 included\n53 weeks. "
            "Fiscal 2022 was a 53-week year.")
    assert week_years(text) == {2019: 52, 2018: 52, 2017: 53, 2022: 53}


def test_contradicting_statements_cancel_the_year():
    assert week_years("fiscal 2020 included 53 weeks. Fiscal year 2020 spanned 52 weeks.") == {}


@pytest.mark.parametrize(("end", "fy"), [(D(2017, 9, 30), 2017), (D(2023, 1, 28), 2022), (D(2024, 6, 30), 2024)])
def test_fiscal_year_of(end, fy):
    assert fiscal_year_of(end) == fy


def _apple() -> list[Column]:
    return [Column(period_start=D(2018, 9, 30), period_end=D(2019, 9, 28), label="September 28, 2019"),
            Column(period_start=D(2017, 10, 1), period_end=D(2018, 9, 29), label="September 29, 2018"),
            Column(period_start=D(2016, 10, 1), period_end=D(2017, 9, 30), label="September 30, 2017")]


def test_a_stated_53_week_year_starts_a_week_earlier():
    cols, warnings = _apple(), []
    apply_week_years(cols, warnings, {2019: 52, 2018: 52, 2017: 53})
    assert cols[2].period_start == D(2016, 9, 25) and warnings == []
    assert cols[0].period_start == D(2018, 9, 30) and cols[1].period_start == D(2017, 10, 1)  # printed starts unchanged


def test_a_month_end_year_in_a_52_53_week_statement_is_flagged_when_nothing_states_its_length():
    # Apple's fiscal 2017 ended on 30 September: it was read as October–September without a word
    cols, warnings = _apple(), []
    apply_week_years(cols, warnings, {})
    assert cols[2].period_start == D(2016, 10, 2)
    assert len(warnings) == 1 and warnings[0].startswith("column 3 ") and warnings[0].endswith(ASSUMED_WEEKS)


def test_a_calendar_statement_is_left_alone():
    cols = [Column(period_start=D(2019, 1, 1), period_end=D(2019, 12, 31), label="2019"),
            Column(period_start=D(2018, 1, 1), period_end=D(2018, 12, 31), label="2018")]
    warnings: list[str] = []
    apply_week_years(cols, warnings, {2019: 53})
    assert [c.period_start for c in cols] == [D(2019, 1, 1), D(2018, 1, 1)] and warnings == []


@pytest.mark.real_data
def test_apple_fiscal_2017_spans_53_weeks(shared_data):
    pdf = shared_data / "corpus" / "en" / "APPLE_2019_10K.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found")
    from extractors.pipeline import extract_file

    inc = next(s for s in extract_file(pdf).statements if s.kind == "income_statement")
    assert (inc.columns[2].period_start, inc.columns[2].period_end) == (D(2016, 9, 25), D(2017, 9, 30))
