"""Consistent synthetic figures: balance sheets, income statements and cash flows.

Every function takes a ``random.Random`` and returns ``{key: Decimal}`` in base units
(元 / dollars). Keys are the canonical keys of FIGURES.md; rows that a statement prints but
that have no canonical key use a leading underscore (``_other_current_assets``) and come out
of extraction with ``key: null``. ``None`` is a printed row with an empty or dash cell.

Amounts are whole multiples of ``quantum`` (the value of the smallest printed digit: 0.01
for 元 with two decimals, 100 for 万元 with two decimals, 1000 for "in thousands"), so the
printed text and the base-unit truth agree exactly. The accounting identities of FIGURES.md
hold in every set, with the signs as printed (``signed=True``: costs and outflows negative,
as IFRS and US filings print them in parentheses).
"""

from __future__ import annotations

import random
from decimal import Decimal

Figures = dict[str, Decimal | None]


def _amt(rng: random.Random, lo: float, hi: float, quantum: Decimal) -> Decimal:
    """A random amount in [lo, hi] base units, a whole multiple of ``quantum``."""
    q = float(quantum)
    return Decimal(rng.randint(max(1, int(lo / q)), max(1, int(hi / q)))) * quantum


def _sum(figs: Figures, keys: list[str]) -> Decimal:
    return sum((figs[k] or Decimal(0) for k in keys), Decimal(0))


BS_CURRENT_ASSETS = [
    "cash", "notes_receivable", "accounts_receivable", "prepayments",
    "other_receivables", "inventory", "contract_assets", "_other_current_assets",
]
BS_NON_CURRENT_ASSETS = [
    "long_term_equity_investments", "fixed_assets", "construction_in_progress",
    "intangible_assets", "goodwill", "_deferred_tax_assets",
]
BS_CURRENT_LIABILITIES = [
    "short_term_borrowings", "notes_payable", "accounts_payable", "advances_from_customers",
    "_employee_benefits_payable", "taxes_payable", "_other_payables",
    "current_portion_non_current_liabilities",
]
BS_NON_CURRENT_LIABILITIES = ["long_term_borrowings", "_deferred_income"]
BS_EQUITY = ["paid_in_capital", "capital_reserve", "surplus_reserve", "retained_earnings"]


def make_balance_sheet(
    rng: random.Random, scale: float, quantum: Decimal, *, minority: bool = False, leverage: float = 1.0
) -> Figures:
    """One balance-sheet column of about ``scale`` total assets; the identities hold.

    ``leverage`` multiplies every liability (1.0: about 45 % debt-to-assets; 1.8: about 80 %);
    equity is what is left, so a high leverage can print negative retained earnings.
    """
    f: Figures = {}
    ca = {
        "cash": (0.06, 0.15), "notes_receivable": (0.01, 0.04), "accounts_receivable": (0.08, 0.18),
        "prepayments": (0.01, 0.04), "other_receivables": (0.005, 0.02), "inventory": (0.08, 0.2),
        "_other_current_assets": (0.002, 0.01),
    }
    for key, (lo, hi) in ca.items():
        f[key] = _amt(rng, lo * scale, hi * scale, quantum)
    f["contract_assets"] = None  # printed, empty: a dash in the statement
    f["total_current_assets"] = _sum(f, BS_CURRENT_ASSETS)
    nca = {
        "long_term_equity_investments": (0.02, 0.08), "fixed_assets": (0.2, 0.35),
        "construction_in_progress": (0.01, 0.06), "intangible_assets": (0.03, 0.08),
        "_deferred_tax_assets": (0.001, 0.006),
    }
    for key, (lo, hi) in nca.items():
        f[key] = _amt(rng, lo * scale, hi * scale, quantum)
    f["goodwill"] = None
    f["total_non_current_assets"] = _sum(f, BS_NON_CURRENT_ASSETS)
    f["total_assets"] = f["total_current_assets"] + f["total_non_current_assets"]
    cl = {
        "short_term_borrowings": (0.06, 0.15), "notes_payable": (0.01, 0.05),
        "accounts_payable": (0.06, 0.14), "advances_from_customers": (0.005, 0.03),
        "_employee_benefits_payable": (0.003, 0.01), "taxes_payable": (0.002, 0.01),
        "_other_payables": (0.005, 0.02), "current_portion_non_current_liabilities": (0.01, 0.04),
    }
    for key, (lo, hi) in cl.items():
        f[key] = _amt(rng, lo * scale * leverage, hi * scale * leverage, quantum)
    f["total_current_liabilities"] = _sum(f, BS_CURRENT_LIABILITIES)
    f["long_term_borrowings"] = _amt(rng, 0.05 * scale * leverage, 0.15 * scale * leverage, quantum)
    f["_deferred_income"] = _amt(rng, 0.001 * scale * leverage, 0.005 * scale * leverage, quantum)
    f["total_non_current_liabilities"] = _sum(f, BS_NON_CURRENT_LIABILITIES)
    f["total_liabilities"] = f["total_current_liabilities"] + f["total_non_current_liabilities"]
    equity = f["total_assets"] - f["total_liabilities"]
    f["paid_in_capital"] = _amt(rng, 0.1 * scale, 0.2 * scale, quantum)
    f["capital_reserve"] = _amt(rng, 0.02 * scale, 0.08 * scale, quantum)
    f["surplus_reserve"] = _amt(rng, 0.01 * scale, 0.03 * scale, quantum)
    if minority:
        f["minority_interests"] = _amt(rng, 0.01 * scale, 0.03 * scale, quantum)
        f["equity_attributable_to_parent"] = equity - f["minority_interests"]
        parent = f["equity_attributable_to_parent"]
    else:
        parent = equity
    f["retained_earnings"] = parent - f["paid_in_capital"] - f["capital_reserve"] - f["surplus_reserve"]
    f["total_equity"] = equity
    f["total_liabilities_and_equity"] = f["total_liabilities"] + f["total_equity"]
    return f


def make_income_statement(
    rng: random.Random, revenue: float, quantum: Decimal, *, minority: bool = False,
    shares: Decimal | None = None, cost_ratio: float | None = None,
) -> Figures:
    """One income-statement column for a span with about ``revenue`` of sales.

    Costs are positive (Chinese convention: 减：营业成本 …); impairment losses and a loss on
    investments are negative, as 信用减值损失（损失以"－"号填列） prints them.
    """
    f: Figures = {}
    f["revenue"] = _amt(rng, 0.9 * revenue, 1.1 * revenue, quantum)
    r = float(f["revenue"])
    f["total_operating_revenue"] = f["revenue"]
    lo, hi = (0.6, 0.75) if cost_ratio is None else (cost_ratio - 0.01, cost_ratio + 0.01)
    f["cost_of_revenue"] = _amt(rng, lo * r, hi * r, quantum)
    f["taxes_and_surcharges"] = _amt(rng, 0.004 * r, 0.01 * r, quantum)
    f["selling_expenses"] = _amt(rng, 0.03 * r, 0.06 * r, quantum)
    f["admin_expenses"] = _amt(rng, 0.04 * r, 0.07 * r, quantum)
    f["rd_expenses"] = _amt(rng, 0.01 * r, 0.04 * r, quantum)
    f["interest_expense"] = _amt(rng, 0.005 * r, 0.015 * r, quantum)
    f["interest_income"] = _amt(rng, 0.0005 * r, 0.002 * r, quantum)
    fees = _amt(rng, 0.0002 * r, 0.001 * r, quantum)
    f["financial_expenses"] = f["interest_expense"] - f["interest_income"] + fees
    f["total_operating_costs"] = _sum(
        f, ["cost_of_revenue", "taxes_and_surcharges", "selling_expenses", "admin_expenses",
            "rd_expenses", "financial_expenses"]
    )
    f["_other_income"] = _amt(rng, 0.001 * r, 0.004 * r, quantum)
    inv = _amt(rng, 0.001 * r, 0.01 * r, quantum)
    f["investment_income"] = inv if rng.random() < 0.7 else -inv
    f["credit_impairment_losses"] = -_amt(rng, 0.001 * r, 0.005 * r, quantum)
    f["asset_impairment_losses"] = None
    f["operating_profit"] = (
        f["total_operating_revenue"] - f["total_operating_costs"] + f["_other_income"]
        + f["investment_income"] + f["credit_impairment_losses"]
    )
    f["non_operating_income"] = _amt(rng, 0.0002 * r, 0.002 * r, quantum)
    f["non_operating_expenses"] = _amt(rng, 0.0002 * r, 0.002 * r, quantum)
    f["total_profit"] = f["operating_profit"] + f["non_operating_income"] - f["non_operating_expenses"]
    tax = (f["total_profit"] * Decimal("0.25") / quantum).quantize(Decimal(1)) * quantum
    f["income_tax"] = tax if tax > 0 else Decimal(0)
    f["net_profit"] = f["total_profit"] - f["income_tax"]
    if minority:
        mi = (f["net_profit"] * Decimal("0.06") / quantum).quantize(Decimal(1)) * quantum
        f["minority_interest_income"] = mi
        f["net_profit_attributable_to_parent"] = f["net_profit"] - mi
    if shares:
        base = f.get("net_profit_attributable_to_parent") or f["net_profit"]
        eps = (base / shares).quantize(Decimal("0.01"))
        f["basic_eps"] = eps
        f["diluted_eps"] = eps if rng.random() < 0.5 else (base / (shares * Decimal("1.02"))).quantize(Decimal("0.01"))
    return f


CF_OPERATING_IN = ["cash_from_sales", "_tax_refunds", "_other_operating_receipts"]
CF_OPERATING_OUT = ["_goods_paid", "_staff_paid", "_taxes_paid", "_other_operating_payments"]
CF_INVESTING_IN = ["_investments_recovered", "_investment_income_received"]
CF_INVESTING_OUT = ["capex", "_investments_paid"]
CF_FINANCING_IN = ["_capital_contributions", "borrowings_received"]
CF_FINANCING_OUT = ["debt_repaid", "dividends_and_interest_paid"]


def make_cash_flow(
    rng: random.Random, revenue: float, quantum: Decimal, *, cash_end: Decimal | None = None
) -> Figures:
    """One direct-method cash-flow column (Chinese format); sections sum to the net change.

    With ``cash_end`` the closing cash equals that balance (so it can match the balance
    sheet's 货币资金), and the opening cash is derived.
    """
    r = revenue
    f: Figures = {}
    f["cash_from_sales"] = _amt(rng, 1.0 * r, 1.15 * r, quantum)
    f["_tax_refunds"] = _amt(rng, 0.001 * r, 0.005 * r, quantum)
    f["_other_operating_receipts"] = _amt(rng, 0.005 * r, 0.02 * r, quantum)
    f["operating_cash_inflow"] = _sum(f, CF_OPERATING_IN)
    f["_goods_paid"] = _amt(rng, 0.65 * r, 0.8 * r, quantum)
    f["_staff_paid"] = _amt(rng, 0.08 * r, 0.12 * r, quantum)
    f["_taxes_paid"] = _amt(rng, 0.02 * r, 0.05 * r, quantum)
    f["_other_operating_payments"] = _amt(rng, 0.02 * r, 0.06 * r, quantum)
    f["operating_cash_outflow"] = _sum(f, CF_OPERATING_OUT)
    f["net_cash_operating"] = f["operating_cash_inflow"] - f["operating_cash_outflow"]
    f["_investments_recovered"] = _amt(rng, 0.0 * r, 0.02 * r, quantum)
    f["_investment_income_received"] = _amt(rng, 0.0 * r, 0.005 * r, quantum)
    f["_investing_inflow"] = _sum(f, CF_INVESTING_IN)
    f["capex"] = _amt(rng, 0.03 * r, 0.1 * r, quantum)
    f["_investments_paid"] = _amt(rng, 0.0 * r, 0.03 * r, quantum)
    f["_investing_outflow"] = _sum(f, CF_INVESTING_OUT)
    f["net_cash_investing"] = f["_investing_inflow"] - f["_investing_outflow"]
    f["_capital_contributions"] = None
    f["borrowings_received"] = _amt(rng, 0.05 * r, 0.2 * r, quantum)
    f["_financing_inflow"] = _sum(f, CF_FINANCING_IN)
    f["debt_repaid"] = _amt(rng, 0.05 * r, 0.2 * r, quantum)
    f["dividends_and_interest_paid"] = _amt(rng, 0.005 * r, 0.03 * r, quantum)
    f["_financing_outflow"] = _sum(f, CF_FINANCING_OUT)
    f["net_cash_financing"] = f["_financing_inflow"] - f["_financing_outflow"]
    f["_fx_effect"] = _amt(rng, 0.0 * r, 0.001 * r, quantum)
    f["net_change_in_cash"] = (
        f["net_cash_operating"] + f["net_cash_investing"] + f["net_cash_financing"] + f["_fx_effect"]
    )
    if cash_end is None:
        f["_cash_begin"] = _amt(rng, 0.1 * r, 0.3 * r, quantum)
        f["cash_end"] = f["_cash_begin"] + f["net_change_in_cash"]
    else:
        f["cash_end"] = cash_end
        f["_cash_begin"] = cash_end - f["net_change_in_cash"]
    return f


def make_us_cash_flow(rng: random.Random, net_income: Decimal, revenue: float, quantum: Decimal) -> Figures:
    """An indirect-method cash-flow column with outflows negative, as US/IFRS filings print them."""
    r = revenue
    f: Figures = {"_net_income": net_income}
    f["_depreciation"] = _amt(rng, 0.02 * r, 0.05 * r, quantum)
    f["_stock_compensation"] = _amt(rng, 0.005 * r, 0.02 * r, quantum)
    f["_receivables_change"] = -_amt(rng, 0.0 * r, 0.03 * r, quantum)
    f["_inventories_change"] = -_amt(rng, 0.0 * r, 0.03 * r, quantum)
    f["_payables_change"] = _amt(rng, 0.0 * r, 0.03 * r, quantum)
    f["net_cash_operating"] = _sum(
        f, ["_net_income", "_depreciation", "_stock_compensation", "_receivables_change",
            "_inventories_change", "_payables_change"]
    )
    f["capex"] = -_amt(rng, 0.03 * r, 0.08 * r, quantum)
    f["_acquisitions"] = None
    f["_other_investing"] = _amt(rng, 0.0 * r, 0.01 * r, quantum)
    f["net_cash_investing"] = _sum(f, ["capex", "_acquisitions", "_other_investing"])
    f["borrowings_received"] = _amt(rng, 0.02 * r, 0.1 * r, quantum)
    f["debt_repaid"] = -_amt(rng, 0.02 * r, 0.1 * r, quantum)
    f["dividends_and_interest_paid"] = -_amt(rng, 0.005 * r, 0.02 * r, quantum)
    f["net_cash_financing"] = _sum(f, ["borrowings_received", "debt_repaid", "dividends_and_interest_paid"])
    f["net_change_in_cash"] = f["net_cash_operating"] + f["net_cash_investing"] + f["net_cash_financing"]
    f["_cash_begin"] = _amt(rng, 0.1 * r, 0.3 * r, quantum)
    f["cash_end"] = f["_cash_begin"] + f["net_change_in_cash"]
    return f


def signed_costs(f: Figures) -> Figures:
    """The same income statement with costs, expenses and tax negative (IFRS / US printing)."""
    out = dict(f)
    for key in ("cost_of_revenue", "selling_expenses", "admin_expenses", "rd_expenses",
                "financial_expenses", "interest_expense", "income_tax", "taxes_and_surcharges",
                "total_operating_costs", "non_operating_expenses"):
        if out.get(key) is not None:
            out[key] = -out[key]
    return out
