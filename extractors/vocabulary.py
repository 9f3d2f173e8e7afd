"""The canonical figure keys of ``shared/spec/FIGURES.md``: one vocabulary for everything.

Each key has its statement kind and the primary Chinese and English labels. The synonyms
used to map printed labels live in ``extractors.mapping``; this module is the list of what
exists and how to name it to a person.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    key: str
    kind: str  # balance_sheet | income_statement | cash_flow
    zh: str
    en: str
    per_share: bool = False


_BS = "balance_sheet"
_IS = "income_statement"
_CF = "cash_flow"

FIGURES: tuple[Figure, ...] = (
    Figure("cash", _BS, "货币资金", "Cash and cash equivalents"),
    Figure("trading_financial_assets", _BS, "交易性金融资产", "Financial assets at fair value through profit or loss"),
    Figure("notes_receivable", _BS, "应收票据", "Notes receivable"),
    Figure("accounts_receivable", _BS, "应收账款", "Accounts receivable"),
    Figure("prepayments", _BS, "预付款项", "Prepayments"),
    Figure("other_receivables", _BS, "其他应收款", "Other receivables"),
    Figure("inventory", _BS, "存货", "Inventories"),
    Figure("contract_assets", _BS, "合同资产", "Contract assets"),
    Figure("total_current_assets", _BS, "流动资产合计", "Total current assets"),
    Figure("long_term_equity_investments", _BS, "长期股权投资", "Long-term equity investments"),
    Figure("investment_property", _BS, "投资性房地产", "Investment properties"),
    Figure("fixed_assets", _BS, "固定资产", "Property, plant and equipment"),
    Figure("construction_in_progress", _BS, "在建工程", "Construction in progress"),
    Figure("right_of_use_assets", _BS, "使用权资产", "Right-of-use assets"),
    Figure("intangible_assets", _BS, "无形资产", "Intangible assets"),
    Figure("goodwill", _BS, "商誉", "Goodwill"),
    Figure("total_non_current_assets", _BS, "非流动资产合计", "Total non-current assets"),
    Figure("total_assets", _BS, "资产总计", "Total assets"),
    Figure("short_term_borrowings", _BS, "短期借款", "Short-term borrowings"),
    Figure("notes_payable", _BS, "应付票据", "Notes payable"),
    Figure("accounts_payable", _BS, "应付账款", "Accounts payable"),
    Figure("advances_from_customers", _BS, "预收款项", "Advances from customers"),
    Figure("contract_liabilities", _BS, "合同负债", "Contract liabilities"),
    Figure("taxes_payable", _BS, "应交税费", "Taxes payable"),
    Figure("current_portion_non_current_liabilities", _BS, "一年内到期的非流动负债", "Current portion of non-current liabilities"),
    Figure("total_current_liabilities", _BS, "流动负债合计", "Total current liabilities"),
    Figure("long_term_borrowings", _BS, "长期借款", "Long-term borrowings"),
    Figure("bonds_payable", _BS, "应付债券", "Bonds payable"),
    Figure("lease_liabilities", _BS, "租赁负债", "Lease liabilities"),
    Figure("total_non_current_liabilities", _BS, "非流动负债合计", "Total non-current liabilities"),
    Figure("total_liabilities", _BS, "负债合计", "Total liabilities"),
    Figure("paid_in_capital", _BS, "实收资本（或股本）", "Paid-in capital"),
    Figure("capital_reserve", _BS, "资本公积", "Capital reserve"),
    Figure("surplus_reserve", _BS, "盈余公积", "Surplus reserve"),
    Figure("retained_earnings", _BS, "未分配利润", "Retained earnings"),
    Figure("equity_attributable_to_parent", _BS, "归属于母公司所有者权益合计", "Equity attributable to owners of the parent"),
    Figure("minority_interests", _BS, "少数股东权益", "Non-controlling interests"),
    Figure("total_equity", _BS, "所有者权益合计", "Total equity"),
    Figure("total_liabilities_and_equity", _BS, "负债和所有者权益总计", "Total liabilities and equity"),
    Figure("total_operating_revenue", _IS, "营业总收入", "Total operating revenue"),
    Figure("revenue", _IS, "营业收入", "Revenue"),
    Figure("total_operating_costs", _IS, "营业总成本", "Total operating costs"),
    Figure("cost_of_revenue", _IS, "营业成本", "Cost of revenue"),
    Figure("taxes_and_surcharges", _IS, "税金及附加", "Taxes and surcharges"),
    Figure("selling_expenses", _IS, "销售费用", "Selling expenses"),
    Figure("admin_expenses", _IS, "管理费用", "Administrative expenses"),
    Figure("rd_expenses", _IS, "研发费用", "Research and development expenses"),
    Figure("financial_expenses", _IS, "财务费用", "Finance costs"),
    Figure("interest_expense", _IS, "利息费用", "Interest expense"),
    Figure("interest_income", _IS, "利息收入", "Interest income"),
    Figure("investment_income", _IS, "投资收益", "Investment income"),
    Figure("credit_impairment_losses", _IS, "信用减值损失", "Credit impairment losses"),
    Figure("asset_impairment_losses", _IS, "资产减值损失", "Asset impairment losses"),
    Figure("operating_profit", _IS, "营业利润", "Operating profit"),
    Figure("non_operating_income", _IS, "营业外收入", "Non-operating income"),
    Figure("non_operating_expenses", _IS, "营业外支出", "Non-operating expenses"),
    Figure("total_profit", _IS, "利润总额", "Profit before tax"),
    Figure("income_tax", _IS, "所得税费用", "Income tax expense"),
    Figure("net_profit", _IS, "净利润", "Net profit"),
    Figure("net_profit_attributable_to_parent", _IS, "归属于母公司所有者的净利润", "Profit attributable to owners of the parent"),
    Figure("minority_interest_income", _IS, "少数股东损益", "Profit attributable to non-controlling interests"),
    Figure("basic_eps", _IS, "基本每股收益", "Basic earnings per share", per_share=True),
    Figure("diluted_eps", _IS, "稀释每股收益", "Diluted earnings per share", per_share=True),
    Figure("cash_from_sales", _CF, "销售商品、提供劳务收到的现金", "Cash received from sales of goods and services"),
    Figure("operating_cash_inflow", _CF, "经营活动现金流入小计", "Cash inflows from operating activities"),
    Figure("operating_cash_outflow", _CF, "经营活动现金流出小计", "Cash outflows from operating activities"),
    Figure("net_cash_operating", _CF, "经营活动产生的现金流量净额", "Net cash from operating activities"),
    Figure("capex", _CF, "购建固定资产、无形资产和其他长期资产支付的现金", "Purchases of property, plant and equipment"),
    Figure("net_cash_investing", _CF, "投资活动产生的现金流量净额", "Net cash from investing activities"),
    Figure("borrowings_received", _CF, "取得借款收到的现金", "Proceeds from borrowings"),
    Figure("debt_repaid", _CF, "偿还债务支付的现金", "Repayment of borrowings"),
    Figure("dividends_and_interest_paid", _CF, "分配股利、利润或偿付利息支付的现金", "Dividends and interest paid"),
    Figure("net_cash_financing", _CF, "筹资活动产生的现金流量净额", "Net cash from financing activities"),
    Figure("net_change_in_cash", _CF, "现金及现金等价物净增加额", "Net increase in cash and cash equivalents"),
    Figure("cash_end", _CF, "期末现金及现金等价物余额", "Cash and cash equivalents at end of period"),
)

BY_KEY: dict[str, Figure] = {f.key: f for f in FIGURES}

# The figures without which a statement cannot be used, per kind: each entry is one need, met by any
# of its alternatives ("a+b" needs both). A statement lacking one carries a warning (extractors.checks).
CORE: dict[str, tuple[tuple[str, ...], ...]] = {
    _BS: (("total_assets",), ("total_liabilities_and_equity", "total_liabilities+total_equity")),
    _IS: (("revenue", "total_operating_revenue"), ("net_profit", "net_profit_attributable_to_parent")),
    _CF: (("net_cash_operating",), ("net_cash_investing",), ("net_cash_financing",)),
}
KEYS: frozenset[str] = frozenset(BY_KEY)


def figures_of(kind: str) -> list[Figure]:
    return [f for f in FIGURES if f.kind == kind]


def label(key: str, lang: str = "zh") -> str:
    fig = BY_KEY.get(key)
    if fig is None:
        return key
    return fig.zh if lang == "zh" else fig.en
