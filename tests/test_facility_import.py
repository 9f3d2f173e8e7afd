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
    assert report.removals == report.edits == [] and not [i for i in awaiting(store) if i.kind == "exposure"]
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
           f"covenant,{CLIENT_A},项目贷款,,debt_to_assets,<=,0.70\n")
    report = _import(store, tmp_path, csv)
    (ref,) = [f"E{i}" for i in report.removals]
    a = _facility(store, CLIENT_A)
    assert _covenants(a) == [("debt_to_assets", "<=", D("0.70")), ("current_ratio", ">=", D("1.00"))]  # matched, and kept
    assert _ids(store, CovenantRow) == ids and report.changes == []  # no covenant was deleted or re-created
    (waiting,) = [i for i in awaiting(store, [_client_id(store, CLIENT_A)]) if i.kind == "exposure"]
    assert waiting.ref == ref and "remove covenant current_ratio >= 1 (quarterly)" in waiting.what and waiting.by == CHECKER2[0]
    assert _import(store, tmp_path, csv).removals == []  # the same file again proposes it once

    with pytest.raises(AccessDeniedError):  # the importer cannot confirm the removal …
        review(store, ref, get_user(store, CHECKER2[0]), "confirm")
    with pytest.raises(AccessDeniedError):  # … nor can an officer
        review(store, ref, get_user(store, "officer_a"), "confirm")
    assert len(_facility(store, CLIENT_A).covenants) == 2
    review(store, ref, get_user(store, "reviewer"), "confirm")  # a second person: now it goes
    assert _covenants(_facility(store, CLIENT_A)) == [("debt_to_assets", "<=", D("0.70"))]
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
    (terms,) = _import(store, tmp_path, "record,client,facility,limit,metric,operator,threshold\n"  # the threshold changes meanwhile
                                        f"facility,{CLIENT_A},项目贷款,300000000,,,\n"
                                        f"covenant,{CLIENT_A},项目贷款,,current_ratio,>=,1.10\n"
                                        f"covenant,{CLIENT_A},项目贷款,,debt_to_assets,<=,0.70\n", name="second.csv").changes
    review(store, f"E{terms}", get_user(store, "reviewer"), "confirm")
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


def test_an_instalment_file_matches_by_due_date_adds_new_ones_and_proposes_payments_and_the_unlisted_ones(store, tmp_path):
    from assistant.access import get_user
    from assistant.makerchecker import review
    from assistant.store.schema import RepaymentRow

    ids = _ids(store, RepaymentRow)
    report = _import(store, tmp_path, "record,client,facility,limit,due,principal,paid_on,paid_amount\n"
                                      f"facility,{CLIENT_B},流动资金贷款,80000000,,,,\n"
                                      f"instalment,{CLIENT_B},流动资金贷款,,2026-07-31,10000000,2026-08-05,10800000\n"
                                      f"instalment,{CLIENT_B},流动资金贷款,,2027-02-15,10000000,,\n")
    paid = {r.due: (r.paid_on, r.interest) for r in _facility(store, CLIENT_B).schedule}
    assert paid[dt.date(2026, 7, 31)] == (None, D(800_000))  # its payment waits for a second person
    assert dt.date(2027, 2, 15) in paid and len(paid) == 4 and _ids(store, RepaymentRow)[:3] == ids  # a new instalment: added
    assert len(report.removals) == 2  # 2026-04-30 and 2026-11-15: not listed, proposed, still stored
    (edit,) = report.edits
    review(store, f"E{edit}", get_user(store, "reviewer"), "confirm")
    paid = {r.due: (r.paid_on, r.interest) for r in _facility(store, CLIENT_B).schedule}
    assert paid[dt.date(2026, 7, 31)] == (dt.date(2026, 8, 5), D(800_000))  # paid now; the interest it did not give is kept


def test_the_importer_needs_the_import_right_and_passwords_are_checked(store, tmp_path, capsys, monkeypatch):
    from assistant.cli import main

    path = tmp_path / "limits.csv"
    path.write_text(f"record,client,facility,limit\nfacility,{CLIENT_B},流动资金贷款,90000000\n", encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_PASSWORD", USERS["officer_b"])
    with pytest.raises(SystemExit) as done:
        main(["facility", "import", str(path), "--as", "officer_b"])
    assert done.value.code == 1 and _facility(store, CLIENT_B).amount == D(80_000_000)


# ---------------------------------------------------------------- a covenant's terms: proposed, never written by the import

def _terms_csv(rows: str) -> str:
    return ("record,client,facility,limit,metric,operator,threshold,frequency,grace_days\n"
            f"facility,{CLIENT_B},流动资金贷款,80000000,,,,,\n" + rows)


def _pending_terms(store) -> list:  # noqa: ANN001
    from assistant.awaiting import awaiting

    return [i for i in awaiting(store) if i.kind == "exposure" and ": change covenant" in i.what]


@pytest.mark.parametrize(("threshold", "way"), [("0.80", "loosens"), ("0.50", "tightens")])
def test_a_changed_threshold_waits_for_a_second_person_whichever_way_it_moves(store, tmp_path, threshold, way):
    """远洋物流's debt_to_assets <= 0.60 is breached; a single reviewer's file must not make it pass (nor move it at all)."""
    from sqlalchemy import select

    from assistant import ledger
    from assistant.access import get_user
    from assistant.book import portfolio_books
    from assistant.makerchecker import changes, review
    from assistant.store.schema import LedgerRow

    before = _facility(store, CLIENT_B)
    report = _import(store, tmp_path, _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,{threshold},quarterly,\n"))
    (change,) = report.changes
    assert report.removals == [] and _covenants(_facility(store, CLIENT_B)) == _covenants(before)  # the stored test stands
    (c,) = [c for c in changes(store, status="pending", entity="exposure") if c.id == change]
    assert (c.old, c.new) == ("threshold=0.6", f"threshold={D(threshold).normalize()}") and way in c.reason
    assert "流动资金贷款: change covenant debt_to_assets <= 0.6 (quarterly)" in c.what
    (waiting,) = _pending_terms(store)
    assert waiting.ref == f"E{change}" and waiting.by == CHECKER2[0]
    if way == "loosens":  # the breach is still a breach on the stored terms
        (b,) = [x for x in portfolio_books(store) if x.client == CLIENT_B]
        assert b.breaches
    review(store, f"E{change}", get_user(store, "reviewer"), "confirm")
    assert _covenants(_facility(store, CLIENT_B)) == [("debt_to_assets", "<=", D(threshold))]
    with store.session() as s:
        assert ledger.verify(s) == []
        steps = [tuple(r) for r in s.execute(select(LedgerRow.action, LedgerRow.actor).order_by(LedgerRow.seq)).all()]
    assert steps[-3:] == [("exposure.edit", CHECKER2[0]), ("exposure.confirm", "reviewer"), ("facility.update", "reviewer")]


def test_the_importer_cannot_confirm_a_covenant_change_and_a_rejection_drops_it(store, tmp_path):
    from assistant.access import get_user
    from assistant.errors import AccessDeniedError
    from assistant.makerchecker import review

    (change,) = _import(store, tmp_path, _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,0.80,quarterly,\n")).changes
    with pytest.raises(AccessDeniedError, match="second person"):
        review(store, f"E{change}", get_user(store, CHECKER2[0]), "confirm")
    with pytest.raises(AccessDeniedError):  # an officer is no checker
        review(store, f"E{change}", get_user(store, "officer_b"), "confirm")
    review(store, f"E{change}", get_user(store, "reviewer"), "reject", "the contract still says 0.60")
    assert _covenants(_facility(store, CLIENT_B)) == [("debt_to_assets", "<=", D("0.60"))] and _pending_terms(store) == []


def test_reimporting_the_same_file_proposes_a_covenant_change_once(store, tmp_path):
    csv = _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,0.80,quarterly,\n")
    assert len(_import(store, tmp_path, csv).changes) == 1
    again = _import(store, tmp_path, csv, name="again.csv")
    assert again.changes == [] and again.removals == [] and len(_pending_terms(store)) == 1


def test_a_covenant_change_is_refused_when_the_covenant_changed_since(store, tmp_path):
    """Two files propose different terms; the one confirmed first stands, the other is refused, not stacked on it."""
    from assistant.access import get_user
    from assistant.errors import ConfigError
    from assistant.makerchecker import review

    (first,) = _import(store, tmp_path, _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,0.80,quarterly,\n")).changes
    (second,) = _import(store, tmp_path, _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,0.55,quarterly,\n"),
                        name="b.csv").changes
    review(store, f"E{second}", get_user(store, "reviewer"), "confirm")
    with pytest.raises(ConfigError, match="threshold is now 0.55, not 0.6"):
        review(store, f"E{first}", get_user(store, "reviewer"), "confirm")
    assert _covenants(_facility(store, CLIENT_B)) == [("debt_to_assets", "<=", D("0.55"))]


def test_another_operator_frequency_or_grace_period_is_a_pending_change_of_the_same_covenant(store, tmp_path):
    from assistant.access import get_user
    from assistant.makerchecker import changes, review
    from assistant.store.schema import CovenantRow

    ids = _ids(store, CovenantRow)
    report = _import(store, tmp_path, _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<,0.60,annual,30\n"))
    (change,) = report.changes
    assert report.removals == [] and _ids(store, CovenantRow) == ids  # nothing added, nothing proposed for removal
    (c,) = [c for c in changes(store, entity="exposure") if c.id == change]
    assert (c.old, c.new) == ("operator=<=; frequency=quarterly; grace_days=0", "operator=<; frequency=annual; grace_days=30")
    assert "changes the test" in c.reason  # another frequency: no direction claimed
    review(store, f"E{change}", get_user(store, "reviewer"), "confirm")
    (cov,) = _facility(store, CLIENT_B).covenants
    assert (cov.operator, cov.frequency, cov.grace_days, cov.threshold) == ("<", "annual", 30, D("0.6")) and _ids(store, CovenantRow) == ids
    plain = _import(store, tmp_path, "record,client,facility,limit,metric,operator,threshold\n"  # no frequency or grace column
                                     f"facility,{CLIENT_B},流动资金贷款,80000000,,,\n"
                                     f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<,0.60\n", name="plain.csv")
    assert (plain.changes, plain.removals) == ([], [])  # what it leaves out stays as stored: no change to propose


def test_a_new_covenant_is_added_directly_and_a_description_needs_no_checker(store, tmp_path):
    report = _import(store, tmp_path, "record,client,facility,limit,metric,operator,threshold,description\n"
                                      f"facility,{CLIENT_B},流动资金贷款,80000000,,,,\n"
                                      f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,0.60,per the 2026 contract\n"
                                      f"covenant,{CLIENT_B},流动资金贷款,,current_ratio,>=,1.20,added\n")
    assert report.changes == [] and report.removals == []
    b = _facility(store, CLIENT_B)
    assert _covenants(b) == [("debt_to_assets", "<=", D("0.60")), ("current_ratio", ">=", D("1.20"))]
    assert b.covenants[0].description == "per the 2026 contract"


def test_a_covenant_of_another_metric_is_added_and_the_old_one_stands_until_its_removal_is_confirmed(store, tmp_path):
    report = _import(store, tmp_path, _terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,current_ratio,>=,1.00,quarterly,\n"))
    assert report.changes == [] and len(report.removals) == 1
    assert _covenants(_facility(store, CLIENT_B)) == [("debt_to_assets", "<=", D("0.60")), ("current_ratio", ">=", D("1.00"))]


def test_the_cli_summary_names_the_pending_covenant_changes(store, tmp_path, capsys, monkeypatch):
    from assistant.cli import main

    path = tmp_path / "terms.csv"
    path.write_text(_terms_csv(f"covenant,{CLIENT_B},流动资金贷款,,debt_to_assets,<=,0.80,quarterly,\n"), encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_PASSWORD", CHECKER2[1])
    with pytest.raises(SystemExit) as done:
        main(["facility", "import", str(path), "--as", CHECKER2[0]])
    out = capsys.readouterr().out
    (waiting,) = _pending_terms(store)
    assert done.value.code in (0, None) and f"1 covenant change(s) pending a second person, not applied: {waiting.ref}" in out


# ---------------------------------------------------------------- what decides a stored facility's, instalment's, security's tests

def _book(store):  # noqa: ANN001, ANN202
    from assistant.book import portfolio_books

    (b,) = [x for x in portfolio_books(store) if x.client == CLIENT_B]
    return b


def _rules(store) -> set[str]:  # noqa: ANN001
    return {a["rule"] for a in _book(store).alerts}


def _edit(store, ident: int):  # noqa: ANN001, ANN202
    from assistant.makerchecker import changes

    (c,) = [c for c in changes(store, status=None, entity="exposure") if c.id == ident]
    return c


def _pending_edits(store) -> list:  # noqa: ANN001
    from assistant.awaiting import awaiting

    return [i for i in awaiting(store) if i.kind == "exposure" and ": change covenant" not in i.what and ": remove" not in i.what]


def test_longer_reporting_days_cannot_hide_the_late_reporting_warning_without_a_second_person(store, tmp_path):
    """远洋物流's 2026Q3 statements were due 30 days after the quarter (2026-10-30) and have not come: 120 days would hide it."""
    from assistant.access import get_user
    from assistant.errors import AccessDeniedError
    from assistant.makerchecker import review

    assert "statements_late" in _rules(store)
    csv = f"record,client,facility,limit,reporting_days,outstanding\nfacility,{CLIENT_B},流动资金贷款,80000000,120,55000000\n"
    report = _import(store, tmp_path, csv)
    (edit,) = report.edits
    b = _facility(store, CLIENT_B)
    assert (b.reporting_days, b.outstanding) == (30, D(55_000_000))  # the days wait; the core system's balance is applied
    assert "statements_late" in _rules(store)
    c = _edit(store, edit)
    assert (c.old, c.new, c.by) == ("reporting_days=30", "reporting_days=120", CHECKER2[0])
    assert "late-reporting warning" in c.reason and f"E{edit}" in [i.ref for i in _pending_edits(store)]
    assert _import(store, tmp_path, csv, name="again.csv").edits == []  # the same file again proposes it once
    with pytest.raises(AccessDeniedError, match="second person"):
        review(store, f"E{edit}", get_user(store, CHECKER2[0]), "confirm")
    review(store, f"E{edit}", get_user(store, "reviewer"), "confirm")
    assert _facility(store, CLIENT_B).reporting_days == 120 and "statements_late" not in _rules(store)


@pytest.mark.parametrize(("column", "value", "shown"), [("drawdown_date", "2026-10-01", "drawdown_date=2026-10-01"),
                                                        ("maturity_date", "2030-06-30", "maturity_date=2030-06-30"),
                                                        ("inspection_days", "365", "inspection_days=365"),
                                                        ("annual_reporting_days", "180", "annual_reporting_days=180")])
def test_every_facility_term_that_decides_a_warning_is_proposed(store, tmp_path, column, value, shown):
    before = _facility(store, CLIENT_B)
    report = _import(store, tmp_path, f"record,client,facility,limit,{column}\nfacility,{CLIENT_B},流动资金贷款,80000000,{value}\n")
    (edit,) = report.edits
    assert _edit(store, edit).new == shown and getattr(_facility(store, CLIENT_B), column) == getattr(before, column)


def test_marking_an_overdue_instalment_paid_waits_for_a_second_person(store, tmp_path):
    """The 2026-07-31 instalment is 102 days past due (次级 floor, repayment_overdue_90): one reviewer's file must not clear it."""
    from assistant.access import get_user
    from assistant.makerchecker import review

    assert (_book(store).days_past_due, "repayment_overdue_90" in _rules(store)) == (102, True)
    csv = ("record,client,facility,limit,due,principal,paid_on,paid_amount\n" + f"facility,{CLIENT_B},流动资金贷款,80000000\n"
           f"instalment,{CLIENT_B},流动资金贷款,,2026-07-31,10000000,2026-08-01,10800000\n")
    (edit,) = _import(store, tmp_path, csv).edits
    assert _book(store).days_past_due == 102 and "repayment_overdue_90" in _rules(store)
    c = _edit(store, edit)
    assert (c.old, c.new) == ("paid_on=—; paid_amount=—", "paid_on=2026-08-01; paid_amount=10800000")
    assert "days past due" in c.reason and "instalment 2026-07-31" in c.what
    review(store, f"E{edit}", get_user(store, "reviewer"), "confirm")
    assert _book(store).days_past_due == 0 and "repayment_overdue_90" not in _rules(store)


def test_a_smaller_instalment_cannot_loosen_dscr_without_a_second_person(store, tmp_path):
    from assistant.access import get_user
    from assistant.makerchecker import review

    before = {r.due: (r.principal, r.interest) for r in _facility(store, CLIENT_B).schedule}
    csv = ("record,client,facility,limit,due,principal,interest\n" + f"facility,{CLIENT_B},流动资金贷款,80000000\n"
           f"instalment,{CLIENT_B},流动资金贷款,,2026-07-31,1000000,80000.00\n")
    (edit,) = _import(store, tmp_path, csv).edits
    assert {r.due: (r.principal, r.interest) for r in _facility(store, CLIENT_B).schedule} == before
    c = _edit(store, edit)
    assert (c.old, c.new) == ("principal=10000000; interest=800000", "principal=1000000; interest=80000") and "dscr" in c.reason
    assert _import(store, tmp_path, csv, name="again.csv").edits == []  # 80000.00 and 80000: one value, proposed once
    review(store, f"E{edit}", get_user(store, "reviewer"), "confirm")
    after = {r.due: (r.principal, r.interest) for r in _facility(store, CLIENT_B).schedule}
    assert after[dt.date(2026, 7, 31)] == (D(1_000_000), D(80_000))


def test_a_collateral_revaluation_waits_and_a_new_security_is_added(store, tmp_path):
    from assistant.access import get_user
    from assistant.makerchecker import review

    csv = ("record,client,facility,limit,kind,description,provider,value,valuation_date\n" + f"facility,{CLIENT_B},流动资金贷款,80000000\n"
           f"collateral,{CLIENT_B},流动资金贷款,,collateral,仓库及土地使用权抵押,远洋物流股份有限公司,90000000,2026-10-31\n"
           f"guarantee,{CLIENT_B},流动资金贷款,,guarantee,连带责任保证,远洋集团有限公司,80000000,\n"
           f"collateral,{CLIENT_B},流动资金贷款,,collateral,设备抵押,远洋物流股份有限公司,6000000,2026-10-31\n")
    report = _import(store, tmp_path, csv)
    (edit,) = report.edits
    assert report.removals == [] and "coverage" in _edit(store, edit).reason and "stale-valuation" in _edit(store, edit).reason
    (fac,) = _book(store).facilities
    assert (fac.collateral_value, len(fac.securities)) == (D(51_000_000), 3)  # the new one counts, the revaluation waits
    review(store, f"E{edit}", get_user(store, "reviewer"), "confirm")
    assert _book(store).facilities[0].collateral_value == D(96_000_000)


def test_a_payment_change_is_refused_when_the_instalment_changed_since(store, tmp_path):
    from assistant.access import get_user
    from assistant.errors import ConfigError
    from assistant.makerchecker import review

    head = "record,client,facility,limit,due,principal,paid_on,paid_amount\n" + f"facility,{CLIENT_B},流动资金贷款,80000000\n"
    (first,) = _import(store, tmp_path, head + f"instalment,{CLIENT_B},流动资金贷款,,2026-07-31,10000000,2026-08-01,10800000\n").edits
    (second,) = _import(store, tmp_path, head + f"instalment,{CLIENT_B},流动资金贷款,,2026-07-31,10000000,2026-08-01,5000000\n",
                        name="b.csv").edits
    review(store, f"E{second}", get_user(store, "reviewer"), "confirm")
    with pytest.raises(ConfigError, match="paid_on is now 2026-08-01, not"):
        review(store, f"E{first}", get_user(store, "reviewer"), "confirm")
    (r,) = [r for r in _facility(store, CLIENT_B).schedule if r.due == dt.date(2026, 7, 31)]
    assert r.paid_amount == D(5_000_000)


def test_the_cli_summary_names_the_pending_facility_and_instalment_changes(store, tmp_path, capsys, monkeypatch):
    from assistant.cli import main

    path = tmp_path / "terms.csv"
    path.write_text("record,client,facility,limit,reporting_days,due,principal\n"
                    f"facility,{CLIENT_B},流动资金贷款,80000000,90,,\n"
                    f"instalment,{CLIENT_B},流动资金贷款,,,2026-11-15,5000000\n", encoding="utf-8")
    monkeypatch.setenv("LOANWATCH_PASSWORD", CHECKER2[1])
    with pytest.raises(SystemExit) as done:
        main(["facility", "import", str(path), "--as", CHECKER2[0]])
    out = capsys.readouterr().out
    refs = sorted((i.ref for i in _pending_edits(store)), key=lambda r: int(r[1:]))
    assert done.value.code in (0, None) and len(refs) == 2
    assert f"2 change(s) to stored facility terms, instalments or securities pending a second person, not applied: {', '.join(refs)}" in out


def test_a_new_facility_drawn_later_cannot_hide_the_stored_facilitys_late_reporting_warning(store, tmp_path):
    """A new facility is added directly; its drawdown after 2026Q3 owes no Q3 statements, but 流动资金贷款 still does."""
    report = _import(store, tmp_path, "record,client,facility,limit,drawdown_date\n"
                                      f"facility,{CLIENT_B},固定资产贷款,10000000,2026-10-15\n")
    assert report.edits == [] and len(_book(store).facilities) == 2
    assert "statements_late" in _rules(store)
