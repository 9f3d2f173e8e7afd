"""The typed memo document that every renderer reads.

A memo is a list of numbered sections; a section holds paragraphs and tables. A paragraph
is a list of text runs, and a run may cite numbered sources. A table cell carries where
its number came from: a stored fact (document, page), a formula over facts, or a record
(facility terms, a site note). The numbered ``sources`` list is what footnotes point to.

These are pydantic models (``extra="forbid"``) because a memo is stored as JSON with its
versions and read back.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False)


class Source(_Model):
    """One numbered citation: a document and page (or a record without a page)."""

    n: int
    document: str
    page: int | None = None
    detail: str = ""  # printed label, note date, … shown after the page

    def label(self, lang: str) -> str:
        where = ""
        if self.page is not None:
            where = f"，第{self.page}页" if lang == "zh" else f", p. {self.page}"
        detail = ""
        if self.detail:
            detail = f"（{self.detail}）" if lang == "zh" else f" ({self.detail})"
        return f"{self.document}{where}{detail}"


class Run(_Model):
    """A piece of text, optionally citing numbered sources right after it."""

    text: str
    cites: list[int] = Field(default_factory=list)
    strong: bool = False


class Paragraph(_Model):
    kind: Literal["paragraph"] = "paragraph"
    style: Literal["body", "bullet", "quote"] = "body"
    runs: list[Run] = Field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def cites(self) -> list[int]:
        return [n for run in self.runs for n in run.cites]


class CellSource(_Model):
    """Where a cell's number comes from."""

    kind: Literal["fact", "formula", "record"]
    cites: list[int] = Field(default_factory=list)
    formula: str | None = None  # for kind="formula": e.g. "total_liabilities / total_assets"


class Cell(_Model):
    text: str
    source: CellSource | None = None  # None: a label, or a value that is missing
    missing: str | None = None  # why the value is missing (shown as "—" with this reason)

    @property
    def cites(self) -> list[int]:
        return [] if self.source is None else list(self.source.cites)


class Table(_Model):
    kind: Literal["table"] = "table"
    caption: str = ""
    header: list[str]
    rows: list[list[Cell]]
    notes: list[str] = Field(default_factory=list)
    align: list[Literal["l", "r"]] = Field(default_factory=list)  # per column; default: first left, rest right

    def aligns(self) -> list[str]:
        if len(self.align) == len(self.header):
            return list(self.align)
        return ["l"] + ["r"] * (len(self.header) - 1)


Block = Annotated[Paragraph | Table, Field(discriminator="kind")]


class Section(_Model):
    key: str  # overview, changes, performance, covenants, projects, warnings, grade, actions, sources
    title: str
    blocks: list[Block] = Field(default_factory=list)


class MemoFlag(_Model):
    """Something the reviewer must know about how the memo was written (LLM engine)."""

    kind: Literal["unsupported_number", "regenerated", "missing_paragraph", "contradiction"]
    section: str = ""  # the section key
    message: str  # what happened, in the memo's language, without the offending number
    detail: str = ""  # the offending numbers and sentence (CLI and UI only: never printed in the memo)


class Memo(_Model):
    """A drafted (or edited) quarterly review memo."""

    client: str
    period: str  # the period label, e.g. 2026Q3
    period_end: dt.date
    as_of: dt.date | None = None  # the date overdue days and reporting delays are counted to
    lang: Literal["zh", "en"] = "zh"
    title: str
    engine: str = "builtin"  # builtin | llm
    model: str = ""  # the model that rewrote the narrative (engine llm)
    input_digest: str = ""  # sha256 of what the memo was built from
    sections: list[Section] = Field(default_factory=list)
    sources: list[Source] = Field(default_factory=list)
    flags: list[MemoFlag] = Field(default_factory=list)  # engine llm: what the numeric check removed

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    def cited(self) -> set[int]:
        """Every source number referred to by a run or a cell."""
        out: set[int] = set()
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    out.update(block.cites)
                else:
                    for row in block.rows:
                        for cell in row:
                            out.update(cell.cites)
        return out


__all__ = ["Block", "Cell", "CellSource", "Memo", "MemoFlag", "Paragraph", "Run", "Section", "Source", "Table"]
