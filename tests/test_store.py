"""The store's contract, run against SQLite and a real PostgreSQL server."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from assistant.domain import Covenant, Facility, InspectionNote, Repayment, Span, quarter_span
from assistant.errors import ConfigError, NotFoundError
from assistant.store import load_snapshot, repo
from assistant.store.db import Store, init_db
from assistant.store.schema import Base, FacilityRow, FigureRow
from extractors.models import Column, ExtractionResult, LineItem, Statement
from tests.checkers import PASSWORD, confirm_corrections

D = Decimal
FY25, FY24 = Span(dt.date(2025, 12, 31), dt.date(2025, 1, 1)), Span(dt.date(2024, 12, 31), dt.date(2024, 1, 1))


def statement_result(company: str, statements: list[Statement], sha: str = "0" * 64) -> ExtractionResult:
    return ExtractionResult(file="x.pdf", sha256=sha, pages=3, company=company, statements=statements)


def income(spans: list[Span], rows: dict[str, list], *, scope: str = "consolidated", page: int = 2) -> Statement:
    """An income statement with one column per span; ``rows`` maps key → values (in column order)."""
    return Statement(
        kind="income_statement", scope=scope, currency="CNY", unit=1, pages=[page],
        columns=[Column(period_start=s.start, period_end=s.end, label=s.label) for s in spans],
        items=[LineItem(key=k, label=f"label of {k}", values=[None if v is None else D(str(v)) for v in vals],
                        printed=["" if v is None else str(v) for v in vals], page=page)
               for k, vals in rows.items()],
    )


def balance(ends: list[dt.date], rows: dict[str, list], *, scope: str = "consolidated", page: int = 1) -> Statement:
    return Statement(
        kind="balance_sheet", scope=scope, currency="CNY", unit=1, pages=[page],
        columns=[Column(period_end=e, label=e.isoformat()) for e in ends],
        items=[LineItem(key=k, label=f"label of {k}", values=[None if v is None else D(str(v)) for v in vals],
                        page=page) for k, vals in rows.items()],
    )


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
    else:
        url = request.getfixturevalue("pg_database")
    st = Store(url)
    init_db(st)
    yield st
    st.dispose()


def _doc(st: Store, client: str, result: ExtractionResult, name: str, sha: str):
    with st.transaction() as s:
        owner = repo.match_client(s, client) or repo.add_client(s, client)
        return repo.store_document(s, owner, sha256=sha, kind="statement", name=name, stored_path=f"documents/{sha}.pdf",
                                   pages=result.pages, extraction=result).id


# ---------------------------------------------------------------- migrations

def test_fresh_database_upgrades_to_head_and_matches_the_models(store):
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version == _head_revision()
    assert {"clients", "facilities", "covenants", "documents", "figures", "ledger"} <= set(
        inspect(store.engine).get_table_names())
    init_db(store)  # a second upgrade is a no-op


def test_the_schema_head_a_store_trusts_is_alembics_head_and_an_older_database_still_upgrades(tmp_path):
    """``open_store`` skips alembic when the database is at ``SCHEMA_HEAD``: the constant must be the newest migration."""
    import sys

    from assistant.store.db import SCHEMA_HEAD, schema_revision

    assert SCHEMA_HEAD == _head_revision()
    st = Store(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        assert schema_revision(st) is None  # fresh: no alembic_version table yet
        from alembic import command

        with st.engine.begin() as conn:
            command.upgrade(_alembic_config(conn), "0004")
        assert schema_revision(st) == "0004"
        init_db(st)  # not at the head: alembic runs
        assert schema_revision(st) == SCHEMA_HEAD
        sys.modules.pop("alembic.command", None)
        init_db(st)  # at the head: alembic's command module is not even imported
        assert "alembic.command" not in sys.modules
    finally:
        st.dispose()


def _alembic_config(conn):
    from alembic.config import Config

    from assistant.store.db import _MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(_MIGRATIONS))
    cfg.attributes["connection"] = conn
    return cfg


def _head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None)).get_current_head()


def test_a_database_at_the_first_revision_upgrades_with_its_data(tmp_path):
    from alembic import command

    st = Store(f"sqlite:///{tmp_path / 'old.db'}")
    with st.engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    assert "index_state" not in inspect(st.engine).get_table_names()
    with st.transaction() as s:
        repo.add_client(s, "Old Co")
    init_db(st)
    assert "index_state" in inspect(st.engine).get_table_names()
    with st.session() as s:
        assert repo.get_client(s, "Old Co").id == 1
    st.dispose()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_processes_opening_a_fresh_database_together_migrate_it_once(backend, tmp_path, request):
    """Regression: without the write lock, concurrent first opens raced on CREATE TABLE."""
    import subprocess
    import sys
    from pathlib import Path

    url = f"sqlite:///{tmp_path / 'fresh.db'}" if backend == "sqlite" else request.getfixturevalue("pg_database")
    code = "import sys; from assistant.store.db import Store, init_db; init_db(Store(sys.argv[1])); print('ok')"
    procs = [subprocess.Popen([sys.executable, "-c", code, url], cwd=Path(__file__).resolve().parents[1],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], [err[-300:] for _, err in results]
    st = Store(url)
    with st.engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [_head_revision()]
    st.dispose()


# ---------------------------------------------------------------- clients and facilities

def test_clients_are_found_by_name_alias_and_legal_form(store):
    with store.transaction() as s:
        repo.add_client(s, "示例新能源股份有限公司", aliases=["示例新能源", "Demo Solar"], industry="solar", officer="zhang")
        repo.add_client(s, "Netflix, Inc.")
    with store.session() as s:
        assert repo.get_client(s, "示例新能源").name == "示例新能源股份有限公司"
        assert repo.match_client(s, "示例新能源有限公司").name == "示例新能源股份有限公司"
        assert repo.match_client(s, "NETFLIX INC").name == "Netflix, Inc."
        assert repo.match_client(s, "demo solar").industry == "solar"
        assert repo.match_client(s, "另一家公司") is None
        assert [c.name for c in repo.list_clients(s)] == sorted(["示例新能源股份有限公司", "Netflix, Inc."])
        with pytest.raises(NotFoundError):
            repo.get_client(s, "Nobody Ltd")
    with pytest.raises(ConfigError, match="already exists"), store.transaction() as s:
        repo.add_client(s, "Netflix, Inc.")


def test_facility_with_covenants_and_schedule_round_trips_exactly(store):
    facility = Facility(
        name="项目贷款A", amount=D("500000000.00"), drawn=D("480000000"), rate=D("0.0425"),
        drawdown_date=dt.date(2024, 3, 1), maturity_date=dt.date(2034, 3, 1), collateral="电站收费权质押",
        guarantors="母公司连带责任保证", reporting_days=30,
        covenants=[Covenant("current_ratio", ">=", D("1.20")), Covenant("dscr", ">=", D("1.3"), "annual", 30)],
        schedule=[Repayment(dt.date(2026, 6, 20), D("25000000"), D("10625000.55")),
                  Repayment(dt.date(2026, 12, 20), D("25000000"), D("10093750"), dt.date(2026, 12, 20), D("35093750"))],
    )
    with store.transaction() as s:
        client = repo.add_client(s, "光伏电站项目公司")
        repo.upsert_facility(s, client, facility)
    snap = load_snapshot(store, "光伏电站项目公司")
    (f,) = snap.facilities
    assert (f.amount, f.drawn, f.rate, f.reporting_days) == (D("500000000"), D("480000000"), D("0.0425"), 30)
    assert [(c.metric, c.operator, c.threshold, c.frequency, c.grace_days) for c in f.covenants] == [
        ("current_ratio", ">=", D("1.2"), "quarterly", 0), ("dscr", ">=", D("1.3"), "annual", 30)]
    assert f.schedule[0].interest == D("10625000.55") and f.schedule[1].paid_amount == D("35093750")
    facility.covenants = [Covenant("debt_to_assets", "<=", D("0.7"))]
    with store.transaction() as s:  # importing again replaces, never duplicates
        repo.upsert_facility(s, repo.get_client(s, "光伏电站项目公司"), facility)
    snap = load_snapshot(store, "光伏电站项目公司")
    assert len(snap.facilities) == 1 and [c.metric for c in snap.facilities[0].covenants] == ["debt_to_assets"]


@pytest.mark.parametrize("amount", ["183042372622.53", "0.0001", "-1234567890123.45", "99999999999999999.99", "7"])
def test_money_round_trips_exactly(store, amount):
    with store.transaction() as s:
        client = repo.add_client(s, "Money Co")
        repo.upsert_facility(s, client, Facility(name="f", amount=D(amount)))
    with store.session() as s:
        stored = s.execute(select(FacilityRow.amount)).scalar_one()
    assert stored == D(amount) and str(stored) == amount


def test_money_refuses_floats(store):
    with pytest.raises(Exception, match="never float"), store.transaction() as s:
        repo.upsert_facility(s, repo.add_client(s, "Float Co"), Facility(name="f", amount=1.1))  # type: ignore[arg-type]


# ---------------------------------------------------------------- statements, snapshot, restatements, corrections

def test_statement_figures_keep_provenance_and_feed_the_snapshot(store):
    q3, ytd = quarter_span(2026, 3), Span(dt.date(2026, 9, 30), dt.date(2026, 1, 1))
    result = statement_result("示例新能源股份有限公司", [
        income([q3, ytd], {"revenue": ["183042372622.53", "500000000"], "net_profit": [None, "12.5"]}),
        balance([dt.date(2026, 9, 30)], {"total_assets": ["900"], "total_liabilities": ["600"]}),
        income([ytd], {"revenue": ["1"]}, scope="parent"),
    ])
    doc_id = _doc(store, "示例新能源股份有限公司", result, "2026Q3.pdf", "a" * 64)
    with store.session() as s:
        fig = s.execute(select(FigureRow).where(FigureRow.key == "revenue", FigureRow.scope == "consolidated",
                                                FigureRow.period_start == q3.start)).scalar_one()
        assert (fig.document_id, fig.page, fig.label, fig.printed, fig.kind, fig.column_label) == (
            doc_id, 2, "label of revenue", "183042372622.53", "income_statement", "2026Q3")
    snap = load_snapshot(store, "示例新能源")
    revenue = snap.facts.get("revenue", q3)
    assert revenue.value == D("183042372622.53") and revenue.document == "2026Q3.pdf" and revenue.page == 2
    assert snap.facts.value("revenue", ytd) == D("500000000")  # consolidated preferred over parent
    assert snap.facts.get("net_profit", q3).value is None  # a dash stays null, never 0
    assert snap.facts.value("total_assets", Span(dt.date(2026, 9, 30))) == D("900")
    assert [d.name for d in snap.documents] == ["2026Q3.pdf"] and snap.documents[0].period_end == dt.date(2026, 9, 30)


def test_parent_scope_is_used_only_where_no_consolidated_figures_exist(store):
    result = statement_result("Parent Only Co", [income([FY25], {"revenue": ["70"]}, scope="parent")])
    _doc(store, "Parent Only Co", result, "fy.pdf", "b" * 64)
    fact = load_snapshot(store, "Parent Only Co").facts.get("revenue", FY25)
    assert fact.value == D("70") and fact.scope == "parent"


def test_restatement_keeps_both_uses_the_latest_and_flags_it(store):
    first = statement_result("Restating Co", [income([FY24], {"revenue": ["100"], "net_profit": ["10"]})])
    later = statement_result("Restating Co", [income([FY25, FY24], {"revenue": ["130", "110"], "net_profit": ["12", "10"]})])
    _doc(store, "Restating Co", first, "FY2024.pdf", "c" * 64)
    _doc(store, "Restating Co", later, "FY2025.pdf", "d" * 64)
    facts = load_snapshot(store, "Restating Co").facts
    revenue = facts.get("revenue", FY24)
    assert (revenue.value, revenue.restated, revenue.previous, revenue.document) == (D("110"), True, D("100"), "FY2025.pdf")
    profit = facts.get("net_profit", FY24)
    assert (profit.restated, profit.previous) == (False, None)
    with store.session() as s:
        client = repo.get_client(s, "Restating Co")
        (alert,) = repo.list_alerts(s, client.id)
        assert alert.rule == "restatement" and "revenue 100 → 110" in alert.message and alert.period == "2024"
        actions = [a for (a,) in s.execute(text("SELECT action FROM ledger ORDER BY seq"))]
        assert actions.count("alert.raise") == 1
        assert alert.evidence[0] | {"document": "FY2025.pdf", "key": "revenue", "value": "110", "previous": "100",
                                    "previous_document": "FY2024.pdf"} == alert.evidence[0]


def test_correction_is_used_and_the_extracted_value_kept(store):
    q3 = quarter_span(2026, 3)
    result = statement_result("Corrected Co", [
        income([q3], {"revenue": ["1000"]}), balance([q3.end], {"total_assets": ["5000"]})])
    _doc(store, "Corrected Co", result, "q3.pdf", "e" * 64)
    with store.transaction() as s:
        client = repo.get_client(s, "Corrected Co")
        row = repo.set_figure(s, client, "2026Q3", "revenue", D("1200.50"), reason="page 2 misread", by="li.na")
        assert (row.old_value, row.new_value) == (D("1000"), D("1200.5"))
        repo.set_figure(s, client, "2026-09-30", "total_assets", D("5100"), reason="audited figure", by="li.na")
        repo.set_figure(s, client, "2026Q3", "net_profit", D("80"), reason="missing on the page", by="li.na")
    snap = load_snapshot(store, "Corrected Co")  # pending: shown on the fact, the extracted value still decides
    revenue = snap.facts.get("revenue", q3)
    assert (revenue.value, revenue.source, [p.value for p in revenue.pending]) == (D("1000"), "extracted", [D("1200.5")])
    assert snap.facts.get("net_profit", q3) is None and len(snap.pending_corrections) == 3
    assert "pending correction to 1,200.5 by li.na, not yet confirmed" == revenue.pending[0].note
    confirm_corrections(store)
    facts = load_snapshot(store, "Corrected Co").facts
    revenue = facts.get("revenue", q3)
    assert (revenue.value, revenue.original, revenue.source, revenue.document) == (D("1200.5"), D("1000"), "corrected", "q3.pdf")
    assert facts.value("total_assets", Span(q3.end)) == D("5100")
    added = facts.get("net_profit", q3)
    assert (added.value, added.original, added.source) == (D("80"), None, "corrected")
    assert (revenue.corrected_by, revenue.confirmed_by, revenue.pending) == ("li.na", "checker_t", ())
    with store.transaction() as s:  # a second correction records the confirmed first as its old value
        row = repo.set_figure(s, repo.get_client(s, "Corrected Co"), "2026Q3", "revenue", D("1201"), reason="typo", by="wang")
        assert row.old_value == D("1200.5")
    revenue = load_snapshot(store, "Corrected Co").facts.get("revenue", q3)
    assert (revenue.original, revenue.value, [p.value for p in revenue.pending]) == (D("1000"), D("1200.5"), [D("1201")])


def test_correction_needs_a_reason_a_known_key_and_a_readable_period(store):
    with store.transaction() as s:
        client = repo.add_client(s, "Strict Co")
    for period, key, reason, match in [("2026Q3", "revenue", " ", "reason"), ("2026Q3", "revenu", "x", "not a figure key"),
                                       ("Q3 of 2026", "revenue", "x", "cannot read the period")]:
        with pytest.raises(ConfigError, match=match), store.transaction() as s:
            repo.set_figure(s, client, period, key, D(1), reason=reason, by="x")


def test_snapshot_derives_single_quarters_from_ytd_after_corrections(store):
    h1, ytd9 = Span(dt.date(2026, 6, 30), dt.date(2026, 1, 1)), Span(dt.date(2026, 9, 30), dt.date(2026, 1, 1))
    _doc(store, "YTD Co", statement_result("YTD Co", [income([h1], {"revenue": ["400"]})]), "h1.pdf", "f" * 64)
    _doc(store, "YTD Co", statement_result("YTD Co", [income([ytd9], {"revenue": ["650"]})]), "9m.pdf", "1" * 64)
    q3 = load_snapshot(store, "YTD Co").facts.get("revenue", quarter_span(2026, 3))
    assert (q3.value, q3.source) == (D("250"), "derived") and [i.value for i in q3.inputs] == [D("650"), D("400")]
    with store.transaction() as s:
        repo.set_figure(s, repo.get_client(s, "YTD Co"), "2026H1", "revenue", D("420"), reason="restated by auditor", by="x")
    assert load_snapshot(store, "YTD Co").facts.value("revenue", quarter_span(2026, 3)) == D("250")  # pending: not used
    confirm_corrections(store)
    assert load_snapshot(store, "YTD Co").facts.value("revenue", quarter_span(2026, 3)) == D("230")


def test_notes_alerts_memos_and_covenant_results(store):
    with store.transaction() as s:
        client = repo.add_client(s, "Toll Road Co")
        fac = repo.upsert_facility(s, client, Facility(name="loan", amount=D("1e8"),
                                                       covenants=[Covenant("current_ratio", ">=", D("1.2"))]))
        note = InspectionNote(visit_date=dt.date(2026, 10, 8), inspector="张伟", progress_actual=D("62.5"),
                              progress_planned=D("75"), operating_status="reduced", problems=["二标段停工"], text="现场检查 …")
        repo.store_document(s, client, sha256="2" * 64, kind="inspection", name="visit.txt",
                            stored_path="documents/x.txt", note=note)
        repo.add_alert(s, client.id, "2026Q3", "covenant_breach", "high", "current ratio 1.05 < 1.20",
                       [{"document": "q3.pdf", "page": 2}])
        again = repo.add_alert(s, client.id, "2026Q3", "covenant_breach", "high", "current ratio 1.05 < 1.20")
        m1 = repo.add_memo(s, client.id, "2026Q3", "# draft 1")
        m2 = repo.add_memo(s, client.id, "2026Q3", "# draft 2", by="li.na")
        cov_id = fac.covenants[0].id
        r1 = repo.record_covenant_result(s, cov_id, "2026Q3", value=D("1.05"), status="breach", headroom=D("-0.15"))
        r2 = repo.record_covenant_result(s, cov_id, "2026Q3", value=D("1.05"), status="breach", headroom=D("-0.15"))
    assert (m1.version, m2.version) == (1, 2) and r1.id == r2.id and again.evidence == [{"document": "q3.pdf", "page": 2}]
    snap = load_snapshot(store, "Toll Road Co")
    (n,) = snap.notes
    assert (n.inspector, n.progress_actual, n.problems, n.document) == ("张伟", D("62.5"), ["二标段停工"], "visit.txt")
    with store.session() as s:
        (alert,) = repo.list_alerts(s)
        assert alert.evidence == [{"document": "q3.pdf", "page": 2}] and alert.severity == "high"


# ---------------------------------------------------------------- portfolio files and the CLI

def test_portfolio_file_is_validated_before_anything_is_stored(store, tmp_path):
    from assistant.portfolio_io import import_portfolio

    bad = tmp_path / "bad.yaml"
    for body, match in [
        ("clients:\n  - name: A\n    facilities:\n      - {name: f, amount: 1.1}\n", "quoted string"),
        ("clients:\n  - name: A\n    colour: red\n", "colour"),
        ("facilities:\n  - {client: Nobody, name: f, amount: '1'}\n", "no client named 'Nobody'"),
        ("clients: [\n", "not valid"),
    ]:
        bad.write_text(body, encoding="utf-8")
        with pytest.raises((ConfigError, NotFoundError), match=match):
            import_portfolio(store, bad)
    with store.session() as s:
        assert repo.list_clients(s) == []  # nothing half-imported
    good = tmp_path / "book.json"
    good.write_text('{"clients": [{"name": "Hospital PPP Co", "industry": "health"}],'
                    ' "facilities": [{"client": "hospital ppp", "name": "capex loan", "amount": "250000000",'
                    ' "covenants": [{"metric": "dscr", "operator": ">=", "threshold": "1.25", "frequency": "annual"}]}]}',
                    encoding="utf-8")
    report = import_portfolio(store, good)
    assert report.clients_added == ["Hospital PPP Co"] and report.facilities == ["Hospital PPP Co / capex loan"]
    again = import_portfolio(store, good)
    assert again.clients_updated == ["Hospital PPP Co"]
    (f,) = load_snapshot(store, "Hospital PPP Co").facilities
    assert f.covenants[0].threshold == D("1.25") and f.covenants[0].frequency == "annual"


def _cli(home, *args):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    env["LOANWATCH_HOME"] = str(home)
    env["LOANWATCH_PASSWORD"] = PASSWORD
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=Path(__file__).resolve().parents[1],
                          env=env, capture_output=True, text=True, timeout=120)


def subprocess_input(home, *args):
    """``_cli`` with the password (PASSWORD) on standard input, for ``--password-stdin``."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    env["LOANWATCH_HOME"] = str(home)
    env["LOANWATCH_PASSWORD"] = PASSWORD
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], cwd=Path(__file__).resolve().parents[1], env=env,
                          input=PASSWORD + "\n", capture_output=True, text=True, timeout=120)


def test_cli_client_commands_and_corrections(tmp_path):
    import json

    home = tmp_path / "home"
    assert _cli(home, "client", "add", "示例新能源股份有限公司", "--alias", "示例新能源", "--industry", "solar",
                "--officer", "zhang.wei").returncode == 0
    dup = _cli(home, "client", "add", "示例新能源股份有限公司")
    assert dup.returncode == 1 and dup.stderr.startswith("loanwatch: client '示例新能源股份有限公司' already exists")
    listed = json.loads(_cli(home, "client", "list", "--json").stdout)
    assert listed == [{"id": 1, "name": "示例新能源股份有限公司", "aliases": ["示例新能源"], "industry": "solar",
                       "officer": "zhang.wei"}]
    missing = _cli(home, "client", "show", "Nobody")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no client named 'Nobody'" in missing.stderr
    setup = _cli(home, "figures", "set", "示例新能源", "2026Q3", "net_profit", "1", "--reason", "r")
    assert setup.returncode == 1 and "correct figures needs the acting user: pass --as USER" in setup.stderr
    assert _cli(home, "user", "add", "li", "--role", "officer", "--password-stdin").returncode == 1  # the first user is an admin
    from assistant import access
    from assistant.store.db import open_store

    with open_store(f"sqlite:///{home}/loanwatch.db").transaction() as s:
        access.add_user(s, "admin_t", "admin", PASSWORD)
    stranger = _cli(home, "figures", "set", "示例新能源", "2026Q3", "net_profit", "1", "--reason", "r", "--as", "li")
    assert stranger.returncode == 1 and stranger.stderr == "loanwatch: unknown user or wrong password for 'li' — " \
        "check the name (`loanwatch user list`) and LOANWATCH_PASSWORD\n"
    added = subprocess_input(home, "user", "add", "li", "--role", "officer", "--password-stdin", "--clients", "示例新能源",
                             "--as", "admin_t")
    assert added.returncode == 0, added.stderr
    ok = _cli(home, "figures", "set", "示例新能源", "2026Q3", "net_profit", "-1,250.75", "--reason", "sign lost", "--by", "li")
    assert ok.returncode == 0 and ok.stdout.startswith("C1 示例新能源股份有限公司 net_profit 2026Q3: none → -1250.75 (by li: sign lost); "
                                                       "pending until another user (reviewer or admin) confirms it")
    bad = _cli(home, "figures", "set", "示例新能源", "2026Q3", "net_profit", "12x", "--reason", "r", "--as", "li")
    assert bad.returncode == 1 and "'12x' is not a number" in bad.stderr
    usage = _cli(home, "figures", "set", "示例新能源", "2026Q3", "net_profit", "1")
    assert usage.returncode == 2  # --reason is required
    assert _cli(home, "audit", "verify").returncode == 0


def test_bulk_snapshots_equal_one_by_one_and_keep_the_statement_currency(store):
    from assistant.store import load_snapshots

    h1, ytd9 = Span(dt.date(2026, 6, 30), dt.date(2026, 1, 1)), Span(dt.date(2026, 9, 30), dt.date(2026, 1, 1))
    _doc(store, "Restating Co", statement_result("Restating Co", [income([FY24], {"revenue": ["100"]})]), "FY2024.pdf", "c" * 64)
    _doc(store, "Restating Co", statement_result("Restating Co", [income([FY25, FY24], {"revenue": ["130", "110"]})]),
         "FY2025.pdf", "d" * 64)
    _doc(store, "Parent Only Co", statement_result("Parent Only Co", [income([FY25], {"revenue": ["70"]}, scope="parent")]),
         "fy.pdf", "b" * 64)
    usd = income([h1], {"revenue": ["400"]}).model_copy(update={"currency": "USD"})
    usd9 = income([ytd9], {"revenue": ["650"]}).model_copy(update={"currency": "USD"})
    _doc(store, "Dollar Co", statement_result("Dollar Co", [usd]), "h1.pdf", "f" * 64)
    _doc(store, "Dollar Co", statement_result("Dollar Co", [usd9]), "9m.pdf", "1" * 64)
    with store.transaction() as s:
        dollar = repo.get_client(s, "Dollar Co")
        repo.set_figure(s, dollar, "2026H1", "revenue", D("420"), reason="restated by auditor", by="x")
        repo.upsert_facility(s, dollar, Facility(name="loan", amount=D("1e8"), currency="USD",
                                                 covenants=[Covenant("current_ratio", ">=", D("1.2"))]))
        repo.store_document(s, dollar, sha256="2" * 64, kind="inspection", name="visit.txt", stored_path="documents/x.txt",
                            note=InspectionNote(visit_date=dt.date(2026, 10, 8), inspector="张伟", text="现场检查"))
        repo.add_client(s, "Empty Co")
        ids = [c.id for c in repo.list_clients(s)]
    confirm_corrections(store)
    with store.transaction() as s:
        repo.set_figure(s, repo.get_client(s, "Dollar Co"), "2026Q3", "revenue", D("240"), reason="still pending", by="x")
    day = dt.date(2026, 11, 15)
    bulk = load_snapshots(store, ids, as_of=day)
    assert list(bulk) == ids and len(ids) == 4
    assert bulk == {cid: load_snapshot(store, cid, as_of=day) for cid in ids}
    dollar = next(snap for snap in bulk.values() if snap.client.name == "Dollar Co")
    assert len(dollar.facilities[0].covenants) == 1 and len(dollar.notes) == 1 and len(dollar.documents) == 3
    q3 = dollar.facts.get("revenue", quarter_span(2026, 3))
    assert (q3.value, q3.source, q3.currency) == (D("230"), "derived", "USD")  # 650 − the corrected 420, in USD
    assert [p.value for p in q3.pending] == [D("240")]  # a pending correction of a derived quarter shows on it, unused
    assert dollar.facts.get("revenue", ytd9).currency == "USD"
    restating = next(snap for snap in bulk.values() if snap.client.name == "Restating Co")
    assert {f.currency for f in restating.facts} == {"CNY"}
    with pytest.raises(NotFoundError):
        load_snapshots(store, [max(ids) + 1])
