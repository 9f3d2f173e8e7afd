"""Render a memo as Markdown with footnotes (``[^n]``) for its numbered sources.

The first line after the title is an HTML comment carrying what the memo is about
(client, period, language, input digest), so ``loanwatch memo verify FILE`` can find the
facts to check it against. It is invisible when the Markdown is displayed.
"""

from __future__ import annotations

import json

from assistant.memo.model import Cell, Memo, Paragraph, Table

META_PREFIX = "<!-- loanwatch-memo "
META_SUFFIX = " -->"


def memo_meta(memo: Memo) -> dict:
    return {
        "client": memo.client,
        "period": memo.period,
        "as_of": memo.as_of.isoformat() if memo.as_of else None,
        "lang": memo.lang,
        "engine": memo.engine,
        **({"model": memo.model} if memo.model else {}),
        "digest": memo.input_digest,
    }


def _cite(ns: list[int]) -> str:
    return "".join(f"[^{n}]" for n in ns)


def _escape_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _paragraph(block: Paragraph) -> str:
    parts = []
    for run in block.runs:
        text = f"**{run.text}**" if run.strong and run.text.strip() else run.text
        parts.append(text + _cite(run.cites))
    body = "".join(parts)
    if block.style == "bullet":
        return f"- {body}"
    if block.style == "quote":
        return f"> {body}"
    return body


def _cell(cell: Cell) -> str:
    return _escape_cell(cell.text) + _cite(cell.cites)


def _table(block: Table) -> str:
    lines = []
    if block.caption:
        lines.append(f"*{block.caption}*")
        lines.append("")
    lines.append("| " + " | ".join(_escape_cell(h) for h in block.header) + " |")
    lines.append("|" + "|".join("---:" if a == "r" else "---" for a in block.aligns()) + "|")
    for row in block.rows:
        lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
    for note in block.notes:
        lines.append("")
        lines.append(f"<sub>{note}</sub>")
    return "\n".join(lines)


def heading_text(index: int, title: str) -> str:
    """How every renderer numbers a section heading."""
    return f"{index}. {title}"


def render_markdown(memo: Memo) -> str:
    out = [f"# {memo.title}", "", META_PREFIX + json.dumps(memo_meta(memo), ensure_ascii=False) + META_SUFFIX, ""]
    for index, section in enumerate(memo.sections, start=1):
        out.append(f"## {heading_text(index, section.title)}")
        out.append("")
        for block in section.blocks:
            out.append(_paragraph(block) if isinstance(block, Paragraph) else _table(block))
            out.append("")
        if section.key == "sources":
            for source in memo.sources:
                out.append(f"[^{source.n}]: {source.label(memo.lang)}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def read_meta(text: str) -> dict | None:
    """The metadata comment of a rendered memo, or None when there is none."""
    for line in text.splitlines()[:8]:
        line = line.strip()
        if line.startswith(META_PREFIX) and line.endswith(META_SUFFIX):
            try:
                return json.loads(line[len(META_PREFIX) : -len(META_SUFFIX)])
            except json.JSONDecodeError:
                return None
    return None
