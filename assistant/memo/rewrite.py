"""The LLM engine for memos: a model rephrases the narrative, code keeps every number honest.

Named steps over a memo built by the built-in engine::

    narrative → numbered_draft → ask the model (OpenAIBackend.rewrite, numeric guard)
              → parse_numbered → check_paragraph (the verifier's allowed numbers, strict counts)
              → take the rewrite, or keep the built-in paragraph and flag it → review_section

Only narrative paragraphs go to the model. Tables, quoted site-note text, the grade's reasons
and the overview stay as code wrote them, and a rewritten paragraph keeps the citations of
the paragraph it replaces: the model never writes a citation or a table cell. A rewritten
paragraph with any number the facts do not support is not used; the built-in wording stays,
and a reviewer note (with the number masked) says so. The memo records ``engine="llm"``, the
model, and the flags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, Sequence

from assistant.memo.model import Memo, MemoFlag, Paragraph, Run, Section
from assistant.memo.phrases import phrasebook
from assistant.memo.render_md import render_markdown
from assistant.numguard import AllowedNumber, check, find_numbers

#: Sections whose paragraphs the model may rephrase (the others are facts, lists of reasons, or quotes).
NARRATIVE_SECTIONS = ("changes", "performance", "covenants", "projects", "warnings", "actions")
_MARKER_LINE = re.compile(r"^\s*\[\[(\d{1,4})\]\]\s*$")
_CITATION = re.compile(r"\[\^?\d{1,3}\]")
MASK = "[?]"


class Rewriter(Protocol):
    """What the memo needs from an LLM backend (``assistant.llm.OpenAIBackend``)."""

    def rewrite(self, draft: str, *, facts: str, allowed: Sequence[AllowedNumber] = (), language: str = "zh",
                allow_counts: bool = True): ...


@dataclass
class _Target:
    section: Section
    index: int  # block index within the section
    paragraph: Paragraph


def narrative(memo: Memo) -> list[_Target]:
    """The paragraphs the model may rephrase, in memo order."""
    out = []
    for section in memo.sections:
        if section.key not in NARRATIVE_SECTIONS:
            continue
        for i, block in enumerate(section.blocks):
            if isinstance(block, Paragraph) and block.style != "quote" and block.text.strip():
                out.append(_Target(section, i, block))
    return out


def numbered_draft(targets: list[_Target]) -> str:
    """``[[n]]`` marker lines, each followed by the paragraph's text (no citations)."""
    return "\n\n".join(f"[[{n}]]\n{t.paragraph.text.strip()}" for n, t in enumerate(targets, start=1))


def parse_numbered(text: str) -> dict[int, str]:
    """The paragraphs under each ``[[n]]`` marker of the model's answer."""
    out: dict[int, list[str]] = {}
    current: int | None = None
    for line in text.splitlines():
        marker = _MARKER_LINE.match(line)
        if marker:
            current = int(marker.group(1))
            out.setdefault(current, [])
        elif current is not None:
            out[current].append(line)
    return {n: " ".join(_clean(line) for line in lines if line.strip()).strip() for n, lines in out.items()}


def _clean(line: str) -> str:
    """Drop what the model may not write: citation markers, bullets, bold marks."""
    line = _CITATION.sub("", line.strip())
    line = re.sub(r"^(?:[-*•]\s+|#+\s*)", "", line)
    return line.replace("**", "").strip()


def mask_numbers(text: str) -> str:
    """The sentence with every number replaced by [?] (a reviewer note must not print a wrong number)."""
    out, pos = [], 0
    for m in find_numbers(text):
        out.append(text[pos:m.start])
        out.append(MASK)
        pos = m.end
    out.append(text[pos:])
    return "".join(out)


def _bad_sentences(text: str, result) -> list[str]:
    from assistant.numguard import split_sentences

    bad = [(m.start, m.end) for m in result.unsupported]
    out, pos = [], 0
    for sentence in split_sentences(text):
        a, b = pos, pos + len(sentence)
        pos = b
        if any(s < b and e > a for s, e in bad):
            out.append(sentence.strip())
    return out


def rewrite_memo(memo: Memo, backend: Rewriter, allowed: list[AllowedNumber], *, model: str = "", claims=None) -> Memo:
    """A copy of ``memo`` whose narrative the model rephrased, every number checked — tied to
    its label, period and basis — and, with ``claims`` (``memo.claims.ClaimFacts``), every
    covenant status, classification, grade and direction word too."""
    memo = memo.model_copy(deep=True)
    say = phrasebook(memo.lang)
    targets = narrative(memo)
    flags: list[MemoFlag] = []
    if targets:
        guarded = backend.rewrite(numbered_draft(targets), facts=render_markdown(memo), allowed=allowed,
                                  language=memo.lang, allow_counts=False)
        if any(f.kind == "regenerated" for f in guarded.flags):
            detail = next(f.detail for f in guarded.flags if f.kind == "regenerated")
            flags.append(MemoFlag(kind="regenerated", message=say("review", "regenerated"), detail=detail))
        texts = parse_numbered(guarded.raw or guarded.text)
        for n, target in enumerate(targets, start=1):
            flag = _take(target, texts.get(n), allowed, say, claims)
            if flag is not None:
                flags.append(flag)
    memo.engine, memo.model, memo.flags = "llm", model, flags
    _add_review(memo, say)
    return memo


def _take(target: _Target, text: str | None, allowed: list[AllowedNumber], say, claims=None) -> MemoFlag | None:
    """Put the rewrite in place when every number and claim checks out; else keep the paragraph and flag it."""
    section = target.section
    if not text:
        return MemoFlag(kind="missing_paragraph", section=section.key,
                        message=say("review", "missing", section=section.title))
    result = check(text, allowed, allow_counts=False)
    if not result.ok:
        sentences = _bad_sentences(text, result) or [text]
        numbers = ", ".join(dict.fromkeys(m.text for m in result.unsupported))
        return MemoFlag(kind="unsupported_number", section=section.key,
                        message=say("review", "unsupported", section=section.title,
                                    sentence=" ".join(mask_numbers(s) for s in sentences)),
                        detail=f"{numbers} in: {' '.join(sentences)}")
    if claims is not None:
        from assistant.memo.claims import check_claims

        wrong = check_claims(text, claims)
        if wrong:
            c = wrong[0]
            return MemoFlag(kind="contradiction", section=section.key,
                            message=say("review", "contradiction", section=section.title, claim=c.claim,
                                        sentence=mask_numbers(c.context)),
                            detail="; ".join(x.line() for x in wrong))
    old = target.paragraph
    strong = bool(old.runs) and all(run.strong for run in old.runs)
    section.blocks[target.index] = Paragraph(style=old.style, runs=[Run(text=text, cites=sorted(set(old.cites)),
                                                                        strong=strong)])
    return None


def _add_review(memo: Memo, say) -> None:
    """The reviewer-note section, just before the sources."""
    blocks: list = [Paragraph(runs=[Run(text=say("review", "intro"))])]
    problems = [f for f in memo.flags if f.kind != "regenerated"]
    if not problems:
        blocks.append(Paragraph(runs=[Run(text=say("review", "clean"))]))
    else:
        blocks.append(Paragraph(runs=[Run(text=say("review", "flagged"), strong=True)]))
        blocks += [Paragraph(style="bullet", runs=[Run(text=f.message)]) for f in problems]
    blocks += [Paragraph(style="bullet", runs=[Run(text=f.message)]) for f in memo.flags if f.kind == "regenerated"]
    review = Section(key="review", title=say("sections", "review"), blocks=blocks)
    at = next((i for i, s in enumerate(memo.sections) if s.key == "sources"), len(memo.sections))
    memo.sections.insert(at, review)


__all__ = ["MASK", "NARRATIVE_SECTIONS", "Rewriter", "mask_numbers", "narrative", "numbered_draft", "parse_numbered",
           "rewrite_memo"]
