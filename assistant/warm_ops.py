"""What ``loanwatch warm`` answers: one function per command, each calling what the command calls
in its own process and returning what that command prints (issue 14).

Each takes the store and the request and returns a JSON-able reply; a ``LoanwatchError`` travels
back to the caller as its class and line (``warm._answer``). ``token`` in a request is the
caller's session token: for ``memo`` it names the actor as ``actor.logged_in`` does in the
caller (so the ledger records the caller, not the service); for ``ask`` it scopes the answer to
that user's clients, as the app does. The command line decides which calls may come here (no
password prompts, no files to write) and prints the reply itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Callable


def ask(store: Any, req: dict) -> dict:
    """``loanwatch ask``: CONTRACT.md's answer object without ``understood``."""
    from assistant.chat.service import ask as ask_question

    out = ask_question(str(req.get("question", "")), user=_token_user(store, req), client=req.get("client"),
                       engine=req.get("engine"), store=store).to_json_dict()
    out.pop("understood", None)
    return {"answer": out}


def memo(store: Any, req: dict) -> dict:
    """``loanwatch memo CLIENT --period P`` as Markdown on stdout: the draft is stored as the caller would store it."""
    from assistant.memo import workflow

    user = _token_user(store, req)
    drafted = workflow.draft_memo(store, req["client"], req["period"], lang=req.get("lang", "zh"),
                                  by=getattr(user, "name", None) or "system", as_of=_day(req.get("as_of")),
                                  engine=req.get("engine"))
    return {"stderr": memo_notes(drafted), "stdout": drafted.markdown}


def status(store: Any, req: dict) -> dict:
    """``loanwatch status CLIENT`` without ``--record``: the status object (nothing is written)."""
    from assistant.status import client_status

    return {"status": client_status(store, req["client"], period=req.get("period"), as_of=_day(req.get("as_of")))}


def clients(store: Any, req: dict) -> dict:
    """``loanwatch client list``."""
    return {"clients": client_rows(store)}


OPS: dict[str, Callable[[Any, dict], dict]] = {"ask": ask, "memo": memo, "status": status, "clients": clients}


# ---------------------------------------------------------------- shared with the in-process command


def client_rows(store: Any) -> list[dict]:
    """Every client as ``client list --json`` prints it."""
    from assistant.store.repo import list_clients

    with store.session() as s:
        return [{"id": c.id, "name": c.name, "aliases": list(c.aliases), "industry": c.industry, "officer": c.officer}
                for c in list_clients(s)]


def memo_notes(drafted: Any) -> str:
    """What ``loanwatch memo`` writes on stderr about a draft: the LLM's flags, the officer's edits carried over."""
    lines = []
    if drafted.memo.engine == "llm":
        flags = drafted.memo.flags
        lines.append(f"engine llm ({drafted.memo.model}): narrative rewritten, {len(flags)} flag(s)")
        lines.extend(f"  {flag.kind} [{flag.section or '-'}] {flag.detail or flag.message}" for flag in flags)
    if drafted.regenerated is not None:
        r = drafted.regenerated
        lines.append(f"regenerated: {len(r.carried)} of the officer's edits carried over, "
                     f"{len(r.not_carried)} not (the engine rewrote those lines)")
    return "".join(line + "\n" for line in lines)


def _token_user(store: Any, req: dict) -> Any:
    """The user the caller's token vouches for (``sessions.session_user``, as ``actor.logged_in``); None without one.

    Never the service's own token: a caller without one acts as no one, as it would in its own process.
    """
    token = req.get("token")
    if not token:
        return None
    from assistant.sessions import session_user

    return session_user(str(token), store=store)


def _day(value: Any) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None
