"""Question understanding without a model: company, period, metric, comparison, intent."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from assistant.chat.lexicon import GROWTH_RATIOS, RATIOS, metric_phrases
from assistant.chat.understand import ClientName, understand
from extractors.vocabulary import KEYS

CLIENTS = [
    ClientName(1, "华信光伏股份有限公司", ("华信光伏",)),
    ClientName(2, "贵州茅台酒股份有限公司"),
    ClientName(3, "Netflix, Inc."),
    ClientName(4, "Amazon.com, Inc."),
    ClientName(5, "Best Buy Co., Inc."),
    ClientName(6, "Square, Inc.", ("Block",)),
    ClientName(7, "宁远高速公路有限公司", ("宁远高速", "toll road")),
]


def parse(q: str):
    return understand(q, CLIENTS)


# ---------------------------------------------------------------- companies
@pytest.mark.parametrize("question, client_id", [
    ("华信光伏2026年三季度的流动比率是多少?", 1),
    ("华信光伏股份有限公司2026年9月末资产负债率", 1),
    ("贵州茅台2020年末的资产负债率是多少?", 2),           # short name, fuzzy against 贵州茅台酒
    ("What was Netflix's total current liabilities at the end of 2017?", 3),
    ("What was Amazon's revenue for the year ended December 31, 2017?", 4),  # Amazon.com, Inc.
    ("What was Best Buy's revenue for the 3 months ended July 29, 2023?", 5),
    ("What is Block (Square)'s gross margin for 2016?", 6),
    ("How is the toll road doing?", 7),                    # alias
    ("What was Netflx's revenue in 2017?", 3),             # a typo still finds the client
])
def test_company_is_matched_by_name_short_name_alias_and_fuzzily(question, client_id):
    assert parse(question).company.client_id == client_id


@pytest.mark.parametrize("question, name", [
    ("2021年上海天永智能装备股份有限公司总负债增长率为多少?保留2位小数。", "上海天永智能装备股份有限公司"),
    ("天津普林在2019年的营业外支出和营业外收入分别是多少元？", "天津普林"),
    ("根据交控科技2019年的年报数据，其营业成本率是多少，结果保留2位小数?", "交控科技"),
    ("请告诉我2020年山东宝莫生物化工股份有限公司的流动负债比率", "山东宝莫生物化工股份有限公司"),
    ("What was Tesla's revenue in 2017?", "Tesla"),
    ("华信光伏电力科技有限公司2026年的营业收入", "华信光伏电力科技有限公司"),  # shares 华信光伏 with a client, is not it
])
def test_a_company_that_is_not_a_client_is_still_named(question, name):
    company = parse(question).company
    assert company is not None and company.client_id is None
    assert company.name == name


# ---------------------------------------------------------------- periods
@pytest.mark.parametrize("question, year, end, months, quarter, point, opening", [
    ("2019年四方科技的流动比率是多少?", 2019, None, None, None, None, False),
    ("华信光伏2026Q3营业收入", 2026, None, 3, 3, None, False),
    ("华信光伏2026年三季度的营业收入", 2026, None, 3, 3, None, False),
    ("华信光伏2026年第三季度的营业收入", 2026, None, 3, 3, None, False),
    ("华信光伏2026年三季度末的资产负债率", 2026, None, 3, 3, True, False),
    ("华信光伏2026年上半年营业收入", 2026, None, 6, None, None, False),
    ("华信光伏2026年半年度净利润", 2026, None, 6, None, None, False),
    ("华信光伏2026年前三季度营业收入", 2026, None, 9, 3, None, False),
    ("华信光伏2026年年初的货币资金", 2026, None, None, None, True, True),
    ("华信光伏2026年期初的货币资金", 2026, None, None, None, True, True),
    ("华信光伏2025年末的总资产", 2025, None, None, None, True, False),
    ("华信光伏2025年度的营业收入", 2025, None, 12, None, None, False),
    ("华信光伏2026年9月30日的货币资金", 2026, dt.date(2026, 9, 30), None, None, True, False),
    ("华信光伏2026年9月末的货币资金", 2026, dt.date(2026, 9, 30), None, None, True, False),
    ("What was Netflix's revenue in fiscal 2017?", 2017, None, 12, None, None, False),
    ("Netflix FY2017 revenue", 2017, None, 12, None, None, False),
    ("What was Netflix's revenue for the year ended December 31, 2017?", 2017, dt.date(2017, 12, 31), 12, None, False, False),
    ("Best Buy cash as of July 29, 2023", 2023, dt.date(2023, 7, 29), None, None, True, False),
    ("Best Buy revenue for the three months ended July 29, 2023", 2023, dt.date(2023, 7, 29), 3, None, False, False),
    ("Best Buy revenue for the 6 months ended July 29, 2023", 2023, dt.date(2023, 7, 29), 6, None, False, False),
    ("Ulta revenue for the 13 weeks ended January 28, 2023", 2023, dt.date(2023, 1, 28), 3, None, False, False),
    ("Netflix total assets at year-end 2017", 2017, None, None, None, True, False),
    # a month and a year in English, as 2026年9月(末): the month's last day
    ("What was Huaxin Solar's current ratio at the end of September 2026?", 2026, dt.date(2026, 9, 30), None, None, True, False),
    ("Huaxin Solar cash end-Sept 2026", 2026, dt.date(2026, 9, 30), None, None, True, False),
    ("Huaxin Solar cash at end of Feb. 2024", 2024, dt.date(2024, 2, 29), None, None, True, False),
    ("Huaxin Solar total assets, June 2026 month-end", 2026, dt.date(2026, 6, 30), None, None, True, False),
    ("Huaxin Solar total assets in December 2025", 2025, dt.date(2025, 12, 31), None, None, None, False),
    ("May 2026: what is Huaxin Solar's debt ratio?", 2026, dt.date(2026, 5, 31), None, None, None, False),
])
def test_periods(question, year, end, months, quarter, point, opening):
    p = parse(question).period
    assert (p.year, p.end, p.months, p.quarter, p.point, p.opening) == (year, end, months, quarter, point, opening)


# a period named relative to today (the session's clock: 2026-11-10, in the fourth quarter)
@pytest.mark.parametrize("question, year, quarter, months, end, point, opening", [
    ("华信光伏去年末的货币资金", 2025, None, None, None, True, False),
    ("华信光伏上年末的总资产", 2025, None, None, None, True, False),
    ("华信光伏去年的营业收入", 2025, None, None, None, None, False),
    ("华信光伏前年的营业收入", 2024, None, None, None, None, False),
    ("华信光伏今年初的货币资金", 2026, None, None, None, True, True),
    ("华信光伏今年前三季度的营业收入", 2026, 3, 9, None, None, False),
    ("华信光伏上季度的净利润", 2026, 3, 3, None, None, False),
    ("华信光伏上个季度末的总资产", 2026, 3, 3, None, True, False),
    ("华信光伏本季度的营业收入", 2026, 4, 3, None, None, False),
    ("华信光伏上月末的货币资金", 2026, None, None, dt.date(2026, 10, 31), True, False),
    ("What was Huaxin Solar's revenue last year?", 2025, None, None, None, None, False),
    ("Huaxin Solar cash and cash equivalents at the end of last year", 2025, None, None, None, True, False),
    ("Huaxin Solar total assets at last year-end", 2025, None, None, None, True, False),
    ("What was Huaxin Solar's net profit last quarter?", 2026, 3, 3, None, None, False),
    ("Huaxin Solar revenue this year", 2026, None, None, None, None, False),
])
def test_a_period_named_relative_to_today_is_that_period_not_a_comparison(question, year, quarter, months, end, point, opening):
    p = parse(question)
    got = p.period
    assert (got.year, got.quarter, got.months, got.end, got.point, got.opening) == (year, quarter, months, end, point, opening)
    assert (p.measure, p.comparison) == ("value", None)  # "上季度的净利润" is that quarter's profit, not its change


def test_so_far_this_year_is_not_the_whole_year():
    p = parse("华信光伏今年以来的营业收入")
    assert p.period.year is None and p.period.relative is None  # the latest span, as before


@pytest.mark.parametrize("question, comparison", [
    ("华信光伏营业收入比上季度增长了多少", "qoq"),
    ("华信光伏营业收入环比上季度增长多少", "qoq"),
    ("华信光伏2026年三季度营业收入较上年同期增长多少", "yoy"),
    ("华信光伏净利润与上年相比增长多少", "yoy"),
    ("How did Huaxin Solar's revenue change versus last year?", "yoy"),
    ("Huaxin Solar revenue growth compared with the same quarter last year", "yoy"),
    ("Huaxin Solar revenue growth vs last quarter", "qoq"),
])
def test_the_same_words_after_a_comparison_word_stay_a_comparison(question, comparison):
    p = parse(question)
    assert p.measure == "growth" and p.comparison == comparison, (p.measure, p.comparison)


def test_a_range_of_years_is_kept():
    p = parse("贵州茅台在2019-2021年间的营业收入").period
    assert p.years == (2019, 2020, 2021) and p.year == 2021


# ---------------------------------------------------------------- metrics
def test_every_figure_key_and_ratio_has_phrases():
    keys = {k for _, k in metric_phrases()}
    assert KEYS <= keys
    assert {r.key for r in RATIOS} <= keys
    for ratio in RATIOS:  # the ratio's own names parse to it (growth ratios: the figure, measured as growth)
        for name in (ratio.zh, ratio.en):
            assert parse(f"华信光伏2026年的{name}是多少").metrics == [GROWTH_RATIOS.get(ratio.key, ratio.key)], name


@pytest.mark.parametrize("question, metrics, measure", [
    ("贵州茅台2019年度的经营活动产生的现金流量净额是多少元?", ["net_cash_operating"], "value"),
    ("贵州茅台2020年度的净利润率是多少?保留两位小数。", ["net_margin"], "value"),    # not 净利润
    ("贵州茅台2020年度营业收入增长率是多少?保留两位小数。", ["revenue"], "growth"),
    ("2021年上海天永智能装备股份有限公司总负债增长率为多少?", ["total_liabilities"], "growth"),
    ("天津普林在2019年的营业外支出和营业外收入分别是多少元？", ["non_operating_expenses", "non_operating_income"], "value"),
    ("北方华锦2019年的研发经费与利润的比值是多少？", ["rd_to_net_profit"], "value"),
    ("冠捷电子2019年的研发经费与营业收入的比值是多少？", ["rd_to_revenue"], "value"),
    ("What is Block's working capital ratio for 2016?", ["current_ratio"], "value"),
    ("What was Huaxin Solar's debt ratio in Q3 2026?", ["debt_to_assets"], "value"),  # total liabilities / total assets
    ("华信光伏的现金流是否足以覆盖本息？", ["dscr"], "value"),
    ("华信光伏2026年三季度营业收入下降了多少", ["revenue"], "growth"),  # a decline asked is a change, not the level
    ("华信光伏净利润降幅是多少", ["net_profit"], "growth"),
    ("Huaxin Solar liability ratio at the end of September 2026", ["debt_to_assets"], "value"),
    ("What is Amazon's DPO for FY2017?", ["days_payable_outstanding"], "value"),
    ("What is Netflix's gross margin for 2017?", ["gross_margin"], "value"),
    ("What is Netflix's R&D expense as a share of revenue for 2017?", ["rd_to_revenue"], "value"),
    ("By what percentage did Amazon's net income grow for the year ended December 31, 2017, compared with the same "
     "period a year earlier?", ["net_profit"], "growth"),
    ("How much provision for income taxes did Best Buy report for the 3 months ended July 29, 2023?", ["income_tax"], "value"),
    ("What was Best Buy's net property, plant and equipment as of July 29, 2023?", ["fixed_assets"], "value"),
])
def test_metrics(question, metrics, measure):
    p = parse(question)
    assert p.metrics == metrics and p.measure == measure and p.intent == "figure"


def test_a_metric_loanwatch_does_not_keep_is_recognised_not_mistaken_for_a_shorter_one():
    p = parse("新力金融2021年的每股净资产是多少元？")  # contains 净资产 (total equity) but is not it
    assert p.metrics == [] and p.unsupported == ["每股净资产"] and p.intent == "figure"


@pytest.mark.parametrize("question, unsupported", [
    ("Huaxin Solar net debt ratio Q3 2026", "net debt ratio"),  # contains "debt ratio", but another measure
    ("Huaxin Solar total debt ratio 2026", "total debt ratio"),  # debt may mean borrowings only: not assumed
    ("Huaxin Solar debt-to-equity ratio 2026", "debt-to-equity ratio"),
    ("华信光伏2026年的产权比率", "产权比率"),
])
def test_a_debt_measure_loanwatch_does_not_keep_is_not_taken_for_the_debt_ratio(question, unsupported):
    p = parse(question)
    assert p.metrics == [] and p.unsupported == [unsupported], (p.metrics, p.unsupported)


@pytest.mark.parametrize("question", [
    "2020年贵州茅台每股经营活动产生的现金流量净额是多少",       # per share, not the cash flow itself
    "What was Netflix's operating cash flow per share in 2017?",
    "贵州茅台2020年扣除非经常性损益后的净利润是多少",          # not 净利润
    "贵州茅台2020年应收账款周转率是多少",                    # a turnover, not 应收账款
    "贵州茅台2020年加权平均净资产收益率",                    # printed, not our ROE formula
    "What were Amazon's selling, general and administrative expenses in 2017?",  # not G&A
])
def test_look_alike_metrics_are_not_answered_with_a_shorter_match(question):
    p = parse(question)
    assert p.metrics == [] and p.unsupported


@pytest.mark.parametrize("question, measure, comparison", [
    ("华信光伏2026年三季度营业收入同比增长多少", "growth", "yoy"),
    ("华信光伏2026年三季度营业收入环比变化", "change", "qoq"),
    ("华信光伏2026年三季度营业收入环比增长率", "growth", "qoq"),
    ("How did the toll road's revenue change vs last quarter?", "growth", "qoq"),
    ("What was Netflix's revenue growth in 2017?", "growth", "yoy"),
    ("华信光伏2026年三季度营业收入", "value", None),
])
def test_comparisons(question, measure, comparison):
    p = parse(question)
    assert (p.measure, p.comparison) == (measure, comparison)


@pytest.mark.parametrize("question, decimals", [
    ("贵州茅台2020年末的资产负债率是多少?保留两位小数。", 2),
    ("资产负债比率是多少？保留2位小数。", 2),
    ("What is Amazon's current ratio? Round to two decimal places.", 2),
    ("What is Amazon's current ratio?", None),
])
def test_precision(question, decimals):
    assert parse(question).decimals == decimals


# ---------------------------------------------------------------- intents
@pytest.mark.parametrize("question, intent, topic", [
    ("Which clients breached a covenant this quarter?", "portfolio", None),
    ("哪些客户的流动比率低于1.2?", "portfolio", None),
    ("哪些客户有新的预警?", "portfolio", None),
    ("华信光伏的风险评级是多少?", "status", "grade"),
    ("华信光伏的契约满足吗?", "status", "covenants"),
    ("华信光伏有哪些预警信号", "status", "warnings"),
    ("宁远高速最近一次现场检查是什么时候?", "status", "inspection"),
    ("How is the toll road doing?", "status", "overview"),
    ("宁远高速的经营情况怎么样？", "status", "overview"),
    ("宁远高速的风险状况", "status", "overview"),
    ("Is 宁远高速 still sound?", "status", "overview"),
    ("宁远高速的主要财务数据", "status", "figures"),
    ("宁远高速最近一次现场检查发现了什么问题?", "status", "inspection"),
    ("宁远高速现场检查中提到了哪些施工问题?", "document", None),
    ("What does Netflix say about content obligations?", "document", None),
    ("华信光伏有什么担保和抵押？", "status", "securities"),  # the loan's security, from the facility records
    ("What collateral secures Netflix's loan?", "status", "securities"),
    ("宁远高速的保证人是谁", "status", "securities"),
    ("华信光伏对外担保情况", "document", None),  # guarantees the borrower gave others: its documents say
    ("华信光伏的贷款什么时候到期？", "status", "facility"),  # the facility records: maturity, arrears, limit
    ("华信光伏有没有逾期？", "status", "facility"),
    ("华信光伏的授信额度是多少？", "status", "facility"),
    ("When does Netflix's loan mature?", "status", "facility"),
    ("华信光伏一年内到期的非流动负债是多少", "figure", None),  # a balance-sheet line, not the loan's maturity
    ("华信光伏的项目进度如何？", "status", "inspection"),
])
def test_intents(question, intent, topic):
    p = parse(question)
    assert p.intent == intent and p.status_topic == topic


def test_portfolio_threshold_is_read_with_its_operator_and_percent():
    q = parse("哪些客户的资产负债率高于70%?").portfolio
    assert (q.kind, q.metric, q.operator, str(q.threshold)) == ("threshold", "debt_to_assets", ">", "0.7")
    q = parse("Which clients have a current ratio below 1.2?").portfolio
    assert (q.kind, q.metric, q.operator, str(q.threshold)) == ("threshold", "current_ratio", "<", "1.2")
    assert parse("Which clients have new warnings?").portfolio.new_only


# ---------------------------------------------------------------- the dev question sets
@pytest.mark.real_data
def test_figures_dev_questions_are_understood(shared_data):
    rows = [json.loads(line) for line in (shared_data / "questions" / "figures_dev.jsonl").open(encoding="utf-8")]
    names = {r["company"] for r in rows}
    clients = [ClientName(i, n, ("Block",) if n.startswith("Square") else ()) for i, n in enumerate(sorted(names), 1)]
    by_name = {c.name: c.id for c in clients}
    bad = []
    for r in rows:
        p = understand(r["question"], clients)
        period_ok = (p.period.end == dt.date.fromisoformat(r["period_end"])) or (p.period.year == int(r["period_end"][:4]))
        if p.company is None or p.company.client_id != by_name[r["company"]] or not p.metrics or not period_ok:
            bad.append(r["id"])
    assert not bad


@pytest.mark.real_data
def test_finglm_understanding_accuracy(shared_data):
    from eval._ask_understanding import score_finglm

    out = score_finglm(shared_data / "questions" / "finglm_A.jsonl")
    assert out["company"]["accuracy"] >= 0.98
    assert out["year"]["accuracy"] >= 0.99
    assert out["metric"]["accuracy"] >= 0.98


# ---------------------------------------------------------------- regressions found on FinanceBench-style questions
def test_change_in_percent_from_one_fiscal_year_to_the_next_is_growth_of_the_later_year():
    p = parse("What is Amazon's year-over-year change in revenue from FY2016 to FY2017 (in units of percents and "
              "round to one decimal place)?")
    assert (p.metrics, p.measure, p.comparison, p.period.year) == (["revenue"], "growth", "yoy", 2017)


def test_a_ratio_whose_inputs_are_spelled_out_is_the_ratio():
    p = parse("Considering the data in the balance sheet, what is Block's FY2016 working capital ratio? Define working "
              "capital ratio as total current assets divided by total current liabilities.")
    assert p.metrics == ["current_ratio"] and p.company.client_id == 6


def test_why_questions_go_to_the_documents():
    p = parse("What drove the increase in Best Buy's merchandise inventories balance at end of FY2023?")
    assert p.intent == "document"
    assert parse("华信光伏2026年三季度营业收入下降的原因是什么?").intent == "document"


def test_an_unknown_share_of_a_known_figure_is_not_the_figure():
    p = parse("Did Best Buy's wages expense as a percent of net sales increase or decrease in FY2023?")
    assert p.metrics == [] and p.unsupported


def test_a_short_name_that_begins_a_client_name_is_that_client_but_look_alikes_are_not():
    clients = [ClientName(1, "万科企业股份有限公司"), ClientName(2, "上海浦东发展银行股份有限公司")]
    assert understand("2020年万科A的营业收入是多少?", clients).company.client_id == 1
    other = understand("上海银行2020年末的资产总计是多少?", clients).company  # a different bank
    assert other.client_id is None and other.name == "上海银行"


def test_a_fiscal_period_is_not_taken_for_a_company():
    p = parse("Was there any drop in Cash & Cash equivalents between FY 2023 and Q2 of FY2024?")
    assert p.company is None


def test_english_names_by_their_distinctive_first_word_unless_two_clients_share_it():
    clients = [ClientName(1, "The Home Depot, Inc."), ClientName(2, "MGM Resorts International"),
               ClientName(3, "Costco Wholesale Corporation"), ClientName(4, "American Express Company"),
               ClientName(5, "American Water Works Company, Inc.")]
    found = lambda q: understand(q, clients).company  # noqa: E731
    assert found("What was Home Depot's revenue in FY2022?").client_id == 1
    assert found("What was MGM Resorts' revenue in 2022?").client_id == 2
    assert found("What was Costco's revenue in FY2022?").client_id == 3
    assert found("What was American Express's revenue in 2022?").client_id == 4
    assert found("What was American's revenue in 2022?").client_id is None  # two clients begin with it


# ---------------------------------------------------------------- clients described by industry
DESCRIBED = [ClientName(1, "江华高速公路有限公司", ("江华高速",), "收费公路"), ClientName(2, "华信光伏电力有限公司", ("华信光伏",), "光伏发电"),
             ClientName(3, "清源水务环保有限公司", ("清源水务",), "污水处理"), ClientName(4, "仁和医院投资建设有限公司", (), "医院PPP"),
             ClientName(5, "锦程置业有限公司", (), "房地产开发"), ClientName(6, "鼎盛化纤制造有限公司", (), "化纤制造")]


@pytest.mark.parametrize("question, client_id", [
    ("How is the toll road doing?", 1),
    ("收费公路那家的风险状况", 1),
    ("高速公路项目怎么样", 1),
    ("Is the solar farm still sound?", 2),
    ("光伏项目的经营情况怎么样？", 2),
    ("How is the wastewater plant doing?", 3),
    ("水务那家怎么样", 3),
    ("How is the hospital PPP doing?", 4),
    ("How is the property developer doing?", 5),
    ("房地产那家怎么样", 5),
    ("How is the chemical fibre maker doing?", 6),
    ("化纤那家的经营情况", 6),
])
def test_a_client_described_by_its_industry_is_that_client(question, client_id):
    p = understand(question, DESCRIBED)
    assert p.company.client_id == client_id
    assert (p.intent, p.status_topic) == ("status", "overview")


def test_a_description_only_counts_among_visible_clients_and_two_fits_are_asked_about():
    two_roads = [*DESCRIBED, ClientName(7, "宁远高速公路有限公司", (), "高速公路")]
    for question in ("How is the toll road doing?", "高速公路项目怎么样"):  # the second also shares 高速公路 with both names
        ref = understand(question, two_roads).company
        assert ref.client_id is None and set(ref.candidates) == {"江华高速公路有限公司", "宁远高速公路有限公司"}, question
    none = understand("How is the toll road doing?", DESCRIBED[1:]).company  # the toll road is not visible
    assert none.client_id is None and none.described and not none.candidates


def test_weak_industry_words_do_not_describe_a_client_outside_a_describing_form():
    assert understand("What was 锦程置业's property, plant and equipment in 2026?", DESCRIBED).company.client_id == 5
    for question in ("鼎盛化纤2026年制造费用是多少?", "营业收入高速增长的原因是什么?", "What drove the growth in property sales?"):
        ref = understand(question, DESCRIBED).company
        assert ref is None or not ref.described, question
