"""The review of flagged statements, figure by figure: each figure flagged on its own (read by OCR
with low confidence, failing an identity, in a subtotal that does not add up) shown as the cell cut
from the stored page beside the value read from it, so the officer confirms it in a second.

``flagged_cells(store, user, ref, lang)`` → ``[(image, caption)]`` for a Gradio gallery; the
statement or document ``ref`` (``S12`` / ``D5``) must belong to a client the user may reach.
"""

from __future__ import annotations

import io

from assistant.access import User, visible_client_ids
from assistant.store import Store

#: At most this many cells are cut out for one reference (the rest are listed by the statement's warnings).
MAX_CELLS = 60


def flagged_cells(store: Store, user: User, ref: str, lang: str = "zh") -> list[tuple[object, str]]:
    """(cell image, caption) of each individually flagged figure of ``ref``; [] for an empty reference."""
    from PIL import Image

    from assistant.errors import DocumentError
    from assistant.review import cell_image, flagged_figures

    ref = (ref or "").strip()
    if not ref:
        return []
    ids = visible_client_ids(store, user)
    out: list[tuple[object, str]] = []
    for f in flagged_figures(store, ref, client_ids=ids)[:MAX_CELLS]:
        conf = "" if f.confidence is None else (f" 置信度 {f.confidence:.2f}" if lang == "zh" else f" confidence {f.confidence:.2f}")
        caption = f"p.{f.page} {f.label} · {f.column}: {f.printed or '—'}{conf} — {f.flag}"
        try:
            png = cell_image(store, f.figure_id, client_ids=ids)
        except DocumentError as exc:  # a stored copy gone missing: say so beside the value
            out.append((Image.new("RGB", (160, 24), (250, 235, 235)), f"{caption} ({exc})"))
            continue
        out.append((Image.open(io.BytesIO(png)).convert("RGB"), caption))
    return out
