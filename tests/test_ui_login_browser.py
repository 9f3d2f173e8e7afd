"""Login throttling, denied accesses and session revocation in the real page (headless Chromium, issue 12).

Needs Debian's chromium at /usr/bin/chromium (skips otherwise; fails when CI=true).
"""

from __future__ import annotations

import shutil

import playwright.sync_api as playwright_api  # a test dependency (pyproject's [test] extra)
import pytest
from sqlalchemy import select

from tests.conftest import skip_or_fail
from tests.ui_support import ARGS, CHROMIUM, CLIENT_A, CLIENT_B, USERS, make_ui_home, serve, using_home

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def browser():
    if shutil.which(CHROMIUM) is None:
        skip_or_fail(f"Debian chromium is not installed ({CHROMIUM})")
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app(tmp_path_factory, browser):
    home = make_ui_home(tmp_path_factory.mktemp("ui_login") / "home")
    with serve(home.path) as srv:
        yield srv, home


def _ledger(home, prefix: str) -> list[tuple[str, str]]:
    from assistant.store import open_store
    from assistant.store.schema import LedgerRow

    with using_home(home.path):
        with open_store().session() as s:
            rows = s.execute(select(LedgerRow.actor, LedgerRow.action).where(LedgerRow.action.startswith(prefix))
                             .order_by(LedgerRow.seq)).all()
    return [tuple(r) for r in rows]


def _change(home, fn, *args) -> None:  # noqa: ANN001
    from assistant.store import open_store

    with using_home(home.path):
        with open_store().transaction() as s:
            fn(s, *args, actor="admin")


def _page(browser, url: str):
    ctx = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="en-US")  # Gradio's own login messages in English
    page = ctx.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return ctx, page


def _try(page, user: str, password: str) -> int:
    """Submit Gradio's login form; the status of its POST /login (200 in, 400 refused)."""
    page.locator("input[type=text]").first.fill(user)
    page.locator("input[type=password]").first.fill(password)
    with page.expect_response(lambda r: r.url.rstrip("/").endswith("/login") and r.request.method == "POST") as resp:
        page.locator("input[type=password]").first.press("Enter")
    return resp.value.status


def test_five_wrong_passwords_lock_the_login_even_to_the_right_password(app, browser):
    server, home = app
    ctx, page = _page(browser, server.url)
    try:
        for n in range(1, 6):
            assert _try(page, "officer_b", "not-the-password") == 400
            assert len(_ledger(home, "login.fail")) == n
        page.get_by_text("Incorrect Credentials").first.wait_for()
        assert _try(page, "officer_b", USERS["officer_b"]) == 400  # the right password, while locked
        page.wait_for_timeout(1000)
        assert page.locator("#lw-portfolio").count() == 0 and page.locator("input[type=password]").count() == 1
        assert _ledger(home, "login") == [("officer_b", "login.fail")] * 5 + [
            ("officer_b", "login.lockout"), ("officer_b", "login.locked")]
    finally:
        ctx.close()
    ctx, page = _page(browser, server.url)  # another name is not locked
    try:
        assert _try(page, "officer_a", USERS["officer_a"]) == 200
        page.locator("#lw-portfolio [role=gridcell]", has_text=CLIENT_A).first.wait_for()
        assert page.request.get(server.url + "config").status == 200
        page.goto(server.url + "logout")  # the header's logout link
        page.locator("input[type=password]").first.wait_for()
        assert page.request.get(server.url + "config").status == 401
        assert ("officer_a", "session.revoke") in _ledger(home, "session.revoke")
    finally:
        ctx.close()
    from assistant.access import set_active

    _change(home, set_active, "officer_b", True)  # an administrator lifts the lock
    ctx, page = _page(browser, server.url)
    try:
        assert _try(page, "officer_b", USERS["officer_b"]) == 200
        page.locator("#lw-portfolio [role=gridcell]", has_text=CLIENT_B).first.wait_for()
    finally:
        ctx.close()


def test_a_denied_client_is_recorded_and_a_password_change_ends_the_session(app, browser):
    server, home = app
    ctx, page = _page(browser, server.url)
    try:
        _try(page, "officer_a", USERS["officer_a"])
        page.locator("#lw-portfolio [role=gridcell]", has_text=CLIENT_A).first.wait_for()
        # officer_a types officer_b's client into the client field
        field = page.locator("#lw-client input").first
        field.fill("远洋物流")
        field.press("Enter")
        page.get_by_text("among the clients assigned to officer_a").first.wait_for()
        assert ("officer_a", "access.denied") in _ledger(home, "access")
        assert page.request.get(server.url + "config").status == 200
        from assistant.access import set_password

        _change(home, set_password, "officer_a", "a-new-password-1")
        assert page.request.get(server.url + "config").status == 401  # the cookie's session was revoked
        assert ("admin", "session.revoke") in _ledger(home, "session.revoke")
    finally:
        ctx.close()


def test_the_audit_page_filters_and_exports_the_rows_it_shows(app, browser):
    server, home = app
    ctx, page = _page(browser, server.url)
    try:
        assert _try(page, "reviewer", USERS["reviewer"]) == 200
        page.locator("#lw-portfolio [role=gridcell]", has_text=CLIENT_A).first.wait_for()
        page.locator("button[role=tab]", has_text="审计").first.click()
        page.locator("#lw-a-action textarea").fill("login.ok")
        page.locator("#lw-a-user textarea").fill("reviewer")
        page.locator("#lw-a-show").click()
        page.locator("#lw-a-table [role=gridcell]", has_text="login.ok").first.wait_for()
        cells = page.locator("#lw-a-table [role=gridcell]", has_text="login.")
        assert cells.count() >= 1 and all(t == "login.ok" for t in cells.all_inner_texts())
        page.locator("#lw-a-csv").click()
        link = page.locator("#lw-a-file a[download='audit.csv']").first
        link.wait_for()
        csv_text = page.request.get(link.get_attribute("href")).text()
        body = [line for line in csv_text.lstrip("\ufeff").splitlines()[1:] if line]
        assert body and all(",reviewer,login.ok," in line for line in body)
        assert len(body) == cells.count()  # the same rows as the table
        assert ("reviewer", "export.audit") in _ledger(home, "export")
    finally:
        ctx.close()
