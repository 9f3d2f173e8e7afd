"""Reads after a restart: each measure in a fresh process that finds the client rows an earlier process persisted.

``python -m eval._restart prime|dashboard|alerts|status|question`` (``LOANWATCH_HOME`` and
``LOANWATCH_DB_URL`` name the book) prints one JSON line: the call's seconds (after imports
and opening the store), the same call again in the same process (warm, as in ``serve``), the
process's own wall seconds, its peak RSS, the rows it built and
loaded, the call's CPU seconds, and whether retrieval (chromadb) was imported. ``prime`` makes the persisted rows
current (a no-op when they are). ``eval.portfolio --restart`` runs these, one process each.
"""

from __future__ import annotations

import json
import resource
import sys
import time

_T0 = time.perf_counter()


def main(what: str, as_of: str, client: str) -> dict:
    import datetime as dt

    from assistant.chat.board import BOARD
    from assistant.store import open_store

    day = dt.date.fromisoformat(as_of)
    store = open_store()
    extra: dict = {}
    cpu = _cpu()
    seconds = _call(what, store, day, client, extra)
    cpu = _cpu() - cpu
    again = _call(what, store, day, client, {}) if what != "prime" else None  # the same read again: what `serve` does warm
    return {"what": what, "seconds": round(seconds, 3), "cpu_s": round(cpu, 3), "again_s": None if again is None else round(again, 3),
            "process_s": round(time.perf_counter() - _T0, 2),
            "rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "built": BOARD.built, "loaded": BOARD.loaded, "chromadb": "chromadb" in sys.modules, **extra}


def _cpu() -> float:
    """This process's CPU seconds (user + system) so far: a figure that load from other processes does not inflate."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _call(what: str, store, day, client: str, extra: dict) -> float:  # noqa: ANN001
    from assistant.chat.board import BOARD
    from assistant.store.repo import list_clients

    t0 = time.perf_counter()
    if what == "prime":
        with store.session() as s:
            ids = frozenset(c.id for c in list_clients(s))
        BOARD.rows(store, ids, day)
    elif what == "dashboard":
        from assistant.dashboard_data import dashboard

        extra["clients"] = dashboard(store, as_of=day).clients
    elif what == "alerts":
        from assistant.status import portfolio_alerts

        extra["alerts"] = len(portfolio_alerts(store, as_of=day))
    elif what == "status":
        from assistant.status import client_status

        extra["grade"] = client_status(store, client, as_of=day)["grade"]
    elif what == "question":
        from assistant.chat.service import ask
        from eval.portfolio import QUESTIONS

        extra["answer_chars"] = len(ask(QUESTIONS[0], store=store).answer)
    else:
        raise SystemExit(f"unknown measure {what!r}")
    return time.perf_counter() - t0


if __name__ == "__main__":
    print(json.dumps(main(*sys.argv[1:4]), ensure_ascii=False))
