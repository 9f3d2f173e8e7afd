"""A formula the question states itself is computed from stored figures, never replaced by FIGURES.md's.

Small snapshots built here (no PDFs); expected values are computed from the same inputs.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.chat.builtin import SnapshotSource
from assistant.chat.defined import FormulaError, find_definition, parse_formula
from assistant.chat.service import answer_with
from assistant.domain import ClientProfile, ClientSnapshot, Fact, FactSet, Span

D = Decimal
DOC = "ACME_2017_10K.pdf"
END16, END17 = dt.date(2016, 12, 31), dt.date(2017, 12, 31)
FY17 = Span(END17, dt.date(2017, 1, 1))
FY16 = Span(END16, dt.date(2016, 1, 1))

POINTS = {  # key: (2016 year end, 2017 year end, page)
    "accounts_payable": ("25309", "34616", 40),
    "inventory": ("11461", "16047", 40),
    "total_current_assets": ("45781", "60197", 40),
    "total_current_liabilities": ("43816", "57883", 40),
}
FLOWS = {"cost_of_revenue": ("88265", "111934", 38), "revenue": ("135987", "177866", 38)}  # FY2016, FY2017, page


def _snapshot(drop: tuple[str, dt.date] | None = None) -> SnapshotSource:
    facts = FactSet()
    for key, (v16, v17, page) in POINTS.items():
        for end, v in ((END16, v16), (END17, v17)):
            if drop != (key, end):
                facts.add(Fact(key, D(v), Span(end), DOC, 1, page, key.replace("_", " "), currency="USD"))
    for key, (v16, v17, page) in FLOWS.items():
        for span, v in ((FY16, v16), (FY17, v17)):
            facts.add(Fact(key, D(v), span, DOC, 1, page, key.replace("_", " "), currency="USD"))
    return SnapshotSource([ClientSnapshot(ClientProfile(1, "Acme Corp", ["Acme"]), facts=facts)])


def _v(key: str, year: int) -> Decimal:
    if key in POINTS:
        return D(POINTS[key][0 if year == 2016 else 1])
    return D(FLOWS[key][0 if year == 2016 else 1])


DPO_Q = ("What is Acme's FY2017 days payable outstanding (DPO)? DPO is defined as: 365 * (average accounts payable "
         "between FY2016 and FY2017) / (FY2017 COGS + change in inventory between FY2016 and FY2017). "
         "Round your answer to two decimal places.")


def test_stated_dpo_formula_is_computed_with_its_inputs_and_pages():
    ans = answer_with(DPO_Q, _snapshot())
    stated = D(365) * (_v("accounts_payable", 2016) + _v("accounts_payable", 2017)) / 2 / (
        _v("cost_of_revenue", 2017) + _v("inventory", 2017) - _v("inventory", 2016))
    figures_md = D(365) * (_v("accounts_payable", 2016) + _v("accounts_payable", 2017)) / 2 / _v("cost_of_revenue", 2017)
    assert ans.value is not None and abs(ans.value - stated) < D("1e-9")
    assert abs(ans.value - figures_md) > 1  # the question's definition, not FIGURES.md's
    assert ans.unit == "days"
    assert f"{stated.quantize(D('0.01'))}" in ans.answer
    assert {i.key for i in ans.inputs} == {"accounts_payable", "cost_of_revenue", "inventory"}
    assert {(c.document, c.page) for c in ans.citations} == {(DOC, 38), (DOC, 40)}
    assert "inventory" in ans.formula and "average accounts_payable" in ans.formula


def test_stated_formula_with_a_missing_input_abstains_naming_it():
    ans = answer_with(DPO_Q, _snapshot(drop=("inventory", END16)))
    assert ans.value is None
    assert any("inventory" in m and "2016" in m for m in ans.missing)
    assert "inventory for FY2016 is not stored" in ans.answer


def test_define_x_as_quotient_of_two_figures():
    q = ("Considering the data in the balance sheet, what is Acme's FY2017 working capital ratio? Define working "
         "capital ratio as total current assets divided by total current liabilities. Round your answer to two decimal places.")
    ans = answer_with(q, _snapshot())
    assert ans.value == _v("total_current_assets", 2017) / _v("total_current_liabilities", 2017)
    assert ans.unit == "ratio"


def test_stated_percent_formula_is_scaled_once():
    q = "What is Acme's FY2017 gross margin in percent? Gross margin is defined as (revenue minus cost of sales) divided by revenue."
    ans = answer_with(q, _snapshot())
    expected = (_v("revenue", 2017) - _v("cost_of_revenue", 2017)) / _v("revenue", 2017) * 100
    assert ans.unit == "percent" and abs(ans.value - expected) < D("1e-9")
    q100 = "What is Acme's FY2017 gross margin? Gross margin is defined as (revenue - cost of sales) / revenue * 100."
    assert abs(answer_with(q100, _snapshot()).value - expected) < D("1e-9")


def test_part_naming_no_stored_figure_is_not_guessed():
    q = "What is Acme's FY2017 current ratio? Current ratio is defined as total current assets divided by widget backlog."
    ans = answer_with(q, _snapshot())
    assert ans.value is None
    assert "widget backlog" in ans.answer and ans.missing


@pytest.mark.parametrize("text, shown", [
    ("365 * (average accounts payable between FY2016 and FY2017) / (FY2017 COGS + change in inventory between FY2016 and FY2017)",
     "((365 × average accounts_payable (FY2016, FY2017)) / (cost_of_revenue FY2017 + change in inventory (FY2016 → FY2017)))"),
    ("total current assets divided by total current liabilities", "(total_current_assets / total_current_liabilities)"),
    ("revenue in fiscal 2017 minus revenue in fiscal year 2016", "(revenue FY2017 − revenue FY2016)"),
])
def test_parse_formula(text, shown):
    assert parse_formula(text).show() == shown


def test_parse_formula_rejects_unknown_parts():
    with pytest.raises(FormulaError, match="widgets"):
        parse_formula("revenue / widgets")
    with pytest.raises(FormulaError):
        parse_formula("(revenue / cost of sales")


def test_find_definition_only_where_the_question_defines():
    assert find_definition("What is Acme's FY2017 current ratio? Round to two decimal places.") is None
    assert find_definition(DPO_Q).text.startswith("365 * (average accounts payable")
    assert find_definition("Define working capital ratio as total current assets divided by total current liabilities.").text \
        == "total current assets divided by total current liabilities"


# ---------------------------------------------------------------- a metric loanwatch does not keep
def test_unknown_numerator_is_named_and_the_documents_are_quoted(home):
    from assistant.chat.service import ask
    from assistant.retrieval import index_document
    from assistant.store import close_stores, open_store, repo

    st = open_store()
    try:
        with st.transaction() as s:
            client = repo.add_client(s, "Acme Corp", aliases=["Acme"], officer="zhang")
            cid = client.id
        page = ("Wages expense as a percentage of net sales increased 40 basis points in fiscal 2022, "
                "driven by higher store payroll and benefits.")
        index_document(client_id=cid, document_id=7, name="ACME_Q4_EARNINGS.pdf", kind="filing",
                       pages=["Net sales increased 18% to $10.2 billion.", page])
        ans = ask("Did Acme's wages expense as a percent of net sales increase or decrease in FY2023?")
    finally:
        close_stores()
    assert ans.value is None and ans.missing == ["metric wages expense/revenue"]
    assert "'wages expense/revenue'" in ans.answer
    assert ("ACME_Q4_EARNINGS.pdf", 2) in {(c.document, c.page) for c in ans.citations}
    assert "Wages expense as a percentage of net sales increased" in ans.answer
