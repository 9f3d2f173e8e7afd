"""The real page in headless Chromium (Playwright): an officer's day, and what another officer never sees.

Screenshots go to eval/reports/ui/. Needs Debian's chromium at /usr/bin/chromium (skips otherwise; fails when CI=true).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import playwright.sync_api as playwright_api  # a test dependency (pyproject's [test] extra)
import pytest

from tests.conftest import skip_or_fail
from tests.ui_support import ARGS, CHROMIUM, CLIENT_A, CLIENT_B, USERS, make_ui_home, serve

SHOTS = Path(__file__).resolve().parents[1] / "eval" / "reports" / "ui"

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app(tmp_path_factory, browser):  # the browser first: without Chromium nothing is built
    home = make_ui_home(tmp_path_factory.mktemp("ui_browser") / "home")
    with serve(home.path) as srv:
        yield srv, home


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None:
        skip_or_fail(f"Debian chromium is not installed ({CHROMIUM})")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _login(browser, url: str, user: str):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True, locale="zh-CN")
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    page.locator("input[type=text]").first.fill(user)  # Gradio's login form (labels follow the locale)
    page.locator("input[type=password]").first.fill(USERS[user])
    page.locator("input[type=password]").first.press("Enter")
    return ctx, page


def _cell(page, table: str, text: str):
    return page.locator(f"{table} [role=gridcell]", has_text=text).first


def _tab(page, label: str) -> None:
    page.locator("button[role=tab]", has_text=label).first.click()


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    time.sleep(0.8)  # let charts and images paint
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_officers_day_in_the_browser(app, browser):
    server, home = app
    ctx, page = _login(browser, server.url, "officer_a")
    try:
        _cell(page, "#lw-portfolio", CLIENT_A).wait_for()
        _shot(page, "01_portfolio")
        # open the client from the portfolio: profile, chart, figures; a figure opens its page
        _cell(page, "#lw-portfolio", CLIENT_A).click()
        page.locator("#lw-profile").get_by_text(CLIENT_A).wait_for()
        page.locator("#lw-figures [role=gridcell]", has_text=",").first.click()
        page.locator("#lw-source-caption").get_by_text("示例新能源2026Q2财务报表.pdf").wait_for()
        page.locator("#lw-source img").first.wait_for()
        _shot(page, "02_client_source")
        # upload the next quarter: parsed on arrival, figures for review
        _tab(page, "上传与复核")
        page.locator("#lw-files input[type=file]").set_input_files(str(home.upload_file))
        page.locator("#lw-upload-btn").click()
        _cell(page, "#lw-review", "货币资金").wait_for()
        assert "stored" in page.locator("#lw-progress textarea").input_value()
        # correct one figure with a reason (maker), shown as awaiting a checker
        page.locator("#lw-c-period textarea").fill("2026-09-30")
        page.locator("#lw-c-key textarea").fill("cash")
        page.locator("#lw-c-value textarea").fill("7654321.00")
        page.locator("#lw-c-reason textarea").fill("银行对账单余额为 7,654,321.00 元")
        page.locator("#lw-correct-btn").click()
        page.locator("#lw-correct-out").get_by_text("7654321").wait_for()
        _shot(page, "03_upload_review_correct")
        # ask: the answer streams in with citations that open the cited page
        _tab(page, "问答")
        page.locator("#lw-question textarea").fill("示例新能源2026年6月30日的资产总计是多少？")
        page.locator("#lw-ask").click()
        page.locator("#lw-chatbot").get_by_text("示例新能源2026Q2财务报表.pdf").first.wait_for()
        page.locator("#lw-cites label").first.click()
        page.locator("#lw-cite-img img").first.wait_for()
        assert "builtin" in page.locator("#lw-engine").inner_text()
        _shot(page, "04_chat_cited")
        # memo: draft, then download Word
        _tab(page, "贷后报告")
        page.locator("#lw-draft").click()
        page.locator("#lw-memo-note").get_by_text("draft").wait_for()
        assert CLIENT_A in page.locator("#lw-memo-text textarea").input_value()
        with page.expect_download() as download:
            page.locator("#lw-dl-docx").click()
        saved = SHOTS / "memo_download.docx"
        download.value.save_as(saved)
        assert saved.read_bytes()[:2] == b"PK"
        _shot(page, "05_memo")
        # the whole interface switches to English
        page.locator("#lw-lang label", has_text="English").click()
        page.locator("button[role=tab]", has_text="Portfolio").first.wait_for()
        _tab(page, "Portfolio")
        page.locator("#lw-portfolio").get_by_text("Last statement").wait_for()
        _shot(page, "06_english")
        _tab(page, "Client")
        page.locator("#lw-profile").get_by_text("Facilities").wait_for()
        assert "授信" not in page.locator("#lw-profile").inner_text()
        _shot(page, "07_english_client")
    finally:
        ctx.close()


def test_officer_b_never_sees_officer_a_client_on_any_page(app, browser):
    server, _ = app
    ctx, page = _login(browser, server.url, "officer_b")
    try:
        _cell(page, "#lw-portfolio", CLIENT_B).wait_for()
        seen = []
        for label in ("贷款组合", "客户", "上传与复核", "问答", "贷后报告", "审计"):
            _tab(page, label)
            time.sleep(0.5)
            seen.append(page.locator("body").inner_text())
        page.locator("#lw-client input").click()
        seen.append(page.locator("body").inner_text())  # the client list, opened
        page.keyboard.press("Escape")
        _tab(page, "问答")
        page.locator("#lw-question textarea").fill("示例新能源2026年6月30日的资产总计是多少？")
        page.locator("#lw-ask").click()
        page.locator("#lw-engine").get_by_text("builtin").wait_for()
        page.wait_for_function("() => !document.querySelector('#lw-chatbot .pending')")
        time.sleep(1.5)
        seen.append(page.locator("body").inner_text())
        _shot(page, "08_officer_b_chat")
        text = "\n".join(seen)
        assert CLIENT_B in text
        assert "示例新能源股份有限公司" not in text.replace("示例新能源2026年6月30日的资产总计是多少？", "")
        assert "示例新能源2026Q2财务报表.pdf" not in text
    finally:
        ctx.close()


def test_a_flagged_upload_is_shown_and_confirmed_by_a_second_person(app, browser, tmp_path):
    """An upload whose balance sheet fails its identity: flagged in the summary and on the client page; the
    uploader's confirmation is refused, the reviewer's releases the figures."""
    import datetime as dt
    from decimal import Decimal

    from assistant.demo import StatementSpec, render_pdf
    from tests.ui_support import CLIENT_A

    server, _ = app
    spec = StatementSpec(company=CLIENT_A, period_end=dt.date(2026, 12, 31), seed=4, layout="listed_notes")
    spec.make_figures()
    spec.figures[("consolidated", "balance_sheet")][0]["total_assets"] += Decimal(1_000_000)
    planted = tmp_path / "示例新能源2026年报（资产合计有误）.pdf"
    render_pdf(spec, planted)
    ctx, page = _login(browser, server.url, "officer_a")
    try:
        _cell(page, "#lw-portfolio", CLIENT_A).wait_for()
        _tab(page, "上传与复核")
        page.locator("#lw-files input[type=file]").set_input_files(str(planted))
        page.locator("#lw-upload-btn").click()
        page.wait_for_function("() => document.querySelector('#lw-progress textarea').value.includes('FLAGGED FOR REVIEW')")
        _tab(page, "客户")
        page.locator("#lw-profile").get_by_text("待复核的报表").wait_for()
        ref = _cell(page, "#lw-flagged", "S").inner_text().strip()
        assert ref.startswith("S")
        page.locator("#lw-flagged-ref textarea").fill(ref)
        page.locator("#lw-flagged-reason textarea").fill("我自己上传的")
        page.locator("#lw-flagged-btn").click()
        page.get_by_text("second person").first.wait_for()
        _shot(page, "09_flagged_for_review")
    finally:
        ctx.close()
    ctx, page = _login(browser, server.url, "reviewer")
    try:
        _tab(page, "客户")
        page.locator("#lw-profile").get_by_text(CLIENT_A).wait_for()
        page.locator("#lw-flagged-ref textarea").fill(ref)
        page.locator("#lw-flagged-reason textarea").fill("资产总计已与原件核对")
        page.locator("#lw-flagged-btn").click()
        page.locator("#lw-flagged-out").get_by_text("confirmed by reviewer").wait_for()
        page.wait_for_function("() => !document.querySelector('#lw-profile').innerText.includes('待复核的报表')")
        _shot(page, "10_confirmed_by_reviewer")
    finally:
        ctx.close()


def test_a_pending_correction_is_shown_and_counts_once_a_reviewer_confirms_it(app, browser):
    """The officer's correction shows as pending (⏳ with the new value and the maker) beside the value in force;
    the officer cannot confirm it; the reviewer's confirmation makes it the value (✎)."""
    import re

    from tests.ui_support import CLIENT_A

    server, _ = app
    ctx, page = _login(browser, server.url, "officer_a")
    try:
        _cell(page, "#lw-portfolio", CLIENT_A).click()
        page.locator("#lw-profile").get_by_text(CLIENT_A).wait_for()
        _tab(page, "上传与复核")
        page.locator("#lw-c-period textarea").fill("2026-06-30")
        page.locator("#lw-c-key textarea").fill("total_equity")
        page.locator("#lw-c-value textarea").fill("4321987.65")
        page.locator("#lw-c-reason textarea").fill("审计调整后的所有者权益")
        page.locator("#lw-correct-btn").click()
        page.locator("#lw-correct-out").get_by_text("pending until a reviewer confirms it").wait_for()
        ref = re.search(r"correction C(\d+)", page.locator("#lw-correct-out").inner_text()).group(1)
        page.locator("#lw-correction-id input").fill(ref)
        page.locator("#lw-confirm-correction").click()
        page.get_by_text("may not confirm or reject corrections").first.wait_for()  # the maker is an officer
        _tab(page, "客户")
        pending = _cell(page, "#lw-figures", "⏳→4,321,987.65 (officer_a)")
        pending.wait_for()
        assert not pending.inner_text().startswith("4,321,987.65")  # the value in force is still the extracted one
        _shot(page, "11_pending_correction")
    finally:
        ctx.close()
    ctx, page = _login(browser, server.url, "reviewer")
    try:
        _cell(page, "#lw-portfolio", CLIENT_A).click()
        page.locator("#lw-profile").get_by_text(CLIENT_A).wait_for()
        _tab(page, "上传与复核")
        page.locator("#lw-correction-id input").fill(ref)
        page.locator("#lw-confirm-correction").click()
        page.locator("#lw-correct-out").get_by_text("confirmed by reviewer").wait_for()
        _tab(page, "客户")
        _cell(page, "#lw-figures", "4,321,987.65 ✎").wait_for()
        assert page.locator("#lw-figures [role=gridcell]", has_text="⏳→4,321,987.65").count() == 0
        _shot(page, "12_correction_confirmed")
    finally:
        ctx.close()


def _as_officer(home_path: Path, *steps: str) -> None:
    """Officer_a drafts, edits or submits the latest quarter's memo through the handlers (the maker's side)."""
    from assistant.access import get_user
    from assistant.store import close_stores, open_store
    from tests.ui_support import using_home
    from ui import work as W

    with using_home(home_path):
        store = open_store()
        officer = get_user(store, "officer_a")
        period = W.memo_periods(store, officer, CLIENT_A)[0]
        for step in steps:
            if step == "draft":
                W.memo_draft(store, officer, CLIENT_A, period)
            else:
                W.memo_save(store, officer, CLIENT_A, period, "", stage="submitted")
        close_stores()


def test_the_reviewer_returns_then_approves_exactly_the_version_shown(app, browser):
    server, home = app
    _as_officer(home.path, "draft", "submit")
    ctx, page = _login(browser, server.url, "reviewer")
    try:
        _cell(page, "#lw-portfolio", CLIENT_A).click()
        page.locator("#lw-profile").get_by_text(CLIENT_A).wait_for()
        _tab(page, "贷后报告")
        # the pane loads the stored version under review, with its diff
        page.locator("#lw-memo-note").get_by_text("submitted").wait_for()
        assert CLIENT_A in page.locator("#lw-memo-text textarea").input_value()
        # returning needs comments; with them the memo goes back to the officer
        page.locator("#lw-memo-comment textarea").fill("请补充现场检查结论")
        page.locator("#lw-memo-return").click()
        page.locator("#lw-memo-note").get_by_text("returned").first.wait_for()
        _shot(page, "08_memo_returned")
        # the officer submits again; the reviewer's pane still shows the returned version: approving it is refused
        _as_officer(home.path, "submit")
        page.locator("#lw-memo-approve").click()
        page.get_by_text("not the latest").first.wait_for()
        # reload the pane (the period again): the submitted version is shown, and approving it succeeds
        page.reload()
        _cell(page, "#lw-portfolio", CLIENT_A).click()
        page.locator("#lw-profile").get_by_text(CLIENT_A).wait_for()
        _tab(page, "贷后报告")
        page.locator("#lw-memo-note").get_by_text("submitted").wait_for()
        page.locator("#lw-memo-approve").click()
        page.locator("#lw-memo-note").get_by_text("approved by reviewer").first.wait_for()
        _shot(page, "09_memo_approved")
    finally:
        ctx.close()
