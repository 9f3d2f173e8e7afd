"""Gold-free health of extraction over a folder of real reports (``../shared/data/corpus``).

``python -m eval health [FOLDER ...] [--only NAME] [--workers N] [--details]``

For every PDF the criteria of ``shared/data/corpus/README.md``, per consolidated statement:

* **found** — the balance sheet, income statement and cash-flow statement. A 10-K, 10-Q,
  年度报告 / 年報, 半年度报告, 季度报告 and a bond prospectus must have all three; an earnings
  release or results announcement (業績公告) may lack the cash-flow statement.
* **core** — BS total_assets and total_liabilities_and_equity (or total_liabilities +
  total_equity); IS revenue / total_operating_revenue and net_profit /
  net_profit_attributable_to_parent; CF net_cash_operating, net_cash_investing, net_cash_financing.
* **periods** — every column has its period_end, every flow column its period_start.
* **unit** — the unit printed on the statement's pages (read here by an independent, broader
  detector than the extractor's) is the one applied; none printed → units of one.
* **identity** — total assets = total liabilities and equity in every balance-sheet column.

A statement failing a criterion must carry a warning that names it (a missing statement a
document warning naming its kind); one that does not is a **silent failure** — the release
blocker counted separately. A scan (no text layer) is expected to be refused with a clear
error, or read by OCR when that is enabled.

Writes ``eval/reports/health.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import os
import re
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "eval" / "reports"
KINDS = ("balance_sheet", "income_statement", "cash_flow")
SHORT = {"balance_sheet": "BS", "income_statement": "IS", "cash_flow": "CF"}
CRITERIA = ("found", "core", "periods", "unit", "identity")

# what a person would search a warning for, per criterion (a warning "names what failed")
_WARN_WORDS = {
    "found": r"not found|no .*statement|could not be read|missing|未找到|skipped",
    "core": r"core|missing|not mapped|unmapped|未映射|缺少",
    "periods": r"period|date|span|期间|日期",
    "unit": r"unit|单位",
    "identity": r"≠|identity|total assets|不平|不等",
}


def data_dir() -> Path:
    return Path(os.environ.get("LOANWATCH_DATA_DIR", REPO.parent / "shared" / "data"))


def doc_type(name: str) -> str:
    """The report type from the file name: 10-K, 10-Q, earnings, annual, half-year, quarterly, prospectus, scan."""
    n = name.upper()
    if name.startswith("扫描"):
        return "scan"
    if "10K" in n:
        return "10-K"
    if "10Q" in n:
        return "10-Q"
    if "EARNINGS" in n or "業績公告" in name or "业绩公告" in name:
        return "earnings"
    if "募集说明书" in name:
        return "prospectus"
    if "半年度" in name or "中期" in name:
        return "half-year"
    if "季度" in name:
        return "quarterly"
    if "年度报告" in name or "年报" in name or "年報" in name:
        return "annual"
    return "other"


def needs_all_three(dtype: str) -> bool:
    return dtype in ("10-K", "10-Q", "annual", "half-year", "quarterly", "prospectus")


# --- an independent unit detector (deliberately broader than extractors.units) -------------
_ZH_UNIT_WORDS = [("千万元", 10_000_000), ("百万元", 1_000_000), ("百萬元", 1_000_000), ("亿元", 100_000_000),
                  ("億元", 100_000_000), ("万元", 10_000), ("萬元", 10_000), ("千元", 1_000)]
_ZH_UNIT_CTX = re.compile(r"(?:单位|單位|金额|金額|以|除另有|人民币|人民幣|港元|港幣|美元|币种|幣種)")


def printed_unit(text: str) -> int | None:
    """The multiplier printed in ``text`` (None when nothing is printed)."""
    t = unicodedata.normalize("NFKC", text)
    t = re.sub(r"(?<=[A-Za-z]) (?=[a-z]\b)", "", t)  # split glyphs: "Million s"
    low = t.lower()
    hits: list[int] = []
    for m in re.finditer(r"[千百万萬亿億]{0,2}万?[元]|千港元|百萬港元|千美元|百萬美元|百万美元", t):
        w = m.group(0)
        ctx = t[max(0, m.start() - 30): m.start()]
        for word, mult in _ZH_UNIT_WORDS:
            if w.endswith(word) or w.replace("港", "").replace("美", "").endswith(word):
                if _ZH_UNIT_CTX.search(ctx) or re.search(r"[:：(（]\s*$", ctx):
                    hits.append(mult)
                break
    if re.search(r"千(?:港|美)?元", t) and re.search(r"(?:单位|單位|以|金额|金額)[^。\n]{0,12}千(?:港|美)?元", t):
        hits.append(1_000)
    if re.search(r"\bin\s+billions\b|\$\s*in\s+billions|\(billions\)", low):
        hits.append(1_000_000_000)
    if re.search(r"\bin\s+millions\b|\(millions\b|millions of\b|\$\s*millions|\bin\s+\$?\s*millions|\$m\b|\bin millions of", low):
        hits.append(1_000_000)
    if re.search(r"\bin\s+thousands\b|\(thousands\b|thousands of\b|\$\s*'?000s?\b|'000\b|\bin\s+\$?\s*thousands|\(in \$000", low):
        hits.append(1_000)
    if not hits:
        return None
    return max(set(hits), key=hits.count)


@dataclass
class StatementHealth:
    kind: str
    found: bool = False
    core: bool = False
    periods: bool = False
    unit: bool = False
    identity: bool = True
    warned: list[str] = field(default_factory=list)  # the criteria failed that a warning names
    silent: list[str] = field(default_factory=list)  # the criteria failed without a warning
    unit_applied: int | None = None
    unit_printed: int | None = None
    pages: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return all(getattr(self, c) for c in CRITERIA)


@dataclass
class DocHealth:
    doc: str
    dtype: str
    pages: int = 0
    seconds: float = 0.0
    error: str | None = None
    statements: list[StatementHealth] = field(default_factory=list)

    @property
    def required(self) -> tuple[str, ...]:
        return KINDS if needs_all_three(self.dtype) else ("balance_sheet", "income_statement")

    @property
    def healthy(self) -> bool:
        if self.dtype == "scan":
            return self.error is not None or all(s.healthy for s in self.statements if s.found)
        by = {s.kind: s for s in self.statements}
        return self.error is None and all(by.get(k) is not None and by[k].healthy for k in self.required) and all(
            s.healthy for s in self.statements if s.found)

    @property
    def silent(self) -> list[str]:
        return [f"{SHORT[s.kind]}:{c}" for s in self.statements for c in s.silent]


def _core_ok(st) -> bool:
    keys = {i.key for i in st.items if i.key and any(v is not None for v in i.values)}
    if st.kind == "balance_sheet":
        return "total_assets" in keys and ("total_liabilities_and_equity" in keys or {"total_liabilities", "total_equity"} <= keys)
    if st.kind == "income_statement":
        return bool(keys & {"revenue", "total_operating_revenue"}) and bool(keys & {"net_profit", "net_profit_attributable_to_parent"})
    return {"net_cash_operating", "net_cash_investing", "net_cash_financing"} <= keys


def _identity_ok(st) -> bool:
    if st.kind != "balance_sheet":
        return True
    for ci in range(len(st.columns)):
        ta = st.value("total_assets", ci)
        tle = st.value("total_liabilities_and_equity", ci)
        if tle is None:
            tl, te = st.value("total_liabilities", ci), st.value("total_equity", ci)
            tle = tl + te if tl is not None and te is not None else None
        if ta is None or tle is None:
            continue  # a missing input is the core criterion's failure, not the identity's
        if abs(ta - tle) > Decimal(st.unit) * Decimal("1.5") + Decimal("0.01"):
            return False
    return True


def _warned(criterion: str, warnings: list[str]) -> bool:
    pat = re.compile(_WARN_WORDS[criterion], re.IGNORECASE)
    return any(pat.search(w) for w in warnings)


def check_document(path: Path) -> DocHealth:
    from extractors.document import open_pdf
    from extractors.errors import DocumentError
    from extractors.pipeline import extract_file

    h = DocHealth(doc=path.name, dtype=doc_type(path.name))
    started = time.perf_counter()
    try:
        result = extract_file(path)
    except DocumentError as exc:
        h.error = str(exc).splitlines()[0][:200]
        h.seconds = round(time.perf_counter() - started, 2)
        return h
    h.seconds = round(time.perf_counter() - started, 2)
    h.pages = result.pages
    try:
        text = open_pdf(path).page_texts
    except DocumentError:  # a scan read by OCR: no text layer to read the printed unit from independently
        text = [""] * result.pages
    consolidated = [st for st in result.statements if st.scope == "consolidated"]
    for kind in KINDS:
        sts = [st for st in consolidated if st.kind == kind]
        if not sts:
            sh = StatementHealth(kind=kind)
            if kind in h.required or h.dtype == "scan":
                if _warned("found", [w for w in result.warnings if _names_kind(w, kind)]):
                    sh.warned.append("found")
                else:
                    sh.silent.append("found")
                h.statements.append(sh)
            continue
        st = sts[0]
        sh = StatementHealth(kind=kind, found=True, pages=list(st.pages))
        sh.core = _core_ok(st)
        sh.periods = bool(st.columns) and all(
            c.period_end is not None and (kind == "balance_sheet" or c.period_start is not None) for c in st.columns)
        first = st.pages[0] if st.pages else 1
        around = "\n".join(text[p - 1] for p in range(max(1, first - 1), (st.pages[-1] if st.pages else first) + 1)
                           if 0 < p <= len(text))
        own = "\n".join(text[p - 1] for p in st.pages if 0 < p <= len(text))
        sh.unit_applied = st.unit
        sh.unit_printed = printed_unit(own) or printed_unit(around)
        sh.unit = sh.unit_applied == (sh.unit_printed or 1)
        sh.identity = _identity_ok(st)
        for c in CRITERIA[1:]:
            if not getattr(sh, c):
                (sh.warned if _warned(c, st.warnings) else sh.silent).append(c)
        h.statements.append(sh)
    return h


def _names_kind(warning: str, kind: str) -> bool:
    words = {"balance_sheet": r"balance sheet|资产负债表|financial position",
             "income_statement": r"income statement|利润表|operations|损益",
             "cash_flow": r"cash[- ]flow|现金流量表"}[kind]
    return bool(re.search(words, warning, re.IGNORECASE))


def _check_safe(path: str) -> dict:
    try:
        h = check_document(Path(path))
    except Exception as exc:  # noqa: BLE001 - a crash is a scored result (and a bug to fix)
        h = DocHealth(doc=Path(path).name, dtype=doc_type(Path(path).name), error=f"CRASH {exc.__class__.__name__}: {exc}"[:200])
    d = asdict(h)
    d["healthy"] = h.healthy
    d["silent"] = h.silent
    d["required"] = list(h.required)
    for s, sh in zip(d["statements"], h.statements):
        s["healthy"] = sh.healthy
    return d


def run(folders: list[Path], only: str | None = None, workers: int = 2) -> list[dict]:
    pdfs = sorted(p for f in folders for p in f.rglob("*.pdf") if only is None or only in p.name)
    if workers <= 1:
        return [_check_safe(str(p)) for p in pdfs]
    with cf.ProcessPoolExecutor(max_workers=workers) as ex:
        return list(ex.map(_check_safe, [str(p) for p in pdfs]))


def _cell(d: dict, kind: str) -> str:
    s = next((x for x in d["statements"] if x["kind"] == kind), None)
    if s is None:
        return "—" if kind not in d["required"] else "✗ missing"
    if not s["found"]:
        return "✗ not found" + (" (silent)" if s["silent"] else " (warned)")
    if s["healthy"]:
        return "✓"
    failed = [c for c in CRITERIA if not s[c]]
    tag = " (silent)" if s["silent"] else " (warned)"
    extra = f" {s['unit_applied']}≠{s['unit_printed']}" if "unit" in failed else ""
    return "✗ " + ",".join(failed) + extra + tag


def totals(rows: list[dict]) -> dict:
    three = [r for r in rows if needs_all_three(r["dtype"])]
    sts = [s for r in rows for s in r["statements"]]
    return {
        "documents": len(rows),
        "healthy": sum(r["healthy"] for r in rows),
        "three_statement_documents": len(three),
        "three_statement_healthy": sum(r["healthy"] for r in three),
        "three_statement_healthy_rate": (sum(r["healthy"] for r in three) / len(three)) if three else 1.0,
        "statements": len(sts),
        "statements_healthy": sum(s["healthy"] for s in sts),
        "unhealthy_statements": sum(not s["healthy"] for s in sts),
        "unhealthy_warned": sum((not s["healthy"]) and not s["silent"] for s in sts),
        "silent_failures": sum(len(r["silent"]) for r in rows),
        "silent_by_criterion": {c: sum(1 for r in rows for x in r["silent"] if x.endswith(":" + c)) for c in CRITERIA},
        "crashes": sum(1 for r in rows if (r["error"] or "").startswith("CRASH")),
        "seconds": round(sum(r["seconds"] for r in rows), 1),
    }


def report(rows: list[dict]) -> str:
    t = totals(rows)
    lines = ["## Corpus health (gold-free)", "",
             f"Command: `python -m eval health` ({dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC)", "",
             "| document | type | pages | s | BS | IS | CF | healthy |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        cells = [_cell(r, k) for k in KINDS]
        if r["error"]:
            cells = [f"refused: {r['error'][:80]}", "", ""]
        lines.append(f"| {r['doc']} | {r['dtype']} | {r['pages']} | {r['seconds']} | {' | '.join(cells)} | "
                     f"{'✓' if r['healthy'] else '✗'} |")
    lines += ["",
              f"- three-statement documents healthy: **{t['three_statement_healthy']}/{t['three_statement_documents']}"
              f" ({100 * t['three_statement_healthy_rate']:.1f} %)** (target ≥ 95 %)",
              f"- all documents healthy: {t['healthy']}/{t['documents']}",
              f"- statements healthy: {t['statements_healthy']}/{t['statements']}; unhealthy ones carrying a warning that names the"
              f" failure: {t['unhealthy_warned']}/{t['unhealthy_statements']}",
              f"- **silent failures: {t['silent_failures']}** (target 0) — by criterion: "
              + ", ".join(f"{k} {v}" for k, v in t["silent_by_criterion"].items()),
              f"- crashes: {t['crashes']}; extraction time {t['seconds']} s in all", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval health")
    ap.add_argument("folders", nargs="*", type=Path, help="folders of PDFs (default: the corpus)")
    ap.add_argument("--only", help="only files whose name contains this")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--details", action="store_true", help="print every statement's criteria")
    args = ap.parse_args(argv)
    folders = args.folders or [data_dir() / "corpus"]
    missing = [f for f in folders if not f.is_dir()]
    if missing:
        print(f"eval health: {missing[0]} is not a folder; put the corpus at ../shared/data/corpus or set LOANWATCH_DATA_DIR")
        return 1
    rows = run(folders, args.only, args.workers)
    text = report(rows)
    print(text)
    if args.details:
        for r in rows:
            for s in r["statements"]:
                if not s["healthy"]:
                    print(r["doc"], s["kind"], {c: s[c] for c in CRITERIA}, "silent:", s["silent"],
                          "unit", s["unit_applied"], "printed", s["unit_printed"], "pages", s["pages"])
    if args.only is None:
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / "health.md").write_text(text + "\n", encoding="utf-8")
        (REPORTS / "health.json").write_text(json.dumps({"documents": rows, "totals": totals(rows)}, ensure_ascii=False,
                                                         indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
