"""Periods: what officers type, and single quarters derived from year-to-date figures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.domain import Fact, FactSet, Span, quarter_span
from assistant.errors import ConfigError
from assistant.periods import FLOW_KEYS, comparable, derive_quarters, period_spans

D = Decimal
d = dt.date


def ytd(year: int, months: int) -> Span:
    end = {3: d(year, 3, 31), 6: d(year, 6, 30), 9: d(year, 9, 30), 12: d(year, 12, 31)}[months]
    return Span(end, d(year, 1, 1))


@pytest.mark.parametrize("text,key,expected", [
    ("2026Q3", "revenue", [Span(d(2026, 9, 30), d(2026, 7, 1))]),
    ("2026q3", "total_assets", [Span(d(2026, 9, 30))]),
    ("2026H1", "revenue", [Span(d(2026, 6, 30), d(2026, 1, 1))]),
    ("2026H2", "revenue", [Span(d(2026, 12, 31), d(2026, 7, 1))]),
    ("2026 9M", "net_cash_operating", [Span(d(2026, 9, 30), d(2026, 1, 1))]),
    ("2026", "revenue", [Span(d(2026, 12, 31), d(2026, 1, 1))]),
    ("FY2025", "total_assets", [Span(d(2025, 12, 31))]),
    ("2026-09-30", "cash", [Span(d(2026, 9, 30))]),
    ("2026-09-30", "revenue", [Span(d(2026, 9, 30), d(2026, 1, 1)), Span(d(2026, 9, 30), d(2026, 7, 1))]),
    ("2026年第三季度", "revenue", [Span(d(2026, 9, 30), d(2026, 7, 1))]),
    ("2026年上半年", "total_assets", [Span(d(2026, 6, 30))]),
    ("2025年度", "revenue", [Span(d(2025, 12, 31), d(2025, 1, 1))]),
])
def test_period_spans(text, key, expected):
    assert period_spans(text, key) == expected


@pytest.mark.parametrize("text", ["Q3", "2026Q5", "2026-02-30", "last quarter"])
def test_unreadable_periods_say_how_to_write_them(text):
    with pytest.raises(ConfigError):
        period_spans(text, "revenue")


def _facts(key: str, values: dict[Span, str | None]) -> FactSet:
    fs = FactSet()
    for span, value in values.items():
        fs.add(Fact(key=key, value=None if value is None else D(value), span=span, document="r.pdf", page=3))
    return fs


def test_quarters_are_derived_from_consecutive_ytd_spans():
    fs = _facts("revenue", {ytd(2026, 3): "100", ytd(2026, 6): "230", ytd(2026, 9): "330.5", ytd(2026, 12): "480"})
    added = derive_quarters(fs)
    assert {f.span.label: f.value for f in added} == {"2026Q2": D("130"), "2026Q3": D("100.5"), "2026Q4": D("149.5")}
    q3 = fs.get("revenue", quarter_span(2026, 3))
    assert q3.source == "derived" and q3.formula == "revenue[2026 9M] − revenue[2026H1]"
    assert [i.span for i in q3.inputs] == [ytd(2026, 9), ytd(2026, 6)] and q3.inputs[0].document == "r.pdf"


def test_second_half_from_full_year_minus_first_half():
    fs = _facts("net_cash_operating", {ytd(2025, 6): "-40", ytd(2025, 12): "75"})
    (h2,) = derive_quarters(fs)
    assert (h2.span, h2.value) == (Span(d(2025, 12, 31), d(2025, 7, 1)), D("115"))


def test_a_reported_quarter_is_never_overwritten_and_missing_inputs_derive_nothing():
    fs = _facts("revenue", {ytd(2026, 6): "200", ytd(2026, 9): "320", quarter_span(2026, 3): "119"})
    assert derive_quarters(fs) == []
    assert fs.value("revenue", quarter_span(2026, 3)) == D("119")
    fs = _facts("revenue", {ytd(2026, 6): None, ytd(2026, 9): "320"})
    assert derive_quarters(fs) == [] and fs.get("revenue", quarter_span(2026, 3)) is None


def test_stocks_and_per_share_figures_are_not_derived():
    assert "total_assets" not in FLOW_KEYS and "basic_eps" not in FLOW_KEYS and "cash_end" not in FLOW_KEYS
    assert {"revenue", "net_profit", "net_cash_operating", "capex"} <= FLOW_KEYS
    for key in ("basic_eps", "cash_end"):
        fs = _facts(key, {ytd(2026, 6): "1.2", ytd(2026, 9): "1.9"})
        assert derive_quarters(fs) == []


def test_a_gap_of_six_months_inside_the_year_is_not_a_quarter():
    fs = _facts("revenue", {ytd(2026, 3): "100", ytd(2026, 9): "300"})
    assert derive_quarters(fs) == []


def test_only_like_spans_compare():
    q3, ytd9 = quarter_span(2026, 3), ytd(2026, 9)
    assert comparable(q3, q3.same_span_last_year())
    assert not comparable(q3, ytd9)
    assert comparable(Span(d(2026, 9, 30)), Span(d(2025, 12, 31)))
    assert not comparable(Span(d(2026, 9, 30)), q3)
