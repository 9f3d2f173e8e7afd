"""The life of a memo: draft → edited → submitted → approved (or returned), every version kept.

Stages: the engine's ``draft``; the officer's ``edited`` text; ``submitted`` for review (the
text frozen as it was); then the reviewer's ``approved`` (that very text) or ``returned``
with comments (the officer edits and submits again). An approved memo changes only by a new
draft. :func:`authors` names who wrote a version — every drafter, editor and submitter since
the last approval — so the approver can be checked against them (four eyes).

Pure parts (no database): :func:`diff` between two versions (difflib, unified format) and
:func:`regenerate`, which rebuilds a draft from new data while keeping the officer's edits:
each edit the officer made to the previous draft is carried onto the new draft when the
lines it changed are still there, and listed as not carried when the engine rewrote them.
The result says both, so the edits stay visible as a diff.

Stored parts: :func:`save_version` / :func:`list_versions` keep each version as one memo row
of the store (``repo.add_memo``, recorded in the ledger) with a small JSON envelope holding
the stage, the Markdown text and the structured memo.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
from dataclasses import dataclass, field
from typing import Literal

from assistant.errors import LoanwatchError
from assistant.memo.model import Memo

Stage = Literal["draft", "edited", "submitted", "returned", "approved"]
STAGES: tuple[str, ...] = ("draft", "edited", "submitted", "returned", "approved")
_OPEN = {"edited", "draft", "submitted"}  # what a draft, an edited or a returned memo may become
_NEXT: dict[str, set[str]] = {"draft": _OPEN, "edited": _OPEN, "returned": _OPEN,
                              "submitted": {"approved", "returned"}, "approved": {"draft"}}
_HINTS = {"submitted": "wait for the reviewer to approve or return it (loanwatch memo approve|return)",
          "approved": "regenerate a new draft to change an approved memo",
          "draft": "submit it for review first: loanwatch memo submit CLIENT --period P --as USER",
          "edited": "submit it for review first: loanwatch memo submit CLIENT --period P --as USER",
          "returned": "edit it and submit it again"}


class MemoStageError(LoanwatchError):
    """A memo version cannot move to the stage asked for."""

    hint = "regenerate a new draft to change an approved memo"


@dataclass
class MemoVersion:
    version: int
    stage: Stage
    text: str  # the Markdown the officer sees and edits
    by: str = "system"
    memo: Memo | None = None  # the structured memo for engine-built drafts
    note: str = ""
    created_at: dt.datetime | None = None  # when it was stored (set by list_versions)

    def envelope(self) -> str:
        return json.dumps({"stage": self.stage, "text": self.text, "note": self.note,
                           "memo": self.memo.model_dump(mode="json") if self.memo else None}, ensure_ascii=False)

    @classmethod
    def from_envelope(cls, version: int, content: str, by: str) -> "MemoVersion":
        data = json.loads(content)
        memo = Memo.model_validate(data["memo"]) if data.get("memo") else None
        return cls(version, data["stage"], data["text"], by, memo, data.get("note", ""))


def check_transition(current: Stage | None, new: Stage) -> None:
    if current is None:
        if new != "draft":
            raise MemoStageError(f"the first version of a memo must be a draft, not {new}",
                                 hint="run `loanwatch memo CLIENT --period P` to draft it first")
        return
    if new not in _NEXT[current]:
        article = "an" if current[0] in "aeiou" else "a"
        raise MemoStageError(f"{article} {current} memo cannot become {new}", hint=_HINTS.get(current))


def authors(versions: list[MemoVersion], upto: int | None = None) -> set[str]:
    """Who wrote the text of version ``upto`` (default the latest): the ``by`` of every draft,
    edit and submission since the last approval before it ("system" is the engine, not a person)."""
    chain = [v for v in versions if upto is None or v.version <= upto]
    out: set[str] = set()
    for v in reversed(chain):
        if v.stage == "approved" and (upto is None or v.version < upto):
            break
        if v.stage in ("draft", "edited", "submitted") and v.by and v.by != "system":
            out.add(v.by)
    return out


def reference_for(versions: list[MemoVersion], version: int) -> MemoVersion | None:
    """What the reviewer compares version ``version`` with: the last approved version before
    it, else the last version before it whose text differs (the engine's draft, the returned one)."""
    before = [v for v in versions if v.version < version]
    target = next((v for v in versions if v.version == version), None)
    approved = next((v for v in reversed(before) if v.stage == "approved"), None)
    if approved is not None:
        return approved
    if target is None:
        return before[-1] if before else None
    return next((v for v in reversed(before) if v.text != target.text), before[0] if before else None)


# ---------------------------------------------------------------- diff


def diff(before: str, after: str, *, before_label: str = "before", after_label: str = "after", context: int = 2) -> str:
    """A unified diff between two versions' text ("" when they are the same)."""
    lines = difflib.unified_diff(before.splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile=before_label, tofile=after_label, n=context)
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


# ---------------------------------------------------------------- regenerate with the officer's edits


@dataclass
class Edit:
    """One change the officer made to a draft: base lines [start, end) became ``new``."""

    start: int
    end: int
    old: list[str]
    new: list[str]
    carried: bool = False


@dataclass
class Regenerated:
    text: str  # the new draft with the officer's edits carried over where possible
    carried: list[Edit] = field(default_factory=list)
    not_carried: list[Edit] = field(default_factory=list)  # the engine rewrote those lines
    edits_diff: str = ""  # fresh draft → carried text: the officer's edits, visible
    engine_diff: str = ""  # previous draft → fresh draft: what the new data changed

    @property
    def clean(self) -> bool:
        return not self.not_carried


def officer_edits(draft: str, edited: str) -> list[Edit]:
    a, b = draft.splitlines(), edited.splitlines()
    ops = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    return [Edit(i1, i2, a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in ops if tag != "equal"]


def _line_map(base: list[str], fresh: list[str]) -> dict[int, int]:
    """base line → fresh line, for lines the engine left unchanged."""
    out: dict[int, int] = {}
    for block in difflib.SequenceMatcher(None, base, fresh, autojunk=False).get_matching_blocks():
        for k in range(block.size):
            out[block.a + k] = block.b + k
    return out


def regenerate(previous_draft: str, edited: str, fresh_draft: str) -> Regenerated:
    """Carry the officer's edits (previous_draft → edited) onto a freshly built draft."""
    base, fresh = previous_draft.splitlines(), fresh_draft.splitlines()
    mapping = _line_map(base, fresh)
    result = list(fresh)
    placed: list[tuple[int, int, Edit]] = []
    out = Regenerated(text=fresh_draft)
    for edit in officer_edits(previous_draft, edited):
        target = _target(edit, mapping, len(base), len(fresh))
        if target is None or any(not (target[1] <= s or target[0] >= e) or (target[0] == target[1] == s)
                                 for s, e, _ in placed):
            out.not_carried.append(edit)
            continue
        edit.carried = True
        placed.append((target[0], target[1], edit))
        out.carried.append(edit)
    for start, end, edit in sorted(placed, key=lambda t: -t[0]):
        result[start:end] = edit.new
    text = "\n".join(result) + ("\n" if fresh_draft.endswith("\n") else "")
    out.text = text
    out.edits_diff = diff(fresh_draft, text, before_label="fresh draft", after_label="with officer's edits")
    out.engine_diff = diff(previous_draft, fresh_draft, before_label="previous draft", after_label="fresh draft")
    return out


def _target(edit: Edit, mapping: dict[int, int], n_base: int, n_fresh: int) -> tuple[int, int] | None:
    """Where the edit's base lines sit in the fresh draft, if all of them survived intact."""
    if edit.end > edit.start:
        spots = [mapping.get(i) for i in range(edit.start, edit.end)]
        if None in spots or spots != list(range(spots[0], spots[0] + len(spots))):  # type: ignore[arg-type]
            return None
        return spots[0], spots[-1] + 1  # type: ignore[operator]
    # a pure insertion: anchor on the line before it (or the line after, at the very top)
    if edit.start > 0 and (edit.start - 1) in mapping:
        at = mapping[edit.start - 1] + 1
        return at, at
    if edit.start < n_base and edit.start in mapping:
        at = mapping[edit.start]
        return at, at
    if edit.start == 0 and n_base == 0:
        return 0, 0
    return None


# ---------------------------------------------------------------- stored versions


def save_version(session, client_id: int, period: str, text: str, *, stage: Stage, by: str = "system",
                 memo: Memo | None = None, note: str = "") -> MemoVersion:
    """Store the next version (checked against the stage of the latest one)."""
    from assistant.store import repo

    versions = list_versions(session, client_id, period)
    check_transition(versions[-1].stage if versions else None, stage)
    version = MemoVersion(0, stage, text, by, memo, note)
    row = repo.add_memo(session, client_id, period, version.envelope(), format="json", by=by)  # {stage, text, memo}
    version.version = row.version
    return version


def list_versions(session, client_id: int, period: str) -> list[MemoVersion]:
    from sqlalchemy import select

    from assistant.store.schema import MemoRow

    rows = session.execute(select(MemoRow).where(MemoRow.client_id == client_id, MemoRow.period == period)
                           .order_by(MemoRow.version)).scalars()
    out = []
    for row in rows:
        version = version_of(row.version, row.content, row.created_by)
        version.created_at = row.created_at
        out.append(version)
    return out


def version_of(number: int, content: str, by: str) -> MemoVersion:
    """A stored memo row's version: its JSON envelope, or a plain-text memo stored by another path (a draft)."""
    try:
        return MemoVersion.from_envelope(number, content, by)
    except (json.JSONDecodeError, KeyError):
        return MemoVersion(number, "draft", content, by)


def unchanged_draft(versions: list[MemoVersion], text: str, memo: Memo, *, by: str) -> MemoVersion | None:
    """The latest version when it is already this draft — same text, same memo (its figures and their
    sources, the input digest), same author, no note — else None. Drafting it again stores nothing:
    a version, and its ledger entry, records a change."""
    if not versions:
        return None
    last = versions[-1]
    if last.stage != "draft" or last.by != by or last.text != text or last.note or last.memo is None:
        return None
    return last if last.memo.model_dump(mode="json") == memo.model_dump(mode="json") else None


__all__ = [
    "STAGES", "authors", "reference_for",
    "Edit", "MemoStageError", "MemoVersion", "Regenerated", "Stage", "check_transition", "diff", "list_versions",
    "officer_edits", "regenerate", "save_version", "unchanged_draft", "version_of",
]
