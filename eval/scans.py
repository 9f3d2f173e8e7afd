"""Scanned statements: rasterise the gold reports' statement pages, degrade them, OCR them, score.

``python -m eval scans [--conditions a,b] [--docs substr,…] [--keep DIR]``
``python -m eval scans --report [--report-pages 200] [--docs substr]``: the whole-report timing

For each of the 7 gold reports in ``shared/data/real``, the cover page and the pages holding its
statements (found from the text layer) are rendered with pypdfium2 and degraded as a scanner or a
phone would, then written as an image-only PDF (the page size kept) and extracted end to end by
``extractors.pipeline.extract_file`` in a fresh process. Conditions:

* ``clean300``  300 dpi, straight, no noise
* ``scan200``   200 dpi, skew ≤ 1°, grain, JPEG quality 70 (the target condition)
* ``scan150``   150 dpi, skew ≤ 1°, grain, JPEG quality 70
* ``stamp200``  ``scan200`` plus a red seal printed over the figures of every page
* ``photo``     a phone photo: mild perspective (keystone), uneven light, grain, JPEG 80, ≈ 200 dpi

Scored with ``eval.extraction``'s ``gold_values`` / ``extracted_values`` / ``score``; a wrong value
is *flagged* when its statement carries a warning (every OCR statement does), *silent* otherwise;
"on the figure" counts the wrong values whose own flag names them (low OCR confidence, a failed
identity, a subtotal ≠ its rows). Seconds per page are wall time on this machine and the
CPU seconds of the extracting process and its OCR workers (this machine is shared: CPU time is
the steadier number); peak memory is the extracting process's VmHWM plus, for each worker, the
largest worker's peak (an upper bound of the total). Writes ``eval/reports/scans.md`` and ``.json``;
the generated scans go to a temporary folder (``--keep DIR`` keeps them).

``--report`` times a whole scanned annual report instead: every page of a gold report (by default
the longest, 贵州茅台's 120 pages), padded to ``--report-pages`` with its own non-statement pages
(as a longer report's notes would run on), each rasterised at 200 dpi and degraded as ``scan200``,
streamed one page at a time into one image-only PDF, then extracted like the others: wall and
CPU seconds in all and per page, peak memory, the pages read in full, the score against the gold,
and the machine's load average before and after (the machine is shared: read the times with it).
Writes ``eval/reports/scans_report.md`` and ``.json``. ``--scan FILE`` times a report scan made
before (``--keep``) instead of generating it again, so two versions of the code run on one file.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from eval.extraction import _PEAK, REPORTS, data_dir, gold_values, score

CONDITIONS = {
    "clean300": dict(dpi=300, skew=0.0, noise=0, jpeg=None, stamp=False, photo=False),
    "scan200": dict(dpi=200, skew=1.0, noise=10, jpeg=70, stamp=False, photo=False),
    "scan150": dict(dpi=150, skew=1.0, noise=10, jpeg=70, stamp=False, photo=False),
    "stamp200": dict(dpi=200, skew=1.0, noise=10, jpeg=70, stamp=True, photo=False),
    "photo": dict(dpi=200, skew=0.6, noise=12, jpeg=80, stamp=False, photo=True),
}
TARGET = "scan200"


def statement_pages(pdf: Path) -> list[int]:
    """The cover and the pages of the statements the text layer locates (1-based)."""
    from extractors.document import open_pdf
    from extractors.locate import locate_statements

    text = open_pdf(pdf)
    pages = sorted({p for loc in locate_statements(text.page_texts) for p in loc.pages})
    return [1] + [p for p in pages if p != 1]


def degrade(img, cond: dict, rng: random.Random):
    """A clean RGB page image → what a scanner or a phone makes of it."""
    import numpy as np
    from PIL import Image, ImageFilter

    if cond["stamp"]:
        img = _stamp(img, rng)
    if cond["skew"]:
        angle = rng.uniform(0.3, 1.0) * cond["skew"] * rng.choice((-1, 1))
        img = img.rotate(angle, resample=Image.BICUBIC, expand=False, fillcolor=(255, 255, 255))
    if cond["photo"]:
        img = _perspective(img, rng)
    arr = np.asarray(img).astype(np.float32)
    if cond["photo"]:  # light falling off towards one corner, a slight blur
        h, w = arr.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w]
        light = 1.0 - 0.22 * ((xx / w) * 0.6 + (yy / h) * 0.4)
        arr = arr * light[:, :, None]
    if cond["noise"]:
        nrng = np.random.default_rng(rng.randrange(1 << 30))
        arr = arr + nrng.normal(0, cond["noise"], arr.shape[:2])[:, :, None]
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    if cond["photo"]:
        img = img.filter(ImageFilter.GaussianBlur(0.6))
    if cond["jpeg"]:
        import io

        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=cond["jpeg"])
        img = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
    return img


def _stamp(img, rng: random.Random):
    """A red company seal (ring, star, text) printed over the figures in the right half of the page."""
    from PIL import Image, ImageDraw

    w, h = img.size
    r = int(w * 0.11)
    cx, cy = int(w * rng.uniform(0.6, 0.75)), int(h * rng.uniform(0.3, 0.6))
    layer = Image.new("RGB", img.size, (255, 255, 255))
    d = ImageDraw.Draw(layer)
    red = (215, 35, 40)
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=max(3, r // 14))
    star = [(cx + r * 0.28 * math.cos(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4),
             cy + r * 0.28 * math.sin(math.radians(-90 + k * 36)) * (1 if k % 2 == 0 else 0.4)) for k in range(10)]
    d.polygon(star, fill=red)
    font = _font(int(r * 0.22))
    if font is not None:
        d.text((cx - r * 0.55, cy + r * 0.38), "财务专用章", fill=red, font=font)
    # ink multiplies: black stays black, paper turns red
    import numpy as np

    out = np.asarray(img).astype(np.float32) * np.asarray(layer).astype(np.float32) / 255.0
    return Image.fromarray(out.astype(np.uint8))


def _font(size: int):
    from PIL import ImageFont

    for f in ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"):
        if Path(f).exists():
            return ImageFont.truetype(f, size)
    return None


def _perspective(img, rng: random.Random):
    """A phone held slightly tilted: the top edge narrower than the bottom, one side nearer."""
    import numpy as np
    from PIL import Image

    w, h = img.size
    dx_top, dx_side = w * rng.uniform(0.015, 0.03), h * rng.uniform(0.005, 0.015)
    # where each output corner samples the input
    src = [(-dx_top, -dx_side), (w + dx_top, 0), (w, h), (0, h + dx_side)]
    dst = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    coeffs = np.linalg.solve(np.array(rows, dtype=float), np.array([c for p in src for c in p], dtype=float))
    return img.transform(img.size, Image.PERSPECTIVE, tuple(coeffs), Image.BICUBIC, fillcolor=(255, 255, 255))


def make_scan(pdf: Path, pages: list[int], cond: dict, out: Path, seed: int) -> Path:
    """Render the pages, degrade them and save an image-only PDF of the same page size."""
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    doc = pdfium.PdfDocument(str(pdf))
    images = []
    try:
        for p in pages:
            page = doc[p - 1]
            img = page.render(scale=cond["dpi"] / 72).to_pil().convert("RGB")
            page.close()
            images.append(degrade(img, cond, rng))
    finally:
        doc.close()
    images[0].save(out, "PDF", resolution=float(cond["dpi"]), save_all=True, append_images=images[1:])
    return out


def write_image_pdf(pages, out: Path, *, quality: int = 90) -> Path:
    """Stream ``(image, dpi)`` pairs into an image-only PDF, one JPEG-encoded page at a time (a
    200-page report is never held as 200 decoded images)."""
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    buffers = []  # pdfium reads each JPEG when the document is saved
    try:
        for img, dpi in pages:
            buf = io.BytesIO()
            img.save(buf, "JPEG", quality=quality)
            buf.seek(0)
            buffers.append(buf)
            w, h = img.size[0] * 72.0 / dpi, img.size[1] * 72.0 / dpi
            page = doc.new_page(w, h)
            obj = pdfium.PdfImage.new(doc)
            obj.load_jpeg(buf, inline=True, autoclose=False)
            obj.set_matrix(pdfium.PdfMatrix().scale(w, h))
            page.insert_obj(obj)
            page.gen_content()
            page.close()
        doc.save(str(out))
    finally:
        doc.close()
    return out


def report_pages(pdf: Path, total: int) -> list[int]:
    """Every page of the report, then its own pages away from the statements (±1) again until
    ``total`` pages: a longer report whose notes run on, with the statements still on a few pages."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    n = len(doc)
    doc.close()
    near = {q for p in statement_pages(pdf)[1:] for q in (p - 1, p, p + 1)}
    filler = [p for p in range(2, n + 1) if p not in near]
    pages = list(range(1, n + 1))
    i = 0
    while len(pages) < total and filler:
        pages.append(filler[i % len(filler)])
        i += 1
    return pages[:total]


def make_report_scan(pdf: Path, pages: list[int], cond: dict, out: Path, seed: int) -> Path:
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    doc = pdfium.PdfDocument(str(pdf))

    def gen():
        for p in pages:
            page = doc[p - 1]
            img = page.render(scale=cond["dpi"] / 72).to_pil().convert("RGB")
            page.close()
            yield degrade(img, cond, rng), cond["dpi"]

    try:
        return write_image_pdf(gen(), out)
    finally:
        doc.close()


_CHILD = _PEAK + r"""
import json, sys, time
from eval.extraction import extracted_values
from extractors.pipeline import extract_file

import resource
t, c = time.perf_counter(), time.process_time()
r = extract_file(sys.argv[1], workers=int(sys.argv[2]))
wall = time.perf_counter() - t
kids = resource.getrusage(resource.RUSAGE_CHILDREN)  # the OCR worker processes, reaped by now
cpu = time.process_time() - c + kids.ru_utime + kids.ru_stime
# this process's peak plus the largest worker's peak for each worker: an upper bound of the total
peak_total = peak_mb() + int(sys.argv[2]) * kids.ru_maxrss / 1024
flagged, own = [], []
for st in r.statements:
    for it in st.items:
        for ci, col in enumerate(st.columns):
            key = [st.kind, st.scope, col.period_start and col.period_start.isoformat(),
                   col.period_end and col.period_end.isoformat(), it.key]
            if st.warnings:
                flagged.append(key)
            if it.flags and ci < len(it.flags) and it.flags[ci]:
                own.append(key)
got = {json.dumps([k[0], k[1], k[2], k[3], k[4]]): (None if v is None else str(v)) for k, v in extracted_values(r).items()}
read = [w for w in r.warnings if w.startswith("read by OCR from")][:1]
print(json.dumps({"read_full": read, "statement_pages": sorted({p for st in r.statements for p in st.pages}), "got": got,
                  "flagged": flagged, "own": own, "n_st": len(r.statements), "n_flagged": sum(1 for st in r.statements if st.warnings),
                  "wall": wall, "cpu": cpu, "peak_mb": peak_total, "pages": r.pages,
                  "warnings": r.warnings + [w for st in r.statements for w in st.warnings]}, ensure_ascii=False))
"""


def run_one(scan: Path, workers: int) -> dict:
    import os
    from decimal import Decimal

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(scan), str(workers)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1], "got": {}, "flagged": set(), "own": set(), "n_st": 0, "n_flagged": 0,
                "wall": 0, "cpu": 0,
                "peak_mb": 0, "pages": 0, "warnings": []}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["got"] = {tuple(json.loads(k)): (None if v is None else Decimal(v)) for k, v in out["got"].items()}
    out["flagged"] = {tuple(k) for k in out["flagged"]}
    out["own"] = {tuple(k) for k in out["own"]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval scans")
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--docs", default="", help="comma-separated parts of file names (default: all gold reports)")
    ap.add_argument("--keep", default="", help="keep the generated scans in this folder")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--report", action="store_true", help="time one whole scanned annual report instead")
    ap.add_argument("--report-pages", type=int, default=200)
    ap.add_argument("--scan", default="", help="with --report: time this scan (one --keep made before) instead of generating it")
    args = ap.parse_args(argv)
    root = data_dir() / "real"
    docs = sorted(p.with_name(p.name.replace(".gold.jsonl", ".pdf")) for p in root.glob("*.gold.jsonl"))
    if args.docs:
        docs = [d for d in docs if any(s in d.name for s in args.docs.split(","))]
    if args.report:
        return report_main(docs, args)
    conds = [c for c in args.conditions.split(",") if c]
    out_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="loanwatch-scans-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict = {"conditions": {}}
    lines = ["# Scanned statements (OCR)", "",
             "| condition | docs | pages | precision | recall | correct | wrong flagged | of which on the figure | wrong silent | missed "
             "| extra | statements flagged | s/page (wall) | s/page (CPU) | peak MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for ci, name in enumerate(conds):
        cond = CONDITIONS[name]
        tot = dict(gold=0, correct=0, wrong=0, missed=0, extra=0, flagged=0, own=0, silent=0, pages=0, wall=0.0, cpu=0.0, peak=0.0,
                   n_st=0, n_flagged=0)
        per_doc = []
        for di, pdf in enumerate(docs):
            gold = gold_values(pdf.with_name(pdf.name.replace(".pdf", ".gold.jsonl")))
            pages = statement_pages(pdf)
            scan = make_scan(pdf, pages, cond, out_dir / f"{pdf.stem}.{name}.pdf", seed=1000 * ci + di)
            res = run_one(scan, args.workers)
            got = res["got"] if gold else {}
            s = score(gold, got) if gold else score({}, res["got"])
            wrong_keys = [k for k in gold if k in got and s and got[k] != gold[k]
                          and not (got[k] is not None and gold[k] is not None and abs(got[k] - gold[k]) < 0.0001)]
            flagged = sum(1 for k in wrong_keys if k in res["flagged"])
            own = sum(1 for k in wrong_keys if k in res["own"])  # flagged on the figure itself, not only its statement
            row = dict(doc=pdf.name, pages=len(pages), wall=round(res["wall"], 1), cpu=round(res["cpu"], 1),
                       peak_mb=round(res["peak_mb"]), flagged=flagged, own=own, silent=len(wrong_keys) - flagged,
                       error=res.get("error"), **{k: s[k] for k in ("gold", "correct", "wrong", "missed", "extra", "precision", "recall")},
                       errors=s["errors"][:40], silent_errors=[f"{k} gold={gold[k]} got={got[k]}" for k in wrong_keys if k not in res["flagged"]],
                       warnings=res["warnings"][:20])
            per_doc.append(row)
            for k in ("gold", "correct", "wrong", "missed", "extra", "flagged", "own", "silent"):
                tot[k] += row[k]
            tot["pages"] += len(pages)
            tot["n_st"] += res["n_st"]
            tot["n_flagged"] += res["n_flagged"]
            tot["wall"] += res["wall"]
            tot["cpu"] += res["cpu"]
            tot["peak"] = max(tot["peak"], res["peak_mb"])
            print(f"{name} {pdf.name}: {row['correct']}/{row['gold']} correct, {row['wrong']} wrong "
                  f"({row['silent']} silent), {row['extra']} extra, {row['wall']} s, {row['cpu']} CPU s"
                  + (f"  ERROR {row['error']}" if row["error"] else ""), file=sys.stderr)
        denom = tot["correct"] + tot["wrong"] + tot["extra"]
        prec = tot["correct"] / denom if denom else 0.0
        rec = tot["correct"] / tot["gold"] if tot["gold"] else 0.0
        pages = max(1, tot["pages"])
        lines.append(f"| {name} | {len(docs)} | {tot['pages']} | {prec:.3f} | {rec:.3f} | {tot['correct']} | {tot['flagged']} | {tot['own']} | "
                     f"{tot['silent']} | {tot['missed']} | {tot['extra']} | {tot['n_flagged']}/{tot['n_st']} | "
                     f"{tot['wall'] / pages:.1f} | {tot['cpu'] / pages:.1f} | {tot['peak']:.0f} |")
        report["conditions"][name] = dict(cond=cond, precision=prec, recall=rec, totals=tot, docs=per_doc)
    lines += ["", f"Target ({TARGET}): precision ≥ 0.99, recall ≥ 0.95, no silent wrong value.",
              f"Scans generated in {out_dir}" + ("" if args.keep else " (temporary)")]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "scans.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (REPORTS / "scans.json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print("\n".join(lines))
    return 0


def report_main(docs: list[Path], args) -> int:  # noqa: ANN001 - argparse's namespace
    """The whole-report timing (``--report``): one long scanned report, extracted end to end."""
    import os
    import time

    import pypdfium2 as pdfium

    def n_pages(p: Path) -> int:
        d = pdfium.PdfDocument(str(p))
        try:
            return len(d)
        finally:
            d.close()

    pdf = max((d for d in docs if d.with_name(d.name.replace(".pdf", ".gold.jsonl")).stat().st_size), key=n_pages)
    out_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="loanwatch-scans-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    pages = report_pages(pdf, args.report_pages)
    t = time.perf_counter()
    scan = out_dir / f"{pdf.stem}.report{len(pages)}.pdf"
    if args.scan:  # the same pages of the same report, generated before (--keep): old and new code timed on one file
        scan = Path(args.scan)
    else:
        make_report_scan(pdf, pages, CONDITIONS[TARGET], scan, seed=7)
    made = time.perf_counter() - t
    load_before = os.getloadavg()
    res = run_one(scan, args.workers)
    load_after = os.getloadavg()
    gold = gold_values(pdf.with_name(pdf.name.replace(".pdf", ".gold.jsonl")))
    s = score(gold, res["got"])
    n = len(pages)
    lines = ["# A whole scanned report (OCR)", "",
             f"{pdf.name}: {n} pages ({n_pages(pdf)} of the report, then its non-statement pages again), "
             f"200 dpi, degraded as {TARGET}; generated in {made:.0f} s ({scan.stat().st_size / 1e6:.0f} MB).", "",
             "| pages | wall s | CPU s | wall s/page | statement pages | precision | recall | peak MB | load before | load after |",
             "|---|---|---|---|---|---|---|---|---|---|",
             f"| {n} | {res['wall']:.0f} | {res['cpu']:.0f} | {res['wall'] / n:.2f} | {len(res.get('statement_pages', []))} | "
             f"{s['precision']:.3f} | {s['recall']:.3f} | {res['peak_mb']:.0f} | "
             f"{' '.join(f'{x:.2f}' for x in load_before)} | {' '.join(f'{x:.2f}' for x in load_after)} |", "",
             f"Target: ≤ 180 s wall on this machine's 2 cores ({'met' if res['wall'] <= 180 else 'NOT met'}). "
             + (f"ERROR {res['error']}" if res.get("error") else "; ".join(res.get("read_full", [])))]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "scans_report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (REPORTS / "scans_report.json").write_text(json.dumps(dict(doc=pdf.name, pages=n, made_s=made, load_before=load_before,
                                                               load_after=load_after, score={k: v for k, v in s.items() if k != "errors"},
                                                               **{k: v for k, v in res.items() if k not in ("got", "flagged", "own", "pages")}),
                                                          ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print("\n".join(lines))
    return 0
