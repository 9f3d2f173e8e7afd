"""ui/session_memory.py: Gradio's per-session state is bounded and released (issue 14)."""

from __future__ import annotations

import asyncio
import datetime as dt

import gradio as gr
from gradio.state_holder import StateHolder

from ui.session_memory import SESSION_CAPACITY, forget_closed_sessions, sweep


def _app(deleted: list, sweeping: bool = False):
    with gr.Blocks() as app:
        state = gr.State([], delete_callback=deleted.append)
        box = gr.Textbox()
        box.submit(lambda v, s: s + [v], [box, state], [state])
        if sweeping:
            forget_closed_sessions(app, grace_s=0)
    holder = StateHolder()  # what launch() gives the app
    holder.set_blocks(app)
    return app, holder, state


def _use(holder: StateHolder, session: str, state, value, last_used: dt.datetime) -> None:
    holder[session][state._id] = value
    holder.time_last_used[session] = last_used


def test_a_closed_idle_session_is_released_with_its_state():
    deleted: list = []
    _, holder, state = _app(deleted)
    now = dt.datetime.now()
    _use(holder, "closed-old", state, ["big upload"], now - dt.timedelta(hours=1))
    _use(holder, "closed-recent", state, ["recent"], now - dt.timedelta(seconds=30))
    _use(holder, "open-old", state, ["open"], now - dt.timedelta(hours=5))
    holder.session_data["closed-old"].is_closed = True
    holder.session_data["closed-recent"].is_closed = True

    assert sweep(holder, grace_s=600, now=now) == 1
    assert "closed-old" not in holder.session_data and "closed-old" not in holder.time_last_used
    assert deleted == [["big upload"]]  # gr.State's delete callback ran
    assert set(holder.session_data) == {"closed-recent", "open-old"}  # open tabs and a tab that may come back keep theirs


def test_sweep_runs_on_the_unload_event():
    deleted: list = []
    app, holder, state = _app(deleted, sweeping=True)
    unload = [fn for fn in app.fns.values() if any(t[1] == "unload" for t in fn.targets)]
    assert len(unload) == 1
    _use(holder, "gone", state, ["x"], dt.datetime.now() - dt.timedelta(seconds=5))
    holder.session_data["gone"].is_closed = True
    asyncio.run(unload[0].fn())  # a coroutine: on Gradio's event loop, never beside its own expiry sweep
    assert "gone" not in holder.session_data


def test_the_session_capacity_bounds_the_holder():
    _, holder, state = _app([])
    holder.capacity = 3
    for i in range(10):
        _use(holder, f"s{i}", state, [i], dt.datetime.now())
    assert list(holder.session_data) == ["s7", "s8", "s9"]


def test_launch_passes_the_capacity(monkeypatch):
    from ui import app as ui_app

    seen = {}

    class FakeApp:
        def queue(self, **kw):
            pass

        def launch(self, **kw):
            seen.update(kw)
            self.server_app = type("S", (), {})()

    monkeypatch.setattr(ui_app.W, "warm_portfolio", lambda store: None)
    ui_app.launch(FakeApp(), store=None, block=False)
    assert seen["state_session_capacity"] == SESSION_CAPACITY < 10000
