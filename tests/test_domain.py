"""Regression tests for the shared domain records."""

import datetime as dt

from assistant.domain import Fact, FactSet, Span, quarter_span


def test_spans_sharing_an_end_date_sort_without_error():
    """A balance-sheet point and a flow ending the same day used to raise TypeError (None < date)."""
    end = dt.date(2026, 9, 30)
    facts = FactSet()
    facts.add(Fact("cash", None, Span(end)))
    facts.add(Fact("revenue", None, Span(end, dt.date(2026, 7, 1))))
    facts.add(Fact("revenue", None, Span(end, dt.date(2026, 1, 1))))
    assert facts.spans() == [Span(end), Span(end, dt.date(2026, 1, 1)), Span(end, dt.date(2026, 7, 1))]
    assert facts.spans(points=False, months=3) == [Span(end, dt.date(2026, 7, 1))]


def test_quarter_spans_and_labels():
    q4 = quarter_span(2026, 4)
    assert (q4.start, q4.end) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert q4.label == "2026Q4"
    assert quarter_span(2026, 1).previous_quarter().label == "2025Q4"
    assert Span(dt.date(2026, 9, 30), dt.date(2026, 1, 1)).label == "2026 9M"
    assert Span(dt.date(2026, 6, 30), dt.date(2026, 1, 1)).label == "2026H1"
    assert Span(dt.date(2026, 12, 31), dt.date(2026, 1, 1)).label == "2026"
    assert Span(dt.date(2025, 12, 31), dt.date(2025, 7, 1)).label == "2025H2"  # FY − H1
    assert quarter_span(2026, 3).same_span_last_year() == quarter_span(2025, 3)
