"""Real corpus reports (shared/data/corpus, no gold): the mapping mechanisms on documents that were
not used to design them — core figures found, identities holding, banks recognised. Values asserted
are read from the printed page. Skips when the corpus is absent."""

from __future__ import annotations

from decimal import Decimal

import pytest


def _st(result, kind):
    return next(s for s in result.statements if s.kind == kind and s.scope == "consolidated")


def _core_warned(st) -> bool:
    return any(w.startswith("core figure not found") for w in st.warnings)


@pytest.mark.parametrize("doc", ["FOOTLOCKER_2023Q3_10Q.pdf", "MGMRESORTS_2023Q2_10Q.pdf", "WALMART_2024Q1_10Q.pdf",
                                 "拓普集团_2025_半年度报告.pdf", "巨化股份_2025_半年度报告.pdf"])
@pytest.mark.real_data
def test_balance_sheet_totals_found_and_balanced(corpus, doc):
    st = _st(corpus(doc), "balance_sheet")
    assert not _core_warned(st)
    for ci in range(len(st.columns)):
        ta, tle = st.value("total_assets", ci), st.value("total_liabilities_and_equity", ci)
        assert ta is not None and ta == tle


@pytest.mark.real_data
def test_walmart_parent_equity_and_total_equity(corpus):
    st = _st(corpus("WALMART_2024Q1_10Q.pdf"), "balance_sheet")
    assert st.value("equity_attributable_to_parent", 0) == Decimal(72405000000)
    assert st.value("total_equity", 0) == Decimal(79231000000)


@pytest.mark.parametrize(("doc", "kind"), [("MGMRESORTS_2022Q4_EARNINGS.pdf", "income_statement"),
                                           ("AMERICANWATERWORKS_2023Q2_10Q.pdf", "income_statement"),
                                           ("EBAY_2023Q2_EARNINGS.pdf", "cash_flow"),
                                           ("宝信软件_2025_年度报告.pdf", "cash_flow"),
                                           ("PEPSICO_2023Q1_EARNINGS.pdf", "cash_flow")])
@pytest.mark.real_data
def test_core_figures_found(corpus, doc, kind):
    assert not _core_warned(_st(corpus(doc), kind))


@pytest.mark.real_data
def test_cash_flow_totals_add_up_to_the_change_in_cash(corpus):
    st = _st(corpus("宝信软件_2025_年度报告.pdf"), "cash_flow")
    fx = next(i for i in st.items if "汇率" in i.label)
    for ci in range(len(st.columns)):
        parts = [st.value(k, ci) for k in ("net_cash_operating", "net_cash_investing", "net_cash_financing")]
        assert sum(parts) + fx.values[ci] == st.value("net_change_in_cash", ci)


@pytest.mark.real_data
def test_a_bank_is_recognised_and_keeps_only_its_true_corporate_figures(corpus):
    result = corpus("平安银行_2025_年度报告.pdf")
    for kind in ("balance_sheet", "income_statement", "cash_flow"):
        st = _st(result, kind)
        assert any(w.startswith("bank chart of accounts") for w in st.warnings), kind
        assert not _core_warned(st), kind
    inc = _st(result, "income_statement")
    assert inc.item("revenue").label == "营业收入合计" and inc.item("revenue").printed[0] == "131,442"
    bs = _st(result, "balance_sheet")
    assert bs.item("cash") is None and bs.item("total_current_assets") is None
