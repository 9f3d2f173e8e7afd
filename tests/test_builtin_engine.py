"""The built-in engine end to end: statements stored through the real store, questions through ``ask``.

Two clients with near-identical documents: 华信光伏 (officer zhang) and 宁远高速 (officer li).
Expected values are computed here from the same inputs the statements carry.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.chat.service import ask
from assistant.domain import Covenant, Facility, Span
from assistant.errors import NotFoundError
from extractors.models import Column, ExtractionResult, LineItem, Statement

D = Decimal
Q3 = Span(dt.date(2026, 9, 30), dt.date(2026, 7, 1))
Q2 = Span(dt.date(2026, 6, 30), dt.date(2026, 4, 1))
Q3_LY = Span(dt.date(2025, 9, 30), dt.date(2025, 7, 1))
ENDS = [dt.date(2026, 9, 30), dt.date(2025, 12, 31)]

HUAXIN = {  # balance sheet at 2026-09-30 and 2025-12-31 (元)
    "cash": ["152300000.00", "98750000.00"],
    "inventory": [None, "40000000"],  # printed empty this quarter
    "total_current_assets": ["512000000.50", "480000000"],
    "total_current_liabilities": ["433898305.51", "400000000"],
    "total_assets": ["1803000000", "1750000000"],
    "total_liabilities": ["1150000000", "1100000000"],
}
HUAXIN_IS = {"revenue": ["420000000", "380000000", "350000000"], "cost_of_revenue": ["336000000", "300000000", "270000000"],
             "net_profit": ["21000000", "19000000", "25000000"]}  # Q3 2026, Q2 2026, Q3 2025
TOLL = {
    "cash": ["52000000", "60000000"],
    "inventory": ["1000000", "1000000"],
    "total_current_assets": ["110000000", "150000000"],
    "total_current_liabilities": ["100000000", "100000000"],
    "total_assets": ["2400000000", "2300000000"],
    "total_liabilities": ["1900000000", "1800000000"],
}
TOLL_IS = {"revenue": ["88000000", "90000000", "95000000"], "cost_of_revenue": ["40000000", "41000000", "42000000"],
           "net_profit": ["9000000", "9500000", "12000000"]}


def _balance(rows: dict, page: int) -> Statement:
    return Statement(kind="balance_sheet", currency="CNY", unit=1, pages=[page],
                     columns=[Column(period_end=e, label=e.isoformat()) for e in ENDS],
                     items=[LineItem(key=k, label=_LABELS[k], values=[None if v is None else D(v) for v in vals],
                                     printed=["" if v is None else v for v in vals], page=page) for k, vals in rows.items()])


def _income(rows: dict, page: int) -> Statement:
    spans = [Q3, Q2, Q3_LY]
    return Statement(kind="income_statement", currency="CNY", unit=1, pages=[page],
                     columns=[Column(period_start=s.start, period_end=s.end, label=s.label) for s in spans],
                     items=[LineItem(key=k, label=_LABELS[k], values=[D(v) for v in vals], printed=list(vals), page=page)
                            for k, vals in rows.items()])


_LABELS = {"cash": "货币资金", "inventory": "存货", "total_current_assets": "流动资产合计",
           "total_current_liabilities": "流动负债合计", "total_assets": "资产总计", "total_liabilities": "负债合计",
           "revenue": "营业收入", "cost_of_revenue": "营业成本", "net_profit": "净利润"}


@pytest.fixture()
def store(home):
    from assistant.store import close_stores, open_store, repo

    st = open_store()
    clients = {}
    with st.transaction() as s:
        for name, alias, officer, bs, is_, doc in (
            ("华信光伏股份有限公司", "华信光伏", "zhang", HUAXIN, HUAXIN_IS, "华信光伏2026Q3财务报表.pdf"),
            ("宁远高速公路有限公司", "宁远高速", "li", TOLL, TOLL_IS, "宁远高速2026Q3财务报表.pdf"),
        ):
            client = repo.add_client(s, name, aliases=[alias, "toll road"] if officer == "li" else [alias], officer=officer)
            clients[alias] = client.id
            result = ExtractionResult(file=doc, sha256=f"{client.id:064d}", pages=3, company=name,
                                      statements=[_balance(bs, 1), _income(is_, 2)])
            repo.store_document(s, client, sha256=result.sha256, kind="statement", name=doc,
                                stored_path=f"documents/{result.sha256}.pdf", pages=3, extraction=result)
        toll = repo.get_client(s, "宁远高速")
        repo.upsert_facility(s, toll, Facility(name="项目贷款", amount=D("800000000"), covenants=[
            Covenant(metric="current_ratio", operator=">=", threshold=D("1.20"))]))
    yield st
    close_stores()


def test_ratio_is_computed_from_stored_figures_with_formula_inputs_and_citations(store):
    a = ask("华信光伏2026年三季度末的流动比率是多少?保留两位小数。")
    expected = D(HUAXIN["total_current_assets"][0]) / D(HUAXIN["total_current_liabilities"][0])
    assert a.value == expected and a.unit == "ratio"
    assert f"{expected:.2f}" in a.answer and "total_current_assets / total_current_liabilities" in a.answer
    assert {(c.document, c.page) for c in a.citations} == {("华信光伏2026Q3财务报表.pdf", 1)}
    assert {i.key for i in a.inputs} == {"total_current_assets", "total_current_liabilities"}


def test_rounding_asked_for_changes_the_text_only(store):
    a = ask("华信光伏2026年9月30日的货币资金是多少元?保留一位小数")
    assert a.value == D("152300000.00")
    assert "152,300,000.0" in a.answer


def test_percent_ratios_are_answered_in_percent(store):
    a = ask("华信光伏2026年三季度末的资产负债率是多少?")
    assert a.unit == "percent"
    assert a.value == D(HUAXIN["total_liabilities"][0]) / D(HUAXIN["total_assets"][0]) * 100


def test_english_question_with_alias_and_flow_span(store):
    a = ask("What was the toll road's revenue for the three months ended September 30, 2026?")
    assert a.value == D("88000000") and a.unit == "amount"
    assert a.citations[0].document == "宁远高速2026Q3财务报表.pdf" and a.citations[0].page == 2


def test_growth_year_on_year_and_quarter_on_quarter(store):
    yoy = ask("华信光伏2026年三季度营业收入同比增长率是多少?")
    assert yoy.unit == "percent"
    assert yoy.value == (D("420000000") - D("350000000")) / D("350000000") * 100
    qoq = ask("华信光伏2026年三季度营业收入环比增长率")
    assert qoq.value == (D("420000000") - D("380000000")) / D("380000000") * 100
    assert len({(c.document, c.page) for c in qoq.citations}) == 1 and len(qoq.inputs) == 2


def test_missing_period_is_named_not_guessed(store):
    a = ask("华信光伏2024年末的资产总计是多少?")
    assert a.value is None and a.missing
    assert "2024" in a.answer and "2026-09-30" in a.answer  # what was asked and what is stored


def test_figure_printed_empty_is_null_with_the_reason(store):
    a = ask("华信光伏2026年9月30日的存货是多少?")
    assert a.value is None and "空" in a.answer


def test_ratio_with_a_missing_input_is_null_with_the_reason(store):
    a = ask("华信光伏2026年三季度末的速动比率")  # needs inventory, printed empty
    assert a.value is None and "存货" in a.answer


def test_company_not_in_the_store_is_named(store):
    a = ask("What was Tesla's revenue for the year ended December 31, 2017?")
    assert a.value is None and "Tesla" in a.answer and a.missing == ["company Tesla"]
    b = ask("2021年上海天永智能装备股份有限公司总负债增长率为多少?保留2位小数。")
    assert b.value is None and "上海天永智能装备股份有限公司" in b.answer


def test_metric_loanwatch_does_not_keep_says_so(store):
    a = ask("华信光伏2026年的每股净资产是多少元？")
    assert a.value is None and "每股净资产" in a.answer


def test_portfolio_threshold_lists_only_clients_below_it(store):
    a = ask("Which clients have a current ratio below 1.15?")  # 华信 1.18, 宁远 1.10
    assert "宁远高速公路有限公司" in a.answer and "华信光伏" not in a.answer.split("Cannot tell")[0]
    assert a.value == 1


def test_portfolio_covenant_breach(store):
    a = ask("哪些客户违反了契约?")
    assert "宁远高速公路有限公司" in a.answer and "项目贷款" in a.answer and a.value == 1
    assert all(c.document == "宁远高速2026Q3财务报表.pdf" for c in a.citations)


def test_status_latest_figures_of_one_client(store):
    a = ask("How is the toll road doing?")
    assert "宁远高速公路有限公司" in a.answer and "88,000,000" in a.answer


# ---------------------------------------------------------------- scope
def test_a_figure_of_an_invisible_client_never_comes_back(store):
    a = ask("宁远高速2026年三季度营业收入是多少?", user="zhang")
    assert a.value is None and "88,000,000" not in a.answer
    assert not any("宁远" in c.document for c in a.citations)
    p = ask("Which clients have a current ratio below 1.15?", user="zhang")
    assert "宁远" not in p.answer and p.value == 0
    b = ask("哪些客户违反了契约?", user="zhang")
    assert "宁远" not in b.answer and b.value == 0


def test_client_option_outside_the_scope_is_refused(store):
    with pytest.raises(NotFoundError):
        ask("营业收入是多少?", user="zhang", client="宁远高速")
    a = ask("2026年三季度营业收入是多少?", user="zhang", client="华信光伏")  # no company in the text: the --client one
    assert a.value == D("420000000")


def test_a_chunk_of_an_invisible_client_never_comes_back(store):
    from assistant.retrieval import index_document

    text = "2026年9月12日现场检查：发现在建工程进度滞后，实际完成{p}%，计划75%。施工方资金紧张，部分设备停工。"
    index_document(client_id=1, document_id=101, name="华信光伏现场检查.txt", kind="inspection", pages=[text.format(p=60)])
    index_document(client_id=2, document_id=102, name="宁远高速现场检查.txt", kind="inspection", pages=[text.format(p=61)])
    mine = ask("现场检查发现了什么问题?", user="zhang")
    assert mine.citations and {c.document for c in mine.citations} == {"华信光伏现场检查.txt"}
    assert "61%" not in mine.answer
    other = ask("宁远高速现场检查发现了什么问题?", user="zhang")  # naming the other client does not open it
    assert not any("宁远" in c.document for c in other.citations) and "61%" not in other.answer
    li = ask("现场检查发现了什么问题?", user="li")
    assert {c.document for c in li.citations} == {"宁远高速现场检查.txt"}


# ---------------------------------------------------------------- status questions
def test_status_covenants_of_one_client(store):
    a = ask("宁远高速的契约满足吗?")
    ratio = D(TOLL["total_current_assets"][0]) / D(TOLL["total_current_liabilities"][0])
    assert "项目贷款" in a.answer and f"{ratio:.2f}" in a.answer and ("违反" in a.answer)
    assert {c.document for c in a.citations} == {"宁远高速2026Q3财务报表.pdf"}


def test_status_grade_names_letter_and_reasons(store):
    from assistant.analytics.assessment import assess
    from assistant.store import load_snapshot

    a = ask("What is the toll road's risk grade?")
    snap = load_snapshot(store, "宁远高速")
    expected = assess(snap, Q3).grade
    assert f"is {expected.letter} ({expected.points}/{expected.max_points} points)" in a.answer


def test_status_last_inspection_and_its_problems(store):
    from assistant.domain import InspectionNote
    from assistant.store import repo

    with store.transaction() as s:
        toll = repo.get_client(s, "宁远高速")
        for day, problems in ((dt.date(2026, 6, 3), ["收费站改造延期"]), (dt.date(2026, 9, 12), ["边坡防护未完工", "资金拨付滞后"])):
            repo.store_document(s, toll, sha256=f"{day.toordinal():064d}", kind="inspection", name=f"现场检查{day}.txt",
                                stored_path="documents/x.txt", pages=1,
                                note=InspectionNote(visit_date=day, inspector="李明", progress_actual=D("60"),
                                                    progress_planned=D("75"), problems=problems, text="；".join(problems)))
    a = ask("宁远高速最近一次现场检查是什么时候?")
    assert "2026-09-12" in a.answer and "边坡防护未完工" in a.answer and "收费站改造延期" not in a.answer
    assert a.citations[0].document == "现场检查2026-09-12.txt"
    b = ask("华信光伏最近一次现场检查是什么时候?")
    assert b.missing and "没有" in b.answer


def test_status_warnings_quote_the_rule_messages(store):
    from assistant.analytics.warnings import evaluate
    from assistant.chat.portfolio import latest_span
    from assistant.store import load_snapshot

    snap = load_snapshot(store, "宁远高速")
    alerts = evaluate(snap, latest_span(snap))
    assert alerts  # the breached covenant and falling revenue raise some
    a = ask("宁远高速有哪些预警信号?")
    assert a.value == len(alerts)
    assert all(alert.message_zh in a.answer for alert in alerts)


def test_portfolio_new_warnings_leave_out_what_was_already_raised_last_quarter(store):
    from assistant.analytics.warnings import evaluate
    from assistant.chat.portfolio import latest_span
    from assistant.store import load_snapshot

    expected = []
    for name in ("华信光伏", "宁远高速"):
        snap = load_snapshot(store, name)
        span = latest_span(snap)
        before = {a.rule for a in evaluate(snap, span.previous_quarter())}
        expected += [a.message_en for a in evaluate(snap, span) if a.rule not in before]
    assert expected
    a = ask("Which clients have new warnings?")
    assert a.value == len(expected)
    assert all(m in a.answer for m in expected)


def test_a_figure_question_without_a_company_asks_which_client(store):
    a = ask("2026年三季度营业收入是多少?")
    assert a.value is None and a.missing == ["company"]
    assert "华信光伏股份有限公司" in a.answer and "宁远高速公路有限公司" in a.answer
    mine = ask("2026年三季度营业收入是多少?", user="zhang")  # one visible client: that one
    assert mine.value == D("420000000")


def test_a_document_question_with_nothing_indexed_says_so(store):
    a = ask("What did the last site visit find about the slope protection?", user="li")
    assert a.value is None and a.missing == ["passage"] and not a.citations


def test_a_year_end_is_not_answered_with_a_quarter_end(store):
    a = ask("华信光伏2026年末的资产总计是多少?")  # only 2026-09-30 and 2025-12-31 are stored
    assert a.value is None and a.missing
    b = ask("华信光伏2025年末的资产总计是多少?")
    assert b.value == D(HUAXIN["total_assets"][1])
    c = ask("华信光伏2026年年初的货币资金是多少?")  # the opening balance: 2025-12-31
    assert c.value == D(HUAXIN["cash"][1])


def test_amounts_are_shown_with_the_statement_currency_and_kept_in_base_units(store):
    from assistant.store import repo

    zh = ask("华信光伏2026年三季度营业收入是多少?")
    assert zh.value == D("420000000") and "人民币420,000,000元" in zh.answer
    en = ask("What was the toll road's revenue for the three months ended September 30, 2026?")
    assert en.value == D("88000000") and "CNY 88,000,000" in en.answer
    dollars = _income({"revenue": ["5466312000", "5100000000", "4900000000"], "cost_of_revenue": ["1", "1", "1"],
                       "net_profit": ["1", "1", "1"]}, 2).model_copy(update={"currency": "USD"})
    with store.transaction() as s:
        client = repo.add_client(s, "SQUARE, INC.", aliases=["Square"])
        result = ExtractionResult(file="sq.pdf", sha256="9" * 64, pages=3, company="SQUARE, INC.", statements=[dollars])
        repo.store_document(s, client, sha256=result.sha256, kind="statement", name="sq.pdf",
                            stored_path=f"documents/{result.sha256}.pdf", pages=3, extraction=result)
    usd = ask("What was Square's revenue for the three months ended September 30, 2026?")
    assert usd.value == D("5466312000") and "USD 5,466,312,000" in usd.answer
    assert "5,466,312,000美元" in ask("Square 2026年三季度营业收入是多少?").answer
    ratio = ask("华信光伏2026年三季度末的流动比率是多少?")
    assert "人民币" not in ratio.answer.split("（")[0]  # a ratio carries no currency
