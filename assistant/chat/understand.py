"""Question understanding without a model: question text → ``ParsedQuestion``.

Named steps, each reading the question and adding one part:
``normalise → find_period → find_metrics → find_scope → find_comparison → find_company →
find_intent``.
Company names are matched in ``assistant.chat.companies`` against the clients the caller
may see; a company that is not among them is still named, so the answer can say so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any, Iterable, Literal

from assistant.chat import lexicon as lx
from assistant.chat.companies import CJK as _CJK
from assistant.chat.companies import ClientName, CompanyRef, find_company, normalise
from assistant.chat.defined import Definition, find_definition

__all__ = ["ClientName", "CompanyRef", "ParsedQuestion", "PeriodQuery", "PortfolioQuery", "understand"]

Intent = Literal["figure", "portfolio", "status", "document"]


@dataclass
class PeriodQuery:
    """What the question says about the period; resolved against stored spans later."""

    year: int | None = None
    end: dt.date | None = None  # an exact date printed in the question
    months: int | None = None  # 3, 6, 9, 12 for a flow span; None when not said
    quarter: int | None = None
    half: int | None = None
    point: bool | None = None  # True: a balance date (末 / as of); None: decide by the metric
    opening: bool = False  # 年初 / 期初: the balance at the start of the year
    fiscal: bool = False
    years: tuple[int, ...] = ()  # every year named (2019-2021, "2020年和2021年")
    text: str = ""
    relative: tuple[int, int] | None = None  # where "去年末" / "last quarter" named the period (not a comparison)

    @property
    def given(self) -> bool:
        return self.year is not None or self.end is not None


@dataclass
class PortfolioQuery:
    """A question over several clients; the kinds after "list" are read in ``assistant.chat.portfolio_query``."""

    kind: Literal["threshold", "breach", "warnings", "list", "attention", "headroom", "exit", "support", "rank",
                  "exposure", "due", "compare", "trend"]
    metric: str | None = None
    operator: str | None = None  # "<" or ">"
    threshold: Decimal | None = None
    new_only: bool = False
    metrics: tuple[str, ...] = ()
    clients: tuple[int, ...] = ()  # clients named (compare, trend, exposure of named clients)
    quarters: tuple[tuple[int | None, int], ...] = ()  # quarters named: (year or None, quarter)
    n: int | None = None  # top N (rank, exposure), N quarters (trend), N days (due)
    group_by: Literal["grade", "industry", "category"] | None = None
    order: Literal["high", "low"] | None = None
    next_month: bool = False  # due: the next calendar month (下个月 / next month), not N days


@dataclass
class ParsedQuestion:
    text: str
    lang: Literal["zh", "en"]
    intent: Intent = "document"
    company: CompanyRef | None = None
    metrics: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)  # metric phrases FIGURES.md does not define
    period: PeriodQuery = field(default_factory=PeriodQuery)
    measure: Literal["value", "growth", "change"] = "value"
    comparison: Literal["yoy", "qoq"] | None = None
    decimals: int | None = None
    percent_asked: bool = False
    portfolio: PortfolioQuery | None = None
    status_topic: Literal["grade", "covenants", "warnings", "inspection", "securities", "facility", "figures", "overview"] | None = None
    definition: Definition | None = None  # a formula the question states itself ("DPO is defined as …")
    scope: Literal["consolidated", "parent"] | None = None  # 母公司 / parent company asked; None: not said


# ---------------------------------------------------------------- pipeline
def understand(question: str, clients: Iterable[ClientName] = ()) -> ParsedQuestion:
    """Parse ``question``; ``clients`` are the clients the caller may see."""
    text = normalise(question)
    parsed = ParsedQuestion(text=question, lang="zh" if _CJK.search(text) else "en")
    rest = text
    parsed.period, rest = find_period(rest)
    parsed.decimals, parsed.percent_asked = find_precision(text)
    parsed.definition = find_definition(question)
    parsed.metrics, parsed.unsupported, rest = find_metrics(rest)
    parsed.scope, rest = find_scope(rest)
    if parsed.scope is not None:
        text = _SCOPE_ZH.sub(" ", _SCOPE_EN.sub(" ", text))  # 母公司 is not part of the company's name
    rel = parsed.period.relative  # "上季度的净利润" is last quarter's profit, not its change on the quarter before
    parsed.measure, parsed.comparison = find_comparison(text if rel is None else text[:rel[0]] + " " + text[rel[1]:])
    _growth_ratio_to_measure(parsed)
    _ratio_with_its_inputs(parsed)
    figure_like = bool(parsed.metrics or parsed.unsupported or parsed.period.given)
    clients = list(clients)
    parsed.company = find_company(text, rest, clients, guess_unknown=figure_like)
    find_intent(parsed)
    from assistant.chat.portfolio_query import refine

    refine(parsed, text, clients)  # rankings, exposure, several clients, a metric over quarters
    return parsed


# ---------------------------------------------------------------- scope
# 母公司 on its own (not 归属于母公司…, a consolidated line already taken by find_metrics): the parent
# company's own statements; 合并 / consolidated: the group's.
_SCOPE_ZH = re.compile(r"(?<!归属于)(?<!归属)(?<!归)母公司(?:报表|口径|单体|个别报表)?(?:的)?|(?:单体|个别)(?:报表|口径)(?:的)?")
_SCOPE_EN = re.compile(r"(?<!attributable to )(?<!attributable to the )(?<!owners of )(?<!owners of the )"
                       r"\b(?:the\s+)?(?:parent[- ](?:company|only|entity)(?:'s)?(?:\s+only)?|company[- ]only|standalone)\b",
                       re.IGNORECASE)
_CONSOLIDATED = re.compile(r"合并(?:报表|口径)?(?:的)?|\bconsolidated\b", re.IGNORECASE)


def find_scope(text: str) -> tuple[Literal["consolidated", "parent"] | None, str]:
    """Whether the question asks for the parent company's own figures (母公司, parent company) or
    the group's (合并, consolidated), and the text without those words."""
    for pattern, scope in ((_SCOPE_ZH, "parent"), (_SCOPE_EN, "parent"), (_CONSOLIDATED, "consolidated")):
        if pattern.search(text):
            return scope, pattern.sub(" ", text)  # type: ignore[return-value]
    return None, text


# ---------------------------------------------------------------- period
_MONTH_RE = "|".join(sorted(lx.EN_MONTHS, key=len, reverse=True))
_EN_DATE = rf"(?P<mon>{_MONTH_RE})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<yr>\d{{4}})"
_SPAN_WORDS = "|".join(sorted(lx.SPAN_MONTHS_EN, key=len, reverse=True))
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}


def _en_date(m: re.Match) -> dt.date | None:
    try:
        return dt.date(int(m["yr"]), lx.EN_MONTHS[m["mon"].lower()], int(m["day"]))
    except (ValueError, KeyError):
        return None


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


def find_period(text: str) -> tuple[PeriodQuery, str]:
    """The period the question names, and the text with the period words taken out."""
    p = PeriodQuery()
    low = text.lower()
    spans: list[tuple[int, int]] = []

    def take(m: re.Match) -> None:
        spans.append(m.span())
        p.text = (p.text + " " + m.group(0)).strip()

    # English: "three months ended July 29, 2023", "year ended December 31, 2017", "as of …"
    for m in re.finditer(rf"(?:(?P<n>{_SPAN_WORDS})[- ](?:months?|weeks?)(?: period)?|(?P<q>quarter|three[- ]month period)"
                         rf"|(?P<fy>(?:fiscal )?year)s?) end(?:ed|ing) {_EN_DATE}", low):
        p.end = _en_date(m)
        p.months = lx.SPAN_MONTHS_EN[m["n"]] if m["n"] else 3 if m["q"] else 12
        p.point = False
        take(m)
        break
    if p.end is None:
        m = re.search(rf"(?:as of|as at|at|on|ended|ending)?\s*{_EN_DATE}", low)
        if m:
            p.end = _en_date(m)
            if re.match(r"\s*(as of|as at|at|on)\b", m.group(0)):
                p.point = True
            take(m)
    if p.end is None:
        m = re.search(r"(\d{4})-(\d{2})-(\d{2})", low)
        if m:
            p.end = dt.date(int(m[1]), int(m[2]), int(m[3]))
            take(m)
    if p.end is None:  # "end of September 2026", "end-Sept 2026", "September 2026": the month's last day, as 2026年9月(末)
        m = re.search(rf"(?<![a-z])(?P<endw>(?:the\s+)?end(?:\s+of|-)\s*(?:the\s+month\s+of\s+)?)?(?P<mon>{_MONTH_RE})\.?,?\s+"
                      rf"(?P<yr>(?:19|20)\d{{2}})(?!\d)(?P<endw2>\s*(?:month[- ])?end\b)?", low)
        if m:
            p.end = _month_end(int(m["yr"]), lx.EN_MONTHS[m["mon"]])
            p.point = True if (m["endw"] or m["endw2"]) else None
            take(m)
    m = re.search(r"(\d{4})年(\d{1,2})月(\d{1,2})日", text)
    if m and p.end is None:
        p.end = dt.date(int(m[1]), int(m[2]), int(m[3]))
        p.point = True
        take(m)
    m = re.search(r"(\d{4})年(\d{1,2})月(?:末|底|份)?", text)
    if m and p.end is None:
        p.end = _month_end(int(m[1]), int(m[2]))
        p.point = True if re.search(r"月(末|底)", m.group(0)) else None
        take(m)

    # quarters and halves
    m = re.search(r"(\d{4})\s*年?\s*(?:第)?([一二三四1-4])\s*季(?:度)?(末)?", text) or re.search(
        r"(\d{4})\s*[qQ]([1-4])(末)?", text)
    if m:
        p.year, p.quarter = int(m[1]), lx.CN_DIGITS[m[2]]
        p.months = p.months or 3
        p.point = True if m[3] else p.point
        take(m)
    else:
        m = re.search(r"\bq([1-4])\s*(?:of\s+)?(?:fiscal(?:\s+year)?\s*|fy\s*)?'?(\d{4})\b", low) or re.search(
            rf"\b({'|'.join(_ORD)}) quarter(?: of)?(?: fiscal(?: year)?)? (\d{{4}})", low)
        if m:
            p.quarter = int(m[1]) if m[1].isdigit() else _ORD[m[1]]
            p.year, p.months = int(m[2]), 3
            take(m)
        else:
            m = re.search(r"(?:第)?([一二三四])季度(末)?", text)
            if m:
                p.quarter, p.months = lx.CN_DIGITS[m[1]], 3
                p.point = True if m[2] else p.point
                take(m)
    m = re.search(r"前三季度|1\s*[-—~至到]\s*9\s*月|nine months|9 months|year[- ]to[- ]date", text)
    if m and p.months != 9 and p.end is None:
        p.months, p.quarter = 9, 3
        take(m)
    m = re.search(r"上半年|半年度|半年报|中期|h1|first half|half[- ]year|six months|6 months", low)
    if m and p.end is None and p.months is None:
        p.half, p.months = 1, 6
        take(m)

    # years
    m = re.search(r"(\d{4})\s*(?:年)?\s*(?:[-—~至到])\s*(\d{4})\s*年", text)
    if m:
        p.years = tuple(range(int(m[1]), int(m[2]) + 1))
        take(m)
    years = [int(y) for y in re.findall(r"(?<!\d)((?:19|20)\d{2})(?!\d)", text)]
    if years and not p.years:
        p.years = tuple(dict.fromkeys(years))
    fiscal = list(re.finditer(r"(?:fiscal(?: year)?|fy)\s*'?(\d{4}|\d{2})\b", low))
    m = max(fiscal, key=lambda f: int(f[1]) % 100) if fiscal else None  # "from FY2016 to FY2017": the later
    if m:
        y = int(m[1])
        p.year = y + 2000 if y < 100 else y
        p.fiscal, p.months = True, p.months or 12
        take(m)
    if p.year is None and p.end is not None:
        p.year = p.end.year
    if p.year is None:
        m = re.search(r"((?:19|20)\d{2})\s*(年度|年末|年底|年初|年)?", text)
        if m:
            p.year = int(m[1])
            if p.years and len(p.years) > 1:
                p.year = max(p.years)
            take(m)
    if re.search(r"年度|全年|annual|full[- ]year|for the year|fiscal year", low) and p.months is None:
        p.months = 12
    if p.year is None and p.end is None and not p.years:  # "去年末", "上个季度", "last year": counted back from today
        _relative_period(p, text, low, take)
    # opening and closing balances
    if any(w in text for w in ("年初", "期初")) or any(w in low for w in lx.OPENING_WORDS[4:]):
        p.opening, p.point = True, True
    elif re.search(r"年末|期末|年底|季末|季度末|月末|year[- ]end(?!ed|ing)|end of (?:the )?(?:fiscal )?year|as of|as at", low):
        p.point = True
    mask = [False] * len(text)
    for a, b in spans:
        mask[a:b] = [True] * (b - a)
    rest = "".join(" " if t else c for c, t in zip(text, mask))
    return p, rest


# A relative period names the period itself ("去年末的货币资金", "revenue last year"); after 较/比/与/环比/同比 or
# before 同期, or after "versus", "compared with", "than", "same period" …, the same words name a comparison.
_REL_ZH = re.compile(r"(?<![较比与于])(?:(?P<y>前年|去年|上年|上一年|今年|本年)(?:度)?(?P<ye>末|底|初)?"
                     r"|(?P<q>本|这个|这一|当|上|上个|上一|前一)季(?:度)?(?P<qe>末|底)?"
                     r"|(?P<m>本|上|上个|上一)月(?P<me>末|底))(?!同期|以来|至今)")  # 今年以来: so far, the latest span
_REL_EN = re.compile(r"(?<!versus )(?<!vs )(?<!vs\. )(?<!with )(?<!to )(?<!than )(?<!from )(?<!over )(?<!since )(?<!against )"
                     r"(?<!period )(?<!quarter )(?<!month )(?<!same )"
                     r"\b(?:(?P<pre>(?:at |as of |as at )?(?:the )?(?:end|close) of |(?:the )?(?:beginning|start) of )(?:the )?)?"
                     r"(?P<which>last|previous|prior|this|current)\s+(?:fiscal\s+)?(?P<unit>year|quarter|month)"
                     r"(?P<post>[- ]end\b)?(?![- ](?:over|on)[- ])")
_LAST = {"前年": -2, "去年": -1, "上年": -1, "上一年": -1, "今年": 0, "本年": 0,
         "本": 0, "这个": 0, "这一": 0, "当": 0, "上": -1, "上个": -1, "上一": -1, "前一": -1,
         "last": -1, "previous": -1, "prior": -1, "this": 0, "current": 0}


def _relative_period(p: PeriodQuery, text: str, low: str, take: Any) -> None:
    """Set ``p`` from a period named relative to today (``config.today``: LOANWATCH_TODAY when set)."""
    from assistant import config

    m = _REL_ZH.search(text)
    if m:
        unit = "year" if m["y"] else "quarter" if m["q"] is not None else "month"
        back = _LAST[m["y"] or m["q"] or m["m"]]
        edge = {"末": "end", "底": "end", "初": "start"}.get(m["ye"] or m["qe"] or m["me"] or "")
    else:
        m = _REL_EN.search(low)
        if not m:
            return
        unit, back = m["unit"], _LAST[m["which"]]
        pre = m["pre"] or ""
        edge = "end" if ("end" in pre or "close" in pre or m["post"]) else "start" if pre else None
    today = config.today()
    if unit == "year":
        p.year = today.year + back
        p.years = (p.year,)
        if edge == "end":
            p.point = True
        elif edge == "start":
            p.opening, p.point = True, True
    elif unit == "quarter":
        index = today.year * 4 + (today.month - 1) // 3 + back
        p.year, p.quarter = divmod(index, 4)
        p.quarter += 1
        p.months = p.months or 3
        p.point = True if edge == "end" else p.point
    else:
        first = today.replace(day=1)
        p.end = first - dt.timedelta(days=1) if back else _month_end(today.year, today.month)
        p.year, p.point = p.end.year, True
    p.relative = m.span()
    take(m)


def find_precision(text: str) -> tuple[int | None, bool]:
    """Decimal places asked for ("保留两位小数", "round to two decimal places"), and whether a percent is asked."""
    words = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "one": 1, "two": 2, "three": 3, "four": 4}
    m = re.search(r"保留\s*([0-9一两二三四])\s*位\s*小数", text) or re.search(
        r"(?:round(?:ed)?|rounded off) to (?:the nearest )?([0-9]|one|two|three|four) decimal", text.lower())
    decimals = None
    if m:
        decimals = int(m[1]) if m[1].isdigit() else words[m[1]]
    elif re.search(r"保留整数|round(?:ed)? to (?:the nearest )?whole", text.lower()):
        decimals = 0
    percent = bool(re.search(r"百分比|百分之|%|percent|percentage", text.lower()))
    return decimals, percent


# ---------------------------------------------------------------- metrics
@lru_cache(maxsize=1)
def _phrases() -> list[tuple[str, str, bool]]:
    """(phrase, metric key, whether it is matched as a whole word: an ASCII phrase)."""
    return [(phrase, key, phrase.isascii()) for phrase, key in lx.metric_phrases()]


@lru_cache(maxsize=None)
def _word(phrase: str) -> re.Pattern:
    """An ASCII phrase as a whole word; compiled on first use (hundreds of phrases, few in any one question)."""
    return re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])")


def find_metrics(text: str) -> tuple[list[str], list[str], str]:
    """Metric keys in order of appearance, unsupported metric phrases, text without them."""
    low = text.lower()
    taken = [False] * len(low)
    found: list[tuple[int, str]] = []
    for phrase, key, whole_word in _phrases():
        if phrase not in low:  # neither match below can find it
            continue
        starts = [m.start() for m in _word(phrase).finditer(low)] if whole_word else _all_starts(low, phrase)
        for s in starts:
            e = s + len(phrase)
            if any(taken[s:e]):
                continue
            taken[s:e] = [True] * (e - s)
            found.append((s, key))
    found.sort()
    found = [(s, _per_share(low, s, key)) for s, key in found]
    found = _compose_quotients(found, low)
    metrics, unsupported = [], []
    for _, key in found:
        if key.startswith(lx.UNSUPPORTED_PREFIX):
            unsupported.append(key[len(lx.UNSUPPORTED_PREFIX):])
        elif key not in metrics:
            metrics.append(key)
    rest = "".join(" " if t else c for c, t in zip(text, taken))
    return metrics, unsupported, rest


_QUOTIENT_LINK = re.compile(r"^\s*(?:与|占|和|to|as a (?:share|percentage|proportion) of|over|divided by)\s*$")
_QUOTIENT_TAIL = re.compile(r"^\s*(?:的)?\s*(?:比值|比例|比率|比重|之比|ratio)")


def _per_share(low: str, start: int, key: str) -> str:
    """每股经营现金流量 / "cash flow per share": a per-share figure FIGURES.md does not keep."""
    if key.startswith(lx.UNSUPPORTED_PREFIX) or key in ("basic_eps", "diluted_eps"):
        return key
    end = start + _phrase_len(low, start, key)
    if low[max(0, start - 2):start] == "每股" or re.match(r"\s*per (?:common )?share", low[end:]):
        return f"{lx.UNSUPPORTED_PREFIX}{key} per share"
    return key


def _compose_quotients(found: list[tuple[int, str]], low: str) -> list[tuple[int, str]]:
    """"研发经费与营业收入的比值" → rd_to_revenue; an unknown pair → unsupported "A/B"."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(found):
        if i + 1 < len(found):
            (s1, k1), (s2, k2) = found[i], found[i + 1]
            end1 = s1 + _phrase_len(low, s1, k1)
            end2 = s2 + _phrase_len(low, s2, k2)
            if _QUOTIENT_LINK.match(low[end1:s2]) and _QUOTIENT_TAIL.match(low[end2:]):
                ratio = lx.QUOTIENTS.get((k1, k2))
                out.append((s1, ratio or f"{lx.UNSUPPORTED_PREFIX}{k1}/{k2}"))
                i += 2
                continue
        start, key = found[i]
        share = _SHARE_OF.search(low[max(0, start - 40):start])
        if share and not key.startswith(lx.UNSUPPORTED_PREFIX):  # "wages as a percent of net sales": unknown numerator
            key = f"{lx.UNSUPPORTED_PREFIX}{_numerator(low[max(0, start - 40):start][:share.start()])}/{key}"
        out.append((start, key))
        i += 1
    return out


_SHARE_OF = re.compile(r"(?:as a (?:percent|percentage|share|proportion|ratio) of|% of|占)\s*$")


def _numerator(before: str) -> str:
    """The words naming the unknown numerator ("ulta beauty's wages expense" → "wages expense"), else "something"."""
    tail = re.split(r"'s\b|’s\b|\b(?:the|did|does|what|was|is|of|in)\b|[,?，。]", before)[-1]
    words = re.findall(r"[a-z&]+|[\u4e00-\u9fff]+", tail)[-3:]
    return " ".join(words) or "something"


def _phrase_len(low: str, start: int, key: str) -> int:
    best = 0
    for phrase, k, _ in _phrases():
        if k == key and low.startswith(phrase, start):
            best = max(best, len(phrase))
    return best


def _all_starts(text: str, phrase: str) -> list[int]:
    out, i = [], text.find(phrase)
    while i >= 0:
        out.append(i)
        i = text.find(phrase, i + 1)
    return out


def find_comparison(text: str) -> tuple[str, str | None]:
    low = text.lower()
    comparison = None
    if any(w in low for w in lx.QOQ_WORDS):
        comparison = "qoq"
    elif any(w in low for w in lx.YOY_WORDS):
        comparison = "yoy"
    if any(w in low for w in lx.GROWTH_WORDS) or re.search(r"by what percentage|what percentage .*(increase|decrease|grow|change)", low):
        return "growth", comparison or "yoy"
    if comparison and any(w in low for w in lx.CHANGE_WORDS):
        if re.search(r"percent|percentage|%|百分比|幅度", low):
            return "growth", comparison
        return "change", comparison
    if comparison:
        return "growth", comparison
    return "value", None


def _ratio_with_its_inputs(p: ParsedQuestion) -> None:
    """"working capital ratio … defined as total current assets divided by total current liabilities"."""
    ratios = [k for k in p.metrics if k in lx.RATIO_INPUTS]
    if len(ratios) == 1 and set(p.metrics) - {ratios[0]} <= lx.RATIO_INPUTS[ratios[0]]:
        p.metrics = ratios


def _growth_ratio_to_measure(p: ParsedQuestion) -> None:
    """营业收入增长率 / revenue growth → revenue with measure "growth" (one path for every growth)."""
    for i, key in enumerate(p.metrics):
        base = lx.GROWTH_RATIOS.get(key)
        if base is not None:
            p.metrics[i] = base
            p.measure = "growth"
            p.comparison = p.comparison or "yoy"
    p.metrics = list(dict.fromkeys(p.metrics))


# ---------------------------------------------------------------- intent
def find_intent(p: ParsedQuestion) -> None:
    low = p.text.lower()
    named = p.company is not None and p.company.client_id is not None
    described = p.company is not None and p.company.described  # "the toll road": one client, or ask which
    portfolio_words = any(w in low for w in lx.PORTFOLIO_WORDS)
    if portfolio_words and not named:
        p.intent = "portfolio"
        p.portfolio = _portfolio_query(p, low)
        return
    if (p.metrics or p.unsupported) and not any(w in low for w in lx.EXPLAIN_WORDS):
        p.intent = "figure"
        return
    if any(w in low for w in lx.GRADE_WORDS):
        p.intent, p.status_topic = "status", "grade"
    elif any(w in low for w in lx.COVENANT_WORDS) or any(w in low for w in lx.BREACH_WORDS):
        p.intent, p.status_topic = "status", "covenants"
    elif any(w in low for w in lx.WARNING_WORDS):
        p.intent, p.status_topic = "status", "warnings"
    elif named and any(w in low for w in lx.LIMIT_WORDS + lx.MATURITY_WORDS + lx.ARREARS_WORDS):
        p.intent, p.status_topic = "status", "facility"  # limit, drawn, outstanding, maturity, arrears: the facility records
    elif named and any(w in low for w in lx.SECURITY_WORDS) and not any(w in low for w in lx.GIVEN_GUARANTEE_WORDS):
        p.intent, p.status_topic = "status", "securities"  # the loan's collateral and guarantees, from the facility records
    elif any(w in low for w in lx.INSPECTION_WORDS) and any(w in low for w in lx.LATEST_WORDS) \
            or named and any(w in low for w in ("项目进度", "工程进度", "建设进度", "施工进度", "project progress", "construction progress")):
        p.intent, p.status_topic = "status", "inspection"  # the latest note: date, progress, problems found
    elif (named or described) and any(w in low for w in lx.OVERVIEW_WORDS) \
            and not any(w in low for w in lx.FIGURE_LIST_WORDS):
        p.intent, p.status_topic = "status", "overview"  # a briefing: grade, covenants, warnings, changes, inspection
    elif named and any(w in low for w in lx.FIGURES_WORDS):
        p.intent, p.status_topic = "status", "figures"
    else:
        p.intent = "document"


def _portfolio_query(p: ParsedQuestion, low: str) -> PortfolioQuery:
    new_only = any(w in low for w in lx.NEW_WORDS[1:]) or bool(re.search(r"\bnew\b|新增|新出现|新的", low))
    metric = p.metrics[0] if p.metrics else None
    op = None
    if any(w in low for w in lx.BELOW_WORDS):
        op = "<"
    elif any(w in low for w in lx.ABOVE_WORDS):
        op = ">"
    threshold = None
    m = re.findall(r"(-?\d+(?:\.\d+)?)\s*(%|percent|倍)?", re.sub(r"(19|20)\d{2}\s*(年|q[1-4])?", " ", low))
    if m:
        num, unit = m[-1]
        threshold = Decimal(num) / (100 if unit in ("%", "percent") else 1)
    if metric and op and threshold is not None:
        return PortfolioQuery("threshold", metric, op, threshold, new_only)
    if any(w in low for w in lx.BREACH_WORDS) or any(w in low for w in lx.COVENANT_WORDS):
        return PortfolioQuery("breach", new_only=new_only)
    if any(w in low for w in lx.WARNING_WORDS):
        return PortfolioQuery("warnings", new_only=new_only)
    return PortfolioQuery("list", metric=metric)
