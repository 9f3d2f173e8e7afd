"""Printed row labels → canonical keys (FIGURES.md), zh and en.

Two steps: ``normalize`` (NFKC, lower case, numbering 一、/（一）/1., prefixes 加：/减：/其中：,
parenthesised asides such as "(loss)", "（或股本）", "（损失以“-”号填列）", note references,
", net", punctuation and spaces), then an exact look-up in the synonym table of the statement's
kind. ``assign_keys`` then applies the statement-level conventions of shared/data/README.md as
general rules (context of the row, which rows are printed, one row per key).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

_BS, _IS, _CF = "balance_sheet", "income_statement", "cash_flow"

_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
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

_PREFIX = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[.、．)](?!\d)|[a-z]\s*[.)](?=\s))\s*"
)
_ZH_LEAD = re.compile(r"^(?:加|减|其中|包括|含)\s*[:：]\s*|^(?:less|add|plus|deduct)\s*:?\s+(?=\S)")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
_NOTE_TAIL = re.compile(r"\s*(?:附注|注释|note|notes)\s*[\w.、,\- ]*$", re.IGNORECASE)
_LOOKUP: dict[str, dict[str, str]] = {}


def normalize(label: str) -> str:
    """The comparable form of a printed label (see the module docstring)."""
    s = unicodedata.normalize("NFKC", label).strip().lower()
    s = s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("&", " and ")
    for _ in range(3):
        s2 = _ZH_LEAD.sub("", _PREFIX.sub("", s.strip()))
        if s2 == s:
            break
        s = s2
    prev = None
    while prev != s:
        prev, s = s, _PAREN.sub(" ", s)
    s = re.sub(r"[(（][^)）]*$", " ", s)  # an unclosed aside at the end
    s = _NOTE_TAIL.sub("", s) if re.search(r"\b(?:note|notes)\s+\d", s) or "附注" in s else s
    if not s.startswith("net "):
        s = re.sub(r",?\s*\bnet of\b.*$", " ", s)  # ", net of allowance of $1,234"
    s = re.sub(r",?\s*\bless (?:current portion|current maturities|allowance)\b.*$", " ", s)
    s = re.sub(r",\s*net\b", " ", s)
    s = s.replace("—", " ").replace("–", " ")
    if re.search(r"[\u4e00-\u9fff]", s):
        s = re.sub(r"[\s:：;；,，、.。\"'“”]", "", s)
    else:
        s = re.sub(r"[,:;.\"]", " ", s)
        s = re.sub(r"\bthe\b", " ", s)
        s = re.sub(r"\s+", " ", s).strip()
    return s


def _lookup(kind: str) -> dict[str, str]:
    if kind not in _LOOKUP:
        table: dict[str, str] = {}
        for key, names in _SYNONYMS.get(kind, {}).items():
            for name in names:
                table.setdefault(normalize(name), key)
        _LOOKUP[kind] = table
    return _LOOKUP[kind]


# "Net cash provided by (used in) …", "Cash used in …" — not the section heading "Cash flows from …"
_NET_CASH = (r"^(?:(?:net |total )cash (?:flows? )?(?:(?:provided|used|generated|received|from|by|in)\s+)+"
             r"|cash (?:flows? )?(?:(?:from|by|in)\s+)*(?:provided|used|generated)\s+(?:(?:provided|used|generated|from|by|in)\s+)*)"
             r"{} activities(?: total)?$")
_RULES: dict[str, list[tuple[re.Pattern[str], str]]] = {
    _BS: [
        (re.compile(r"^long-term (?:debt|borrowings|loans)(?! current)(?!.*\bcurrent portion\b)"), "long_term_borrowings"),
        (re.compile(r"^(?:non-?current |long-term )(?:operating )?lease liabilities"), "lease_liabilities"),
        (re.compile(r"^operating lease liabilities non-?current$"), "lease_liabilities"),
        (re.compile(r"^(?:accounts|trade) receivables?(?: net)?$"), "accounts_receivable"),
        (re.compile(r"^property(?: plant)? and equipment(?: net)?$"), "fixed_assets"),
        (re.compile(r"^负债(?:和|及|与)(?:所有者|股东)权益(?:总计|合计)$"), "total_liabilities_and_equity"),
    ],
    _IS: [
        (re.compile(r"^(?=.*per (?:common |ordinary )?share)(?!.*(?:weighted|shares used|number of))(?=.*\bbasic\b)"), "basic_eps"),
        (re.compile(r"^(?=.*per (?:common |ordinary )?share)(?!.*(?:weighted|shares used|number of))(?=.*\bdiluted\b)(?!.*basic)"), "diluted_eps"),
    ],
    _CF: [
        (re.compile(_NET_CASH.format("operating")), "net_cash_operating"),
        (re.compile(_NET_CASH.format("investing")), "net_cash_investing"),
        (re.compile(_NET_CASH.format("financing")), "net_cash_financing"),
        (re.compile(r"^(?:purchases?|acquisitions?|additions?|payments? for|expenditures? for)(?: of| to)? (?:property|premises|fixed assets|capital assets)"), "capex"),
        (re.compile(r"^proceeds from (?:the )?(?:issuance of )?(?:long-term )?(?:debt|borrowings|notes|senior notes|term loans?)(?!.*short-term)(?!.*commercial paper)"), "borrowings_received"),
        (re.compile(r"^(?:repayments?|payments?|principal payments?|retirements?) (?:of|on) (?:long-term )?(?:debt|borrowings|notes|senior notes|term loans?)(?!.*short-term)(?!.*commercial paper)(?!.*lease)"), "debt_repaid"),
        (re.compile(r"^(?:payments? (?:of|for) )?(?:cash )?dividends(?: paid)?(?: to (?:common |ordinary )?(?:stock|share)holders)?$"), "dividends_and_interest_paid"),
        (re.compile(r"^(?:net )?(?:increase|decrease|change)(?: decrease| increase)? in cash(?: and cash equivalents| cash equivalents and restricted cash| and equivalents)?$"), "net_change_in_cash"),
        (re.compile(r"^cash(?: and cash equivalents| cash equivalents and restricted cash| and equivalents)?(?: at)? (?:the )?end of (?:the )?(?:period|year|quarter)$"), "cash_end"),
    ],
}
_NET_INTEREST = re.compile(r"^interest\s*\(?(?:income|expense)\)?\s*(?:and\s*)?\(?(?:income|expense)\)?\s*,?\s*net$|^interest,?\s*net$", re.IGNORECASE)

_TOTAL_PROFIT = re.compile(r"^(?:net )?(?:income|loss|earnings|profit|income loss|loss income)s? before (?:provision for |benefit from )?(?:income )?tax")


def map_label(label: str, kind: str) -> str | None:
    """The canonical key of one printed label, by normalized look-up (no context)."""
    n = normalize(label)
    if not n:
        return None
    if kind == _IS and _NET_INTEREST.match(unicodedata.normalize("NFKC", label).strip()):
        return "interest_expense"  # a net interest figure (convention: interest_expense)
    key = _lookup(kind).get(n)
    if key is None and kind == _IS and _TOTAL_PROFIT.match(n):
        key = "total_profit"
    if key is None:
        key = next((k for pattern, k in _RULES.get(kind, []) if pattern.search(n)), None)
    return key


@dataclass
class MapRow:
    """What ``assign_keys`` needs of a row: its label and its values."""

    label: str
    values: list[Decimal | None]
    x0: float | None = None  # where the printed row starts on the page, when known


_PER_SHARE_HEAD = re.compile(r"per (?:common |ordinary )?share|每股收益|earnings per share|loss per share")
_SHARES_HEAD = re.compile(r"weighted|shares used|number of shares|shares outstanding|股数")
_COMMON_STOCK = re.compile(r"^(?:class [a-z] )?(?:common|ordinary) (?:stock|shares)")
_ATTRIB_PARENT_EN = re.compile(r"^net (?:income|earnings|loss|profit)(?: loss)? attributable to (?!non-?controlling)")
_TOTAL_OPEX = ("total operating expenses", "total costs and expenses", "total operating costs and expenses", "total expenses", "total cost and expenses")


def assign_keys(rows: list[MapRow], kind: str) -> list[str | None]:
    """Canonical keys for the rows of one statement, applying the project's conventions.

    A key is never given to two rows (the first printed keeps it); combined rows that straddle
    two keys (SG&A and the like) are not in the tables, so they stay unmapped.
    """
    norms = [normalize(r.label) for r in rows]
    keys: list[str | None] = [map_label(r.label, kind) for r in rows]
    heading = ""
    after_fin = 99
    for i, n in enumerate(norms):
        values_present = any(v is not None for v in rows[i].values)
        if not values_present and not keys[i]:
            heading = n
        if kind == _IS:
            if n in ("basic", "diluted") or n.startswith(("basic ", "diluted ")) and keys[i] is None:
                word = "basic" if n.startswith("basic") else "diluted"
                if _PER_SHARE_HEAD.search(heading) and not _SHARES_HEAD.search(heading) and n in ("basic", "diluted"):
                    keys[i] = f"{word}_eps"
            if keys[i] in ("basic_eps", "diluted_eps") and _SHARES_HEAD.search(heading) and not n.endswith("per share"):
                keys[i] = None
            # Chinese 利息费用/利息收入 are the sub-items of 财务费用 only
            if n == "财务费用":
                after_fin = 0
            elif re.search(r"[\u4e00-\u9fff]", n):
                after_fin += 1
            if keys[i] in ("interest_expense", "interest_income") and re.search(r"[\u4e00-\u9fff]", n) and after_fin > 3:
                keys[i] = None
    if kind == _CF:
        _cash_heading(rows, norms, keys)
    if kind == _IS:
        _attributable_heading(rows, norms, keys)
        _revenue_convention(norms, keys)
        _opex_convention(rows, norms, keys)
        _attribution_convention(norms, keys)
    if kind == _BS:
        _common_stock_convention(norms, keys)
        _equity_convention(norms, keys)
    _block_headings(rows, keys)
    return _unique(keys, [any(v is not None for v in r.values) for r in rows])


def _block_headings(rows: list[MapRow], keys: list[str | None]) -> None:
    """A heading printed without figures over indented rows that an unlabelled total closes
    ("Non-operating income (expense)" / three indented rows / a ruled total) names that
    block, not a figure: its key would stand for the total with no value, so it takes none."""
    for i, row in enumerate(rows):
        if keys[i] is None or row.x0 is None or any(v is not None for v in row.values):
            continue
        j = i + 1
        while j < len(rows) and rows[j].label.strip() and rows[j].x0 is not None and rows[j].x0 > row.x0 + 3:
            j += 1
        if j > i + 1 and j < len(rows) and not rows[j].label.strip() and any(v is not None for v in rows[j].values):
            keys[i] = None


_ATTRIB_HEAD = re.compile(r"^(?:net )?(?:profit|income|earnings|loss|profit loss|income loss)(?: for the (?:period|year))? attributable to$|^归属于")
_OWNERS = re.compile(r"^(?:owners|equity holders|shareholders|stockholders|equity shareholders|ordinary shareholders) of (?:the )?(?:company|parent|bank|group)$|^母公司(?:所有者|股东)$")
_NCI = re.compile(r"^(?:non-?controlling interests?|minority interests?|少数股东)$")


def _cash_heading(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """"Cash, cash equivalents and restricted cash:" / "Beginning of period" / "End of period"."""
    for i, n in enumerate(norms):
        if n.startswith("cash") and not any(v is not None for v in rows[i].values):
            for j in range(i + 1, min(i + 4, len(norms))):
                if re.fullmatch(r"(?:at )?end of (?:the )?(?:period|year|quarter)|ending balances?", norms[j]) and keys[j] is None:
                    keys[j] = "cash_end"


def _attributable_heading(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """"Profit attributable to:" followed by "Owners of the Company" / "Non-controlling interests"."""
    for i, n in enumerate(norms):
        if not _ATTRIB_HEAD.match(n) or any(v is not None for v in rows[i].values):
            continue
        for j in range(i + 1, min(i + 4, len(norms))):
            if _OWNERS.match(norms[j]) and keys[j] is None:
                keys[j] = "net_profit_attributable_to_parent"
            elif _NCI.match(norms[j]) and keys[j] is None:
                keys[j] = "minority_interest_income"
            elif not any(v is not None for v in rows[j].values):
                break


def _revenue_convention(norms: list[str], keys: list[str | None]) -> None:
    totals = [i for i, n in enumerate(norms) if re.fullmatch(r"total (?:net )?(?:operating )?(?:revenues?|sales)", n)]
    plain = [i for i, k in enumerate(keys) if k == "revenue"]
    for i in totals:
        if plain and any(p < i for p in plain):
            keys[i] = "total_operating_revenue"
        else:
            for p in plain:  # the component rows printed above a total are not the top line
                keys[p] = None
            keys[i] = "revenue"


def _opex_convention(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """A "total operating expenses" row is total_operating_costs only when it includes cost of sales."""
    idx = {k: i for i, k in reversed(list(enumerate(keys))) if k}
    for i, n in enumerate(norms):
        if n in _TOTAL_OPEX and keys[i] is None and "revenue" in idx and "operating_profit" in idx:
            rev, op, tot = rows[idx["revenue"]].values, rows[idx["operating_profit"]].values, rows[i].values
            pairs = [(r, o, t) for r, o, t in zip(rev, op, tot) if r is not None and o is not None and t is not None]
            if pairs and all(abs(abs(r) - abs(t) - o) <= Decimal("1") for r, o, t in pairs):
                keys[i] = "total_operating_costs"


def _attribution_convention(norms: list[str], keys: list[str | None]) -> None:
    has_nci = "minority_interest_income" in keys
    for i, n in enumerate(norms):
        if keys[i] is None and has_nci and _ATTRIB_PARENT_EN.match(n):
            keys[i] = "net_profit_attributable_to_parent"


def _common_stock_convention(norms: list[str], keys: list[str | None]) -> None:
    stock = [i for i, n in enumerate(norms) if _COMMON_STOCK.match(n)]
    if len(stock) == 1 and "paid_in_capital" not in keys:
        keys[stock[0]] = "paid_in_capital"


def _equity_convention(norms: list[str], keys: list[str | None]) -> None:
    """US "Total stockholders' equity" followed by NCI and Total equity → equity of the parent."""
    for i, n in enumerate(norms):
        shareholders_total = n.startswith("total ") and re.search(r"(?:stockholders|shareholders)'? (?:equity|deficit)", n)
        if not shareholders_total or n in ("total equity",):
            continue
        below = keys[i + 1 :]
        later_total = [j for j in range(i + 1, len(norms)) if norms[j] == "total equity" or norms[j].startswith("total equity")]
        if "minority_interests" in below and later_total:
            keys[i] = "equity_attributable_to_parent"
            keys[later_total[0]] = "total_equity"
        elif keys[i] is None and "total_equity" not in keys and not later_total:
            keys[i] = "total_equity"  # "Total Acme Inc. shareholders' equity" with no NCI printed


def _unique(keys: list[str | None], valued: list[bool]) -> list[str | None]:
    # a heading row without figures ("Cost of revenue:") yields its key to a later row with figures
    for i, k in enumerate(keys):
        if k is not None and not valued[i] and any(keys[j] == k and valued[j] for j in range(i + 1, len(keys))):
            keys[i] = None
    seen: set[str] = set()
    out: list[str | None] = []
    for k in keys:
        if k is not None and k in seen:
            out.append(None)
            continue
        if k is not None:
            seen.add(k)
        out.append(k)
    return out
