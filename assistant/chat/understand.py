"""Question understanding without a model: question text → ``ParsedQuestion``.

Named steps, each reading the question and adding one part:
``normalise → find_period → find_metrics → find_comparison → find_company → find_intent``.
Company names are matched against the clients the caller may see (full name, short name,
alias, fuzzy); a company that is not among them is still named (so the answer can say it is
not in the store), from its legal-name suffix or from what is left once the period, metric
and question words are taken out.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from collections import Counter
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Iterable, Literal

from assistant.chat import lexicon as lx

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

    @property
    def given(self) -> bool:
        return self.year is not None or self.end is not None


@dataclass
class CompanyRef:
    name: str  # as matched in the question (or the client's name when known)
    client_id: int | None = None  # None: not a client the caller may see
    client_name: str | None = None
    score: float = 1.0


@dataclass
class PortfolioQuery:
    kind: Literal["threshold", "breach", "warnings", "list"]
    metric: str | None = None
    operator: str | None = None  # "<" or ">"
    threshold: Decimal | None = None
    new_only: bool = False


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
    status_topic: Literal["grade", "covenants", "warnings", "inspection", "figures"] | None = None


@dataclass(frozen=True)
class ClientName:
    """A client the caller may see, as the matcher needs it."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()


# ---------------------------------------------------------------- pipeline
def understand(question: str, clients: Iterable[ClientName] = ()) -> ParsedQuestion:
    """Parse ``question``; ``clients`` are the clients the caller may see."""
    text = normalise(question)
    parsed = ParsedQuestion(text=question, lang="zh" if _CJK.search(text) else "en")
    rest = text
    parsed.period, rest = find_period(rest)
    parsed.decimals, parsed.percent_asked = find_precision(text)
    parsed.metrics, parsed.unsupported, rest = find_metrics(rest)
    parsed.measure, parsed.comparison = find_comparison(text)
    _growth_ratio_to_measure(parsed)
    _ratio_with_its_inputs(parsed)
    figure_like = bool(parsed.metrics or parsed.unsupported or parsed.period.given)
    parsed.company = find_company(text, rest, list(clients), guess_unknown=figure_like)
    find_intent(parsed)
    return parsed


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


# ---------------------------------------------------------------- period
_CJK = re.compile(r"[\u4e00-\u9fff]")
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
        m = re.search(r"\bq([1-4])\s*(?:fy\s*)?'?(\d{4})\b", low) or re.search(
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
def _phrases() -> list[tuple[str, str, re.Pattern | None]]:
    out = []
    for phrase, key in lx.metric_phrases():
        ascii_phrase = phrase.isascii()
        pattern = re.compile(r"(?<![a-z0-9])" + re.escape(phrase) + r"(?![a-z0-9])") if ascii_phrase else None
        out.append((phrase, key, pattern))
    return out


def find_metrics(text: str) -> tuple[list[str], list[str], str]:
    """Metric keys in order of appearance, unsupported metric phrases, text without them."""
    low = text.lower()
    taken = [False] * len(low)
    found: list[tuple[int, str]] = []
    for phrase, key, pattern in _phrases():
        starts = [m.start() for m in pattern.finditer(low)] if pattern else _all_starts(low, phrase)
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
        if _SHARE_OF.search(low[max(0, start - 40):start]) and not key.startswith(lx.UNSUPPORTED_PREFIX):
            key = f"{lx.UNSUPPORTED_PREFIX}something/{key}"  # "wages as a percent of net sales": unknown numerator
        out.append((start, key))
        i += 1
    return out


_SHARE_OF = re.compile(r"(?:as a (?:percent|percentage|share|proportion|ratio) of|% of|占)\s*$")


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


# ---------------------------------------------------------------- company
def core_name(name: str) -> str:
    """A company name without its legal suffix, lower-case: 贵州茅台酒股份有限公司 → 贵州茅台酒."""
    out = normalise(name).lower().strip()
    out = re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", out)  # trailing "(Square)" style notes
    out = re.sub(r"^the\s+", "", out)
    changed = True
    while changed:
        changed = False
        for suffix in lx.COMPANY_SUFFIXES:
            if out.endswith(suffix) and len(out) > len(suffix) + 1:
                out = out[: -len(suffix)].rstrip(" ,.")
                changed = True
    return out


def _candidates(client: ClientName) -> list[tuple[str, bool]]:
    """(name form, whether fuzzy matching may use it): legal suffixes never count as a match."""
    out: dict[str, bool] = {}
    for n in (client.name, *client.aliases):
        for c, fuzzy in ((normalise(n).lower(), False), (core_name(n), True)):
            if c:
                out[c] = out.get(c, False) or fuzzy
    return list(out.items())


def _lcs(a: str, b: str) -> int:
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size


_GENERIC_HEADS = frozenset({"the", "american", "united", "general", "first", "national", "international", "china", "new",
                            "global", "royal", "bank", "great", "southern", "northern", "western", "eastern"})


def match_client(text: str, clients: list[ClientName]) -> CompanyRef | None:
    """The visible client the question names, by full name, short name, alias or fuzzily."""
    low = normalise(text).lower()
    words = re.findall(r"[a-z0-9][a-z0-9&.-]*[a-z0-9&]|[a-z0-9]", low)
    heads = Counter(cand.split()[0] for c in clients for cand, fuzzy in _candidates(c) if fuzzy and cand.isascii() and cand.split())
    best: CompanyRef | None = None
    for client in clients:
        for cand, fuzzy in _candidates(client):
            score = 0.0
            if cand.isascii():
                head = cand.split()[0] if cand.split() else cand
                if re.search(r"(?<![a-z0-9])" + re.escape(cand) + r"(?![a-z0-9])", low):
                    score = 1.0 + len(cand) / 100
                elif fuzzy and heads[head] == 1 and head not in _GENERIC_HEADS and len(head) >= 3 and head in words:
                    score = 0.9  # "Costco" for Costco Wholesale, "MGM" for MGM Resorts International
                elif fuzzy and heads[head] == 1 and head not in _GENERIC_HEADS and len(head) >= 4 \
                        and any(SequenceMatcher(None, head, w).ratio() >= 0.85 for w in words):
                    score = 0.8
            elif cand in low:
                score = 1.0 + len(cand) / 100
            elif fuzzy:
                size = _lcs(cand, low)
                if size >= 4 or (size >= 3 and size == len(cand)):
                    score = 0.5 + size / max(len(cand), 1) / 2
            if score and (best is None or score > best.score):
                best = CompanyRef(name=cand, client_id=client.id, client_name=client.name, score=score)
    return best


_LEGAL = re.compile(r"([\u4e00-\u9fffA-Za-z0-9（）()·*]{2,40}?(?:集团股份有限公司|股份有限公司|有限责任公司|有限公司))")
_LEAD_NOISE = ("请简要分析", "简要分析", "请简要介绍", "简要介绍", "请帮我查询", "请帮我", "帮我查询", "能否告诉我", "能否查到", "我想知道", "请提供", "请计算", "请简述", "请告诉我", "请问一下", "请问", "告诉我", "我想知道", "根据", "对比", "关于", "查询", "请", "在", "年度", "年",
               "的", "公司", "，", ",", "、", "及", "和", "与", "问")
_ZH_NOISE = tuple(sorted({
    "的年报数据", "年报数据", "年度报告", "年报中", "年报", "财务数据", "数据中", "财务", "报告", "依据", "想知道", "请简要概述",
    "简要概述", "概述", "年度", "年末", "年初",
    "年底", "期末", "期初", "是多少元", "是多少", "为多少", "多少元", "多少", "是什么", "分别是", "分别为", "分别",
    "是否都相同", "是否相同", "是否", "相同吗", "相同", "对比", "相比", "比较", "之间", "间", "结果请保留", "请保留",
    "需要保留", "保留", "位小数", "小数", "请帮我查询", "帮我查询", "帮我", "请告诉我", "能否告诉我", "能否查到", "能否",
    "我想知道", "请提供", "提供", "请计算", "计算", "请简述", "简述", "请查询", "查询", "请问", "告诉我", "根据",
    "请简要分析", "请简要介绍", "简要分析", "简要介绍", "请", "分析", "介绍", "情况", "主要", "比率", "比值", "比例",
    "比重", "增长率", "合计", "总计", "什么", "如何", "怎么样", "具体", "数额", "金额", "在", "的", "是", "为", "和",
    "与", "其", "了", "吗", "呢", "年", "元", "至", "到", "中", "及", "末", "初", "于", "时", "内", "总额", "余额",
}, key=len, reverse=True))


_NOT_NAMES = frozenset({"数据", "资料", "报表", "指标"})
_LEAD_SINGLE = frozenset("在年的请其为是")  # single characters that never start a company's name here


def _strip_noise(run: str) -> str:
    changed = True
    while changed and run:
        changed = False
        for w in _ZH_NOISE:
            if run.startswith(w) and (len(w) > 1 or w in _LEAD_SINGLE):
                run, changed = run[len(w):], True
            if run.endswith(w):
                run, changed = run[: -len(w)], True
    return run


def extract_company_text(text: str, rest: str) -> str | None:
    """A company named in the question that is not a visible client (so we can say so)."""
    m = _LEGAL.search(text)
    if m:
        name = re.sub(r"^.*?(?:19|20)\d{2}\s*年?(?:度|末|底|初)?", "", m.group(1))
        changed = True
        while changed:
            changed = False
            for w in _LEAD_NOISE:
                if name.startswith(w) and len(name) > len(w) + 4:
                    name, changed = name[len(w):], True
        return name
    if not _CJK.search(text):
        m = re.search(r"((?:[A-Z][\w&.\-]*\.?)(?:\s+(?:[A-Z][\w&.\-]*|&|and|of))*)(?:'s|’s)\b", text)
        if m:
            return m.group(1)
        m = re.search(r"\b(?:did|does|do|for|of|at|is)\s+((?:[A-Z][\w&.\-]+)(?:\s+[A-Z][\w&.\-]+)*)", text)
        if m and m.group(1).split()[0] not in {"What", "How", "The", "Round", "By", "Which"} and not _PERIODISH.match(m.group(1)):
            return m.group(1)
        return None
    runs = [_strip_noise(r) for r in re.findall(r"[\u4e00-\u9fffA-Za-z*]+", rest)]
    runs = [r for r in runs if len(r) >= 2 and _CJK.search(r) and r not in _NOT_NAMES]
    return runs[0] if runs else None


_PERIODISH = re.compile(r"(?i)^(?:fy|q[1-4]|h[12]|fiscal|year|quarter|january|february|march|april|may|june|july|august|"
                        r"september|october|november|december)")


def find_company(text: str, rest: str, clients: list[ClientName], *, guess_unknown: bool = True) -> CompanyRef | None:
    """A visible client; else a company named in the text (a legal name always; a short name
    only in a figure question, where the words left over are the company)."""
    ref = match_client(text, clients)
    if ref is not None and _LEGAL.search(text):  # a different legal name around the match wins
        legal = extract_company_text(text, rest)
        known = {core_name(n) for n in _names_of(ref, clients)}
        if legal and core_name(legal) not in known and (ref.score < 1.0 or ref.name in legal.lower()):
            return CompanyRef(name=legal, client_id=None, score=0.0)
    if ref is not None:
        return ref
    if not guess_unknown and not _LEGAL.search(text):
        return None
    name = extract_company_text(text, rest)
    abbreviated = _abbreviation_of(name, clients) if name else None
    if abbreviated is not None:
        return abbreviated
    return CompanyRef(name=name, client_id=None, score=0.0) if name else None


def _abbreviation_of(name: str, clients: list[ClientName]) -> CompanyRef | None:
    """A Chinese short name that begins exactly one client's name: 万科A → 万科企业 (share class dropped).

    Only a prefix counts: 上海银行 and 上海浦东发展银行 are different banks, so looser matching
    (characters in order) would answer about the wrong company."""
    short = re.sub(r"[A-Za-z*]+$", "", name).lstrip("*")
    if not _CJK.search(short) or len(short) < 2 or _LEGAL.fullmatch(name):
        return None
    found = []
    for client in clients:
        for cand, fuzzy in _candidates(client):
            if fuzzy and cand.startswith(short):
                found.append(CompanyRef(name=name, client_id=client.id, client_name=client.name, score=0.6))
                break
    return found[0] if len(found) == 1 else None  # two candidates: do not pick one


def _names_of(ref: CompanyRef, clients: list[ClientName]) -> list[str]:
    client = next(c for c in clients if c.id == ref.client_id)
    return [client.name, *client.aliases]


# ---------------------------------------------------------------- intent
def find_intent(p: ParsedQuestion) -> None:
    low = p.text.lower()
    named = p.company is not None and p.company.client_id is not None
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
    elif any(w in low for w in lx.INSPECTION_WORDS) and any(w in low for w in lx.LATEST_WORDS):
        p.intent, p.status_topic = "status", "inspection"  # the latest note: date, progress, problems found
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
