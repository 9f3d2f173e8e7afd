"""Build ClientSnapshots in tests: a sound project-finance client over eight quarters.

Every figure is written here by hand, so tests can compute expectations from the same
inputs. Variants of the sound client (falling revenue, a stopped site, …) are made by
changing those inputs in the test that needs them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from assistant.domain import (
    ClientProfile,
    ClientSnapshot,
    Covenant,
    DocumentInfo,
    Facility,
    Fact,
    FactSet,
    InspectionNote,
    Repayment,
    Span,
    quarter_span,
)

D = Decimal
M = D(1_000_000)  # table values are in millions of yuan
QUARTERS = [(2025, 1), (2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3), (2026, 4)]


def q(year: int, quarter: int) -> Span:
    return quarter_span(year, quarter)


def point(year: int, quarter: int) -> Span:
    return Span(q(year, quarter).end)


def doc_name(span: Span) -> str:
    return f"statements_{span.label}.pdf"


def facts_from(table: dict[Span, dict[str, object]], unit: Decimal = M) -> FactSet:
    """Facts for a {span: {key: value}} table (values × ``unit``); one document per span."""
    fs = FactSet()
    for span, values in table.items():
        for i, (key, value) in enumerate(values.items()):
            v = None if value is None else D(str(value)) * unit
            fs.add(Fact(key, v, span, document=doc_name(Span(span.end, None if span.is_point else span.start)),
                        page=1 + i % 3, label=key))
    return fs


def balances(scale: Decimal = D(1)) -> dict[str, object]:
    return {"total_assets": 1000 * scale, "total_liabilities": 500 * scale, "total_equity": 500 * scale,
            "total_current_assets": 320 * scale, "total_current_liabilities": 200 * scale, "inventory": 40 * scale,
            "cash": 120 * scale, "accounts_receivable": 80 * scale, "accounts_payable": 60 * scale,
            "total_non_current_liabilities": 300 * scale, "retained_earnings": 150 * scale}


def flows(revenue: Decimal) -> dict[str, object]:
    return {"revenue": revenue, "cost_of_revenue": revenue * D("0.6"), "operating_profit": revenue * D("0.2"),
            "total_profit": revenue * D("0.19"), "net_profit": revenue * D("0.15"), "interest_expense": D(5),
            "selling_expenses": revenue * D("0.05"), "admin_expenses": revenue * D("0.04"),
            "financial_expenses": D(5), "rd_expenses": revenue * D("0.02"), "net_cash_operating": revenue * D("0.25"),
            "capex": D(10)}


def sound_table() -> dict[Span, dict[str, object]]:
    """Revenue grows 8 % a year; balances stable; operating cash flow positive."""
    table: dict[Span, dict[str, object]] = {point(2024, 4): balances()}
    for year, quarter in QUARTERS:
        revenue = D(200) * (D("1.08") if year == 2026 else D(1)) + D(quarter)
        table[q(year, quarter)] = flows(revenue)
        table[point(year, quarter)] = balances()
    return table


def facility(**changes) -> Facility:
    schedule = [Repayment(q(y, n).end, 20 * M, 5 * M, paid_on=q(y, n).end, paid_amount=25 * M) for y, n in QUARTERS]
    fac = Facility(
        name="Project loan A", amount=600 * M, drawdown_date=dt.date(2024, 1, 15),
        maturity_date=dt.date(2034, 1, 15), rate=D("0.045"),
        covenants=[Covenant("current_ratio", ">=", D("1.2")), Covenant("debt_to_assets", "<=", D("0.70")),
                   Covenant("dscr", ">=", D("1.2"))],
        schedule=schedule, reporting_days=45,
    )
    for k, v in changes.items():
        setattr(fac, k, v)
    return fac


def documents(until: tuple[int, int] = (2026, 3)) -> list[DocumentInfo]:
    out = []
    for i, (y, n) in enumerate(QUARTERS):
        if (y, n) > until:
            break
        end = q(y, n).end
        out.append(DocumentInfo(i + 1, doc_name(q(y, n)), "statement", end + dt.timedelta(days=30), 3, end))
    return out


def note(visit: dt.date, **fields) -> InspectionNote:
    base = dict(inspector="王敏", site="光伏电站一期", progress_actual=D(70), progress_planned=D(72),
                cost_spent=350 * M, cost_budget=500 * M, operating_status="normal", problems=[],
                text="现场检查正常", document=f"note_{visit.isoformat()}.txt", page=1)
    base.update(fields)
    return InspectionNote(visit, **base)


def sound_client(table: dict[Span, dict[str, object]] | None = None, **kw) -> ClientSnapshot:
    """A sound client assessed for 2026Q3 as of 2026-11-20 (Q3 statements received 2026-10-30)."""
    return ClientSnapshot(
        client=ClientProfile(1, "绿源光伏有限公司", industry="solar"),
        facilities=kw.get("facilities", [facility()]),
        facts=facts_from(table or sound_table()),
        notes=kw.get("notes", [note(dt.date(2026, 8, 20))]),
        documents=kw.get("documents", documents()),
        as_of=kw.get("as_of", dt.date(2026, 11, 20)),
        filings=kw.get("filings", []),
    )


ASSESSED = q(2026, 3)
