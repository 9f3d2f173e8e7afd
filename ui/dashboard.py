"""The dashboard tab (看板): the book by grade, class and industry, the watch list, what is due, the newest warnings.

``dashboard_tab(store, safe, lang)`` lays the tab out inside ``build_app``'s tabs and wires its
events; the tables come from ``assistant.dashboard_data`` (one build per refresh, reading each
client's cached row: only clients whose data changed are assessed again), and the charts
(``ui.charts``: exposure by grade, by class, industry shares against the concentration limit,
grade × industry) and the Excel download are drawn and written from the very same rows. The watch list and warning items can be
worked on here: put a client on the list or take it off (a reason is required), acknowledge
or resolve a warning item with the action taken. Every change runs as the signed-in user.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from decimal import Decimal
from pathlib import Path

import gradio as gr
import pandas as pd

from assistant import watchlist, workitems
from assistant.access import User, require_client
from assistant.dashboard_data import Dashboard, Table, dashboard, to_xlsx
from assistant.store.db import Store
from ui import charts

#: table key → (element id, caption)
TABLES = {
    "by_grade": ("lw-dash-grade", "按评级 / by grade"),
    "by_class": ("lw-dash-class", "按五级分类（建议）/ by class (suggested)"),
    "by_industry": ("lw-dash-industry", "按行业（集中度）/ by industry (concentration)"),
    "heat_map": ("lw-dash-heat", "评级 × 行业 / grade × industry"),
    "watch_list": ("lw-dash-watch", "重点关注名单 / watch list"),
    "due": ("lw-dash-due", "逾期及本周到期 / overdue and due this week"),
    "warnings": ("lw-dash-warnings", "最新预警 / newest warnings"),
    "facilities": ("lw-dash-facilities", "授信明细 / facilities"),
}
_exports: tempfile.TemporaryDirectory | None = None


def _export_dir() -> Path:
    """A fresh folder for one workbook, inside this process's export folder (removed when the process exits)."""
    global _exports
    if _exports is None:
        _exports = tempfile.TemporaryDirectory(prefix="loanwatch-dashboard-")
    return Path(tempfile.mkdtemp(dir=_exports.name))


ACTION_CHOICES = [(f"{zh} / {en}", key) for key, (zh, en) in workitems.ACTIONS.items()]


def show(value) -> str:  # noqa: ANN001
    """A cell as the page prints it: amounts with thousands separators, shares as fractions, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, Decimal):
        return f"{value:,}" if value == value.to_integral_value() or abs(value) >= 1 else f"{value:.4f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def frame(table: Table) -> pd.DataFrame:
    return pd.DataFrame([[show(v) for v in row] for row in table.rows], columns=table.columns)


def _summary(d: Dashboard) -> str:
    others = f"；另有 {', '.join(d.other_currencies)} 授信未折算 / not converted" if d.other_currencies else ""
    over = ""
    if d.industry_limit is not None:
        named = "、".join(f"{k} {float(v):.1%}" for k, v in d.over_limit())
        over = (f" · 单一行业上限 / single-industry limit {float(d.industry_limit):.0%}"
                + (f"：超限 / over it **{named}**" if named else ""))
    pending = ""
    if any(d.awaiting.values()):  # every kind a checker must act on (assistant.awaiting), exposure edits not counted above
        from assistant.awaiting import sources

        parts = "、".join(f"{sources()[k].label_zh} / {sources()[k].label_en} {n}" for k, n in d.awaiting.items() if n)
        pending = f" · ⏳ 待复核（未计入）/ awaiting a checker (not counted): **{sum(d.awaiting.values())}** ({parts})"
    more = (f" · 授信明细列出最需关注的客户，另有 {d.facility_clients_more} 户未列出 / the facilities table lists the clients "
            f"needing attention most; {d.facility_clients_more} more not listed" if d.facility_clients_more else "")
    return (f"**{d.as_of.isoformat()}** · 敞口合计 / total exposure **{d.total:,} {d.currency}** · "
            f"客户 / clients **{d.clients}**{others}{over}{pending}{more}")


#: chart key → element id
CHARTS = {"by_grade": "lw-chart-grade", "by_class": "lw-chart-class", "by_industry": "lw-chart-industry",
          "heat_map": "lw-chart-heat"}


def figures(d: Dashboard, lang: str = "zh") -> dict:
    """The dashboard's charts (key → plotly figure), each drawn from its table's rows."""
    t = d.tables
    return {"by_grade": charts.exposure_bars(t["by_grade"], lang, currency=d.currency),
            "by_class": charts.exposure_bars(t["by_class"], lang, currency=d.currency),
            "by_industry": charts.industry_shares(t["by_industry"], lang, limit=d.industry_limit),
            "heat_map": charts.heat_map(t["heat_map"], lang, currency=d.currency)}


def dashboard_tab(store: Store, safe, lang: gr.State | None = None) -> None:  # noqa: ANN001 - build_app's wrapper
    """Lay out the tab (call inside ``gr.Tabs``) and wire its events; ``lang`` (zh | en) labels the charts."""
    with gr.Tab("看板 Dashboard", id="dashboard", elem_id="tab-dashboard") as tab:
        lang = lang if lang is not None else gr.State("zh")
        with gr.Row():
            refresh = gr.Button("刷新 / Refresh", size="sm", scale=0, min_width=140, elem_id="lw-dash-refresh")
            export = gr.DownloadButton("导出 Excel / Export to Excel", scale=0, min_width=220, elem_id="lw-dash-export")
            summary = gr.Markdown("", elem_id="lw-dash-summary")
        plots: dict[str, gr.Plot] = {}
        with gr.Row():
            for key in ("by_grade", "by_class", "by_industry"):
                plots[key] = gr.Plot(show_label=False, elem_id=CHARTS[key])
        frames: dict[str, gr.Dataframe] = {}
        with gr.Row():
            for key in ("by_grade", "by_class", "by_industry"):
                elem, label = TABLES[key]
                frames[key] = gr.Dataframe(label=label, interactive=False, wrap=True, elem_id=elem)
        with gr.Row():
            elem, label = TABLES["heat_map"]
            frames["heat_map"] = gr.Dataframe(label=label, interactive=False, wrap=True, elem_id=elem, max_height=420)
            plots["heat_map"] = gr.Plot(show_label=False, elem_id=CHARTS["heat_map"])
        for key in ("watch_list", "due", "warnings", "facilities"):
            elem, label = TABLES[key]
            frames[key] = gr.Dataframe(label=label, interactive=False, wrap=True, elem_id=elem, max_height=420)
        with gr.Accordion("处理重点关注名单与预警 / work the watch list and warnings", open=True):
            with gr.Row():
                w_client = gr.Textbox(label="客户 / client", elem_id="lw-w-client", scale=2)
                w_reason = gr.Textbox(label="理由 / reason", elem_id="lw-w-reason", scale=4)
                w_add = gr.Button("列入名单 / add", elem_id="lw-w-add", scale=0, min_width=120)
                w_remove = gr.Button("移出名单 / remove", elem_id="lw-w-remove", scale=0, min_width=120)
            with gr.Row():
                i_ref = gr.Textbox(label="预警编号 / item (W…)", elem_id="lw-i-ref", scale=1)
                i_action = gr.Dropdown(ACTION_CHOICES, label="措施 / action taken", elem_id="lw-i-action", scale=2)
                i_note = gr.Textbox(label="说明 / note", elem_id="lw-i-note", scale=3)
                i_ack = gr.Button("确认 / acknowledge", elem_id="lw-i-ack", scale=0, min_width=120)
                i_resolve = gr.Button("处理完成 / resolve", elem_id="lw-i-resolve", scale=0, min_width=120)
            work_out = gr.Markdown("", elem_id="lw-work-out")

    outputs = [summary, export, *frames.values(), *plots.values()]

    def _load(user: User, lg: str = "zh"):
        d = dashboard(store, user=user, sync=True)
        path = to_xlsx(d.tables, _export_dir() / f"loanwatch-dashboard-{d.as_of.isoformat()}.xlsx")
        drawn = figures(d, lg)
        return [_summary(d), gr.update(value=str(path)), *[frame(d.tables[k]) for k in frames], *[drawn[k] for k in plots]]

    def _watch(user: User, client: str, reason: str, add: bool, lg: str):
        row = require_client(store, user, (client or "").strip())
        if add:
            e = watchlist.add(store, row.id, reason=reason or "", actor=user.name)
            line = f"{e.client}: 已列入重点关注名单 / on the watch list (review {e.next_review})"
        else:
            watchlist.remove(store, row.id, reason=reason or "", actor=user.name)
            line = f"{row.name}: 已移出重点关注名单 / left the watch list"
        return [line, *_load(user, lg)]

    def _item(user: User, ref: str, action: str | None, note: str, resolve: bool, lg: str):
        item = workitems.get(store, ref or "")
        require_client(store, user, item.client_id)
        if resolve:
            item = workitems.resolve(store, item.id, actor=user.name, action=action or "", note=note or "")
        else:
            item = workitems.acknowledge(store, item.id, actor=user.name, note=note or "")
        return [f"{item.ref}: {item.status}" + (f" — {item.action_label('zh')}" if item.action_taken else ""), *_load(user, lg)]

    tab.select(safe(_load), [lang], outputs)
    refresh.click(safe(_load), [lang], outputs)
    w_add.click(safe(lambda user, c, r, lg: _watch(user, c, r, True, lg)), [w_client, w_reason, lang], [work_out, *outputs])
    w_remove.click(safe(lambda user, c, r, lg: _watch(user, c, r, False, lg)), [w_client, w_reason, lang], [work_out, *outputs])
    i_ack.click(safe(lambda user, r, a, n, lg: _item(user, r, a, n, False, lg)), [i_ref, i_action, i_note, lang],
                [work_out, *outputs])
    i_resolve.click(safe(lambda user, r, a, n, lg: _item(user, r, a, n, True, lg)), [i_ref, i_action, i_note, lang],
                    [work_out, *outputs])
