"""A status object (``status.client_status``) and alerts as rich tables for people.

Apart from ``assistant.status`` so that a status answered by ``loanwatch warm`` is printed
without loading the store (issue 14); ``assistant.status`` re-exports both functions.
"""

from __future__ import annotations

_STATUS_ZH = {"pass": "满足 pass", "breach": "违约 BREACH", "unknown": "无法检验 unknown", "not_tested": "本期不检验 not tested",
              "unconfirmed": "未确认 unconfirmed (待复核)"}
_SEVERITY_ZH = {"high": "高 high", "medium": "中 medium", "low": "低 low"}
_KEY_FIGURES = ("revenue", "net_profit", "net_cash_operating", "total_assets", "total_liabilities",
                "total_current_assets", "total_current_liabilities", "cash")
_KEY_RATIOS = ("current_ratio", "debt_to_assets", "dscr", "interest_coverage", "net_margin", "revenue_growth")


def _fmt(value: float | int | None, ratio: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:,.3f}" if ratio else f"{value:,.2f}"


def render_status(st: dict, console=None) -> None:  # noqa: ANN001 - a rich Console
    """Print a status object as rich tables with Chinese and English labels."""
    from rich.console import Console
    from rich.table import Table

    from assistant.analytics.ratios import RATIO_LABELS, english_label, figure_label

    console = console or Console()
    cls = st["classification_detail"]
    console.print(f"[bold]{st['client']}[/bold]  {st['industry']}  客户经理 officer: {st['officer'] or '-'}")
    console.print(f"期间 period: {st['period']} ({st['period_start'] or ''}…{st['period_end']})  as of {st['as_of']}")
    console.print(f"风险评级 grade: [bold]{st['grade']}[/bold] ({st['grade_detail']['points']}/{st['grade_detail']['max_points']})  "
                  f"{cls['label_zh']} / {cls['label_en']}: [bold]{cls['category']}[/bold] ({cls['english']})")
    for reason in cls["reasons"]:
        console.print(f"  · {reason}")
    for kind, d in st.get("decisions", {}).items():
        label = "五级分类 classification" if kind == "classification" else "评级 grade"
        if d["value"] is not None:
            console.print(f"{label} decided 人工认定: [bold]{d['value']}[/bold] (suggested {d['suggested'] or '-'}; "
                          f"by {d['by']}, confirmed by {d['confirmed_by']}: {d['justification']})", highlight=False)
        for p in d["pending"]:
            console.print(f"{label}: {p['note']} ({p['ref']}: {p['justification']})", markup=False, highlight=False)
    waiting = st.get("awaiting_checker")
    if waiting and waiting["total"]:
        labels = waiting.get("labels", {})
        parts = ", ".join(f"{labels.get(k, k)} {n}" for k, n in waiting["by_kind"].items() if n)
        console.print(f"[bold yellow]待复核 AWAITING A CHECKER[/bold yellow]: {waiting['total']} ({parts}); none counts until "
                      "a second person acts on it", highlight=False)
        for i in waiting["items"]:
            console.print(f"  · {i['ref']} {i['what']} (by {i['by'] or '-'})", markup=False, highlight=False)
    pending = st.get("review", {}).get("pending_corrections", [])
    if pending:
        console.print(f"[bold yellow]待复核更正 PENDING CORRECTIONS[/bold yellow]: {len(pending)}; not used until a reviewer "
                      "confirms them (`loanwatch figures confirm C<id> --as REVIEWER`)", highlight=False)
        for p in pending:
            console.print(f"  · C{p['correction']} {p['key']} {p['period']}: {p['note']} ({p['reason']})", markup=False,
                          highlight=False)
    flagged = st.get("review", {}).get("flagged", [])
    if flagged:
        console.print(f"[bold red]待复核 FLAGGED FOR REVIEW[/bold red]: {len(flagged)} statement(s); their figures are "
                      "unconfirmed and left out of covenant tests, warnings and the grade until confirmed "
                      "(`loanwatch review confirm S<id> --as USER --reason …`)", highlight=False)
        for f in flagged:
            console.print(f"  · {f['ref']} {f['document']} {f['kind']}: {'; '.join(f['warnings'])}", markup=False,
                          highlight=False)
    for d in st.get("review", {}).get("document_warnings", []):
        console.print(f"文件提示 document warnings: {d['document']}: {'; '.join(d['warnings'])}", markup=False,
                      highlight=False)
    cov = Table(title="贷款约定 Covenants", show_lines=False)
    for col in ("融资 Facility", "指标 Metric", "约定 Required", "实际 Value", "余量 Headroom", "结果 Status", "趋势 Trend"):
        cov.add_column(col)
    for c in st["covenants"]:
        label = RATIO_LABELS.get(c["metric"], (c["metric"], c["metric"]))
        head = "—" if c["headroom"] is None else f"{c['headroom']:.1%}" + (" thin" if c["thin"] else "")
        cov.add_row(c["facility"], f"{label[0]}\n{c['metric']}", f"{c['operator']} {c['threshold']}", _fmt(c["value"], True),
                    head, _STATUS_ZH.get(c["status"], c["status"]), c["trend"] or "")
    console.print(cov if st["covenants"] else "贷款约定 Covenants: none recorded")
    if st["alerts"]:
        al = Table(title="预警 Warnings")
        for col in ("级别 Severity", "规则 Rule", "说明 Message", "依据 Evidence"):
            al.add_column(col)
        for a in st["alerts"]:
            al.add_row(_SEVERITY_ZH.get(a["severity"], a["severity"]), f"{a['name']}\n{a['name_en']}", a["message"],
                       "\n".join(f"{e['document']} p.{e['page']}" if e["page"] else str(e["document"]) for e in a["evidence"][:3]))
        console.print(al)
    else:
        console.print("预警 Warnings: 无 none")
    fig = Table(title="最新财务数据 Latest figures")
    for col in ("项目 Item", "期间 Period", "金额 Value", "来源 Source"):
        fig.add_column(col)
    for key in _KEY_FIGURES:
        f = st["figures"].get(key)
        if f is None:
            fig.add_row(f"{figure_label(key)} {english_label(key)}", st["period"], "未存储 not stored", "")
            continue
        src = f"{f['document']} p.{f['page']}" if f["document"] else "= " + "; ".join(
            f"{i['period']} {i['document']} p.{i['page']}" for i in f.get("inputs", [])) + " (derived)"
        shown = _fmt(f["value"]) + ("\n未确认 unconfirmed" if f.get("unconfirmed") else "") + "".join(
            f"\n待复核更正 pending → {p['value'] or 'null'} ({p['by']})" for p in f.get("pending", []))
        fig.add_row(f"{figure_label(key)} {english_label(key)}", f["period"], shown, src)
    console.print(fig)
    rt = Table(title="主要比率 Key ratios")
    for col in ("比率 Ratio", "数值 Value", "公式 Formula / 缺失原因 why missing"):
        rt.add_column(col)
    for key in _KEY_RATIOS:
        r = st["ratios"].get(key)
        if r is not None:
            label = RATIO_LABELS.get(key, (key, key))
            shown = _fmt(r["value"], True) + ("\n未确认 unconfirmed" if r.get("unconfirmed") else "")
            rt.add_row(f"{label[0]} {label[1]}", shown, r["formula"] if r["value"] is not None else (r["reason"] or ""))
    console.print(rt)


def render_alerts(alerts: list[dict], console=None) -> None:  # noqa: ANN001
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    if not alerts:
        console.print("预警 Warnings: 无 none")
        return
    t = Table(title=f"预警 Warnings ({len(alerts)})")
    for col in ("级别 Severity", "客户 Client", "期间 Period", "说明 Message", "依据 Evidence"):
        t.add_column(col)
    for a in alerts:
        t.add_row(_SEVERITY_ZH.get(a["severity"], a["severity"]), a["client"], a["period"], a["message"],
                  "\n".join(f"{e['document']} p.{e['page']}" if e["page"] else str(e["document"]) for e in a["evidence"][:2]))
    console.print(t)
