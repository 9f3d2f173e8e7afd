"""Memo benchmark: build every client's memo for every quarter, time it, verify it.

``python -m eval memos`` reads the store under ``LOANWATCH_HOME`` (e.g. after
``loanwatch serve --demo`` loaded the demo portfolio); ``--fixtures`` uses the hand-built
test clients instead. For each client × quarter × language it times ``build_memo`` with the
built-in engine (target ≤ 2 s), renders Markdown, Word and PDF, reads each file back and
runs the verifier over it (target: 100 % of numbers traceable). Then it plants a wrong
number in each Markdown memo (the first amount of the key-figures table, moved by about 8 %)
and checks that the verifier catches it, given the memo's tables as rebuilt from the facts
(target: every plant caught). Writes
``eval/reports/memos.{md,json}``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from assistant.domain import ClientSnapshot, Span
from assistant.memo import (
    Memo,
    Table,
    allowed_numbers,
    build_memo,
    memo_text,
    render_docx,
    render_markdown,
    render_pdf,
    verify_memo,
)
from assistant.numguard import find_numbers

REPORTS = Path(__file__).parent / "reports"


def _quarters(snapshot: ClientSnapshot) -> list[Span]:
    spans = {f.span for f in snapshot.facts if f.span.start is not None and f.span.months == 3}
    return sorted(spans, key=lambda s: s.end)


def _snapshots(use_fixtures: bool) -> list[ClientSnapshot]:
    if use_fixtures:
        from tests.memo_fixtures import declining_client, sound_client

        return [declining_client(), sound_client()]
    from assistant.store import load_snapshot, open_store
    from assistant.store.repo import list_clients

    store = open_store()
    with store.session() as s:
        ids = [c.id for c in list_clients(s)]
    return [load_snapshot(store, i) for i in ids]


def plant_wrong_number(memo: Memo, markdown: str) -> tuple[str, str] | None:
    """The Markdown with the first amount of the key-figures table moved by about 8 %, and that number."""
    table = next((b for b in memo.section("performance").blocks if isinstance(b, Table)), None)
    for row in table.rows if table else []:
        for cell in row[1:2]:
            found = [m for m in find_numbers(cell.text) if m.kind == "amount" and m.value]
            if not found:
                continue
            m = found[0]
            quantum = Decimal(1).scaleb(-m.decimals)
            wrong = (abs(m.mantissa) * Decimal("1.0777")).quantize(quantum, rounding=ROUND_HALF_UP)
            right, printed = f"{abs(m.mantissa):,.{m.decimals}f}", f"{wrong:,.{m.decimals}f}"
            new_cell = cell.text.replace(right, printed, 1)
            line = f"| {row[0].text} | {cell.text}"
            if new_cell != cell.text and line in markdown:
                return markdown.replace(line, f"| {row[0].text} | {new_cell}", 1), printed
    return None


def run(use_fixtures: bool, langs: tuple[str, ...] = ("zh", "en")) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for snap in _snapshots(use_fixtures):
            quarters = _quarters(snap)[1:]  # the first quarter has nothing to compare with
            for span in quarters:
                allowed = allowed_numbers(snap, span)
                for lang in langs:
                    start = time.perf_counter()
                    memo = build_memo(snap, span, lang=lang)
                    seconds = time.perf_counter() - start
                    row = {"client": snap.client.name, "period": span.label, "lang": lang, "build_s": round(seconds, 3)}
                    planted = plant_wrong_number(memo, render_markdown(memo))
                    if planted is not None:
                        tables = [b for sec in memo.sections for b in sec.blocks if isinstance(b, Table)]
                        caught = verify_memo(planted[0], allowed, tables=tables)
                        row["planted"] = {"number": planted[1], "caught": not caught.ok and any(
                            u.text in planted[1] or planted[1] in u.text for u in caught.unsupported)}
                    for fmt in ("md", "docx", "pdf"):
                        path = Path(tmp) / f"m.{fmt}"
                        if fmt == "md":
                            path.write_text(render_markdown(memo), encoding="utf-8")
                        else:
                            (render_docx if fmt == "docx" else render_pdf)(memo, path)
                        report = verify_memo(memo_text(path)[0], allowed)
                        row[fmt] = {"numbers": report.total, "traceable": report.traceable,
                                    "unsupported": [u.text for u in report.unsupported]}
                    rows.append(row)
    return rows


def _markdown(rows: list[dict], source: str) -> str:
    builds = [r["build_s"] for r in rows]
    checked = sum(r[f]["numbers"] for r in rows for f in ("md", "docx", "pdf"))
    traceable = sum(r[f]["traceable"] for r in rows for f in ("md", "docx", "pdf"))
    plants = [r["planted"] for r in rows if "planted" in r]
    lines = [
        "# Memo benchmark", "",
        f"Source: {source}. {len(rows)} memos (client × quarter × language), each rendered as md, docx, pdf and verified.",
        "",
        f"- build time (built-in engine): max {max(builds, default=0):.3f} s, mean "
        f"{(sum(builds) / len(builds)) if builds else 0:.3f} s (target ≤ 2 s)",
        f"- numbers traceable: {traceable}/{checked} "
        + (f"({traceable / checked * 100:.2f} %)" if checked else "(no number found: nothing to score)"),
        f"- planted wrong numbers caught: {sum(p['caught'] for p in plants)}/{len(plants)} "
        f"(memos without an amount in the key-figures table: {len(rows) - len(plants)})",
        "", "| client | period | lang | build s | md | docx | pdf |", "|---|---|---|---:|---:|---:|---:|",
    ]
    for r in rows:
        cells = [f"{r[f]['traceable']}/{r[f]['numbers']}" for f in ("md", "docx", "pdf")]
        lines.append(f"| {r['client']} | {r['period']} | {r['lang']} | {r['build_s']:.3f} | " + " | ".join(cells) + " |")
    bad = [(r["client"], r["period"], r["lang"], f, r[f]["unsupported"]) for r in rows for f in ("md", "docx", "pdf")
           if r[f]["unsupported"]]
    if bad:
        lines += ["", "## Not traceable", ""] + [f"- {c} {p} {lang} {f}: {u}" for c, p, lang, f, u in bad]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval memos", description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", action="store_true", help="use the hand-built test clients, not the store")
    args = parser.parse_args(argv)
    rows = run(args.fixtures)
    source = "hand-built test clients (tests/memo_fixtures.py)" if args.fixtures else "the store under LOANWATCH_HOME"
    if not rows:  # a 0/0 is not a 100 % score, and the last real report stays as it was
        print(f"python -m eval memos: nothing to measure: no client in {source} has two quarters to compare — load the demo "
              "portfolio (`loanwatch demo`) or pass --fixtures", file=sys.stderr)
        return 1
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "memos.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    text = _markdown(rows, source)
    (REPORTS / "memos.md").write_text(text, encoding="utf-8")
    print(text)
    ok = all(not r[f]["unsupported"] for r in rows for f in ("md", "docx", "pdf")) and all(r["build_s"] <= 2 for r in rows)
    ok = ok and all(r["planted"]["caught"] for r in rows if "planted" in r)
    return 0 if ok else 1
