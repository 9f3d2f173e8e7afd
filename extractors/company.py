"""The company a document is about, read from the document itself.

Chinese reports: 公司名称/编制单位/公司的中文名称 fields, or a line ending in 股份有限公司/有限公司
near the top. English filings: the cover's registrant line ("NETFLIX, INC.", "Amazon.com,
Inc.", "(Exact name of registrant as specified in its charter)" above it), or a statement
page's company line.
"""

from __future__ import annotations

import re
import unicodedata

_ZH_FIELD = re.compile(r"(?:公司的中文名称|公司名称|中文名称|编制单位|企业名称|单位名称)\s*[:：]\s*"
                       r"([\u4e00-\u9fff()（）A-Za-z0-9]{4,40}(?:有限公司|有限责任公司|集团|银行|公司))")
_ZH_LINE = re.compile(r"^([\u4e00-\u9fff()（）]{2,30}(?:股份有限公司|有限责任公司|有限公司|银行股份有限公司))")
_EN_LINE = re.compile(r"^([A-Z][\w.&,'\- ]{1,60}?,?\s+"
                      r"(?:INC|Inc|CORP|Corp|CORPORATION|Corporation|LTD|Ltd|LIMITED|Limited|PLC|plc|CO|Co|N\.V|S\.A|LLC|L\.P)\.?)\s*$")


_NOT_A_NAME = re.compile(r"commission|file\s+n(?:o\b|umber)", re.IGNORECASE)  # the cover's other fields, not the registrant


def company_name(page_texts: list[str], statement_pages: list[int] | None = None) -> str | None:
    """The company's name, or None when the document does not print one we recognise."""
    head = [unicodedata.normalize("NFKC", t) for t in page_texts[:6]]
    for text in head:
        m = _ZH_FIELD.search(text)
        if m:
            return m.group(1)
    for text in head:
        lines = [x.strip() for x in text.split("\n") if x.strip()]
        for i, line in enumerate(lines):
            if "exact name of registrant" in line.lower() and i > 0:
                cand = lines[i - 1].strip().strip("_-— ").strip()
                if 2 <= len(cand) <= 80 and not _NOT_A_NAME.search(cand):
                    return cand
    for text in head:
        for line in text.split("\n")[:40]:
            m = _ZH_LINE.match(line.strip().replace(" ", ""))
            if m:
                return m.group(1)
    for text in head + [unicodedata.normalize("NFKC", page_texts[p - 1]) for p in (statement_pages or []) if 0 < p <= len(page_texts)]:
        lines = [x.strip() for x in text.split("\n")[:30]]
        for line in lines + [f"{a} {b}" for a, b in zip(lines, lines[1:])]:
            m = _EN_LINE.match(line.strip())
            if m and not line.lower().startswith(("table of", "item ")):
                return m.group(1).strip()
    return None


# ---------------------------------------------------------------- the issuer's other names

_FIELD_WORDS = ("代码", "简称", "名称", "交易所", "种类", "公告", "编号", "如有", "适用", "变更", "类型", "上市")
_NONE_WORDS = frozenset({"无", "不适用", "适用", "N/A", "n/a", "None", "-", "—"})
_ZH_SHORT = re.compile(r"(?:证券|股票|公司|A股|B股|H股)简称\s*[:：]?\s*((?:(?:[\u4e00-\u9fffA-Za-z0-9*]{2,12}|[A-Z](?![A-Za-z]))[\s、,，/]*){1,5})")
_ZH_CHINESE_SHORT = re.compile(r"公司的中文简称(?:\(如有\))?\s*[:：]?\s*([\u4e00-\u9fffA-Za-z0-9]{2,12})")
_ZH_FORMER = re.compile(r"变更前的?(?:股票|证券)简称(?:\(如有\))?\s*[:：]?\s*([\u4e00-\u9fffA-Za-z0-9]{2,12})")
_ZH_CODE = re.compile(r"(?:证券|股票|公司)代码\s*[:：]?\s*(\d{6}(?:\s*[、,，/\s]\s*\d{6})*)")
_ZH_FOREIGN = re.compile(r"公司的(?:外文|英文)名称(?:缩写)?(?:\(如有\))?\s*[:：]?\s*([A-Za-z][A-Za-z0-9.,&'()\- ]{1,80})")
_RUN_TOGETHER = re.compile(r"[A-Za-z0-9.,&'()\-]{16,}")
_EN_SYMBOL_HEAD = re.compile(r"trading\s+symbol|\bsymbol\(s\)", re.IGNORECASE)
_EN_SYMBOL = re.compile(r"\b([A-Z]{1,5}(?:\.[A-Z])?)\s+(?:The\s+)?(?:Nasdaq|NASDAQ|New York Stock Exchange|NYSE)\b")


def issuer_aliases(page_texts: list[str]) -> list[str]:
    """The other names the issuer goes by, as its first pages print them (no name is made up).

    Chinese reports: 证券简称 / 股票简称 / 公司简称 and 公司的中文简称 (several when A and B
    shares differ: 宝信软件 宝信B), a former short name (变更前的股票简称), 证券代码 / 股票代码 /
    公司代码 (six digits each), 公司的外文名称 and its 缩写. US filings: the trading symbol of the
    cover's registration table. Field words (股票代码, 不适用 …) are never taken as a name.
    """
    head = [unicodedata.normalize("NFKC", t) for t in page_texts[:10]]
    out: list[str] = []

    def add(name: str) -> None:
        name = name.strip().strip(",，、/:：")
        if _RUN_TOGETHER.fullmatch(name):
            return  # "GuangdongVanwardNewElectricCo.,Ltd.": the text layer lost its spaces; nobody types that
        if (len(name) >= 2 and name not in _NONE_WORDS and not any(w in name for w in _FIELD_WORDS)
                and name not in out):
            out.append(name)

    for text in head:
        for line in text.split("\n"):
            line = line.strip()
            for m in _ZH_SHORT.finditer(line):
                parts: list[str] = []
                for part in re.split(r"[\s、,，/]+", m.group(1)):
                    if re.fullmatch(r"[A-Z]", part) and parts:
                        parts[-1] += part  # "宝信 B": the text layer split the B-share's name
                    elif re.search(r"[\u4e00-\u9fffA-Za-z]", part) and not re.search(r"代码|编号", part):
                        parts.append(part)
                for part in parts:
                    add(part)
            for pattern in (_ZH_CHINESE_SHORT, _ZH_FORMER):
                m = pattern.search(line)
                if m:
                    add(m.group(1))
            for m in _ZH_CODE.finditer(line):
                for code in re.findall(r"\d{6}", m.group(1)):
                    add(code)
            for m in _ZH_FOREIGN.finditer(line):
                add(m.group(1))
    for text in head[:3]:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if _EN_SYMBOL_HEAD.search(line):
                for follow in lines[i + 1:i + 3]:
                    m = _EN_SYMBOL.search(follow)
                    if m:
                        add(m.group(1))
                        break
                break
    return out
