"""A facility import changes only what its file gives; a removal waits for a second person.

Regression: a CSV of facility rows with no covenant rows (a bank loading balances from its core
system) deleted every covenant of the facilities it named, and cleared the schedule, securities,
maturity and reporting days it did not give. The home is ``tests/book_support.make_book_home``
(示例新能源: covenants debt_to_assets <= 0.70 and current_ratio >= 1.00; 远洋物流: debt_to_assets
<= 0.60, balances, three instalments, collateral and a guarantee), fresh per test.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.ui_support import CLIENT_A, CLIENT_B, USERS

D = Decimal
CHECKER2 = ("reviewer_2", "reviewer-2-pass")  # a second reviewer: the importer, so that "reviewer" can check


@pytest.fixture()
def store(book_store):
    from assistant.access import add_user

    with book_store.transaction() as s:
        add_user(s, CHECKER2[0], "reviewer", CHECKER2[1])
    return book_store


def _import(store, tmp_path, text: str, name: str = "core.csv", **kw):  # noqa: ANN001, ANN202
    from assistant.portfolio_io import import_portfolio

    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_portfolio(store, path, actor=CHECKER2[0], **kw)


def _facility(store, client: str):  # noqa: ANN001, ANN202
    from assistant.store import load_snapshot

    (fac,) = load_snapshot(store, client).facilities
    return fac


def _covenants(fac) -> list[tuple[str, str, Decimal]]:  # noqa: ANN001
    return [(c.metric, c.operator, c.threshold) for c in fac.covenants]


def _ids(store, model) -> list[int]:  # noqa: ANN001
    from sqlalchemy import select

    with store.session() as s:
        return list(s.execute(select(model.id).order_by(model.id)).scalars())


def test_a_balances_only_csv_keeps_covenants_schedule_securities_and_terms(store, tmp_path):
    from assistant import ledger
    from assistant.awaiting import awaiting

    before_a, before_b = _facility(store, CLIENT_A), _facility(store, CLIENT_B)
    assert len(before_a.covenants) == 2 and len(before_b.covenants) == 1  # the YAML's covenants, kept by the book's CSV
    report = _import(store, tmp_path, "record,client,facility,limit,drawn,outstanding\n"
                                      f"facility,{CLIENT_A},项目贷款,300000000,280000000,270000000\n"
                                      f"facility,{CLIENT_B},流动资金贷款,80000000,,55000000\n")
    a, b = _facility(store, CLIENT_A), _facility(store, CLIENT_B)
    assert _covenants(a) == _covenants(before_a) and _covenants(b) == _covenants(before_b)
    assert (a.drawn, a.outstanding, a.maturity_date) == (D(280_000_000), D(270_000_000), before_a.maturity_date)
    assert (b.drawn, b.outstanding, b.reporting_days, b.maturity_date) == (D(80_000_000), D(55_000_000), 30, dt.date(2028, 6, 30))
    assert b.schedule == before_b.schedule and b.securities == before_b.securities
    assert report.removals == [] and not [i for i in awaiting(store) if i.kind == "exposure"]
    with store.session() as s:
        assert ledger.verify(s) == []


def test_a_covenant_list_that_leaves_one_out_proposes_its_removal_for_a_second_person(store, tmp_path):
    from assistant.access import get_user
    from assistant.awaiting import awaiting
    from assistant.errors import AccessDeniedError, ConfigError
    from assistant.makerchecker import review
    from assistant.store.schema import CovenantRow

    ids = _ids(store, CovenantRow)
    csv = ("record,client,facility,limit,metric,operator,threshold\n"
           f"facility,{CLIENT_A},项目贷款,300000000,,,\n"
           f"covenant,{CLIENT_A},项目贷款,,debt_to_assets,<=,0.65\n")
    report = _import(store, tmp_path, csv)
    (ref,) = [f"E{i}" for i in report.removals]
    a = _facility(store, CLIENT_A)
    assert _covenants(a) == [("debt_to_assets", "<=", D("0.65")), ("current_ratio", ">=", D("1.00"))]  # updated, and kept
    assert _ids(store, CovenantRow) == ids  # updated in place: no covenant was deleted or re-created
    (waiting,) = [i for i in awaiting(store, [_client_id(store, CLIENT_A)]) if i.kind == "exposure"]
    assert waiting.ref == ref and "remove covenant current_ratio >= 1 (quarterly)" in waiting.what and waiting.by == CHECKER2[0]
    assert _import(store, tmp_path, csv).removals == []  # the same file again proposes it once

    with pytest.raises(AccessDeniedError):  # the importer cannot confirm the removal …
        review(store, ref, get_user(store, CHECKER2[0]), "confirm")
    with pytest.raises(AccessDeniedError):  # … nor can an officer
        review(store, ref, get_user(store, "officer_a"), "confirm")
    assert len(_facility(store, CLIENT_A).covenants) == 2
    review(store, ref, get_user(store, "reviewer"), "confirm")  # a second person: now it goes
    assert _covenants(_facility(store, CLIENT_A)) == [("debt_to_assets", "<=", D("0.65"))]
    with pytest.raises(ConfigError, match="already confirmed"):
        review(store, ref, get_user(store, "reviewer"), "confirm")


def _client_id(store, name: str) -> int:  # noqa: ANN001
    from assistant.store.repo import get_client

    with store.session() as s:
        return get_client(s, name).id


def test_a_removal_is_refused_when_the_covenant_changed_since(store, tmp_path):
    from assistant.access import get_user
    from assistant.errors import ConfigError
    from assistant.makerchecker import review

    report = _import(store, tmp_path, "record,client,facility,limit,metric,operator,threshold\n"
                                      f"facility,{CLIENT_A},项目贷款,300000000,,,\n"
                                      f"covenant,{CLIENT_A},项目贷款,,debt_to_assets,<=,0.70\n")
    (change,) = report.removals
    _import(store, tmp_path, "record,client,facility,limit,metric,operator,threshold\n"  # the threshold changes meanwhile
                             f"facility,{CLIENT_A},项目贷款,300000000,,,\n"
                             f"covenant,{CLIENT_A},项目贷款,,current_ratio,>=,1.10\n"
                             f"covenant,{CLIENT_A},项目贷款,,debt_to_assets,<=,0.70\n", name="second.csv")
    with pytest.raises(ConfigError, match="as proposed"):
        review(store, f"E{change}", get_user(store, "reviewer"), "confirm")
    assert len(_facility(store, CLIENT_A).covenants) == 2


def test_replace_covenants_through_the_cli_proposes_every_unlisted_one(store, tmp_path, capsys, monkeypatch):
    from assistant.cli import main

    path = tmp_path / "limits.csv"
    path.write_text(f"record,client,facility,limit\nfacility,{CLIENT_B},流动资金贷款,90000000\n", encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_PASSWORD", CHECKER2[1])
    with pytest.raises(SystemExit) as done:
        main(["facility", "import", str(path), "--as", CHECKER2[0], "--replace", "covenants"])
    out = capsys.readouterr().out
    assert done.value.code in (0, None) and "1 removal(s) pending a second person: E" in out
    b = _facility(store, CLIENT_B)
    assert b.amount == D(90_000_000) and len(b.covenants) == 1 and len(b.schedule) == 3  # nothing gone yet
    with pytest.raises(SystemExit) as done:
        main(["facility", "import", str(path), "--as", CHECKER2[0], "--replace", "guarantors"])
    assert done.value.code == 1 and "cannot replace guarantors" in capsys.readouterr().err


@pytest.mark.parametrize(("given", "proposed"), [("", 0), ("    covenants: []\n", 1)])
def test_yaml_removes_only_what_it_states(store, tmp_path, given, proposed):
    text = f"facilities:\n  - client: {CLIENT_B}\n    name: 流动资金贷款\n    amount: '80000000'\n{given}"
    report = _import(store, tmp_path, text, name="book.yaml")
    assert len(report.removals) == proposed and len(_facility(store, CLIENT_B).covenants) == 1


def test_an_instalment_file_updates_by_due_date_and_proposes_the_unlisted_ones(store, tmp_path):
    from assistant.store.schema import RepaymentRow

    ids = _ids(store, RepaymentRow)
    report = _import(store, tmp_path, "record,client,facility,limit,due,principal,paid_on,paid_amount\n"
                                      f"facility,{CLIENT_B},流动资金贷款,80000000,,,,\n"
                                      f"instalment,{CLIENT_B},流动资金贷款,,2026-07-31,10000000,2026-08-05,10800000\n"
                                      f"instalment,{CLIENT_B},流动资金贷款,,2027-02-15,10000000,,\n")
    b = _facility(store, CLIENT_B)
    paid = {r.due: (r.paid_on, r.interest) for r in b.schedule}
    assert paid[dt.date(2026, 7, 31)] == (dt.date(2026, 8, 5), D(800_000))  # paid now; the interest it did not give is kept
    assert dt.date(2027, 2, 15) in paid and len(b.schedule) == 4 and _ids(store, RepaymentRow)[:3] == ids
    assert len(report.removals) == 2  # 2026-04-30 and 2026-11-15: not listed, proposed, still stored


def test_the_importer_needs_the_import_right_and_passwords_are_checked(store, tmp_path, capsys, monkeypatch):
    from assistant.cli import main

    path = tmp_path / "limits.csv"
    path.write_text(f"record,client,facility,limit\nfacility,{CLIENT_B},流动资金贷款,90000000\n", encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_PASSWORD", USERS["officer_b"])
    with pytest.raises(SystemExit) as done:
        main(["facility", "import", str(path), "--as", "officer_b"])
    assert done.value.code == 1 and _facility(store, CLIENT_B).amount == D(80_000_000)
