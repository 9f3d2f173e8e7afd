"""The served app's API through ``gradio_client``: login required, and the client scope holds for API callers."""

from __future__ import annotations

import gradio_client  # a test dependency (pyproject's [test] extra): missing, it is an error, not a skip
import pytest

from tests.ui_support import CLIENT_A, CLIENT_B, USERS, make_ui_home, serve


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = make_ui_home(tmp_path_factory.mktemp("ui_api") / "home")
    with serve(home.path) as srv:
        yield srv


def _client(server, user: str):
    return gradio_client.Client(server.url, auth=(user, USERS[user]), verbose=False)


def _ids(server) -> dict[str, int]:
    api = _client(server, "reviewer")
    _, clients, *_ = api.predict("zh", api_name="/_on_load")
    return {name: cid for name, cid in clients["choices"]}


def test_login_is_required_and_checks_the_password(server):
    with pytest.raises(Exception, match="(?i)login|auth|401|403"):
        gradio_client.Client(server.url, auth=("officer_a", "wrong-password"), verbose=False)
    with pytest.raises(Exception):
        gradio_client.Client(server.url, verbose=False).predict("zh", api_name="/_on_load")


def test_each_officer_loads_only_their_own_portfolio(server):
    for user, display, mine, other in (("officer_a", "张伟", CLIENT_A, CLIENT_B), ("officer_b", "李娜", CLIENT_B, CLIENT_A)):
        who, clients, scope, table, summary = _client(server, user).predict("zh", api_name="/_on_load")
        names = [row[1] for row in table["data"]]
        assert names == [mine], (user, names)
        assert [c[0] for c in clients["choices"]] == [mine]
        assert other not in str(table), (user, table)
        assert mine in str(scope) and other not in str(scope) and other not in str(clients), (user, scope)
        assert display in who, (user, who)


def test_an_api_caller_cannot_open_another_officers_client_by_id(server):
    ids = _ids(server)
    api = _client(server, "officer_a")
    with pytest.raises(Exception, match="assigned to officer_a"):
        api.predict(ids[CLIENT_B], "zh", api_name="/_client")
    profile, *_ = api.predict(ids[CLIENT_A], "zh", api_name="/_client")
    assert CLIENT_A in profile


def test_an_api_caller_cannot_ask_about_another_officers_client(server):
    ids = _ids(server)
    api = _client(server, "officer_a")
    with pytest.raises(Exception, match="assigned to officer_a"):
        api.predict("远洋物流的资产总计是多少？", [], ids[CLIENT_B], "zh", api_name="/_ask")
    history, *_ = api.predict("远洋物流2026年6月30日的资产总计是多少？", [], "", "zh", api_name="/_ask")
    answer_a = str(history[-1]["content"])
    reviewer_history, *_ = _client(server, "reviewer").predict(
        "远洋物流2026年6月30日的资产总计是多少？", [], "", "zh", api_name="/_ask")
    answer_rev = str(reviewer_history[-1]["content"])
    assert "远洋物流2026Q2财务报表.pdf" in answer_rev  # the reviewer gets the cited figure …
    assert "远洋物流2026Q2财务报表.pdf" not in answer_a and answer_a != answer_rev  # … officer_a does not


def test_a_refusal_is_one_message_with_no_traceback_in_the_server_log(server):
    """Found by ``python -m eval soak``: every refused client and empty input printed two chained tracebacks."""
    import time

    ids = _ids(server)
    api = _client(server, "officer_a")
    with pytest.raises(Exception, match="assigned to officer_a"):
        api.predict(ids[CLIENT_B], "zh", api_name="/_client")
    with pytest.raises(Exception):  # an empty question: a prompt to write one
        api.predict("", [], "", "zh", api_name="/_ask")
    time.sleep(1)  # the drain thread reads what the app printed meanwhile
    log = "".join(server.output)
    assert "Traceback" not in log and "AccessDeniedError" not in log, log[-3000:]


def test_two_officers_at_once_each_get_their_own_answer(server):
    from concurrent.futures import ThreadPoolExecutor

    def ask(user: str, question: str) -> str:
        history, *_ = _client(server, user).predict(question, [], "", "zh", api_name="/_ask")
        return str(history[-1]["content"])

    with ThreadPoolExecutor(2) as pool:
        a = pool.submit(ask, "officer_a", "示例新能源2026年6月30日的资产总计是多少？")
        b = pool.submit(ask, "officer_b", "远洋物流2026年6月30日的资产总计是多少？")
        answer_a, answer_b = a.result(timeout=120), b.result(timeout=120)
    assert "示例新能源2026Q2财务报表.pdf" in answer_a and "远洋物流2026Q2财务报表.pdf" in answer_b


def test_cli_serve_refuses_a_home_nobody_can_log_in_to(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "LOANWATCH_HOME": str(tmp_path / "empty")}
    run = subprocess.run([sys.executable, "-m", "assistant.cli", "serve", "--port", "1"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1 and "no users can log in" in run.stderr and "user add" in run.stderr


def test_cli_serve_runs_the_app_over_the_home(tmp_path_factory):
    import os
    import subprocess
    import sys
    import urllib.request

    from tests.ui_support import free_port

    home = make_ui_home(tmp_path_factory.mktemp("ui_cli") / "home")
    port = free_port()
    env = {**os.environ, "LOANWATCH_HOME": str(home.path), "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "is ready at" in line:
                break
        assert f"http://127.0.0.1:{port}" in lines[-1], "".join(lines[-20:])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200 and b"auth_required" in page.read()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
