"""Score an extraction against a known truth: every value by (kind, scope, key, period).

Used by the synthetic tests and the evaluation. A value is *correct* when the extracted
statement of the same kind and scope has the same key in a column of the same period with
an equal value (``None`` = printed empty or dash, equal only to ``None``); *missed* when the
statement, column or row is absent or the value is ``None`` where a number was printed;
*wrong* otherwise, including a key the truth does not have in that statement.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from extractors.models import ExtractionResult, Statement


@dataclass
class Mismatch:
    kind: str
    scope: str
    key: str | None
    period: str
    expected: object
    got: object
    what: str  # missed | wrong | unexpected | statement | column | unit | currency | page

    def line(self) -> str:
        return (f"{self.kind}/{self.scope} {self.key or '-'} [{self.period}] {self.what}: "
                f"expected {self.expected!r}, got {self.got!r}")


@dataclass
class Score:
    correct: int = 0
    wrong: int = 0
    missed: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.correct + self.wrong + self.missed

    @property
    def precision(self) -> float:
        found = self.correct + self.wrong
        return self.correct / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.total if self.total else 1.0

    @property
    def exact(self) -> bool:
        return not self.mismatches


def _period(start: dt.date | None, end: dt.date | None) -> str:
    return f"{start}..{end}" if start else str(end)


def _pick(truth: Statement, got: ExtractionResult) -> Statement | None:
    candidates = [s for s in got.statements if s.kind == truth.kind and s.scope == truth.scope]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (len(set(s.pages) & set(truth.pages)), len(s.items)))


def _num(v: Decimal | None) -> object:
    return None if v is None else format(v, "f")


def compare(truth: ExtractionResult, got: ExtractionResult, *, check_pages: bool = True) -> Score:
    score = Score()
    for ts in truth.statements:
        kind, scope = str(ts.kind), str(ts.scope)
        keyed = [i for i in ts.items if i.key]
        gs = _pick(ts, got)
        if gs is None:
            score.missed += sum(len(i.values) for i in keyed)
            score.mismatches.append(Mismatch(kind, scope, None, "", f"{len(keyed)} rows", None, "statement"))
            continue
        for attr in ("unit", "currency"):
            if getattr(ts, attr) != getattr(gs, attr):
                score.mismatches.append(Mismatch(kind, scope, None, "", getattr(ts, attr), getattr(gs, attr), attr))
        got_cols = {(c.period_start, c.period_end): n for n, c in enumerate(gs.columns)}
        col_map: list[int | None] = []
        for c in ts.columns:
            n = got_cols.get((c.period_start, c.period_end))
            col_map.append(n)
            if n is None:
                score.mismatches.append(Mismatch(
                    kind, scope, None, _period(c.period_start, c.period_end), c.label,
                    [_period(g.period_start, g.period_end) for g in gs.columns], "column"))
        by_key: dict[str, list] = {}
        for item in gs.items:
            if item.key:
                by_key.setdefault(item.key, []).append(item)
        truth_keys = {i.key for i in keyed}
        for key, items in by_key.items():
            if key not in truth_keys or len(items) > 1:
                extra = items if key not in truth_keys else items[1:]
                for item in extra:
                    score.wrong += sum(v is not None for v in item.values)
                    score.mismatches.append(Mismatch(kind, scope, key, "", None, item.label, "unexpected"))
        for ti in keyed:
            gi = (by_key.get(ti.key) or [None])[0]
            if gi is not None and check_pages and gi.page != ti.page:
                score.mismatches.append(Mismatch(kind, scope, ti.key, "", ti.page, gi.page, "page"))
            for c, expected, n in zip(ts.columns, ti.values, col_map):
                period = _period(c.period_start, c.period_end)
                value = None if gi is None or n is None or n >= len(gi.values) else gi.values[n]
                if value == expected and (value is None) == (expected is None) and gi is not None and n is not None:
                    score.correct += 1
                    continue
                if gi is None or n is None or (value is None and expected is not None):
                    score.missed += 1
                    what = "missed"
                else:
                    score.wrong += 1
                    what = "wrong"
                shown = "<no row>" if gi is None else "<no column>" if n is None else _num(value)
                score.mismatches.append(Mismatch(kind, scope, ti.key, period, _num(expected), shown, what))
    return score
