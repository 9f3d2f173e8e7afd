"""The dashboard tab in headless Chromium: the book's tables, the Excel export, the watch list, what is due, warnings as work.

The home is ``tests/book_support.make_book_home`` (远洋物流 102 days past due, 示例新能源 with a
revenue warning). Screenshots go to eval/reports/ui/. Needs Debian's chromium (skips
otherwise; fails when CI=true).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.book_support import make_book_home
from tests.test_ui_browser import _login, _shot, _tab, browser  # noqa: F401 - the module's Chromium fixture
from tests.ui_support import CLIENT_A, CLIENT_B, serve

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def app(tmp_path_factory, browser):  # noqa: F811 - the browser first: without Chromium nothing is built
    home = make_book_home(tmp_path_factory.mktemp("dashboard_browser") / "home")
    with serve(home) as srv:
        yield srv


def _rows(page, elem: str) -> list[list[str]]:
    """The data rows of a Gradio table as the page shows them."""
    out = []
    for row in page.locator(f"#{elem} [role=row]").all():
        cells = [c.strip() for c in row.locator("[role=gridcell]").all_inner_texts()]
        if cells:
            out.append(cells)
    return out


def _number(text: str) -> Decimal | None:
    text = text.replace(",", "").strip()
    return Decimal(text) if text else None


def _open_dashboard(page) -> None:
    _tab(page, "看板")
    page.locator("#lw-dash-grade [role=gridcell]", has_text="NR").first.wait_for()


def test_the_dashboard_shows_the_book_and_the_workbook_holds_the_same_numbers(app, browser, tmp_path):  # noqa: F811
    from openpyxl import load_workbook

    ctx, page = _login(browser, app.url, "reviewer")
    try:
        _open_dashboard(page)
        assert "360,000,000 CNY" in page.locator("#lw-dash-summary").inner_text()  # 300 m limit (A) + 60 m outstanding (B)
        page.locator("#lw-dash-due [role=gridcell]", has_text="逾期102天").first.wait_for()  # the calendar: overdue first
        page.locator("#lw-dash-watch [role=gridcell]", has_text=CLIENT_B).first.wait_for()
        _shot(page, "10_dashboard")
        shown = {name: _rows(page, elem) for name, elem in (("by_grade", "lw-dash-grade"), ("by_class", "lw-dash-class"),
                                                            ("by_industry", "lw-dash-industry"), ("heat_map", "lw-dash-heat"))}
        with page.expect_download() as download:
            page.locator("#lw-dash-export").click()
        path = tmp_path / "dashboard.xlsx"
        download.value.save_as(path)
        wb = load_workbook(path)
        for name, rows in shown.items():
            sheet = [list(r) for r in wb[name].iter_rows(values_only=True)][1:]
            assert len(sheet) == len(rows) and rows, name
            for page_row, xl_row in zip(rows, sheet):
                for text, cell in zip(page_row, xl_row):
                    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                        assert _number(text) == Decimal(str(cell)).normalize() or abs(_number(text) - Decimal(str(cell))) < Decimal("0.00005"), \
                            (name, page_row, xl_row)
                    else:
                        assert text == ("" if cell is None else str(cell)), (name, page_row, xl_row)
        industry = {r[0]: _number(r[1]) for r in shown["by_industry"]}
        assert industry == {"光伏发电": Decimal(300_000_000), "物流": Decimal(60_000_000)}
    finally:
        ctx.close()


def test_the_watch_list_and_a_warning_are_worked_on_the_page(app, browser):  # noqa: F811
    ctx, page = _login(browser, app.url, "officer_b")
    try:
        _open_dashboard(page)
        assert CLIENT_A not in page.locator("#lw-dash-watch").inner_text()  # officer_b sees only 远洋物流
        # taking a client off the watch list needs a reason
        page.locator("#lw-w-client textarea").fill("远洋物流")
        page.locator("#lw-w-remove").click()
        page.get_by_text("leaving the watch list needs a reason").first.wait_for()
        assert CLIENT_B in page.locator("#lw-dash-watch").inner_text()
        page.locator("#lw-w-reason textarea").fill("已签署还款计划调整协议并追加保证")
        page.locator("#lw-w-remove").click()
        page.locator("#lw-work-out").get_by_text("已移出重点关注名单").wait_for()
        assert CLIENT_B not in page.locator("#lw-dash-watch").inner_text()
        # acknowledge, then resolve the overdue warning with the action taken
        ref = next(r[0] for r in _rows(page, "lw-dash-warnings") if r[4] == "repayment_overdue_90")
        page.locator("#lw-i-ref textarea").fill(ref)
        page.locator("#lw-i-ack").click()
        page.locator("#lw-work-out").get_by_text(f"{ref}: acknowledged").wait_for()
        page.locator("#lw-i-action input").click()
        page.get_by_role("option", name="重组或调整还款计划 / restructuring").click()
        page.locator("#lw-i-note textarea").fill("展期六个月，按新计划还款")
        page.locator("#lw-i-resolve").click()
        page.locator("#lw-work-out").get_by_text(f"{ref}: resolved").wait_for()
        row = next(r for r in _rows(page, "lw-dash-warnings") if r[0] == ref)
        assert row[6] == "resolved" and row[8] == "重组或调整还款计划"
        _shot(page, "11_dashboard_work")
    finally:
        ctx.close()


def test_the_dashboard_charts_are_drawn_with_legends_axes_and_the_concentration_limit(app, browser):  # noqa: F811
    ctx, page = _login(browser, app.url, "reviewer")
    try:
        _open_dashboard(page)
        industry = page.locator("#lw-chart-industry")
        industry.locator(".legendtext", has_text="单一行业集中度上限 25%").wait_for()
        industry.locator(".legendtext", has_text="行业占比").wait_for()
        assert industry.locator(".xtitle").text_content() == "行业" and industry.locator(".ytitle").text_content() == "占总敞口比例"
        for elem, axis in (("lw-chart-grade", "评级"), ("lw-chart-class", "五级分类")):
            chart = page.locator(f"#{elem}")
            chart.locator(".legendtext", has_text="敞口").wait_for()
            assert chart.locator(".xtitle").text_content() == axis and "敞口" in chart.locator(".ytitle").text_content()
        page.locator("#lw-chart-heat .colorbar").first.wait_for()
        assert "光伏发电 83.3%" in page.locator("#lw-dash-summary").inner_text()  # over the 25% single-industry limit
        _shot(page, "12_dashboard_charts")
    finally:
        ctx.close()


def test_a_trend_answer_is_drawn_with_a_legend_axes_and_the_covenant_line(app, browser):  # noqa: F811
    ctx, page = _login(browser, app.url, "officer_a")
    try:
        _tab(page, "问答")
        page.locator("#lw-question textarea").fill("示例新能源的资产负债率趋势如何?")
        page.locator("#lw-ask").click()
        chart = page.locator("#lw-chat-chart")
        chart.locator(".legendtext", has_text="约束 <= 70%").wait_for()  # the facility's covenant: debt_to_assets <= 0.70
        chart.locator(".legendtext", has_text=CLIENT_A).wait_for()
        assert chart.locator(".xtitle").text_content() == "季度" and "资产负债率" in chart.locator(".ytitle").text_content()
        _shot(page, "14_trend_answer_chart")
    finally:
        ctx.close()


def _pick(page, elem: str, option: str) -> None:
    page.locator(f"#{elem} input").click()
    page.get_by_role("option", name=option).first.click()


def _open_exposure(page, client: str | None = None) -> None:
    _tab(page, "客户")
    if client:
        _pick(page, "lw-client", client)
    page.locator("#lw-exposure-box").get_by_text("敞口与还款数据").first.click()
    page.locator("#lw-x-rows [role=gridcell]", has_text="facility:").first.wait_for()


def test_an_exposure_edit_counts_on_the_dashboard_only_after_a_second_person_confirms_it(app, browser):  # noqa: F811
    """Runs last in this module: it changes 远洋物流's outstanding balance from 60,000,000 to 50,000,000."""
    ctx, page = _login(browser, app.url, "officer_b")
    try:
        _open_exposure(page)
        _pick(page, "lw-x-target", "流动资金贷款 · 余额 balances (CNY)")
        _pick(page, "lw-x-field", "未偿余额 / outstanding (facility)")
        page.locator("#lw-x-value textarea").fill("50,000,000")
        page.locator("#lw-x-reason textarea").fill("核心系统 2026-11-09 余额")
        page.locator("#lw-x-submit").click()
        page.locator("#lw-x-out").get_by_text("已提交").wait_for()
        (row,) = [r for r in _rows(page, "lw-x-pending") if r[0].startswith("E") and r[6] == "pending"]  # the home's own: confirmed
        ref = row[0]
        assert row[2:5] == ["outstanding=60000000", "outstanding=50000000", "officer_b"] and row[6] == "pending"
        # the maker cannot make it count
        page.locator("#lw-x-ref textarea").fill(ref)
        page.locator("#lw-x-confirm").click()
        page.get_by_text("may not confirm or reject exposure edits").first.wait_for()
        _open_dashboard(page)
        summary = page.locator("#lw-dash-summary").inner_text()
        assert "total exposure 60,000,000 CNY" in summary  # officer_b sees 远洋物流 only; pending: not counted, but said
        assert "awaiting a checker (not counted): 1" in summary and "exposure edits and imported changes to facility terms 1" in summary
    finally:
        ctx.close()
    ctx, page = _login(browser, app.url, "reviewer")
    try:
        _open_exposure(page, CLIENT_B)
        page.locator("#lw-x-pending [role=gridcell]", has_text=ref).first.wait_for()
        page.locator("#lw-x-ref textarea").fill(ref)
        page.locator("#lw-x-note textarea").fill("与核心系统对账一致")
        page.locator("#lw-x-confirm").click()
        page.locator("#lw-x-out").get_by_text("confirmed by reviewer").wait_for()
        assert page.locator("#lw-x-out").inner_text().startswith(ref)
        _shot(page, "13_exposure_confirmed")
        _open_dashboard(page)
        page.locator("#lw-dash-summary").get_by_text("350,000,000 CNY").wait_for()
        assert "awaiting a checker" not in page.locator("#lw-dash-summary").inner_text()
        industry = {r[0]: _number(r[1]) for r in _rows(page, "lw-dash-industry")}
        assert industry == {"光伏发电": Decimal(300_000_000), "物流": Decimal(50_000_000)}
    finally:
        ctx.close()
