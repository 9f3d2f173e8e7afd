"""The company a document is about, read from the document itself.

Chinese reports: 公司名称/编制单位/公司的中文名称 fields, or a line ending in 股份有限公司/有限公司
near the top. English filings: the cover's registrant line ("NETFLIX, INC.", "Amazon.com,
Inc.", "(Exact name of registrant as specified in its charter)" above it), or a statement
page's company line.
"""

from __future__ import annotations

import re
import unicodedata

_ZH_FIELD = re.compile(r"(?:公司的中文名称|公司名称|中文名称|编制单位|企业名称|单位名称)\s*[:：]\s*([\u4e00-\u9fff()（）A-Za-z0-9]{4,40}(?:有限公司|有限责任公司|集团|银行|公司))")
_ZH_LINE = re.compile(r"^([\u4e00-\u9fff()（）]{2,30}(?:股份有限公司|有限责任公司|有限公司|银行股份有限公司))")
_EN_LINE = re.compile(r"^([A-Z][\w.&,'\- ]{1,60}?,?\s+(?:INC|Inc|CORP|Corp|CORPORATION|Corporation|LTD|Ltd|LIMITED|Limited|PLC|plc|CO|Co|N\.V|S\.A|LLC|L\.P)\.?)\s*$")


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
                if 2 <= len(cand) <= 80:
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
