"""The client page's exposure editor: edit a balance, an instalment or a security; a second person confirms it.

Glue only: ``assistant.exposure_edit`` keeps the rules (which rows and fields, how values
parse, the pending change and what a confirmation writes) and ``assistant.makerchecker.review``
the checker's step (``E<id>``). Every step runs as the signed-in user.
"""

from __future__ import annotations

import gradio as gr
import pandas as pd

from assistant.access import User, require_client, visible_client_ids
from assistant.exposure_edit import FIELDS, LABELS, propose, targets
from assistant.makerchecker import changes, review
from assistant.store.db import Store
from ui.i18n import tr

FIELD_CHOICES = [(f"{LABELS[c][0]} / {LABELS[c][1]} ({target})", c) for target, cols in FIELDS.items() for c in cols]
ROW_COLUMNS = ["row", "what", "drawn / paid_on / value", "outstanding / paid_amount / valuation_date"]
PENDING_COLUMNS = ["ref", "what", "old", "new", "by", "reason", "status", "checked_by", "checker_note"]


def _both(key: str) -> str:
    return f"{tr(key, 'zh')} / {tr(key, 'en')}"


def exposure_panel(store: Store, safe, client_dd: gr.Dropdown) -> None:  # noqa: ANN001 - build_app's wrapper
    """Lay out the editor (call inside the client tab) and wire it to the client dropdown."""
    with gr.Accordion(_both("exposure_title"), open=False, elem_id="lw-exposure-box"):
        rows_df = gr.Dataframe(label=_both("exposure_rows"), interactive=False, wrap=True, max_height=300,
                               elem_id="lw-x-rows")
        with gr.Row():
            target = gr.Dropdown(choices=[], label=_both("exposure_target"), elem_id="lw-x-target", scale=4)
            field = gr.Dropdown(choices=FIELD_CHOICES, label=_both("exposure_field"), elem_id="lw-x-field", scale=3)
            value = gr.Textbox(label=_both("exposure_value"), elem_id="lw-x-value", scale=2)
        with gr.Row():
            reason = gr.Textbox(label=_both("exposure_reason"), elem_id="lw-x-reason", scale=5)
            submit = gr.Button(_both("exposure_submit"), variant="primary", elem_id="lw-x-submit", scale=1)
        out = gr.Markdown("", elem_id="lw-x-out")
        pending_df = gr.Dataframe(label=_both("exposure_pending"), interactive=False, wrap=True, max_height=300,
                                  elem_id="lw-x-pending")
        with gr.Row():
            ref = gr.Textbox(label=_both("exposure_ref"), elem_id="lw-x-ref", scale=1)
            note = gr.Textbox(label=_both("exposure_review_reason"), elem_id="lw-x-note", scale=3)
            confirm = gr.Button(_both("exposure_confirm"), elem_id="lw-x-confirm", scale=1)
            reject = gr.Button(_both("exposure_reject"), elem_id="lw-x-reject", scale=1)

    def _show(user: User, client):  # noqa: ANN001 - a client id or name from the dropdown
        if client in (None, ""):
            return gr.update(choices=[], value=None), pd.DataFrame(columns=ROW_COLUMNS), pd.DataFrame(columns=PENDING_COLUMNS)
        found = targets(store, user, client)
        rows = [[t.key, t.label, *[v or "" for v in t.values.values()]] for t in found]
        cid = require_client(store, user, client).id
        mine = changes(store, client_ids={cid}, status=None, entity="exposure")
        pending = [[c.ref, c.what, c.old, c.new, c.by, c.reason, c.status, c.reviewed_by or "", c.review_reason or ""]
                   for c in mine]
        return (gr.update(choices=[(t.label, t.key) for t in found], value=None), pd.DataFrame(rows, columns=ROW_COLUMNS),
                pd.DataFrame(pending, columns=PENDING_COLUMNS))

    def _submit(user: User, client, key, column, text, why):  # noqa: ANN001
        if client in (None, ""):
            raise gr.Error(tr("pick_client"))
        ident = propose(store, user, client, key or "", {column: text} if column else {}, why or "")
        return (f"E{ident}: 已提交，待第二人复核后生效 / submitted; it counts once a second person confirms it",
                *_show(user, client))

    def _review(user: User, client, change, text, action: str):  # noqa: ANN001
        c = review(store, (change or "").strip(), user, action, text or "", client_ids=visible_client_ids(store, user))
        return f"{c.ref} {c.what}: {c.status} by {c.reviewed_by}", *_show(user, client)

    shown = [target, rows_df, pending_df]
    client_dd.change(safe(_show), [client_dd], shown)
    submit.click(safe(_submit), [client_dd, target, field, value, reason], [out, *shown])
    confirm.click(safe(lambda user, c, r, n: _review(user, c, r, n, "confirm")), [client_dd, ref, note], [out, *shown])
    reject.click(safe(lambda user, c, r, n: _review(user, c, r, n, "reject")), [client_dd, ref, note], [out, *shown])
