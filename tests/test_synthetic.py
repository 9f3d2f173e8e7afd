"""Synthetic statements: the generator is consistent, and extraction gets every value exact.

The generator (``assistant.demo``) knows the truth, so each layout's extraction is compared
value by value: statement kind and scope, unit, currency, column periods, and for every
canonical key every column's value (``None`` where the cell is printed empty or as a dash).
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from assistant.demo import StatementSpec, generate_samples, render_pdf
from assistant.demo.compare import compare
from assistant.demo.layouts import LAYOUTS

pytestmark = pytest.mark.timeout(300)
PDF_LAYOUTS = list(LAYOUTS)
SAMPLES = PDF_LAYOUTS + ["distressed"]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    return {s.name: s for s in generate_samples(out, seed=0, xlsx=False)}


# --- the generator ------------------------------------------------------------------------

def test_every_layout_has_a_sample(samples):
    assert sorted(samples) == sorted(SAMPLES)
    assert len(PDF_LAYOUTS) >= 9


def test_generation_is_deterministic(tmp_path):
    spec = lambda seed: StatementSpec(company="测试有限公司", period_end=__import__("datetime").date(2026, 3, 31),  # noqa: E731
                                      span="quarter", layout="listed_notes", seed=seed)
    a = render_pdf(spec(1), tmp_path / "a.pdf")
    b = render_pdf(spec(1), tmp_path / "b.pdf")
    c = render_pdf(spec(2), tmp_path / "c.pdf")
    assert (tmp_path / "a.pdf").read_bytes() == (tmp_path / "b.pdf").read_bytes()
    assert a.statements == b.statements
    assert a.statements[0].items != c.statements[0].items


def _values(statement) -> dict[str, list]:
    return {i.key: i.values for i in statement.items if i.key}


def _by_label(statement, pattern: str) -> list:
    item = next((i for i in statement.items if re.search(pattern, i.label)), None)
    return item.values if item else [None] * len(statement.columns)


def _z(v):
    return v if v is not None else Decimal(0)


@pytest.mark.parametrize("layout", SAMPLES)
def test_truth_satisfies_the_accounting_identities(samples, layout):
    checked = 0
    for st in samples[layout].truth.statements:
        v = _values(st)
        for n in range(len(st.columns)):
            g = lambda k: _z(v[k][n]) if k in v else None  # noqa: E731
            if st.kind == "balance_sheet":
                assert g("total_assets") == g("total_liabilities") + g("total_equity") == g("total_liabilities_and_equity")
                if "total_non_current_assets" in v:
                    assert g("total_assets") == g("total_current_assets") + g("total_non_current_assets")
                if "total_non_current_liabilities" in v:
                    assert g("total_liabilities") == g("total_current_liabilities") + g("total_non_current_liabilities")
            elif st.kind == "income_statement":
                assert g("net_profit") == g("total_profit") - abs(g("income_tax"))
                if "net_profit_attributable_to_parent" in v:
                    assert g("net_profit") == g("net_profit_attributable_to_parent") + g("minority_interest_income")
            else:
                fx = _z(_by_label(st, "汇率")[n])
                assert g("net_change_in_cash") == (g("net_cash_operating") + g("net_cash_investing")
                                                   + g("net_cash_financing") + fx)
            checked += 1
    assert checked >= 2


@pytest.mark.parametrize("layout", SAMPLES)
def test_truth_is_printed_on_its_page(samples, layout):
    """Every true value's printed text is on the page the truth says (pypdfium2's text)."""
    import pypdfium2 as pdfium

    sample = samples[layout]
    pdf = pdfium.PdfDocument(str(sample.path))
    try:
        texts = [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]
    finally:
        pdf.close()
    assert len(texts) == sample.truth.pages
    for st in sample.truth.statements:
        for item in st.items:
            page = texts[item.page - 1]
            assert item.label[:4] in page.replace("\r\n", "").replace("\n", ""), (item.label, item.page)
            for value, printed in zip(item.values, item.printed):
                if value is not None:
                    assert printed in page, (layout, item.key, printed, item.page)
                    number = Decimal(printed.strip("()").replace(",", ""))
                    number = -number if printed.startswith("(") else number
                    assert value == (number if item.per_share else number * st.unit)


def test_layouts_cover_what_real_statements_look_like(samples):
    truths = {name: s.truth for name, s in samples.items()}
    assert truths["sme_side_by_side"].statements[0].unit == 10000
    assert {s.scope for s in truths["consolidated_parent"].statements} == {"consolidated", "parent"}
    assert len(truths["multipage"].statements[0].pages) >= 2
    assert truths["ifrs_interim"].statements[0].currency == "HKD"
    us_income = next(s for s in truths["us_10q"].statements if s.kind == "income_statement")
    assert len({c.period_start for c in us_income.columns}) == 4  # three- and nine-month spans
    printed = [p for s in truths["us_10q"].statements for i in s.items for p in i.printed]
    assert any(p.startswith("(") for p in printed)  # parentheses negatives
    assert any(v is None for s in truths["listed_notes"].statements for i in s.items for v in i.values)
    assert any(i.note for i in truths["listed_notes"].statements[0].items)
    assert any(i.row_no for i in truths["sme_income"].statements[0].items)
    assert any(s.kind == "cash_flow" for t in truths.values() for s in t.statements)
    distressed = {s.kind: s for s in truths["distressed"].statements}
    assert distressed["income_statement"].value("net_profit") < 0
    assert distressed["balance_sheet"].value("retained_earnings") < 0


# --- extraction ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout", SAMPLES)
def test_extraction_is_exact(samples, layout):
    from extractors.pipeline import extract_file

    sample = samples[layout]
    got = extract_file(sample.path)
    score = compare(sample.truth, got)
    assert score.exact, (
        f"{layout}: {score.correct}/{score.total} correct, {score.wrong} wrong, {score.missed} missed\n"
        + "\n".join(m.line() for m in score.mismatches[:40])
    )


@pytest.mark.parametrize("layout", SAMPLES)
def test_company_name_is_found(samples, layout):
    from extractors.pipeline import extract_file

    sample = samples[layout]
    assert extract_file(sample.path).company == sample.truth.company


# --- a borrower over time (the demo portfolio's building block) --------------------------

def test_series_agrees_across_files(tmp_path):
    from assistant.demo.series import company_series, quarter_ends

    specs = company_series("Cedar Valley Instruments, Inc.", "us_10q", quarter_ends(2025, 1, 7),
                           leverage=lambda d: 1.0 + 0.2 * (d.year - 2025))
    truths = {s.period_end: render_pdf(s, tmp_path / f"{s.period_end}.pdf") for s in specs}
    import datetime as dt

    def st(day, kind):
        return next(s for s in truths[day].statements if s.kind == kind)

    # the year-end balance printed as the comparative is the one printed as current at year end
    ye = dt.date(2025, 12, 31)
    for day in (dt.date(2026, 3, 31), dt.date(2026, 9, 30)):
        for key, values in _values(st(day, "balance_sheet")).items():
            assert values[1] == _values(st(ye, "balance_sheet"))[key][0], key
    # nine months = the three quarters; three months ended Sep 30 = Q3 alone
    q = {d: st(d, "income_statement") for d in truths}
    q1, q2, q3 = (q[dt.date(2026, m, 30 if m in (6, 9) else 31)] for m in (3, 6, 9))
    rev = lambda s, n: s.value("revenue", n)  # noqa: E731
    assert rev(q3, 2) == rev(q1, 0) + rev(q2, 0) + rev(q3, 0)
    assert rev(q3, 3) == rev(q[dt.date(2025, 9, 30)], 2)  # prior-year nine months, printed a year earlier
    # leverage rises year on year, as asked
    ratio = lambda d: st(d, "balance_sheet").value("total_liabilities") / st(d, "balance_sheet").value("total_assets")  # noqa: E731
    assert ratio(dt.date(2026, 9, 30)) > ratio(dt.date(2025, 9, 30))
    for truth in truths.values():  # identities hold in every file
        for s in truth.statements:
            v = _values(s)
            for n in range(len(s.columns)):
                if s.kind == "balance_sheet":
                    assert v["total_assets"][n] == v["total_liabilities_and_equity"][n]
                elif s.kind == "income_statement":
                    assert v["net_profit"][n] == v["total_profit"][n] - v["income_tax"][n]
                else:
                    assert v["net_change_in_cash"][n] == v["net_cash_operating"][n] + v["net_cash_investing"][n] + v["net_cash_financing"][n]
