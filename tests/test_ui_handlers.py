"""The app's handlers as plain functions over a real store: what each page shows, and who may see it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from assistant.access import get_user
from assistant.errors import AccessDeniedError
from assistant.memo.versions import MemoStageError
from assistant.memo.workflow import SelfApprovalError
from assistant.store import load_snapshot, open_store
from tests.ui_support import CLIENT_A, CLIENT_B, make_ui_home, using_home
from ui import handlers as H
from ui import work as W


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    path = tmp_path_factory.mktemp("ui_handlers") / "home"
    built = make_ui_home(path)
    with using_home(path):
        store = open_store()
        yield store, built
    from assistant.store import close_stores

    close_stores()


def test_the_home_is_judged_on_the_sessions_fixed_day_not_the_calendar(ui):
    """Regression: the fixture's dates followed the real clock (a client became "22 days overdue" after 2026-11-14)."""
    from assistant.status import client_status
    from tests.clock import TODAY
    from tests.ui_support import RECEIVED

    store, _ = ui
    status = client_status(store, CLIENT_B)
    assert status["as_of"] == TODAY.isoformat() and status["period"] == "2026H1"
    assert "statements_late" not in {a["rule"] for a in status["alerts"]}  # 2026Q2 on time, 2026Q3 not yet due
    with store.session() as s:
        from assistant.store.schema import DocumentRow

        assert {d.received for d in s.query(DocumentRow)} >= {RECEIVED}
    later = client_status(store, CLIENT_B, as_of=dt.date(2026, 12, 6))  # what the calendar used to decide
    (late,) = [a for a in later["alerts"] if a["rule"] == "statements_late"]
    assert "2026-09-30" in late["message_en"] and "22 days overdue" in late["message_en"]


def _users(store):
    return get_user(store, "officer_a"), get_user(store, "officer_b"), get_user(store, "reviewer")


def test_portfolio_shows_each_officer_only_their_clients_and_flags_the_breach(ui):
    from assistant.analytics.ratios import compute_ratio
    from assistant.chat.portfolio import latest_span

    store, _ = ui
    a, b, rev = _users(store)
    assert [r.name for r in H.portfolio(store, a)] == [CLIENT_A]
    assert [r.name for r in H.portfolio(store, b)] == [CLIENT_B]
    rows = H.portfolio(store, rev)
    assert {r.name for r in rows} == {CLIENT_A, CLIENT_B}
    snap = load_snapshot(store, CLIENT_B)
    ratio = compute_ratio(snap.facts, latest_span(snap), "debt_to_assets").value
    assert ratio is not None and ratio > 0.60  # the generated balance sheet is leveraged
    (row_b,) = [r for r in rows if r.name == CLIENT_B]
    assert row_b.breaches == 1 and row_b.problem
    assert rows[0].name == CLIENT_B  # problem clients first
    assert H.portfolio(store, rev, query="物流")[0].name == CLIENT_B
    assert H.portfolio(store, rev, query="no such thing") == []


def _other_client_calls(store, b_id: int):
    return {
        "client_profile": lambda u: H.client_profile(store, u, CLIENT_B),
        "figures_table": lambda u: H.figures_table(store, u, "远洋物流"),
        "ratio_series": lambda u: H.ratio_series(store, u, b_id),
        "documents": lambda u: H.documents(store, u, str(b_id)),
        "inspection_notes": lambda u: H.inspection_notes(store, u, CLIENT_B),
        "record_visit": lambda u: H.record_visit(store, u, CLIENT_B, visit_date="2026-10-01", site="", status="normal",
                                                 findings="x"),
        "correct_figure": lambda u: H.correct_figure(store, u, CLIENT_B, "2026-06-30", "cash", "1", "r"),
        "source_page": lambda u: H.source_page(store, u, CLIENT_B, {"document_id": 2, "key": "cash",
                                                                    "end": "2026-06-30", "start": None}),
        "upload": lambda u: list(H.upload(store, u, ["/nonexistent.pdf"], CLIENT_B)),
        "ask_stream": lambda u: list(W.ask_stream(store, u, "资产负债率是多少", CLIENT_B)),
        "citation_page": lambda u: W.citation_page(store, u, "远洋物流2026Q2财务报表.pdf", 1),
        "memo_periods": lambda u: W.memo_periods(store, u, CLIENT_B),
        "memo_draft": lambda u: W.memo_draft(store, u, CLIENT_B, "2026Q2"),
        "memo_versions": lambda u: W.memo_versions(store, u, CLIENT_B, "2026Q2"),
        "memo_save": lambda u: W.memo_save(store, u, CLIENT_B, "2026Q2", "text"),
        "memo_compare": lambda u: W.memo_compare(store, u, CLIENT_B, "2026Q2"),
        "memo_file": lambda u: W.memo_file(store, u, CLIENT_B, "2026Q2", "pdf"),
        "audit_entries": lambda u: W.audit_entries(store, u, CLIENT_B),
    }


@pytest.mark.parametrize("name", list(_other_client_calls(None, 0)))
def test_an_officer_cannot_reach_another_officers_client_through_any_handler(ui, name):
    store, _ = ui
    a, _, _ = _users(store)
    b_id = load_snapshot(store, CLIENT_B).client.id
    with pytest.raises(AccessDeniedError):
        _other_client_calls(store, b_id)[name](a)


def test_whole_portfolio_questions_never_answer_from_another_officers_client(ui):
    store, _ = ui
    a, _, rev = _users(store)
    b_assets = load_snapshot(store, CLIENT_B).facts.value("total_assets", _point(store, CLIENT_B))
    printed = _printed(b_assets)
    final = list(W.ask_stream(store, a, "远洋物流2026年6月30日的资产总计是多少？"))[-1]
    assert printed not in final.text and not any("远洋物流" in c["document"] for c in final.citations)
    seen_by_reviewer = list(W.ask_stream(store, rev, "远洋物流2026年6月30日的资产总计是多少？"))[-1]
    assert printed in seen_by_reviewer.text  # the same question does reach the data for someone who may see it


def test_answer_streams_and_cites_the_page(ui):
    store, _ = ui
    a, _, _ = _users(store)
    turns = list(W.ask_stream(store, a, "示例新能源2026年6月30日的资产总计是多少？", CLIENT_A))
    assert len(turns) > 3 and turns[0].text == "" and turns[-1].done
    assert all(turns[i].text == turns[-1].text[:len(turns[i].text)] for i in range(len(turns)))  # grows by prefix
    assets = load_snapshot(store, CLIENT_A).facts.value("total_assets", _point(store, CLIENT_A))
    assert _printed(assets) in turns[-1].text
    (cite,) = [c for c in turns[-1].citations if "资产总计" in c["quote"]]
    image, caption = W.citation_page(store, a, cite["document"], cite["page"], cite["quote"])
    assert image is not None and cite["document"] in caption
    assert _has_highlight(image)


def test_figures_table_matches_the_snapshot_and_each_cell_opens_its_page(ui):
    store, _ = ui
    a, _, _ = _users(store)
    headers, rows, refs = H.figures_table(store, a, CLIENT_A, "zh")
    snap = load_snapshot(store, CLIENT_A)
    assert headers[1] == "2026Q2"
    (assets_row,) = [i for i, r in enumerate(rows) if r[0] == "资产总计"]
    ref = refs[assets_row][1]
    assert rows[assets_row][1] == f"{snap.facts.value('total_assets', _point(store, CLIENT_A)):,.2f}"
    image, caption = H.source_page(store, a, CLIENT_A, ref)
    assert image is not None and "示例新能源2026Q2财务报表.pdf" in caption and "资产总计" in caption
    assert _has_highlight(image)
    series = H.ratio_series(store, a, CLIENT_A)
    assert series["debt_to_assets"]["threshold"] == Decimal("0.70") and series["debt_to_assets"]["periods"]


def test_upload_parses_on_arrival_and_the_review_shows_what_the_extractor_read(ui):
    from extractors.pipeline import extract_file

    store, built = ui
    a, _, _ = _users(store)
    before = len(H.documents(store, a, CLIENT_A))
    steps = list(H.upload(store, a, [str(built.upload_file)], CLIENT_A))
    text, ids = steps[-1]
    assert "stored" in steps[0][0] and steps[0][1] == ids and len(ids) == 1  # reviewable before indexing ends
    assert "1/1 document(s) indexed" in text
    assert len(H.documents(store, a, CLIENT_A)) == before + 1 and W.audit_verify(store, a)[0]
    rows = H.review_rows(store, a, ids)
    truth = {(it.key, col.period_end.isoformat()): v for st in extract_file(built.upload_file).statements
             if st.kind == "balance_sheet" and st.scope == "consolidated"
             for it in st.items if it.key for col, v in zip(st.columns, it.values) if v is not None}
    shown = {(r[4], r[3]): r[6] for r in rows if r[2] == "balance_sheet"}
    assert truth and all(shown[k] == f"{v:,.2f}" for k, v in truth.items())
    _, b, _ = _users(store)
    assert H.review_rows(store, b, ids) == []  # officer_b cannot review officer_a's upload
    assert "duplicate" in list(H.upload(store, a, [str(built.upload_file)], CLIENT_A))[-1][0]


def test_correction_is_made_by_one_and_confirmed_by_another_in_the_ledger(ui):
    from sqlalchemy import select

    from assistant.store.schema import LedgerRow

    store, _ = ui
    a, b, rev = _users(store)
    extracted = load_snapshot(store, CLIENT_A).facts.get("cash", _point(store, CLIENT_A)).value
    line = H.correct_figure(store, a, CLIENT_A, "2026-06-30", "cash", "1,234,567.89", "bank confirmation letter")
    assert "1234567.89" in line and "pending until a reviewer confirms it" in line
    fact = load_snapshot(store, CLIENT_A).facts.get("cash", _point(store, CLIENT_A))
    assert fact.value == extracted and [p.value for p in fact.pending] == [Decimal("1234567.89")]  # shown, not used
    _, rows, _ = H.figures_table(store, a, CLIENT_A)
    assert any("⏳→1,234,567.89 (officer_a)" in cell for row in rows for cell in row[1:])
    assert "officer_a提交更正为1,234,567.89，待复核确认，尚未生效" in H.client_profile(store, a, CLIENT_A)
    (pending,) = [p for p in H.pending_corrections(store, a) if p[2] == "cash"]
    assert H.pending_corrections(store, b) == []
    with pytest.raises(AccessDeniedError, match="may not confirm or reject corrections"):
        H.confirm(store, a, correction_id=pending[0])  # an officer, and its maker
    with pytest.raises(AccessDeniedError):
        H.confirm(store, b, correction_id=pending[0])
    H.confirm(store, rev, correction_id=pending[0])
    assert load_snapshot(store, CLIENT_A).facts.get("cash", _point(store, CLIENT_A)).value == Decimal("1234567.89")
    assert all(p[0] != pending[0] for p in H.pending_corrections(store, rev))
    H.correct_figure(store, rev, CLIENT_A, "2026-06-30", "cash", "1", "a reviewer's own correction")
    (own,) = [p for p in H.pending_corrections(store, rev) if p[2] == "cash"]
    with pytest.raises(AccessDeniedError, match="a second person must confirm it"):
        H.confirm(store, rev, correction_id=own[0])
    assert "rejected by admin_t: typed in the wrong row" in H.reject_correction(store, W_admin(store), own[0], "typed in the wrong row")
    with store.session() as s:
        actions = [(e.actor, e.action) for e in s.execute(select(LedgerRow).order_by(LedgerRow.seq)).scalars()]
    assert ("officer_a", "figure.correct") in actions and ("reviewer", "figure.confirm") in actions
    assert W.audit_verify(store, rev)[0]


def test_memo_draft_edit_compare_approve_download(ui):
    store, _ = ui
    a, _, rev = _users(store)
    periods = W.memo_periods(store, a, CLIENT_A)
    text, note = W.memo_draft(store, a, CLIENT_A, periods[0])
    assert CLIENT_A in text and "draft" in note
    edited = text + "\n客户经理补充：已与企业财务总监面谈。\n"
    W.memo_save(store, a, CLIENT_A, periods[0], edited)
    assert "+客户经理补充：已与企业财务总监面谈。" in W.memo_compare(store, a, CLIENT_A, periods[0])
    with pytest.raises(AccessDeniedError, match="reviewer"):
        W.memo_save(store, a, CLIENT_A, periods[0], "", stage="approved")
    assert [v[1] for v in W.memo_versions(store, a, CLIENT_A, periods[0])][:2] == ["edited", "draft"]
    docx = W.memo_file(store, a, CLIENT_A, periods[0], "docx")
    pdf = W.memo_file(store, a, CLIENT_A, periods[0], "pdf")
    assert open(docx, "rb").read(2) == b"PK" and open(pdf, "rb").read(5) == b"%PDF-"
    from docx import Document  # the download carries the officer's saved edit, marked DRAFT

    doc = Document(docx)
    assert "客户经理补充：已与企业财务总监面谈。" in [p.text for p in doc.paragraphs]
    assert "DRAFT" in doc.sections[0].header.paragraphs[0].text


def test_a_reviewer_approves_exactly_the_version_the_pane_shows(ui):
    store, _ = ui
    a, _, rev = _users(store)
    period = W.memo_periods(store, a, CLIENT_A)[0]
    text, _ = W.memo_draft(store, a, CLIENT_A, period)
    W.memo_save(store, a, CLIENT_A, period, text + "\n客户经理补充：企业经营正常。\n")
    with pytest.raises(MemoStageError, match="submit"):  # an edited version is not up for approval
        W.memo_save(store, rev, CLIENT_A, period, "", stage="approved")
    W.memo_save(store, a, CLIENT_A, period, "", stage="submitted")
    # the reviewer's pane loads the stored versions: the submitted text and its diff to the draft
    shown, version, note, diff = W.memo_load(store, rev, CLIENT_A, period)
    assert "客户经理补充：企业经营正常。" in shown and "submitted" in note and "+客户经理补充：企业经营正常。" in diff
    with pytest.raises(MemoStageError, match="not the latest"):  # a version the pane did not show
        W.memo_save(store, rev, CLIENT_A, period, "", stage="approved", version=version - 1)
    W.memo_save(store, rev, CLIENT_A, period, "", stage="approved", version=version)
    rows = W.memo_versions(store, a, CLIENT_A, period)
    assert [v[1] for v in rows][:2] == ["approved", "submitted"] and rows[0][2] == rev.name
    from docx import Document

    approved = Document(W.memo_file(store, rev, CLIENT_A, period, "docx"))
    assert "DRAFT" not in approved.sections[0].header.paragraphs[0].text
    assert any(p.text.startswith("审批人：" + rev.name) for p in approved.paragraphs)


def test_a_reviewer_who_drafted_cannot_approve_and_returns_need_comments(ui):
    store, _ = ui
    a, _, rev = _users(store)
    period = W.memo_periods(store, a, CLIENT_A)[0]
    W.memo_draft(store, rev, CLIENT_A, period)
    W.memo_save(store, rev, CLIENT_A, period, "", stage="submitted")
    _, version, _, _ = W.memo_load(store, rev, CLIENT_A, period)
    with pytest.raises(SelfApprovalError, match="cannot approve"):
        W.memo_save(store, rev, CLIENT_A, period, "", stage="approved", version=version)
    with pytest.raises(SelfApprovalError, match="cannot return"):
        W.memo_save(store, rev, CLIENT_A, period, "", stage="returned", version=version, comment="请补充")


def test_audit_shows_only_the_clients_own_records(ui):
    store, _ = ui
    a, b, _ = _users(store)
    from sqlalchemy import select

    from assistant.store.schema import DocumentRow

    with store.session() as s:
        b_docs = set(s.execute(select(DocumentRow.id).where(DocumentRow.client_id == load_snapshot(
            store, CLIENT_B).client.id)).scalars())
    entries = W.audit_entries(store, a, CLIENT_A)
    assert entries and not any(e[4] == "document" and e[5] in b_docs for e in entries)
    assert any(e[4] == "document" and e[5] in b_docs for e in W.audit_entries(store, b, CLIENT_B))


def test_a_site_visit_recorded_in_the_form_is_parsed_like_a_note_file(ui):
    store, _ = ui
    a, _, _ = _users(store)
    before = len(H.inspection_notes(store, a, CLIENT_A))
    line = H.record_visit(store, a, CLIENT_A, visit_date="2026-10-15", site="中卫电站", status="reduced",
                          findings="二号逆变器故障，发电量下降。", progress_actual="60", progress_planned="75")
    assert "stored" in line
    notes = H.inspection_notes(store, a, CLIENT_A)
    assert len(notes) == before + 1 and notes[0][0] == "2026-10-15"
    assert load_snapshot(store, CLIENT_A).notes[-1].operating_status == "reduced"


def _point(store, client):
    from assistant.domain import Span

    return Span(dt.date(2026, 6, 30))


def _printed(value) -> str:
    """How an answer prints an amount: thousands separators, no trailing zero decimals."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _has_highlight(image) -> bool:
    """The rendered page carries the amber row highlight (pure white/black pages do not)."""
    rgb = image.convert("RGB")
    small = rgb.resize((rgb.width // 4, rgb.height // 4))
    data = small.tobytes()
    return any(data[i] > 240 and 180 < data[i + 1] < 235 and data[i + 2] < 170 for i in range(0, len(data), 3))


def test_verify_button_finds_a_figure_edited_behind_the_applications_back(ui):
    from sqlalchemy import text

    store, _ = ui
    a, _, _ = _users(store)
    assert W.audit_verify(store, a)[0]
    with store.engine.begin() as conn:
        fig_id, value = conn.execute(text("SELECT id, value FROM figures WHERE key = 'total_assets' LIMIT 1")).one()
        conn.execute(text("UPDATE figures SET value = '1' WHERE id = :i"), {"i": fig_id})
    try:
        ok, _, _, problems = W.audit_verify(store, a)
        assert not ok and problems
    finally:
        with store.engine.begin() as conn:
            conn.execute(text("UPDATE figures SET value = :v WHERE id = :i"), {"v": value, "i": fig_id})
    assert W.audit_verify(store, a)[0]


def W_admin(store):  # noqa: N802 - a second checker for the tests above
    from tests.checkers import ensure_user

    return ensure_user(store, "admin_t", "admin")


def test_portfolio_follows_a_correction_once_a_reviewer_confirms_it(ui):
    from assistant.chat.portfolio import latest_span

    store, _ = ui
    a, _, rev = _users(store)
    snap = load_snapshot(store, CLIENT_A)
    end = latest_span(snap).end
    assets = snap.facts.value("total_assets", _span(end))
    before = {r.name: r for r in H.portfolio(store, rev)}[CLIENT_A]
    H.correct_figure(store, a, CLIENT_A, end.isoformat(), "total_liabilities", str(assets * Decimal("0.9")),
                     "test: liabilities restated upwards")
    pending = {r.name: r for r in H.portfolio(store, rev)}[CLIENT_A]
    assert pending.breaches == before.breaches  # the officer's correction alone changes nothing
    (c,) = [p for p in H.pending_corrections(store, rev) if p[2] == "total_liabilities"]
    H.confirm(store, rev, correction_id=c[0])
    after = {r.name: r for r in H.portfolio(store, rev)}[CLIENT_A]
    assert after.breaches == before.breaches + 1 and after.problem


def _span(end):
    from assistant.domain import Span

    return Span(end)


def test_the_review_shows_a_flagged_figure_as_its_cell_cut_from_the_stored_page(ui):
    """A figure flagged on its own is shown as its cell cut from the stored page, only to who may reach the client."""
    from sqlalchemy import select

    from assistant.store.schema import Client, FigureRow
    from ui.review_cells import flagged_cells

    store, _ = ui
    a, b, _rev = _users(store)
    with store.transaction() as s:
        client_id = s.execute(select(Client.id).where(Client.name == CLIENT_A)).scalar_one()
        fig = s.execute(select(FigureRow).where(FigureRow.client_id == client_id,
                                                FigureRow.value.is_not(None), FigureRow.x0.is_not(None))
                        .order_by(FigureRow.id).limit(1)).scalar_one()
        fid, ref = fig.id, f"S{fig.statement_id}"
        # as OCR stores it: the cell's own box, its confidence and why it is flagged
        fig.cell_x0, fig.cell_top, fig.cell_x1, fig.cell_bottom = fig.x1 - 80, fig.top, fig.x1, fig.bottom
        fig.confidence, fig.flag = 0.61, "read with low confidence 0.61"
    try:
        ((image, caption),) = flagged_cells(store, a, ref, "en")
        assert "confidence 0.61" in caption and "read with low confidence" in caption and fig.label in caption
        assert 100 < image.size[0] < 400 and image.size[1] < 120  # the cell at 200 dpi, not the page
        import numpy as np

        assert np.asarray(image.convert("L")).min() < 100  # ink: the printed figure is in the crop
        assert flagged_cells(store, a, "", "en") == []
        with pytest.raises(AccessDeniedError):
            flagged_cells(store, b, ref, "en")
    finally:
        with store.transaction() as s:
            fig = s.get(FigureRow, fid)
            fig.cell_x0 = fig.cell_top = fig.cell_x1 = fig.cell_bottom = fig.confidence = fig.flag = None


def test_the_portfolio_page_reads_the_book_rows_and_a_write_rebuilds_one_client(ui, monkeypatch):
    """The page shares the per-client rows of the dashboard and portfolio questions (no reassessment of the book per write)."""
    from assistant.chat import board as B
    from assistant.domain import InspectionNote
    from assistant.store import repo
    from tests.clock import TODAY

    store, _ = ui
    fresh = B.Board()
    monkeypatch.setattr(B, "BOARD", fresh)
    _, _, rev = _users(store)
    first = H.portfolio(store, rev)
    built = fresh.built
    assert built == 2 and H.portfolio(store, rev) == first and fresh.built == built  # read again: nothing rebuilt
    with store.transaction() as s:
        repo.store_document(s, repo.get_client(s, CLIENT_A), sha256="f" * 64, kind="note", name="visit.txt", stored_path="-",
                            note=InspectionNote(visit_date=TODAY - dt.timedelta(days=2), operating_status="stopped",
                                                text="现场停产", problems=["停产"]), actor="test")
    after = H.portfolio(store, rev)
    assert fresh.built == built + 1  # only the noted client
    (a_after,) = [r for r in after if r.name == CLIENT_A]
    from assistant import config
    from assistant.chat.rowsummary import summarise

    fresh_row = summarise(B.client_row(load_snapshot(store, CLIENT_A, as_of=config.today())))
    assert a_after == H._portfolio_row(fresh_row)  # as a fresh assessment
    assert [r for r in after if r.name == CLIENT_B] == [r for r in first if r.name == CLIENT_B]
