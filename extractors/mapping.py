"""Printed row labels → canonical keys (FIGURES.md), zh (simplified and traditional) and en.

Steps, as a statement is mapped (``explain_keys``):

1. ``normalize``: NFKC, traditional characters folded to simplified (綜合/總資產/權益總額 → the
   simplified lexicon), lower case, numbering 一、/（一）/1., prefixes 加：/减：/其中：, asides in
   parentheses ("(loss)", "（或股本）", "/(used in)"), note references (附注, "七、78", "Note 11"),
   ", net", punctuation and spaces.
2. Look-up in the lexicon of the statement's kind (``lexicon.SYNONYMS``: FIGURES.md and the gold
   reports; ``VARIANTS``: Hong Kong, 小企业会计准则 and US phrasings), then general rules
   (``RULES``: "Net cash provided by/(used for) … activities", "Total liabilities, … and
   equity", 经营/投资/筹资(融资)活动…现金(流量)净额 …).
3. The statement-level conventions of shared/data/README.md (revenue vs total revenue, SG&A not
   split, the parent's equity before NCI, EPS under a heading, interest lines of 财务费用 only).
4. A bank's chart of accounts (``is_bank``): its rows keep a corporate key only where they are
   that figure (totals, profit lines, equity, net cash flows). **A bank's revenue is its 营业收入**
   (CAS for banks: net interest income + net fee income + other operating income, printed as
   营业收入 or 营业收入合计; US banks "Total net revenue"), never its gross interest income; its
   利息收入 / 利息支出 are interest_income / interest_expense (data README).
5. One row per key (the first printed keeps it; a heading without figures yields it).
6. The sum structure (``extractors.structure``): unlabelled or glued totals found by the figures.
   Then the section each row sits in (``structure.row_sections``: headings, closing subtotals and
   the sums) for labels whose meaning it gives (``lexicon.SECTION_KEYS``: "Term debt" current or
   non-current, 借款 / 應付票據 printed under both liability headings, "Balance, end of period"
   under a cash heading), and an item printed in parts keeps no key.
7. Near-miss labels (``similar_key``): similarity ≥ 0.9 with a benign difference (a lost glyph
   gap, a dropped ligature, one typo), and only where an identity of FIGURES.md confirms the
   figure (or, with none to evaluate, similarity ≥ 0.95). Below that the row keeps no key.

Every key given by step 6 or 7 and a bank's statement come back as notes for the statement's
warnings, so an inference is never silent.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from difflib import SequenceMatcher
from functools import lru_cache

from extractors.lexicon import RULES, SECTION_KEYS, SYNONYMS, VARIANTS
from extractors.structure import infer_keys, row_sections

_BS, _IS, _CF = "balance_sheet", "income_statement", "cash_flow"

_PREFIX = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十\d]+\s*[)）]|\d{1,2}\s*[.、．)](?!\d)|[a-z]\s*[.)](?=\s))\s*"
)
_ZH_LEAD = re.compile(r"^(?:加|减|其中|包括|含)\s*[:：]\s*|^(?:less|add|plus|deduct)\s*:?\s+(?=\S)")
_PAREN = re.compile(r"[(（][^()（）]*[)）]")
_NOTE_TAIL = re.compile(r"\s*(?:附注|注释|note|notes)\s*[\w.、,\- ]*$", re.IGNORECASE)
_LOOKUP: dict[str, dict[str, str]] = {}


# traditional characters of Hong Kong / Taiwan statements → the simplified forms of the lexicon
_TRAD_PAIRS = (
    "資资 產产 負负 債债 權权 總总 額额 計计 淨净 減减 稅税 內内 現现 價价 與与 應应 賬账 帳账 項项 預预 費费 銷销 貨货 處处 損损 "
    "營营 業业 務务 經经 動动 籌筹 發发 長长 貸贷 備备 儲储 積积 餘余 際际 國国 屬属 於于 擁拥 綜综 虧亏 開开 認认 證证 據据 "
    "準准 攤摊 舊旧 變变 勞劳 為为 爲为 從从 來来 間间 關关 聯联 購购 買买 賣卖 廠厂 設设 無无 譽誉 遞递 兌兑 匯汇 結结 轉转 歸归 "
    "當当 團团 實实 數数 釋释 約约 銀银 墊垫 納纳 繳缴 級级 續续 優优 補补 貼贴 並并 職职 員员 專专 歷历 條条 週周 擔担 撥拨 庫库 "
    "錢钱 給给 類类 佔占 傭佣 併并 潤润 減减 額额 值值 盈盈 匯汇 幣币 儅当 獲获 償偿 還还 貿贸 易易 搆构 構构 盤盘 價价 稅税 "
    "權权 屬属 於于 攤摊 銷销 撥拨 薪薪 酬酬 遞递 產产 會会 東东 衍衍 產产 機机 構构 險险 滙汇 萬万 億亿 徵征 損损 紅红 戶户 後后 裡里 綫线 線线 區区 產产 "
    "場场 廣广 財财 賃赁 獎奖 劃划 術术 運运 輸输 網网 絡络 訊讯 倉仓 護护 殘残 測测 樣样 檢检 驗验 託托 貫贯 漲涨 紛纷 "
    "綠绿 寶宝 貝贝 賦赋 賠赔 謝谢 讓让 豐丰 質质 週周 遠远 適适 選选 遺遗 邊边 鄉乡 鑒鉴 鑑鉴 門门 陸陆 隨随 雜杂 雙双 "
    "離离 電电 靈灵 韓韩 頁页 頓顿 領领 題题 顯显"
)
_TRAD = str.maketrans({p[0]: p[1] for p in _TRAD_PAIRS.split()})
# a note reference printed inside a Chinese label ("七、78", "五(一)1", "60(2)") after wrapping
_ZH_NOTE_REF = re.compile(r"(?:附注)?[一二三四五六七八九十]+、\s*\d+(?:\s*[(（]\s*\d+\s*[)）])?"
                          r"|(?<=[\u4e00-\u9fff])\s*\d{1,3}(?:\.\d{1,2})*(?:\s*[(（]\s*[0-9a-z]{1,4}\s*[)）])*\s*[,，]?\s*$")


@lru_cache(maxsize=65536)
def normalize(label: str) -> str:
    """The comparable form of a printed label (see the module docstring)."""
    s = unicodedata.normalize("NFKC", label).strip().lower().translate(_TRAD)
    s = s.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"').replace("&", " and ")
    s = re.sub(r"(?<=s)'(?=[a-z])", "' ", s)  # "stockholders'equity" (a glyph gap lost in the PDF)
    s = re.sub(r"\s*/\s*(?=[(（])", " ", s)  # "income/(loss)", "by/(used in)": the aside after a slash
    if re.search(r"[\u4e00-\u9fff]", s):
        s = _ZH_NOTE_REF.sub("", s)
    for _ in range(3):
        s2 = _ZH_LEAD.sub("", _PREFIX.sub("", s.strip()))
        if s2 == s:
            break
        s = s2
    prev = None
    while prev != s:
        prev, s = s, _PAREN.sub(" ", s)
    s = re.sub(r"[(（][^)）]*$", " ", s)  # an unclosed aside at the end
    s = _NOTE_TAIL.sub("", s) if re.search(r"\b(?:note|notes)\s+\d", s) or "附注" in s else s
    if not s.startswith("net "):
        s = re.sub(r",?\s*\bnet of\b.*$", " ", s)  # ", net of allowance of $1,234"
    s = re.sub(r",?\s*\bless (?:current portion|current maturities|allowances?)\b.*$", " ", s)
    s = re.sub(r",\s*net\b", " ", s)
    s = s.replace("—", " ").replace("–", " ")
    if re.search(r"[\u4e00-\u9fff]", s):
        s = re.sub(r"[\s:：;；,，、.。\"'“”/／╱]", "", s)
    else:
        s = re.sub(r"[,:;.\"/]", " ", s)
        s = re.sub(r"\bthe\b", " ", s)
        s = re.sub(r"\s+", " ", s).strip()
    return s


def _lookup(kind: str) -> dict[str, str]:
    if kind not in _LOOKUP:
        table: dict[str, str] = {}
        for source in (SYNONYMS, VARIANTS):
            for key, names in source.get(kind, {}).items():
                for name in names:
                    if name:
                        table.setdefault(normalize(name), key)
        _LOOKUP[kind] = table
    return _LOOKUP[kind]


_NET_INTEREST = re.compile(r"^interest\s*\(?(?:income|expense)\)?\s*(?:and\s*)?\(?(?:income|expense)\)?\s*,?\s*net$|^interest,?\s*net$", re.IGNORECASE)

_TOTAL_PROFIT = re.compile(r"^(?:net )?(?:income|loss|earnings|profit|income loss|loss income)s? before (?:provision for |benefit from )?(?:income )?tax")


@lru_cache(maxsize=65536)
def map_label(label: str, kind: str) -> str | None:
    """The canonical key of one printed label, by normalized look-up (no context)."""
    n = normalize(label)
    if not n:
        return None
    if kind == _IS and _NET_INTEREST.match(unicodedata.normalize("NFKC", label).strip()):
        return "interest_expense"  # a net interest figure (convention: interest_expense)
    key = _lookup(kind).get(n)
    if key is None and kind == _IS and _TOTAL_PROFIT.match(n):
        key = "total_profit"
    if key is None:
        key = next((k for pattern, k in RULES.get(kind, []) if pattern.search(n)), None)
    return key


@dataclass
class MapRow:
    """What ``assign_keys`` needs of a row: its label and its values."""

    label: str
    values: list[Decimal | None]
    x0: float | None = None  # where the printed row starts on the page, when known


_PER_SHARE_HEAD = re.compile(r"per (?:common |ordinary )?share|每股收益|每股盈利|每股溢利|每股亏损|earnings per share|loss per share")
_ZH_EPS_WORD = {"基本": "basic", "摊薄": "diluted", "稀释": "diluted"}
_SHARES_HEAD = re.compile(r"weighted|shares used|number of shares|shares outstanding|股数")
_COMMON_STOCK = re.compile(r"^(?:class [a-z] )?(?:common|ordinary) (?:stock|shares)")
_ATTRIB_PARENT_EN = re.compile(r"^net (?:income|earnings|loss|profit)(?: loss)? attributable to (?!non-?controlling)")
_TOTAL_OPEX = ("total operating expenses", "total costs and expenses", "total operating costs and expenses", "total expenses", "total cost and expenses")


def assign_keys(rows: list[MapRow], kind: str, *, bank: bool | None = None) -> list[str | None]:
    """Canonical keys for the rows of one statement, applying the project's conventions.

    A key is never given to two rows (the first printed keeps it); combined rows that straddle
    two keys (SG&A and the like) are not in the tables, so they stay without a key.
    """
    return explain_keys(rows, kind, bank=bank)[0]


def explain_keys(rows: list[MapRow], kind: str, *, bank: bool | None = None) -> tuple[list[str | None], list[str]]:
    """``assign_keys`` with the notes a person should see: keys given by the statement's sums or by
    similarity to a known label (each confirmed by the figures), and a bank's chart of accounts.

    Steps: labels → keys (look-up and rules) → conventions → one row per key → sums (structure)
    → sections → items in parts → near-miss labels confirmed by an identity → one row per key.
    """
    norms = [normalize(r.label) for r in rows]
    keys: list[str | None] = [map_label(r.label, kind) for r in rows]
    if bank is None:
        bank = is_bank(norms, [any(v is not None for v in r.values) for r in rows], kind)
    heading = ""
    after_fin = 99
    cas_finance = "财务费用" in norms  # a CAS income statement: its interest lines are 财务费用's sub-items
    for i, n in enumerate(norms):
        values_present = any(v is not None for v in rows[i].values)
        if not values_present and not keys[i]:
            heading = n
        if kind == _IS:
            n = _ZH_EPS_WORD.get(n.lstrip("-－—–"), n)  # "－基本" / "－摊薄" under 每股盈利
            if n in ("basic", "diluted") or n.startswith(("basic ", "diluted ")) and keys[i] is None:
                word = "basic" if n.startswith("basic") else "diluted"
                if _PER_SHARE_HEAD.search(heading) and not _SHARES_HEAD.search(heading) and n in ("basic", "diluted"):
                    keys[i] = f"{word}_eps"
            if keys[i] in ("basic_eps", "diluted_eps") and _SHARES_HEAD.search(heading) and not n.endswith("per share"):
                keys[i] = None
            # Chinese 利息费用/利息收入 are the sub-items of 财务费用 only
            if n == "财务费用":
                after_fin = 0
            elif re.search(r"[\u4e00-\u9fff]", n):
                after_fin += 1
            if keys[i] in ("interest_expense", "interest_income") and re.search(r"[\u4e00-\u9fff]", n) and after_fin > 3 \
                    and not bank and cas_finance:
                keys[i] = None
            if bank and keys[i] is None and n == "利息支出":
                keys[i] = "interest_expense"  # a bank's own interest lines (data README convention)
    if kind == _IS:
        _eps_heading(rows, norms, keys)
        _attributable_heading(rows, norms, keys)
        _revenue_convention(norms, keys, [any(v is not None for v in r.values) for r in rows])
        _opex_convention(rows, norms, keys)
        _attribution_convention(norms, keys)
    if kind == _BS:
        _common_stock_convention(norms, keys)
        _equity_convention(rows, norms, keys)
    block_notes = _block_headings(rows, keys, kind)
    valued = [any(v is not None for v in r.values) for r in rows]
    notes: list[str] = list(block_notes)
    if bank:
        keys = [None if k in _NOT_A_BANK_FIGURE else k for k in keys]
        _bank_revenue(norms, keys, valued)
        notes.append("bank chart of accounts (银行报表): only totals and rows that mean the same for a bank carry a "
                     "figure key; loans, deposits and interest lines keep their printed labels")
    keys = _unique(keys, valued)
    values = [list(r.values) for r in rows]
    notes += infer_keys(kind, norms, values, keys)
    _section_keys(kind, norms, values, keys, bank)
    if kind == _BS:
        _items_in_parts(norms, keys, valued)
    keys = _unique(keys, valued)
    notes += _similar_rows(kind, rows, keys, bank)
    return _unique(keys, valued), notes


@lru_cache(maxsize=8)
def _section_table(kind: str) -> dict[str, dict[str, str | None]]:
    return {sec: {normalize(label): key for label, key in table.items()} for sec, table in SECTION_KEYS.get(kind, {}).items()}


_TWINS = {"current_assets": "non_current_assets", "current_liabilities": "non_current_liabilities"}


def _section_keys(kind: str, norms: list[str], values: list[list[Decimal | None]], keys: list[str | None], bank: bool) -> None:
    """Labels whose meaning is given by their section (``lexicon.SECTION_KEYS``, ``structure.row_sections``).

    A label printed with figures under both a current heading and the matching non-current one is one
    item split by maturity: the non-current row keeps the item's key and the current row is a part of
    the current portion, with no key of its own unless the table gives one ("Term debt")."""
    table = _section_table(kind)
    if not table:
        return
    sections = row_sections(kind, norms, values, keys)
    valued = [any(v is not None for v in vals) for vals in values]
    for i, n in enumerate(norms):
        sec = sections[i]
        if not valued[i] or sec is None or not n:
            continue
        if n in table.get(sec, {}):
            key = table[sec][n]
            if bank and key is not None and key in _NOT_A_BANK_FIGURE:
                key = None
            keys[i] = key  # a look-up with its context, as certain as the lexicon's: no note
        elif sec in _TWINS and keys[i] is not None:
            twin = _TWINS[sec]
            if any(norms[j] == n and sections[j] == twin and valued[j] for j in range(len(norms))):
                keys[i] = None  # the current part of an item printed again under the non-current heading


def _block_headings(rows: list[MapRow], keys: list[str | None], kind: str) -> list[str]:
    """A heading printed without figures over indented rows that an unlabelled total closes
    ("Non-operating income (expense)" / three indented rows / a ruled total) names that
    block, not a figure: its key would stand for the total with no value, so it takes none.
    On a balance sheet the block is the item's breakdown ("Inventories:" / raw materials, work in
    process, finished goods / a ruled total): the total, when it is the sum of the rows, is the item."""
    notes: list[str] = []
    for i, row in enumerate(rows):
        if keys[i] is None or row.x0 is None or any(v is not None for v in row.values):
            continue
        j = i + 1
        while j < len(rows) and rows[j].label.strip() and rows[j].x0 is not None and rows[j].x0 > row.x0 + 3:
            j += 1
        if j > i + 1 and j < len(rows) and not rows[j].label.strip() and any(v is not None for v in rows[j].values):
            key, keys[i] = keys[i], None
            if kind == _BS and keys[j] is None and j - i > 2 and _sums(rows[i + 1:j], rows[j]):
                keys[j] = key
                notes.append(f"an unlabelled row → {key} by the statement's sums (the total of the rows under '{row.label.strip()}')")
    return notes


def _sums(parts: list[MapRow], total: MapRow) -> bool:
    """Every column of ``total`` printed and equal to the sum of ``parts`` (each part printed there)."""
    for c, t in enumerate(total.values):
        vals = [p.values[c] if c < len(p.values) else None for p in parts]
        if t is None or any(v is None for v in vals) or sum(vals, Decimal(0)) != t:  # type: ignore[arg-type]
            return False
    return True


_ATTRIB_HEAD = re.compile(r"^(?:net )?(?:profit|income|earnings|loss|profit loss|income loss)(?: for the (?:period|year))? attributable to$"
                          r"|^归属于|^(?:下列人士|以下人士)?应占$")
_OWNERS = re.compile(r"^(?:owners|equity holders|shareholders|stockholders|equity shareholders|ordinary shareholders) of (?:the )?"
                     r"(?:company|parent|bank|group)$|^母公司(?:所有者|股东)$|^本公司(?:权益持有人|拥有人|股东|股权持有人)$")
_NCI = re.compile(r"^(?:non-?controlling interests?|minority interests?|少数股东|非控制性权益|非控股权益)$")


def _eps_heading(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """"Basic earnings per share:" printed as a heading, its figure on a row under it labelled "Net
    income attributable to common shareholders": that row is the EPS. Rows of continuing or
    discontinued operations are parts of it, never the EPS."""
    for i in range(len(rows) - 1):
        if keys[i] not in ("basic_eps", "diluted_eps") or any(v is not None for v in rows[i].values):
            continue
        for j in range(i + 1, min(i + 5, len(rows))):
            # (a row the lexicon named net profit is, under a per-share heading, the figure per share)
            if not any(v is not None for v in rows[j].values) or keys[j] not in (None, "net_profit", "net_profit_attributable_to_parent") \
                    or _SHARES_HEAD.search(norms[j]):
                break
            if re.match(r"(?:net )?(?:income|earnings|loss|profit)\b", norms[j]) and "continu" not in norms[j]:
                keys[j], keys[i] = keys[i], None
                break


def _attributable_heading(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """"Profit attributable to:" followed by "Owners of the Company" / "Non-controlling interests"."""
    for i, n in enumerate(norms):
        if not _ATTRIB_HEAD.match(n) or any(v is not None for v in rows[i].values):
            continue
        for j in range(i + 1, min(i + 4, len(norms))):
            if _OWNERS.match(norms[j]) and keys[j] is None:
                keys[j] = "net_profit_attributable_to_parent"
            elif _NCI.match(norms[j]) and keys[j] is None:
                keys[j] = "minority_interest_income"
            elif not any(v is not None for v in rows[j].values):
                break


def _revenue_convention(norms: list[str], keys: list[str | None], valued: list[bool]) -> None:
    totals = [i for i, n in enumerate(norms) if re.fullmatch(r"total (?:net )?(?:operating )?(?:revenues?|sales)(?: and other income)?", n)]
    plain = [i for i, k in enumerate(keys) if k == "revenue" and valued[i]]  # a "Revenue:" heading is no top line
    for i in totals:
        if plain and any(p < i for p in plain):
            keys[i] = "total_operating_revenue"
        else:
            for p in plain:  # the component rows printed above a total are not the top line
                keys[p] = None
            keys[i] = "revenue"


def _opex_convention(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """A "total operating expenses" row is total_operating_costs only when it includes cost of sales."""
    idx = {k: i for i, k in reversed(list(enumerate(keys))) if k and any(v is not None for v in rows[i].values)}
    for i, n in enumerate(norms):
        if n in _TOTAL_OPEX and keys[i] is None and "revenue" in idx and "operating_profit" in idx:
            rev, op, tot = rows[idx["revenue"]].values, rows[idx["operating_profit"]].values, rows[i].values
            pairs = [(r, o, t) for r, o, t in zip(rev, op, tot) if r is not None and o is not None and t is not None]
            if pairs and all(abs(abs(r) - abs(t) - o) <= Decimal(1) for r, o, t in pairs):
                keys[i] = "total_operating_costs"


def _attribution_convention(norms: list[str], keys: list[str | None]) -> None:
    has_nci = "minority_interest_income" in keys
    for i, n in enumerate(norms):
        if keys[i] is None and has_nci and _ATTRIB_PARENT_EN.match(n):
            keys[i] = "net_profit_attributable_to_parent"


def _common_stock_convention(norms: list[str], keys: list[str | None]) -> None:
    stock = [i for i, n in enumerate(norms) if _COMMON_STOCK.match(n)]
    if len(stock) == 1 and "paid_in_capital" not in keys:
        keys[stock[0]] = "paid_in_capital"


_EQUITY_TOTAL = re.compile(r"^total (?:[a-z0-9.&,' -]+ )?(?:stockholders|shareholders|shareowners|owners)'? (?:equity|deficit|investment)"
                           r"(?: deficit)?(?: attributable to (?!non-?controlling)[a-z0-9.&,' -]+)?$|^total equity(?: deficit)?$|^total deficit$")
_NCI_ROW = re.compile(r"^non-?controlling interests?\b|^minority interests?\b")


def _equity_convention(rows: list[MapRow], norms: list[str], keys: list[str | None]) -> None:
    """US "Total stockholders' equity" followed by NCI and a later equity total → equity of the parent
    (the later one is total_equity): "Total Walmart shareholders' equity / Noncontrolling interest /
    Total equity", "Total MGM … stockholders' equity / Noncontrolling interests / Total stockholders' equity"."""
    totals = [i for i, n in enumerate(norms) if _EQUITY_TOTAL.match(n) and any(v is not None for v in rows[i].values)]
    for a, b in zip(totals, totals[1:]):
        nci = "minority_interests" in keys[a + 1 : b] or any(_NCI_ROW.match(n) for n in norms[a + 1 : b])
        differs = any(x is not None and y is not None and x != y for x, y in zip(rows[a].values, rows[b].values))
        if nci and differs:
            keys[a] = "equity_attributable_to_parent"
            keys[b] = "total_equity"
            return


_LEASE_KIND = re.compile(r"\b(operating|finance|financing) lease")
_INTANGIBLE_PART = re.compile(r"trademark|trade name|brand|franchise|licen[cs]e|patent|customer relationship|商标|专利|特许")


def _items_in_parts(norms: list[str], keys: list[str | None], valued: list[bool]) -> None:
    """One item printed in parts keeps no key (the data README's rule for split rows): an operating-lease
    row beside the same row for finance leases ("Operating lease right-of-use assets" / "Finance lease
    right-of-use assets") is half of the right-of-use assets, and "Other intangible assets" beside
    trademarks or franchise rights is one part of the intangible assets (beside goodwill alone it is
    the whole)."""
    present = {n for n, v in zip(norms, valued) if v}
    for i, n in enumerate(norms):
        if keys[i] is None or not valued[i]:
            continue
        m = _LEASE_KIND.search(n)
        if m:
            others = ("finance", "financing") if m.group(1) == "operating" else ("operating",)
            if any(n[: m.start(1)] + o + n[m.end(1):] in present for o in others):
                keys[i] = None
                continue
        if keys[i] == "intangible_assets" and n.startswith("other ") and any(
                _INTANGIBLE_PART.search(o) for o, v in zip(norms, valued) if v and o != n):
            keys[i] = None


def _unique(keys: list[str | None], valued: list[bool]) -> list[str | None]:
    # a heading row without figures ("Cost of revenue:") yields its key to a later row with figures
    for i, k in enumerate(keys):
        if k is not None and not valued[i] and any(keys[j] == k and valued[j] for j in range(i + 1, len(keys))):
            keys[i] = None
    seen: set[str] = set()
    out: list[str | None] = []
    for k in keys:
        if k is not None and k in seen:
            out.append(None)
            continue
        if k is not None:
            seen.add(k)
        out.append(k)
    return out


# --- banks -------------------------------------------------------------------------------------
# A bank's statements follow another chart of accounts (CAS for banks, US bank holding companies):
# loans, deposits, net interest income. Recognised by its own rows, with no corporate-only row.
_BANK_ROWS = re.compile(
    r"^(?:吸收存款|发放贷款和垫款|发放贷款及垫款|客户贷款及垫款|现金及存放中央银行款项|存放同业款项|拆出资金|同业及其他金融机构存放款项|"
    r"利息净收入|手续费及佣金净收入|业务及管理费|吸收存款和同业存放款项净增加额|客户存款和同业存放款项净增加额|发放贷款和垫款净增加额|"
    r"cash and due from banks|deposits|total deposits|loans|total loans|loans net of allowance for loan losses|"
    r"allowance for loan losses|net interest income|provision for credit losses|total net revenue|"
    r"interest-bearing deposits|noninterest-bearing deposits|customer deposits|deposits with banks)$")
_CORPORATE_ROWS = re.compile(
    r"^(?:流动资产合计|流动负债合计|营业成本|营业总成本|销售商品提供劳务收到的现金|total current assets|total current liabilities|"
    r"cost of sales|cost of revenue|cost of revenues|cost of goods sold|gross profit|gross margin|inventories)$")
_NOT_A_BANK_FIGURE = frozenset({
    "cash", "notes_receivable", "accounts_receivable", "prepayments", "other_receivables", "inventory", "contract_assets",
    "total_current_assets", "total_non_current_assets", "total_current_liabilities", "total_non_current_liabilities",
    "accounts_payable", "notes_payable", "advances_from_customers", "cost_of_revenue", "total_operating_costs",
    "selling_expenses", "admin_expenses", "rd_expenses", "financial_expenses", "cash_from_sales",
    "total_operating_revenue"})


def is_bank(norms: Sequence[str], valued: Sequence[bool], kind: str) -> bool:
    """A bank's statement: two or more of its own valued rows and none that only a company prints."""
    own = {n for n, v in zip(norms, valued) if v and _BANK_ROWS.match(n)}
    corporate = any(v and _CORPORATE_ROWS.match(n) for n, v in zip(norms, valued))
    return len(own) >= 2 and not corporate


def _bank_revenue(norms: list[str], keys: list[str | None], valued: list[bool]) -> None:
    """A bank's revenue is its 营业收入 (CAS: net interest, net fee and other operating income, the
    total printed as 营业收入 or 营业收入合计) or "Total net revenue"; never its interest income."""
    if any(k == "revenue" and valued[i] for i, k in enumerate(keys)):
        return
    for i, n in enumerate(norms):
        if valued[i] and re.fullmatch(r"营业收入(?:合计|总额)?|total (?:net )?revenues?(?: net of ?interest expense)?", n):
            keys[:] = [None if k == "revenue" else k for k in keys]
            keys[i] = "revenue"
            return


# --- near-miss labels --------------------------------------------------------------------------
_SIMILAR = 0.9  # below: the row keeps no key
_SIMILAR_ALONE = 0.95  # a key no identity can confirm needs this much
_LIGATURES = {"fi", "fl", "ff", "ffi", "ffl"}
_ZH_FILLER = set("的之额项款")


def _benign(a: str, b: str) -> bool:
    """The edits from printed ``a`` to known ``b`` are a lost glyph gap, a dropped ligature or one
    typo (a letter wrong, missing or doubled) inside a word of six letters or more — never a word or a prefix such as "non" / "非" that changes the figure."""
    typos = changed = 0
    for op, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        x, y = a[i1:i2], b[j1:j2]
        changed += max(len(x), len(y))
        if not (x + y).strip(" -'"):
            continue
        if not x and y in _LIGATURES or not y and x in _LIGATURES:
            continue
        if set(x + y) <= _ZH_FILLER:
            continue
        if len(x + y) == 1 and (x + y).isalpha() or op == "replace" and len(x) == len(y) == 1 and x.isalpha() and y.isalpha():
            word = re.findall(r"[a-z]+", a[max(0, i1 - 8):i2 + 8])
            if word and max(len(w) for w in word) >= 6:
                typos += 1
                continue
        return False
    return typos <= 1 and changed <= 4


_MATCHERS: dict[str, list[tuple[int, str, str, SequenceMatcher]]] = {}


def _matchers(kind: str) -> list[tuple[int, str, str, SequenceMatcher]]:
    """(length, known label, key, a matcher holding the known label) — built once per kind."""
    if kind not in _MATCHERS:
        _MATCHERS[kind] = [(len(k), k, key, SequenceMatcher(None, "", k, autojunk=False)) for k, key in _lookup(kind).items()]
    return _MATCHERS[kind]


@lru_cache(maxsize=16384)
def similar_key(label: str, kind: str) -> tuple[str, float, str] | None:
    """The key of the known label most like ``label`` — (key, similarity, that label) — when the
    similarity reaches the threshold and the difference is benign (``_benign``); else None."""
    n = normalize(label)
    if len(n) < 4:
        return None
    best: tuple[str, float, str] | None = None
    for length, known, key, m in _matchers(kind):
        if abs(length - len(n)) > 4:
            continue
        m.set_seq1(n)
        if m.real_quick_ratio() < _SIMILAR or m.quick_ratio() < _SIMILAR:
            continue
        r = m.ratio()
        if r >= _SIMILAR and (best is None or r > best[1]) and _benign(n, known):
            best = (key, r, known)
    return best


_NET_ASIDE = re.compile(r"[(（]\s*(?:income|expense|gain|loss|increase|decrease|收益|损失)s?\s*[)）]", re.IGNORECASE)


def _similar_rows(kind: str, rows: list[MapRow], keys: list[str | None], bank: bool) -> list[str]:
    notes = []
    for i, r in enumerate(rows):
        if keys[i] is not None or not any(v is not None for v in r.values) or map_label(r.label, kind) is not None:
            continue  # a known label that a convention left without a key stays so
        if _NET_ASIDE.search(r.label):
            continue  # "Nonoperating (income) expense, net": a net figure the aside dropped from the comparison
        hit = similar_key(r.label, kind)
        if hit is None or hit[0] in keys or (bank and hit[0] in _NOT_A_BANK_FIGURE):
            continue
        key, score, known = hit
        trial = list(keys)
        trial[i] = key
        verdict = _identity(kind, key, rows, trial)
        if verdict is False or (verdict is None and score < _SIMILAR_ALONE):
            continue
        keys[i] = key
        how = "confirmed by an accounting identity" if verdict else "no identity to confirm it"
        notes.append(f"row '{r.label}' → {key} by similarity to '{known}' ({score:.2f}; {how})")
    return notes


def _identity(kind: str, key: str, rows: list[MapRow], keys: list[str | None]) -> bool | None:
    """Whether the identities of FIGURES.md that involve ``key`` hold in every column (None: none can be
    evaluated). Sign-aware like ``extractors.checks``."""

    def col(k: str) -> list[Decimal | None] | None:
        return next((list(rows[i].values) for i, x in enumerate(keys) if x == k), None)

    def holds(lhs: list[Decimal | None] | None, *terms: list[Decimal | None] | None,
              signs: tuple[int, ...] | None = None) -> bool | None:
        """lhs = Σ sign·term in every column where all are printed (within rounding); None: no such column."""
        if lhs is None or any(t is None for t in terms):
            return None
        signs = signs or (1,) * len(terms)
        seen = False
        for c, left in enumerate(lhs):
            vals = [t[c] if c < len(t) else None for t in terms]  # type: ignore[index]
            if left is None or any(v is None for v in vals):
                continue
            total = sum((sg * v for sg, v in zip(signs, vals)), Decimal(0))  # type: ignore[operator]
            tol = max([abs(v) for v in vals] + [abs(left)]) * Decimal("0.0001")  # rounding of the printed unit  # type: ignore[arg-type]
            if abs(left - total) > tol:
                return False
            seen = True
        return True if seen else None

    results: list[bool | None] = []
    if kind == _BS:
        ta, tle, tl, te = col("total_assets"), col("total_liabilities_and_equity"), col("total_liabilities"), col("total_equity")
        if key in ("total_assets", "total_liabilities_and_equity"):
            results += [holds(ta, tle), holds(ta, tl, te), holds(tle, tl, te)]
            if key == "total_assets":
                results.append(holds(ta, col("total_current_assets"), col("total_non_current_assets")))
        elif key == "total_liabilities":
            results += [holds(tle or ta, tl, te), holds(tl, col("total_current_liabilities"), col("total_non_current_liabilities"))]
        elif key == "total_equity":
            results += [holds(tle or ta, tl, te)]
    elif kind == _IS and key in ("net_profit", "total_profit", "income_tax"):
        tp, tax, np_ = col("total_profit"), col("income_tax"), col("net_profit")
        less, plus = holds(np_, tp, tax, signs=(1, -1)), holds(np_, tp, tax, signs=(1, 1))
        results.append(True if True in (less, plus) else less)
    elif kind == _CF and key in ("net_cash_operating", "net_cash_investing", "net_cash_financing", "net_change_in_cash"):
        op, inv, fin, chg = col("net_cash_operating"), col("net_cash_investing"), col("net_cash_financing"), col("net_change_in_cash")
        fx = next((list(r.values) for r, k in zip(rows, keys) if k is None and re.search(r"exchange|汇率|foreign currency",
                                                                                          normalize(r.label))), None)
        plain = holds(chg, op, inv, fin)
        results.append(holds(chg, op, inv, fin, fx) if plain is False and fx else plain)
    known = [r for r in results if r is not None]
    if not known:
        return None
    return all(known)


# --- labels wrapped over two rows --------------------------------------------------------------
def join_wrapped(labels: Sequence[str], valued: Sequence[bool], kind: str) -> list[list[int]]:
    """Groups of consecutive rows that are one label wrapped over two or three printed lines.

    The layout step joins most wrapped labels; when it cannot (Chinese labels only) (a note reference between the
    lines, the figures on the last line), the lexicon decides: rows join when at most one of
    them has figures, no part is a known label on its own and the joined label is one
    ("经营活动产生的现金流" + "量净额", "所有者权益（或股东权" + "益）合计").
    """
    groups: list[list[int]] = []
    i = 0
    while i < len(labels):
        taken = 1
        # Chinese only (the layout step joins English wraps itself); a heading ("…：") is not a wrap
        if map_label(labels[i], kind) is None and re.search(r"[\u4e00-\u9fff]", labels[i]) and not re.search(
                r"[:：]\s*$", labels[i]):
            for span in (2, 3):
                idx = list(range(i, min(i + span, len(labels))))
                if len(idx) < span or sum(valued[j] for j in idx) > 1:
                    break
                if any(map_label(labels[j], kind) is not None for j in idx[1:]):
                    break
                if map_label(join_label([labels[j] for j in idx]), kind) is not None:
                    taken = span
                    break
        groups.append(list(range(i, i + taken)))
        i += taken
    return groups


def join_label(parts: Sequence[str]) -> str:
    """One label from its wrapped lines (no space between Chinese parts; a note reference between them dropped)."""
    if len(parts) > 1:
        parts = [_ZH_NOTE_REF.sub("", p) if re.search(r"[\u4e00-\u9fff]", p) else p for p in parts]
    out = parts[0].strip()
    for p in parts[1:]:
        p = p.strip()
        cjk = re.search(r"[\u4e00-\u9fff）)]$", out) and re.match(r"[\u4e00-\u9fff（(]", p)
        out = f"{out}{p}" if cjk or out.endswith("-") else f"{out} {p}"
    return out
