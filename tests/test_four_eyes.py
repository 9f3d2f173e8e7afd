"""Four eyes that hold: one officer alone cannot cure a breach; an officer and a different reviewer can.

The scenario runs the real command line (``assistant.cli.main``) against one home:
``officer_x`` ingests a clean quarterly report whose debt-to-assets ratio breaches the
covenant, and a second report with a planted error (flagged for review). Alone, the officer
tries every path (a correction, a classification decision, a grade override, confirming
their own upload, another user's name, the deprecated ``--by``): each fails with one line,
and the covenant stays in breach. The same work with ``reviewer_y`` confirming succeeds, and
the ledger shows each step with its actor.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant import access, ledger
from assistant.domain import Covenant, Facility, Span
from assistant.store import close_stores, load_snapshot, open_store, repo
from assistant.store.schema import LedgerRow

END = dt.date(2026, 9, 30)
EARLIER = dt.date(2026, 6, 30)
COMPANY = "示例能源股份有限公司"
PASSWORDS = {"officer_x": "officer-x-password", "reviewer_y": "reviewer-y-password", "admin_z": "admin-z-password",
             "officer_w": "officer-w-password"}


@pytest.fixture()
def store(home):
    st = open_store()
    with st.transaction() as s:
        repo.add_client(s, COMPANY, aliases=["示例能源"], officer="officer_x")
        repo.add_client(s, "清源水务有限公司", aliases=["清源水务"])
        access.add_user(s, "officer_x", "officer", PASSWORDS["officer_x"], clients=[COMPANY])
        access.add_user(s, "officer_w", "officer", PASSWORDS["officer_w"], clients=["清源水务"])
        access.add_user(s, "reviewer_y", "reviewer", PASSWORDS["reviewer_y"])
        access.add_user(s, "admin_z", "admin", PASSWORDS["admin_z"])
    yield st
    close_stores()


def _report(path: Path, end: dt.date, *, planted: bool = False, company: str = COMPANY) -> Path:
    from assistant.demo import StatementSpec, render_pdf

    spec = StatementSpec(company=company, period_end=end, layout="listed_notes", seed=3)
    spec.make_figures()
    if planted:
        spec.figures[("consolidated", "balance_sheet")][0]["total_assets"] += Decimal(1_000_000)
    render_pdf(spec, path, cover=["证券代码：600999    证券简称：示例能源", f"{company} {end.year}年报告"])
    return path


class Cli:
    """The real entry point in this process, as a given user (their password in LOANWATCH_PASSWORD)."""

    def __init__(self, monkeypatch, capsys) -> None:  # noqa: ANN001
        self.monkeypatch, self.capsys = monkeypatch, capsys

    def __call__(self, *args: str, user: str | None = None, password: str | None = None) -> tuple[int, str, str]:
        from assistant.cli import main

        self.capsys.readouterr()
        if user is not None or password is not None:
            self.monkeypatch.setenv("LOANWATCH_PASSWORD", password or PASSWORDS[user])
            args = (*args, "--as", user) if user is not None else args
        else:
            self.monkeypatch.delenv("LOANWATCH_PASSWORD", raising=False)
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = self.capsys.readouterr()
        return code, out.out, out.err


@pytest.fixture()
def cli(monkeypatch, capsys) -> Cli:
    return Cli(monkeypatch, capsys)


def _refused(result: tuple[int, str, str], *needles: str) -> None:
    code, _, err = result
    assert code == 1, err
    assert err.startswith("loanwatch: ") and err.count("\n") == 1, err
    for needle in needles:
        assert needle in err, err


def _ok(result: tuple[int, str, str]) -> str:
    code, out, err = result
    assert code == 0, err
    return out


def _ledger(store, *, logins: bool = False) -> list[tuple[str, str, str]]:  # noqa: ANN001
    """(action, actor, entity) of every ledger entry; the login records (one per password check) only with ``logins``."""
    with store.session() as s:
        return [(r.action, r.actor, r.entity) for r in s.execute(select(LedgerRow).order_by(LedgerRow.seq)).scalars()
                if logins or r.entity != "login"]


def _status(cli: Cli) -> dict:
    return json.loads(_ok(cli("status", COMPANY, "--json", "--period", "2026Q3")))


def _breaching_client(store, cli: Cli, tmp_path: Path) -> Decimal:  # noqa: ANN001
    """officer_x ingests the clean Q3 report and the planted Q2 one; the covenant sits just below the Q3 ratio."""
    out = _ok(cli("ingest", str(_report(tmp_path / "q3.pdf", END)), "--client", "示例能源", "--no-index", user="officer_x"))
    assert "stored" in out
    out = _ok(cli("ingest", str(_report(tmp_path / "q2.pdf", EARLIER, planted=True)), "--client", "示例能源", "--no-index",
                  user="officer_x"))
    assert "FLAGGED FOR REVIEW" in out
    facts = load_snapshot(store, COMPANY).facts
    assets, debt = facts.value("total_assets", Span(END)), facts.value("total_liabilities", Span(END))
    threshold = (debt / assets - Decimal("0.02")).quantize(Decimal("0.01"))
    with store.transaction() as s:  # the facility register (facility import needs a reviewer: see below)
        repo.upsert_facility(s, repo.get_client(s, COMPANY), Facility(
            name="流贷", amount=Decimal(10_000_000), covenants=[Covenant("debt_to_assets", "<=", threshold)]), actor="reviewer_y")
    assert [c["status"] for c in _status(cli)["covenants"]] == ["breach"]
    return (assets * (threshold - Decimal("0.05"))).quantize(Decimal(1))  # a total liabilities that would pass


def test_one_officer_alone_cannot_cure_a_breach_and_two_people_can(store, cli, tmp_path):
    cured_debt = _breaching_client(store, cli, tmp_path)
    suggested = _status(cli)
    before = len(_ledger(store))

    # ---- alone: every path refused, the breach stands
    made = _ok(cli("figures", "set", COMPANY, "2026-09-30", "total_liabilities", str(cured_debt), "--reason",
                   "per the management accounts", user="officer_x"))
    assert made.startswith("C1 ") and "pending until another user (reviewer or admin) confirms it" in made
    st = _status(cli)
    assert [c["status"] for c in st["covenants"]] == ["breach"]  # the pending correction decides nothing
    pending = st["figures"]["total_liabilities"]["pending"]
    assert [(p["correction"], p["by"], p["status"]) for p in pending] == [(1, "officer_x", "pending")]
    assert pending[0]["note"].startswith("pending correction to ") and pending[0]["note"].endswith("by officer_x, not yet confirmed")
    assert st["review"]["pending_count"] == 1 and st["figures"]["total_liabilities"]["value"] != int(cured_debt)
    _refused(cli("figures", "confirm", "C1", user="officer_x"),
             "officer_x (officer) may not confirm or reject corrections: only reviewer or admin")
    _refused(cli("figures", "confirm", "C1", "--by", "officer_x", password=PASSWORDS["officer_x"]),
             "may not confirm or reject corrections")  # the deprecated --by: the same check
    _refused(cli("figures", "confirm", "C1", user="reviewer_y", password=PASSWORDS["officer_x"]),
             "unknown user or wrong password for 'reviewer_y'")
    _refused(cli("figures", "confirm", "C1"), "needs the acting user: pass --as USER")
    _refused(cli("figures", "confirm", "C1", user="nobody", password="whatever-1"), "unknown user or wrong password for 'nobody'")

    decided = _ok(cli("classification", "decide", COMPANY, "正常", "--period", "2026Q3", "--reason", "breach is technical",
                      user="officer_x"))
    assert decided.startswith("K1 ") and f"(suggested {suggested['classification']})" in decided
    _refused(cli("classification", "confirm", "K1", user="officer_x"), "may not confirm or reject decisions")
    _ok(cli("grade", "decide", COMPANY, "A", "--period", "2026Q3", "--reason", "strong sponsor", user="officer_x"))
    _refused(cli("grade", "confirm", "K2", user="officer_x"), "may not confirm or reject decisions")

    flagged = json.loads(_ok(cli("review", "list", "--json")))
    (doc,) = {f["document_id"] for f in flagged}
    _refused(cli("review", "confirm", f"D{doc}", "--reason", "mine", user="officer_x"),
             "was ingested by officer_x: a second person must confirm it")
    _refused(cli("facility", "import", str(tmp_path / "any.yaml"), user="officer_x"),
             "officer_x (officer) may not import facilities and covenants")

    st = _status(cli)
    assert [c["status"] for c in st["covenants"]] == ["breach"]
    assert st["classification"] == suggested["classification"] and st["grade"] == suggested["grade"]
    decisions = st["decisions"]
    assert decisions["classification"]["value"] is None and decisions["classification"]["pending"][0]["by"] == "officer_x"
    assert decisions["grade"]["pending"][0]["value"] == "A"
    # the refused attempts changed nothing: besides the login records (each password check is one,
    # successful or not), only the maker's three pending changes were recorded
    assert ("login.fail", "nobody", "login") in _ledger(store, logins=True)
    assert [(a, who) for a, who, _ in _ledger(store)[before:]] == [
        ("figure.correct", "officer_x"), ("classification.decide", "officer_x"), ("grade.decide", "officer_x")]

    # ---- a maker cannot confirm their own change even as a reviewer: the checker is always a second person
    _ok(cli("figures", "set", COMPANY, "2026-09-30", "total_assets", "1", "--reason", "test", user="reviewer_y"))
    _refused(cli("figures", "confirm", "C2", user="reviewer_y"), "was made by reviewer_y: a second person must confirm it")
    _ok(cli("figures", "reject", "C2", "--reason", "typed in the wrong field", user="admin_z"))
    assert cli("figures", "reject", "C1", user="reviewer_y")[0] == 2  # --reason is required: a usage error
    # ---- with a different reviewer: every step succeeds
    assert "confirmed by reviewer_y" in _ok(cli("figures", "confirm", "C1", "--reason", "agreed to the signed accounts",
                                                user="reviewer_y"))
    _refused(cli("figures", "confirm", "C1", user="admin_z"), "already confirmed by reviewer_y")
    _ok(cli("classification", "confirm", "K1", "--reason", "agreed", user="reviewer_y"))
    _ok(cli("grade", "reject", "K2", "--reason", "the scorecard stands", user="reviewer_y"))
    _ok(cli("review", "confirm", f"D{doc}", "--reason", "identity difference checked on p.2", user="reviewer_y"))

    st = _status(cli)
    assert [c["status"] for c in st["covenants"]] == ["pass"]
    liabilities = st["figures"]["total_liabilities"]
    assert (liabilities["value"], liabilities["corrected_by"], liabilities["confirmed_by"]) == (int(cured_debt), "officer_x", "reviewer_y")
    assert "pending" not in liabilities and st["review"]["pending_count"] == 0
    assert st["figures"]["total_assets"]["value"] != 1  # the rejected correction never counted
    cls = st["decisions"]["classification"]
    assert (cls["value"], cls["by"], cls["confirmed_by"], cls["pending"]) == ("正常", "officer_x", "reviewer_y", [])
    assert "grade" not in st["decisions"]  # rejected: the suggested grade stands, no decision
    assert st["classification_detail"]["suggestion"] is True  # the suggestion stays beside the decision

    steps = [(a, who) for a, who, _ in _ledger(store)[before:]]
    assert steps == [
        ("figure.correct", "officer_x"), ("classification.decide", "officer_x"), ("grade.decide", "officer_x"),
        ("figure.correct", "reviewer_y"), ("figure.reject", "admin_z"),
        ("figure.confirm", "reviewer_y"), ("decision.confirm", "reviewer_y"), ("decision.reject", "reviewer_y"),
        ("statement.confirm", "reviewer_y"),
    ]
    with store.session() as s:
        assert ledger.verify(s) == []


def test_pending_corrections_are_listed_and_shown_in_answers_and_memos(store, cli, tmp_path):
    from assistant.chat.service import ask
    from assistant.memo import workflow

    _breaching_client(store, cli, tmp_path)
    _ok(cli("figures", "set", COMPANY, "2026Q3", "revenue", "123456789", "--reason", "p.3 misread", user="officer_x"))
    listed = json.loads(_ok(cli("figures", "pending", "--json")))
    assert [(c["ref"], c["what"], c["new"], c["by"], c["status"]) for c in listed] == [
        ("C1", "revenue 2026Q3", "123456789", "officer_x", "pending")]
    assert "C1     示例能源股份有限公司  revenue 2026Q3" in _ok(cli("figures", "pending"))
    text = " ".join(_ok(cli("status", COMPANY, "--period", "2026Q3")).split())  # rich wraps lines at the console width
    assert "PENDING CORRECTIONS" in text and "pending correction to 123,456,789 by officer_x, not yet confirmed" in text
    answer = ask(f"{COMPANY}2026年第三季度营业收入是多少", store=store)
    assert answer.value != Decimal(123456789) and "officer_x提交的更正（改为123,456,789），待复核确认，尚未采用" in answer.answer
    memo = workflow.draft_memo(store, COMPANY, "2026Q3", lang="en", by="officer_x", as_of=dt.date(2026, 10, 25))
    assert "pending correction to" in memo.markdown and "by officer_x, not yet confirmed" in memo.markdown
    path = tmp_path / "memo.md"
    path.write_text(memo.markdown, encoding="utf-8")
    report = workflow.verify_file(path, as_of=dt.date(2026, 10, 25))
    assert report.ok, report.summary()  # the pending value is stated as pending, and allowed as such


def test_read_commands_write_nothing(store, cli, tmp_path):
    _breaching_client(store, cli, tmp_path)
    before = _ledger(store)
    for args in (("status", COMPANY), ("status", COMPANY, "--json"), ("alerts",), ("alerts", "--json"), ("client", "list"),
                 ("client", "show", COMPANY), ("review", "list"), ("figures", "pending"), ("classification", "pending"),
                 ("audit", "verify"), ("audit", "head"), ("ask", f"{COMPANY}2026年9月30日的资产总计是多少"),
                 ("user", "list")):
        _ok(cli(*args))
    assert _ledger(store) == before
    _refused(cli("status", COMPANY, "--record"), "needs the acting user")
    _refused(cli("client", "add", "新客户有限公司"), "add clients needs the acting user: pass --as USER")  # the home has users
    _refused(cli("client", "add", "新客户有限公司", user="officer_x", password="wrong-password"), "unknown user or wrong password")
    assert _ledger(store) == before
    _ok(cli("status", COMPANY, "--record", user="officer_x"))  # recording is asked for, by a named user
    _ok(cli("client", "add", "新客户有限公司", user="officer_x"))
    assert {who for _, who, _ in _ledger(store)[len(before):]} == {"officer_x"}


# ---------------------------------------------------------------- the upload guard


def test_a_statement_of_another_company_is_refused_unless_an_admin_overrides(store, cli, tmp_path):
    other = _report(tmp_path / "other.pdf", END)
    code, out, _ = cli("ingest", str(other), "--client", "清源水务", "--no-index", user="officer_w")
    assert code == 1 and "FAILED     other.pdf: the statements are issued by 示例能源股份有限公司, not by the client 清源水务有限公司" in out
    assert "--issuer-override" in out
    _refused(cli("ingest", str(other), "--client", "清源水务", "--no-index", "--issuer-override", "group guarantee",
                 user="officer_w"), "officer_w (officer) may not override the issuer check")
    _refused(cli("ingest", str(other), "--client", COMPANY, "--no-index", user="officer_w"),
             "no client '示例能源股份有限公司' among the clients assigned to officer_w")
    _refused(cli("ingest", str(other), "--no-index", user="officer_w"), "officer_w (officer) must name the client")
    before = len(_ledger(store))
    out = _ok(cli("ingest", str(other), "--client", "清源水务", "--no-index", "--issuer-override",
                  "the guarantor's statements, filed with the borrower", user="admin_z"))
    assert "stored     other.pdf → 清源水务有限公司" in out and "stored by admin_z's override" in out
    steps = [(a, who) for a, who, _ in _ledger(store)[before:]]
    assert steps[0] == ("document.ingest", "admin_z") and ("document.issuer_override", "admin_z") in steps
    docs = load_snapshot(store, "清源水务").documents
    assert any("issuer 示例能源股份有限公司 is not the client 清源水务有限公司" in w for d in docs for w in d.warnings)


def test_the_issuer_check_matches_names_and_aliases_after_normalisation(store):
    from assistant.ingest import issuer_matches

    with store.session() as s:
        client = repo.get_client(s, COMPANY)
        assert issuer_matches(s, client, "示例能源股份有限公司")
        assert issuer_matches(s, client, "示例能源有限公司")  # the legal form differs
        assert issuer_matches(s, client, "Something Else Ltd", ["示例能源"])  # its printed short name is the alias
        assert not issuer_matches(s, client, "贵州茅台酒股份有限公司")
        assert not issuer_matches(s, client, "清源水务有限公司")


def test_a_statement_without_an_issuer_name_is_stored_with_a_warning(store, tmp_path):
    from assistant.ingest import Prepared, _check_issuer
    from extractors.models import ExtractionResult

    p = Prepared(path=str(tmp_path / "anon.pdf"), sha256="0" * 64, size=1, kind="statement",
                 extraction=ExtractionResult.model_construct(statements=[], warnings=[], company=None))
    with store.session() as s:
        assert _check_issuer(s, repo.get_client(s, COMPANY), p, COMPANY, None, "officer_x") is None
    assert p.warnings == [f"no issuer name found in anon.pdf: not checked against the client {COMPANY}"]


@pytest.mark.real_data
def test_a_real_report_uploaded_to_the_wrong_client_is_refused(store, cli, shared_data):
    pdf = shared_data / "real" / "平安银行2023年半年度报告摘要.pdf"
    code, out, err = cli("ingest", str(pdf), "--client", "清源水务", "--no-index", user="admin_z")
    assert code == 1, err
    assert "the report is issued by 平安银行股份有限公司, not by the client 清源水务有限公司" in out  # no statement read: a report
    with store.session() as s:
        assert not repo.find_document(s, __import__("hashlib").sha256(pdf.read_bytes()).hexdigest())
