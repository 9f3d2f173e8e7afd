"""The lexicon of printed labels per canonical key (FIGURES.md), as data: exact labels and rules.

``SYNONYMS``: the labels of FIGURES.md and the gold reports; ``VARIANTS``: wider forms of the same
figures — Hong Kong / IFRS Chinese wording (in simplified characters: ``mapping.normalize`` folds
traditional ones), 小企业会计准则, US and IFRS phrasings; ``RULES``: patterns over normalised
labels for families of phrasings. ``extractors.mapping`` applies them; keys not listed for a kind
never leak into it (a balance-sheet label is no cash-flow key).
"""

from __future__ import annotations

import re

_BS, _IS, _CF = "balance_sheet", "income_statement", "cash_flow"

SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    _BS: {
        "cash": ("货币资金", "现金及现金等价物", "cash and cash equivalents", "cash and bank balances", "cash and equivalents", "cash", "cash and due from banks"),
        "trading_financial_assets": ("交易性金融资产", "以公允价值计量且其变动计入当期损益的金融资产", "financial assets at fair value through profit or loss", "trading financial assets", "trading securities"),
        "notes_receivable": ("应收票据", "notes receivable", "bills receivable"),
        "accounts_receivable": ("应收账款", "accounts receivable", "trade receivables", "receivables", "accounts receivable and other", "trade accounts receivable"),
        "prepayments": ("预付款项", "预付账款", "prepayments", "advances to suppliers"),
        "other_receivables": ("其他应收款", "other receivables"),
        "inventory": ("存货", "inventories", "inventory", "merchandise inventories", "merchandise inventory"),
        "contract_assets": ("合同资产", "contract assets"),
        "total_current_assets": ("流动资产合计", "total current assets"),
        "long_term_equity_investments": ("长期股权投资", "long-term equity investments", "investments in associates", "investments in associates and joint ventures"),
        "investment_property": ("投资性房地产", "investment properties", "investment property"),
        "fixed_assets": ("固定资产", "固定资产净额", "property plant and equipment", "property and equipment", "net property and equipment", "net property plant and equipment"),
        "construction_in_progress": ("在建工程", "construction in progress"),
        "right_of_use_assets": ("使用权资产", "right-of-use assets", "operating lease assets", "operating lease right-of-use assets", "right of use assets"),
        "intangible_assets": ("无形资产", "intangible assets", "acquired intangible assets", "other intangible assets", "intangibles", "intangible assets other than goodwill"),
        "goodwill": ("商誉", "goodwill"),
        "total_non_current_assets": ("非流动资产合计", "total non-current assets", "total noncurrent assets"),
        "total_assets": ("资产总计", "资产合计", "资产总额", "total assets"),
        "short_term_borrowings": ("短期借款", "short-term borrowings", "short-term loans", "short-term debt", "short term borrowings"),
        "notes_payable": ("应付票据", "notes payable", "bills payable"),
        "accounts_payable": ("应付账款", "accounts payable", "trade payables", "trade accounts payable"),
        "advances_from_customers": ("预收款项", "预收账款", "advances from customers"),
        "contract_liabilities": ("合同负债", "contract liabilities"),
        "taxes_payable": ("应交税费", "应交税金", "taxes payable", "income taxes payable", "accrued income taxes", "tax payable"),
        "current_portion_non_current_liabilities": ("一年内到期的非流动负债", "current portion of long-term debt", "current portion of long-term borrowings", "current maturities of long-term debt", "current portion of non-current liabilities", "long-term debt current portion"),
        "total_current_liabilities": ("流动负债合计", "total current liabilities"),
        "long_term_borrowings": ("长期借款", "long-term debt", "long-term borrowings", "long-term loans", "debt", "long-term debt less current portion", "long-term debt net of current portion", "long-term debt excluding current portion"),
        "bonds_payable": ("应付债券", "bonds payable"),
        "lease_liabilities": ("租赁负债", "lease liabilities", "long-term operating lease liabilities", "non-current operating lease liabilities", "noncurrent operating lease liabilities", "long-term lease liabilities", "operating lease liabilities non-current", "non-current lease liabilities"),
        "total_non_current_liabilities": ("非流动负债合计", "total non-current liabilities", "total noncurrent liabilities"),
        "total_liabilities": ("负债合计", "负债总计", "total liabilities"),
        "paid_in_capital": ("实收资本", "股本", "实收资本或股本", "share capital", "paid-in capital", "issued capital"),
        "capital_reserve": ("资本公积", "capital reserve", "additional paid-in capital", "capital in excess of stated value", "other paid in capital", "other paid-in capital", "share premium", "capital surplus"),
        "surplus_reserve": ("盈余公积", "surplus reserve", "surplus reserves", "statutory surplus reserve"),
        "retained_earnings": ("未分配利润", "retained earnings", "accumulated deficit", "retained earnings accumulated deficit", "accumulated deficit retained earnings", "retained deficit"),
        "equity_attributable_to_parent": ("归属于母公司所有者权益合计", "归属于母公司股东权益合计", "归属于母公司所有者权益", "归属于母公司股东权益", "equity attributable to owners of the parent", "equity attributable to owners of the company", "equity attributable to shareholders of the company"),
        "minority_interests": ("少数股东权益", "non-controlling interests", "noncontrolling interests", "non-controlling interest", "noncontrolling interest", "minority interests", "minority interest"),
        "total_equity": ("所有者权益合计", "股东权益合计", "所有者权益或股东权益合计", "净资产合计", "total equity", "total stockholders' equity", "total shareholders' equity", "total stockholders equity", "total shareholders equity", "total stockholders' equity deficit", "total stockholders' deficit"),
        "total_liabilities_and_equity": ("负债和所有者权益总计", "负债及股东权益总计", "负债和股东权益合计", "负债与所有者权益总计", "负债及股东权益合计", "负债和股东权益总计", "负债及所有者权益总计", "负债和所有者权益合计", "负债及所有者权益合计", "负债和所有者权益或股东权益总计", "负债和股东权益合计", "total liabilities and equity", "total liabilities and stockholders' equity", "total liabilities and shareholders' equity", "total liabilities and stockholders equity", "total liabilities and shareholders equity", "total equity and liabilities", "total liabilities and stockholders' deficit"),
    },
    _IS: {
        "total_operating_revenue": ("营业总收入",),
        "revenue": ("营业收入", "主营业务收入", "revenue", "revenues", "net sales", "operating revenue", "operating revenues", "net revenue", "net revenues", "sales", "turnover"),
        "total_operating_costs": ("营业总成本", "total operating costs"),
        "cost_of_revenue": ("营业成本", "主营业务成本", "cost of sales", "cost of revenue", "cost of revenues", "cost of goods sold", "total cost of revenue", "total cost of revenues", "total cost of sales", "cost of products sold"),
        "taxes_and_surcharges": ("税金及附加", "营业税金及附加", "主营业务税金及附加", "taxes and surcharges"),
        "selling_expenses": ("销售费用", "营业费用", "selling expenses", "selling and distribution expenses", "distribution and selling expenses", "marketing", "sales and marketing", "marketing expenses", "selling and marketing expenses", "selling and marketing", "sales and marketing expenses"),
        "admin_expenses": ("管理费用", "general and administrative", "general and administrative expenses", "administrative expenses", "administrative"),
        "rd_expenses": ("研发费用", "研究与开发费", "research and development", "research and development expenses", "product development", "technology and development"),
        "financial_expenses": ("财务费用", "finance costs", "finance expenses", "financial expenses", "net finance costs"),
        "interest_expense": ("利息费用", "interest expense", "interest expenses", "interest income expense", "interest"),
        "interest_income": ("利息收入", "interest income"),
        "investment_income": ("投资收益", "investment income"),
        "credit_impairment_losses": ("信用减值损失", "credit impairment losses", "impairment losses on financial assets", "impairment losses on financial and contract assets", "net impairment losses on financial assets", "net impairment losses on financial and contract assets", "expected credit losses", "credit impairment loss"),
        "asset_impairment_losses": ("资产减值损失", "asset impairment losses", "impairment losses on assets"),
        "operating_profit": ("营业利润", "operating income", "operating loss", "operating profit", "income from operations", "loss from operations", "operating income loss", "profit from operations"),
        "non_operating_income": ("营业外收入", "non-operating income"),
        "non_operating_expenses": ("营业外支出", "non-operating expenses"),
        "total_profit": ("利润总额", "profit before tax", "profit before income tax", "income before income taxes", "loss before income taxes", "income before taxes"),
        "income_tax": ("所得税费用", "所得税", "income tax expense", "provision for income taxes", "income taxes", "income tax", "provision for income tax", "income tax expense benefit", "benefit from income taxes", "income tax benefit", "provision for benefit from income taxes", "benefit from provision for income taxes", "income tax provision"),
        "net_profit": ("净利润", "净亏损", "net income", "net loss", "net earnings", "net profit", "profit for the period", "profit for the year", "net income loss", "net loss income"),
        "net_profit_attributable_to_parent": ("归属于母公司所有者的净利润", "归属于母公司股东的净利润", "归属于母公司的净利润", "profit attributable to owners of the parent", "profit attributable to owners of the company", "profit attributable to equity holders of the company"),
        "minority_interest_income": ("少数股东损益", "profit attributable to non-controlling interests", "net income attributable to noncontrolling interests", "net income attributable to non-controlling interests", "net earnings attributable to noncontrolling interests", "net income attributable to noncontrolling interest", "profit attributable to non-controlling interest"),
        "basic_eps": ("基本每股收益", "basic earnings per share", "basic earnings per common share", "basic net income per share", "basic net loss per share", "basic eps", "earnings per share basic", "net income per share basic", "net loss per share basic"),
        "diluted_eps": ("稀释每股收益", "diluted earnings per share", "diluted earnings per common share", "diluted net income per share", "diluted net loss per share", "diluted eps", "earnings per share diluted", "net income per share diluted", "net loss per share diluted"),
    },
    _CF: {
        "cash_from_sales": ("销售商品、提供劳务收到的现金", "销售商品提供劳务收到的现金", "cash received from sales of goods and services", "cash received from sales of goods and rendering of services"),
        "operating_cash_inflow": ("经营活动现金流入小计", "subtotal of cash inflows from operating activities"),
        "operating_cash_outflow": ("经营活动现金流出小计", "subtotal of cash outflows from operating activities"),
        "net_cash_operating": ("经营活动产生的现金流量净额", "经营活动现金流量净额", "net cash from operating activities", "net cash provided by operating activities", "net cash used in operating activities", "net cash provided by used in operating activities", "net cash used in provided by operating activities", "total cash provided by operating activities", "total cash used in operating activities", "net cash generated from operating activities", "net cash inflow from operating activities", "cash generated from operations", "net cash flows from operating activities"),
        "capex": ("购建固定资产、无形资产和其他长期资产支付的现金", "购建固定资产无形资产和其他长期资产支付的现金", "purchases of property and equipment", "purchase of property and equipment", "capital expenditures", "additions to property and equipment", "purchases of property plant and equipment", "purchase of property plant and equipment", "payments for property plant and equipment", "purchases of property plant and equipment and intangible assets", "purchases of property and equipment including internal-use software and website development", "capital expenditure"),
        "net_cash_investing": ("投资活动产生的现金流量净额", "投资活动现金流量净额", "net cash used in investing activities", "net cash from investing activities", "net cash provided by investing activities", "net cash provided by used in investing activities", "net cash used in provided by investing activities", "total cash used in investing activities", "total cash provided by investing activities", "net cash flows from investing activities", "net cash used in investing activities:"),
        "borrowings_received": ("取得借款收到的现金", "proceeds from borrowings", "proceeds from debt", "proceeds from issuance of debt", "proceeds from long-term debt", "proceeds from long-term debt and other", "proceeds from issuance of long-term debt", "proceeds from bank borrowings"),
        "debt_repaid": ("偿还债务支付的现金", "repayment of borrowings", "repayments of borrowings", "principal payments on debt", "repayments of long-term debt", "repayments of long-term debt and other", "repayment of debt", "repayments of debt", "repayment of long-term debt", "repayment of bank borrowings"),
        "dividends_and_interest_paid": ("分配股利、利润或偿付利息支付的现金", "分配股利利润或偿付利息支付的现金", "dividends paid", "dividends and interest paid", "cash dividends paid", "dividends paid to shareholders"),
        "net_cash_financing": ("筹资活动产生的现金流量净额", "筹资活动现金流量净额", "net cash from financing activities", "net cash provided by financing activities", "net cash used in financing activities", "net cash provided by used in financing activities", "net cash used in provided by financing activities", "total cash used in financing activities", "total cash provided by financing activities", "net cash flows from financing activities"),
        "net_change_in_cash": ("现金及现金等价物净增加额", "现金及现金等价物净增加", "现金及现金等价物净减少额", "net increase in cash and cash equivalents", "net decrease in cash and cash equivalents", "net increase decrease in cash and cash equivalents", "net decrease increase in cash and cash equivalents", "increase in cash and cash equivalents", "decrease in cash and cash equivalents", "net change in cash and cash equivalents", "net increase in cash cash equivalents and restricted cash", "net decrease in cash cash equivalents and restricted cash", "net increase decrease in cash cash equivalents and restricted cash", "decrease in cash cash equivalents and restricted cash", "increase in cash cash equivalents and restricted cash", "net change in cash cash equivalents and restricted cash"),
        "cash_end": ("期末现金及现金等价物余额", "cash and cash equivalents at end of period", "cash and cash equivalents at end of year", "cash and cash equivalents end of period", "cash and cash equivalents end of year", "cash and cash equivalents end of the year", "cash and cash equivalents end of the period", "cash cash equivalents and restricted cash at end of period", "cash cash equivalents and restricted cash end of period", "cash and cash equivalents at end of the year", "cash and cash equivalents at the end of the year", "cash and cash equivalents at the end of the period", "cash cash equivalents and restricted cash at end of year", "cash cash equivalents and restricted cash end of year"),
    },
}

# Wider variants of the same figures: Hong Kong / IFRS Chinese wording (traditional characters are
# folded to simplified by ``normalize``), 小企业会计准则, and US/IFRS phrasings met in filings.
VARIANTS: dict[str, dict[str, tuple[str, ...]]] = {
    _BS: {
        "cash": ("现金及银行结余", "现金及现金等价物", "银行结余及现金", "cash and short-term investments"),
        "accounts_receivable": ("应收贸易账款", "贸易应收款项", "应收账款及票据", "应收贸易款项"),
        "inventory": ("存货", "库存"),
        "fixed_assets": ("物业厂房及设备", "物业厂房及设备净额", "固定资产账面价值", "property plant and equipment net"),
        "intangible_assets": ("无形资产",),
        "total_current_assets": ("流动资产总额", "流动资产总计", "total current assets"),
        "total_non_current_assets": ("非流动资产总额", "非流动资产总计"),
        "total_assets": ("总资产", "资产总值", "资产合计"),
        "short_term_borrowings": ("短期借款", "短期银行借款"),
        "total_current_liabilities": ("流动负债总额", "流动负债总计"),
        "total_non_current_liabilities": ("非流动负债总额", "非流动负债总计"),
        "total_liabilities": ("负债总额", "总负债"),
        "paid_in_capital": ("实收资本或股本", "股本", "实收资本"),
        "equity_attributable_to_parent": ("归属于母公司股东权益或所有者权益合计", "归属于母公司所有者或股东权益合计",
                                          "本公司拥有人应占权益", "本公司权益持有人应占权益", "归属于本行股东权益合计",
                                          "归属于母公司普通股股东权益合计", "equity attributable to owners of the bank"),
        "minority_interests": ("非控制性权益", "非控股权益", "少数股东权益"),
        "total_equity": ("权益总额", "总权益", "权益合计", "股东权益总额", "所有者权益总额", "所有者权益或股东权益合计",
                         "股东权益或所有者权益合计", "total equity deficit", "total deficit", "total shareholders' deficit"),
        "total_liabilities_and_equity": ("负债和所有者权益或股东权益总计", "负债和股东权益或所有者权益总计",
                                         "权益及负债总额", "负债及权益总额", "总权益及负债", "负债和权益总计",
                                         "total liabilities and equity deficit", "total liabilities and deficit"),
    },
    _IS: {
        "total_operating_revenue": ("营业总收入", "营业总收入合计"),
        "revenue": ("营业收入合计", "营业额", "收入", "收益", "net operating revenues", "net operating revenue",
                    "net sales and revenue", "revenues net", "sales revenue", "operating revenues"),
        "cost_of_revenue": ("销售成本", "营业成本", "收入成本", "cost of goods sold", "cost of sales and services", "costs of revenues",
                            "cost of products and services sold", "cost of merchandise sold", "cost of revenues excluding depreciation and amortization"),
        "taxes_and_surcharges": ("营业税金及附加", "税金及附加"),
        "selling_expenses": ("销售及分销开支", "分销成本", "销售及市场推广开支", "selling and distribution costs"),
        "admin_expenses": ("一般及行政开支", "行政开支", "管理费用"),
        "rd_expenses": ("研发开支", "研究及开发开支", "研究开发费用"),
        "financial_expenses": ("融资成本", "财务成本", "财务费用"),
        "operating_profit": ("经营溢利", "经营利润", "经营盈利", "营业利润", "income from operations",
                             "operating income loss", "operating earnings"),
        "total_profit": ("除税前溢利", "除所得税前溢利", "除税前利润", "税前利润", "除税前盈利", "利润总额", "税前溢利"),
        "income_tax": ("所得税开支", "所得税费用", "所得税抵免", "税项", "income tax expenses", "taxes on income",
                       "benefit for income taxes", "provision for taxes on income", "income tax expense net"),
        "net_profit": ("年内溢利", "期内溢利", "年度盈利", "年内盈利", "期内盈利", "本年度盈利", "本期盈利", "本年度溢利", "本期溢利", "年度溢利", "年内利润", "期内利润", "本年溢利",
                       "本期净利润", "本年净利润", "净利润", "consolidated net income",
                       "consolidated net earnings", "net earnings loss", "net loss earnings", "profit", "profit loss",
                       "profit for the financial year", "net income for the period", "net income for the year"),
        "net_profit_attributable_to_parent": ("归属于母公司所有者或股东的净利润", "归属于母公司股东或所有者的净利润",
                                              "归属于本行股东的净利润", "归属于母公司普通股股东的净利润",
                                              "本公司拥有人应占溢利", "本公司权益持有人应占溢利"),
        "minority_interest_income": ("少数股东损益", "非控制性权益应占溢利", "非控股权益应占溢利"),
        "basic_eps": ("每股基本盈利", "基本每股盈利", "每股基本收益"),
        "diluted_eps": ("每股摊薄盈利", "摊薄每股盈利", "每股稀释收益", "稀释每股盈利"),
    },
    _CF: {
        "cash_from_sales": ("销售商品提供劳务收到的现金",),
        "operating_cash_inflow": ("经营活动现金流入小计",),
        "operating_cash_outflow": ("经营活动现金流出小计",),
        "net_cash_operating": ("cash provided by operations", "cash generated by operations", "net cash from operations",
                               "net cash provided by operations", "cash from operations"),
        "net_change_in_cash": ("现金及现金等价物增加净额", "现金及现金等价物减少净额", "现金及现金等价物净变动",
                               "现金及现金等价物净增加减少额", "现金及现金等价物净减少增加额"),
        "cash_end": ("年末现金及现金等价物", "期末现金及现金等价物", "年末现金及现金等价物余额", "于年末的现金及现金等价物",
                     "于期末的现金及现金等价物", "年终现金及现金等价物"),
    },
}


# "Net cash provided by (used in) …", "Cash used for …", "Cash provided by operations" — not the
# section heading "Cash flows from …", nor a continuing / discontinued part of the total
_VERB = r"(?:provided|used|generated|received|from|by|in|for|applied|absorbed|inflow|outflow|flows?)"
_NET_CASH = (rf"^(?:(?:net |total )cash(?: {_VERB})*|cash(?: (?:flows? )?(?:from|by|in))* (?:provided|used|generated)(?: {_VERB})*)"
             r" {}(?: total)?$")
_ZH_NET_CASH = r"^{}(?:活动|业务)(?:所?产生|所?使用|所?耗用|所用|所得|流入|流出|净流入|净流出)*的?现金(?:流量)?(?:净额|净流入|净流出|流入净额|流出净额)$"
# cash as US statements name it: "cash and cash equivalents", "cash, cash equivalents, restricted cash and
# restricted cash equivalents", "cash & cash equivalents, including restricted" (normalised: no commas or &)
_CASH = (r"cash(?:(?: and)? (?:cash )?equivalents|(?: and)? restricted cash(?: and restricted cash equivalents)?"
         r"|(?: and)? restricted cash equivalents| including restricted(?: cash)?)*")
RULES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    _BS: [
        (re.compile(r"^long-term (?:debt|borrowings|loans)(?! current)(?!.*\b(?:current|within (?:one|1) year|in (?:one|1) year|due (?:within|in) ))"), "long_term_borrowings"),
        (re.compile(r"^long-term (?:debt|borrowings|loans)(?: and (?:finance )?lease obligations)? (?:due|maturing|payable) (?:with)?in (?:one|1) year$"), "current_portion_non_current_liabilities"),
        (re.compile(r"^(?:non-?current |long-term )(?:operating )?lease liabilities"), "lease_liabilities"),
        (re.compile(r"^operating lease liabilities non-?current$"), "lease_liabilities"),
        (re.compile(r"^(?:accounts|trade) receivables?(?: net)?$"), "accounts_receivable"),
        (re.compile(r"^property(?: plant)? and equipment(?: net)?$"), "fixed_assets"),
        (re.compile(r"^负债(?:和|及|与)(?:所有者|股东)权益(?:总计|合计)$"), "total_liabilities_and_equity"),
        (re.compile(r"^(?:(?:所有者|股东)?权益(?:和|及|与)负债|负债(?:和|及|与)(?:所有者|股东)?权益)(?:总计|合计|总额)$"),
         "total_liabilities_and_equity"),
        # "Total liabilities, temporary equity, and stockholders' equity", "… and common stockholders' investment",
        # "Total capitalization and liabilities" (a utility), "Total liabilities, redeemable NCI, and equity"
        (re.compile(r"^total (?:liabilities\b.*\b(?:equity|deficit|investment|capital|capitalization)|"
                    r"(?:capitalization|equity) and liabilities)$"), "total_liabilities_and_equity"),
        # "Total common stockholders' investment", "Total Walmart shareholders' equity" (the equity convention
        # below decides between the parent's share and the total)
        (re.compile(r"^total (?:[a-z0-9.&,' -]+ )?(?:stockholders|shareholders|shareowners|owners)'? (?:equity|deficit|investment)"
                    r"(?: deficit)?$"), "total_equity"),
        (re.compile(r"^(?:nonredeemable )?non-?controlling interests?\b(?!.*\bredeemable\b)(?! in (?:income|earnings))"),
         "minority_interests"),
        (re.compile(r"^归属于(?:母公司|本行|本公司)(?:普通股)?(?:股东|所有者)?(?:或股东|或所有者)?的?权益(?:合计|总额)?$"),
         "equity_attributable_to_parent"),
    ],
    _IS: [
        (re.compile(r"^(?:consolidated )?net (?:income|earnings|profit|loss)(?: (?:income|earnings|loss|profit))?$"), "net_profit"),
        (re.compile(r"^(?:less )?(?:consolidated )?net (?:income|earnings|loss|profit)(?: (?:income|earnings|loss|profit))?"
                    r" attributable to non-?controlling interests?$"), "minority_interest_income"),
        (re.compile(r"^(?:provision|benefit) (?:for|from) (?:income )?tax(?:es)?(?: (?:provision|benefit))?$"), "income_tax"),
        (re.compile(r"^(?:net )?operating revenues?$|^net operating sales$"), "revenue"),
        (re.compile(r"^归属于(?:母公司|本行|本公司)(?:普通股)?(?:股东|所有者)?(?:或股东|或所有者)?的?净利润$"),
         "net_profit_attributable_to_parent"),
        (re.compile(r"^(?:本公司)?(?:拥有人|权益持有人|股东)应占(?:年内|期内)?(?:溢利|利润)$"), "net_profit_attributable_to_parent"),
        (re.compile(r"^(?=.*per (?:common |ordinary )?share)(?!.*(?:weighted|shares used|number of))(?=.*\bbasic\b)"), "basic_eps"),
        (re.compile(r"^(?=.*per (?:common |ordinary )?share)(?!.*(?:weighted|shares used|number of))(?=.*\bdiluted\b)(?!.*basic)"), "diluted_eps"),
    ],
    _CF: [
        (re.compile(_NET_CASH.format("(?:operating activities|operations)")), "net_cash_operating"),
        (re.compile(_NET_CASH.format("investing(?: activities)?")), "net_cash_investing"),
        (re.compile(_NET_CASH.format("financing(?: activities)?")), "net_cash_financing"),
        (re.compile(_ZH_NET_CASH.format("经营")), "net_cash_operating"),
        (re.compile(_ZH_NET_CASH.format("投资")), "net_cash_investing"),
        (re.compile(_ZH_NET_CASH.format("(?:筹资|融资)")), "net_cash_financing"),
        (re.compile(r"^购(?:建|置)(?:固定资产|物业).*(?:支付的现金|付款)$"), "capex"),
        (re.compile(r"^现金及现金等价物(?:净)?(?:增加|减少|变动)+(?:净)?额?$"), "net_change_in_cash"),
        (re.compile(r"^(?:年|期)末(?:的)?现金及现金等价物(?:余额)?$|^于(?:年|期)末的?现金及现金等价物$"), "cash_end"),
        (re.compile(r"^(?:purchases?|acquisitions?|additions?|payments? for|expenditures? for)(?: of| to)? (?:property|premises|fixed assets|capital assets)"), "capex"),
        (re.compile(r"^proceeds from (?:the )?(?:issuance of )?(?:long-term )?(?:debt|borrowings|notes|senior notes|term loans?)(?!.*short-term)(?!.*commercial paper)"), "borrowings_received"),
        (re.compile(r"^(?:repayments?|payments?|principal payments?|retirements?) (?:of|on) (?:long-term )?(?:debt|borrowings|notes|senior notes|term loans?)(?!.*short-term)(?!.*commercial paper)(?!.*lease)"), "debt_repaid"),
        (re.compile(r"^(?:payments? (?:of|for) )?(?:common (?:stock|shares?) )?(?:cash )?dividends(?: paid)?(?: to (?:common |ordinary )?(?:stock|share)holders)?$"), "dividends_and_interest_paid"),
        (re.compile(rf"^(?:net )?(?:increase|decrease|change)(?: decrease| increase)? in {_CASH}(?: during (?:the )?(?:period|year|quarter))?$"), "net_change_in_cash"),
        (re.compile(rf"^{_CASH}(?: at)? (?:the )?end of (?:the )?(?:period|year|quarter)$"), "cash_end"),
        # a bank's cash: "Cash and due from banks and deposits with banks at the end of the period"
        (re.compile(r"^(?:net )?(?:increase|decrease|change)(?: decrease| increase)? in cash and due from banks(?: and deposits with banks)?$"),
         "net_change_in_cash"),
        (re.compile(r"^cash and due from banks(?: and deposits with banks)?(?: at)? (?:the )?end of (?:the )?(?:period|year|quarter)$"),
         "cash_end"),
    ],
}
