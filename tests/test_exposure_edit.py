"""Exposure data edited in the app: pending until a second person confirms it, then it moves the dashboard and the class.

The home is ``tests/book_support.make_book_home`` (远洋物流: outstanding 60,000,000, an instalment
of 10,000,000 unpaid since 2026-07-31, 102 days before the session's fixed day). Each test
builds its own home: confirmed edits change it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from tests.clock import TODAY
from tests.ui_support import CLIENT_B

D = Decimal


@pytest.fixture()
def store(book_store):
    return book_store


def _users(store):  # noqa: ANN001, ANN202
    from assistant.access import get_user

    return get_user(store, "officer_b"), get_user(store, "reviewer"), get_user(store, "officer_a")


def _target(store, user, prefix: str, contains: str = ""):  # noqa: ANN001, ANN202
    from assistant.exposure_edit import targets

    return next(t for t in targets(store, user, CLIENT_B) if t.key.startswith(prefix) and contains in t.label)


def _book_line(store):  # noqa: ANN001, ANN202
    from assistant.dashboard_data import dashboard

    d = dashboard(store, as_of=TODAY, board=None)
    (fac,) = [r for r in d.tables["facilities"].rows if r[0] == CLIENT_B]
    return d, dict(zip(d.tables["facilities"].columns, fac))


def test_an_edit_counts_only_once_a_second_person_confirms_it(store):
    from assistant.exposure_edit import propose
    from assistant.makerchecker import changes, review
    from assistant.store.schema import LedgerRow

    maker, checker, _ = _users(store)
    before, line = _book_line(store)
    assert line["outstanding"] == D(60_000_000) and before.total == D(360_000_000)
    fac = _target(store, maker, "facility:")
    ident = propose(store, maker, CLIENT_B, fac.key, {"outstanding": "50,000,000"}, "核心系统 2026-11-09 余额")
    (pending,) = changes(store, entity="exposure")
    assert (pending.ref, pending.status, pending.by, pending.old, pending.new) == (
        f"E{ident}", "pending", "officer_b", "outstanding=60000000", "outstanding=50000000")
    assert _book_line(store)[0].total == D(360_000_000)  # pending: decides nothing …
    assert _book_line(store)[0].pending_edits == 1  # … and the dashboard says one awaits a checker
    from assistant.errors import AccessDeniedError

    with pytest.raises(AccessDeniedError):  # an officer holds no checker's right
        review(store, pending.ref, maker, "confirm")
    done = review(store, pending.ref, checker, "confirm", "对账一致")
    assert (done.status, done.reviewed_by) == ("confirmed", "reviewer")
    after, line = _book_line(store)
    assert line["outstanding"] == D(50_000_000) and after.total == D(350_000_000)
    assert {r[0]: r[1] for r in after.tables["by_industry"].rows}["物流"] == D(50_000_000)
    with store.session() as s:
        steps = [(e.action, e.actor) for e in s.execute(select(LedgerRow).order_by(LedgerRow.seq)).scalars()][-3:]
    assert steps == [("exposure.edit", "officer_b"), ("exposure.confirm", "reviewer"), ("facility.update", "reviewer")]
    from assistant.ledger import verify

    with store.session() as s:
        assert verify(s, anchor=None) == []


def test_the_maker_cannot_confirm_their_own_edit_and_a_rejection_applies_nothing(store):
    from assistant.access import add_user
    from assistant.errors import AccessDeniedError, ConfigError
    from assistant.exposure_edit import propose
    from assistant.makerchecker import review

    _, checker, _ = _users(store)
    with store.transaction() as s:
        add_user(s, "reviewer2", "reviewer", "reviewer2-pass")
    from assistant.access import get_user

    other = get_user(store, "reviewer2")
    sec = _target(store, checker, "security:", "仓库")
    ident = propose(store, checker, CLIENT_B, sec.key, {"value": "30000000", "valuation_date": "2026-10-31"}, "重估报告")
    with pytest.raises(AccessDeniedError, match="second person"):
        review(store, f"E{ident}", checker, "confirm")
    with pytest.raises(ConfigError, match="reason"):
        review(store, f"E{ident}", other, "reject")
    assert review(store, f"E{ident}", other, "reject", "评估报告未盖章").status == "rejected"
    _, line = _book_line(store)
    assert line["collateral_value"] == D(45_000_000)


def _class_reasons(store) -> list[str]:  # noqa: ANN001
    from assistant.access import get_user, require_client
    from assistant.chat.board import Board

    cid = require_client(store, get_user(store, "reviewer"), CLIENT_B).id
    return Board().rows(store, frozenset({cid}), TODAY)[cid].category_reasons_en


def test_marking_the_overdue_instalment_paid_clears_its_days_past_due_from_the_suggested_class(store):
    from assistant.exposure_edit import propose
    from assistant.makerchecker import review

    maker, checker, _ = _users(store)
    _, line = _book_line(store)
    assert line["days_past_due"] == 102
    assert any("2026-07-31 unpaid, 102 days overdue" in r for r in _class_reasons(store))
    inst = _target(store, maker, "repayment:", "2026-07-31")
    assert inst.values == {"paid_on": None, "paid_amount": None}
    ident = propose(store, maker, CLIENT_B, inst.key, {"paid_on": "2026-08-05", "paid_amount": "10800000"}, "回单号 88123")
    review(store, f"E{ident}", checker, "confirm")
    _, line = _book_line(store)
    assert line["days_past_due"] in (0, None)
    assert not any("overdue" in r for r in _class_reasons(store))  # the suggestion no longer rests on the unpaid instalment
    assert _target(store, maker, "repayment:", "2026-07-31").values == {"paid_on": "2026-08-05", "paid_amount": "10800000"}


def test_bad_edits_are_refused_with_what_to_do(store):
    from assistant.errors import AccessDeniedError, ConfigError
    from assistant.exposure_edit import propose

    maker, _, stranger = _users(store)
    fac = _target(store, maker, "facility:")
    with pytest.raises(ConfigError, match="needs a reason"):
        propose(store, maker, CLIENT_B, fac.key, {"drawn": "1"}, "")
    with pytest.raises(ConfigError, match="not an amount"):
        propose(store, maker, CLIENT_B, fac.key, {"drawn": "五千万"}, "x")
    with pytest.raises(ConfigError, match="not an amount owed"):
        propose(store, maker, CLIENT_B, fac.key, {"drawn": "-5"}, "x")
    with pytest.raises(ConfigError, match="cannot be edited"):
        propose(store, maker, CLIENT_B, fac.key, {"paid_on": "2026-01-01"}, "x")
    with pytest.raises(ConfigError, match="nothing to change"):
        propose(store, maker, CLIENT_B, fac.key, {"outstanding": "60000000"}, "x")
    with pytest.raises(AccessDeniedError):  # officer_a is not in charge of 远洋物流
        propose(store, stranger, CLIENT_B, fac.key, {"drawn": "1"}, "x")


def test_a_confirmation_is_refused_when_the_value_changed_since_the_edit(store, tmp_path):
    """A file import between the edit and the check: the checker is told, and nothing is overwritten."""
    from assistant.errors import ConfigError
    from assistant.exposure_edit import propose
    from assistant.makerchecker import changes, review
    from assistant.portfolio_io import import_portfolio
    from tests.book_support import FACILITIES_CSV

    maker, checker, _ = _users(store)
    fac = _target(store, maker, "facility:")
    ident = propose(store, maker, CLIENT_B, fac.key, {"outstanding": "50000000"}, "核心系统余额")
    csv = tmp_path / "again.csv"
    csv.write_text(FACILITIES_CSV.replace(",80000000,60000000,", ",80000000,55000000,"), encoding="utf-8")
    import_portfolio(store, csv, actor="reviewer")
    with pytest.raises(ConfigError, match="is now 55000000"):
        review(store, f"E{ident}", checker, "confirm")
    assert [c.status for c in changes(store, status=None, entity="exposure") if c.id == ident] == ["pending"]
    _, line = _book_line(store)
    assert line["outstanding"] == D(55_000_000)


def test_the_cli_edits_lists_and_confirms_through_the_same_rules(store, capsys):
    from tests.test_book import cli

    code, out, _ = cli(capsys, "exposure", "rows", "远洋物流", "--as", "officer_b")
    assert code == 0
    key = next(line.split()[0] for line in out.splitlines() if line.startswith("facility:"))
    assert "outstanding=60000000" in out and "repayment:" in out and "security:" in out
    code, out, _ = cli(capsys, "exposure", "edit", "远洋物流", key, "--set", "outstanding=50000000", "--reason", "核心系统余额",
                       "--as", "officer_b")
    assert code == 0 and "pending until a reviewer confirms it" in out
    ref = out.split()[0]
    code, out, _ = cli(capsys, "exposure", "pending")
    assert code == 0 and ref in out and "outstanding=60000000 → outstanding=50000000" in out
    code, _, err = cli(capsys, "exposure", "confirm", ref, "--as", "officer_b")
    assert code == 1 and "may not confirm or reject exposure edits" in err
    assert _book_line(store)[1]["outstanding"] == D(60_000_000)
    code, out, _ = cli(capsys, "exposure", "confirm", ref, "--as", "reviewer")
    assert code == 0 and "confirmed by reviewer" in out
    assert _book_line(store)[1]["outstanding"] == D(50_000_000)
    code, _, err = cli(capsys, "exposure", "edit", "远洋物流", key, "--set", "outstanding", "--reason", "x", "--as", "officer_b")
    assert code == 1 and "FIELD=VALUE" in err
