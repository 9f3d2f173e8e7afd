"""What the app's events call: plain functions over the store, for one logged-in user.

Every function takes the ``Store`` and the ``User`` first and reaches a client only through
``assistant.access.require_client`` (lists through ``visible_client_ids``), so a client that
is not the user's is refused here, whatever the page shows or an API caller sends.
They return plain data (rows, Markdown, images, file paths); ``ui.app`` lays them out.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select

from assistant.access import User, require_client, visible_client_ids
from assistant.analytics.assessment import Assessment, assess
from assistant.chat.lexicon import display_name
from assistant.domain import ClientSnapshot, Fact, Span
from assistant.errors import AccessDeniedError, ConfigError, NotFoundError
from assistant.safety import inside
from assistant.store import Store, load_snapshot
from assistant.store import schema as t
from assistant.store.repo import list_clients

KEY_FIGURES = ("revenue", "cost_of_revenue", "operating_profit", "net_profit", "net_cash_operating", "cash",
               "total_current_assets", "total_assets", "total_current_liabilities", "short_term_borrowings",
               "long_term_borrowings", "total_liabilities", "total_equity")
PERIODS_SHOWN = 6
_STATUS = {"pass": ("✓ 达标", "✓ met"), "breach": ("✗ 违约", "✗ breach"), "unknown": ("? 数据不足", "? no data"),
           "not_tested": ("— 未到测试期", "— not tested"), "unconfirmed": ("⚠ 未确认（待复核）", "⚠ unconfirmed (review)")}


# ---------------------------------------------------------------- portfolio


@dataclass
class PortfolioRow:
    client_id: int
    name: str
    industry: str
    officer: str
    grade: str
    classification: str
    classification_en: str
    covenants: str
    breaches: int
    warnings: int
    high_warnings: int
    last_statement: str
    problem: bool
    flagged: int = 0  # statements awaiting review: their figures are unconfirmed


def _assessment(snap: ClientSnapshot) -> Assessment | None:
    """The assessment at the period `loanwatch status` uses; None when nothing is stored yet."""
    from assistant.status import monitoring_span

    try:
        return assess(snap, monitoring_span(snap))
    except NotFoundError:
        return None


def portfolio(store: Store, user: User, *, query: str = "", only_problems: bool = False) -> list[PortfolioRow]:
    """The user's clients with grade, classification suggestion, covenants, warnings; problems first.

    Read from the summaries of the book's per-client rows (``assistant.chat.board.BOARD``, kept in
    the store): a write rebuilds only the clients it changed, as for the dashboard and portfolio questions."""
    from assistant.chat.board import BOARD

    ids = visible_client_ids(store, user)
    with store.session() as s:
        shown = [c for c in list_clients(s) if c.id in ids and (
            not query or query.lower() in (c.name + " " + " ".join(c.aliases) + " " + c.industry).lower())]
    summary = BOARD.summaries(store, {c.id for c in shown})  # each row's summary columns: no row is unpickled
    rows = [_portfolio_row(summary[c.id]) for c in shown if c.id in summary]
    rows.sort(key=lambda r: (not r.problem, -r.breaches, -r.high_warnings, r.name))
    return [r for r in rows if r.problem] if only_problems else rows


def _portfolio_row(row) -> PortfolioRow:
    """The page's line from a client's row summary (``chat.rowsummary.Summary``): the assessment ``loanwatch status`` makes."""
    from assistant.analytics.classification import ENGLISH

    assessed = row.has_figures
    breaches = row.breaches if assessed else 0
    category = row.category if assessed else "—"
    return PortfolioRow(
        row.client_id, row.name, row.industry, row.officer or "", row.grade if assessed else "NR", category,
        ENGLISH.get(category, "—"), f"{row.passed}/{row.covenants}" if assessed else "—", breaches,
        row.alerts if assessed else 0, row.alerts_high if assessed else 0,
        row.last_statement.isoformat() if row.last_statement else "—", problem=row.problem, flagged=row.flagged,
    )


def client_choices(store: Store, user: User) -> list[tuple[str, int]]:
    ids = visible_client_ids(store, user)
    with store.session() as s:
        return [(c.name, c.id) for c in list_clients(s) if c.id in ids]


# ---------------------------------------------------------------- client


def _decided(store: Store, client_id: int, period: str, zh: bool) -> list[str]:
    """The person's decided classification / grade beside the suggestion, and decisions awaiting a checker."""
    from assistant.makerchecker import decisions

    out = []
    for kind, d in decisions(store, client_id, period).items():
        what = ("最终分类" if kind == "classification" else "最终评级") if zh else ("Decided classification" if kind ==
                                                                           "classification" else "Decided grade")
        if d["value"] is not None:
            out.append(f"**{what}: {d['value']}** ({'建议' if zh else 'suggested'} {d['suggested'] or '—'}; "
                       f"{d['by']} → {d['confirmed_by']}: {d['justification']})")
        out.extend(f"⏳ {what}: {p['note']} ({p['justification']})" for p in d["pending"])
    return out


def client_snapshot(store: Store, user: User, client: str | int) -> ClientSnapshot:
    return load_snapshot(store, require_client(store, user, client).id)


def client_profile(store: Store, user: User, client: str | int, lang: str = "zh") -> str:
    """Profile, facilities, covenant results and open warnings as Markdown."""
    snap = client_snapshot(store, user, client)
    a = _assessment(snap)
    zh = lang == "zh"
    c = snap.client
    out = [f"### {c.name}", f"{'行业' if zh else 'Industry'}: {c.industry or '—'} · "
           f"{'客户经理' if zh else 'Officer'}: {c.officer or '—'}"]
    if a is not None:
        out.append(f"**{'评级' if zh else 'Grade'} {a.grade.letter}** ({a.grade.points}/{a.grade.max_points}) · "
                   f"**{'分类建议' if zh else 'Classification suggestion'}: "
                   f"{a.classification.category if zh else a.classification.english}** "
                   f"({a.classification.label_zh if zh else a.classification.label_en}) · "
                   f"{'期间' if zh else 'Period'} {a.span.label}")
        out.extend(_decided(store, c.id, a.span.label, zh))
    if snap.pending_corrections:  # maker/checker: listed with their maker, never used
        out.append(f"\n⏳ {'待复核的更正' if zh else 'Corrections awaiting a checker'} ({len(snap.pending_corrections)}): "
                   + "; ".join(f"C{p.id} {display_name(p.key, lang)} {p.span.label}: {p.note_zh if zh else p.note}"
                               for p in snap.pending_corrections))
    from assistant.awaiting import awaiting, sources

    waiting = awaiting(store, [c.id])  # every kind a second person must act on (exposure edits, memos, statements …)
    if waiting:
        label = {k: (v.label_zh if zh else v.label_en) for k, v in sources().items()}
        out.append(f"\n⏳ {'待复核（未计入）' if zh else 'Awaiting a checker (not counted)'} ({len(waiting)}): "
                   + "; ".join(f"{i.ref} {label[i.kind]}: {i.what} ({i.by or '—'})" for i in waiting))
    out.append(f"\n#### {'授信' if zh else 'Facilities'}")
    out.append("| " + " | ".join(["授信", "金额", "到期日", "担保"] if zh else
                                  ["Facility", "Amount", "Maturity", "Security"]) + " |\n|---|---:|---|---|")
    for f in snap.facilities:
        sec = "; ".join(x for x in (f.collateral, f.guarantors) if x) or "—"
        out.append(f"| {f.name} | {f.amount:,} {f.currency} | {f.maturity_date or '—'} | {sec} |")
    if a is not None and a.covenants:
        out.append(f"\n#### {'约束条款' if zh else 'Covenants'} ({a.span.label})")
        out.append("| " + " | ".join(["指标", "要求", "实际", "状态"] if zh else
                                      ["Metric", "Required", "Actual", "Status"]) + " |\n|---|---|---:|---|")
        for r in a.covenants:
            status = _STATUS[r.status][0 if zh else 1] if r.status in _STATUS else r.status
            value = f"{r.value:.2f}" if r.value is not None else (r.reason or "—")
            out.append(f"| {display_name(r.covenant.metric, lang)} | {r.operator} {r.threshold} | {value} | "
                       f"{status} |")
    if snap.flagged:
        out.append(f"\n#### ⚠ {'待复核的报表' if zh else 'Flagged for review'} ({len(snap.flagged)})")
        out.append("以下报表提取时发现疑点，其数据标为未确认（⚠），确认前不用于约束测试、预警与评级：" if zh else
                   "Extraction raised doubts on these statements: their figures are unconfirmed (⚠) and kept out "
                   "of covenant tests, warnings and the grade until someone other than the uploader confirms them:")
        for f in snap.flagged:
            pages = ",".join(map(str, f.pages)) or "—"
            out.append(f"- **S{f.statement_id}** {f.document} · {f.kind} ({f.scope}) · p.{pages} · "
                       f"{'上传人' if zh else 'uploaded by'} {f.uploaded_by or '—'}: {'; '.join(f.warnings)}")
    if a is not None and a.alerts:
        out.append(f"\n#### {'预警' if zh else 'Warnings'}")
        for x in a.alerts:
            where = ", ".join(f"{d} p.{p}" if p else d for d, p in x.evidence if d)
            out.append(f"- **[{x.severity}] {x.name_zh if zh else x.name_en}**: "
                       f"{x.message_zh if zh else x.message_en}" + (f" ({where})" if where else ""))
    return "\n".join(out)


def quarter_ends(snap: ClientSnapshot, count: int = PERIODS_SHOWN) -> list[dt.date]:
    """The latest quarter ends with figures (balance dates or quarters), newest first."""
    ends = {sp.end for sp in snap.facts.spans(points=True)} | {sp.end for sp in snap.facts.spans(points=False, months=3)}
    return sorted((e for e in ends if e.month in (3, 6, 9, 12)), reverse=True)[:count]


def _quarter(end: dt.date) -> Span:
    return Span(end, dt.date(end.year, end.month - 2, 1))


def figures_table(store: Store, user: User, client: str | int, lang: str = "zh") -> tuple[list[str], list[list], list[list]]:
    """(headers, rows, refs): key figures by quarter (balances at the quarter end, flows for the quarter).

    ``refs[i][j]`` locates cell (i, j)'s source: document and page, or the formula it was derived by.
    """
    snap = client_snapshot(store, user, client)
    ends = quarter_ends(snap)
    headers = ["项目" if lang == "zh" else "Item"] + [_quarter(e).label for e in ends]
    rows, refs = [], []
    for key in KEY_FIGURES:
        cells = [(snap.facts.get(key, Span(e)) and Span(e)) or _quarter(e) for e in ends]
        facts = [snap.facts.get(key, sp) for sp in cells]
        if not any(f is not None for f in facts):
            continue
        rows.append([display_name(key, lang)] + [_cell(f) for f in facts])
        refs.append([None] + [_ref(key, sp, f) for sp, f in zip(cells, facts)])
    return headers, rows, refs


def _cell(f: Fact | None) -> str:
    if f is None:
        return ""
    if f.value is None and not f.pending:
        return "—"
    mark = " ✎" if f.source == "corrected" else (" ∑" if f.formula else "")
    if f.unconfirmed:
        mark += " ⚠"  # flagged for review: not used in decisions until confirmed
    shown = f"{f.value:,.2f}{mark}" if f.value is not None else "—"
    for p in f.pending:  # a correction awaiting a checker: shown beside the value that decides
        shown += f" ⏳→{'null' if p.value is None else f'{p.value:,.2f}'} ({p.by})"
    return shown


def _ref(key: str, span: Span, f: Fact | None) -> dict | None:
    """Where a cell comes from; a derived cell points at the first input printed in a document."""
    if f is None:
        return None
    src = f if f.document_id else next((i for i in f.inputs if i.document_id), None)
    return {"key": key, "period": span.label, "source": f.source, "formula": f.formula,
            "original": None if f.original is None else str(f.original),
            "pending": [p.note for p in f.pending],
            "document_id": src.document_id if src else None, "page": src.page if src else None,
            "end": src.span.end.isoformat() if src else None,
            "start": src.span.start.isoformat() if src and src.span.start else None}


def source_page(store: Store, user: User, client: str | int, ref: dict, lang: str = "zh"):  # noqa: ANN201
    """(image, caption): the page a figure came from, its row highlighted; (None, why) when none."""
    from extractors.render import render_page

    row = require_client(store, user, client)
    zh = lang == "zh"
    how = ""
    if ref.get("formula"):
        how = (f"由公式计算：{ref['formula']}；" if zh else f"Computed: {ref['formula']}; ") + \
              ("下图为其中一项原始数据 · " if zh else "one of its inputs below · ")
    if ref.get("original") is not None:
        how += (f"客户经理已更正（提取值 {ref['original']}） · " if zh else f"Corrected (extracted {ref['original']}) · ")
    for note in ref.get("pending") or []:
        how += ("待复核更正（尚未生效）：" if zh else "") + note + " · "
    if not ref.get("document_id"):
        return None, how + ("无原始页面（客户经理录入）" if zh else "no source page (entered by an officer)")
    with store.session() as s:
        doc = s.get(t.DocumentRow, ref["document_id"])
        if doc is None or doc.client_id != row.id:
            raise AccessDeniedError(f"document {ref['document_id']} is not one of {row.name}'s documents")
        start = dt.date.fromisoformat(ref["start"]) if ref.get("start") else None
        fig = s.execute(select(t.FigureRow).where(
            t.FigureRow.document_id == doc.id, t.FigureRow.key == ref["key"],
            t.FigureRow.period_end == dt.date.fromisoformat(ref["end"]),
            t.FigureRow.period_start.is_(None) if start is None else t.FigureRow.period_start == start,
        ).limit(1)).scalar_one_or_none()
        name, stored = doc.name, doc.stored_path
    page = fig.page if fig else ref.get("page") or 1
    bbox = (fig.x0, fig.top, fig.x1, fig.bottom) if fig is not None else None
    caption = how + f"{name} · {'第' if zh else 'p.'}{page}{'页' if zh else ''}" + (f" · {fig.label}: {fig.printed}" if fig else "")
    if not stored.lower().endswith(".pdf"):
        return None, caption + (" （非PDF文件，无页面图像）" if zh else " (not a PDF: no page image)")
    return render_page(inside(store.home, stored), page, bbox), caption


def ratio_series(store: Store, user: User, client: str | int) -> dict[str, dict]:
    """Per covenant metric: quarters, values (None where missing) and the threshold, for the charts."""
    from assistant.analytics.ratios import compute_ratio

    snap = client_snapshot(store, user, client)
    covenants = {c.metric: c for f in snap.facilities for c in f.covenants}
    metrics = list(covenants) or ["debt_to_assets", "current_ratio"]
    quarters = [_quarter(e) for e in reversed(quarter_ends(snap, 8))]
    out = {}
    for m in metrics:
        values = [compute_ratio(snap.facts, q, m, facilities=snap.facilities).value for q in quarters]
        cov = covenants.get(m)
        out[m] = {"periods": [q.label for q in quarters], "values": values,
                  "threshold": cov.threshold if cov else None, "operator": cov.operator if cov else None}
    return out


def documents(store: Store, user: User, client: str | int) -> list[list]:
    snap = client_snapshot(store, user, client)
    return [[d.id, d.name, d.kind, d.pages, d.received.isoformat(), d.period_end.isoformat() if d.period_end else ""]
            for d in reversed(snap.documents)]


def inspection_notes(store: Store, user: User, client: str | int) -> list[list]:
    snap = client_snapshot(store, user, client)
    return [[n.visit_date.isoformat() if n.visit_date else "", n.inspector or "", n.operating_status or "",
             "" if n.progress_actual is None else f"{n.progress_actual}% / {n.progress_planned}%",
             "; ".join(n.problems), (n.text or "")[:120]] for n in reversed(snap.notes)]


def record_visit(store: Store, user: User, client: str | int, *, visit_date: str, site: str, status: str,
                 findings: str, progress_actual: str = "", progress_planned: str = "") -> str:
    """Store a site-visit note written in the form, through the same ingest path as a note file."""
    from assistant.ingest import ingest

    row = require_client(store, user, client)
    if not findings.strip():
        raise ConfigError("the visit note is empty", hint="write what you saw on site")
    day = dt.date.fromisoformat(visit_date.strip())
    status_zh = {"normal": "正常", "reduced": "减产", "stopped": "停产"}.get(status, status)
    lines = [f"{row.name} 贷后现场检查记录", f"检查日期：{day.isoformat()}", f"检查人：{user.display_name or user.name}",
             f"检查地点：{site or row.name}", f"经营状况：{status_zh}"]
    if progress_actual.strip():
        lines.append(f"工程进度：实际完成{progress_actual.strip()}%，计划{progress_planned.strip() or progress_actual.strip()}%")
    lines.append(f"检查情况：{findings.strip()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"visit_{row.id}_{day.isoformat()}_{int(time.time())}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        report = ingest([path], client=row.name, kind="inspection", store=store, actor=user.name, progress=False)
    result = report.results[0]
    if result.status == "failed":
        raise ConfigError(f"the visit note was not stored ({result.reason})", hint="check the date and the text")
    return result.line()


# ---------------------------------------------------------------- upload and review


def upload(store: Store, user: User, paths: list[str], client: str | int | None) -> Iterator[tuple[str, list[int]]]:
    """Ingest uploaded files; yields (progress text, stored document ids) as each step ends.

    Statements are parsed and stored first (reviewable at once); the search index is built
    afterwards, so a long report's figures can be checked while its text is still indexed.
    """
    from assistant.heap import trim_soon
    from assistant.ingest import ingest

    if client in (None, "") and not user.sees_everything:
        raise ConfigError("choose the client these files belong to", hint="pick one of your clients first")
    name = require_client(store, user, client).name if client not in (None, "") else None
    lines, ids, stored = [], [], []
    for i, path in enumerate(paths, 1):
        started = time.perf_counter()
        report = ingest([path], client=name, store=store, actor=user.name, progress=False, index=False)
        for r in report.results:
            if r.document_id is not None and r.status != "failed":
                ids.append(r.document_id)
                stored.append(path)
            lines.append(f"[{i}/{len(paths)}] {r.line()} · {time.perf_counter() - started:.1f} s")
        yield "\n".join(lines), list(ids)
    if stored:
        started = time.perf_counter()
        report = ingest(stored, client=name, store=store, actor=user.name, progress=False, index=True)
        done = sum(r.status != "failed" for r in report.results)
        lines.append(f"search index: {done}/{len(stored)} document(s) indexed · {time.perf_counter() - started:.1f} s")
        yield "\n".join(lines), list(ids)
    trim_soon()  # a parse leaves freed memory in this thread's malloc arena: hand it back (assistant/heap.py)


def review_rows(store: Store, user: User, document_ids: list[int], lang: str = "zh") -> list[list]:
    """The figures extracted from the given documents (ones the user may see), for review."""
    visible = visible_client_ids(store, user)
    out = []
    with store.session() as s:
        for doc_id in document_ids:
            doc = s.get(t.DocumentRow, doc_id)
            if doc is None or doc.client_id not in visible:
                continue
            client = s.get(t.Client, doc.client_id).name
            figs = s.execute(select(t.FigureRow).where(t.FigureRow.document_id == doc_id, t.FigureRow.key.is_not(None))
                             .order_by(t.FigureRow.statement_id, t.FigureRow.row_index, t.FigureRow.col_index)).scalars()
            for f in figs:
                span = Span(f.period_end, f.period_start) if f.period_end else None
                out.append([client, doc.name, f.kind, span.label if span else f.column_label, f.key,
                            f.label, "—" if f.value is None else f"{f.value:,.2f}", f.page])
    return out


def correct_figure(store: Store, user: User, client: str | int, period: str, key: str, value: str,
                   reason: str) -> str:
    """The officer (maker) proposes a correction with a reason; pending until another user confirms it (ledger)."""
    from assistant.store.repo import set_figure

    row = require_client(store, user, client)
    try:
        number = None if value.strip().lower() in {"null", "none", "-", "—"} else Decimal(value.replace(",", "").strip())
    except InvalidOperation as exc:
        raise ConfigError(f"{value!r} is not a number", hint="write it in base units, e.g. 152300000.00") from exc
    with store.transaction() as s:
        c = set_figure(s, s.get(t.Client, row.id), period.strip(), key.strip(), number, reason=reason, by=user.name)
        return (f"{row.name} {c.key} {period}: {c.old_value if c.old_value is not None else '—'} → "
                f"{c.new_value if c.new_value is not None else 'null'} ({user.name}: {c.reason}; correction C{c.id}, "
                "pending until a reviewer confirms it)")


def flagged_rows(store: Store, user: User, client: str | int | None = None) -> list[list]:
    """Statements flagged for review among the user's clients (or one of them): ref, client, document, …"""
    from assistant.review import flagged

    ids = visible_client_ids(store, user)
    if client not in (None, ""):
        ids = frozenset({require_client(store, user, client).id})
    return [[f"S{f.statement_id}", f.client, f.document, f.kind, f.scope, ",".join(map(str, f.pages)),
             "; ".join(f.warnings), f.uploaded_by or "—"] for f in flagged(store, client_ids=ids)]


def confirm_flagged(store: Store, user: User, ref: str, reason: str) -> str:
    """The checker confirms a flagged statement (S12) or a document's flagged statements (D5) after checking them.

    ``assistant.review.confirm`` refuses the uploader and anyone who may not reach the client.
    """
    from assistant.review import confirm as confirm_review

    ref = (ref or "").strip()
    if not ref:
        raise ConfigError("name the statement or document to confirm", hint="e.g. S12 or D5, as the list shows")
    rows = confirm_review(store, ref, by=user.name, reason=reason or "", client_ids=visible_client_ids(store, user))
    return "\n".join(f"S{r.statement_id} confirmed by {r.confirmed_by} (uploaded by {r.uploaded_by or '—'}): {r.reason}"
                     for r in rows)


def confirm(store: Store, user: User, *, document_id: int | None = None, correction_id: int | None = None) -> str:
    """The checker's step: confirm extracted statements or another person's correction (ledger entry).

    A document with statements flagged for review is confirmed through ``assistant.review``
    (four eyes: not by its uploader); one without is confirmed by a ledger entry as before.
    """
    from assistant import ledger

    if correction_id is not None:  # maker/checker: a reviewer other than the maker (assistant.makerchecker)
        from assistant.makerchecker import review

        c = review(store, f"C{correction_id}", user, "confirm", "checked in the app")
        return f"correction {c.ref} ({c.what}) confirmed by {c.reviewed_by}"
    if document_id is not None:
        from assistant.review import flagged

        with store.session() as s:
            doc = s.get(t.DocumentRow, document_id)
        if doc is not None and any(f.document_id == document_id for f in flagged(store, client_ids={doc.client_id})):
            return confirm_flagged(store, user, f"D{document_id}",
                                   "extracted statements reviewed against the document in the app")

    with store.transaction() as s:
        doc = s.get(t.DocumentRow, document_id) if document_id is not None else None
        if doc is None or doc.client_id not in visible_client_ids(store, user):
            raise AccessDeniedError(f"no document {document_id} among your clients")
        ledger.append(s, actor=user.name, action="document.confirm", entity="document", entity_id=doc.id)
        return f"{doc.name}: extracted statements confirmed by {user.name}"


def pending_corrections(store: Store, user: User) -> list[list]:
    """Corrections of the user's clients awaiting a checker: id, client, key and period, old, new, maker, reason."""
    from assistant.makerchecker import changes

    out = []
    for c in changes(store, client_ids=visible_client_ids(store, user), entity="correction"):
        key, _, period = c.what.partition(" ")
        out.append([c.id, c.client, key, period, "—" if c.old == "null" else c.old, c.new, c.by, c.reason])
    return out


def reject_correction(store: Store, user: User, correction_id: int, reason: str) -> str:
    """The checker rejects another person's correction with a reason (it never counts)."""
    from assistant.makerchecker import review

    c = review(store, f"C{correction_id}", user, "reject", reason or "")
    return f"correction {c.ref} ({c.what}) rejected by {c.reviewed_by}: {c.review_reason}"
