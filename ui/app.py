"""The Gradio app: ``build_app(home)`` lays out the pages; ``launch(app, store)`` serves it behind login.

Layout only: every event calls a function of ``ui.handlers`` / ``ui.work`` with the store and
the logged-in ``User`` (from ``gr.Request.username``), and turns a ``LoanwatchError`` into a
one-line message. The language switch re-labels every registered component and redraws the
data in the chosen language.
"""

from __future__ import annotations

import inspect
import os
import typing
from collections.abc import Callable
from pathlib import Path

# Offline by default: no usage analytics or version pings from Gradio (set before importing it).
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

import gradio as gr  # noqa: E402
import pandas as pd

from assistant.access import User, get_user, record_denial
from assistant.errors import LoanwatchError
from assistant.store import Store
from ui import handlers as H
from ui import review_cells as RC
from ui import work as W
from ui.charts import answer_chart, ratio_trends
from ui.dashboard import dashboard_tab
from ui.exposure import exposure_panel
from ui.i18n import tr
from ui.session_memory import SESSION_CAPACITY, forget_closed_sessions

CSS = """
.gradio-container {width: 100% !important; max-width: 1440px !important; margin: auto;}
#lw-header {background: #1f3a5f; color: #fff; padding: 10px 18px; border-radius: 6px;}
#lw-title *, #lw-user * {color: #fff !important;}
#lw-header .form, #lw-header fieldset {background: transparent !important; border: none !important;}
#lw-lang label {background: #fff; color: #1f3a5f !important; font-size: 12px; padding: 2px 8px; min-width: 0;}
#lw-logout {max-width: 120px; margin-left: auto;}
#lw-header h2 {margin: 0; font-size: 20px; letter-spacing: 0.5px;}
#lw-header p {margin: 2px 0 0; opacity: 0.85; font-size: 12px;}
#lw-user {text-align: right; font-size: 13px;}
.lw-summary {font-size: 14px; padding: 4px 0;}
.lw-note {font-size: 12px; color: #5b6675;}
footer {display: none !important;}
"""

_HEAD = '<meta name="robots" content="noindex">'


def _theme() -> gr.themes.Base:
    fonts = ["Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "system-ui", "sans-serif"]
    return gr.themes.Default(primary_hue=gr.themes.colors.blue, neutral_hue=gr.themes.colors.slate,
                             radius_size=gr.themes.sizes.radius_sm, font=fonts,
                             font_mono=["ui-monospace", "Consolas", "monospace"]).set(
        button_primary_background_fill="#1f3a5f", button_primary_background_fill_hover="#2c5282")


def _open_store(home: Path | str | None) -> Store:
    from assistant.config import reset_settings
    from assistant.store import open_store

    if home is not None:
        os.environ["LOANWATCH_HOME"] = str(home)
        reset_settings()
    return open_store()


def _message(text: str) -> gr.Error:
    """A one-line message for the person (a refusal, a missing input): shown on the page, no traceback in the log."""
    return gr.Error(text, print_exception=False)


def _df(rows: list[list], headers: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=headers)


class _Labels:
    """Components whose text follows the language switch: (component, key, attribute)."""

    def __init__(self) -> None:
        self.items: list[tuple[gr.components.Component | gr.Tab, str, str]] = []

    def __call__(self, component, key: str, attr: str = "label"):  # noqa: ANN001, ANN204
        self.items.append((component, key, attr))
        return component

    def updates(self, lang: str) -> list:
        return [gr.update(**{attr: tr(key, lang)}) for _, key, attr in self.items]


def build_app(home: Path | str | None = None, *, store: Store | None = None) -> gr.Blocks:
    """The app over the store of ``home`` (default: the configured LOANWATCH_HOME)."""
    store = store or _open_store(home)
    L = _Labels()

    def user_of(request: gr.Request) -> User:
        name = getattr(request, "username", None) if request is not None else None
        if not name:
            raise _message("Not logged in: open the app's login page")
        return get_user(store, name)

    def safe(fn: Callable) -> Callable:
        """Run ``fn(user, ...)``; a LoanwatchError becomes a message on the page, not a traceback.

        The wrapper shows Gradio ``fn``'s parameters after ``user`` plus ``request: gr.Request``,
        so Gradio counts the inputs right and injects event data (``gr.SelectData``) as usual.
        """
        if inspect.isgeneratorfunction(fn):
            def run(*args):  # noqa: ANN002, ANN202 - Gradio passes the request last
                *values, request = args
                try:
                    yield from fn(user_of(request), *values)
                except LoanwatchError as exc:
                    record_denial(store, exc)
                    raise _message(str(exc)) from exc
        else:
            def run(*args):  # noqa: ANN002, ANN202
                *values, request = args
                try:
                    return fn(user_of(request), *values)
                except LoanwatchError as exc:
                    record_denial(store, exc)
                    raise _message(str(exc)) from exc
        hints = typing.get_type_hints(fn)
        params = [p.replace(annotation=hints.get(p.name, inspect.Parameter.empty), default=inspect.Parameter.empty)
                  for p in list(inspect.signature(fn).parameters.values())[1:]]
        request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=gr.Request)
        run.__signature__ = inspect.Signature(params + [request])
        run.__annotations__ = {p.name: p.annotation for p in params + [request]
                               if p.annotation is not inspect.Parameter.empty}
        run.__name__ = fn.__name__
        return run

    with gr.Blocks(title="loanwatch · 贷后管理助手", fill_width=True) as app:
        lang = gr.State("zh")
        fig_refs = gr.State([])
        uploaded = gr.State([])
        cite_list = gr.State([])

        # ---------------------------------------------------------------- header
        with gr.Row(elem_id="lw-header", equal_height=True):
            with gr.Column(scale=4):
                header = gr.Markdown(f"## {tr('title')}\n{tr('subtitle')}", elem_id="lw-title")
            with gr.Column(scale=2, min_width=260):
                user_md = gr.Markdown("", elem_id="lw-user")
            with gr.Column(scale=1, min_width=170):
                lang_radio = gr.Radio(["中文", "English"], value="中文", show_label=False, container=False,
                                      elem_id="lw-lang")
                L(gr.Button(tr("logout"), link="/logout", size="sm", variant="secondary", elem_id="lw-logout"), "logout",
                  "value")
        with gr.Row():
            client_dd = L(gr.Dropdown(choices=[], label=tr("client"), scale=3, elem_id="lw-client", allow_custom_value=True),
                         "client")
            gr.Column(scale=5)

        with gr.Tabs() as tabs:
            # ---------------------------------------------------------------- portfolio
            with L(gr.Tab(tr("tab_portfolio"), id="portfolio", elem_id="tab-portfolio"), "tab_portfolio"):
                with gr.Row(equal_height=False):
                    search = L(gr.Textbox(label=tr("search"), scale=3), "search")
                    only_problems = L(gr.Checkbox(label=tr("only_problems"), scale=1), "only_problems")
                    refresh = L(gr.Button(tr("refresh"), scale=0, min_width=120, size="sm"), "refresh", "value")
                summary = gr.Markdown("", elem_classes="lw-summary")
                table = L(gr.Dataframe(label=tr("portfolio_table"), interactive=False, wrap=True,
                                       show_search="filter", elem_id="lw-portfolio", max_height=600),
                          "portfolio_table")
                L(gr.Markdown(tr("open_client_hint"), elem_classes="lw-note"), "open_client_hint", "value")

            # ---------------------------------------------------------------- client
            dashboard_tab(store, safe, lang)  # ui/dashboard.py: the book, watch list, what is due, warnings as work

            with L(gr.Tab(tr("tab_client"), id="client", elem_id="tab-client"), "tab_client"):
                with gr.Row():
                    with gr.Column(scale=3):
                        profile = gr.Markdown("", elem_id="lw-profile")
                    with gr.Column(scale=4):
                        trend_plot = L(gr.Plot(label=tr("trends")), "trends")
                with gr.Row():
                    with gr.Column(scale=3):
                        figures = L(gr.Dataframe(label=tr("figures"), interactive=False, elem_id="lw-figures",
                                                 max_height=520), "figures")
                        L(gr.Markdown(tr("figures_legend"), elem_classes="lw-note"), "figures_legend", "value")
                    with gr.Column(scale=2):
                        source_caption = gr.Markdown("", elem_id="lw-source-caption")
                        source_img = L(gr.Image(label=tr("source"), type="pil", interactive=False, height=520,
                                                elem_id="lw-source"), "source")
                with gr.Row():
                    docs_df = L(gr.Dataframe(label=tr("documents"), interactive=False, max_height=300), "documents")
                    notes_df = L(gr.Dataframe(label=tr("notes"), interactive=False, wrap=True, max_height=300),
                                 "notes")
                with L(gr.Accordion(tr("flagged_title"), open=True, elem_id="lw-flagged-box"), "flagged_title"):
                    flagged_df = L(gr.Dataframe(label=tr("flagged"), interactive=False, wrap=True, max_height=260,
                                                elem_id="lw-flagged"), "flagged")
                    with gr.Row():
                        flagged_ref = L(gr.Textbox(label=tr("flagged_ref"), elem_id="lw-flagged-ref"), "flagged_ref")
                        flagged_reason = L(gr.Textbox(label=tr("flagged_reason"), elem_id="lw-flagged-reason"),
                                           "flagged_reason")
                        flagged_btn = L(gr.Button(tr("flagged_confirm_btn"), elem_id="lw-flagged-btn"),
                                        "flagged_confirm_btn", "value")
                    flagged_out = gr.Markdown("", elem_id="lw-flagged-out")
                    flagged_cells = L(gr.Gallery(label=tr("flagged_cells"), columns=3, height=320, object_fit="contain",
                                                 elem_id="lw-flagged-cells"), "flagged_cells")
                with L(gr.Accordion(tr("new_visit"), open=False), "new_visit"):
                    with gr.Row():
                        visit_date = L(gr.Textbox(label=tr("visit_date")), "visit_date")
                        visit_site = L(gr.Textbox(label=tr("visit_site")), "visit_site")
                        visit_status = L(gr.Dropdown(["normal", "reduced", "stopped"], value="normal",
                                                     label=tr("visit_status")), "visit_status")
                        visit_progress = L(gr.Textbox(label=tr("visit_progress"), placeholder="72 / 75"),
                                           "visit_progress")
                    visit_findings = L(gr.Textbox(label=tr("visit_findings"), lines=3), "visit_findings")
                    visit_btn = L(gr.Button(tr("save_visit"), variant="primary"), "save_visit", "value")
                    visit_out = gr.Markdown("")
                exposure_panel(store, safe, client_dd)  # ui/exposure.py: balances, instalments, securities; four eyes

            # ---------------------------------------------------------------- upload and review
            with L(gr.Tab(tr("tab_upload"), id="upload", elem_id="tab-upload"), "tab_upload"):
                with gr.Row():
                    with gr.Column(scale=2):
                        files = L(gr.File(label=tr("upload_files"), file_count="multiple", elem_id="lw-files",
                                          file_types=[".pdf", ".xlsx", ".xls", ".docx", ".txt", ".md", ".csv"]),
                                  "upload_files")
                        upload_btn = L(gr.Button(tr("upload_btn"), variant="primary", elem_id="lw-upload-btn"),
                                       "upload_btn", "value")
                    with gr.Column(scale=3):
                        progress = L(gr.Textbox(label=tr("progress"), lines=6, interactive=False,
                                                elem_id="lw-progress"), "progress")
                review = L(gr.Dataframe(label=tr("review"), interactive=False, max_height=420, show_search="filter",
                                        elem_id="lw-review"), "review")
                confirm_doc_btn = L(gr.Button(tr("confirm_doc_btn"), size="sm"), "confirm_doc_btn", "value")
                with L(gr.Accordion(tr("correct_title"), open=True), "correct_title"):
                    with gr.Row():
                        c_period = L(gr.Textbox(label=tr("period"), elem_id="lw-c-period"), "period")
                        c_key = L(gr.Textbox(label=tr("key"), elem_id="lw-c-key"), "key")
                        c_value = L(gr.Textbox(label=tr("value"), elem_id="lw-c-value"), "value")
                    c_reason = L(gr.Textbox(label=tr("reason"), elem_id="lw-c-reason"), "reason")
                    correct_btn = L(gr.Button(tr("correct_btn"), variant="primary", elem_id="lw-correct-btn"),
                                    "correct_btn", "value")
                    correct_out = gr.Markdown("", elem_id="lw-correct-out")
                pending_df = L(gr.Dataframe(label=tr("pending"), interactive=False, max_height=260, elem_id="lw-pending"),
                               "pending")
                with gr.Row():
                    pending_id = L(gr.Number(label=tr("correction_id"), precision=0, elem_id="lw-correction-id"),
                                   "correction_id")
                    confirm_btn = L(gr.Button(tr("confirm_btn"), elem_id="lw-confirm-correction"), "confirm_btn", "value")
                    reject_btn = L(gr.Button(tr("reject_btn"), elem_id="lw-reject-correction"), "reject_btn", "value")

            # ---------------------------------------------------------------- chat
            with L(gr.Tab(tr("tab_chat"), id="chat", elem_id="tab-chat"), "tab_chat"):
                with gr.Row():
                    with gr.Column(scale=3):
                        scope = L(gr.Dropdown(choices=[], label=tr("chat_scope"), elem_id="lw-scope", allow_custom_value=True),
                                  "chat_scope")
                        chatbot = L(gr.Chatbot(label=tr("chat"), height=420, elem_id="lw-chatbot"), "chat")
                        chat_chart = gr.Plot(visible=False, elem_id="lw-chat-chart")
                        with gr.Row(equal_height=True):
                            question = L(gr.Textbox(label=tr("question"), placeholder=tr("question_ph"), scale=5,
                                                    elem_id="lw-question"), "question")
                            ask_btn = L(gr.Button(tr("ask"), variant="primary", scale=1, elem_id="lw-ask"),
                                        "ask", "value")
                        engine_md = gr.Markdown("", elem_classes="lw-note", elem_id="lw-engine")
                    with gr.Column(scale=2):
                        cites = L(gr.Radio(choices=[], label=tr("citations"), elem_id="lw-cites"), "citations")
                        cite_caption = gr.Markdown("")
                        cite_img = L(gr.Image(label=tr("cited_page"), type="pil", interactive=False, height=480,
                                              elem_id="lw-cite-img"), "cited_page")

            # ---------------------------------------------------------------- memo
            with L(gr.Tab(tr("tab_memo"), id="memo", elem_id="tab-memo"), "tab_memo"):
                with gr.Row(equal_height=True):
                    memo_period = L(gr.Dropdown(choices=[], label=tr("memo_period"), allow_custom_value=True,
                                                elem_id="lw-memo-period"), "memo_period")
                    memo_lang = L(gr.Radio(["zh", "en"], value="zh", label=tr("memo_lang")), "memo_lang")
                    draft_btn = L(gr.Button(tr("draft_btn"), variant="primary", elem_id="lw-draft"), "draft_btn",
                                  "value")
                memo_note = gr.Markdown("", elem_classes="lw-note", elem_id="lw-memo-note")
                with gr.Row():
                    with gr.Column(scale=3):
                        with gr.Tabs():
                            with L(gr.Tab(tr("memo_edit")), "memo_edit"):
                                memo_text = L(gr.Textbox(label=tr("memo_text"), lines=24, max_lines=40,
                                                         elem_id="lw-memo-text"), "memo_text")
                            with L(gr.Tab(tr("memo_preview")), "memo_preview"):
                                memo_preview = gr.Markdown("", elem_id="lw-memo-preview", height=640)
                        with gr.Row():
                            save_btn = L(gr.Button(tr("save_edit")), "save_edit", "value")
                            submit_btn = L(gr.Button(tr("memo_submit"), elem_id="lw-memo-submit"), "memo_submit", "value")
                            compare_btn = L(gr.Button(tr("compare")), "compare", "value")
                        with gr.Row():  # the reviewer: approve or return exactly the version shown
                            memo_shown = gr.Number(value=None, visible=False, precision=0)
                            memo_comment = L(gr.Textbox(label=tr("memo_comment"), lines=1, elem_id="lw-memo-comment",
                                                        scale=3), "memo_comment")
                            return_btn = L(gr.Button(tr("memo_return"), elem_id="lw-memo-return"), "memo_return", "value")
                            approve_btn = L(gr.Button(tr("approve"), variant="primary", elem_id="lw-memo-approve"),
                                            "approve", "value")
                        with gr.Row():
                            dl_docx = L(gr.DownloadButton(tr("download_docx"), elem_id="lw-dl-docx"),
                                        "download_docx", "label")
                            dl_pdf = L(gr.DownloadButton(tr("download_pdf"), elem_id="lw-dl-pdf"),
                                       "download_pdf", "label")
                    with gr.Column(scale=2):
                        versions_df = L(gr.Dataframe(label=tr("versions"), interactive=False, max_height=240),
                                        "versions")
                        diff_box = L(gr.Code(label=tr("diff"), language="markdown", lines=18,
                                             elem_id="lw-diff"), "diff")

            # ---------------------------------------------------------------- audit
            with L(gr.Tab(tr("tab_audit"), id="audit", elem_id="tab-audit"), "tab_audit"):
                with gr.Row():
                    verify_btn = L(gr.Button(tr("verify"), variant="primary", elem_id="lw-verify", scale=0, min_width=200),
                                   "verify", "value")
                    verify_out = gr.Markdown("", elem_id="lw-verify-out")
                audit_df = L(gr.Dataframe(label=tr("audit_entries"), interactive=False, max_height=560),
                             "audit_entries")
                with L(gr.Accordion(tr("audit_search"), open=True, elem_id="lw-audit-search"), "audit_search"):
                    with gr.Row():
                        a_user = L(gr.Textbox(label=tr("audit_user"), elem_id="lw-a-user"), "audit_user")
                        a_client = L(gr.Dropdown(choices=[], label=tr("audit_client"), allow_custom_value=True,
                                                 elem_id="lw-a-client"), "audit_client")
                        a_action = L(gr.Textbox(label=tr("audit_action"), elem_id="lw-a-action"), "audit_action")
                        a_since = L(gr.Textbox(label=tr("audit_since"), elem_id="lw-a-since"), "audit_since")
                        a_until = L(gr.Textbox(label=tr("audit_until"), elem_id="lw-a-until"), "audit_until")
                    with gr.Row():
                        a_show = L(gr.Button(tr("audit_show"), variant="primary", elem_id="lw-a-show"), "audit_show",
                                   "value")
                        a_csv = L(gr.Button(tr("audit_csv"), elem_id="lw-a-csv"), "audit_csv", "value")
                        a_xlsx = L(gr.Button(tr("audit_xlsx"), elem_id="lw-a-xlsx"), "audit_xlsx", "value")
                    a_file = L(gr.File(label=tr("audit_file"), interactive=False, elem_id="lw-a-file"), "audit_file")
                    a_table = L(gr.Dataframe(label=tr("audit_entries"), interactive=False, max_height=560, wrap=True,
                                             elem_id="lw-a-table"), "audit_entries")

        # ================================================================ events

        def _portfolio(user: User, q: str, problems: bool, lg: str):
            rows = H.portfolio(store, user, query=q or "", only_problems=bool(problems))
            headers = [tr(k, lg) for k in ("col_flag", "col_client", "col_industry", "col_officer", "col_grade",
                                           "col_class", "col_cov", "col_breach", "col_warn", "col_last")]
            data = [[tr("flag_problem" if r.problem else "flag_ok", lg) + (f" ⚠{r.flagged}" if r.flagged else ""), r.name, r.industry, r.officer, r.grade,
                     r.classification if lg == "zh" else r.classification_en, r.covenants, r.breaches, r.warnings, r.last_statement] for r in rows]
            frame = _df(data, headers)
            styled = frame.style.apply(
                lambda row: ["background-color: #fdecea; color: #8a1c1c; font-weight: 600"
                             if rows[row.name].problem else "" for _ in row], axis=1)
            n_prob = sum(r.problem for r in rows)
            text = "**" + tr("summary", lg).format(n=len(rows), p=n_prob, b=sum(r.breaches for r in rows)) + "**"
            return styled, text

        def _on_load(user: User, lg: str):
            choices = H.client_choices(store, user)
            styled, text = _portfolio(user, "", False, lg)
            who = f"{tr('signed_in', lg)}: **{user.display_name or user.name}** ({user.role})"
            first = choices[0][1] if choices else None
            scope_choices = [(tr("whole_portfolio", lg), "")] + choices
            return (who, gr.update(choices=choices, value=first), gr.update(choices=scope_choices, value=""),
                    styled, text)

        app.load(safe(_on_load), [lang], [user_md, client_dd, scope, table, summary])
        for trigger in (search.submit, only_problems.change, refresh.click):
            trigger(safe(_portfolio), [search, only_problems, lang], [table, summary])

        def _open_from_table(user: User, evt: gr.SelectData):
            name = evt.row_value[1] if evt.row_value else None
            row = H.require_client(store, user, name)
            return gr.update(value=row.id), gr.Tabs(selected="client")

        table.select(safe(_open_from_table), None, [client_dd, tabs])

        def _client(user: User, client, lg: str):
            if client in (None, ""):
                return ("", None, pd.DataFrame(), [], pd.DataFrame(), pd.DataFrame(), gr.update(choices=[]),
                        "", None, pd.DataFrame(), pd.DataFrame())
            headers, rows, refs = H.figures_table(store, user, client, lg)
            periods = W.memo_periods(store, user, client)
            doc_headers = [tr(k, lg) for k in ("col_id", "col_name", "col_kind", "col_pages", "col_received",
                                               "col_period_end")]
            note_headers = [tr(k, lg) for k in ("col_date", "col_inspector", "col_status", "col_progress",
                                                "col_problems", "col_text")]
            return (H.client_profile(store, user, client, lg), ratio_trends(H.ratio_series(store, user, client), lg),
                    _df(rows, headers), refs, _df(H.documents(store, user, client), doc_headers),
                    _df(H.inspection_notes(store, user, client), note_headers),
                    gr.update(choices=periods, value=periods[0] if periods else None), "", None,
                    _audit(user, client, lg), _versions(user, client, periods[0] if periods else "", lg))

        def _audit(user: User, client, lg: str):
            headers = [tr(k, lg) for k in ("col_seq", "col_ts", "col_actor", "col_action", "col_entity",
                                           "col_entity_id", "col_hash")]
            return _df(W.audit_entries(store, user, client) if client not in (None, "") else [], headers)

        def _versions(user: User, client, period, lg: str):
            headers = [tr(k, lg) for k in ("col_version", "col_stage", "col_by", "col_note")]
            rows = W.memo_versions(store, user, client, period) if client not in (None, "") and period else []
            return _df(rows, headers)

        client_outputs = [profile, trend_plot, figures, fig_refs, docs_df, notes_df, memo_period, source_caption,
                          source_img, audit_df, versions_df]
        client_dd.change(safe(_client), [client_dd, lang], client_outputs)

        def _flagged(user: User, client, lg: str):
            headers = [tr(k, lg) for k in ("col_ref", "col_client", "col_doc", "col_statement", "col_scope",
                                           "col_pages", "col_warnings", "col_uploader")]
            return _df(H.flagged_rows(store, user, client) if client not in (None, "") else [], headers)

        client_dd.change(safe(_flagged), [client_dd, lang], [flagged_df])

        flagged_ref.submit(safe(lambda user, ref, lg: RC.flagged_cells(store, user, ref, lg)), [flagged_ref, lang], [flagged_cells])

        def _confirm_flagged(user: User, client, ref, reason, lg: str):
            return H.confirm_flagged(store, user, ref or "", reason or ""), _flagged(user, client, lg)

        flagged_btn.click(safe(_confirm_flagged), [client_dd, flagged_ref, flagged_reason, lang],
                          [flagged_out, flagged_df]).then(safe(_client), [client_dd, lang], client_outputs)

        def _source(user: User, client, refs, lg: str, evt: gr.SelectData):
            r, c = evt.index
            ref = refs[r][c] if r < len(refs) and c < len(refs[r]) else None
            if ref is None:
                return "", None
            image, caption = H.source_page(store, user, client, ref, lg)
            return f"**{caption}**", image

        figures.select(safe(_source), [client_dd, fig_refs, lang], [source_caption, source_img])

        def _visit(user: User, client, day, site, status, prog, findings, lg):
            actual, _, planned = (prog or "").partition("/")
            line = H.record_visit(store, user, client, visit_date=day or "", site=site or "", status=status,
                                  findings=findings or "", progress_actual=actual.strip(),
                                  progress_planned=planned.strip())
            note_headers = [tr(k, lg) for k in ("col_date", "col_inspector", "col_status", "col_progress",
                                                "col_problems", "col_text")]
            return line, _df(H.inspection_notes(store, user, client), note_headers)

        visit_btn.click(safe(_visit), [client_dd, visit_date, visit_site, visit_status, visit_progress,
                                       visit_findings, lang], [visit_out, notes_df])

        review_headers = ("col_client", "col_doc", "col_statement", "col_period", "col_key", "col_label",
                          "col_value", "col_page")

        def _upload(user: User, paths, client, lg: str):
            if not paths:
                raise _message(tr("upload_files", lg))
            paths = [p if isinstance(p, str) else p.name for p in paths]
            headers = [tr(k, lg) for k in review_headers]
            yield tr("working", lg), _df([], headers), []
            for text, ids in H.upload(store, user, paths, client):
                yield text, _df(H.review_rows(store, user, ids, lg), headers), ids

        uploaded_event = upload_btn.click(safe(_upload), [files, client_dd, lang], [progress, review, uploaded])
        # a new upload may be flagged for review: the client page shows it at once
        uploaded_event.then(safe(_client), [client_dd, lang], client_outputs).then(
            safe(_flagged), [client_dd, lang], [flagged_df])

        def _pending(user: User, lg: str):
            headers = [tr(k, lg) for k in ("col_id", "col_client", "col_key", "col_period", "col_old", "col_new",
                                           "col_by", "col_reason")]
            return _df(H.pending_corrections(store, user), headers)

        def _correct(user: User, client, period, key, value, reason, lg: str):
            line = H.correct_figure(store, user, client, period or "", key or "", value or "", reason or "")
            return line, _pending(user, lg)

        correct_btn.click(safe(_correct), [client_dd, c_period, c_key, c_value, c_reason, lang],
                          [correct_out, pending_df]).then(safe(_client), [client_dd, lang], client_outputs)

        def _confirm_docs(user: User, ids):
            if not ids:
                raise _message("upload a file first")
            return "\n".join(H.confirm(store, user, document_id=i) for i in ids)

        confirm_doc_btn.click(safe(_confirm_docs), [uploaded], [correct_out])

        def _confirm_correction(user: User, cid, lg: str):
            if cid is None:
                raise _message(tr("correction_id", lg))
            return H.confirm(store, user, correction_id=int(cid)), _pending(user, lg)

        confirm_btn.click(safe(_confirm_correction), [pending_id, lang], [correct_out, pending_df]).then(
            safe(_client), [client_dd, lang], client_outputs)

        def _reject_correction(user: User, cid, reason, lg: str):
            if cid is None:
                raise _message(tr("correction_id", lg))
            return H.reject_correction(store, user, int(cid), reason or ""), _pending(user, lg)

        reject_btn.click(safe(_reject_correction), [pending_id, c_reason, lang], [correct_out, pending_df]).then(
            safe(_client), [client_dd, lang], client_outputs)

        def _ask(user: User, q: str, history, client, lg: str):
            q = (q or "").strip()
            if not q:
                raise _message(tr("question_ph", lg))
            history = list(history or []) + [{"role": "user", "content": q}, {"role": "assistant", "content": ""}]
            yield history, "", gr.update(choices=[], value=None), "", [], gr.update(visible=False)
            for turn in W.ask_stream(store, user, q, client or None):
                history[-1] = {"role": "assistant", "content": turn.text or "…"}
                engine = f"{tr('engine', lg)}: `{turn.engine}`"
                if turn.done:
                    choices = [(f"{c['document']} p.{c['page']}" + (f" — {c['quote'][:60]}" if c["quote"] else ""),
                                str(i)) for i, c in enumerate(turn.citations)]
                    chart = gr.update(value=answer_chart(turn.chart, lg), visible=True) if turn.chart else gr.update(visible=False)
                    yield history, "", gr.update(choices=choices, value=None), engine, turn.citations, chart
                else:
                    yield history, "", gr.update(), engine, gr.update(), gr.update()

        ask_event = dict(fn=safe(_ask), inputs=[question, chatbot, scope, lang],
                         outputs=[chatbot, question, cites, engine_md, cite_list, chat_chart])
        ask_btn.click(**ask_event)
        question.submit(**ask_event)

        def _cite(user: User, choice, cited):
            if choice in (None, "") or not cited or int(choice) >= len(cited):
                return "", None
            c = cited[int(choice)]
            image, caption = W.citation_page(store, user, c["document"], c["page"], c.get("quote", ""))
            return f"**{caption}**", image

        cites.change(safe(_cite), [cites, cite_list], [cite_caption, cite_img])

        def _draft(user: User, client, period, mlang, lg):
            if client in (None, ""):
                raise _message(tr("pick_client", lg))
            yield gr.update(), tr("working", lg), gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
            text, note = W.memo_draft(store, user, client, period, mlang)
            docx = W.memo_file(store, user, client, period, "docx")
            pdf = W.memo_file(store, user, client, period, "pdf")
            _, version, _, diff = W.memo_load(store, user, client, period)
            yield text, note, _versions(user, client, period, lg), diff, docx, pdf, version

        draft_btn.click(safe(_draft), [client_dd, memo_period, memo_lang, lang],
                        [memo_text, memo_note, versions_df, diff_box, dl_docx, dl_pdf, memo_shown])
        memo_text.change(lambda text: text, [memo_text], [memo_preview], api_visibility="private")

        def _load(user: User, client, period, lg):
            if client in (None, "") or not period:
                return "", None, "", _versions(user, client, period, lg), "", None, None
            text, version, note, diff = W.memo_load(store, user, client, period)
            files = [W.memo_file(store, user, client, period, f) if version else None for f in ("docx", "pdf")]
            return text, version, note, _versions(user, client, period, lg), diff, *files

        memo_outputs = [memo_text, memo_shown, memo_note, versions_df, diff_box, dl_docx, dl_pdf]

        def _act(stage: str):
            def act(user: User, client, period, text, shown, comment, lg):
                version = int(shown) if shown not in (None, "") else None
                done = W.memo_save(store, user, client, period, text or "", stage=stage, version=version,
                                   comment=comment or "")
                loaded = _load(user, client, period, lg)  # the files now carry what was just stored
                return (loaded[0], loaded[1], f"{done}\n\n{loaded[2]}", *loaded[3:])
            return act

        memo_inputs = [client_dd, memo_period, memo_text, memo_shown, memo_comment, lang]
        save_btn.click(safe(_act("edited")), memo_inputs, memo_outputs)
        submit_btn.click(safe(_act("submitted")), memo_inputs, memo_outputs)
        approve_btn.click(safe(_act("approved")), memo_inputs, memo_outputs)
        return_btn.click(safe(_act("returned")), memo_inputs, memo_outputs)
        compare_btn.click(safe(lambda user, c, p: W.memo_compare(store, user, c, p) or "(no difference)"),
                          [client_dd, memo_period], [diff_box])
        memo_period.change(safe(_load), [client_dd, memo_period, lang], memo_outputs)

        def _verify(user: User, lg):
            ok, n, head, problems = W.audit_verify(store, user)
            if ok:
                return tr("verify_ok", lg).format(n=n, head=head)
            return tr("verify_bad", lg).format(p=len(problems)) + "\n" + "\n".join(f"- {p}" for p in problems[:20])

        verify_btn.click(safe(_verify), [lang], [verify_out])

        audit_inputs = [a_user, a_client, a_action, a_since, a_until]

        def _audit_search(user: User, who, client, action, since, until, lg):
            headers = [tr(k, lg) for k in ("col_seq", "col_ts", "col_actor", "col_action", "col_entity",
                                           "col_entity_id", "col_client_name", "col_detail", "col_hash")]
            return _df(W.audit_search(store, user, who, client, action, since, until), headers)

        a_show.click(safe(_audit_search), [*audit_inputs, lang], [a_table])
        def _audit_csv(user: User, who, client, action, since, until):
            return W.audit_export(store, user, who, client, action, since, until, "csv")

        def _audit_xlsx(user: User, who, client, action, since, until):
            return W.audit_export(store, user, who, client, action, since, until, "xlsx")

        a_csv.click(safe(_audit_csv), audit_inputs, [a_file])
        a_xlsx.click(safe(_audit_xlsx), audit_inputs, [a_file])
        app.load(safe(lambda user: gr.update(choices=H.client_choices(store, user))), None, [a_client])
        dl_docx.click(safe(lambda user, c, p: W.memo_downloaded(store, user, c, p, "docx")), [client_dd, memo_period], None)
        dl_pdf.click(safe(lambda user, c, p: W.memo_downloaded(store, user, c, p, "pdf")), [client_dd, memo_period], None)

        # ---------------------------------------------------------------- language
        def _switch(user: User, choice, client, q, problems):
            lg = "en" if choice == "English" else "zh"
            styled, text = _portfolio(user, q, problems, lg)
            head = f"## {tr('title', lg)}\n{tr('subtitle', lg)}"
            who = f"{tr('signed_in', lg)}: **{user.display_name or user.name}** ({user.role})"
            scope_choices = [(tr("whole_portfolio", lg), "")] + H.client_choices(store, user)
            client_part = _client(user, client, lg) if client not in (None, "") else [gr.update()] * len(client_outputs)
            return (lg, head, who, styled, text, gr.update(choices=scope_choices), *client_part, *L.updates(lg))

        lang_radio.change(safe(_switch), [lang_radio, client_dd, search, only_problems],
                          [lang, header, user_md, table, summary, scope, *client_outputs,
                           *[c for c, _, _ in L.items]])
        forget_closed_sessions(app)  # a closed tab's session state is dropped (ui/session_memory.py)
    return app


def launch(app: gr.Blocks, store: Store, *, host: str = "127.0.0.1", port: int = 7860, block: bool = True,
           concurrency: int = 4):  # noqa: ANN201
    """Serve behind the store-backed login; several officers at once (queue, ``concurrency`` workers).

    Logins go through ``assistant.sessions.login`` (throttled, recorded) and Gradio's cookie table
    is replaced by ``AppTokens``: each cookie is a server-side session that expires and is revoked. The
    cookie's name comes from ``app_cookie_id`` (LOANWATCH_HOME), not from each launch, so it survives a restart.
    """
    from assistant.config import get_settings
    from assistant.sessions import AppTokens, app_cookie_id, login

    cfg = get_settings()
    cookie_id = app_cookie_id()  # before serving: a refused file stops the launch with its fix
    lock = f"{cfg.login_max_failures} 次失败后锁定 {cfg.login_lockout_minutes} 分钟 / " \
           f"locked for {cfg.login_lockout_minutes} minutes after {cfg.login_max_failures} failures"
    app.queue(default_concurrency_limit=concurrency)
    W.warm_portfolio(store)  # portfolio rows built in the background: the first portfolio question is quick
    result = app.launch(server_name=host, server_port=port, auth=lambda u, p: login(store, u, p, source="app").ok,
                        auth_message=f"loanwatch · 贷后管理助手 — 请登录 / please sign in ({lock})", prevent_thread_lock=True,
                        theme=_theme(), css=CSS, head=_HEAD, footer_links=[], quiet=True, show_error=True,
                        ssr_mode=False, state_session_capacity=SESSION_CAPACITY)
    app.server_app.tokens = AppTokens(store)
    app.server_app.cookie_id = cookie_id  # one cookie name per home: a restart keeps everyone logged in
    if block:
        app.block_thread()
    return result
