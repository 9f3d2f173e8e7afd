"""Claims, not just numbers: the memo's words checked against the facts.

A memo can carry every number correctly and still say the wrong thing: "违约" changed to
"达标", "关注" to "正常", "下降" to "增长", grade "E" to "B". ``claim_facts(snapshot, span)``
gathers what the analytics say (covenant status per facility and metric, the five-category
classification, the grade, the sign of every figure's and ratio's change quarter on quarter
and year on year) and ``check_claims(text, facts)`` reads the memo sentence by sentence:

* **covenant status** — a status word (达标/满足/达到/met … 违约/未达到/breach …) in a sentence
  naming a covenant's metric must be that covenant's status; "全部财务约束均达标" / "all
  covenants met" must hold for every covenant. "由达标转为违约" reads the first word as last
  quarter's status.
* **classification** — in a sentence about the 五级分类 / classification, every category word
  (正常/关注/次级/可疑/损失, normal … loss) must be the suggested one, except after "至少" / "at
  least" (a reason's floor) and the "由 X" of a change (last quarter's).
* **grade** — the letter after 评级 / grade must be the grade ("由 B 下调至 C": B is last quarter's).
* **direction** — 增长/上升/下降/increase/decrease/up/down/收窄/扩大 must agree with the printed
  series of the sentence ("由 A 变为 B", "from A to B", "A → B") when there is one, else with
  the sign of the change of the figure the sentence names, on the basis its clause names
  (同比 → year on year, 环比/较上期 → quarter on quarter; either when it names none).

A memo section whose heading names the officer's opinion (信贷员意见, 客户经理意见, Officer's
opinion) may disagree: what is found there is reported with ``opinion=True`` and does not
block approval. Table rows are left to the table check of ``verify`` (they are compared cell
by cell with the tables rebuilt from the facts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from assistant.bindings import basis_near, clause_of, labels_in, mask_names, sentences
from assistant.domain import ClientSnapshot, Span

OPINION_HEADING = re.compile(r"信贷员意见|客户经理意见|信贷人员意见|officer'?s? opinion|opinion of the (?:credit )?officer", re.I)

_BREACH = ("未达到", "未满足", "不满足", "未达标", "不达标", "违约", "违反", "突破", "breached", "breach", "failing",
           "failed", "fails", "not met", "violated", "violation")
_MET = ("达标", "达到", "满足", "符合", "met", "meets", "satisfied", "complies", "compliant", "in compliance")
_COVENANT_CONTEXT = ("约束", "条款", "约定", "要求", "covenant", "requirement")
_ALL = ("全部", "所有", "均", "all ")
_UP = ("增长", "上升", "增加", "提高", "提升", "回升", "扩大", "increase", "increased", "rose", "risen", "grew", "grown",
       "up ", "widened", "widening")
_DOWN = ("下降", "减少", "下滑", "降低", "回落", "收窄", "decrease", "decreased", "fell", "fallen", "declined", "down ",
         "thinned", "thinning", "narrowed", "narrowing")
_CATEGORIES = {"正常": "正常", "关注": "关注", "次级": "次级", "可疑": "可疑", "损失": "损失", "normal": "正常",
               "special mention": "关注", "substandard": "次级", "doubtful": "可疑", "loss": "损失"}
_CLASS_CONTEXT = ("五级分类", "分类", "classification", "five-category")
_FLOOR = ("至少", "at least", "不低于")
_GRADE = re.compile(r"(?i:评级|grade)(?P<gap>[^A-Za-z。\n|]{0,8}?|\s+(?i:is|was|of|from)\s+)(?P<g>[A-E])(?![A-Za-z])")
_CHANGE_FROM = re.compile(r"由\s*“?|from\s+", re.I)
_SERIES_ARROW = re.compile(r"→")


@dataclass(frozen=True)
class CovenantState:
    facility: str
    metric: str
    status: str  # pass | breach | unknown | not_tested | unconfirmed
    prior: str | None = None  # last quarter's status
    headroom: tuple[Decimal, ...] = ()  # the headroom trend, oldest first, this quarter last


@dataclass
class ClaimFacts:
    """What the analytics say about the memo's period, for checking its words."""

    span: Span
    covenants: list[CovenantState] = field(default_factory=list)
    classification: str | None = None
    prior_classification: str | None = None
    grade: str | None = None
    prior_grade: str | None = None
    changes: dict[tuple[str, str], Decimal] = field(default_factory=dict)  # (key, qoq|yoy) → absolute change
    names: list[str] = field(default_factory=list)  # facility and client names (masked before reading labels)


@dataclass(frozen=True)
class Contradiction:
    kind: str  # covenant | classification | grade | direction
    claim: str  # the words that contradict
    expected: str  # what the facts say
    context: str  # the sentence
    opinion: bool = False  # inside the officer's opinion section: reported, not blocking

    def line(self) -> str:
        where = " (officer's opinion)" if self.opinion else ""
        return f"{self.kind}: “{self.claim}” but the facts say {self.expected}{where} in “{self.context}”"


def claim_facts(snapshot: ClientSnapshot, span) -> ClaimFacts:
    """The covenant statuses, classification, grade and change signs of ``span`` (see the module docstring)."""
    from assistant.analytics.assessment import assess
    from assistant.analytics.trends import change
    from assistant.memo.builder import resolve_span
    from assistant.memo.sections import CHANGE_KEYS, TABLE_KEYS

    span = resolve_span(span)
    a = assess(snapshot, span)
    before = span.previous_quarter() if span.months == 3 else span.same_span_last_year()
    prior = assess(snapshot, before) if any(f.span.end == before.end for f in snapshot.facts) else None
    prior_status = {(c.facility, c.covenant.metric): c.status for c in (prior.covenants if prior else [])}
    facts = ClaimFacts(span)
    facts.covenants = [CovenantState(c.facility, c.covenant.metric, c.status, prior_status.get((c.facility, c.covenant.metric)),
                                     _trend(c)) for c in a.covenants]
    facts.classification = a.classification.category
    facts.prior_classification = prior.classification.category if prior else None
    facts.grade = a.grade.letter
    facts.prior_grade = prior.grade.letter if prior else None
    from assistant.analytics.ratios import RATIO_KEYS

    for key in dict.fromkeys(list(TABLE_KEYS) + list(CHANGE_KEYS) + list(RATIO_KEYS)):
        for basis in ("qoq", "yoy"):
            c = change(snapshot.facts, key, span, basis, facilities=snapshot.facilities)  # type: ignore[arg-type]
            if c is not None and c.absolute is not None:
                facts.changes[(key, basis)] = c.absolute
    facts.names = [f.name for f in snapshot.facilities] + [snapshot.client.name, *snapshot.client.aliases]
    return facts


def _trend(c) -> tuple[Decimal, ...]:  # noqa: ANN001 - a CovenantResult
    points = [(s.end, h) for s, h in c.headroom_trend if h is not None]
    if c.headroom is not None and not any(end == c.span.end for end, _ in points):
        points.append((c.span.end, c.headroom))
    return tuple(h for _, h in sorted(points))


# ---------------------------------------------------------------- reading the text


def opinion_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each section whose heading names the officer's opinion."""
    out = []
    heads = [(m.start(), len(m.group(1)), m.group(2)) for m in re.finditer(r"(?m)^(#{1,6})\s*(.*)$", text)]
    for i, (start, level, title) in enumerate(heads):
        if OPINION_HEADING.search(title):
            end = next((s for s, lv, _ in heads[i + 1:] if lv <= level), len(text))
            out.append((start, end))
    # a bold or plain line that names it ("**信贷员意见：**") opens a section up to the next heading
    for m in re.finditer(r"(?m)^\s*\**\s*(?:信贷员意见|客户经理意见|officer'?s? opinion)\s*[:：]", text, flags=0):
        if any(a <= m.start() < b for a, b in out):
            continue
        nxt = re.compile(r"(?m)^#").search(text, m.end())
        out.append((m.start(), nxt.start() if nxt else len(text)))
    return out


def _find_words(low: str, words: tuple[str, ...], lo: int, hi: int) -> list[tuple[int, int, str]]:
    out = []
    for w in words:
        for m in re.finditer(re.escape(w.casefold()), low[lo:hi]):
            a = lo + m.start()
            if w.isascii() and w[0].isalpha() and a > 0 and low[a - 1].isalpha():
                continue
            out.append((a, a + len(w), w))
    out.sort()
    kept: list[tuple[int, int, str]] = []
    for item in sorted(out, key=lambda t: (t[0], -(t[1] - t[0]))):
        if all(item[0] >= e or item[1] <= s for s, e, _ in kept):
            kept.append(item)
    return sorted(kept)


def _series(text: str, lo: int, hi: int, mentions) -> list[tuple[int, Decimal, Decimal]]:
    """(position, first, last) of each printed series in the sentence: 由 A 变为 B, from A to B, A → B → C."""
    nums = [m for m in mentions if lo <= m.start < hi and m.value is not None
            and m.kind in ("amount", "percent", "points", "multiple", "number", "count")]
    out = []
    seg = text[lo:hi]
    if "→" in seg:
        chain: list = []
        for m in nums:
            if chain and "→" in text[chain[-1].end:m.start] and len(text[chain[-1].end:m.start].strip()) <= 12:
                chain.append(m)
                continue
            if len(chain) >= 2:
                out.append((chain[0].start, _signed(text, chain[0]), _signed(text, chain[-1])))
            chain = [m]
        if len(chain) >= 2:
            out.append((chain[0].start, _signed(text, chain[0]), _signed(text, chain[-1])))
    for m in _CHANGE_FROM.finditer(seg):
        after = [n for n in nums if n.start >= lo + m.end()]
        if len(after) >= 2 and re.search(r"变为|降至|升至|\bto\b", text[after[0].end:after[1].start], re.I):
            out.append((after[0].start, _signed(text, after[0]), _signed(text, after[1])))
    return out


def _signed(text: str, m) -> Decimal:
    return m.value if m.value is not None else Decimal(0)


def _direction_of(word: str) -> int:
    w = word.casefold()
    return 1 if any(w == u.casefold() for u in _UP) else -1


def check_claims(text: str, facts: ClaimFacts) -> list[Contradiction]:
    """Every claim of ``text`` that contradicts ``facts`` (see the module docstring)."""
    from assistant.numguard import find_numbers

    scan = mask_names(text, facts.names)
    low = scan.casefold()
    mentions = find_numbers(scan)
    labels = labels_in(scan)
    opinions = opinion_ranges(text)
    table_lines = [(m.start(), m.end()) for m in re.finditer(r"(?m)^\s*\|.*$", text)]
    out: list[Contradiction] = []
    for lo, hi in sentences(scan):
        if any(a <= lo < b for a, b in table_lines) or not scan[lo:hi].strip():
            continue
        context = text[lo:hi].strip()[:160]
        opinion = any(a <= lo < b for a, b in opinions)
        found = (_covenant_claims(scan, low, lo, hi, labels, facts) + _class_claims(low, lo, hi, facts)
                 + _grade_claims(scan, lo, hi, facts) + _direction_claims(scan, low, lo, hi, labels, mentions, facts)
                 + _headroom_claims(scan, low, lo, hi, labels, mentions, facts) + _grade_move_claims(scan, low, lo, hi, facts))
        out += [Contradiction(kind, claim, expected, context, opinion) for kind, claim, expected in found]
    return out


def _covenant_claims(text, low, lo, hi, labels, facts: ClaimFacts) -> list[tuple[str, str, str]]:
    if not facts.covenants:
        return []
    words = [(a, b, w, "breach") for a, b, w in _find_words(low, _BREACH, lo, hi)]
    taken = [(a, b) for a, b, _, _ in words]
    words += [(a, b, w, "pass") for a, b, w in _find_words(low, _MET, lo, hi)
              if all(b <= s or a >= e for s, e in taken)]
    if not words:
        return []
    sentence = low[lo:hi]
    metrics = {c.metric for c in facts.covenants}
    here = [lab for lab in labels if lo <= lab[0] < hi and lab[2] in metrics]
    if not here and not any(w in sentence for w in _COVENANT_CONTEXT):
        return []
    out = []
    for a, _, word, claimed in sorted(words):
        before = [lab for lab in here if lab[1] <= a]
        ca, cb = clause_of(text, a, lo, hi)
        after = [lab for lab in here if a <= lab[0] < cb]  # "达标的流动比率": only within the clause
        metric = (before[-1] if before else after[0] if after else None)
        if metric is None:
            if any(w in sentence for w in _ALL):
                wrong = [c for c in facts.covenants if c.status in ("pass", "breach") and c.status != claimed]
                if wrong:
                    out.append(("covenant", word, f"{wrong[0].facility} {wrong[0].metric}: {_status(wrong[0].status)}"))
            continue
        states = [c for c in facts.covenants if c.metric == metric[2]]
        named = [c for c in states if c.facility and c.facility.casefold() in low[lo:hi]]
        states = named or states
        is_prior = bool(re.search(r"由\s*$|from\s+$", low[max(lo, a - 4):a]))
        truths = {(c.prior if is_prior else c.status) for c in states}
        truths &= {"pass", "breach"}
        if truths and claimed not in truths:
            out.append(("covenant", word, f"{metric[2]}: {' / '.join(_status(t) for t in sorted(truths))}"
                        + (" (last quarter)" if is_prior else "")))
    return out


_HEADROOM = ("余量", "headroom")


def _headroom_claims(text, low, lo, hi, labels, mentions, facts: ClaimFacts) -> list[tuple[str, str, str]]:
    """A printed headroom series ("余量持续收窄（17.8% → 12.2% → 3.9%）") must be the covenant's trend."""
    if "→" not in text[lo:hi] or not any(w in low[lo:hi] for w in _HEADROOM):
        return []
    metrics = {c.metric for c in facts.covenants}
    here = [lab for lab in labels if lo <= lab[0] < hi and lab[2] in metrics]
    if not here:
        return []
    chain = [m for m in mentions if lo <= m.start < hi and m.kind == "percent" and m.start > here[0][1]]
    chain = [m for i, m in enumerate(chain) if i == 0 or "→" in text[chain[i - 1].end:m.start]]
    if len(chain) < 2:
        return []
    states = [c for c in facts.covenants if c.metric == here[0][2] and c.headroom]
    named = [c for c in states if c.facility and c.facility.casefold() in low[lo:hi]]
    for c in named or states:  # the printed run of the trend (a PDF line may wrap it: a run, not always the end)
        runs = [c.headroom[i:i + len(chain)] for i in range(len(c.headroom) - len(chain) + 1)]
        if any(all(_prints_as(h * 100, m) for h, m in zip(run, chain)) for run in runs):
            return []
    if not states:
        return []
    shown = " → ".join(m.text for m in chain)
    want = " → ".join(f"{h * 100:.1f}%" for h in (named or states)[0].headroom[-len(chain):])
    return [("number", shown, f"headroom {want}")]


def _prints_as(value: Decimal, m) -> bool:  # noqa: ANN001 - a NumberMention
    quantum = Decimal(1).scaleb(-m.decimals)
    printed = abs(m.mantissa) if m.value is not None else None
    if printed is None:
        return False
    from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP

    same = any(abs(value).quantize(quantum, rounding=r) == printed for r in (ROUND_HALF_UP, ROUND_HALF_EVEN))
    return same and (printed == 0 or (value < 0) == (m.value < 0))


def _status(status: str) -> str:
    return {"pass": "met (达标)", "breach": "breached (违约)"}.get(status, status)


def _class_claims(low, lo, hi, facts: ClaimFacts) -> list[tuple[str, str, str]]:
    sentence = low[lo:hi]
    if facts.classification is None or not any(w in sentence for w in _CLASS_CONTEXT):
        return []
    out = []
    for a, _, word in _find_words(low, tuple(_CATEGORIES), lo, hi):
        lead = low[max(lo, a - 6):a]
        if any(f in lead for f in _FLOOR):
            continue
        category = _CATEGORIES[word.casefold()] if word.isascii() else _CATEGORIES[word]
        is_prior = bool(re.search(r"(?:由|from)\s*[“\"']?\s*$", lead))
        want = facts.prior_classification if is_prior else facts.classification
        if want is not None and category != want:
            out.append(("classification", word, f"{want}" + (" (last quarter)" if is_prior else "")))
    return out


def _grade_claims(text, lo, hi, facts: ClaimFacts) -> list[tuple[str, str, str]]:
    if facts.grade is None:
        return []
    out = []
    for m in _GRADE.finditer(text, lo, hi):
        letter = m.group("g")
        gap = m.group("gap")
        is_prior = "由" in gap or "from" in gap.casefold()
        want = facts.prior_grade if is_prior else facts.grade
        if want and letter != want:
            out.append(("grade", f"{m.group(0).strip()}", f"grade {want}" + (" (last quarter)" if is_prior else "")))
        # "由 B 下调至 C": the letter after the verb is this quarter's
        tail = re.match(r"\s*(?i:下调|上调|降|升|调整|moved|lowered|raised|cut|upgraded|downgraded)(?:\s*(?:至|to)\s*)?\s*([A-E])(?![A-Za-z])",
                        text[m.end():hi])
        if is_prior and tail and tail.group(1) != facts.grade:
            out.append(("grade", tail.group(1), f"grade {facts.grade}"))
    return out


_GRADE_MOVE = re.compile(r"(?:由|from)\s*(?P<a>[A-E])\s*(?P<verb>下调至|上调至|调整为|调整至|变为|至|to)\s*(?P<b>[A-E])(?![A-Za-z])")
_WORSE = ("下调", "down", "downgraded", "lowered", "cut", "worsened")
_BETTER = ("上调", "up", "upgraded", "raised", "improved")


def _grade_move_claims(text, low, lo, hi, facts: ClaimFacts) -> list[tuple[str, str, str]]:
    """"The risk grade moved down from A to C" / "风险评级由 B 下调至 C": the letters are last
    quarter's and this quarter's grade, and the verb says which way (A is the best)."""
    sentence = low[lo:hi]
    if "评级" not in sentence and "grade" not in sentence:
        return []
    out = []
    for m in _GRADE_MOVE.finditer(text, lo, hi):
        a, b = m.group("a"), m.group("b")
        if facts.prior_grade and a != facts.prior_grade:
            out.append(("grade", a, f"grade {facts.prior_grade} (last quarter)"))
        if facts.grade and b != facts.grade:
            out.append(("grade", b, f"grade {facts.grade}"))
        words = re.findall(r"[a-z]+|[\u4e00-\u9fff]{2}", sentence)
        said = [w for w in _WORSE + _BETTER if (w in words if w.isascii() else w in sentence)]
        if a != b and said:
            worse = said[0] in _WORSE
            if worse != (b > a):
                out.append(("direction", said[0], f"grade {a} → {b} is {'worse' if b > a else 'better'}"))
    return out


#: words that may stand before a direction word in its clause without naming another subject
_MODIFIERS = re.compile(r"同比|环比|较上期|较上年|较年初|较上季度|上年同期|去年同期|与上期相比|与上年相比|大幅|明显|显著|略有|略微|小幅|有所|继续|持续|"
                        r"进一步|分别|出现|均|也|仍|则|但|而|且|并|呈|已|再|又|较|的|了|[\s\d.,%％+\-−（）()\[\]^*]")


def _names_its_own_subject(before_word: str) -> bool:
    """True when the clause, before its direction word, names something (Chinese) that is no figure label."""
    return bool(re.search(r"[\u4e00-\u9fff]", _MODIFIERS.sub("", before_word)))


def _direction_claims(text, low, lo, hi, labels, mentions, facts: ClaimFacts) -> list[tuple[str, str, str]]:
    words = _find_words(low, _UP + _DOWN, lo, hi)
    if not words:
        return []
    series = _series(text, lo, hi, mentions)
    here = [lab for lab in labels if lo <= lab[0] < hi]
    out = []
    for a, b, word in words:
        claimed = _direction_of(word)
        if series:
            after = [s for s in series if s[0] >= b]
            first, last = (after[0] if after else series[-1])[1:]
            if first != last and (last > first) != (claimed > 0):
                out.append(("direction", word, f"{first} → {last}"))
            continue
        before = [lab for lab in here if lab[1] <= a]
        if not before or word.casefold() in ("收窄", "扩大", "thinning", "widening", "thinned", "widened", "narrowed", "narrowing"):
            continue
        key = before[-1][2]
        ca, cb = clause_of(text, a, lo, hi)
        if before[-1][1] <= ca and _names_its_own_subject(text[ca:a]):
            continue  # "资产负债率上升、流动性下降": 下降 is said of 流动性, not of the figure named in an earlier clause
        basis = basis_near(text, ca, cb, a)
        bases = [basis] if basis else ["qoq", "yoy"]
        signs = {(facts.changes[(key, x)] > 0) - (facts.changes[(key, x)] < 0) for x in bases if (key, x) in facts.changes}
        if signs and claimed not in signs and 0 not in signs:
            what = " / ".join(f"{x} {facts.changes[(key, x)]:+.4g}" for x in bases if (key, x) in facts.changes)
            out.append(("direction", word, f"{key} changed {what}"))
    return out


__all__ = ["ClaimFacts", "Contradiction", "CovenantState", "OPINION_HEADING", "check_claims", "claim_facts", "opinion_ranges"]
