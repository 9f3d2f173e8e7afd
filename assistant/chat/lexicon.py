"""How people name figures, ratios and periods, in Chinese and English.

The data that ``understand`` matches questions against: every figure key and ratio of
``shared/spec/FIGURES.md`` with its usual phrasings (statement labels, credit-officer
shorthand, the FinGLM and FinanceBench question styles), plus the words for periods,
comparisons and question types. Matching is longest-phrase-first, so "净利润率" wins over
"净利润" and "R&D expense as a share of revenue" over "R&D expense".
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.vocabulary import BY_KEY

# ---------------------------------------------------------------- figures (FIGURES.md keys)
# Extra phrasings beyond the primary labels of ``extractors.vocabulary`` (added automatically).
FIGURE_PHRASES: dict[str, tuple[str, ...]] = {
    "cash": ("货币资金", "现金及现金等价物", "cash and cash equivalents", "cash and bank balances", "cash balance"),
    "trading_financial_assets": ("交易性金融资产", "trading financial assets"),
    "notes_receivable": ("应收票据", "notes receivable", "bills receivable"),
    "accounts_receivable": ("应收账款", "accounts receivable", "trade receivables", "receivables"),
    "prepayments": ("预付款项", "预付账款", "prepayments", "advances to suppliers"),
    "other_receivables": ("其他应收款", "other receivables"),
    "inventory": ("存货", "库存", "inventories", "inventory"),
    "contract_assets": ("合同资产", "contract assets"),
    "total_current_assets": ("流动资产合计", "流动资产", "total current assets", "current assets"),
    "long_term_equity_investments": ("长期股权投资", "long-term equity investments", "investments in associates"),
    "investment_property": ("投资性房地产", "investment property", "investment properties"),
    "fixed_assets": (
        "固定资产", "property, plant and equipment", "net property, plant and equipment",
        "property and equipment", "pp&e", "fixed assets",
    ),
    "construction_in_progress": ("在建工程", "construction in progress"),
    "right_of_use_assets": ("使用权资产", "right-of-use assets", "operating lease assets"),
    "intangible_assets": ("无形资产", "intangible assets", "intangibles"),
    "goodwill": ("商誉", "goodwill"),
    "total_non_current_assets": ("非流动资产合计", "非流动资产", "total non-current assets", "non-current assets"),
    "total_assets": ("资产总计", "资产总额", "总资产", "资产合计", "total assets"),
    "short_term_borrowings": ("短期借款", "short-term borrowings", "short-term loans", "short-term debt"),
    "notes_payable": ("应付票据", "notes payable", "bills payable"),
    "accounts_payable": ("应付账款", "accounts payable", "trade payables"),
    "advances_from_customers": ("预收款项", "预收账款", "advances from customers"),
    "contract_liabilities": ("合同负债", "contract liabilities"),
    "taxes_payable": ("应交税费", "taxes payable"),
    "current_portion_non_current_liabilities": (
        "一年内到期的非流动负债", "current portion of long-term debt", "current portion of long-term borrowings",
        "current portion of non-current liabilities",
    ),
    "total_current_liabilities": ("流动负债合计", "流动负债", "total current liabilities", "current liabilities"),
    "long_term_borrowings": ("长期借款", "long-term borrowings", "long-term loans", "long-term debt"),
    "bonds_payable": ("应付债券", "bonds payable"),
    "lease_liabilities": ("租赁负债", "lease liabilities"),
    "total_non_current_liabilities": (
        "非流动负债合计", "非流动负债", "total non-current liabilities", "non-current liabilities",
    ),
    "total_liabilities": ("负债合计", "负债总额", "总负债", "负债总计", "total liabilities"),
    "paid_in_capital": ("实收资本", "股本", "paid-in capital", "share capital", "common stock"),
    "capital_reserve": ("资本公积", "capital reserve", "additional paid-in capital"),
    "surplus_reserve": ("盈余公积", "surplus reserve"),
    "retained_earnings": ("未分配利润", "retained earnings", "accumulated deficit"),
    "equity_attributable_to_parent": (
        "归属于母公司所有者权益合计", "归属于母公司所有者权益", "归属于母公司股东权益", "归母净资产",
        "equity attributable to owners of the parent", "total stockholders' equity attributable",
    ),
    "minority_interests": ("少数股东权益", "non-controlling interests", "noncontrolling interests", "minority interests"),
    "total_equity": (
        "所有者权益合计", "股东权益合计", "所有者权益", "股东权益", "净资产",
        "total equity", "total stockholders' equity", "total shareholders' equity", "shareholders' equity",
        "stockholders' equity",
    ),
    "total_liabilities_and_equity": (
        "负债和所有者权益总计", "负债和股东权益总计", "total liabilities and equity",
        "total liabilities and stockholders' equity", "total liabilities and shareholders' equity",
    ),
    "total_operating_revenue": ("营业总收入", "total operating revenue", "total revenues", "total revenue"),
    "revenue": (
        "营业收入", "营收", "销售收入", "revenue", "revenues", "net sales", "sales", "operating revenue", "turnover",
        "net revenue", "net revenues", "total net revenue", "total net revenues", "total net sales",
    ),
    "total_operating_costs": ("营业总成本", "total operating costs", "total costs and expenses", "total operating expenses"),
    "cost_of_revenue": ("营业成本", "销售成本", "cost of sales", "cost of revenue", "cost of revenues", "cost of goods sold", "cogs"),
    "taxes_and_surcharges": ("税金及附加", "营业税金及附加", "taxes and surcharges"),
    "selling_expenses": ("销售费用", "selling expenses", "selling and distribution expenses", "marketing expenses", "sales and marketing"),
    "admin_expenses": ("管理费用", "administrative expenses", "general and administrative expenses", "g&a"),
    "rd_expenses": (
        "研发费用", "研发经费", "研发投入", "研发支出", "r&d expense", "r&d expenses", "research and development",
        "research and development expenses", "r&d",
    ),
    "financial_expenses": ("财务费用", "finance costs", "financial expenses", "finance expense"),
    "interest_expense": ("利息费用", "利息支出", "interest expense", "interest expenses"),
    "interest_income": ("利息收入", "interest income"),
    "investment_income": ("投资收益", "investment income"),
    "credit_impairment_losses": ("信用减值损失", "credit impairment losses"),
    "asset_impairment_losses": ("资产减值损失", "asset impairment losses"),
    "operating_profit": ("营业利润", "operating income", "operating profit", "income from operations"),
    "non_operating_income": ("营业外收入", "non-operating income"),
    "non_operating_expenses": ("营业外支出", "non-operating expenses"),
    "total_profit": (
        "利润总额", "税前利润", "profit before tax", "income before income taxes", "pre-tax income",
        "pretax income", "earnings before income taxes", "income before taxes",
    ),
    "income_tax": (
        "所得税费用", "所得税", "income tax expense", "provision for income taxes", "income taxes",
        "benefit (provision) for income taxes", "income tax",
    ),
    "net_profit": ("净利润", "净利润总额", "净利", "利润", "net profit", "net income", "net earnings", "profit for the period", "net loss"),
    "net_profit_attributable_to_parent": (
        "归属于母公司所有者的净利润", "归属于母公司股东的净利润", "归属母公司所有者净利润", "归属母公司所有者的净利润", "归属于母公司的净利润", "归母净利润",
        "归属于上市公司股东的净利润", "profit attributable to owners of the parent",
        "net income attributable to", "net earnings attributable to",
    ),
    "minority_interest_income": ("少数股东损益", "profit attributable to non-controlling interests"),
    "basic_eps": ("基本每股收益", "每股收益", "basic earnings per share", "basic eps", "earnings per share", "eps"),
    "diluted_eps": ("稀释每股收益", "diluted earnings per share", "diluted eps"),
    "cash_from_sales": ("销售商品、提供劳务收到的现金", "销售商品提供劳务收到的现金", "cash received from sales of goods and services"),
    "operating_cash_inflow": ("经营活动现金流入小计", "cash inflows from operating activities"),
    "operating_cash_outflow": ("经营活动现金流出小计", "cash outflows from operating activities"),
    "net_cash_operating": (
        "经营活动产生的现金流量净额", "经营活动现金流量净额", "经营性现金流", "经营现金流", "经营活动现金流",
        "net cash provided by operating activities", "net cash from operating activities",
        "cash provided by operating activities", "operating cash flow", "cash flow from operations",
        "cash from operations", "cash flows from operating activities",
        "net cash provided by (used in) operating activities",
    ),
    "capex": (
        "购建固定资产、无形资产和其他长期资产支付的现金", "资本性支出", "资本开支", "资本支出",
        "capital expenditures", "capital expenditure", "capex", "purchases of property and equipment",
        "purchases of property, plant and equipment",
    ),
    "net_cash_investing": (
        "投资活动产生的现金流量净额", "投资活动现金流量净额", "net cash used in investing activities",
        "net cash from investing activities", "net cash provided by (used in) investing activities",
        "cash used in investing activities", "investing cash flow",
    ),
    "borrowings_received": ("取得借款收到的现金", "proceeds from borrowings", "proceeds from long-term debt"),
    "debt_repaid": ("偿还债务支付的现金", "repayment of borrowings", "repayments of long-term debt"),
    "dividends_and_interest_paid": ("分配股利、利润或偿付利息支付的现金", "dividends and interest paid", "dividends paid"),
    "net_cash_financing": (
        "筹资活动产生的现金流量净额", "筹资活动现金流量净额", "net cash from financing activities",
        "net cash provided by (used in) financing activities", "net cash used in financing activities",
        "net cash provided by financing activities", "financing cash flow",
    ),
    "net_change_in_cash": (
        "现金及现金等价物净增加额", "net increase in cash and cash equivalents", "net change in cash",
        "net increase (decrease) in cash",
    ),
    "cash_end": (
        "期末现金及现金等价物余额", "现金及现金等价物余额", "现金及现金等价物期末余额", "cash and cash equivalents at end of period", "cash at end of period",
        "cash and cash equivalents, end of period", "cash at end of year",
    ),
}


# ---------------------------------------------------------------- ratios (FIGURES.md ratio table)
@dataclass(frozen=True)
class RatioName:
    key: str
    zh: str
    en: str
    unit: str  # percent | ratio | days | amount | times
    phrases: tuple[str, ...]


RATIOS: tuple[RatioName, ...] = (
    RatioName("debt_to_assets", "资产负债率", "debt-to-assets ratio", "percent", (
        "资产负债率", "资产负债比率", "资产负债比", "负债率", "debt-to-assets ratio", "debt to assets ratio",
        "debt-to-assets", "debt to assets", "debt-to-asset ratio", "liabilities to assets", "leverage ratio",
        "debt ratio", "liability ratio", "liabilities ratio", "total liabilities to total assets",
        "gearing", "leverage")),
    RatioName("current_ratio", "流动比率", "current ratio", "ratio", (
        "流动比率", "current ratio", "working capital ratio", "liquidity ratio")),
    RatioName("quick_ratio", "速动比率", "quick ratio", "ratio", ("速动比率", "quick ratio", "acid-test ratio", "acid test ratio")),
    RatioName("cash_ratio", "现金比率", "cash ratio", "ratio", ("现金比率", "cash ratio")),
    RatioName("gross_margin", "毛利率", "gross margin", "percent", (
        "毛利率", "销售毛利率", "gross margin", "gross profit margin", "gross margin ratio")),
    RatioName("operating_margin", "营业利润率", "operating margin", "percent", (
        "营业利润率", "经营利润率", "operating margin", "operating profit margin", "operating income margin")),
    RatioName("net_margin", "净利润率", "net profit margin", "percent", (
        "净利润率", "净利率", "销售净利率", "net profit margin", "net margin", "net income margin", "profit margin")),
    RatioName("roe", "净资产收益率", "return on equity", "percent", ("净资产收益率", "roe", "return on equity")),
    RatioName("roa", "总资产收益率", "return on assets", "percent", (
        "总资产收益率", "总资产报酬率", "资产收益率", "roa", "return on assets")),
    RatioName("rd_to_revenue", "研发费用占营业收入比", "R&D to revenue", "percent", (
        "研发费用占营业收入比", "研发费用占营业收入的比例", "研发费用占营业收入的比重", "研发费用占营业收入比例",
        "研发经费与营业收入比值", "企业研发经费与营业收入比值", "研发投入占营业收入比例", "研发费用率", "研发强度",
        "r&d expense as a share of revenue", "r&d expenses as a share of revenue", "r&d as a share of revenue",
        "r&d to revenue", "r&d intensity", "r&d as a percentage of revenue", "r&d expense as a percentage of revenue")),
    RatioName("revenue_growth", "营业收入增长率", "revenue growth", "percent", (
        "营业收入增长率", "营收增长率", "收入增长率", "revenue growth", "sales growth")),
    RatioName("net_profit_growth", "净利润增长率", "net profit growth", "percent", (
        "净利润增长率", "net profit growth", "net income growth", "earnings growth")),
    RatioName("total_assets_growth", "总资产增长率", "total assets growth", "percent", (
        "总资产增长率", "资产总额增长率", "total assets growth", "asset growth")),
    RatioName("interest_coverage", "利息保障倍数", "interest coverage", "ratio", (
        "利息保障倍数", "已获利息倍数", "interest coverage ratio", "interest coverage", "times interest earned")),
    RatioName("ocf_to_current_liabilities", "经营现金流量比率", "operating cash flow ratio", "ratio", (
        "经营现金流量比率", "现金流量比率", "经营现金流动负债比", "operating cash flow ratio",
        "operating cash flow to current liabilities")),
    RatioName("non_current_liabilities_share", "非流动负债比率", "non-current liabilities share", "percent", (
        "非流动负债比率", "非流动负债占比", "非流动负债比重", "non-current liabilities share",
        "non-current liabilities ratio")),
    RatioName("dscr", "偿债备付率", "DSCR", "ratio", (
        "偿债备付率", "偿债覆盖率", "覆盖本息", "本息覆盖", "dscr", "debt service coverage ratio", "debt service coverage")),
    RatioName("working_capital", "营运资金", "working capital", "amount", ("营运资金", "营运资本", "working capital")),
    RatioName("free_cash_flow", "自由现金流", "free cash flow", "amount", ("自由现金流", "自由现金流量", "free cash flow", "fcf")),
    RatioName("cost_ratio", "营业成本率", "cost ratio", "percent", (
        "营业成本率", "成本率", "cost ratio", "cost of sales ratio", "cost of revenue ratio")),
    RatioName("selling_expense_ratio", "销售费用率", "selling expense ratio", "percent", (
        "销售费用率", "selling expense ratio", "selling expenses ratio")),
    RatioName("admin_expense_ratio", "管理费用率", "administrative expense ratio", "percent", (
        "管理费用率", "admin expense ratio", "administrative expense ratio", "g&a ratio")),
    RatioName("financial_expense_ratio", "财务费用率", "financial expense ratio", "percent", (
        "财务费用率", "financial expense ratio", "finance cost ratio")),
    RatioName("three_expense_ratio", "三费比重", "three-expense ratio", "percent", (
        "三费比重", "三费占比", "期间费用率", "三项费用比重", "three expense ratio", "three-expense ratio")),
    RatioName("rd_to_net_profit", "研发经费与利润比值", "R&D to net profit", "ratio", (
        "研发经费与利润比值", "企业研发经费与利润比值", "研发费用与净利润比值", "研发经费与净利润比值",
        "r&d to net profit", "r&d to net income")),
    RatioName("days_sales_outstanding", "应收账款周转天数", "days sales outstanding", "days", (
        "应收账款周转天数", "dso", "days sales outstanding", "receivable days", "days receivable")),
    RatioName("days_inventory_outstanding", "存货周转天数", "days inventory outstanding", "days", (
        "存货周转天数", "dio", "days inventory outstanding", "inventory days", "days in inventory")),
    RatioName("days_payable_outstanding", "应付账款周转天数", "days payable outstanding", "days", (
        "应付账款周转天数", "dpo", "days payable outstanding", "payable days", "days payable")),
)
RATIO_BY_KEY: dict[str, RatioName] = {r.key: r for r in RATIOS}

# The figures each ratio is computed from (FIGURES.md formulas): a question that names a
# ratio and spells out its inputs asks for the ratio.
RATIO_INPUTS: dict[str, frozenset[str]] = {k: frozenset(v.split()) for k, v in {
    "debt_to_assets": "total_liabilities total_assets",
    "current_ratio": "total_current_assets total_current_liabilities",
    "quick_ratio": "total_current_assets inventory total_current_liabilities",
    "cash_ratio": "cash total_current_liabilities",
    "gross_margin": "revenue cost_of_revenue",
    "operating_margin": "operating_profit revenue",
    "net_margin": "net_profit revenue",
    "roe": "net_profit total_equity",
    "roa": "net_profit total_assets",
    "rd_to_revenue": "rd_expenses revenue",
    "interest_coverage": "total_profit interest_expense",
    "ocf_to_current_liabilities": "net_cash_operating total_current_liabilities",
    "non_current_liabilities_share": "total_non_current_liabilities total_liabilities",
    "dscr": "net_cash_operating",
    "working_capital": "total_current_assets total_current_liabilities",
    "free_cash_flow": "net_cash_operating capex",
    "cost_ratio": "cost_of_revenue revenue",
    "selling_expense_ratio": "selling_expenses revenue",
    "admin_expense_ratio": "admin_expenses revenue",
    "financial_expense_ratio": "financial_expenses revenue",
    "three_expense_ratio": "selling_expenses admin_expenses financial_expenses revenue",
    "rd_to_net_profit": "rd_expenses net_profit",
    "days_sales_outstanding": "accounts_receivable revenue",
    "days_inventory_outstanding": "inventory cost_of_revenue",
    "days_payable_outstanding": "accounts_payable cost_of_revenue",
}.items()}

# Questions asking why or what drove a change are answered from the documents' own words.
EXPLAIN_WORDS = ("为什么", "原因", "导致", "驱动", "why", "what drove", "what caused", "reason for", "reasons for",
                 "drivers of", "driven by", "explain")

# A total asked for that the statement does not print separately: the one it prints is the
# same line (data README: "where only one revenue total is printed it is revenue").
SAME_WHEN_ALONE: dict[str, str] = {"total_operating_revenue": "revenue"}

# Growth ratios of FIGURES.md and the figure each one grows.
GROWTH_RATIOS: dict[str, str] = {
    "revenue_growth": "revenue",
    "net_profit_growth": "net_profit",
    "total_assets_growth": "total_assets",
}

# ---------------------------------------------------------------- question words
GROWTH_WORDS = ("增长率", "增速", "增幅", "增长了多少", "增长多少", "变动率", "下降了多少", "下降多少", "下滑了多少", "下滑多少",
                "降低了多少", "降低多少", "减少多少", "降幅", "跌幅", "growth rate", "growth", "grow", "grew",
                "increase by what percentage", "percentage change", "% change")
YOY_WORDS = ("同比", "较上年", "比上年", "较去年", "比去年", "与上年相比", "上年同期", "year over year", "year-over-year",
             "yoy", "same period a year earlier", "same period last year", "prior year", "previous year",
             "a year earlier", "last year")
QOQ_WORDS = ("环比", "较上季度", "比上季度", "上一季度", "上季度", "quarter over quarter", "quarter-over-quarter", "qoq",
             "vs last quarter", "versus last quarter", "previous quarter", "prior quarter", "last quarter",
             "sequentially")
CHANGE_WORDS = ("变化", "变动", "增加了多少", "减少了多少", "增减", "change in", "how much did", "changed")

PORTFOLIO_WORDS = ("哪些客户", "哪些企业", "哪些公司", "哪几家", "哪家", "哪些借款人", "哪些项目", "哪些", "所有客户",
                   "全部客户", "客户中", "which clients", "which borrowers", "which companies", "which client",
                   "which borrower", "which company", "what clients", "list clients", "list the clients",
                   "any clients", "any client", "how many clients", "portfolio")
BREACH_WORDS = ("违反", "违约", "突破", "触发", "未满足", "不满足", "breach", "breached", "violated", "violate",
                "failed covenant", "covenant breach")
COVENANT_WORDS = ("契约", "约定条款", "财务约束", "财务指标约定", "承诺条款", "covenant", "covenants")
WARNING_WORDS = ("预警", "警示", "风险信号", "预警信号", "告警", "warning", "warnings", "alert", "alerts", "red flag",
                 "red flags")
NEW_WORDS = ("新", "新增", "新的", "本季度", "new", "newly")
GRADE_WORDS = ("评级", "风险等级", "信用等级", "五级分类", "分类", "等级", "grade", "rating", "risk grade",
               "classification", "credit rating")
#: the loan itself, from the facility records: its limit, maturity, arrears
LIMIT_WORDS = ("授信额度", "贷款额度", "额度", "授信金额", "credit limit", "credit line", "facility limit", "facility amount", "limit")
MATURITY_WORDS = ("到期日", "何时到期", "什么时候到期", "哪天到期", "贷款到期", "剩余期限", "maturity", "mature", "matures", "term left")
ARREARS_WORDS = ("逾期", "拖欠", "欠息", "欠款", "未按时还款", "overdue", "past due", "arrears", "late payment", "missed payment")
SECURITY_WORDS = ("担保", "抵押", "质押", "抵质押", "押品", "保证人", "增信", "collateral", "guarantee", "guarantor", "pledge",
                  "mortgage", "security package")
#: guarantees the borrower gave others (a contingent liability in its documents), not the loan's security
GIVEN_GUARANTEE_WORDS = ("对外担保", "为他人", "提供担保", "guarantees given", "guarantees provided", "guaranteed by the company",
                         "contingent")
INSPECTION_WORDS = ("现场检查", "检查", "巡查", "实地", "走访", "inspection", "site visit", "visit")
LATEST_WORDS = ("最新", "最近", "latest", "most recent", "recent", "current")
FIGURES_WORDS = ("财务数据", "主要指标", "主要财务", "关键指标", "财务状况", "经营情况", "情况如何", "怎么样", "表现",
                 "key figures", "latest figures", "financials", "how is", "how's", "doing", "performance")

#: asks for the list of latest figures itself, not a briefing
FIGURE_LIST_WORDS = ("财务数据", "主要指标", "主要财务", "关键指标", "key figures", "latest figures", "financials")
#: a question about how a client is doing overall: answered as a briefing (grade, covenants, warnings, changes, inspection)
OVERVIEW_WORDS = ("经营情况", "经营状况", "风险状况", "整体情况", "总体情况", "情况如何", "怎么样", "如何了", "还好吗", "稳健吗",
                  "表现", "how is", "how's", "how are", "doing", "performance", "still sound", "is it sound", "sound",
                  "healthy", "in good shape", "overall", "status of", "briefing", "overview")

BELOW_WORDS = ("低于", "小于", "不足", "少于", "below", "under", "less than", "lower than", "<")
ABOVE_WORDS = ("高于", "大于", "超过", "超出", "above", "over", "more than", "greater than", "higher than", "exceed",
               "exceeds", ">")

# ---------------------------------------------------------------- periods
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
EN_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"], start=1)}
EN_MONTHS.update({m[:3]: i for m, i in list(EN_MONTHS.items())})
EN_MONTHS["sept"] = 9
SPAN_MONTHS_EN = {"three": 3, "3": 3, "six": 6, "6": 6, "nine": 9, "9": 9, "twelve": 12, "12": 12,
                  "thirteen": 3, "13": 3, "twenty-six": 6, "26": 6, "thirty-nine": 9, "39": 9,
                  "fifty-two": 12, "52": 12, "fifty-three": 12, "53": 12}

OPENING_WORDS = ("年初", "期初", "上年末", "上年年末", "beginning of the year", "beginning of year", "opening balance",
                 "start of the year", "prior year-end", "prior year end")
CLOSING_WORDS = ("年末", "期末", "年底", "末", "year-end", "year end", "end of the year", "end of year", "as of",
                 "at the end of", "as at", "balance at")

# Metrics people ask about that FIGURES.md does not define: recognised, so that the answer can
# say "not a figure loanwatch keeps" instead of matching a shorter phrase inside them.
UNSUPPORTED_METRICS: tuple[str, ...] = (
    "每股净资产", "每股经营现金流量", "每股经营现金流", "综合收益总额", "公允价值变动收益", "衍生金融资产",
    "其他非流动金融资产", "应收款项融资", "应付职工薪酬", "对联营企业和合营企业的投资收益", "收回投资收到的现金",
    "研发人员占职工人数比例", "研发人员占职工人数的比例", "研发人员数", "硕士及以上人员", "职工人数", "研发人员", "技术人员数",
    "职工总数", "员工总数", "员工人数",
    "硕士及以上人员占职工人数比例", "企业硕士及以上人员占职工人数比例", "硕士人数", "博士及以上人数",
    "投资收益占营业收入比率", "投资收益占营业收入的比率", "企业研发经费占费用比例", "研发经费占费用的比例",
    "研发经费占费用比例", "流动负债比率", "法定代表人", "办公地址", "注册地址", "公司网址", "电子信箱", "外文名称",
    "证券代码", "证券简称", "企业名称", "扣除非经常性损益后的净利润", "扣除非经常性损益后归属于母公司股东的净利润",
    "扣非净利润", "扣非后净利润", "非经常性损益", "加权平均净资产收益率", "应收账款周转率", "存货周转率", "总资产周转率",
    "流动资产周转率", "应付账款周转率", "毛利", "息税前利润", "ebitda", "ebit", "gross profit", "total debt", "net debt",
    "net debt ratio", "total debt ratio", "debt-to-equity ratio", "debt to equity ratio", "debt-to-equity", "debt to equity",
    "产权比率",
    "selling, general and administrative", "selling, general and administrative expenses", "sg&a",
    "receivables turnover", "inventory turnover", "asset turnover", "book value per share", "operating cash flow per share",
    "comprehensive income", "number of employees", "employees", "headcount",
)

# "A与B的比值" / "A占B的比例": (numerator, denominator) → the FIGURES.md ratio it names.
QUOTIENTS: dict[tuple[str, str], str] = {
    ("rd_expenses", "revenue"): "rd_to_revenue",
    ("rd_expenses", "net_profit"): "rd_to_net_profit",
    ("cost_of_revenue", "revenue"): "cost_ratio",
    ("selling_expenses", "revenue"): "selling_expense_ratio",
    ("admin_expenses", "revenue"): "admin_expense_ratio",
    ("financial_expenses", "revenue"): "financial_expense_ratio",
    ("operating_profit", "revenue"): "operating_margin",
    ("net_profit", "revenue"): "net_margin",
    ("net_profit", "total_equity"): "roe",
    ("net_profit", "total_assets"): "roa",
    ("total_liabilities", "total_assets"): "debt_to_assets",
    ("total_current_assets", "total_current_liabilities"): "current_ratio",
    ("cash", "total_current_liabilities"): "cash_ratio",
    ("net_cash_operating", "total_current_liabilities"): "ocf_to_current_liabilities",
    ("total_non_current_liabilities", "total_liabilities"): "non_current_liabilities_share",
}

# Company-name suffixes dropped when matching names.
COMPANY_SUFFIXES = (
    "集团股份有限公司", "股份有限公司", "有限责任公司", "集团有限公司", "有限公司", "控股集团", "集团", "公司",
    ", inc.", " inc.", " inc", ", incorporated", " incorporated", " corporation", " corp.", " corp", " co., ltd.",
    " co., ltd", " co.", " company", " holdings", " group", " plc", " ltd.", " ltd", " limited", ".com",
)


def metric_phrases() -> list[tuple[str, str]]:
    """(phrase, key) for every figure and ratio phrase, longest first (lower-case)."""
    pairs: dict[str, str] = {}
    for key, fig in BY_KEY.items():
        for phrase in (fig.zh, fig.en, *FIGURE_PHRASES.get(key, ())):
            pairs.setdefault(phrase.lower(), key)
    for ratio in RATIOS:
        for phrase in (ratio.zh, ratio.en, *ratio.phrases):
            pairs[phrase.lower()] = ratio.key  # a ratio phrase beats a figure phrase of the same text
    for phrase in UNSUPPORTED_METRICS:
        pairs[phrase.lower()] = UNSUPPORTED_PREFIX + phrase
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


UNSUPPORTED_PREFIX = "unsupported:"


def display_name(key: str, lang: str = "zh") -> str:
    """The name of a figure or ratio key for a person."""
    ratio = RATIO_BY_KEY.get(key)
    if ratio is not None:
        return ratio.zh if lang == "zh" else ratio.en
    fig = BY_KEY.get(key)
    if fig is None:
        return key
    return fig.zh if lang == "zh" else fig.en.lower()


def is_ratio(key: str) -> bool:
    return key in RATIO_BY_KEY
