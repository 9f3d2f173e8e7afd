"""Synthetic borrower statements whose true figures are known.

``render_pdf(spec, path)`` and ``render_xlsx(spec, path)`` write a statement file and return
the truth in the exact shape ``loanwatch extract --json`` must produce, so tests can assert
every figure. ``generate_samples(outdir)`` writes one file per layout::

    python -m assistant.demo.statements OUTDIR

Layouts (see ``LAYOUTS``): sme_side_by_side (万元, 资产 ‖ 负债和所有者权益, ruled grid),
sme_income (元, 本月数/本年累计), listed_notes (附注 column, BS+IS+CF, header repeated on the
continuation page), consolidated_parent (合并 and 母公司), multipage (千元, pages continue
without repeated headers), ifrs_interim (English, HK$'000, parentheses), us_10q (three- and
nine-month columns, "$", in thousands), unruled_text (no lines, wrapped labels) and
ruled_grid (百万元, full table lines).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path

from assistant.demo.layouts import LAYOUTS, Block, StatementSpec, build_blocks
from assistant.demo.pdf import write_pdf
from assistant.demo.xlsx import write_xlsx
from extractors.document import sha256_of
from extractors.models import ExtractionResult, LineItem, Statement

__all__ = [
    "LAYOUTS", "Sample", "StatementSpec", "generate_samples", "render_pdf", "render_xlsx", "truth_of",
]


@dataclass
class Sample:
    name: str
    layout: str
    path: Path
    truth: ExtractionResult


def truth_of(spec: StatementSpec, blocks: list[Block], path: Path, pages: int) -> ExtractionResult:
    """The ExtractionResult a perfect extractor returns for ``blocks`` written to ``path``."""
    statements = []
    for block in blocks:
        items = [
            LineItem(key=row.canonical_key, label=row.label, values=list(row.values), page=row.page,
                     printed=list(row.printed), note=row.note, row_no=row.row_no, per_share=row.per_share)
            for row in block.all_rows() if not row.heading
        ]
        statements.append(Statement(
            kind=block.kind, scope=block.scope, currency=block.currency, unit=block.unit,
            pages=sorted(set(block.pages)), title=block.title, columns=block.columns, items=items,
        ))
    return ExtractionResult(file=path.name, sha256=sha256_of(path), pages=pages, company=spec.company,
                            statements=statements)


def render_pdf(spec: StatementSpec, path: str | Path, *, cover: list[str] | None = None) -> ExtractionResult:
    """Write ``spec`` as a PDF in its layout (after a ``cover`` page when given); return the truth."""
    path = Path(path)
    blocks = build_blocks(spec)
    pages = write_pdf(blocks, spec.style, LAYOUTS[spec.layout]["lang"], path, cover=cover)
    return truth_of(spec, blocks, path, pages)


def render_xlsx(spec: StatementSpec, path: str | Path, *, text_numbers: bool = False) -> ExtractionResult:
    """Write ``spec`` as an Excel workbook (one sheet per statement); return the truth.

    With ``text_numbers`` the amounts are written as printed text ("1,234.56"), as some
    accounting software exports them. A sheet's page number is its 1-based index.
    """
    path = Path(path)
    blocks = build_blocks(spec)
    pages = write_xlsx(blocks, path, text_numbers=text_numbers)
    return truth_of(spec, blocks, path, pages)


_SAMPLES: list[tuple[str, str, dict]] = [
    ("sme_side_by_side", "江苏恒远精密机械有限公司", dict(period_end=dt.date(2026, 9, 30), span="quarter")),
    ("sme_income", "浙江鼎泰纺织有限公司", dict(period_end=dt.date(2026, 9, 30), span="month", scale=30_000_000)),
    ("listed_notes", "华东新材料股份有限公司", dict(period_end=dt.date(2026, 6, 30), span="half", scale=2.4e9)),
    ("consolidated_parent", "南方智能装备股份有限公司", dict(period_end=dt.date(2025, 12, 31), span="year", scale=1.2e9)),
    ("multipage", "山东润丰食品有限公司", dict(period_end=dt.date(2026, 9, 30), span="quarter", scale=3.0e8)),
    ("ifrs_interim", "Harbour Bridge Logistics Holdings Limited", dict(period_end=dt.date(2026, 6, 30), span="half", scale=9.0e8)),
    ("us_10q", "Cedar Valley Instruments, Inc.", dict(period_end=dt.date(2026, 9, 30), span="quarter", scale=6.0e8)),
    ("unruled_text", "四川蜀光建材有限公司", dict(period_end=dt.date(2025, 12, 31), span="year", scale=60_000_000)),
    ("ruled_grid", "广东粤海电子科技有限公司", dict(period_end=dt.date(2026, 9, 30), span="quarter", scale=5.0e9)),
]
# A borrower in trouble: losses, negative retained earnings, no income tax (minus signs in totals).
_DISTRESSED = ("distressed", "unruled_text", "河北冀东钢构有限公司",
               dict(period_end=dt.date(2025, 12, 31), span="year", scale=45_000_000, leverage=1.9, cost_ratio=0.97))
_XLSX_SAMPLES = [("sme_side_by_side", False), ("listed_notes", True), ("us_10q", False)]


def sample_specs(seed: int = 0) -> list[StatementSpec]:
    """One spec per layout (the nine of ``LAYOUTS``), in a fixed order."""
    return [StatementSpec(company=company, layout=layout, seed=seed, **kw) for layout, company, kw in _SAMPLES]


def distressed_spec(seed: int = 0) -> StatementSpec:
    _name, layout, company, kw = _DISTRESSED
    return StatementSpec(company=company, layout=layout, seed=seed, **kw)


def generate_samples(outdir: str | Path, seed: int = 0, *, xlsx: bool = True) -> list[Sample]:
    """Write one PDF per layout (and a few Excel workbooks) to ``outdir``; return them with their truth."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    samples = []
    for spec in sample_specs(seed):
        path = outdir / f"{spec.layout}.pdf"
        samples.append(Sample(spec.layout, spec.layout, path, render_pdf(spec, path)))
    path = outdir / f"{_DISTRESSED[0]}.pdf"
    samples.append(Sample(_DISTRESSED[0], _DISTRESSED[1], path, render_pdf(distressed_spec(seed), path)))
    if xlsx:
        by_layout = {s.layout: s for s in sample_specs(seed)}
        for layout, text_numbers in _XLSX_SAMPLES:
            path = outdir / f"{layout}.xlsx"
            truth = render_xlsx(by_layout[layout], path, text_numbers=text_numbers)
            samples.append(Sample(f"{layout}_xlsx", layout, path, truth))
    return samples


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        sys.stderr.write("usage: python -m assistant.demo.statements OUTDIR [SEED]\n")
        return 2
    seed = int(argv[1]) if len(argv) > 1 else 0
    for sample in generate_samples(argv[0], seed):
        truth_path = sample.path.with_suffix(sample.path.suffix + ".truth.json")
        import json

        truth_path.write_text(json.dumps(sample.truth.to_json_dict(), ensure_ascii=False, indent=1))
        values = sum(len(i.values) for s in sample.truth.statements for i in s.items if i.key)
        print(f"{sample.path}  {sample.truth.pages} pages  {len(sample.truth.statements)} statements  {values} values")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
