"""Which company a question is about: a visible client, or a company named that is not one.

Clients are matched by full name, short name, alias and fuzzily (a Chinese short name sharing
four characters with the name, a short name that begins it, an English name's distinctive
first word, a typo). A company that is not a visible client is still named — from its legal
suffix (股份有限公司 …), an English possessive, or the words left once period, metric and
question words are taken out — so the answer can say it is not in the store.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from assistant.chat import lexicon as lx
from assistant.chat.industries import Described, describe_client

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class ClientName:
    """A client the caller may see, as the matcher needs it."""

    id: int
    name: str
    aliases: tuple[str, ...] = ()
    industry: str = ""  # as stored, in Chinese (收费公路, 光伏发电 …): "the toll road" is read through it


@dataclass
class CompanyRef:
    name: str  # as matched in the question (or the client's name when known)
    client_id: int | None = None  # None: not a client the caller may see
    client_name: str | None = None
    score: float = 1.0
    candidates: tuple[str, ...] = ()  # a description that fits several visible clients: their names
    described: bool = False  # found by industry ("the toll road"), not by name


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def core_name(name: str) -> str:
    """A company name without its legal suffix, lower-case: 贵州茅台酒股份有限公司 → 贵州茅台酒."""
    out = normalise(name).lower().strip()
    out = re.sub(r"\s*[(（][^)）]*[)）]\s*$", "", out)  # trailing "(Square)" style notes
    out = re.sub(r"^the\s+", "", out)
    changed = True
    while changed and out.endswith(lx.COMPANY_SUFFIXES):  # no suffix left: the pass below would change nothing
        changed = False
        for suffix in lx.COMPANY_SUFFIXES:
            if out.endswith(suffix) and len(out) > len(suffix) + 1:
                out = out[: -len(suffix)].rstrip(" ,.")
                changed = True
    return out


@lru_cache(maxsize=1 << 16)  # a book of ten thousand clients: computed once per client, not per question
def _candidates(client: ClientName) -> tuple[tuple[str, bool], ...]:
    """(name form, whether fuzzy matching may use it): legal suffixes never count as a match."""
    out: dict[str, bool] = {}
    for n in (client.name, *client.aliases):
        for c, fuzzy in ((normalise(n).lower(), False), (core_name(n), True)):
            if c:
                out[c] = out.get(c, False) or fuzzy
    return tuple(out.items())


def _lcs(a: str, b: str) -> int:
    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size


_GENERIC_HEADS = frozenset({"the", "american", "united", "general", "first", "national", "international", "china", "new",
                            "global", "royal", "bank", "great", "southern", "northern", "western", "eastern"})


_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


@dataclass(frozen=True)
class _Form:
    """One name form of one client, with its place in the scan's order (ties go to the first)."""

    order: tuple[int, int]  # (client's place in the list, the form's place among the client's)
    client: ClientName
    cand: str
    fuzzy: bool
    head: str  # an English form's first word


class _Index:
    """Every name form of a client list, found by what the question holds instead of by trying each form.

    Exact forms by the form itself (the question's substrings are looked up), an English form's
    distinctive head word by the word, a Chinese form's fuzzy match by its three-character runs:
    a fuzzy match shares a run of three or more characters with the question, so a form sharing
    none cannot match. ``match_client`` then scores the forms found with the very rules the scan
    applied to every form, and picks as the scan did (highest score, the first in list order).
    """

    def __init__(self, clients: tuple[ClientName, ...]) -> None:
        forms = [_Form((ci, k), c, cand, fuzzy, (cand.split() or [cand])[0])
                 for ci, c in enumerate(clients) for k, (cand, fuzzy) in enumerate(_candidates(c))]
        self.heads = Counter(f.cand.split()[0] for f in forms if f.fuzzy and f.cand.isascii() and f.cand.split())
        self.exact: dict[str, list[_Form]] = {}
        self.by_head: dict[str, list[_Form]] = {}  # distinctive heads (one client form only, not generic, 3+ letters)
        self.grams: dict[str, list[_Form]] = {}
        for f in forms:
            self.exact.setdefault(f.cand, []).append(f)
            if not f.fuzzy:
                continue
            if f.cand.isascii():
                if self.heads[f.head] == 1 and f.head not in _GENERIC_HEADS and len(f.head) >= 3:
                    self.by_head.setdefault(f.head, []).append(f)
            else:
                for g in {f.cand[i:i + 3] for i in range(len(f.cand) - 2)}:
                    self.grams.setdefault(g, []).append(f)
        self.lengths = sorted({len(c) for c in self.exact})
        self.head_lengths: dict[int, list[str]] = {}  # heads a misspelt word may stand for (4+ letters)
        for head in self.by_head:
            if len(head) >= 4:
                self.head_lengths.setdefault(len(head), []).append(head)

    def exact_hits(self, low: str) -> list[tuple[float, _Form]]:
        out = []
        n = len(low)
        for size in self.lengths:
            for i in range(n - size + 1):
                found = self.exact.get(low[i:i + size])
                if not found:
                    continue
                bounded = (i == 0 or low[i - 1] not in _ALNUM) and (i + size == n or low[i + size] not in _ALNUM)
                out += [(1.0 + size / 100, f) for f in found if bounded or not f.cand.isascii()]
        return out

    def fuzzy_hits(self, low: str, words: list[str]) -> list[tuple[float, _Form]]:
        out: list[tuple[float, _Form]] = []
        seen: set[tuple[int, int]] = set()
        for w in dict.fromkeys(words):  # a distinctive head word: "Costco" for Costco Wholesale
            for f in self.by_head.get(w, ()):
                seen.add(f.order)
                out.append((0.9, f))
        for w in dict.fromkeys(words):  # a misspelt head word; ratio() ≥ 0.85 needs lengths within that ratio
            sm = SequenceMatcher(None, "", w)
            for size, heads in self.head_lengths.items():
                if 2 * min(size, len(w)) / (size + len(w)) < 0.85:
                    continue
                for head in heads:
                    sm.set_seq1(head)
                    if sm.real_quick_ratio() >= 0.85 and sm.quick_ratio() >= 0.85 and sm.ratio() >= 0.85:
                        for f in self.by_head[head]:
                            if f.order not in seen and len(f.head) >= 4:
                                seen.add(f.order)
                                out.append((0.8, f))
        for f in {f.order: f for i in range(len(low) - 2) for f in self.grams.get(low[i:i + 3], ())}.values():
            size = _lcs(f.cand, low)
            if size >= 4 or (size >= 3 and size == len(f.cand)):
                out.append((0.5 + size / max(len(f.cand), 1) / 2, f))
        return out


@lru_cache(maxsize=4)  # one per client list (a caller's visible clients): a changed list is a new key, so a new index
def _index(clients: tuple[ClientName, ...]) -> _Index:
    return _Index(clients)


def match_client(text: str, clients: list[ClientName]) -> CompanyRef | None:
    """The visible client the question names, by full name, short name, alias or fuzzily.

    Scores, best first: a form found whole (1 + its length / 100; an English form between word
    boundaries), a distinctive English head word (0.9) or one misspelt (0.8), a Chinese form
    sharing a run of four characters, or all of a three-character form (0.5 + share / 2); a tie
    goes to the client first in ``clients``. Found through ``_index``, not by trying every form.
    """
    low = normalise(text).lower()
    index = _index(tuple(clients))
    hits = index.exact_hits(low)
    if not hits:  # a form found whole scores 1 or more, any other match less: the fuzzy rules only without one
        hits = index.fuzzy_hits(low, re.findall(r"[a-z0-9][a-z0-9&.-]*[a-z0-9&]|[a-z0-9]", low))
    if not hits:
        return None
    score, f = min(hits, key=lambda h: (-h[0], h[1].order))
    return CompanyRef(name=f.cand, client_id=f.client.id, client_name=f.client.name, score=score)


_LEGAL = re.compile(r"([\u4e00-\u9fffA-Za-z0-9（）()·*]{2,40}?(?:集团股份有限公司|股份有限公司|有限责任公司|有限公司))")
_LEAD_NOISE = ("请简要分析", "简要分析", "请简要介绍", "简要介绍", "请帮我查询", "请帮我", "帮我查询", "能否告诉我", "能否查到",
               "我想知道", "请提供", "请计算", "请简述", "请告诉我", "请问一下", "请问", "告诉我", "我想知道", "根据", "对比", "关于",
               "查询", "请", "在", "年度", "年",
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
    if not CJK.search(text):
        m = re.search(r"((?:[A-Z][\w&.\-]*\.?)(?:\s+(?:[A-Z][\w&.\-]*|&|and|of))*)(?:'s|’s)\b", text)
        if m:
            return m.group(1)
        m = re.search(r"\b(?:did|does|do|for|of|at|is)\s+((?:[A-Z][\w&.\-]+)(?:\s+[A-Z][\w&.\-]+)*)", text)
        if m and m.group(1).split()[0] not in {"What", "How", "The", "Round", "By", "Which"} and not _PERIODISH.match(m.group(1)):
            return m.group(1)
        return None
    runs = [_strip_noise(r) for r in re.findall(r"[\u4e00-\u9fffA-Za-z*]+", rest)]
    runs = [r for r in runs if len(r) >= 2 and CJK.search(r) and r not in _NOT_NAMES]
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
    described = describe_client(text, clients)
    if ref is not None and (ref.score >= 1.0 or described is None or not described.client_ids
                            or described.client_ids == (ref.client_id,)):
        return ref
    if described is not None and described.client_ids:  # 高速公路 shares four characters with 江华高速公路: a description
        return _described_ref(described, clients)
    if not guess_unknown and not _LEGAL.search(text):
        return _no_such_client(described)
    name = extract_company_text(text, rest)
    abbreviated = _abbreviation_of(name, clients) if name else None
    if abbreviated is not None:
        return abbreviated
    return CompanyRef(name=name, client_id=None, score=0.0) if name else _no_such_client(described)


def _described_ref(described: Described, clients: list[ClientName]) -> CompanyRef:
    """The one visible client a description fits, or (several) a reference listing them to ask which."""
    fits = [c for c in clients if c.id in described.client_ids]
    if len(fits) == 1:
        return CompanyRef(name=described.phrase, client_id=fits[0].id, client_name=fits[0].name, score=0.7, described=True)
    return CompanyRef(name=described.phrase, client_id=None, score=0.0, described=True,
                      candidates=tuple(c.name for c in fits))


def _no_such_client(described: Described | None) -> CompanyRef | None:
    """A plain description ("the toll road") that fits no visible client: say so rather than guess."""
    if described is None or not described.strong:
        return None
    return CompanyRef(name=described.phrase, client_id=None, score=0.0, described=True)


def _abbreviation_of(name: str, clients: list[ClientName]) -> CompanyRef | None:
    """A Chinese short name that begins exactly one client's name: 万科A → 万科企业 (share class dropped).

    Only a prefix counts: 上海银行 and 上海浦东发展银行 are different banks, so looser matching
    (characters in order) would answer about the wrong company."""
    short = re.sub(r"[A-Za-z*]+$", "", name).lstrip("*")
    if not CJK.search(short) or len(short) < 2 or _LEGAL.fullmatch(name):
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
