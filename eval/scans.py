"""Scanned statements: rasterise the gold reports' statement pages, degrade them, OCR them, score.

``python -m eval scans [--conditions a,b] [--docs substr,…] [--keep DIR]``

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
is *flagged* when its statement carries a warning (low OCR confidence, a failed identity, a
subtotal ≠ its rows), *silent* otherwise. Seconds per page are wall time on this machine and the
CPU seconds of the extracting process and its OCR workers (this machine is shared: CPU time is
the steadier number); peak memory is the extracting process's VmHWM plus, for each worker, the
largest worker's peak (an upper bound of the total). Writes ``eval/reports/scans.md`` and ``.json``;
the generated scans go to a temporary folder (``--keep DIR`` keeps them).
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
flagged = []
for st in r.statements:
    if st.warnings:
        for it in st.items:
            for col in st.columns:
                flagged.append([st.kind, st.scope, col.period_start and col.period_start.isoformat(),
                                col.period_end and col.period_end.isoformat(), it.key])
got = {json.dumps([k[0], k[1], k[2], k[3], k[4]]): (None if v is None else str(v)) for k, v in extracted_values(r).items()}
print(json.dumps({"got": got, "flagged": flagged, "n_st": len(r.statements), "n_flagged": sum(1 for st in r.statements if st.warnings),
                  "wall": wall, "cpu": cpu, "peak_mb": peak_total, "pages": r.pages,
                  "warnings": r.warnings + [w for st in r.statements for w in st.warnings]}, ensure_ascii=False))
"""


def run_one(scan: Path, workers: int) -> dict:
    import os
    from decimal import Decimal

    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.run([sys.executable, "-c", _CHILD, str(scan), str(workers)], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["?"])[-1], "got": {}, "flagged": set(), "n_st": 0, "n_flagged": 0, "wall": 0, "cpu": 0,
                "peak_mb": 0, "pages": 0, "warnings": []}
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["got"] = {tuple(json.loads(k)): (None if v is None else Decimal(v)) for k, v in out["got"].items()}
    out["flagged"] = {tuple(k) for k in out["flagged"]}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval scans")
    ap.add_argument("--conditions", default=",".join(CONDITIONS))
    ap.add_argument("--docs", default="", help="comma-separated parts of file names (default: all gold reports)")
    ap.add_argument("--keep", default="", help="keep the generated scans in this folder")
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    root = data_dir() / "real"
    docs = sorted(p.with_name(p.name.replace(".gold.jsonl", ".pdf")) for p in root.glob("*.gold.jsonl"))
    if args.docs:
        docs = [d for d in docs if any(s in d.name for s in args.docs.split(","))]
    conds = [c for c in args.conditions.split(",") if c]
    out_dir = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="loanwatch-scans-"))
    out_dir.mkdir(parents=True, exist_ok=True)
    report: dict = {"conditions": {}}
    lines = ["# Scanned statements (OCR)", "",
             "| condition | docs | pages | precision | recall | correct | wrong flagged | wrong silent | missed | extra "
             "| statements flagged | s/page (wall) | s/page (CPU) | peak MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for ci, name in enumerate(conds):
        cond = CONDITIONS[name]
        tot = dict(gold=0, correct=0, wrong=0, missed=0, extra=0, flagged=0, silent=0, pages=0, wall=0.0, cpu=0.0, peak=0.0,
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
            row = dict(doc=pdf.name, pages=len(pages), wall=round(res["wall"], 1), cpu=round(res["cpu"], 1),
                       peak_mb=round(res["peak_mb"]), flagged=flagged, silent=len(wrong_keys) - flagged,
                       error=res.get("error"), **{k: s[k] for k in ("gold", "correct", "wrong", "missed", "extra", "precision", "recall")},
                       errors=s["errors"][:40], silent_errors=[f"{k} gold={gold[k]} got={got[k]}" for k in wrong_keys if k not in res["flagged"]],
                       warnings=res["warnings"][:20])
            per_doc.append(row)
            for k in ("gold", "correct", "wrong", "missed", "extra", "flagged", "silent"):
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
        lines.append(f"| {name} | {len(docs)} | {tot['pages']} | {prec:.3f} | {rec:.3f} | {tot['correct']} | {tot['flagged']} | "
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
