"""The memo verifier: every number in a memo must trace to the facts.

``allowed_numbers(snapshot, span)`` lists what a memo about ``span`` may print — and it is
built from the snapshot and the analytics, never from the memo:

* stored figures of the spans the memo compares (this period, the previous quarter, the same
  period last year, and the balances that open them), with their documents and pages — a
  figure of another quarter is not something this memo prints, and allowing every stored
  value would let a wrong number pass whenever some other quarter happens to hold it;
* computed ratios for the period, the previous quarter and the same period last year, and
  the QoQ / YoY changes (absolute and relative) of figures and ratios;
* covenant thresholds, values, headroom and its history; facility terms and repayment
  dates; inspection-note fields and what follows from them (progress gap, budget share);
* the analytics' own outputs: alert values and texts, scorecard points, model scores,
  classification reasons (computed by ``assistant.analytics`` from the same facts);
* dates of the spans, the notes and the documents; identifiers in names (GD2024-017).

``verify_memo(text, allowed)`` finds every number with ``assistant.numguard`` and reports
the ones nothing allowed supports. ``memo_text(path)`` reads a rendered memo back (.md,
.docx, .pdf) with its metadata, so ``loanwatch memo verify FILE`` can rebuild the allowed
list from the store.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from assistant.analytics.assessment import Assessment, assess
from assistant.analytics.ratios import AMOUNT_RATIOS, RATIO_KEYS, compute_ratios
from assistant.analytics.trends import change
from assistant.domain import ClientSnapshot, Span
from assistant.errors import DocumentError
from assistant.memo.numbers import ratio_kind
from assistant.memo.render_md import META_PREFIX, META_SUFFIX, read_meta
from assistant.memo.sections import CHANGE_KEYS, TABLE_KEYS
from assistant.numguard import AllowedNumber, NumberMention, check, find_numbers, harvest


@dataclass
class Unsupported:
    text: str
    context: str  # the sentence around it
    reason: str = ""  # e.g. "is total_current_liabilities (2026-09-30), not revenue"

    def line(self) -> str:
        return f"{self.text!r}{' ' + self.reason if self.reason else ''} in “{self.context}”"


@dataclass
class VerifyReport:
    ok: bool
    total: int  # numbers found (markers and list numbers excluded)
    traceable: int
    unsupported: list[Unsupported] = field(default_factory=list)
    contradictions: list = field(default_factory=list)  # claims.Contradiction outside the officer's opinion: block
    opinions: list = field(default_factory=list)  # numbers and claims of the officer's opinion section: reported only

    @property
    def share(self) -> Decimal:
        return Decimal(1) if self.total == 0 else Decimal(self.traceable) / Decimal(self.total)

    def summary(self) -> str:
        head = f"{self.traceable}/{self.total} numbers traceable"
        if self.contradictions or not self.ok:
            head += f", {len(self.contradictions)} claim(s) contradict the facts"
        parts = [head]
        if self.unsupported:
            parts.append("not traceable: " + "; ".join(u.line() for u in self.unsupported[:10]))
        if self.contradictions:
            parts.append("contradicts the facts: " + "; ".join(c.line() for c in self.contradictions[:10]))
        if self.opinions:
            parts.append("officer's opinion differs from the facts (reported, not blocking): "
                         + "; ".join(o if isinstance(o, str) else o.line() for o in self.opinions[:10]))
        return "; ".join(parts)


# ---------------------------------------------------------------- allowed numbers


def _date(d: dt.date, source: str) -> AllowedNumber:
    return AllowedNumber(None, "date", d.isoformat(), source, when=(d.year, d.month, d.day))


def _kind_for(key: str) -> str:
    if key in AMOUNT_RATIOS or key not in RATIO_KEYS:
        return "amount"
    return "ratio"


def _spans_around(span: Span) -> list[Span]:
    spans = [span, span.same_span_last_year()]
    if span.months == 3:
        spans.append(span.previous_quarter())
    return spans


def allowed_numbers(snapshot: ClientSnapshot, span: Span, *, assessment: Assessment | None = None,
                    prior: Assessment | None = None) -> list[AllowedNumber]:
    """Every number a memo about ``span`` may print, each with where it comes from."""
    from assistant.memo.builder import resolve_span

    span = resolve_span(span)
    out: list[AllowedNumber] = []
    around = _spans_around(span)
    ends = {s.end for s in around} | {s.start - dt.timedelta(days=1) for s in around if s.start}
    out += _facts(snapshot, ends)
    out += _ratios_and_changes(snapshot, span)
    assessments = [assessment or assess(snapshot, span)]
    before = span.previous_quarter() if span.months == 3 else span.same_span_last_year()
    if any(f.span.end == before.end for f in snapshot.facts):
        assessments.append(prior or assess(snapshot, before))
    for i, a in enumerate(assessments):
        out += _analytics(a, counts=i == 0)  # the warning counts printed are this period's
    out += _facilities(snapshot)
    out += _notes(snapshot)
    out += _names(snapshot)
    out += _work_items(snapshot)
    for s in _spans_around(span):
        out.append(_date(s.end, "period"))
        if s.start:
            out.append(_date(s.start, "period"))
    if snapshot.as_of:
        out.append(_date(snapshot.as_of, "as of"))
    return out


def _facts(snapshot: ClientSnapshot, ends: set[dt.date]) -> list[AllowedNumber]:
    """Figures of the spans ending on ``ends`` as values; pages and dates of every fact."""
    out = []
    for fact in snapshot.facts:
        where = f"{fact.document} p.{fact.page}" if fact.document else (fact.formula or fact.source)
        if fact.value is not None and fact.span.end in ends:
            out.append(AllowedNumber(fact.value, "amount", fact.key, where, key=fact.key, period=fact.span.end))
        if fact.original is not None and fact.span.end in ends:
            out.append(AllowedNumber(fact.original, "amount", fact.key, where + " (as extracted)", key=fact.key,
                                     period=fact.span.end))
        if fact.page is not None:
            out.append(AllowedNumber(Decimal(fact.page), "page", str(fact.page), where))
        out.append(_date(fact.span.end, where))
    for pending in snapshot.pending_corrections:  # stated as pending in the memo, never used
        if pending.value is not None and pending.span.end in ends:
            # the figure's own (pending) value, whatever period the sentence is read as: the memo names its date
            out.append(AllowedNumber(pending.value, "amount", pending.key, f"pending correction C{pending.id}", key=pending.key))
    return out


def _ratios_and_changes(snapshot: ClientSnapshot, span: Span) -> list[AllowedNumber]:
    out = []
    facilities = snapshot.facilities
    for s in _spans_around(span):
        for key, r in compute_ratios(snapshot.facts, s, facilities=facilities).items():
            if r.value is not None:
                out.append(AllowedNumber(r.value, _kind_for(key), key, f"{r.formula} ({s.label})",  # type: ignore[arg-type]
                                         key=key, period=s.end))
    for key in dict.fromkeys(TABLE_KEYS + CHANGE_KEYS):
        for basis in ("qoq", "yoy"):
            c = change(snapshot.facts, key, span, basis, facilities=facilities)  # type: ignore[arg-type]
            if c is None or c.absolute is None:
                continue
            where = f"{basis} change of {key}"
            kind = "ratio" if ratio_kind(key) == "percent" else ("amount" if _kind_for(key) == "amount" else "number")
            out.append(AllowedNumber(c.absolute, kind, key, where, key=key, period=span.end, basis=basis))  # type: ignore[arg-type]
            if c.relative is not None:
                out.append(AllowedNumber(c.relative, "ratio", key, where + " (relative)", key=key, period=span.end, basis=basis))
    return out


def _analytics(a: Assessment, *, counts: bool = True) -> list[AllowedNumber]:
    out: list[AllowedNumber] = []
    for key, r in a.ratios.items():
        if r.value is not None:
            out.append(AllowedNumber(r.value, _kind_for(key), key, r.formula, key=key, period=a.span.end))  # type: ignore[arg-type]
    for c in a.covenants:
        src = f"covenant {c.facility} {c.covenant.metric}"
        metric = c.covenant.metric
        kind = _kind_for(metric) if metric in RATIO_KEYS else "amount"
        out.append(AllowedNumber(c.threshold, kind, "threshold", src, key=metric))  # type: ignore[arg-type]
        for v in (c.value, c.margin):
            if v is not None:
                out.append(AllowedNumber(v, kind, "value", src, key=metric, period=c.span.end))  # type: ignore[arg-type]
        for at, h in c.headroom_trend + [(c.span, c.headroom)]:
            if h is not None:
                out.append(AllowedNumber(h, "ratio", "headroom", src, key=metric, period=at.end))
        if c.cure_by:
            out.append(_date(c.cure_by, src))
    if counts:
        out.append(AllowedNumber(Decimal(len(a.alerts)), "count", "alerts", "count of alerts"))
        out.append(AllowedNumber(Decimal(sum(1 for x in a.alerts if x.severity == "high")), "count", "alerts",
                                 "high alerts"))
    for alert in a.alerts:
        src = f"rule {alert.rule}"
        for v in alert.values.values():  # a rule's inputs belong to some figure: never neutral support
            if isinstance(v, Decimal):
                out.append(AllowedNumber(v, "number", alert.rule, src, key=f"rule:{alert.rule}"))
            elif isinstance(v, str):
                out += harvest(v, source=src, bind=True, period=alert.span.end)
        for text in (alert.message_zh, alert.message_en, alert.name_zh, alert.name_en):
            out += harvest(text, source=src, bind=True, period=alert.span.end)
    g = a.grade
    out += [AllowedNumber(Decimal(g.points), "number", "grade", "scorecard"),
            AllowedNumber(Decimal(g.max_points), "number", "grade", "scorecard")]
    for f in g.factors:
        if isinstance(f.value, Decimal):
            out.append(AllowedNumber(f.value, _kind_for(f.key), f.key, "scorecard factor", key=f.key,  # type: ignore[arg-type]
                                     period=a.span.end))
        for v in (f.points, f.max_points):
            if v is not None:
                out.append(AllowedNumber(Decimal(v), "number", f.key, "scorecard points"))
        for text in (f.explanation, f.explanation_zh):
            out += harvest(text, source=f"scorecard {f.key}")
    for m in g.models:
        for name in (m.name, m.name_zh):
            out += harvest(name, source="model name")
        for v in (m.score, m.probability):
            if v is not None:
                out.append(AllowedNumber(v, "ratio" if v is m.probability else "number", m.model, m.name))
    for reason in a.classification.reasons + a.classification.reasons_zh + g.reasons_zh[-2:]:
        out += harvest(reason, source="classification")
    return out


def _facilities(snapshot: ClientSnapshot) -> list[AllowedNumber]:
    out: list[AllowedNumber] = []
    as_of = snapshot.as_of
    for fac in snapshot.facilities:
        src = f"facility {fac.name}"
        for v in (fac.amount, fac.drawn, fac.outstanding):
            if v is not None:
                out.append(AllowedNumber(v, "amount", "facility", src))
        if fac.rate is not None:
            out.append(AllowedNumber(fac.rate, "ratio", "rate", src))
        for d in (fac.maturity_date, fac.drawdown_date):
            if d:
                out.append(_date(d, src))
        for r in fac.schedule:
            out.append(_date(r.due, src))
            if r.paid_on:
                out.append(_date(r.paid_on, src))
            if as_of and r.due <= as_of:
                out.append(AllowedNumber(Decimal((as_of - r.due).days), "number", "days overdue", src))
            out += [AllowedNumber(v, "amount", "repayment", src) for v in (r.principal, r.interest, r.paid_amount) if v]
        if as_of:  # the counts the repayment status prints (sections.repayment_status)
            due = [r for r in fac.schedule if r.due <= as_of]
            overdue = sum(1 for r in due if r.paid_on is None or r.paid_on > as_of)
            late = sum(1 for r in due if r.paid_on is not None and r.paid_on > r.due)
            out += [AllowedNumber(Decimal(n), "count", "instalments", src) for n in (overdue, late) if n]
    return out


def _notes(snapshot: ClientSnapshot) -> list[AllowedNumber]:
    out: list[AllowedNumber] = []
    for note in snapshot.notes:
        src = f"note {note.document or ''} {note.visit_date or ''}"
        if note.visit_date:
            out.append(_date(note.visit_date, src))
        if note.page is not None:
            out.append(AllowedNumber(Decimal(note.page), "page", str(note.page), src))
        for v in (note.progress_actual, note.progress_planned):
            if v is not None:
                out.append(AllowedNumber(v, "percent", "progress", src))
        if note.progress_actual is not None and note.progress_planned is not None:
            out.append(AllowedNumber(note.progress_planned - note.progress_actual, "percent", "progress gap", src))
        if note.cost_spent is not None:
            out.append(AllowedNumber(note.cost_spent, "amount", "spent", src))
        if note.cost_budget:
            out.append(AllowedNumber(note.cost_budget, "amount", "budget", src))
            if note.cost_spent is not None:
                out.append(AllowedNumber(note.cost_spent / note.cost_budget, "ratio", "budget share", src))
                out.append(AllowedNumber(note.cost_spent - note.cost_budget, "amount", "over budget", src))
        for problem in note.problems:
            out += harvest(problem, source=src)
    return out


def _names(snapshot: ClientSnapshot) -> list[AllowedNumber]:
    """Identifiers and dates printed in names: documents, facilities, sites, the client."""
    texts = [snapshot.client.name, snapshot.client.industry or "", snapshot.client.officer or "",
             *snapshot.client.aliases, *(f.name for f in snapshot.facilities),
             *(f.collateral for f in snapshot.facilities), *(f.guarantors for f in snapshot.facilities),
             *(n.site or "" for n in snapshot.notes), *(n.inspector or "" for n in snapshot.notes),
             *(n.document or "" for n in snapshot.notes), *(d.name for d in snapshot.documents),
             *{f.document for f in snapshot.facts if f.document}]
    out: list[AllowedNumber] = []
    for text in texts:
        if text:
            out += harvest(text, source="name")  # record text: its numbers are from the source
            out.append(AllowedNumber(None, "identifier", text, "name"))
    return out


def _work_items(snapshot: ClientSnapshot) -> list[AllowedNumber]:
    """Warning items the memo lists: their references, messages, resolving notes (record text) and dates."""
    resolved = sum(1 for i in snapshot.work_items if i.status == "resolved")
    out = [AllowedNumber(Decimal(n), "count", "warning items", "count of warning items")
           for n in {resolved, len(snapshot.work_items) - resolved} if snapshot.work_items]
    for item in snapshot.work_items:
        src = f"warning item {item.ref}"
        out.append(AllowedNumber(None, "identifier", item.ref, src))
        out += harvest(item.ref, source=src)
        for text in (item.message, item.resolution or "", item.period):
            out += harvest(text, source=src)
        if item.resolved_on:
            out.append(_date(item.resolved_on, src))
    return out


# ---------------------------------------------------------------- checking


def _strip_meta(text: str) -> str:
    """The text without the metadata comment, also when a PDF wrapped it over several lines."""
    pattern = re.escape(META_PREFIX.strip()) + r"[^<>]*?" + re.escape(META_SUFFIX.strip())
    text = re.sub(pattern, "", text, flags=re.S)
    return "\n".join(line for line in text.splitlines() if META_PREFIX.strip() not in line)


def _context(text: str, mention: NumberMention) -> str:
    a = max(text.rfind("\n", 0, mention.start), 0)
    b = text.find("\n", mention.end)
    return text[a:b if b != -1 else None].strip()[:160]


def verify_memo(text: str, allowed: list[AllowedNumber], *, tables: list | None = None, claims=None) -> VerifyReport:
    """Check every number of a memo's text against ``allowed``, and its claims against ``claims``.

    A number must trace to a fact, and — where the text attaches it to a label — be a value of
    that figure, of the period and basis the sentence names (``assistant.bindings``).
    With ``tables`` (the tables of the memo rebuilt from the facts: they are never written by
    hand or by a model), a table row of the text whose label matches must also show the very
    numbers of the rebuilt row — a wrong figure that happens to equal some other allowed value
    is still caught there. Rows are read from Markdown and Word text (cells between ``|``).
    With ``claims`` (``claims.ClaimFacts``) the covenant statuses, classification, grade and
    direction words are checked too (``claims.check_claims``). What the officer's opinion
    section says is reported in ``opinions`` and does not fail the memo.
    """
    from assistant.memo.claims import check_claims, opinion_ranges

    text = _strip_meta(text)
    result = check(text, allowed, allow_counts=False, period=claims.span.end if claims is not None else None)
    counted = [m for m in result.mentions if m.kind != "marker"]
    misbound = {id(m): (b, other) for m, b, other in result.mislabelled}
    bad = [Unsupported(m.text, _context(text, m), _why(*misbound[id(m)]) if id(m) in misbound else "")
           for m in result.unsupported]
    if tables:
        for cell, line in _table_mismatches(text, tables):
            numbers = [m for m in find_numbers(cell) if m.kind != "marker"]
            if not any(u.context == line[:160] and u.text in cell for u in bad):
                bad.append(Unsupported(numbers[0].text if numbers else cell, line[:160],
                                       "" if numbers else "differs from the table rebuilt from the facts"))
    opinions: list = []
    contradictions: list = []
    ranges = opinion_ranges(text)
    if ranges:
        inside = [u for u in bad if any(text[a:b].find(u.context) >= 0 for a, b in ranges)]
        bad = [u for u in bad if u not in inside]
        opinions += [u.line() for u in inside]
    if claims is not None:
        for c in check_claims(text, claims):
            (opinions if c.opinion else contradictions).append(c)
    ok = not bad and not contradictions
    return VerifyReport(ok=ok, total=len(counted), traceable=max(len(counted) - len(bad), 0), unsupported=bad,
                        contradictions=contradictions, opinions=opinions)


def _why(binding, other: AllowedNumber) -> str:
    what = other.key or other.text
    when = f" {other.basis}" if other.basis else (f" ({other.period.isoformat()})" if other.period else "")
    return f"is {what}{when}, not {binding.key} ({binding.label})"


_CITES = re.compile(r"\[\^?\d{1,3}\]")


def _cells(line: str) -> list[str]:
    return [_CITES.sub("", c).strip() for c in line.strip().strip("|").split("|")]


def _table_mismatches(text: str, tables: list) -> list[tuple[str, str]]:
    """(cell, line) for each table cell of ``text`` that differs from every rebuilt row with its label
    (the header rows too: a period column relabelled is a different claim)."""
    rows: dict[str, list[list[str]]] = {}
    for table in tables:
        if len(table.header) > 1:
            rows.setdefault(table.header[0].strip(), []).append([h.strip() for h in table.header[1:]])
        for row in table.rows:
            if len(row) > 1 and row[0].source is None and row[0].text:
                rows.setdefault(row[0].text.strip(), []).append([c.text.strip() for c in row[1:]])
    out = []
    for line in text.splitlines():
        if line.count("|") < 2:
            continue
        cells = _cells(line)
        wanted = [r for r in rows.get(cells[0], []) if len(r) == len(cells) - 1]
        if not wanted:
            continue
        for i, got in enumerate(cells[1:]):
            if all(got != r[i] for r in wanted):
                out.append((got, line.strip()))
    return out


# ---------------------------------------------------------------- reading rendered memos


def memo_text(path: str | Path) -> tuple[str, dict | None]:
    """The text of a rendered memo (.md, .docx or .pdf) and its metadata (client, period, …)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise DocumentError(f"{path}: no such file", path=str(path), hint="check the path of the memo")
    if suffix in (".md", ".markdown", ".txt"):
        text = path.read_text(encoding="utf-8")
        return text, read_meta(text)
    if suffix == ".docx":
        return _docx_text(path)
    if suffix == ".pdf":
        from assistant.memo.export import meta_from_pdf_bytes, strip_page_furniture
        from extractors.document import open_pdf

        # pdfium ends lines with \r\n; a wrapped "CNY 1.52\nmillion" or "3.5个百分\n点" must read
        # as one amount
        text = "\n".join(open_pdf(path).page_texts).replace("\r\n", "\n").replace("\r", "\n")
        text = _join_split_units(text)
        meta = meta_from_pdf_bytes(path.read_bytes()) or _meta_in(text)
        return strip_page_furniture(text, meta), meta
    raise DocumentError(f"{path.name}: not a memo file", path=str(path), hint="give a .md, .docx or .pdf memo")


def _docx_text(path: Path) -> tuple[str, dict | None]:
    from docx import Document

    doc = Document(str(path))
    lines = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            lines.append(" | ".join(cell.text for cell in row.cells))
    meta = None
    try:
        meta = json.loads(doc.core_properties.comments or "null")
    except json.JSONDecodeError:
        meta = None
    from assistant.memo.export import strip_page_furniture

    return strip_page_furniture("\n".join(lines), meta), meta


#: Units of more than one CJK character that a number may carry (see ``numguard``).
_CJK_UNITS = ("个百分点", "百分点", "万亿", "千亿", "百亿", "千万", "百万", "十万", "万元", "亿元", "千元", "美元", "港元")
_SPLIT_UNIT = re.compile(r"(?<=\d)(\s?)([\u4e00-\u9fff]{1,3})\n(?=([\u4e00-\u9fff]{1,3}))")


def _join_split_units(text: str) -> str:
    """Undo a line wrap inside a number's unit: CJK text may break between any two characters,
    so a PDF can print "3.5个百分" at a line's end and "点" on the next; read as one amount."""

    def join(m: re.Match) -> str:
        head, tail = m.group(2), m.group(3)
        for unit in _CJK_UNITS:
            if unit.startswith(head) and len(head) < len(unit) and tail.startswith(unit[len(head):]):
                return m.group(1) + head
        return m.group(0)

    return _SPLIT_UNIT.sub(join, text)


def _meta_in(text: str) -> dict | None:
    start = text.find(META_PREFIX.strip())
    if start < 0:
        return None
    body = text[start + len(META_PREFIX.strip()):]
    end = body.find(META_SUFFIX.strip())
    try:
        return json.loads((body[:end] if end >= 0 else body).replace("\r", "").replace("\n", "").strip())
    except json.JSONDecodeError:
        return None


def rebuilt_tables(snapshot: ClientSnapshot, period, lang: str) -> list:
    """The tables of the memo as the built-in engine builds them from the facts now."""
    from assistant.memo.builder import build_memo
    from assistant.memo.model import Table

    memo = build_memo(snapshot, period, lang=lang)
    return [b for s in memo.sections for b in s.blocks if isinstance(b, Table)]


__all__ = ["Unsupported", "VerifyReport", "allowed_numbers", "memo_text", "rebuilt_tables", "verify_memo"]
