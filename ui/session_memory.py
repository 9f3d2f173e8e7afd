"""Gradio's memory of each page session, bounded (issue 14).

Gradio keeps one ``SessionState`` per page load (a session hash): a copy of the configuration of
every block of the page (about 0.34 MB for this app's 209 blocks, measured with tracemalloc) plus
each component a handler updated for that session (tables, charts, images). When a tab closes it
only marks the session closed and, an hour later, deletes its ``gr.State`` values — the
``SessionState`` itself stays until 10,000 sessions push it out (Gradio's default capacity): a
server that officers open many times a day would grow for weeks. Two bounds:

* :data:`SESSION_CAPACITY`, passed to ``launch(state_session_capacity=…)``: at most this many
  sessions are kept, the least recently used dropped first;
* :func:`forget_closed_sessions` — on each tab's ``unload`` event, :func:`sweep` drops every
  session that is closed *and* unused for :data:`CLOSED_GRACE_S` seconds (its ``gr.State`` delete
  callbacks run first). A tab whose heartbeat dropped but that still sends events keeps its state.
"""

from __future__ import annotations

import datetime as dt

import gradio as gr

SESSION_CAPACITY = 500
CLOSED_GRACE_S = 600.0


def sweep(holder, grace_s: float = CLOSED_GRACE_S, now: dt.datetime | None = None) -> int:  # noqa: ANN001 - gradio's StateHolder
    """Drop the sessions that are closed and unused for ``grace_s`` seconds; returns how many."""
    now = now or dt.datetime.now()
    gone = []
    for session_id, state in list(holder.session_data.items()):
        last = holder.time_last_used.get(session_id)
        if getattr(state, "is_closed", False) and (last is None or (now - last).total_seconds() > grace_s):
            gone.append(session_id)
    for session_id in gone:
        holder.delete_state(session_id)  # gr.State delete callbacks
        with holder.lock:
            holder.session_data.pop(session_id, None)
            holder.time_last_used.pop(session_id, None)
    return len(gone)


def forget_closed_sessions(app: gr.Blocks, grace_s: float = CLOSED_GRACE_S) -> None:
    """Register the sweep on the page's ``unload`` event (build the app inside ``with app:``)."""

    async def _sweep_closed_sessions() -> None:  # async: runs on the event loop, as Gradio's own expiry sweep does
        holder = getattr(app, "state_holder", None)
        if holder is not None:
            sweep(holder, grace_s)

    app.unload(_sweep_closed_sessions)
