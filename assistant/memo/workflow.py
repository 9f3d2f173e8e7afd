"""Memo tasks over the store, for the CLI and the UI: draft, edit, submit, approve or return, list, verify.

``draft_memo`` builds the memo from the client's snapshot (the built-in engine; with an LLM
configured, the model then rephrases the narrative under the numeric check, see
``memo.rewrite``), stores it as the next version (recorded in the ledger) and, when the
officer edited the previous draft, carries those edits onto the new one
(``versions.regenerate``) so they stay visible as a diff. ``edit_memo`` stores the officer's
text, ``submit_memo`` freezes it for review, ``approve_memo`` the reviewer's approval of exactly
the submitted version — refused to anyone who wrote it, and while any number of the memo does
not trace or a claim contradicts the facts — ``return_memo`` sends it back with comments,
``review_view`` shows a version with its diff, and ``memo_versions`` lists them all.

Each takes an optional ``user`` (``assistant.access.User``): when given, the client must be
one that user may reach (``access.require_client``, else AccessDeniedError), approval needs
a reviewer or admin, and the user's name is the default ``by``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import AccessDeniedError, ConfigError, LoanwatchError, NotFoundError
from assistant.memo.builder import build_memo, resolve_span
from assistant.memo.claims import claim_facts
from assistant.memo.model import Memo
from assistant.memo.render_md import read_meta, render_markdown
from assistant.memo.verify import VerifyReport, allowed_numbers, memo_text, rebuilt_tables, verify_memo
from assistant.memo.versions import (
    MemoStageError,
    MemoVersion,
    Regenerated,
    authors,
    check_transition,
    diff,
    list_versions,
    reference_for,
    regenerate,
    save_version,
    unchanged_draft,
)

FORMATS = ("md", "docx", "pdf")
ENGINES = ("auto", "builtin", "llm")


class SelfApprovalError(AccessDeniedError):
    """Four eyes: whoever wrote a memo version cannot approve or return it."""

    hint = "ask a reviewer who did not write this memo"


class UnverifiableMemoError(LoanwatchError):
    """A memo cannot be approved: some of its numbers do not trace to the facts."""

    hint = "correct or remove those numbers (loanwatch memo edit), or regenerate the draft"


def memo_engine(engine: str | None = None) -> str:
    """builtin or llm: ``engine`` or LOANWATCH_ENGINE; auto means llm when a key is configured."""
    from assistant.config import get_settings

    settings = get_settings()
    wanted = engine or settings.engine
    if wanted not in ENGINES:
        raise ConfigError(f"unknown engine {wanted!r}", hint="use auto, builtin or llm (LOANWATCH_ENGINE)")
    if wanted == "auto":
        return "llm" if settings.llm_configured else "builtin"
    return wanted


def compose_memo(snapshot, period: str, *, lang: str = "zh", engine: str | None = None, backend=None) -> Memo:
    """The memo by the chosen engine: built-in, or built-in then rephrased by the model."""
    memo = build_memo(snapshot, period, lang=lang)
    chosen = "llm" if backend is not None and engine in (None, "auto", "llm") else memo_engine(engine)
    if chosen != "llm":
        return memo
    from assistant.memo.rewrite import rewrite_memo

    if backend is None:
        from assistant.llm import OpenAIBackend

        backend = OpenAIBackend.from_settings()
    model = getattr(getattr(backend, "endpoint", None), "model", "") or ""
    span = resolve_span(period)
    return rewrite_memo(memo, backend, allowed_numbers(snapshot, span), model=model, claims=claim_facts(snapshot, span))


@dataclass
class Drafted:
    memo: Memo
    markdown: str  # the stored text: the fresh draft, with the officer's edits carried over
    version: MemoVersion | None
    regenerated: Regenerated | None = None


def draft_memo(store, client: str | int, period: str, *, lang: str = "zh", by: str | None = None,
               as_of: dt.date | None = None, save: bool = True, engine: str | None = None,
               backend=None, user=None) -> Drafted:
    """Draft (and store) the memo; ``engine`` builtin | llm | auto (default LOANWATCH_ENGINE),
    ``backend`` an LLM backend to use instead of the configured one."""
    from assistant.store import load_snapshot

    client = _reach(store, user, client)
    by = by or (user.name if user is not None else "system")
    snapshot = load_snapshot(store, client, as_of=as_of)
    memo = compose_memo(snapshot, period, lang=lang, engine=engine, backend=backend)
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
        if memo.engine == "llm":
            note = "; ".join(n for n in (f"engine llm ({memo.model or 'model'}), {len(memo.flags)} flag(s)", note) if n)
        if regen is None and not note and (same := unchanged_draft(versions, fresh, memo, by=by)) is not None:
            return Drafted(memo, fresh, same)  # this very draft is the latest version: nothing new to store
        version = save_version(session, snapshot.client.id, memo.period, fresh, stage="draft", by=by, memo=memo,
                               note=note)
        if regen is not None and regen.carried:
            version = save_version(session, snapshot.client.id, memo.period, text, stage="edited", by=by,
                                   note="officer's edits carried onto the regenerated draft")
    return Drafted(memo, text, version, regen)


def write_memo(memo: Memo, fmt: str, out: Path | None, *, markdown: str | None = None) -> bytes:
    """Write the memo's text (``markdown``: the stored text with the officer's edits; default the
    engine's) as md/docx/pdf, marked DRAFT (see ``memo.export``); to ``out`` when given."""
    from assistant.memo.export import SignOff, export

    if fmt not in FORMATS:
        raise ConfigError(f"unknown memo format {fmt!r}", hint="use --format md, docx or pdf")
    signoff = SignOff(0, "draft", prepared_on=memo.as_of)
    return export(markdown or render_markdown(memo), fmt, signoff, bank=_bank(), out=out)


def _bank() -> str:
    from assistant.config import get_settings

    return getattr(get_settings(), "bank", "") or ""


def signoff_for(versions: list[MemoVersion], version: MemoVersion):
    """Who prepared, submitted and approved ``version`` (for the export's sign-off block)."""
    from assistant.memo.export import SignOff

    chain = [v for v in versions if v.version <= version.version]
    wrote = sorted(authors(chain, version.version), key=lambda n: next(v.version for v in chain if v.by == n))
    made = [v for v in chain if v.stage in ("draft", "edited") and v.text == version.text]
    submitted = next((v for v in reversed(chain) if v.stage == "submitted"), None)
    day = (made[-1].created_at.date() if made and made[-1].created_at else None)
    out = SignOff(version.version, version.stage, prepared_by=wrote, prepared_on=day)
    if submitted is not None and submitted.text == version.text:
        out.submitted_by = submitted.by
    if version.stage == "approved":
        out.approved_by = version.by
        out.approved_on = version.created_at.date() if version.created_at else None
    return out


def export_version(store, client: str | int, period: str, version: MemoVersion, fmt: str, out: Path | None = None,
                   *, user=None) -> bytes:
    """Write a stored version byte for byte (md) or as Word/PDF with its sign-off; DRAFT unless approved."""
    from assistant.memo.export import export

    if fmt not in FORMATS:
        raise ConfigError(f"unknown memo format {fmt!r}", hint="use --format md, docx or pdf")
    client = _reach(store, user, client)
    cid, _ = _client(store, client)
    with store.session() as s:
        versions = list_versions(s, cid, resolve_span(period).label)
    return export(version.text, fmt, signoff_for(versions, version), bank=_bank(), out=out)


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
    span = resolve_span(meta["period"])
    return verify_memo(text, allowed_numbers(snapshot, span),
                       tables=rebuilt_tables(snapshot, span, meta.get("lang") or "zh"), claims=claim_facts(snapshot, span))


# ---------------------------------------------------------------- the life of a stored memo


def _reach(store, user, client: str | int) -> str | int:
    """``client`` itself, or — with a ``user`` — its id once ``access.require_client`` allows it."""
    if user is None:
        return client
    from assistant.access import require_client

    return require_client(store, user, client).id


def _client(store, client: str | int) -> tuple[int, str]:
    from assistant.store.repo import get_client

    with store.session() as s:
        row = get_client(s, client)  # NotFoundError when there is none
        return row.id, row.name


def memo_versions(store, client: str | int, period: str, *, user=None) -> list[MemoVersion]:
    """Every stored version of the client's memo for ``period``, oldest first."""
    cid, _ = _client(store, _reach(store, user, client))
    with store.session() as s:
        return list_versions(s, cid, resolve_span(period).label)


def edit_memo(store, client: str | int, period: str, text: str, *, by: str | None = None,
              user=None) -> MemoVersion:
    """Store the officer's edited text as the next version (recorded in the ledger)."""
    client = _reach(store, user, client)
    by = by or (user.name if user is not None else "officer")
    label = resolve_span(period).label
    if not text.strip():
        raise ConfigError("the edited memo is empty", hint="give the file with the officer's edited Markdown")
    cid, name = _client(store, client)
    meta = read_meta(text)
    if meta and (meta.get("period"), meta.get("client")) != (label, name):
        raise ConfigError(f"the edited memo is about {meta.get('client')} {meta.get('period')}, not {name} {label}",
                          hint="edit the memo of this client and period (loanwatch memo CLIENT --period P)")
    with store.transaction() as s:
        return save_version(s, cid, label, text, stage="edited", by=by, note="edited by the officer")


def _actor(user, by: str | None, default: str) -> str:
    return user.name if user is not None else (by or default)


def _latest(store, client: str | int, label: str, what: str) -> tuple[int, list[MemoVersion]]:
    cid, name = _client(store, client)
    with store.session() as s:
        versions = list_versions(s, cid, label)
    if not versions:
        raise NotFoundError(f"no memo for {name} {label} to {what}",
                            hint=f"draft it first: loanwatch memo {name} --period {label}")
    return cid, versions


def _pin(versions: list[MemoVersion], version: int | None, stage: str, what: str) -> MemoVersion:
    """The latest version, which must be at ``stage`` and — when the caller names one — be ``version``.

    A reviewer approves the version they were shown: naming an older one (a newer edit came in
    meanwhile) is refused rather than approving text nobody reviewed.
    """
    latest = versions[-1]
    if version is not None and version != latest.version:
        raise MemoStageError(f"v{version} is not the latest version (v{latest.version} {latest.stage}): "
                             f"nothing but the latest can be {what}",
                             hint="reload the versions and review the latest one")
    if latest.stage != stage:
        check_transition(latest.stage, {"submitted": "approved"}.get(stage, "submitted"))  # names the fix
        raise MemoStageError(f"v{latest.version} is {latest.stage}, not {stage}")
    return latest


def verify_stored_text(store, client: str | int, label: str, text: str, *, as_of: dt.date | None = None) -> VerifyReport:
    """Numbers and claims of ``text`` against the client's facts for ``label`` (as the verifier reads them)."""
    from assistant.store import load_snapshot

    meta = read_meta(text) or {}
    if as_of is None and meta.get("as_of"):
        as_of = dt.date.fromisoformat(meta["as_of"])
    snapshot = load_snapshot(store, client, as_of=as_of)
    span = resolve_span(label)
    return verify_memo(text, allowed_numbers(snapshot, span), tables=rebuilt_tables(snapshot, span, meta.get("lang") or "zh"),
                       claims=claim_facts(snapshot, span))


def submit_memo(store, client: str | int, period: str, *, by: str | None = None, user=None,
                version: int | None = None) -> MemoVersion:
    """Submit the latest draft/edited/returned text for review (stored as ``submitted``, the same text)."""
    client = _reach(store, user, client)
    actor = _actor(user, by, "officer")
    label = resolve_span(period).label
    cid, versions = _latest(store, client, label, "submit")
    latest = versions[-1]
    if version is not None and version != latest.version:
        raise MemoStageError(f"v{version} is not the latest version (v{latest.version} {latest.stage})",
                             hint="submit the latest version")
    with store.transaction() as s:
        return save_version(s, cid, label, latest.text, stage="submitted", by=actor, note=f"submitted v{latest.version} for review")


def _require_role(user, what: str) -> None:
    if user is not None and not user.can_approve:
        raise AccessDeniedError(f"{user.name} is an officer: memos are {what} by a reviewer or admin",
                                hint="ask a reviewer to do it")


def _require_checker(user, actor: str, versions: list[MemoVersion], latest: MemoVersion, what: str) -> None:
    _require_role(user, what)
    wrote = authors(versions, latest.version)
    if actor in wrote:
        verb = {"approved": "approve", "returned": "return"}.get(what, what)
        raise SelfApprovalError(f"{actor} wrote v{latest.version} (drafted, edited or submitted it) and cannot {verb} it: "
                                f"the checker must differ from {', '.join(sorted(wrote))}",
                                hint="ask a reviewer who did not write this memo")


def approve_memo(store, client: str | int, period: str, *, by: str | None = None, as_of: dt.date | None = None,
                 user=None, version: int | None = None) -> tuple[MemoVersion, VerifyReport]:
    """Approve the submitted version (``version`` pins the one the reviewer saw).

    Refused when the memo is not submitted, when the approver wrote any part of it
    (SelfApprovalError), when the user is not a reviewer or admin, and while a number does
    not trace or a claim contradicts the facts (UnverifiableMemoError).
    """
    client = _reach(store, user, client)
    actor = _actor(user, by, "reviewer")
    label = resolve_span(period).label
    _require_role(user, "approved")
    cid, versions = _latest(store, client, label, "approve")
    latest = _pin(versions, version, "submitted", "approved")
    _require_checker(user, actor, versions, latest, "approved")
    report = verify_stored_text(store, client, label, latest.text, as_of=as_of)
    if not report.ok:
        raise UnverifiableMemoError(f"version {latest.version} of the {label} memo cannot be approved: "
                                    f"{report.summary()}")
    structured = next((v.memo for v in reversed(versions) if v.memo is not None and v.text == latest.text), None)
    with store.transaction() as s:
        approved = save_version(s, cid, label, latest.text, stage="approved", by=actor, memo=structured,
                                note=f"approved v{latest.version} (sha256 {text_digest(latest.text)[:12]}); {report.summary()}")
    return approved, report


def return_memo(store, client: str | int, period: str, comments: str, *, by: str | None = None, user=None,
                version: int | None = None) -> MemoVersion:
    """Return the submitted version to the officer with the reviewer's comments."""
    client = _reach(store, user, client)
    actor = _actor(user, by, "reviewer")
    if not (comments or "").strip():
        raise ConfigError("a returned memo needs the reviewer's comments", hint='give them: --comment "…"')
    label = resolve_span(period).label
    _require_role(user, "returned")
    cid, versions = _latest(store, client, label, "return")
    latest = _pin(versions, version, "submitted", "returned")
    _require_checker(user, actor, versions, latest, "returned")
    with store.transaction() as s:
        return save_version(s, cid, label, latest.text, stage="returned", by=actor, note=comments.strip())


@dataclass
class ReviewView:
    """What a reviewer is shown: one version, exactly, and its diff to the one it is compared with."""

    version: MemoVersion
    reference: MemoVersion | None
    diff: str
    report: VerifyReport | None = None


def review_view(store, client: str | int, period: str, *, version: int | None = None, against: int | None = None,
                user=None, check: bool = False) -> ReviewView:
    """Version ``version`` (default the latest) and its diff to ``against`` (default: the last
    approved version before it, else the last one whose text differs — see ``versions.reference_for``)."""
    client = _reach(store, user, client)
    label = resolve_span(period).label
    _, versions = _latest(store, client, label, "show")
    by_number = {v.version: v for v in versions}
    target = by_number.get(version or versions[-1].version)
    if target is None:
        raise NotFoundError(f"no version v{version} of the {label} memo", hint="list them: loanwatch memo versions")
    if against is not None and against not in by_number:
        raise NotFoundError(f"no version v{against} of the {label} memo", hint="list them: loanwatch memo versions")
    reference = by_number[against] if against is not None else reference_for(versions, target.version)
    text = "" if reference is None else diff(reference.text, target.text, before_label=f"v{reference.version} {reference.stage}",
                                             after_label=f"v{target.version} {target.stage}")
    report = verify_stored_text(store, client, label, target.text) if check else None
    return ReviewView(target, reference, text, report)


def export_text(store, client: str | int, period: str, *, user=None) -> tuple[MemoVersion, bool]:
    """The text an export prints: the latest approved version's when the latest is approved,
    else the latest saved text (then marked DRAFT). Returns (version, approved)."""
    client = _reach(store, user, client)
    label = resolve_span(period).label
    _, versions = _latest(store, client, label, "export")
    latest = versions[-1]
    return latest, latest.stage == "approved"


def text_digest(text: str) -> str:
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()
