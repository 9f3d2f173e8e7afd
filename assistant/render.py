"""Human-readable terminal output (rich); JSON output lives with each command."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from extractors.models import ExtractionResult, decimal_to_number


def _fmt(value) -> str:
    if value is None:
        return "—"
    num = decimal_to_number(value)
    return f"{num:,.2f}" if isinstance(num, float) else f"{num:,}"


def render_extraction(result: ExtractionResult, console: Console | None = None) -> None:
    console = console or Console()
    console.print(
        f"[bold]{result.file}[/] · {result.pages} pages · {result.company or 'company not found'}"
        f" · {len(result.statements)} statement(s)"
    )
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/] {warning}")
    for st in result.statements:
        pages = ", ".join(str(p) for p in st.pages)
        table = Table(title=f"{st.kind} · {st.scope} · {st.currency} ×{st.unit:,} · p.{pages}")
        table.add_column("key")
        table.add_column("label")
        for col in st.columns:
            span = f"{col.period_start}..{col.period_end}" if col.period_start else f"{col.period_end}"
            table.add_column(f"{col.label}\n{span}", justify="right")
        table.add_column("p.", justify="right")
        for item in st.items:
            table.add_row(item.key or "", item.label, *[_fmt(v) for v in item.values], str(item.page))
        console.print(table)
        for warning in st.warnings:
            console.print(f"[yellow]check:[/] {warning}")
