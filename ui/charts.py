"""Plotly figures: the dashboard's book, each covenant ratio by quarter against its threshold, a chat answer's trend.

Every chart has a legend, titled axes and its labels in the page's language (``ui.i18n``).
The dashboard's charts are drawn from the very ``Table`` rows the page shows and the Excel
export writes (``assistant.dashboard_data``), so a bar cannot disagree with its table row.
Threshold lines are drawn where one applies: the single-industry concentration limit
(``LOANWATCH_INDUSTRY_LIMIT``) and covenant thresholds.
"""

from __future__ import annotations

from decimal import Decimal

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from assistant.chat.lexicon import display_name
from assistant.dashboard_data import Table
from ui.i18n import tr

NAVY = "#1f3a5f"
RED = "#c0392b"
AMBER = "#e08e0b"  # a bar over its limit
_FONT = {"family": "Noto Sans CJK SC, Microsoft YaHei, sans-serif", "size": 12}
_LEGEND = {"orientation": "h", "y": -0.25, "x": 0}


def _column(table: Table, name: str) -> list:
    i = table.columns.index(name)
    return [row[i] for row in table.rows]


def _float(value) -> float | None:  # noqa: ANN001
    return None if value is None else float(value)


def _layout(fig: go.Figure, title: str, x: str, y: str, height: int = 320) -> go.Figure:
    fig.update_layout(title=title, height=height, margin={"l": 60, "r": 20, "t": 40, "b": 40}, template="plotly_white",
                      showlegend=True, legend=_LEGEND, font=_FONT, xaxis_title=x, yaxis_title=y)
    return fig


def exposure_bars(table: Table, lang: str = "zh", *, currency: str = "CNY") -> go.Figure:
    """Exposure by grade (``by_grade``) or by suggested class (``by_class``): one bar per table row."""
    key = table.columns[0]
    labels, exposure, clients = _column(table, key), _column(table, "exposure"), _column(table, "clients")
    fig = go.Figure(go.Bar(x=labels, y=[float(v) for v in exposure], name=tr("legend_exposure", lang), marker_color=NAVY,
                           customdata=clients, hovertemplate="%{x}: %{y:,.0f} (%{customdata})<extra></extra>"))
    title, axis = ("chart_by_grade", "axis_grade") if key == "grade" else ("chart_by_class", "axis_class")
    if key == "class" and lang == "en":
        from assistant.analytics.classification import ENGLISH

        fig.update_xaxes(tickvals=labels, ticktext=[f"{c} {ENGLISH.get(c, '')}".strip() for c in labels])
    return _layout(fig, tr(title, lang), tr(axis, lang), tr("axis_exposure", lang).format(currency=currency))


def industry_shares(table: Table, lang: str = "zh", *, limit: Decimal | None = None) -> go.Figure:
    """Each industry's share of the total exposure (``by_industry``), with the single-industry limit as a dashed line."""
    industries, shares = _column(table, "industry"), _column(table, "share")
    colours = [AMBER if limit is not None and s is not None and s > limit else NAVY for s in shares]
    fig = go.Figure(go.Bar(x=industries, y=[_float(s) for s in shares], name=tr("legend_share", lang), marker_color=colours,
                           customdata=[float(v) for v in _column(table, "exposure")],
                           hovertemplate="%{x}: %{y:.1%} (%{customdata:,.0f})<extra></extra>"))
    if limit is not None and industries:
        label = tr("legend_limit", lang).format(limit=f"{float(limit):.0%}")
        fig.add_trace(go.Scatter(x=industries, y=[float(limit)] * len(industries), mode="lines", name=label,
                                 line={"color": RED, "dash": "dash", "width": 1.5}, hovertemplate=label + "<extra></extra>"))
        fig.add_hline(y=float(limit), line={"color": RED, "dash": "dash", "width": 1.5})  # across the whole plot
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return _layout(fig, tr("chart_by_industry", lang), tr("axis_industry", lang), tr("axis_share", lang))


def heat_map(table: Table, lang: str = "zh", *, currency: str = "CNY") -> go.Figure:
    """Exposure by grade × industry (``heat_map``): the colour bar is the legend."""
    industries = table.columns[1:]
    grades = [row[0] for row in table.rows]
    z = [[float(v) for v in row[1:]] for row in table.rows]
    fig = go.Figure(go.Heatmap(x=industries, y=grades, z=z, colorscale="Blues", name=tr("legend_exposure", lang),
                               colorbar={"title": {"text": tr("axis_exposure", lang).format(currency=currency)}},
                               hovertemplate="%{y} × %{x}: %{z:,.0f}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, tr("chart_heat", lang), tr("axis_industry", lang), tr("axis_grade", lang), height=360)


def ratio_trends(series: dict[str, dict], lang: str = "zh") -> go.Figure:
    """One panel per metric: the quarterly values (gaps where missing) and the covenant line, in one legend."""
    metrics = list(series)
    fig = make_subplots(rows=1, cols=max(1, len(metrics)),
                        subplot_titles=[display_name(m, lang) for m in metrics] or [""])
    for i, m in enumerate(metrics, 1):
        s = series[m]
        name = display_name(m, lang)
        values = [None if v is None else float(v) for v in s["values"]]
        fig.add_trace(go.Scatter(x=s["periods"], y=values, mode="lines+markers", name=name, legendgroup=m,
                                 line={"width": 2}, marker={"size": 7}, connectgaps=False), row=1, col=i)
        threshold: Decimal | None = s.get("threshold")
        if threshold is not None:
            label = f"{name} " + tr("legend_covenant", lang).format(rule=f"{s['operator']} {threshold}")
            fig.add_trace(go.Scatter(x=s["periods"], y=[float(threshold)] * len(s["periods"]), mode="lines",
                                     name=label, legendgroup=m, line={"color": RED, "dash": "dash", "width": 1.5},
                                     hovertemplate=label + "<extra></extra>"), row=1, col=i)
            breached = [v if v is not None and _breach(v, s["operator"], float(threshold)) else None for v in values]
            if any(b is not None for b in breached):
                fig.add_trace(go.Scatter(x=s["periods"], y=breached, mode="markers", name=tr("legend_breach", lang),
                                         legendgroup=m, marker={"color": RED, "size": 11, "symbol": "x"}), row=1, col=i)
        fig.update_xaxes(title_text=tr("axis_quarter", lang), row=1, col=i)
        fig.update_yaxes(title_text=name, row=1, col=i)
    fig.update_layout(height=340, margin={"l": 50, "r": 20, "t": 40, "b": 40}, template="plotly_white",
                      showlegend=True, legend=_LEGEND, font=_FONT)
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
        label = tr("legend_covenant", lang).format(rule=f"{chart.get('operator', '')} {float(threshold):g}{unit}")
        fig.add_trace(go.Scatter(x=periods, y=[float(threshold)] * len(periods), mode="lines", name=label,
                                 line={"color": RED, "dash": "dash", "width": 1.5}))
    label = chart.get("label", "")
    _layout(fig, label, tr("axis_quarter", lang), label + (f" ({unit})" if unit else ""), height=300)
    fig.update_layout(yaxis={"ticksuffix": unit})
    return fig
