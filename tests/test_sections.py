"""The section a row sits in (extractors.structure.row_sections) gives the meaning of labels printed in
more than one section: generated statements, each with a variant that must NOT take the key."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from extractors.checks import check_statement
from extractors.mapping import MapRow, assign_keys, explain_keys
from extractors.models import Column
from extractors.statements import build_statement
from extractors.structure import row_sections

BS, IS, CF = "balance_sheet", "income_statement", "cash_flow"


def _rows(spec: list[tuple[str, list[int | None] | None]], cols: int = 2) -> list[MapRow]:
    return [MapRow(label, [None] * cols if vals is None else [None if v is None else Decimal(v) for v in vals]) for label, vals in spec]


def _us_liabilities(rng: random.Random, heading: bool) -> tuple[list[MapRow], int, int]:
    """A US balance sheet's other side with "Term debt" under both current and non-current liabilities
    (Apple's layout); the non-current heading printed or not (the current total then closes the section)."""
    cur = [rng.randint(1, 9999) for _ in range(3)]
    non = [rng.randint(1, 9999) for _ in range(2)]
    spec: list[tuple[str, list[int | None] | None]] = [
        ("LIABILITIES AND SHAREHOLDERS' EQUITY:", None), ("Current liabilities:", None),
        ("Accounts payable", [cur[0], cur[0] + 1]), ("Term debt", [cur[1], cur[1] + 1]), ("Other current liabilities", [cur[2], cur[2] + 1]),
        ("Total current liabilities", [sum(cur), sum(cur) + 3])]
    if heading:
        spec.append(("Non-current liabilities:", None))
    spec += [("Term debt", [non[0], non[0] + 1]), ("Other non-current liabilities", [non[1], non[1] + 1]),
             ("Total liabilities", [sum(cur) + sum(non), sum(cur) + sum(non) + 5])]
    rows = _rows(spec)
    first = next(i for i, r in enumerate(rows) if r.label == "Term debt")
    second = next(i for i, r in enumerate(rows) if r.label == "Term debt" and i > first)
    return rows, first, second


@pytest.mark.parametrize("seed", range(6))
def test_term_debt_takes_its_key_from_its_section(seed):
    rows, current, non_current = _us_liabilities(random.Random(seed), heading=bool(seed % 2))
    keys = assign_keys(rows, BS)
    assert keys[current] == "current_portion_non_current_liabilities"
    assert keys[non_current] == "long_term_borrowings"


def test_term_debt_outside_any_known_section_takes_no_key():
    rows = _rows([("Accounts payable", [5, 6]), ("Term debt", [7, 8]), ("Other liabilities", [1, 1])])
    assert assign_keys(rows, BS)[1] is None


def _hk_balance_sheet(non_current_heading: bool) -> list[MapRow]:
    """A Hong Kong 綜合財務狀況表: non-current items first, unlabelled subtotals, the same labels under
    both liability headings, a fair-value financial asset under both asset headings."""
    spec: list[tuple[str, list[int | None] | None]] = [("資產", None)]
    if non_current_heading:
        spec.append(("非流動資產", None))
    spec += [("物業、設備及器材", [400, 300]), ("以公允價值計量且其變動計入損益的金融資產", [120, 90]), ("", [520, 390]),
             ("流動資產", None), ("存貨", [10, 9]), ("以公允價值計量且其變動計入損益的金融資產", [30, 20]),
             ("現金及現金等價物", [160, 141]), ("", [200, 170]), ("資產總額", [720, 560]),
             ("權益", None), ("股本溢價", [300, 250]), ("保留盈利", [100, 70]), ("權益總額", [400, 320]),
             ("負債", None), ("非流動負債", None), ("借款", [150, 100]), ("應付票據", [60, 50]), ("租賃負債", [20, 15]),
             ("", [230, 165]), ("流動負債", None), ("應付賬款", [40, 40]), ("借款", [25, 20]), ("應付票據", [15, 10]),
             ("租賃負債", [10, 5]), ("", [90, 75]), ("負債總額", [320, 240]), ("權益及負債總額", [720, 560])]
    return _rows(spec)


@pytest.mark.parametrize("heading", [True, False])
def test_hong_kong_twins_are_keyed_by_section(heading):
    rows = _hk_balance_sheet(heading)
    keys = assign_keys(rows, BS)
    by_label = [(r.label, k) for r, k in zip(rows, keys) if r.label]
    fv = [k for lab, k in by_label if lab.startswith("以公允價值")]
    assert fv == [None, "trading_financial_assets"]  # the non-current one (heading printed or lost) has no key
    assert [k for lab, k in by_label if lab == "借款"] == ["long_term_borrowings", None]
    assert [k for lab, k in by_label if lab == "應付票據"] == ["bonds_payable", None]
    assert [k for lab, k in by_label if lab == "租賃負債"] == ["lease_liabilities", None]
    assert keys[rows.index(next(r for r in rows if r.values == [Decimal(520), Decimal(390)]))] == "total_non_current_assets"


def test_cas_notes_payable_stays_a_current_bill():
    rows = _rows([("流动负债：", None), ("短期借款", [10, 10]), ("应付票据", [20, 30]), ("应付账款", [5, 5]), ("流动负债合计", [35, 45])])
    assert assign_keys(rows, BS)[2] == "notes_payable"


def test_row_sections_from_headings_and_closing_totals():
    norms = ["current assets", "cash", "total current assets", "goodwill", "total assets", "current liabilities", "accounts payable",
             "total current liabilities", "long-term debt", "stockholders' equity", "common stock"]
    values = [[None], [1], [1], [2], [3], [None], [1], [1], [1], [None], [1]]
    keys = [None, "cash", "total_current_assets", "goodwill", "total_assets", None, "accounts_payable", "total_current_liabilities",
            "long_term_borrowings", None, "paid_in_capital"]
    secs = row_sections(BS, norms, [[None if v is None else Decimal(v) for v in r] for r in values], keys)
    assert secs[1] == "current_assets" and secs[3] == "non_current_assets"
    assert secs[6] == "current_liabilities" and secs[8] == "non_current_liabilities" and secs[10] == "equity"


@pytest.mark.parametrize("seed", range(4))
def test_cash_block_labels_take_their_meaning_from_the_block(seed):
    rng = random.Random(seed)
    op, inv, fin, fx, held = (rng.randint(-999, 999) for _ in range(5))
    begin = rng.randint(1000, 9999)
    change = op + inv + fin + fx + held
    rows = _rows([("Net cash provided by operating activities", [op]), ("Net cash used in investing activities", [inv]),
                  ("Net cash used in financing activities", [fin]), ("Effect of exchange rate on cash", [fx]),
                  ("Change in cash classified as assets held for sale", [held]),
                  ("Cash, cash equivalents, and restricted cash", None), ("Net change for the period", [change]),
                  ("Balance, beginning of period", [begin]), ("Balance, end of period", [begin + change]),
                  ("Supplemental cash flow disclosures", None), ("Balance, end of period", [rng.randint(1, 99)])], cols=1)
    keys = assign_keys(rows, CF)
    assert keys[6] == "net_change_in_cash" and keys[8] == "cash_end"
    assert keys[7] is None and keys[10] is None  # the opening balance; a row outside the cash block
    st = build_statement(CF, "consolidated", "t", [Column(label="2023")],
                         [(r.label, ["" if v is None else str(v) for v in r.values], 1, None) for r in rows], 1, "USD", [1])
    # the FX and held-for-sale rows between the net cash flows and the net change reconcile them: no warning
    assert not [w for w in check_statement(st) if "net change in cash" in w]


def test_cash_block_reconciliation_that_does_not_add_up_is_warned():
    rows = [("Net cash provided by operating activities", ["100"]), ("Net cash used in investing activities", ["-40"]),
            ("Net cash used in financing activities", ["-30"]), ("Effect of exchange rate on cash", ["5"]),
            ("Cash and cash equivalents:", [""]), ("Net change for the period", ["50"]), ("Balance, end of period", ["150"])]
    st = build_statement(CF, "consolidated", "t", [Column(label="2023")], [(lab, cells, 1, None) for lab, cells in rows], 1, "USD", [1])
    assert any("net change in cash" in w for w in check_statement(st))


def test_an_item_printed_in_parts_keeps_no_key():
    split = _rows([("Operating lease right-of-use assets", [13, 14]), ("Finance lease right-of-use assets, net", [5, 4]),
                   ("Trademarks with indefinite lives", [9, 6]), ("Goodwill", [16, 14]), ("Other intangible assets", [6, 7])])
    keys = assign_keys(split, BS)
    assert keys[0] is None and keys[4] is None and keys[3] == "goodwill"
    whole = _rows([("Operating lease right-of-use assets", [13, 14]), ("Goodwill", [16, 14]), ("Other intangible assets, net", [6, 7])])
    keys = assign_keys(whole, BS)
    assert keys[0] == "right_of_use_assets" and keys[2] == "intangible_assets"


def test_a_balance_sheet_breakdown_total_is_the_item():
    rows = [MapRow("Inventories", [None, None], 20.0), MapRow("Raw materials", [Decimal(13), Decimal(15)], 30.0),
            MapRow("Work in process", [Decimal(74), Decimal(75)], 30.0), MapRow("Finished goods", [Decimal(42), Decimal(41)], 30.0),
            MapRow("", [Decimal(129), Decimal(131)], 30.0), MapRow("Other current assets", [Decimal(39), Decimal(47)], 20.0)]
    keys, notes = explain_keys(rows, BS)
    assert keys[4] == "inventory" and keys[0] is None and any("inventory by the statement's sums" in n for n in notes)
    rows[4] = MapRow("", [Decimal(130), Decimal(131)], 30.0)  # not the sum of the rows above it
    assert "inventory" not in assign_keys(rows, BS)


def test_hong_kong_interest_income_without_a_finance_cost_block():
    hk = _rows([("收入", [100, 90]), ("收入成本", [-60, -50]), ("毛利", [40, 40]), ("利息收入", [6, 4]), ("經營盈利", [46, 44])])
    assert assign_keys(hk, IS)[3] == "interest_income"
    cas = _rows([("一、营业总收入", [100, 90]), ("其中：营业收入", [100, 90]), ("利息收入", [None, None]), ("二、营业总成本", [60, 50]),
                 ("财务费用", [3, 2]), ("其中：利息费用", [4, 3]), ("利息收入", [1, 1])])
    keys = assign_keys(cas, IS)
    assert keys[2] is None and keys[6] == "interest_income"


# --- real reports the mechanism was not built on (shared/data/corpus; skipped when absent) -----------
def _rows_of(result, kind: str, label: str) -> list[tuple[str | None, list]]:
    st = next(s for s in result.statements if s.kind == kind and s.scope == "consolidated")
    return [(i.key, [None if v is None else int(v) for v in i.values]) for i in st.items if i.label.strip() == label]


@pytest.mark.real_data
def test_real_term_debt_under_both_liability_headings(corpus):
    """Apple 10-Q Q3 2023, p.4: "Term debt" 7,216 / 11,128 under current and 98,071 / 98,959 under non-current liabilities."""
    assert _rows_of(corpus("APPLE_2023Q3_10Q.pdf"), BS, "Term debt") == [
        ("current_portion_non_current_liabilities", [7_216_000_000, 11_128_000_000]),
        ("long_term_borrowings", [98_071_000_000, 98_959_000_000])]


@pytest.mark.real_data
def test_real_operating_lease_liabilities_under_an_other_long_term_liabilities_heading(corpus):
    """FedEx 10-K 2023: "Operating lease liabilities" 2,390 under CURRENT LIABILITIES and 15,363 under OTHER LONG-TERM LIABILITIES."""
    assert _rows_of(corpus("FEDEX_2023_10K.pdf"), BS, "Operating lease liabilities") == [
        (None, [2_390_000_000, 2_443_000_000]), ("lease_liabilities", [15_363_000_000, 14_487_000_000])]


@pytest.mark.real_data
def test_real_cash_block_of_a_ten_k(corpus):
    """MGM 10-K 2020: "Cash and cash equivalents" / "Net increase for the period" / "Balance, end of period"."""
    result = corpus("MGMRESORTS_2020_10K.pdf")
    assert _rows_of(result, CF, "Net increase for the period") == [("net_change_in_cash", [2_772_033_000, 802_842_000, 26_767_000])]
    assert _rows_of(result, CF, "Balance, end of period") == [("cash_end", [5_101_637_000, 2_329_604_000, 1_526_762_000])]
    assert _rows_of(result, CF, "Balance, beginning of period")[0][0] is None
