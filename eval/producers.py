"""Extract the synthetic statements as other PDF producers write them; every value must be exact.

``python -m eval producers [--only PRODUCER ...] [--keep DIR]``

Our synthetic PDFs all come from reportlab. Borrowers send PDFs exported from Excel, WPS,
accounting software and browsers, so the same statements (``assistant.demo.statements``)
are written again by:

* ``libreoffice``: the Excel workbooks (``render_xlsx``) converted by ``soffice --headless
  --convert-to pdf`` (each sheet fitted to the page width, as an exporting user sets it);
* ``weasyprint``: an HTML rendering of every statement (``<th>`` headers, CJK font), ruled
  ("grid") and as an unruled page ("plain": U+2212 minus, full-width parentheses, amounts
  padded with trailing no-break spaces);
* ``chromium``: the same HTML printed by ``chromium --headless --print-to-pdf``;
* ``writer``: the same HTML opened in LibreOffice Writer and exported (a word processor's PDF).

A producer whose tool is not installed is skipped with the reason. Values are compared with
``assistant.demo.compare.compare`` (pages not compared: each producer paginates its own way).
Writes ``eval/reports/producers.md`` and ``.json``. Tools: ``apt-get install libreoffice-calc
chromium``; ``pip install -e .[eval]`` (weasyprint).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "eval" / "reports"
CJK_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
XLSX_LAYOUTS = ("sme_side_by_side", "sme_income", "listed_notes", "us_10q", "ruled_grid")
RIGHT_HEADER_ZH = "负债和所有者权益（或股东权益）"


@dataclass
class Case:
    producer: str
    name: str
    path: Path
    truth: object  # ExtractionResult


# ----------------------------------------------------------------------------------------
# HTML rendering of statement blocks


# "plain": an unruled web page as WPS / browsers export it: no borders, a Unicode minus (U+2212)
# or full-width parentheses for negatives, amounts padded with trailing no-break spaces
VARIANTS = ("grid", "plain")


def _printed(text: str, variant: str) -> str:
    if variant != "plain" or not text:
        return html.escape(text)
    if text.startswith("-") and text[1:2].isdigit():
        text = "\u2212" + text[1:]
    elif text.startswith("(") and text.endswith(")"):
        text = "\uff08" + text[1:-1] + "\uff09"
    return html.escape(text) + "&nbsp;&nbsp;"


def _css(variant: str = "grid") -> str:
    font = f"@font-face {{ font-family: 'WQY'; src: url('{CJK_FONT.as_uri()}'); }}" if CJK_FONT.exists() else ""
    return font + """
    body { font-family: 'WQY', 'WenQuanYi Zen Hei', sans-serif; font-size: 9pt; }
    section { page-break-after: always; }
    h1 { font-size: 13pt; text-align: center; margin: 0 0 4pt 0; }
    p.sub { margin: 0 0 2pt 0; }
    table { border-collapse: collapse; width: 100%; }
    th, td { border: BORDER; padding: 1pt 3pt; }
    td.num { text-align: right; white-space: nowrap; }
    th { font-weight: bold; text-align: center; }
    @page { size: A4; margin: 12mm; }
    @page wide { size: A4 landscape; margin: 10mm; }
    section.wide { page: wide; }
    """.replace("BORDER", "none" if variant == "plain" else "0.5pt solid #444")


def _side_cells(block, row, ncols: int, variant: str = "grid") -> list[str]:
    if row is None:
        return ["<td></td>"] * (1 + bool(block.row_no_header) + bool(block.note_header) + ncols)
    pad = f' style="padding-left:{3 + 10 * row.indent}pt"' if row.indent else ""
    cells = [f"<td{pad}>{html.escape(row.label)}</td>"]
    if block.row_no_header:
        cells.append(f"<td>{html.escape(row.row_no or '')}</td>")
    if block.note_header:
        cells.append(f"<td>{html.escape(row.note or '')}</td>")
    printed = [""] * ncols if row.heading else list(row.printed) + [""] * (ncols - len(row.printed))
    cells += [f'<td class="num">{_printed(t, variant)}</td>' for t in printed[:ncols]]
    return cells


def _header_cells(block, r: int, side: int, ncols: int) -> list[str]:
    last = r == len(block.headers) - 1
    lead = [block.label_header if side == 0 else RIGHT_HEADER_ZH]
    if block.row_no_header:
        lead.append(block.row_no_header)
    if block.note_header:
        lead.append(block.note_header)
    cells = [f"<th>{html.escape(t) if last else ''}</th>" for t in lead]
    covered = 0
    for text, a, b in sorted(block.headers[r], key=lambda h: h[1]):
        cells += ["<th></th>"] * (a - covered)
        span = f' colspan="{b - a + 1}"' if b > a else ""
        cells.append(f"<th{span}>{html.escape(text)}</th>")
        covered = b + 1
    return cells + ["<th></th>"] * (ncols - covered)


def block_html(block, *, landscape: bool, variant: str = "grid") -> str:
    from itertools import zip_longest

    ncols = len(block.columns)
    sides = 2 if block.right_rows is not None else 1
    out = [f'<section class="{"wide" if landscape else ""}"><h1>{html.escape(block.title)}</h1>']
    out += [f'<p class="sub">{html.escape(line)}</p>' for line in block.lines]
    out.append("<table><thead>")
    for r in range(len(block.headers)):
        out.append("<tr>" + "".join(c for side in range(sides) for c in _header_cells(block, r, side, ncols)) + "</tr>")
    out.append("</thead><tbody>")
    for pair in zip_longest(block.rows, block.right_rows or [], fillvalue=None):
        out.append("<tr>" + "".join(c for row in pair[:sides] for c in _side_cells(block, row, ncols, variant)) + "</tr>")
    out.append("</tbody></table></section>")
    return "\n".join(out)


def spec_html(spec, variant: str = "grid") -> tuple[str, list]:
    """(HTML document, blocks) for ``spec``: one section (page) per statement."""
    from assistant.demo.layouts import build_blocks

    blocks = build_blocks(spec)
    body = "\n".join(block_html(b, landscape=spec.style.landscape, variant=variant) for b in blocks)
    doc = (f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><style>{_css(variant)}</style></head>'
           f"<body>{body}</body></html>")
    return doc, blocks


# ----------------------------------------------------------------------------------------
# producers


def _pdf_pages(path: Path) -> int:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return len(doc)
    finally:
        doc.close()


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def unavailable(producer: str) -> str | None:
    """Why ``producer`` cannot run here, or None."""
    if producer == "libreoffice":
        return None if _soffice() else "soffice not installed (apt-get install libreoffice-calc)"
    if producer == "writer":
        return None if _soffice() else "soffice not installed (apt-get install libreoffice-writer)"
    if producer == "chromium":
        return None if _chromium() else "chromium not installed (apt-get install chromium)"
    if producer == "weasyprint":
        try:
            import weasyprint  # noqa: F401
        except Exception as exc:  # noqa: BLE001 - missing package or its system libraries
            return f"weasyprint unavailable ({exc.__class__.__name__}: {exc}); pip install -e .[eval]"
        return None
    return f"unknown producer {producer!r}"


def _text_width(value) -> float:
    from decimal import Decimal

    text = f"{value:,.2f}" if isinstance(value, (Decimal, float)) else str(value if value is not None else "")
    return sum(2.2 if ord(ch) > 0x2E80 else 1.25 for ch in text)


def _fit_to_width(xlsx: Path, landscape: bool) -> None:
    """Page setup as an exporting user leaves it: columns wide enough for their text, one page wide."""
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    wb = load_workbook(xlsx)
    for ws in wb.worksheets:
        widths: dict[int, float] = {}
        for row in ws.iter_rows(min_row=2):
            if sum(c.value is not None for c in row) < 2:
                continue  # title and sub-title lines span the sheet
            for c in row:
                if c.value is not None:
                    widths[c.column] = max(widths.get(c.column, 0), _text_width(c.value) + 3)
        for col, w in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = max(w, 6)
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
    wb.save(xlsx)


def libreoffice_cases(specs: dict, tmp: Path, layouts: tuple[str, ...] = XLSX_LAYOUTS,
                      text_numbers: tuple[bool, ...] = (False, True)) -> list[Case]:
    from assistant.demo.layouts import build_blocks
    from assistant.demo.statements import render_xlsx, truth_of

    cases = []
    for layout in layouts:
        spec = specs[layout]
        for as_text in text_numbers:
            name = f"{layout}{'_text' if as_text else ''}"
            xlsx = tmp / "lo" / f"{name}.xlsx"
            xlsx.parent.mkdir(parents=True, exist_ok=True)
            render_xlsx(spec, xlsx, text_numbers=as_text)
            _fit_to_width(xlsx, spec.style.landscape)
            profile = (tmp / "lo-profile").as_uri()
            subprocess.run([_soffice(), f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
                            "--outdir", str(xlsx.parent), str(xlsx)], check=True, capture_output=True, timeout=180)
            pdf = xlsx.with_suffix(".pdf")
            blocks = build_blocks(spec)
            cases.append(Case("libreoffice", name, pdf, truth_of(spec, blocks, pdf, _pdf_pages(pdf))))
    return cases


def html_cases(producer: str, specs: dict, tmp: Path, variants: tuple[str, ...] = VARIANTS) -> list[Case]:
    from assistant.demo.statements import truth_of

    out = tmp / producer
    out.mkdir(parents=True, exist_ok=True)
    cases = []
    for variant in variants:
        for layout, spec in specs.items():
            name = layout if variant == "grid" else f"{layout}_{variant}"
            doc, blocks = spec_html(spec, variant)
            page = out / f"{name}.html"
            page.write_text(doc, encoding="utf-8")
            pdf = out / f"{name}.pdf"
            if producer == "weasyprint":
                import weasyprint

                weasyprint.HTML(filename=str(page)).write_pdf(str(pdf))
            elif producer == "writer":
                subprocess.run([_soffice(), f"-env:UserInstallation={(tmp / 'writer-profile').as_uri()}", "--headless",
                                "--infilter=HTML (StarWriter)", "--convert-to", "pdf:writer_pdf_Export",
                                "--outdir", str(out), str(page)], check=True, capture_output=True, timeout=180)
            else:
                subprocess.run([_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                                f"--user-data-dir={tmp / 'chromium-profile'}", f"--print-to-pdf={pdf}", page.as_uri()],
                               check=True, capture_output=True, timeout=180)
            cases.append(Case(producer, name, pdf, truth_of(spec, blocks, pdf, _pdf_pages(pdf))))
    return cases


PRODUCERS = ("libreoffice", "writer", "weasyprint", "chromium")


def build_cases(producer: str, tmp: Path, seed: int = 0) -> list[Case]:
    from assistant.demo.statements import sample_specs

    specs = {s.layout: s for s in sample_specs(seed)}
    if producer == "libreoffice":
        return libreoffice_cases(specs, tmp)
    return html_cases(producer, specs, tmp)


def score_case(case: Case) -> dict:
    from assistant.demo.compare import compare
    from extractors.pipeline import extract_file

    try:
        got = extract_file(case.path)
    except Exception as exc:  # noqa: BLE001 - a failure is a scored result, not a crash
        n = sum(len(i.values) for s in case.truth.statements for i in s.items if i.key)
        return dict(doc=case.name, total=n, correct=0, wrong=0, missed=n, exact=False,
                    errors=[f"{exc.__class__.__name__}: {exc}"])
    s = compare(case.truth, got, check_pages=False)
    return dict(doc=case.name, total=s.total, correct=s.correct, wrong=s.wrong, missed=s.missed,
                exact=s.exact, errors=[m.line() for m in s.mismatches])


def run(producers: tuple[str, ...], tmp: Path, seed: int = 0) -> dict:
    report: dict = {"producers": {}, "seed": seed}
    for producer in producers:
        reason = unavailable(producer)
        if reason:
            report["producers"][producer] = {"skipped": reason, "rows": []}
            print(f"{producer}: skipped: {reason}", file=sys.stderr)
            continue
        try:
            cases = build_cases(producer, tmp, seed)
        except Exception as exc:  # noqa: BLE001 - the tool failed; report it as such
            report["producers"][producer] = {"skipped": f"producer failed: {exc.__class__.__name__}: {exc}", "rows": []}
            continue
        rows = [score_case(c) for c in cases]
        report["producers"][producer] = {"skipped": None, "rows": rows}
        for r in rows:
            print(f"{producer:12s} {r['doc']:24s} {r['correct']}/{r['total']} {'exact' if r['exact'] else 'NOT EXACT'}")
    return report


def _markdown(report: dict) -> str:
    lines = ["# Extraction across PDF producers", "",
             f"Command: `python -m eval producers --seed {report['seed']}` ({report['when']})", "",
             "| producer | documents | exact | values | correct | wrong | missed |", "|---|---|---|---|---|---|---|"]
    for name, p in report["producers"].items():
        if p["skipped"]:
            lines.append(f"| {name} | skipped: {p['skipped']} | | | | | |")
            continue
        rows = p["rows"]
        lines.append(f"| {name} | {len(rows)} | {sum(r['exact'] for r in rows)} | {sum(r['total'] for r in rows)} | "
                     f"{sum(r['correct'] for r in rows)} | {sum(r['wrong'] for r in rows)} | {sum(r['missed'] for r in rows)} |")
    for name, p in report["producers"].items():
        if not p["rows"]:
            continue
        lines += ["", f"### {name}", "", "| document | values | correct | wrong | missed | first errors |", "|---|---|---|---|---|---|"]
        for r in p["rows"]:
            errs = "; ".join(r["errors"][:3]).replace("|", "/")
            lines.append(f"| {r['doc']} | {r['total']} | {r['correct']} | {r['wrong']} | {r['missed']} | {errs} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval producers")
    ap.add_argument("--only", nargs="*", choices=PRODUCERS, default=list(PRODUCERS))
    ap.add_argument("--keep", help="write the generated files here instead of a temporary directory")
    ap.add_argument("--no-write", action="store_true", help="do not write eval/reports/producers.*")
    ap.add_argument("--seed", type=int, default=0, help="seed of the generated figures (assistant.demo.statements)")
    args = ap.parse_args(argv)
    if args.keep:
        tmp = Path(args.keep)
        tmp.mkdir(parents=True, exist_ok=True)
        report = run(tuple(args.only), tmp, args.seed)
    else:
        with tempfile.TemporaryDirectory() as d:
            report = run(tuple(args.only), Path(d), args.seed)
    report["when"] = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    if not args.no_write:
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / "producers.json").write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
        (REPORTS / "producers.md").write_text(_markdown(report), encoding="utf-8")
    print(_markdown(report))
    ran = [r for p in report["producers"].values() for r in p["rows"]]
    return 0 if all(r["exact"] for r in ran) else 1


if __name__ == "__main__":
    raise SystemExit(main())
