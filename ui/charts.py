"""Plotly figures: each covenant ratio by quarter against its threshold."""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from assistant.chat.lexicon import display_name

NAVY = "#1f3a5f"
RED = "#c0392b"


def ratio_trends(series: dict[str, dict], lang: str = "zh") -> go.Figure:
    """One panel per metric: the quarterly values (gaps where missing) and the covenant line."""
    metrics = list(series)
    fig = make_subplots(rows=1, cols=max(1, len(metrics)),
                        subplot_titles=[display_name(m, lang) for m in metrics] or [""])
    for i, m in enumerate(metrics, 1):
        s = series[m]
        values = [None if v is None else float(v) for v in s["values"]]
        fig.add_trace(go.Scatter(x=s["periods"], y=values, mode="lines+markers", name=display_name(m, lang),
                                 line={"color": NAVY, "width": 2}, marker={"size": 7}, connectgaps=False,
                                 showlegend=False), row=1, col=i)
        threshold: Decimal | None = s.get("threshold")
        if threshold is not None:
            label = ("约束 " if lang == "zh" else "covenant ") + f"{s['operator']} {threshold}"
            fig.add_trace(go.Scatter(x=s["periods"], y=[float(threshold)] * len(s["periods"]), mode="lines",
                                     name=label, line={"color": RED, "dash": "dash", "width": 1.5},
                                     showlegend=False, hovertemplate=label + "<extra></extra>"), row=1, col=i)
            breached = [v if v is not None and _breach(v, s["operator"], float(threshold)) else None for v in values]
            if any(b is not None for b in breached):
                fig.add_trace(go.Scatter(x=s["periods"], y=breached, mode="markers", showlegend=False,
                                         marker={"color": RED, "size": 11, "symbol": "x"}), row=1, col=i)
    fig.update_layout(height=300, margin={"l": 40, "r": 20, "t": 40, "b": 40}, template="plotly_white",
                      font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif", "size": 12})
    return fig


def _breach(value: float, operator: str, threshold: float) -> bool:
    return {">=": value < threshold, ">": value <= threshold, "<=": value > threshold,
            "<": value >= threshold}.get(operator, False)


def answer_chart(chart: dict, lang: str = "zh") -> go.Figure:
    """A chat answer's trend: one line per client over the quarters, the covenant line dashed, with a legend."""
    fig = go.Figure()
    periods = chart.get("periods", [])
    unit = "%" if chart.get("unit") == "percent" else ""
    for s in chart.get("series", []):
        by_period = dict(zip(s["periods"], s["values"]))
        fig.add_trace(go.Scatter(x=periods, y=[None if by_period.get(p) is None else float(by_period[p]) for p in periods],
                                 mode="lines+markers", name=s["name"], connectgaps=False, marker={"size": 7}))
    threshold = chart.get("threshold")
    if threshold is not None:
        label = ("约束 " if lang == "zh" else "covenant ") + f"{chart.get('operator', '')} {float(threshold):g}{unit}"
        fig.add_trace(go.Scatter(x=periods, y=[float(threshold)] * len(periods), mode="lines", name=label,
                                 line={"color": RED, "dash": "dash", "width": 1.5}))
    fig.update_layout(title=chart.get("label", ""), height=300, margin={"l": 40, "r": 20, "t": 40, "b": 40},
                      template="plotly_white", showlegend=True, legend={"orientation": "h", "y": -0.2},
                      yaxis={"ticksuffix": unit}, font={"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif", "size": 12})
    return fig
