"""The real dev documents (shared/data/real) extract to their gold figures.

Exact key figures per document, then precision / recall over every gold value (the scoring
of ``eval.extraction``). Skips when the data directory is absent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.fiscal_calendar import is_calendar_note
from extractors.pipeline import extract_file

pytestmark = pytest.mark.real_data

D = dt.date

_CACHE: dict[str, object] = {}


@pytest.fixture(scope="module")
def extracted(shared_data):
    def get(name: str):
        if name not in _CACHE:
            _CACHE[name] = extract_file(shared_data / "real" / name)
        return _CACHE[name]

    return get


def _value(result, kind, scope, start, end, key):
    for st in result.statements:
        if st.kind != kind or st.scope != scope:
            continue
        for i, col in enumerate(st.columns):
            if col.period_start == start and col.period_end == end:
                item = st.item(key)
                if item is not None:
                    return item.values[i]
    raise AssertionError(f"{kind}/{scope}/{start}..{end}/{key} not extracted")


@pytest.mark.parametrize(
    ("doc", "kind", "start", "end", "key", "value"),
    [
        ("贵州茅台2020年年度报告.pdf", "balance_sheet", None, D(2020, 12, 31), "cash", Decimal("36091090060.90")),
        ("贵州茅台2020年年度报告.pdf", "balance_sheet", None, D(2019, 12, 31), "total_liabilities_and_equity", Decimal("183042372042.50")),
        ("贵州茅台2020年年度报告.pdf", "balance_sheet", None, D(2020, 12, 31), "trading_financial_assets", None),
        ("贵州茅台2020年年度报告.pdf", "income_statement", D(2020, 1, 1), D(2020, 12, 31), "interest_income", Decimal("278697733.32")),
        ("贵州茅台2020年年度报告.pdf", "income_statement", D(2020, 1, 1), D(2020, 12, 31), "basic_eps", Decimal("37.17")),
        ("贵州茅台2020年年度报告.pdf", "cash_flow", D(2020, 1, 1), D(2020, 12, 31), "capex", Decimal("2089769498.78")),
        ("贵州茅台2020年年度报告.pdf", "cash_flow", D(2019, 1, 1), D(2019, 12, 31), "cash_end", Decimal("121003839599.64")),
        ("NETFLIX_2017_10K.pdf", "balance_sheet", None, D(2017, 12, 31), "total_current_liabilities", Decimal("5466312000")),
        ("NETFLIX_2017_10K.pdf", "income_statement", D(2017, 1, 1), D(2017, 12, 31), "income_tax", Decimal("-73608000")),
        ("NETFLIX_2017_10K.pdf", "income_statement", D(2015, 1, 1), D(2015, 12, 31), "diluted_eps", Decimal("0.28")),
        ("BLOCK_2016_10K.pdf", "income_statement", D(2016, 1, 1), D(2016, 12, 31), "cost_of_revenue", Decimal("1132683000")),
        ("BLOCK_2016_10K.pdf", "cash_flow", D(2016, 1, 1), D(2016, 12, 31), "cash_end", Decimal("452030000")),
        ("BLOCK_2016_10K.pdf", "balance_sheet", None, D(2016, 12, 31), "long_term_borrowings", None),
        ("AMAZON_2017_10K.pdf", "income_statement", D(2017, 1, 1), D(2017, 12, 31), "total_operating_costs", Decimal("173760000000")),
        ("AMAZON_2017_10K.pdf", "balance_sheet", None, D(2016, 12, 31), "paid_in_capital", Decimal("5000000")),
        ("BESTBUY_2024Q2_10Q.pdf", "income_statement", D(2023, 4, 30), D(2023, 7, 29), "revenue", Decimal("9583000000")),
        ("BESTBUY_2024Q2_10Q.pdf", "income_statement", D(2022, 1, 30), D(2022, 7, 30), "net_profit", Decimal("647000000")),
        ("BESTBUY_2024Q2_10Q.pdf", "balance_sheet", None, D(2023, 1, 28), "cash", Decimal("1874000000")),
        ("ULTABEAUTY_2023Q4_EARNINGS.pdf", "income_statement", D(2021, 1, 31), D(2022, 1, 29), "revenue", Decimal("8630889000")),
        ("ULTABEAUTY_2023Q4_EARNINGS.pdf", "income_statement", D(2022, 10, 30), D(2023, 1, 28), "interest_expense", Decimal("-4378000")),
        ("ULTABEAUTY_2023Q4_EARNINGS.pdf", "balance_sheet", None, D(2023, 1, 28), "taxes_payable", None),
    ],
)
def test_key_figures(extracted, doc, kind, start, end, key, value):
    assert _value(extracted(doc), kind, "consolidated", start, end, key) == value


def test_companies_and_units(extracted):
    moutai = extracted("贵州茅台2020年年度报告.pdf")
    assert moutai.company == "贵州茅台酒股份有限公司"
    assert {(s.kind, s.scope) for s in moutai.statements} == {
        (k, s) for k in ("balance_sheet", "income_statement", "cash_flow") for s in ("consolidated", "parent")}
    assert all(s.unit == 1 and s.currency == "CNY" for s in moutai.statements)
    netflix = extracted("NETFLIX_2017_10K.pdf")
    assert netflix.company.upper() == "NETFLIX, INC."
    assert {s.unit for s in netflix.statements} == {1000}
    assert {s.unit for s in extracted("AMAZON_2017_10K.pdf").statements} == {1_000_000}


def test_bank_summary_has_no_statements(extracted):
    assert extracted("平安银行2023年半年度报告摘要.pdf").statements == []


def test_statements_pass_their_identity_checks(extracted, shared_data):
    for pdf in sorted((shared_data / "real").glob("*.pdf")):
        for st in extracted(pdf.name).statements:
            # (a 52/53-week span's counted or inferred start is a note on the calendar, not a failed check)
            failed = [w for w in st.warnings if not is_calendar_note(w)]
            assert failed == [], (pdf.name, st.kind, st.scope, failed)


def test_provenance_on_every_item(extracted):
    for st in extracted("贵州茅台2020年年度报告.pdf").statements:
        for item in st.items:
            assert item.page in st.pages and item.bbox is not None
            assert len(item.printed) == len(st.columns) == len(item.values)


def test_precision_and_recall_over_all_gold_values(extracted, shared_data):
    from eval.extraction import extracted_values, gold_values, score

    totals = {"correct": 0, "wrong": 0, "extra": 0, "gold": 0}
    for gold_path in sorted((shared_data / "real").glob("*.gold.jsonl")):
        result = extracted(gold_path.name.replace(".gold.jsonl", ".pdf"))
        s = score(gold_values(gold_path), extracted_values(result))
        for k in totals:
            totals[k] += s[k]
    precision = totals["correct"] / (totals["correct"] + totals["wrong"] + totals["extra"])
    recall = totals["correct"] / totals["gold"]
    assert precision >= 0.99 and recall >= 0.97, totals
