"""Planted-claims benchmark: memos of the demo portfolio with one claim altered, each must be caught.

``python -m eval claims`` builds the memo of every demo client for every quarter that has a
previous quarter to compare with, in Chinese and English, and verifies each untouched memo
(numbers, their labels, periods and bases, and the claims: ``memo.verify`` with
``memo.claims``) — any failure there is a false alarm. Then, from each memo, it makes one
altered copy per kind (where the memo has something of that kind to alter), chosen by a
seeded random draw among the candidates:

* ``number``          a printed amount, percent or multiple moved by 4–15 % (same format)
* ``label``           a figure or ratio label before a number swapped for another label of the same unit
* ``period``          a quarter before a number or in a table header moved a quarter or a year,
                      or a basis word swapped (同比 ↔ 环比, year on year ↔ quarter on quarter)
* ``covenant``        a covenant status word flipped (违约 ↔ 达标, breached ↔ met)
* ``classification``  the suggested five-category classification replaced by another category
* ``direction``       a direction word flipped (下降 ↔ 上升/增长, 收窄 ↔ 扩大, fell ↔ rose, down ↔ up)
* ``grade``           the grade letter replaced by another

An alteration that does not change what the text claims (the new number rounds to the same
printed value, a flip of a flat series) is not planted. Every planted memo must fail
verification (caught); the report gives a table by kind, the false alarms, and every miss.
The memos come from the store under LOANWATCH_HOME when it holds clients, else from the
demo portfolio built into a temporary home (``--as-of`` fixes its date).

Writes ``eval/reports/claims.{md,json}``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

REPORTS = Path(__file__).parent / "reports"
KINDS = ("number", "label", "period", "covenant", "classification", "direction", "grade")
DEMO_DATE = "2026-11-15"


# ---------------------------------------------------------------- alterations


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.splitlines(keepends=True):
        out.append((pos, pos + len(line)))
        pos += len(line)
    return out


def _body_start(text: str) -> int:
    """Where the memo's body starts (after the title and metadata comment); sources are left alone."""
    return text.find("\n## ")


def _sources_start(text: str) -> int:
    m = re.search(r"(?m)^\[\^\d+\]:", text)
    return m.start() if m else len(text)


def _in_body(text: str, pos: int) -> bool:
    return _body_start(text) <= pos < _sources_start(text)


def plant_number(text: str, rng: random.Random) -> tuple[str, str] | None:
    from assistant.numguard import find_numbers

    mentions = [m for m in find_numbers(text) if _in_body(text, m.start) and m.value and m.kind in ("amount", "percent", "points", "multiple")
                and m.scale != 1 or (m.kind in ("percent", "points", "multiple") and m.value and _in_body(text, m.start))]
    rng.shuffle(mentions)
    num = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
    for m in mentions:
        digits = num.search(text, m.start, m.end)
        if not digits:
            continue
        raw = digits.group(0)
        decimals = len(raw.partition(".")[2])
        value = Decimal(raw.replace(",", ""))
        factor = Decimal(1) + Decimal(rng.randint(4, 15)) / 100 * rng.choice((1, -1))
        new = (value * factor).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        shown = f"{new:,.{decimals}f}" if "," in raw else f"{new:.{decimals}f}"
        if shown == raw or new == 0:
            continue
        return text[:digits.start()] + shown + text[digits.end():], f"{raw} → {shown} in “{_line_at(text, m.start)}”"
    return None


def plant_label(text: str, rng: random.Random) -> tuple[str, str] | None:
    from assistant.bindings import bindings, labels_in
    from assistant.numguard import find_numbers

    mentions = find_numbers(text)
    bound = bindings(text, mentions)
    labels = labels_in(text)
    unit = {key: _unit(key) for _, _, key in labels}
    used = sorted({(text[a:b], key) for a, b, key in labels}, key=lambda t: t[0])
    targets = [lab for lab in labels if _in_body(text, lab[0]) and any(
        b.label == text[lab[0]:lab[1]] and m.start > lab[1] and m.start - lab[1] < 40 for m in mentions
        if (b := bound.get(m.start)) is not None)]
    rng.shuffle(targets)
    for a, b, key in targets:
        others = [lab for lab, k in used if k != key and unit.get(k) == unit[key]]
        if not others:
            continue
        new = rng.choice(others)
        return text[:a] + new + text[b:], f"{text[a:b]} → {new} in “{_line_at(text, a)}”"
    return None


def _unit(key: str) -> str:
    from assistant.analytics.ratios import AMOUNT_RATIOS, RATIO_KEYS
    from assistant.memo.numbers import ratio_kind

    if key in RATIO_KEYS and key not in AMOUNT_RATIOS:
        return ratio_kind(key)
    return "amount"


_QUARTER = re.compile(r"(?<![\d])(20\d\d)Q([1-4])(?![\d])")
_CLAUSE_END = re.compile(r"[，,；;（）()。]|\band\b")
_BASIS_SWAP = {"同比": "环比", "环比": "同比", "year on year": "quarter on quarter", "quarter on quarter": "year on year"}


def plant_period(text: str, rng: random.Random) -> tuple[str, str] | None:
    from assistant.bindings import bindings
    from assistant.numguard import find_numbers

    bound = bindings(text, find_numbers(text))
    candidates = []
    for line_start, line_end in _lines(text):
        if not _in_body(text, line_start):
            continue
        line = text[line_start:line_end]
        header = line.lstrip().startswith("|") and re.search(r"\|\s*(?:本期|Current|This)", line)
        for m in _QUARTER.finditer(line):  # a quarter that dates a number of its clause, or a table's column
            a, b = line_start + m.start(), line_start + m.end()
            if header or any(p > b and not _CLAUSE_END.search(text, b, p) for p in bound if line_start <= p < line_end):
                candidates.append(("quarter", a, b, m))
        for word in _BASIS_SWAP:  # a basis word that governs a number of its clause
            for m in re.finditer(re.escape(word), line):
                a, b = line_start + m.start(), line_start + m.end()
                clause = [p for p in bound if line_start <= p < line_end and not _CLAUSE_END.search(text, min(p, b), max(p, a))]
                if clause and not line.lstrip().startswith("|"):
                    candidates.append(("basis", a, b, m))
    rng.shuffle(candidates)
    for kind, a, b, m in candidates:
        if kind == "basis":
            new = _BASIS_SWAP[m.group(0)]
        else:
            year, q = int(m.group(1)), int(m.group(2))
            new = rng.choice([f"{year - 1}Q{q}", f"{year}Q{q - 1}" if q > 1 else f"{year - 1}Q4"])
        return text[:a] + new + text[b:], f"{text[a:b]} → {new} in “{_line_at(text, a)}”"
    return None


_FLIPS = {
    "covenant": [("已构成违约", "已达标"), ("违约", "达标"), ("达标", "违约"), ("虽达标", "虽违约"),
                 ("the covenant is breached", "the covenant is met"), ("breached", "met"), ("met, but", "breached, but"),
                 ("failing the requirement", "meeting the requirement"), ("| met |", "| breached |"), ("| breached |", "| met |")],
    "direction": [("下降", "上升"), ("上升", "下降"), ("增长", "下降"), ("收窄", "扩大"), ("扩大", "收窄"), ("fell", "rose"),
                  ("rose", "fell"), ("down ", "up "), ("up ", "down "), ("thinning", "widening"), ("widening", "thinning")],
}
_CATEGORIES = {"zh": ("正常", "关注", "次级", "可疑", "损失"), "en": ("normal", "special mention", "substandard", "doubtful", "loss")}


def plant_flip(text: str, rng: random.Random, kind: str) -> tuple[str, str] | None:
    candidates = []
    for old, new in _FLIPS[kind]:
        for m in re.finditer(re.escape(old), text):
            if not _in_body(text, m.start()) or _skip_flip(text, m.start(), kind, old):
                continue
            candidates.append((m.start(), m.end(), old, new))
    # one candidate per position (the longest pattern)
    by_pos: dict[int, tuple] = {}
    for c in sorted(candidates, key=lambda c: -(c[1] - c[0])):
        if not any(p <= c[0] < q[1] for p, q in by_pos.items()):
            by_pos[c[0]] = c
    pool = sorted(by_pos.values())
    rng.shuffle(pool)
    for a, b, old, new in pool:
        return text[:a] + new + text[b:], f"{old} → {new} in “{_line_at(text, a)}”"
    return None


def _skip_flip(text: str, pos: int, kind: str, word: str) -> bool:
    """Words that are not a claim about the facts: a rule's name, a status not judged, a flat series."""
    line = _line_at(text, pos, width=400)
    if kind == "covenant":
        if text.startswith("违约概率", pos) or text.startswith("default probability", pos):
            return True  # a model's probability of default, not a covenant status
        return "不判定" in line or "not judged" in line or "依据：" in line or "Basis:" in line or "预警" in line
    if kind == "direction":
        if "依据：" in line or "Basis:" in line or line.lstrip().startswith("| 高") or line.lstrip().startswith("| 中"):
            return True  # a warning rule's name ("营业收入同比下滑（需求下降）") is not a claim of this sentence
        if text.startswith(("增长率", "up to"), pos):
            return True  # a ratio's name ("营业收入增长率"), "documents up to"
        return "基本持平" in line or "flat" in line or "需求下降" in line
    return False


def plant_classification(text: str, rng: random.Random, lang: str) -> tuple[str, str] | None:
    cats = _CATEGORIES[lang]
    pattern = re.compile(r"(五级分类建议：|five-category classification: )(" + "|".join(cats) + ")")
    m = pattern.search(text)
    if not m:
        return None
    new = rng.choice([c for c in cats if c != m.group(2)])
    return text[:m.start(2)] + new + text[m.end(2):], f"{m.group(2)} → {new} in “{_line_at(text, m.start())}”"


def plant_grade(text: str, rng: random.Random) -> tuple[str, str] | None:
    m = re.search(r"(系统评级为 |system grade is )([A-E])", text)
    if not m:
        return None
    new = rng.choice([g for g in "ABCDE" if g != m.group(2)])
    return text[:m.start(2)] + new + text[m.end(2):], f"{m.group(2)} → {new} in “{_line_at(text, m.start())}”"


def _line_at(text: str, pos: int, width: int = 120) -> str:
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    return text[a:b if b >= 0 else None].strip()[:width]


def plants(text: str, lang: str, rng: random.Random) -> dict[str, tuple[str, str]]:
    made = {
        "number": plant_number(text, rng),
        "label": plant_label(text, rng),
        "period": plant_period(text, rng),
        "covenant": plant_flip(text, rng, "covenant"),
        "classification": plant_classification(text, rng, lang),
        "direction": plant_flip(text, rng, "direction"),
        "grade": plant_grade(text, rng),
    }
    return {k: v for k, v in made.items() if v is not None}


# ---------------------------------------------------------------- the run


def _store():
    from assistant.config import reset_settings
    from assistant.store import close_stores, open_store
    from assistant.store.repo import list_clients

    store = open_store()
    with store.session() as s:
        if list_clients(s):
            return store, "the store under LOANWATCH_HOME", None
    close_stores()
    tmp = tempfile.TemporaryDirectory(prefix="loanwatch-claims-")
    os.environ["LOANWATCH_HOME"] = tmp.name
    os.environ.pop("LOANWATCH_DB_URL", None)
    reset_settings()
    return open_store(), "the demo portfolio (built into a temporary home)", tmp


def run(as_of: str, seed: int) -> tuple[list[dict], list[dict], str]:
    from assistant.memo import allowed_numbers, build_memo, render_markdown, verify_memo
    from assistant.memo.claims import claim_facts
    from assistant.memo.verify import rebuilt_tables
    from assistant.store import load_snapshot
    from assistant.store.repo import list_clients

    store, source, tmp = _store()
    if tmp is not None:
        from assistant.demo.portfolio import build_demo

        build_demo(as_of=dt.date.fromisoformat(as_of), index=False)
    with store.session() as s:
        ids = [c.id for c in list_clients(s)]
    memos, planted = [], []
    rng = random.Random(seed)
    for cid in ids:
        snap = load_snapshot(store, cid)
        quarters = sorted({f.span for f in snap.facts if f.span.start is not None and f.span.months == 3}, key=lambda s: s.end)
        for span in quarters[1:]:
            allowed = allowed_numbers(snap, span)
            facts = claim_facts(snap, span)
            for lang in ("zh", "en"):
                text = render_markdown(build_memo(snap, span, lang=lang))
                tables = rebuilt_tables(snap, span, lang)
                start = time.perf_counter()
                clean = verify_memo(text, allowed, tables=tables, claims=facts)
                memos.append({"client": snap.client.name, "period": span.label, "lang": lang, "ok": clean.ok,
                              "summary": "" if clean.ok else clean.summary(), "verify_s": round(time.perf_counter() - start, 3)})
                for kind, (altered, what) in plants(text, lang, rng).items():
                    report = verify_memo(altered, allowed, tables=tables, claims=facts)
                    planted.append({"client": snap.client.name, "period": span.label, "lang": lang, "kind": kind,
                                    "change": what, "caught": not report.ok,
                                    "found": "" if report.ok else report.summary()[:300]})
    if tmp is not None:
        from assistant.store import close_stores

        close_stores()
        tmp.cleanup()
    return memos, planted, source


def _markdown(memos: list[dict], planted: list[dict], source: str, seed: int) -> str:
    lines = ["# Planted-claims benchmark", "",
             f"Source: {source}; seed {seed}. {len(memos)} untouched memos (client × quarter × language), "
             f"{len(planted)} memos with one altered claim.", "",
             f"- false alarms on untouched memos: {sum(not m['ok'] for m in memos)}/{len(memos)}",
             f"- altered memos caught: {sum(p['caught'] for p in planted)}/{len(planted)}", "",
             "| alteration | memos | caught | rate |", "|---|---:|---:|---:|"]
    for kind in KINDS:
        rows = [p for p in planted if p["kind"] == kind]
        if rows:
            caught = sum(p["caught"] for p in rows)
            lines.append(f"| {kind} | {len(rows)} | {caught} | {caught / len(rows) * 100:.1f} % |")
    total = sum(p["caught"] for p in planted)
    lines.append(f"| **all** | **{len(planted)}** | **{total}** | **{(total / len(planted) * 100) if planted else 0:.1f} %** |")
    missed = [p for p in planted if not p["caught"]]
    if missed:
        lines += ["", "## Missed", ""] + [f"- {p['kind']} · {p['client']} {p['period']} {p['lang']}: {p['change']}" for p in missed]
    alarms = [m for m in memos if not m["ok"]]
    if alarms:
        lines += ["", "## False alarms", ""] + [f"- {m['client']} {m['period']} {m['lang']}: {m['summary'][:300]}" for m in alarms]
    lines += ["", "## Examples (first of each kind)", ""]
    for kind in KINDS:
        ex = next((p for p in planted if p["kind"] == kind), None)
        if ex:
            lines.append(f"- {kind}: {ex['change']} → {ex['found'][:200]}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval claims", description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", default=DEMO_DATE, help="the demo date when the demo is built (default %(default)s)")
    parser.add_argument("--seed", type=int, default=12, help="the random draw of what to alter (default %(default)s)")
    args = parser.parse_args(argv)
    memos, planted, source = run(args.as_of, args.seed)
    if not memos:
        print("python -m eval claims: no memo to measure", file=sys.stderr)
        return 1
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "claims.json").write_text(json.dumps({"memos": memos, "planted": planted}, ensure_ascii=False, indent=1),
                                         encoding="utf-8")
    text = _markdown(memos, planted, source, args.seed)
    (REPORTS / "claims.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if all(m["ok"] for m in memos) and all(p["caught"] for p in planted) and len(planted) >= 200 else 1


if __name__ == "__main__":
    raise SystemExit(main())
