"""A restart of the app keeps its users logged in; their sessions still expire and logout still ends them.

Gradio names its login cookie ``access-token-<id>`` with an id it draws on each launch; the app
takes the id from LOANWATCH_HOME instead (``assistant.sessions.app_cookie_id``). Two real launches
of ``python -m ui`` over one home, through HTTP (no browser).
"""

from __future__ import annotations

import httpx
import pytest

from tests.ui_support import USERS, make_ui_home, serve

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def _logged_in(client: httpx.Client, url: str) -> bool:
    r = client.get(url + "gradio_api/login_check")
    assert r.status_code in (200, 401), r.text
    return r.status_code == 200


def test_a_restart_keeps_the_browser_logged_in_and_logout_still_works(tmp_path):
    home = make_ui_home(tmp_path / "home")
    with httpx.Client(timeout=60, follow_redirects=False) as browser:
        with serve(home.path) as srv:
            assert not _logged_in(browser, srv.url)
            r = browser.post(srv.url + "login", data={"username": "officer_a", "password": USERS["officer_a"]})
            assert r.status_code == 200, r.text
            assert _logged_in(browser, srv.url)
        with serve(home.path) as srv:  # the same home, a new process
            assert _logged_in(browser, srv.url)
            cookies = dict(browser.cookies)
            browser.get(srv.url + "logout")
            assert not _logged_in(browser, srv.url)
            with httpx.Client(timeout=60, cookies=cookies) as replay:  # the old cookie, kept by someone: ended
                assert not _logged_in(replay, srv.url)
