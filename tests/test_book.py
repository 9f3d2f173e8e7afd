"""The book: exposure and repayment from the bank's files, the watch list, the calendar, warnings as work.

One small home (``tests/book_support.make_book_home``: 示例新能源 with 2026Q2 statements,
远洋物流 highly leveraged, and a CSV file with the bank's facility data — balances, a schedule
with a 102-day unpaid instalment, collateral and a guarantee) is built per module through the
real paths. The CLI runs in-process through its real entry point. Today is 2026-11-10.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest

from tests.book_support import make_book_home
from tests.clock import TODAY
from tests.ui_support import CLIENT_A, CLIENT_B, USERS, using_home

D = Decimal


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return make_book_home(tmp_path_factory.mktemp("book") / "home")


@pytest.fixture()
def store(home):
    from assistant.store import close_stores, open_store

    with using_home(home):
        close_stores()
        yield open_store()
        close_stores()


def cli(capsys, *args: str) -> tuple[int, str, str]:
    """Run the CLI in process; the ``--as`` user's password comes from LOANWATCH_PASSWORD, as for a person."""
    import os

    from assistant.cli import main

    acting = args[args.index("--as") + 1] if "--as" in args else None
    os.environ["LOANWATCH_PASSWORD"] = USERS.get(acting, "")
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    finally:
        os.environ.pop("LOANWATCH_PASSWORD", None)
    out = capsys.readouterr()
    return code, out.out, out.err


# ---------------------------------------------------------------- exposure and repayment


def test_csv_import_gives_balances_schedule_collateral_and_days_past_due(store):
    from assistant.analytics.book import exposures
    from assistant.store import load_snapshot

    snap = load_snapshot(store, "远洋物流")
    (fac,) = snap.facilities
    assert (fac.amount, fac.drawn, fac.outstanding, fac.reporting_days) == (D(80_000_000), D(80_000_000), D(60_000_000), 30)
    assert [(s.kind, s.value, s.valuation_date) for s in fac.securities] == [
        ("collateral", D(45_000_000), dt.date(2026, 3, 31)), ("guarantee", D(80_000_000), None)]
    (e,) = exposures(snap)
    assert (e.exposure, e.basis, e.undrawn) == (D(60_000_000), "outstanding", D(0))
    assert e.days_past_due == (TODAY - dt.date(2026, 7, 31)).days == 102
    assert e.overdue_amount == D(10_800_000) and e.next_due == dt.date(2026, 11, 15)
    assert e.collateral_value == D(45_000_000) and e.coverage == D(45) / D(60)
    assert [r.state for r in e.instalments] == ["paid", "overdue", "due"]


def test_the_dashboard_and_the_answers_give_one_exposure_and_say_when_the_schedule_disagrees(store):
    """One definition (analytics.book.owed): the bank's recorded balance, a schedule that differs is said, not used."""
    from assistant.analytics.book import exposures
    from assistant.chat.board import facility_exposure
    from assistant.store import load_snapshot

    snap = load_snapshot(store, "远洋物流")
    (fac,) = snap.facilities
    (book,) = exposures(snap)
    row = facility_exposure(fac, TODAY)
    assert (row.outstanding, row.basis) == (book.exposure, book.basis) == (D(60_000_000), "outstanding")
    assert row.repaid == D(10_000_000)  # one instalment paid: drawn less repaid would be 70,000,000
    assert any("differs from drawn less the principal the schedule shows repaid (70,000,000)" in w for w in book.warnings)
    unrecorded = dataclasses.replace(fac, outstanding=None)
    assert facility_exposure(unrecorded, TODAY).outstanding == D(70_000_000)
    assert facility_exposure(unrecorded, TODAY).basis == "schedule"


def test_a_102_day_unpaid_instalment_raises_an_alert_and_sets_substandard(capsys, store):
    code, out, _ = cli(capsys, "status", "远洋物流", "--json", "--no-record")
    st = json.loads(out)
    assert code == 0 and st["classification"] in ("次级", "可疑", "损失")
    (alert,) = [a for a in st["alerts"] if a["rule"] == "repayment_overdue_90"]
    assert alert["severity"] == "high" and "逾期102天" in alert["message"] and "《商业银行金融资产风险分类办法》(2023)" in alert["message"]
    assert any("《商业银行金融资产风险分类办法》(2023)" in r for r in st["classification_detail"]["reasons"])


def test_excel_import_reads_sheets_and_exact_numbers(tmp_path, store):
    from openpyxl import Workbook

    from assistant.portfolio_io import read_portfolio

    wb = Workbook()
    ws = wb.active
    ws.title = "授信"
    ws.append(["client", "facility", "limit", "drawn", "outstanding", "maturity_date", "industry"])
    ws.append(["新客户有限公司", "项目贷款", 250000000, 200000000.0, "199999999.99", dt.datetime(2031, 6, 30), "港口"])
    ws2 = wb.create_sheet("还款计划")
    ws2.append(["client", "facility", "due", "principal", "interest", "paid_on"])
    ws2.append(["新客户有限公司", "项目贷款", dt.datetime(2026, 9, 20), 12500000, 2812500.5, dt.datetime(2026, 9, 21)])
    ws3 = wb.create_sheet("担保")
    ws3.append(["client", "facility", "kind", "description", "value", "valuation_date"])
    ws3.append(["新客户有限公司", "项目贷款", "collateral", "码头经营权质押", 300000000, dt.datetime(2026, 6, 30)])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    (client,) = read_portfolio(path).clients
    (f,) = client.facilities
    assert (client.industry, f.amount, f.drawn, f.outstanding) == ("港口", D(250000000), D(200000000), D("199999999.99"))
    assert f.schedule[0].interest == D("2812500.5") and f.schedule[0].paid_on == dt.date(2026, 9, 21)
    assert f.securities[0].value == D(300000000) and f.securities[0].valuation_date == dt.date(2026, 6, 30)


@pytest.mark.parametrize("text, message", [
    ("record,client,facility,due,principal\ninstalment,X,Y,2026-01-01,5\n", "not in the facilities table"),
    ("record,client,facility,limit\nfacility,X,Y,abc\n", "row 2: amount"),
    ("record,client,facility,limit\nloan,X,Y,5\n", "'loan' is not a table"),
])
def test_a_bad_csv_row_is_named(tmp_path, text, message):
    from assistant.errors import ConfigError
    from assistant.portfolio_io import read_portfolio

    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_portfolio(path)
    assert message in str(err.value)


def test_old_facilities_keep_their_ledger_digest_and_new_ones_are_covered(store):
    from assistant import ledger

    with store.session() as s:
        assert ledger.verify(s) == []


# ---------------------------------------------------------------- the watch list


def test_watch_list_enters_by_rule_and_by_officer_and_leaving_needs_a_reason(capsys, store):
    code, out, _ = cli(capsys, "watch", "list", "--as", "reviewer")
    assert code == 0 and "[rule]" in out
    assert "102 days past due" in out and "high-severity warning(s): revenue_decline" in out  # B by overdue days, A by its warning
    code, out, _ = cli(capsys, "watch", "list", "--as", "officer_a", "--no-sync")
    assert CLIENT_A in out and CLIENT_B not in out  # each officer sees their own clients only
    code, _, err = cli(capsys, "watch", "remove", "示例新能源", "--reason", "", "--as", "officer_a")
    assert code == 1 and "needs a reason" in err
    code, out, _ = cli(capsys, "watch", "remove", "示例新能源", "--reason", "收入下降系季节性因素，已核实订单", "--as", "officer_a")
    assert code == 0
    code, _, err = cli(capsys, "watch", "add", "示例新能源", "--reason", "   ", "--as", "officer_a")
    assert code == 1 and "needs a reason" in err
    code, out, _ = cli(capsys, "watch", "add", "示例新能源", "--reason", "组件价格下跌，关注电价补贴回款", "--as", "officer_a",
                       "--review", "2026-11-20")
    assert code == 0 and "owner officer_a" in out and "2026-11-20" in out
    code, _, err = cli(capsys, "watch", "add", "远洋物流", "--reason", "x", "--as", "officer_a")  # not officer_a's client
    assert code == 1 and "no client" in err
    code, _, err = cli(capsys, "watch", "add", "示例新能源", "--reason", "x", "--as", "nobody")
    assert code == 1 and "unknown user or wrong password for 'nobody'" in err
    code, out, _ = cli(capsys, "watch", "list", "--as", "officer_a", "--json")  # the rule does not re-add on top
    (entry,) = json.loads(out)
    assert entry["source"] == "officer" and entry["owner"] == "officer_a" and entry["next_review"] == "2026-11-20"
    assert entry["reason"] == "组件价格下跌，关注电价补贴回款"
    code, out, _ = cli(capsys, "watch", "review", "示例新能源", "--note", "回款进度正常", "--next", "2026-12-20", "--as", "officer_a")
    assert code == 0 and "2026-12-20" in out
    code, out, _ = cli(capsys, "watch", "history", "示例新能源")
    lines = out.splitlines()
    assert [ln.split()[2] for ln in lines] == ["enter", "leave", "enter", "review"]
    assert "收入下降系季节性因素" in lines[1] and "by officer_a" in lines[1] and "[rule] by rules" in lines[0]
    with store.session() as s:
        from assistant import ledger
        from assistant.store.schema import LedgerRow

        actions = [(r.action, r.actor) for r in s.query(LedgerRow).filter(LedgerRow.entity == "watch_event")]
        assert ("watch.enter", "officer_a") in actions and ("watch.leave", "officer_a") in actions
        assert ("watch.enter", "rules") in actions and ledger.verify(s) == []


def test_a_client_taken_off_is_not_put_back_for_the_same_signals(store):
    from assistant import watchlist
    from assistant.book import portfolio_books

    books = portfolio_books(store)
    watchlist.sync(store, books)
    b = next(x for x in books if x.client == CLIENT_B)
    assert any(e.client_id == b.client_id for e in watchlist.current(store))
    watchlist.remove(store, b.client_id, reason="重组协议已签署，新还款计划执行中", actor="reviewer")
    assert watchlist.sync(store, books) == []  # the same signals: the officer's decision stands
    assert b.breaches  # its covenant (debt_to_assets <= 0.60) survives the CSV import, and is breached
    b.thin = ["流动资金贷款: current_ratio >= 1.00 (1.05)"]  # a new kind of signal brings it back
    assert watchlist.sync(store, [b]) == [b.client_id]
    (entry,) = [e for e in watchlist.current(store) if e.client_id == b.client_id]
    assert entry.source == "rule" and "thin covenant headroom" in entry.reason and entry.next_review == TODAY + dt.timedelta(days=14)


# ---------------------------------------------------------------- the calendar


def test_calendar_shows_overdue_items_as_warnings_and_the_week(store):
    from assistant.book import portfolio_calendar
    from assistant.calendar import agenda

    items = portfolio_calendar(store, as_of=TODAY)
    b = [i for i in items if i.client == CLIENT_B]
    instalment = next(i for i in b if i.kind == "instalment" and i.date == dt.date(2026, 7, 31))
    assert instalment.state == "overdue" and "逾期102天" in instalment.warning
    q3 = next(i for i in b if i.kind == "statement" and i.date == dt.date(2026, 10, 30))  # 30 days after 2026-09-30
    assert q3.state == "overdue" and "报表迟交本身即为预警信号" in q3.warning
    q2 = next(i for i in b if i.kind == "statement" and i.date == dt.date(2026, 7, 30))
    assert q2.state == "done" and q2.done_on == dt.date(2026, 7, 30)
    week = agenda(items, week=True)
    assert all(i.state == "overdue" or (i.date - TODAY).days <= 7 for i in week)
    assert any(i.kind == "instalment" and i.date == dt.date(2026, 11, 15) and i.state == "due" for i in week)
    a = [i for i in items if i.client == CLIENT_A]
    assert any(i.kind == "statement" and i.date == dt.date(2026, 11, 14) and i.state == "due" for i in a)  # 45 days
    # no drawdown date: obligations start at the first period stored (2026Q2), so older history is not "overdue"
    assert [i for i in a if i.state == "overdue"] == [] and min(i.date for i in a) >= dt.date(2026, 7, 1)
    # with a drawdown date (2025-06-30), a statement never received is overdue from its due date
    assert any(i.kind == "statement" and i.date == dt.date(2025, 10, 30) and i.state == "overdue" for i in b)


def test_calendar_cli_filters_by_officer(capsys, store):
    code, out, _ = cli(capsys, "calendar", "--officer", "officer_b", "--week")
    assert code == 0 and CLIENT_B in out and CLIENT_A not in out and "OVERDUE" in out
    code, out, _ = cli(capsys, "calendar", "--officer", "张伟", "--json")
    rows = json.loads(out)
    assert rows and {r["client"] for r in rows} == {CLIENT_A}


# ---------------------------------------------------------------- warnings as work


def test_a_warning_is_acknowledged_assigned_commented_and_resolved_with_the_action(capsys, store):
    code, out, _ = cli(capsys, "warning", "list", "--as", "officer_b", "--json")
    rows = json.loads(out)
    item = next(r for r in rows if r["rule"] == "repayment_overdue_90")
    ref = item["ref"]
    assert item["status"] == "open" and item["client"] == CLIENT_B
    code, _, err = cli(capsys, "warning", "ack", ref, "--as", "officer_a")  # not officer_a's client
    assert code == 1 and "no client" in err
    assert cli(capsys, "warning", "ack", ref, "--as", "officer_b")[0] == 0
    assert cli(capsys, "warning", "assign", ref, "--to", "reviewer", "--as", "officer_b")[0] == 0
    assert cli(capsys, "warning", "comment", ref, "已约见企业财务总监", "--as", "reviewer")[0] == 0
    code, _, err = cli(capsys, "warning", "resolve", ref, "--action", "pray", "--note", "x", "--as", "reviewer")
    assert code == 1 and "unknown action" in err
    code, out, _ = cli(capsys, "warning", "resolve", ref, "--action", "restructuring", "--note", "签订展期协议，还款计划调整",
                       "--as", "reviewer")
    assert code == 0 and "resolved" in out and "重组或调整还款计划" in out
    code, _, err = cli(capsys, "warning", "ack", ref, "--as", "officer_b")
    assert code == 1 and "resolved" in err
    code, out, _ = cli(capsys, "warning", "show", ref)
    assert [line.split()[2] for line in out.splitlines()[1:]] == ["open", "ack", "assign", "comment", "resolve"]
    code, out, _ = cli(capsys, "warning", "list", "--as", "officer_b", "--no-sync")
    assert out.count(ref + " ") == 1  # listed once, not opened again
    from assistant import ledger

    with store.session() as s:
        assert ledger.verify(s) == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_memo_lists_open_and_resolved_warning_items_and_still_verifies(store, lang):
    from assistant.memo import build_memo
    from assistant.memo.render_md import render_markdown
    from assistant.memo.verify import allowed_numbers, verify_memo
    from assistant.status import monitoring_span
    from assistant.store import load_snapshot

    snap = load_snapshot(store, "远洋物流")
    span = monitoring_span(snap)
    memo = build_memo(snap, span, lang=lang)
    section = memo.section("work")
    (table,) = [b for b in section.blocks if hasattr(b, "rows")]
    states = {row[0].text: row[1].text for row in table.rows}
    resolved = [i for i in snap.work_items if i.status == "resolved"]
    assert resolved and len(states) == len(snap.work_items)
    row = next(r for r in table.rows if r[0].text == resolved[0].ref)
    assert ("重组或调整还款计划" if lang == "zh" else "restructuring") in row[4].text and "签订展期协议" in row[4].text
    assert any(i.status != "resolved" for i in snap.work_items) and ("未结" if lang == "zh" else "open") in section.blocks[0].text
    report = verify_memo(render_markdown(memo), allowed_numbers(snap, span))
    assert report.ok, report.summary()
    sound = load_snapshot(store, "示例新能源")
    sound.work_items = []
    assert "work" not in [s.key for s in build_memo(sound, monitoring_span(sound), lang=lang).sections]


# ---------------------------------------------------------------- dashboard tables and Excel


def test_dashboard_tables_add_up_and_the_workbook_holds_the_same_numbers(tmp_path, store):
    from openpyxl import load_workbook

    from assistant.dashboard_data import dashboard, to_xlsx

    d = dashboard(store, as_of=TODAY)
    by_grade = d.tables["by_grade"]
    assert sum(r[2] for r in by_grade.rows) == d.total == sum(r[1] for r in d.tables["by_industry"].rows)
    assert d.total == D(300_000_000) + D(60_000_000)  # A: its limit (nothing else given); B: its outstanding balance
    assert sum(r[2] for r in d.tables["by_class"].rows) == d.total
    heat = d.tables["heat_map"]
    assert sum(sum(r[1:]) for r in heat.rows) == d.total
    assert D(60_000_000) in [r[6] for r in d.tables["facilities"].rows]
    shares = [r[2] for r in d.tables["by_industry"].rows]
    assert abs(sum(shares) - 1) < D("0.001")
    path = to_xlsx(d.tables, tmp_path / "dashboard.xlsx")
    wb = load_workbook(path)
    assert set(wb.sheetnames) == set(d.tables)
    for name, table in d.tables.items():
        ws = wb[name]
        got = [list(r) for r in ws.iter_rows(values_only=True)]
        assert got[0] == table.columns
        for row, expected in zip(got[1:], table.rows):
            for cell, value in zip(row, expected):
                if isinstance(value, Decimal):
                    assert D(str(cell)) == value, (name, row)
                elif isinstance(value, dt.date):
                    assert cell.date() == value
                elif value in (None, ""):
                    assert cell in (None, "")
                else:
                    assert cell == value


def _seen(d) -> tuple:  # noqa: ANN001 - dashboard_data.Dashboard
    return d.as_of, d.currency, d.total, d.clients, d.other_currencies, d.tables


@pytest.mark.parametrize("which", ["book", "demo"])
def test_the_cached_dashboard_shows_exactly_the_tables_assessed_afresh(request, which):
    """Book lines and calendars read from the chat's cached rows give the very tables a fresh assessment gives."""
    from assistant.book import visible_ids
    from assistant.chat.board import Board
    from assistant.dashboard_data import dashboard

    store = request.getfixturevalue("store" if which == "book" else "demo_store")
    board = Board()
    fresh = dashboard(store, as_of=TODAY, board=None)
    assert fresh.clients and any(t.rows for t in fresh.tables.values())
    assert _seen(dashboard(store, as_of=TODAY, board=board)) == _seen(fresh)  # cold: builds every row
    built = board.built
    assert built == len(visible_ids(store))
    assert _seen(dashboard(store, as_of=TODAY, board=board)) == _seen(fresh)  # warm: reads the rows
    assert board.built == built


def test_a_change_to_one_client_shows_on_the_next_dashboard_load(tmp_path):
    """A new statement, a confirmed correction and a facility import each rebuild that client's line only."""
    from assistant.chat.board import Board
    from assistant.dashboard_data import dashboard
    from assistant.portfolio_io import import_portfolio
    from assistant.store import close_stores, open_store, repo
    from tests.book_support import HEADER
    from tests.checkers import confirm_corrections
    from tests.test_portfolio_answers import _store_quarter

    home = make_book_home(tmp_path / "home")
    with using_home(home):
        close_stores()
        store = open_store()
        board = Board()
        before = dashboard(store, as_of=TODAY, board=board)
        clients = before.clients

        def load_after(change) -> object:  # noqa: ANN001
            nonlocal before
            built = board.built
            change()
            got = dashboard(store, as_of=TODAY, board=board)
            assert board.built == built + 1  # that client's row only
            assert _seen(got) == _seen(dashboard(store, as_of=TODAY, board=None))
            assert got.tables != before.tables
            before = got
            return got

        def statement() -> None:  # a new quarter for 示例新能源: its debt ratio jumps
            with store.transaction() as s:
                _store_quarter(s, repo.get_client(s, CLIENT_A), dt.date(2026, 9, 30), D(1), D(2_000_000_000))

        def correction() -> None:  # 示例新能源's liabilities corrected above its assets by one officer, confirmed by another
            with store.session() as s:
                cid = repo.get_client(s, CLIENT_A).id
            row = board.rows(store, frozenset({cid}), TODAY)[cid]
            assert row.period == "2026Q3"
            with store.transaction() as s:
                repo.set_figure(s, repo.get_client(s, CLIENT_A), row.period, "total_liabilities", D(3_000_000_000), reason="test",
                                by="test")
            confirm_corrections(store)

        def facility() -> None:  # a second facility for 示例新能源 from the bank's file
            csv = tmp_path / "more.csv"
            csv.write_text(HEADER + f"\nfacility,{CLIENT_A},固定资产贷款,12345678,CNY,12345678,,2026-01-31,2029-01-31,30,120,,,,,,,,,,\n",
                           encoding="utf-8")
            import_portfolio(store, csv, actor="test")

        load_after(statement)
        load_after(correction)
        got = load_after(facility)
        assert "固定资产贷款" in [r[1] for r in got.tables["facilities"].rows] and got.clients == clients
        close_stores()


# ---------------------------------------------------------------- filings feed the bank's keyword rules (last: it adds a document)


def test_an_ingested_filing_is_kept_as_text_and_its_words_raise_a_warning(tmp_path, store):
    from assistant.analytics import assess
    from assistant.ingest import ingest
    from assistant.status import monitoring_span
    from assistant.store import load_snapshot

    path = tmp_path / "远洋物流关于重大诉讼的公告.txt"
    path.write_text("远洋物流股份有限公司\n关于涉及重大诉讼的公告\n公司近日收到法院应诉通知书，涉及运输合同纠纷诉讼，标的金额3,200万元。"
                    "公司生产经营正常，未发现停产情况。\n", encoding="utf-8")
    report = ingest([path], store=store, client="远洋物流", kind="filing", index=False, progress=False, actor="test",
                    received=dt.date(2026, 6, 5))
    assert not report.failed, report.summary()
    snap = load_snapshot(store, "远洋物流")
    assert [f.document for f in snap.filings] == [path.name] and path.name not in {n.document for n in snap.notes}
    (alert,) = [a for a in assess(snap, monitoring_span(snap)).alerts if a.rule == "adverse_words"]
    assert alert.values["source"] == "filing" and alert.values["words"] == "诉讼"  # 停产 is negated (未发现停产)
    assert alert.evidence == [(path.name, 1)]
