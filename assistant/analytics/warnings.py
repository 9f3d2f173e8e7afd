"""Early-warning rules as data (``rules.yaml``) and the small engine that evaluates them.

A rule names a condition ``type`` and its parameters; the engine maps each type to one
evaluator function below (no ``eval`` of strings). Users point ``LOANWATCH_RULES_FILE`` at
their own YAML file with the same shape. Condition types and the values they provide to
message templates:

========================  ==================================================  =============================
type                      parameters                                          fires when
========================  ==================================================  =============================
``change``                metric, basis (yoy|qoq), direction (down|up),       the metric moved that way by
                          relative and/or absolute                            at least the given amount
``threshold``             metric, operator (< <= > >=), value                 metric compared with value holds
``covenant``              state (breach|thin), headroom_below                 a covenant is breached / thin
``note_progress``         min_gap_pp                                          planned − actual progress ≥ gap
``note_cost``             min_excess_pp                                       budget share spent exceeds
                                                                              progress by ≥ excess, or spent
                                                                              > budget
``note_status``           statuses (stopped, reduced)                         a visit reports that status
``reporting``             (none; uses each facility's reporting_days)         statements for the latest due
                                                                              period missing or late
``contradiction``         statuses                                            a visit reports stopped while
                                                                              revenue rose (QoQ or YoY)
========================  ==================================================  =============================

Metrics are figure keys or ratio keys of FIGURES.md. A metric that cannot be computed
never fires a rule: missing data is reported by the ratios, not guessed here. A rule that
fires on an unconfirmed figure (one from a statement flagged for review, see
``Fact.unconfirmed``) raises its alert marked ``unconfirmed`` with the reason in its message:
shown, so a possible problem is not hidden, but not counted by the grade or the
classification until an officer confirms the statement or corrects the figure. Inspection
notes count for a span when the visit falls inside it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Callable, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.analytics.covenants import CovenantResult, check_covenants
from assistant.analytics.ratios import RATIO_KEYS, compute_ratio, english_label, figure_label, flow_span
from assistant.analytics.trends import change, value_of
from assistant.domain import ClientSnapshot, Fact, InspectionNote, Span, unconfirmed_reasons
from assistant.errors import ConfigError

Severity = Literal["low", "medium", "high"]
SEVERITY_ORDER = {"low": 0, "medium": 1, "high": 2}
BUILTIN_RULES = Path(__file__).with_name("rules.yaml")


class _Cond(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChangeCond(_Cond):
    type: Literal["change"]
    metric: str
    basis: Literal["yoy", "qoq"] = "yoy"
    direction: Literal["down", "up"]
    relative: Decimal | None = None
    absolute: Decimal | None = None


class ThresholdCond(_Cond):
    type: Literal["threshold"]
    metric: str
    operator: Literal["<", "<=", ">", ">="]
    value: Decimal


class CovenantCond(_Cond):
    type: Literal["covenant"]
    state: Literal["breach", "thin"]
    headroom_below: Decimal = Decimal("0.10")


NoteScope = Literal["all", "latest"]


class NoteProgressCond(_Cond):
    type: Literal["note_progress"]
    min_gap_pp: Decimal = Decimal(10)
    notes: NoteScope = "all"


class NoteCostCond(_Cond):
    type: Literal["note_cost"]
    min_excess_pp: Decimal = Decimal(10)
    notes: NoteScope = "all"


class NoteStatusCond(_Cond):
    type: Literal["note_status"]
    statuses: list[Literal["stopped", "reduced"]] = ["stopped"]
    notes: NoteScope = "all"


class ReportingCond(_Cond):
    type: Literal["reporting"]


class ContradictionCond(_Cond):
    type: Literal["contradiction"]
    statuses: list[Literal["stopped", "reduced"]] = ["stopped"]
    direction: Literal["negative_note_rising", "positive_note_falling"] = "negative_note_rising"
    metric: str = "revenue"
    min_change: Decimal | None = None  # relative, 0.20 = 20 %; None: any move that way


class KeywordsCond(_Cond):
    type: Literal["keywords"]
    words: list[str] = Field(min_length=1)
    sources: list[Literal["inspection", "filing"]] = ["inspection", "filing"]
    negations: bool = True  # False: a negated mention fires too


class OverdueCond(_Cond):
    type: Literal["overdue"]
    min_days: int = 1
    max_days: int | None = None  # fire only up to this many days (leave longer delays to another rule)


class InspectionDueCond(_Cond):
    type: Literal["inspection_due"]


Condition = Annotated[
    Union[ChangeCond, ThresholdCond, CovenantCond, NoteProgressCond, NoteCostCond, NoteStatusCond,
          ReportingCond, ContradictionCond, KeywordsCond, OverdueCond, InspectionDueCond],
    Field(discriminator="type"),
]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    name_zh: str
    name_en: str
    severity: Severity
    condition: Condition
    message_zh: str
    message_en: str
    enabled: bool = True


class RuleSet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: list[Rule]


@dataclass
class Alert:
    rule: str
    name_zh: str
    name_en: str
    severity: Severity
    message_zh: str
    message_en: str
    span: Span
    evidence: list[tuple[str | None, int | None]] = field(default_factory=list)  # (document, page)
    values: dict[str, Decimal | str | None] = field(default_factory=dict)
    unconfirmed: str | None = None  # why a figure it rests on is unconfirmed: shown, never counted


# ---------------------------------------------------------------- loading


#: resolved path → ((mtime_ns, size), enabled rules): parsed once until the file changes
_RULES_CACHE: dict[Path, tuple[tuple[int, int], tuple[Rule, ...]]] = {}


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """The rules of ``path``, else of ``LOANWATCH_RULES_FILE``, else the built-in set.

    Parsed once per file version (cached by path, mtime and size): evaluating a portfolio
    without ``rules=`` does not re-read the YAML per client, and an edited file is read again.
    """
    if path is None:
        from assistant.config import get_settings

        path = get_settings().rules_file or BUILTIN_RULES
    path = Path(path).expanduser().resolve()
    try:
        st = path.stat()
    except FileNotFoundError as exc:
        raise ConfigError(f"rules file {path} not found", hint="fix LOANWATCH_RULES_FILE or unset it to use the built-in rules") from exc
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _RULES_CACHE.get(path)
    if cached is None or cached[0] != stamp:
        cached = (stamp, tuple(_parse_rules(path)))
        _RULES_CACHE[path] = cached
    return list(cached[1])


def _parse_rules(path: Path) -> list[Rule]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"rules file {path} not found", hint="fix LOANWATCH_RULES_FILE or unset it to use the built-in rules") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"rules file {path} is not valid YAML ({exc})", hint="fix the file's syntax") from exc
    try:
        return [r for r in RuleSet.model_validate(data).rules if r.enabled]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"rules file {path}: {where}: {first['msg']}",
                          hint="compare it with assistant/analytics/rules.yaml") from exc


# ---------------------------------------------------------------- evaluation


@dataclass
class _Context:
    snapshot: ClientSnapshot
    span: Span
    covenants: list[CovenantResult]


_Hit = tuple[dict[str, Decimal | str | None], list[tuple[str | None, int | None]]]
_EVALUATORS: dict[str, Callable[[_Context, _Cond], list[_Hit]]] = {}


def _evaluator(kind: str):
    def register(fn):
        _EVALUATORS[kind] = fn
        return fn

    return register


def evaluate(snapshot: ClientSnapshot, span: Span, rules: list[Rule] | None = None, *,
             covenants: list[CovenantResult] | None = None) -> list[Alert]:
    """Every alert the rules raise for ``snapshot`` at ``span``, most severe first."""
    span = flow_span(span)
    rules = load_rules() if rules is None else rules
    if covenants is None:
        covenants = check_covenants(snapshot.facts, snapshot.facilities, span, as_of=snapshot.as_of)
    ctx = _Context(snapshot, span, covenants)
    alerts: list[Alert] = []
    for rule in rules:
        for values, evidence in _EVALUATORS[rule.condition.type](ctx, rule.condition):
            why = values.pop(_UNCONFIRMED, None)
            shown = {"span": span.label, **{k: _show(k, v) for k, v in values.items()}}
            zh, en = _fill(rule.message_zh, shown), _fill(rule.message_en, shown)
            if why:
                zh, en = f"{zh}（未确认——待复核：{why}）", f"{en} (unconfirmed — flagged for review: {why})"
            alerts.append(Alert(rule.id, rule.name_zh, rule.name_en, rule.severity, zh, en, span,
                                _dedupe(evidence), values, unconfirmed=str(why) if why else None))
    alerts.sort(key=lambda a: -SEVERITY_ORDER[a.severity])
    return alerts


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


_MEASURES = frozenset({"value", "current", "prior", "threshold", "limit"})


def _show(key: str, v: Decimal | str | None) -> str:
    if v is None:
        return "n/a"
    if isinstance(v, Decimal):
        if abs(v) >= 1000:
            return f"{v:,.0f}"
        if key in _MEASURES or v != v.to_integral():
            return f"{v:.2f}"
        return f"{v.normalize():f}"
    return str(v)


def _pct(x: Decimal) -> str:
    return f"{abs(x) * 100:.1f}%"


def _dedupe(evidence: list[tuple[str | None, int | None]]) -> list[tuple[str | None, int | None]]:
    out: list[tuple[str | None, int | None]] = []
    for e in evidence:
        if e not in out and e != (None, None):
            out.append(e)
    return out


def _facts_evidence(facts: list[Fact]) -> list[tuple[str | None, int | None]]:
    out: list[tuple[str | None, int | None]] = []
    for f in facts:
        if f.source == "derived" and f.inputs:
            out.extend(_facts_evidence(list(f.inputs)))
        else:
            out.append((f.document, f.page))
    return out


_UNCONFIRMED = "_unconfirmed"  # a hit's values may carry why its figures are unconfirmed (popped by ``evaluate``)


def _metric_facts(ctx: _Context, metric: str, spans: list[Span]) -> list[Fact]:
    facilities = ctx.snapshot.facilities
    out: list[Fact] = []
    for s in spans:
        if metric in RATIO_KEYS:
            out += compute_ratio(ctx.snapshot.facts, s, metric, facilities=facilities).inputs
        else:
            for candidate in (s, Span(s.end)):
                fact = ctx.snapshot.facts.get(metric, candidate)
                if fact is not None:
                    out.append(fact)
                    break
    return out


def _metric_evidence(ctx: _Context, metric: str, spans: list[Span]) -> list[tuple[str | None, int | None]]:
    return _facts_evidence(_metric_facts(ctx, metric, spans))


def _unconfirmed(ctx: _Context, metric: str, spans: list[Span]) -> dict[str, str]:
    """``{_UNCONFIRMED: reason}`` when a figure behind the metric is unconfirmed, else {}."""
    why = "; ".join(unconfirmed_reasons(_metric_facts(ctx, metric, spans)))
    return {_UNCONFIRMED: why} if why else {}


@_evaluator("change")
def _change(ctx: _Context, cond: ChangeCond) -> list[_Hit]:
    c = change(ctx.snapshot.facts, cond.metric, ctx.span, cond.basis, facilities=ctx.snapshot.facilities)
    if c is None or c.absolute is None:
        return []
    moved = c.absolute < 0 if cond.direction == "down" else c.absolute > 0
    if not moved:
        return []
    if cond.relative is not None and (c.relative is None or abs(c.relative) < cond.relative):
        return []
    if cond.absolute is not None and abs(c.absolute) < cond.absolute:
        return []
    values = {"metric": figure_label(cond.metric), "metric_en": english_label(cond.metric), "current": c.current, "prior": c.prior,
              "prior_span": c.prior_span.label, "change": c.absolute, "relative": c.relative,
              "change_pct": _pct(c.relative) if c.relative is not None else "n/a",
              "change_pp": f"{abs(c.absolute) * 100:.1f}", **_unconfirmed(ctx, cond.metric, [c.span, c.prior_span])}
    return [(values, _metric_evidence(ctx, cond.metric, [c.span, c.prior_span]))]


_OPS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


@_evaluator("threshold")
def _threshold(ctx: _Context, cond: ThresholdCond) -> list[_Hit]:
    value, _ = value_of(ctx.snapshot.facts, cond.metric, ctx.span, ctx.snapshot.facilities)
    if value is None or not _OPS[cond.operator](value, cond.value):
        return []
    values = {"metric": figure_label(cond.metric), "metric_en": english_label(cond.metric), "value": value, "limit": cond.value,
              "operator": cond.operator, **_unconfirmed(ctx, cond.metric, [ctx.span])}
    return [(values, _metric_evidence(ctx, cond.metric, [ctx.span]))]


@_evaluator("covenant")
def _covenant(ctx: _Context, cond: CovenantCond) -> list[_Hit]:
    hits: list[_Hit] = []
    for r in ctx.covenants:
        if cond.state == "breach" and r.status != "breach":
            continue
        if cond.state == "thin" and not (r.status == "pass" and r.headroom is not None and r.headroom < cond.headroom_below):
            continue
        values = {"facility": r.facility, "metric": figure_label(r.covenant.metric),
                  "metric_en": english_label(r.covenant.metric), "value": r.value,
                  "operator": r.operator, "threshold": r.threshold,
                  "headroom": _pct(r.headroom) if r.headroom is not None else "n/a",
                  "trend": r.trend, "cure_by": r.cure_by.isoformat() if r.cure_by else None}
        hits.append((values, _facts_evidence(r.inputs)))
    return hits


def notes_in(snapshot: ClientSnapshot, span: Span) -> list[InspectionNote]:
    """Inspection notes whose visit falls inside ``span`` (oldest first)."""
    span = flow_span(span)
    notes = [n for n in snapshot.notes if n.visit_date is not None and span.start <= n.visit_date <= span.end]
    return sorted(notes, key=lambda n: n.visit_date)


def _scoped(notes: list[InspectionNote], scope: str) -> list[InspectionNote]:
    return notes[-1:] if scope == "latest" else notes


def _note_values(note: InspectionNote) -> dict[str, Decimal | str | None]:
    return {"visit_date": note.visit_date.isoformat() if note.visit_date else None, "site": note.site,
            "inspector": note.inspector, "actual": note.progress_actual, "planned": note.progress_planned}


@_evaluator("note_progress")
def _note_progress(ctx: _Context, cond: NoteProgressCond) -> list[_Hit]:
    hits: list[_Hit] = []
    for note in _scoped(notes_in(ctx.snapshot, ctx.span), cond.notes):
        if note.progress_actual is None or note.progress_planned is None:
            continue
        gap = note.progress_planned - note.progress_actual
        if gap >= cond.min_gap_pp:
            hits.append(({**_note_values(note), "gap": gap}, [(note.document, note.page)]))
    return hits


@_evaluator("note_cost")
def _note_cost(ctx: _Context, cond: NoteCostCond) -> list[_Hit]:
    hits: list[_Hit] = []
    for note in _scoped(notes_in(ctx.snapshot, ctx.span), cond.notes):
        if note.cost_spent is None or not note.cost_budget:
            continue
        spent_pct = note.cost_spent / note.cost_budget * 100
        over_budget = note.cost_spent > note.cost_budget
        excess = spent_pct - note.progress_actual if note.progress_actual is not None else None
        if over_budget or (excess is not None and excess >= cond.min_excess_pp):
            values = {**_note_values(note), "spent": note.cost_spent, "budget": note.cost_budget,
                      "spent_pct": spent_pct.quantize(Decimal("0.1")), "excess_pp": excess}
            hits.append((values, [(note.document, note.page)]))
    return hits


_STATUS_ZH = {"stopped": "停产/停工", "reduced": "减产/部分停工", "normal": "正常", "unknown": "不明"}


@_evaluator("note_status")
def _note_status(ctx: _Context, cond: NoteStatusCond) -> list[_Hit]:
    hits: list[_Hit] = []
    for note in _scoped(notes_in(ctx.snapshot, ctx.span), cond.notes):
        if note.operating_status in cond.statuses:
            values = {**_note_values(note), "status": note.operating_status, "status_zh": _STATUS_ZH[note.operating_status]}
            hits.append((values, [(note.document, note.page)]))
    return hits


_BASIS_EN = {"qoq": "quarter on quarter", "yoy": "year on year"}


@_evaluator("contradiction")
def _contradiction(ctx: _Context, cond: ContradictionCond) -> list[_Hit]:
    rising = cond.direction == "negative_note_rising"
    wanted = set(cond.statuses) if rising else {"normal"}
    notes = [n for n in notes_in(ctx.snapshot, ctx.span) if n.operating_status in wanted]
    if not notes:
        return []
    note = notes[-1]
    for basis, zh in (("qoq", "环比"), ("yoy", "同比")):
        c = change(ctx.snapshot.facts, cond.metric, ctx.span, basis, facilities=ctx.snapshot.facilities)  # type: ignore[arg-type]
        if c is None or c.direction != ("up" if rising else "down"):
            continue
        if cond.min_change is not None and (c.relative is None or abs(c.relative) < cond.min_change):
            continue
        values = {**_note_values(note), "status": note.operating_status, "status_zh": _STATUS_ZH.get(note.operating_status or "", ""),
                  "basis": _BASIS_EN[basis], "basis_zh": zh, "metric": figure_label(cond.metric),
                  "metric_en": english_label(cond.metric), "current": c.current, "prior": c.prior,
                  "change_pct": _pct(c.relative) if c.relative is not None else "n/a",
                  **_unconfirmed(ctx, cond.metric, [c.span, c.prior_span])}
        evidence = [(note.document, note.page)] + _metric_evidence(ctx, cond.metric, [c.span, c.prior_span])
        return [(values, evidence)]
    return []


# ---------------------------------------------------------------- words in notes and filings

_CLAUSE = re.compile(r"[。；;！!？?\n]|[,，](?=\s*\S)|\.(?=\s|$)")
_NEGATION_ZH = re.compile(r"(未发现|未见|未发生|未出现|未涉及|不存在|没有|并无|暂无|尚无|均无|未|无(?![法力奈论]))[^，,。；;]{0,4}$")
_NEGATION_EN = re.compile(r"\b(no|not|without|never|none|nor|free of|absence of)\b(\W+\w+){0,3}\W*$", re.IGNORECASE)
_ANSWERED_NO = re.compile(r"^\W{0,3}(无|否|没有|none|no|nil)\b|^\s*[:：]\s*(无|否|没有)", re.IGNORECASE)
_SOURCE_ZH = {"inspection": "现场检查记录", "filing": "公告"}


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def mentions(text: str, word: str, *, negations: bool = True) -> list[str]:
    """The clauses of ``text`` that mention ``word`` without negating it (each once, in order)."""
    out: list[str] = []
    latin = word.isascii()
    pattern = re.compile((r"\b" + re.escape(word) + r"\b") if latin else re.escape(word), re.IGNORECASE if latin else 0)
    for clause in _clauses(text):
        for m in pattern.finditer(clause):
            before, after = clause[:m.start()], clause[m.end():]
            negated = bool((_NEGATION_EN if latin else _NEGATION_ZH).search(before) or _ANSWERED_NO.search(after))
            if latin and not negated:
                negated = bool(_NEGATION_ZH.search(before))
            if negated and negations:
                continue
            if clause.strip() not in out:
                out.append(clause.strip())
            break
    return out


@_evaluator("keywords")
def _keywords(ctx: _Context, cond: KeywordsCond) -> list[_Hit]:
    span = flow_span(ctx.span)
    docs: list[tuple[str, InspectionNote]] = []
    if "inspection" in cond.sources:
        docs += [("inspection", n) for n in notes_in(ctx.snapshot, span)]
    if "filing" in cond.sources:
        docs += [("filing", n) for n in ctx.snapshot.filings
                 if n.visit_date is not None and span.start <= n.visit_date <= span.end]
    hits: list[_Hit] = []
    for source, note in sorted(docs, key=lambda d: (d[1].visit_date, d[1].document or "")):
        found = {w: mentions(note.text, w, negations=cond.negations) for w in cond.words}
        found = {w: c for w, c in found.items() if c}
        if not found:
            continue
        excerpt = next(iter(found.values()))[0]
        excerpt = excerpt if len(excerpt) <= 80 else excerpt[:79] + "…"
        values = {"date": note.visit_date.isoformat() if note.visit_date else None, "document": note.document,
                  "source": source, "source_zh": _SOURCE_ZH[source], "words": "、".join(found),
                  "words_en": ", ".join(found), "excerpt": excerpt}
        hits.append((values, [(note.document, note.page)]))
    return hits


# ---------------------------------------------------------------- repayment and visits


#: the regulator's rule behind the overdue floors (cited in alerts and the classification)
OVERDUE_RULE_ZH = "《商业银行金融资产风险分类办法》(2023)：本金、利息逾期即至少为关注类，逾期超过90天至少为次级类，超过270天至少为可疑类，超过360天为损失类"
OVERDUE_RULE_EN = ("Measures for the Risk Classification of Financial Assets of Commercial Banks (2023): any overdue "
                   "principal or interest → at least special mention; over 90 days → at least substandard; "
                   "over 270 → at least doubtful; over 360 → loss")


def overdue_floor(days: int) -> str:
    """The least five-category class the regulator allows for ``days`` past due (正常 when none)."""
    if days > 360:
        return "损失"
    if days > 270:
        return "可疑"
    if days > 90:
        return "次级"
    return "关注" if days > 0 else "正常"


@_evaluator("overdue")
def _overdue(ctx: _Context, cond: OverdueCond) -> list[_Hit]:
    snap = ctx.snapshot
    if snap.as_of is None:
        return []
    worst: dict[str, tuple[int, dt.date, Decimal]] = {}
    for fac in snap.facilities:
        for p in fac.schedule:
            owed = p.principal + p.interest
            unpaid = p.paid_on is None or p.paid_on > snap.as_of or (p.paid_amount is not None and p.paid_amount < owed)
            days = (snap.as_of - p.due).days
            if unpaid and days >= max(1, cond.min_days) and days > worst.get(fac.name, (0,))[0] \
                    and (cond.max_days is None or days <= cond.max_days):
                paid = p.paid_amount if p.paid_on is not None and p.paid_on <= snap.as_of and p.paid_amount else Decimal(0)
                worst[fac.name] = (days, p.due, owed - paid)
    hits: list[_Hit] = []
    for name, (days, due, amount) in worst.items():
        floor = overdue_floor(days)
        hits.append(({"facility": name, "due": due.isoformat(), "days": Decimal(days), "amount": amount,
                      "as_of": snap.as_of.isoformat(), "floor": floor, "floor_en": _FLOOR_EN[floor],
                      "rule_zh": OVERDUE_RULE_ZH, "rule_en": OVERDUE_RULE_EN}, []))
    return hits


_FLOOR_EN = {"正常": "normal", "关注": "special mention", "次级": "substandard", "可疑": "doubtful", "损失": "loss"}


@_evaluator("inspection_due")
def _inspection_due(ctx: _Context, cond: InspectionDueCond) -> list[_Hit]:
    snap = ctx.snapshot
    if snap.as_of is None or not snap.facilities:
        return []
    every = min(f.inspection_days for f in snap.facilities)
    visits = [n.visit_date for n in snap.notes if n.visit_date is not None and n.visit_date <= snap.as_of]
    starts = [f.drawdown_date for f in snap.facilities if f.drawdown_date is not None]
    last = max(visits, default=None)
    since = last or (min(starts) if starts else None)
    if since is None:
        return []
    due = since + dt.timedelta(days=every)
    if due >= snap.as_of:
        return []
    return [({"last_visit": last.isoformat() if last else "none", "due": due.isoformat(), "every": Decimal(every),
              "days_late": Decimal((snap.as_of - due).days), "as_of": snap.as_of.isoformat()}, [])]


_PERIOD_MONTHS = {"quarterly": (3, 6, 9, 12), "semiannual": (6, 12), "annual": (12,)}


def _period_ends_before(day: dt.date, frequency: str) -> list[dt.date]:
    """Reporting period ends on or before ``day``, latest first (two years back)."""
    months = _PERIOD_MONTHS.get(frequency, _PERIOD_MONTHS["quarterly"])
    ends = []
    for year in (day.year, day.year - 1, day.year - 2):
        for m in months:
            end = (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1))
            if end <= day:
                ends.append(end)
    return sorted(ends, reverse=True)


@_evaluator("reporting")
def _reporting(ctx: _Context, cond: ReportingCond) -> list[_Hit]:
    snap = ctx.snapshot
    if snap.as_of is None or not snap.facilities:
        return []
    days = min(f.reporting_days for f in snap.facilities)
    frequency = max((f.reporting_frequency for f in snap.facilities), key=lambda f: len(_PERIOD_MONTHS.get(f, ())))
    due_ends = [e for e in _period_ends_before(snap.as_of, frequency) if e + dt.timedelta(days=days) < snap.as_of]
    if not due_ends:
        return []
    end = due_ends[0]
    if all(f.drawdown_date and end < f.drawdown_date for f in snap.facilities):
        return []  # no facility drawn by then: nothing owed (one drawn later does not excuse another's statements)
    due = end + dt.timedelta(days=days)
    docs = [d for d in snap.documents if d.kind in ("statement", "filing") and d.period_end == end]
    base = {"period_end": end.isoformat(), "due": due.isoformat(), "as_of": snap.as_of.isoformat()}
    if not docs:
        if any(f.span.end == end and f.source != "derived" for f in snap.facts):
            return []  # figures for that date exist (document details not given): received
        late = (snap.as_of - due).days
        return [({**base, "days_late": Decimal(late), "state": f"not received as of {snap.as_of.isoformat()} ({late} days overdue)",
                  "state_zh": f"截至{snap.as_of.isoformat()}仍未收到（逾期{late}天）"}, [])]
    first = min(docs, key=lambda d: d.received)
    if first.received <= due:
        return []
    late = (first.received - due).days
    return [({**base, "days_late": Decimal(late), "received": first.received.isoformat(),
              "state": f"received {first.received.isoformat()}, {late} days late",
              "state_zh": f"于{first.received.isoformat()}收到，迟交{late}天"}, [(first.name, None)])]
