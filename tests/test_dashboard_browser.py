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
