"""Memo tasks over the store, for the CLI and the UI: draft (and store) a memo, verify a file.

``draft_memo`` builds the memo from the client's snapshot, stores it as the next version
(recorded in the ledger) and, when the officer edited the previous draft, carries those
edits onto the new one (``versions.regenerate``) so they stay visible as a diff.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError
from assistant.memo.builder import build_memo, resolve_span
from assistant.memo.model import Memo
from assistant.memo.render_docx import render_docx
from assistant.memo.render_md import render_markdown
from assistant.memo.render_pdf import render_pdf
from assistant.memo.verify import VerifyReport, allowed_numbers, memo_text, verify_memo
from assistant.memo.versions import MemoVersion, Regenerated, list_versions, regenerate, save_version

FORMATS = ("md", "docx", "pdf")


@dataclass
class Drafted:
    memo: Memo
    markdown: str  # the stored text: the fresh draft, with the officer's edits carried over
    version: MemoVersion | None
    regenerated: Regenerated | None = None


def draft_memo(store, client: str | int, period: str, *, lang: str = "zh", by: str = "system",
               as_of: dt.date | None = None, save: bool = True) -> Drafted:
    from assistant.store import load_snapshot

    snapshot = load_snapshot(store, client, as_of=as_of)
    memo = build_memo(snapshot, period, lang=lang)
    fresh = render_markdown(memo)
    if not save:
        return Drafted(memo, fresh, None)
    with store.transaction() as session:
        versions = list_versions(session, snapshot.client.id, memo.period)
        regen = None
        text = fresh
        last_draft = next((v for v in reversed(versions) if v.stage == "draft"), None)
        if versions and versions[-1].stage == "edited" and last_draft is not None:
            regen = regenerate(last_draft.text, versions[-1].text, fresh)
            text = regen.text
        note = "" if regen is None else f"{len(regen.carried)} officer edit(s) carried, {len(regen.not_carried)} not"
        version = save_version(session, snapshot.client.id, memo.period, fresh, stage="draft", by=by, memo=memo,
                               note=note)
        if regen is not None and regen.carried:
            version = save_version(session, snapshot.client.id, memo.period, text, stage="edited", by=by,
                                   note="officer's edits carried onto the regenerated draft")
    return Drafted(memo, text, version, regen)


def write_memo(memo: Memo, fmt: str, out: Path | None, *, markdown: str | None = None) -> bytes:
    """Render ``memo`` as md/docx/pdf; write it to ``out`` when given. Returns the bytes."""
    if fmt not in FORMATS:
        raise ConfigError(f"unknown memo format {fmt!r}", hint="use --format md, docx or pdf")
    data = {"md": lambda: (markdown or render_markdown(memo)).encode("utf-8"),
            "docx": lambda: render_docx(memo), "pdf": lambda: render_pdf(memo)}[fmt]()
    if out is not None:
        Path(out).write_bytes(data)
    return data


def verify_file(path: str | Path, store=None, *, as_of: dt.date | None = None) -> VerifyReport:
    """Verify a rendered memo against the facts of the client and period it names."""
    from assistant.store import load_snapshot, open_store

    text, meta = memo_text(path)
    if not meta or "client" not in meta or "period" not in meta:
        raise ConfigError(f"{Path(path).name} does not say which client and period it is about",
                          hint="verify a memo written by `loanwatch memo` (its metadata names the client)")
    if as_of is None and meta.get("as_of"):
        as_of = dt.date.fromisoformat(meta["as_of"])
    snapshot = load_snapshot(store or open_store(), meta["client"], as_of=as_of)
    return verify_memo(text, allowed_numbers(snapshot, resolve_span(meta["period"])))
