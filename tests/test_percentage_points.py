"""The change of every ratio of the vocabulary is printed in its own unit (issue 12).

A percentage-type ratio (资产负债率, 毛利率 …) changes by percentage points: the plain
difference of the two percentages (31.9% → 29.7% is −2.2 points, never −220). A multiple
(流动比率, 利息保障倍数), a count of days or an amount changes by the plain difference.
The chat once multiplied an already-percent difference by 100 again ("−216.54个百分点").
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from assistant.analytics.ratios import compute_ratio
from assistant.chat import builtin
from assistant.chat import lexicon as lx
from tests.snapshot_builder import D, balances, flows, point, q, sound_client, sound_table


def _varied_snapshot():
    """The sound client with 2026Q3 different from 2025Q3 in every input (so every ratio moves)."""
    table = sound_table()
    table[q(2024, 3)] = flows(D(190))  # a year before 2025Q3, so the growth ratios have a change too
    table[point(2024, 3)] = balances(D("0.9"))
    table[q(2026, 3)] = flows(D(260))
    table[q(2026, 3)]["interest_expense"] = D(7)
    table[q(2026, 3)]["net_cash_operating"] = D(30)
    table[point(2026, 3)] = balances(D("1.1"))
    table[point(2026, 3)].update(total_liabilities=D(640), total_current_liabilities=D(250), cash=D(90), inventory=D(70))
    return sound_client(table)


@pytest.mark.parametrize("ratio", lx.RATIOS, ids=lambda r: r.key)
def test_the_change_of_every_ratio_is_in_its_own_unit(ratio):
    snap = _varied_snapshot()
    now_span, before_span = q(2026, 3), q(2025, 3)
    now = builtin.metric_value(snap, ratio.key, now_span, True)
    before = builtin.metric_value(snap, ratio.key, before_span, True)
    raw_now = compute_ratio(snap.facts, now_span, ratio.key, facilities=snap.facilities).value
    raw_before = compute_ratio(snap.facts, before_span, ratio.key, facilities=snap.facilities).value
    if raw_now is None or raw_before is None:
        pytest.skip(f"{ratio.key} is not computable from the builder's figures")
    result = builtin._change_of(ratio.key, now, before, now_span, before_span, now.facts + before.facts)
    if ratio.unit == "percent":
        assert result.unit == "percent_points"
        assert result.value == (raw_now - raw_before) * 100  # points: the fractions' difference × 100, once
        assert abs(result.value) < 100  # a percentage can not move by more than 100 points here
    else:
        assert result.unit == ratio.unit
        assert result.value == raw_now - raw_before
    shown = builtin.fmt_number(result.value, result.unit, None) + builtin._suffix(result.unit, True)
    if ratio.unit != "amount":
        assert shown.startswith(f"{(raw_now - raw_before) * (100 if ratio.unit == 'percent' else 1):,.2f}")
    assert shown.endswith("个百分点") == (ratio.unit == "percent")


def test_every_ratio_moves_in_the_varied_snapshot():
    """The parametrised test above skips nothing that matters: the builder computes most ratios."""
    snap = _varied_snapshot()
    computed = [r.key for r in lx.RATIOS
                if compute_ratio(snap.facts, q(2026, 3), r.key, facilities=snap.facilities).value is not None
                and compute_ratio(snap.facts, q(2025, 3), r.key, facilities=snap.facilities).value is not None]
    assert len(computed) >= len(lx.RATIOS) - 1, sorted(set(r.key for r in lx.RATIOS) - set(computed))


def test_debt_to_assets_change_is_points_not_hundredfold(home):
    """Regression: the chat's 资产负债率 change printed −216.54个百分点 for a fall of 2.17 points."""
    from assistant.chat.service import ask
    from assistant.store import close_stores, open_store
    from tests.memo_fixtures import store_snapshot

    store = open_store()
    snap = _varied_snapshot()
    store_snapshot(store, snap)
    try:
        a = ask(f"{snap.client.name}2026年三季度资产负债率同比变动是多少?")
    finally:
        close_stores()
    before = Decimal(500) / Decimal(1000)
    now = Decimal(640) / Decimal(1100)
    want = (now - before) * 100
    assert a.unit in ("percent_points", "percent")
    assert a.value == want, a.answer
    assert f"{want:+.2f}".lstrip("+") in a.answer and "个百分点" in a.answer
