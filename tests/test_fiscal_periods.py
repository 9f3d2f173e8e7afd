"""Fiscal-year naming: "FY2023" is the fiscal year that ends in 2023; "Q2 of FY2024" counts from that year's start.

A retailer whose fiscal years end in late January (a 10-Q for the quarter ended 29 July 2023 and an
annual release for the year ended 28 January 2023), built here as small snapshots.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assistant.chat.builtin import SnapshotSource
from assistant.chat.service import answer_with
from assistant.domain import ClientProfile, ClientSnapshot, Fact, FactSet, Span

D = Decimal
DOC = "SHOPCO_2024Q2_10Q.pdf"
FY22_END, FY23_END, Q2_END, Q2_LY_END = dt.date(2022, 1, 29), dt.date(2023, 1, 28), dt.date(2023, 7, 29), dt.date(2022, 7, 30)
CASH = {FY23_END: D("1874"), Q2_END: D("1093"), Q2_LY_END: D("840")}
REVENUE = {  # flows: span → value
    Span(Q2_END, dt.date(2023, 4, 30)): D("9583"),      # Q2 of fiscal 2024 (three months)
    Span(Q2_END, dt.date(2023, 1, 29)): D("19050"),     # first half of fiscal 2024
    Span(Q2_LY_END, dt.date(2022, 5, 1)): D("10329"),   # Q2 of fiscal 2023
    Span(Q2_LY_END, dt.date(2022, 1, 30)): D("20976"),  # first half of fiscal 2023
}


def _source(annual: bool = False) -> SnapshotSource:
    facts = FactSet()
    for end, v in CASH.items():
        facts.add(Fact("cash", v, Span(end), DOC, 1, 3, "Cash and cash equivalents", currency="USD"))
    for span, v in REVENUE.items():
        facts.add(Fact("revenue", v, span, DOC, 1, 4, "Revenue", currency="USD"))
    if annual:
        for end, start, v in ((FY23_END, dt.date(2022, 1, 30), D("46298")), (FY22_END, dt.date(2021, 1, 31), D("51761"))):
            facts.add(Fact("revenue", v, Span(end, start), "SHOPCO_FY_RELEASE.pdf", 2, 6, "Revenue", currency="USD"))
    return SnapshotSource([ClientSnapshot(ClientProfile(1, "ShopCo Inc.", ["ShopCo"]), facts=facts)])


def test_fiscal_quarter_counts_from_the_fiscal_year_start():
    for q in ("What was ShopCo's revenue in Q2 of FY2024?", "What was ShopCo's revenue in the second quarter of fiscal 2024?"):
        ans = answer_with(q, _source())
        assert ans.value == REVENUE[Span(Q2_END, dt.date(2023, 4, 30))], q
    ly = answer_with("What was ShopCo's revenue in Q2 FY2023?", _source())
    assert ly.value == REVENUE[Span(Q2_LY_END, dt.date(2022, 5, 1))]


def test_calendar_quarter_without_fiscal_is_unchanged():
    ans = answer_with("What was ShopCo's revenue in Q2 2023?", _source())  # April–June 2023: nothing ends there
    assert ans.value is None and ans.missing


def test_end_of_fiscal_year_is_its_year_end_not_a_later_quarter_end():
    ans = answer_with("What were ShopCo's cash and cash equivalents at the end of FY2023?", _source())
    assert ans.value == CASH[FY23_END] and "January 28, 2023" in ans.answer
    not_yet = answer_with("What were ShopCo's cash and cash equivalents at the end of FY2024?", _source())
    assert not_yet.value is None  # fiscal 2024 has not ended in these documents


def test_fiscal_year_is_named_by_the_year_it_ends_in():
    ans = answer_with("What was ShopCo's revenue in FY2023?", _source(annual=True))
    assert ans.value == D("46298") and "January 28, 2023" in ans.answer
    assert answer_with("What was ShopCo's revenue in fiscal 2022?", _source(annual=True)).value == D("51761")
