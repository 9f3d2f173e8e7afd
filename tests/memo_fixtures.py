"""Hand-built client snapshots for the memo tests (no ingest, no database).

``declining_client()`` tells the seed story: demand for the main product falls, revenue and
operating cash flow drop, the current-ratio covenant is breached and the plant expansion
runs late. ``sound_client()`` is a steady, well-capitalised borrower.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

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

BS_PAGE, IS_PAGE, CF_PAGE = 2, 3, 4


def _quarter_doc(year: int, q: int) -> str:
    return f"{year}Q{q}财务报表.pdf"


def _add_quarter(facts: FactSet, year: int, q: int, bs: dict[str, str], flows: dict[str, str]) -> None:
    span = quarter_span(year, q)
    doc = _quarter_doc(year, q)
    for key, value in bs.items():
        facts.add(Fact(key, D(value), Span(span.end), document=doc, page=BS_PAGE, label=key))
    for key, value in flows.items():
        page = CF_PAGE if key in ("net_cash_operating", "capex", "net_cash_investing", "net_cash_financing") else IS_PAGE
        facts.add(Fact(key, D(value), span, document=doc, page=page, label=key))


def _balance(cash, tca, inventory, tcl, tl, ta) -> dict[str, str]:
    return {"cash": cash, "total_current_assets": tca, "inventory": inventory, "total_current_liabilities": tcl,
            "total_liabilities": tl, "total_assets": ta, "total_equity": str(D(ta) - D(tl))}


def _flows(revenue, cost, op, total_profit, interest, net, ocf) -> dict[str, str]:
    return {"revenue": revenue, "cost_of_revenue": cost, "operating_profit": op, "total_profit": total_profit,
            "interest_expense": interest, "net_profit": net, "net_cash_operating": ocf}


def declining_client() -> ClientSnapshot:
    facts = FactSet()
    _add_quarter(facts, 2025, 2, _balance("98000000.00", "420000000.00", "130000000.00", "300000000.00",
                                          "560000000.00", "980000000.00"),
                 _flows("205000000.00", "150000000.00", "21000000.00", "20500000.00", "4000000.00", "16400000.00",
                        "18000000.00"))
    _add_quarter(facts, 2025, 3, _balance("101500000.00", "431000000.00", "128000000.00", "305000000.00",
                                          "565000000.00", "992000000.00"),
                 _flows("212000000.00", "154000000.00", "23000000.00", "22400000.00", "4100000.00", "17900000.00",
                        "21500000.00"))
    _add_quarter(facts, 2025, 4, _balance("99000000.00", "428000000.00", "133000000.00", "318000000.00",
                                          "590000000.00", "1003000000.00"),
                 _flows("198000000.00", "149000000.00", "17000000.00", "16600000.00", "4300000.00", "13200000.00",
                        "12000000.00"))
    _add_quarter(facts, 2026, 1, _balance("87000000.00", "410000000.00", "141000000.00", "329000000.00",
                                          "612000000.00", "1001000000.00"),
                 _flows("176000000.00", "137000000.00", "9800000.00", "9500000.00", "4500000.00", "7400000.00",
                        "6500000.00"))
    _add_quarter(facts, 2026, 2, _balance("76000000.00", "396000000.00", "149000000.00", "331000000.00",
                                          "628000000.00", "1004000000.00"),
                 _flows("168000000.00", "133500000.00", "6100000.00", "5900000.00", "4700000.00", "4500000.00",
                        "3200000.00"))
    _add_quarter(facts, 2026, 3, _balance("52300000.00", "374500000.00", "161000000.00", "336000000.00",
                                          "655000000.00", "1009000000.00"),
                 _flows("152300000.00", "126400000.00", "-2100000.00", "-2600000.00", "4900000.00",
                        "-3100000.00", "-8700000.00"))
    loan = Facility(
        name="固定资产贷款 GD2024-017",
        amount=D("300000000.00"),
        drawn=D("260000000.00"),
        outstanding=D("240000000.00"),
        drawdown_date=dt.date(2024, 3, 15),
        maturity_date=dt.date(2029, 3, 15),
        rate=D("0.0435"),
        collateral="厂房及土地使用权抵押",
        covenants=[
            Covenant("current_ratio", ">=", D("1.20"), description="流动比率不低于1.20"),
            Covenant("debt_to_assets", "<=", D("0.70"), description="资产负债率不高于70%"),
        ],
        schedule=[
            Repayment(dt.date(2026, 3, 15), D("10000000.00"), D("2700000.00"), paid_on=dt.date(2026, 3, 15),
                      paid_amount=D("12700000.00")),
            Repayment(dt.date(2026, 9, 15), D("10000000.00"), D("2600000.00"), paid_on=dt.date(2026, 9, 29),
                      paid_amount=D("12600000.00")),
        ],
        id=1,
    )
    notes = [
        InspectionNote(
            visit_date=dt.date(2026, 8, 20), inspector="王敏", site="二期扩建项目",
            progress_actual=D("48"), progress_planned=D("65"),
            cost_spent=D("182000000.00"), cost_budget=D("260000000.00"), operating_status="reduced",
            problems=["二期厂房主体施工暂停约三周，原因为设备供应商交付延迟", "一号生产线开工率明显下降，库存积压"],
            text="现场检查记录……", document="2026年8月现场检查记录.docx", page=1,
        )
    ]
    documents = [DocumentInfo(i + 1, _quarter_doc(y, q), "statement", quarter_span(y, q).end + dt.timedelta(days=25))
                 for i, (y, q) in enumerate([(2025, 2), (2025, 3), (2025, 4), (2026, 1), (2026, 2), (2026, 3)])]
    documents.append(DocumentInfo(7, "2026年8月现场检查记录.docx", "inspection", dt.date(2026, 8, 21)))
    return ClientSnapshot(
        client=ClientProfile(1, "示例新能源股份有限公司", aliases=["示例新能源"], industry="光伏组件制造", officer="李强"),
        facilities=[loan], facts=facts, notes=notes, documents=documents, as_of=dt.date(2026, 10, 25),
    )


def sound_client() -> ClientSnapshot:
    facts = FactSet()
    base = [(2025, 2, "1.00"), (2025, 3, "1.03"), (2025, 4, "1.05"), (2026, 1, "1.08"), (2026, 2, "1.10"),
            (2026, 3, "1.14")]
    for year, q, g in base:
        k = D(g)
        _add_quarter(facts, year, q,
                     _balance(f"{D('180000000') * k:.2f}", f"{D('520000000') * k:.2f}", "90000000.00",
                              "260000000.00", "400000000.00", f"{D('1100000000') * k:.2f}"),
                     _flows(f"{D('300000000') * k:.2f}", f"{D('210000000') * k:.2f}", f"{D('45000000') * k:.2f}",
                            f"{D('44000000') * k:.2f}", "3000000.00", f"{D('36000000') * k:.2f}",
                            f"{D('42000000') * k:.2f}"))
    loan = Facility(
        name="流动资金贷款 LD2025-003", amount=D("150000000.00"), drawn=D("100000000.00"),
        outstanding=D("100000000.00"), maturity_date=dt.date(2027, 6, 30), rate=D("0.0385"),
        covenants=[Covenant("current_ratio", ">=", D("1.20"))], id=2,
    )
    documents = [DocumentInfo(i + 1, _quarter_doc(y, q), "statement", quarter_span(y, q).end + dt.timedelta(days=20))
                 for i, (y, q, _) in enumerate(base)]
    return ClientSnapshot(
        client=ClientProfile(2, "稳健精密机械有限公司", industry="通用设备制造", officer="陈静"),
        facilities=[loan], facts=facts, documents=documents, as_of=dt.date(2026, 10, 20),
    )


def store_snapshot(store, snapshot: ClientSnapshot) -> None:
    """Write a hand-built snapshot into a real store through the store's own functions."""
    import hashlib

    from assistant.store import repo
    from extractors.models import Column, ExtractionResult, LineItem, Statement
    from extractors.vocabulary import BY_KEY

    by_doc: dict[str, list[Fact]] = {}
    for fact in snapshot.facts:
        by_doc.setdefault(fact.document or "", []).append(fact)
    received = {d.name: d.received for d in snapshot.documents}
    with store.transaction() as s:
        client = repo.add_client(s, snapshot.client.name, aliases=snapshot.client.aliases,
                                 industry=snapshot.client.industry, officer=snapshot.client.officer)
        for facility in snapshot.facilities:
            repo.upsert_facility(s, client, facility)
        for name, facts in sorted(by_doc.items()):
            statements = []
            for kind in ("balance_sheet", "income_statement", "cash_flow"):
                mine = [f for f in facts if BY_KEY[f.key].kind == kind]
                if not mine:
                    continue
                span = mine[0].span
                statements.append(Statement(
                    kind=kind, pages=sorted({f.page for f in mine}),
                    columns=[Column(period_start=span.start, period_end=span.end, label="本期")],
                    items=[LineItem(key=f.key, label=BY_KEY[f.key].zh, values=[f.value], page=f.page) for f in mine],
                ))
            result = ExtractionResult(file=name, sha256=hashlib.sha256(name.encode()).hexdigest(), pages=4,
                                      company=snapshot.client.name, statements=statements)
            repo.store_document(s, client, sha256=result.sha256, kind="statement", name=name, stored_path=name,
                                pages=4, received=received.get(name), extraction=result)
        for note in snapshot.notes:
            repo.store_document(s, client, sha256=hashlib.sha256((note.document or "note").encode()).hexdigest(),
                                kind="inspection", name=note.document or "note.txt", stored_path=note.document or "",
                                pages=1, received=note.visit_date, note=note)
