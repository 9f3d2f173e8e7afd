"""A formula the question states itself ("DPO is defined as: 365 * (average accounts payable
between FY2016 and FY2017) / (FY2017 COGS + change in inventory …)"), computed from stored figures.

The stated formula wins over FIGURES.md's: the answer shows it, with every input and its page.
Steps: ``find_definition`` (the formula text) → ``parse_formula`` (a small expression tree
over stored figure keys, years and constants) → ``evaluate`` (stored facts, or what is
missing). A formula with a part that names no stored figure is not guessed at: the answer
says which part could not be read, and ``value`` stays null.

Readable parts: numbers; ``+ - * / × ÷``, "divided by", "times", "multiplied by", "plus",
"minus"; parentheses; "average X between FY a and FY b" (mean of the two), "change in X
between FY a and FY b" (b − a); "FY b X" / "X in FY b" (one year); X alone (the year the
question asks about; "average X" alone: that year and the one before).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

__all__ = ["Definition", "Evaluated", "FormulaError", "Node", "evaluate", "find_definition", "parse_formula"]

_END = r"(?=\.\s+[A-Z]|\.\s*$|\?\s|$)"
_DEFINED = (re.compile(r"\b(?:is|are|be)\s+defined\s+as\s*:?\s*(?P<expr>.+?)" + _END, re.S),
            re.compile(r"\bdefine\s+(?P<name>.+?)\s+as\s*:?\s*(?P<expr>.+?)" + _END, re.S | re.I),
            re.compile(r"\b(?:is|are)\s+calculated\s+as\s*:?\s*(?P<expr>.+?)" + _END, re.S))


@dataclass
class Definition:
    text: str  # the formula as the question prints it


class FormulaError(ValueError):
    """A part of the stated formula that names nothing loanwatch stores."""


@dataclass
class Node:
    """One node of the formula: op in + - * / (children ``a``, ``b``), "num", "fig", "avg" or "chg"."""

    op: str
    a: "Node | None" = None
    b: "Node | None" = None
    number: Decimal | None = None
    key: str | None = None
    years: tuple[int, ...] = ()  # () → the question's year

    def keys(self) -> set[str]:
        own = {self.key} if self.key else set()
        return own | (self.a.keys() if self.a else set()) | (self.b.keys() if self.b else set())

    def show(self) -> str:
        yrs = ", ".join(f"FY{y}" for y in self.years)
        if self.op == "num":
            return f"{self.number:,}" if self.number is not None else "?"
        if self.op == "fig":
            return f"{self.key} {yrs}".strip()
        if self.op == "avg":
            return f"average {self.key}" + (f" ({yrs})" if yrs else "")
        if self.op == "chg":
            return f"change in {self.key}" + (f" ({' → '.join(f'FY{y}' for y in self.years)})" if yrs else "")
        sym = {"*": "×", "/": "/", "+": "+", "-": "−"}[self.op]
        return f"({self.a.show()} {sym} {self.b.show()})"  # type: ignore[union-attr]


def find_definition(question: str) -> Definition | None:
    """The formula text the question states, if any."""
    for pattern in _DEFINED:
        m = pattern.search(question)
        if m and m["expr"].strip():
            return Definition(m["expr"].strip().rstrip(".").strip())
    return None


# ---------------------------------------------------------------- parse
_WORD_OPS = ((r"\bdivided by\b", " / "), (r"\bmultiplied by\b", " * "), (r"\btimes\b", " * "),
             (r"\bplus\b", " + "), (r"\bminus\b", " - "), ("×", " * "), ("÷", " / "), ("−", " - "), ("–", " - "))
_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<op>[*/+])|(?P<minus>-(?=\s|\d|\())|(?P<num>(?<![\w.])\d+(?:\.\d+)?(?![\w.]))"
                    r"|(?P<words>[^()*/+]+?(?=\s*(?:[()*/+]|\s-\s|$))))")


def _normalise(text: str) -> str:
    low = " " + text.lower() + " "
    for pat, rep in _WORD_OPS:
        low = re.sub(pat, rep, low)
    low = re.sub(r"\b(?:fiscal(?: year)?|fy)\s*'?(\d{4})\b", r"fy\1", low)
    low = re.sub(r"(?<![\w.])((?:19|20)\d{2})(?![\w.])", r"fy\1", low)  # a bare year is a year, not a number
    return " ".join(low.split())


def _tokens(text: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise FormulaError(text[pos:].strip())
        pos = m.end()
        kind = m.lastgroup
        value = m.group(kind).strip() if kind else ""
        if kind == "minus":
            kind, value = "op", "-"
        if value:
            out.append((kind, value))
    return out


def parse_formula(text: str) -> Node:
    """The expression tree of ``text``; FormulaError naming the part that names no stored figure."""
    toks = _tokens(_normalise(text))
    node, rest = _expr(toks)
    if rest:
        raise FormulaError(" ".join(v for _, v in rest))
    return node


def _expr(toks: list) -> tuple[Node, list]:
    node, toks = _term(toks)
    while toks and toks[0] in (("op", "+"), ("op", "-")):
        op = toks[0][1]
        right, toks = _term(toks[1:])
        node = Node(op, node, right)
    return node, toks


def _term(toks: list) -> tuple[Node, list]:
    node, toks = _factor(toks)
    while toks and toks[0] in (("op", "*"), ("op", "/")):
        op = toks[0][1]
        right, toks = _factor(toks[1:])
        node = Node(op, node, right)
    return node, toks


def _factor(toks: list) -> tuple[Node, list]:
    if not toks:
        raise FormulaError("(formula ends early)")
    kind, value = toks[0]
    if (kind, value) == ("paren", "("):
        node, rest = _expr(toks[1:])
        if not rest or rest[0] != ("paren", ")"):
            raise FormulaError("(unbalanced parenthesis)")
        return node, rest[1:]
    if kind == "num":
        try:
            return Node("num", number=Decimal(value)), toks[1:]
        except InvalidOperation as exc:
            raise FormulaError(value) from exc
    if kind == "words":
        return _phrase(value), toks[1:]
    raise FormulaError(value)


_BETWEEN = re.compile(r"\s*\b(?:between|from)\s+fy(\d{4})\s+(?:and|to)\s+fy(\d{4})\b")


def _phrase(words: str) -> Node:
    """"average accounts payable between fy2016 and fy2017", "fy2017 cogs", "total current assets"."""
    text = re.sub(r"^(?:the|a|an)\s+", "", words.strip())
    years: tuple[int, ...] = ()
    m = _BETWEEN.search(text)
    if m:
        years = (int(m[1]), int(m[2]))
        text = (text[:m.start()] + text[m.end():]).strip()
    op = "fig"
    m = re.match(r"(?:the\s+)?(average|mean|change in|increase in|difference in)\s+(?:of\s+|in\s+)?(?:the\s+)?", text)
    if m:
        op = "avg" if m[1] in ("average", "mean") else "chg"
        text = text[m.end():]
    own = [int(y) for y in re.findall(r"\bfy(\d{4})\b", text)]
    text = re.sub(r"\b(?:in|for|of|at)?\s*(?:the\s+)?(?:year[- ]end\s+)?fy\d{4}(?:\s+year[- ]end)?\b", " ", text)
    if own and not years:
        years = tuple(own)
    if op == "fig" and len(years) > 1:
        raise FormulaError(words)  # two years for one figure: not a formula step we read
    key = _one_figure(text)
    if key is None:
        raise FormulaError(words)
    return Node(op, key=key, years=years)


def _one_figure(text: str) -> str | None:
    from assistant.chat.understand import find_metrics
    from extractors.vocabulary import BY_KEY

    metrics, unsupported, rest = find_metrics(text)
    leftover = re.sub(r"\b(?:total|the|of|in|on|line|item|items|reported|net|amount|balance|value)\b", " ", rest)
    if len(metrics) != 1 or unsupported or metrics[0] not in BY_KEY or re.search(r"[a-z]{3,}", leftover):
        return None
    return metrics[0]


# ---------------------------------------------------------------- evaluate
@dataclass
class Evaluated:
    value: Decimal | None
    facts: list
    missing: list[str]


def evaluate(node: Node, snap, period, zh: bool = False) -> Evaluated:  # noqa: ANN001 - ClientSnapshot, PeriodQuery
    """The formula's value from ``snap``'s facts; ``period`` gives the year where the formula names none."""
    facts: list = []
    missing: list[str] = []

    def fig(key: str, year: int | None):  # noqa: ANN202
        from dataclasses import replace

        from assistant.chat.resolve import resolve_span  # resolve imports understand, which imports this module

        q = period if year is None else replace(period, year=year, fiscal=True, months=12, end=None, quarter=None,
                                                 half=None, opening=False, point=None)
        span = resolve_span(q, snap.facts, key)
        fact = snap.facts.get(key, span) if span is not None else None
        if fact is None or fact.value is None:
            when = f"FY{year}" if year else (period.text or "the period asked")
            missing.append(f"{key}（{when}）未存储" if zh else f"{key} for {when} is not stored")
            return None
        if fact not in facts:
            facts.append(fact)
        return fact.value

    def year_pair(n: Node) -> tuple[int | None, int | None]:
        if len(n.years) == 2:
            return n.years[0], n.years[1]
        y = n.years[0] if n.years else period.year
        return (None if y is None else y - 1), y

    def run(n: Node) -> Decimal | None:
        if n.op == "num":
            return n.number
        if n.op == "fig":
            return fig(n.key, n.years[0] if n.years else None)  # type: ignore[arg-type]
        if n.op in ("avg", "chg"):
            a, b = year_pair(n)
            if a is None:
                missing.append(f"{n.key}：未说明年份" if zh else f"{n.key}: no year given for the {n.op}")
                return None
            va, vb = fig(n.key, a), fig(n.key, b)  # type: ignore[arg-type]
            if va is None or vb is None:
                return None
            return (va + vb) / 2 if n.op == "avg" else vb - va
        left, right = run(n.a), run(n.b)  # type: ignore[arg-type]
        if left is None or right is None:
            return None
        if n.op == "/":
            if right == 0:
                missing.append("除数为零" if zh else f"the divisor {n.b.show()} is zero")  # type: ignore[union-attr]
                return None
            return left / right
        return {"*": left * right, "+": left + right, "-": left - right}[n.op]

    value = run(node)
    return Evaluated(value if not missing else None, facts, missing)



# ---------------------------------------------------------------- answer
def _unit(p, node: Node) -> tuple[str, bool]:  # noqa: ANN001 - ParsedQuestion
    """The answer's unit, and whether the formula's quotient must be × 100 to be a percent."""
    from assistant.chat import lexicon as lx

    ratios = [k for k in p.metrics if k in lx.RATIO_BY_KEY]
    unit = lx.RATIO_BY_KEY[ratios[0]].unit if len(ratios) == 1 else None
    if unit is None:
        has_quotient = "/" in node.show()
        unit = "percent" if has_quotient and p.percent_asked else "ratio" if has_quotient else "amount"
    times_100 = node.op == "*" and Decimal(100) in (getattr(node.a, "number", None), getattr(node.b, "number", None))
    return unit, unit == "percent" and not times_100


def answer_defined(p, source):  # noqa: ANN001, ANN201 - ParsedQuestion, ChatSource → Answer
    """The question's own formula computed from the client's stored figures, or what is missing."""
    from assistant.chat import builtin as b
    from assistant.chat import lexicon as lx
    from assistant.chat.answer import Answer

    client = b.pick_client(p, source)
    if isinstance(client, Answer):
        return client
    zh = p.lang == "zh"
    name = client.client.name
    ratios = [k for k in p.metrics if k in lx.RATIO_BY_KEY]
    label = lx.display_name(ratios[0], p.lang) if len(ratios) == 1 else ("所定义的指标" if zh else "the metric as defined")
    stated = p.definition.text
    try:
        node = parse_formula(stated)
    except FormulaError as exc:
        text = (f"问题给出了自己的公式（{stated}），其中“{exc}”不是loanwatch保存的项目，因此不予计算。" if zh else
                f"The question states its own formula ({stated}); '{exc}' is not a figure loanwatch keeps, "
                f"so it is not computed (no guess from a different definition).")
        return Answer(answer=text, missing=[f"formula part {exc}"])
    unit, times_100 = _unit(p, node)
    got = evaluate(node, client, p.period, zh)
    formula = node.show() + (" × 100" if times_100 else "")
    facts = got.facts
    common = dict(citations=b.cite_facts(facts), formula=formula, inputs=[b._input(f) for f in facts])
    when = f"FY{p.period.year}" if p.period.year else ""
    if got.value is None:
        miss = ("；".join(got.missing) + "。") if zh else ("; ".join(got.missing) + ".")
        text = (f"按问题给出的公式（{formula}）计算{name}{when}的{label}时缺少数据：{miss}" if zh else
                f"{name}'s {label} {('for ' + when) if when else ''} by the question's formula ({formula}) cannot be "
                f"computed: {miss}").replace("  ", " ")
        return Answer(answer=text, missing=got.missing, **common)
    value = got.value * 100 if times_100 else got.value
    shown = b.fmt_number(value, unit, p.decimals) + b._suffix(unit, zh)
    if unit == "amount":
        shown = b.with_currency(shown, b.currency_of(facts), zh) + b._scaled(value, unit, p)
    inputs = b._inputs_text(facts, zh)
    src = b._sources(facts, zh)
    if zh:
        text = f"按问题给出的公式，{name}{when}的{label}为{shown}（公式：{formula}；{inputs}）。{src}"
    else:
        text = (f"By the question's own formula, {name}'s {label}{(' for ' + when) if when else ''} was {shown} "
                f"(formula: {formula}; {inputs}). {src}")
    return Answer(answer=text, value=value, unit=b._json_unit(unit), **common)
