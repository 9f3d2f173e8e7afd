"""Portfolio questions beyond one client's figure: who needs attention, thin headroom, exit and
support candidates, rankings, exposure, several clients side by side, a metric over quarters.

``refine(parsed, text, clients)`` runs after ``understand``'s own steps and, when the question
is one of these, sets ``parsed.intent = "portfolio"`` with a ``PortfolioQuery`` of the kind:

==========  ==========================================================================
attention   哪些客户需要重点关注 / who needs attention — ordered by severity, then exposure
headroom    约束条款余量不足 / thin covenant headroom (below 10 % of the threshold)
exit        应该考虑退出 / exit candidates; ``support``: 加大支持 / clients to support
rank        资产负债率最高的三家 / top 3 by a metric; lowest / highest / all in order
exposure    敞口最大的客户, 按评级/行业统计敞口, 总敞口, 江华高速的贷款余额
due         未来30天到期的还款 / instalments due in the next N days
compare     比较华信光伏和江华高速 (two or more clients named)
trend       近四个季度经营现金流趋势, 二季度和三季度的资产负债率对比 (one client, N quarters)
==========  ==========================================================================

Words are matched in both languages; several named clients are found by their names and
aliases (each at most once, longest first). Nothing here reads the store.
"""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.chat import lexicon as lx
from assistant.chat.companies import ClientName, _candidates, normalise

_CN_NUM = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

ATTENTION_WORDS = ("重点关注", "需要关注", "需关注", "值得关注", "需要注意", "需要留意", "风险最高", "风险较高", "有风险",
                   "问题客户", "need attention", "needs attention", "need my attention", "needs my attention",
                   "attention", "at risk", "watch closely", "worry about", "riskiest", "most risky", "problem clients",
                   "troubled")
HEADROOM_WORDS = ("余量", "空间不足", "接近约定", "接近契约", "接近合同约定", "接近阈值", "接近触发", "接近违约", "临近违约", "接近约束",
                  "接近红线", "逼近", "headroom", "cushion", "closest to", "covenant limit", "near the limit", "close to the limit",
                  "near a covenant", "close to a covenant",
                  "close to breach", "close to breaching", "near breach", "near a breach", "close to a breach",
                  "close to their covenant", "close to the covenant", "near their covenant", "near the covenant")
EXIT_WORDS = ("退出", "压缩贷款", "压缩授信", "压降", "减持", "收回贷款", "清收", "exit", "wind down", "reduce exposure", "reduce our exposure",
              "pull out", "get out")
SUPPORT_WORDS = ("加大支持", "支持", "增加授信", "扩大授信", "追加授信", "优质客户", "support", "grow with", "expand lending",
                 "increase lending", "lend more", "best clients", "strongest clients")
EXPOSURE_WORDS = ("敞口", "贷款余额", "授信余额", "借款余额", "未偿", "余额", "风险暴露", "放款", "贷款最多", "贷款最大", "借款最多",
                  "exposure", "exposures", "outstanding", "loan balance", "balances", "balance", "biggest loans", "largest loans",
                  "loans")
DUE_WORDS = ("到期", "还款日", "应还", "还款计划", "还款", "due", "instalment", "installment", "repayment", "repay")
RANK_HIGH = ("最高", "最大", "最多", "最好", "最强", "排名前", "highest", "largest", "biggest", "most", "top", "best",
             "strongest")
RANK_LOW = ("最低", "最小", "最少", "最差", "最弱", "lowest", "smallest", "least", "bottom", "worst", "weakest")
RANK_ALL = ("排名", "排序", "排列", "rank", "ranking", "ranked", "sort", "order by", "ordered by")
COMPARE_WORDS = ("比较", "对比", "相比", "比一比", "对照", "compare", "comparison", "versus", " vs", "side by side",
                 "against")
TREND_WORDS = ("趋势", "走势", "变化情况", "变动情况", "历史", "各季度", "每个季度", "逐季", "季度变化", "trend", "trending",
               "trajectory", "history", "each quarter", "quarter by quarter", "by quarter", "over time", "evolve",
               "evolved", "develop")
GROUP_WORDS = {
    "grade": ("按评级", "各评级", "按风险评级", "评级分布", "不同评级", "by grade", "by rating", "per grade", "each grade",
              "grade breakdown", "across grades", "by risk grade"),
    "industry": ("按行业", "各行业", "行业分布", "行业集中", "集中度", "不同行业", "分行业", "by industry", "by sector", "per industry",
                 "each industry", "concentration", "across industries", "across sectors", "industry breakdown", "per sector"),
    "category": ("按五级分类", "按分类", "各分类", "by classification", "by class", "by category", "per class"),
}


def named_clients(text: str, clients: list[ClientName]) -> list[ClientName]:
    """Every visible client named in ``text`` by name, alias or name without suffix, in order of appearance."""
    low = normalise(text).lower()
    taken = [False] * len(low)
    found: list[tuple[int, ClientName]] = []
    for form, c in _forms(tuple(clients)):
        start = low.find(form)
        while start >= 0:
            end = start + len(form)
            bounded = not form.isascii() or ((start == 0 or not low[start - 1].isalnum())
                                             and (end == len(low) or not low[end].isalnum()))
            if bounded and not any(taken[start:end]):
                taken[start:end] = [True] * (end - start)
                if all(c.id != f.id for _, f in found):
                    found.append((start, c))
            start = low.find(form, start + 1)
    return [c for _, c in sorted(found, key=lambda x: x[0])]


@lru_cache(maxsize=8)
def _forms(clients: tuple[ClientName, ...]) -> list[tuple[str, ClientName]]:
    """(name form, client), longest first: each client's names and aliases, with and without legal suffix."""
    forms = [(form, c) for c in clients for form, _ in _candidates(c) if len(form) >= 2]  # the forms match_client knows
    forms.sort(key=lambda fc: -len(fc[0]))
    return forms


def _number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    if word in _CN_NUM:
        return _CN_NUM[word]
    if word == "十二":
        return 12
    return _EN_NUM.get(word.lower())


def quarters_asked(text: str) -> int | None:
    """近四个季度 / 过去8个季度 / last four quarters → the count, else None.

    Never 前三季度 / 前三个季度: that is the year to date (January to September), not a trend.
    """
    m = re.search(r"(?:近|最近|过去|连续|这)\s*([一两二三四五六七八九十]{1,2}|\d{1,2})\s*个?\s*季度", text) or re.search(
        r"(?:last|past|previous|recent|trailing|over(?: the)?(?: last| past)?)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|"
        r"nine|ten)\s+quarters", text.lower())
    return _number(m[1]) if m else None


def quarters_named(text: str) -> list[tuple[int | None, int]]:
    """Every quarter the question names, in order: (year or None, quarter)."""
    out: list[tuple[int | None, int]] = []
    low = text.lower()
    for m in re.finditer(r"(?:((?:19|20)\d{2})\s*年?\s*)?(?:第)?([一二三四1-4])\s*季(?:度)?(?!个)", text):
        if re.search(r"[近过去前连续]\s*$", text[:m.start()]) and not m[1]:
            continue
        out.append((int(m[1]) if m[1] else None, lx.CN_DIGITS[m[2]]))
    for m in re.finditer(r"\b(?:((?:19|20)\d{2})\s*)?q([1-4])(?:\s*(?:of\s+)?((?:19|20)\d{2}))?\b", low):
        out.append((int(m[1] or m[3]) if (m[1] or m[3]) else None, int(m[2])))
    ords = {"first": 1, "second": 2, "third": 3, "fourth": 4}
    for m in re.finditer(r"\b(first|second|third|fourth)(?: quarter)?(?: of)?(?: ((?:19|20)\d{2}))?(?= (?:and|quarter|vs|versus|,)|\b)",
                         low):
        if "quarter" in low[m.start():m.start() + 40]:
            out.append((int(m[2]) if m[2] else None, ords[m[1]]))
    seen: list[tuple[int | None, int]] = []
    for q in out:
        if q not in seen:
            seen.append(q)
    return seen


def top_n(text: str) -> int | None:
    """前三 / 前3名 / 最高的三家 / top 3 / the five largest → 3 / 3 / 3 / 3 / 5, else None."""
    low = text.lower()
    m = re.search(r"前\s*([一两二三四五六七八九十]|\d{1,2})\s*(?:名|家|位|个(?!季|月))", text) or re.search(
        r"(?:最高|最低|最大|最小|最多|最少|最好|最差)的?\s*([一两二三四五六七八九十]|\d{1,2})\s*(?:家|个|位|名)", text) or re.search(
        r"([一两二三四五六七八九十]|\d{1,2})\s*(?:家|个|位|名)(?:客户|企业|公司|借款人)?(?:中)?.{0,6}(?:最高|最低|最大|最小)", text) or re.search(
        r"\b(?:top|bottom|the|our|my|largest|biggest|highest|lowest|smallest)\s+(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|"
        r"ten)\b"
        r"(?!\s+quarters)", low)
    return _number(m[1]) if m else None


def _any(words: tuple[str, ...], low: str) -> bool:
    return any(w in low for w in words)


def refine(p, text: str, clients: list[ClientName]) -> None:  # noqa: ANN001 - a ParsedQuestion
    """Set a portfolio kind on ``p`` when the question is one of this module's (see the table above)."""
    from assistant.chat.understand import PortfolioQuery

    low = normalise(text).lower()
    named = named_clients(text, clients)
    ids = tuple(c.id for c in named)
    metric = p.metrics[0] if p.metrics else None
    q = None
    n_quarters = quarters_asked(text)
    quarters = quarters_named(text)
    trendish = _any(TREND_WORDS, low) or n_quarters is not None or (len(quarters) >= 2 and len(named) <= 1)
    if len(named) >= 2 and not (p.intent == "portfolio" and p.portfolio and p.portfolio.kind == "threshold"):
        kind = "trend" if trendish and metric and (n_quarters or len(quarters) >= 2 or _any(TREND_WORDS, low)) else "compare"
        if _any(EXPOSURE_WORDS, low) and not p.metrics:
            kind = "exposure"
        q = PortfolioQuery(kind, metric=metric, metrics=tuple(p.metrics), clients=ids, quarters=tuple(quarters),
                           n=n_quarters)
    elif len(named) == 1:
        if metric and trendish and p.comparison is None:
            q = PortfolioQuery("trend", metric=metric, metrics=tuple(p.metrics), clients=ids, quarters=tuple(quarters),
                               n=n_quarters)
        elif _any(EXPOSURE_WORDS, low) and not p.metrics and p.intent != "figure":
            q = PortfolioQuery("exposure", clients=ids)
        elif _any(DUE_WORDS, low) and not p.metrics and re.search(r"还款|repay|instal", low):
            q = PortfolioQuery("due", clients=ids, n=_days(low), next_month=_next_month(low))
    elif p.company is None or p.company.described or _not_a_company(p.company.name):
        q = _book_query(p, low, text, metric)  # a company named that is not a client: the figure path says so
    if q is not None:
        if p.company is not None and p.company.client_id is None and not p.company.described and not named and q.kind in (
                "compare", "trend"):
            return  # a company that is not a client: the figure path says so
        p.intent, p.portfolio = "portfolio", q


def _not_a_company(name: str) -> bool:
    """Words left over that speak of clients in general (最高的三家客户, 排名前两位的客户), not a company's name."""
    return bool(re.search(r"客户|借款人|哪家|哪些|哪几|\bclients?\b|\bborrowers?\b", name.lower()))


def _next_month(low: str) -> bool:
    return bool(re.search(r"下个月|下月|next month|coming month", low)) and not re.search(r"\d+\s*(?:天|日|days?)", low)


def _days(low: str) -> int:
    m = re.search(r"(\d{1,3})\s*(?:天|日|days?)", low)
    if m:
        return int(m[1])
    if re.search(r"本周|这周|下周|this week|next week|7\s*天", low):
        return 7
    if re.search(r"本季|this quarter|90", low):
        return 90
    return 30


def _book_query(p, low: str, text: str, metric: str | None):  # noqa: ANN001, ANN202
    from assistant.chat.understand import PortfolioQuery

    existing = p.portfolio if p.intent == "portfolio" else None
    if existing is not None and existing.kind == "threshold":
        return None
    group = next((g for g, words in GROUP_WORDS.items() if _any(words, low)), None)
    n = top_n(text)
    order = "high" if _any(RANK_HIGH, low) else "low" if _any(RANK_LOW, low) else None
    if _any(HEADROOM_WORDS, low):
        return PortfolioQuery("headroom", metric=metric)
    if _any(EXIT_WORDS, low):
        return PortfolioQuery("exit")
    if re.search(r"(?<!不)(?:加大支持|增加授信|扩大授信|追加授信|优质客户|值得支持|应该支持|可以支持)|\bsupport\b|grow with|"
                 r"expand lending|increase lending|lend more|best clients|strongest clients", low):
        return PortfolioQuery("support")
    if _any(EXPOSURE_WORDS, low) and not (metric and metric not in ("total_liabilities",)):
        return PortfolioQuery("exposure", group_by=group, n=n, order=order or ("high" if n else None))
    if _any(DUE_WORDS, low) and re.search(r"还款|repay|instal|到期", low) and not metric:
        return PortfolioQuery("due", n=_days(low), next_month=_next_month(low))
    if metric and (order or _any(RANK_ALL, low)) and existing is None or (metric and order and existing is not None
                                                                        and existing.kind in ("list",)):
        return PortfolioQuery("rank", metric=metric, metrics=tuple(p.metrics), order=order or "high", n=n)
    if _any(ATTENTION_WORDS, low) and not metric:
        return PortfolioQuery("attention", n=n)
    if existing is None and group and not metric:
        return PortfolioQuery("exposure", group_by=group)
    mine = re.search(r"my clients|our clients|my borrowers|our borrowers|my portfolio|our portfolio|the portfolio|"
                     r"我的客户|我们的客户|组合中|组合里|名下", low)
    plural = mine or re.search(r"\bclients\b|\bborrowers\b|哪些|哪几|哪家|所有客户|各客户", low)
    if existing is None and plural and p.intent in ("status", "document"):
        if _any(lx.BREACH_WORDS, low):
            return PortfolioQuery("breach")
        if mine and _any(lx.WARNING_WORDS, low):
            return PortfolioQuery("warnings")
    return None


def direct(kind: str, *, lang: str = "en", metric: str | None = None, clients: list[ClientName] = (),
           n: int | None = None, order: str | None = None, group_by: str | None = None, text: str = ""):  # noqa: ANN201
    """A ``ParsedQuestion`` for ``loanwatch portfolio rank|filter|compare|trend|exposure`` (no text to read)."""
    from assistant.chat.understand import ParsedQuestion, PortfolioQuery

    q = PortfolioQuery(kind, metric=metric, metrics=(metric,) if metric else (), clients=tuple(c.id for c in clients),
                       n=n, order=order, group_by=group_by)  # type: ignore[arg-type]
    return ParsedQuestion(text=text or kind, lang=lang, intent="portfolio", metrics=[metric] if metric else [], portfolio=q)


def metric_key(word: str) -> str:
    """A metric key from a key or a phrase (current_ratio, 流动比率, "debt to assets"); ConfigError when unknown."""
    from assistant.chat.understand import find_metrics
    from assistant.errors import ConfigError

    if word in lx.RATIO_BY_KEY or word in lx.BY_KEY:
        return word
    found, _, _ = find_metrics(normalise(word).replace("_", " "))
    if not found:
        raise ConfigError(f"unknown metric {word!r}", hint="use a FIGURES.md key such as current_ratio, debt_to_assets, dscr, revenue")
    return found[0]
