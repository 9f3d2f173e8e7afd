"""The command line as a user runs it: the ``loanwatch`` console script, in its own process.

``loanwatch serve --demo`` on a fresh home (the README's first command), and the last-resort
handler that turns an unexpected exception into one line and exit status 1.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ui_support import free_port


def _console_script() -> str:
    """The installed ``loanwatch`` entry point (pyproject's [project.scripts]) beside this Python."""
    beside = Path(sys.executable).with_name("loanwatch")
    found = str(beside) if beside.exists() else shutil.which("loanwatch")
    assert found, "the `loanwatch` console script is not installed: pip install -e ."
    return found


def _page(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read() if response.status == 200 else None
    except (OSError, urllib.error.URLError):
        return None


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_serve_demo_on_a_fresh_home_answers_and_stops_cleanly(tmp_path):
    import gradio_client

    home, tmp = tmp_path / "home", tmp_path / "tmp"
    tmp.mkdir()
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    env = {**os.environ, "LOANWATCH_HOME": str(home), "TMPDIR": str(tmp), "LOANWATCH_ENGINE": "builtin",
           "OMP_NUM_THREADS": "1"}
    env.pop("LOANWATCH_DB_URL", None)
    log = tmp_path / "serve.log"
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([_console_script(), "serve", "--demo", "--port", str(port)], env=env, cwd=tmp_path,
                                stdout=out, stderr=subprocess.STDOUT, text=True)
    try:
        page = None
        while page is None:
            assert proc.poll() is None, f"serve exited ({proc.returncode}):\n{log.read_text()[-3000:]}"
            assert time.monotonic() - started < 840, f"no page after 840 s:\n{log.read_text()[-3000:]}"
            time.sleep(1)
            page = _page(url)
        ready = time.monotonic() - started
        printed = log.read_text(encoding="utf-8")
        assert "demo: 6 clients" in printed and "officer_a" in printed, printed[-2000:]
        assert b"<gradio-app" in page or b"gradio_config" in page, page[:500]
        assert "loanwatch · 贷后管理助手".encode() in page and b'"auth_required":true' in page.replace(b" ", b"")

        # a demo login works, and a memo exported through the app lands in a temporary folder …
        password = next(line.split()[1] for line in printed.splitlines() if line.strip().startswith("officer_a "))
        api = gradio_client.Client(url, auth=("officer_a", password), verbose=False, download_files=False)
        _, clients, *_ = api.predict("zh", api_name="/_on_load")
        assert len(clients["choices"]) == 3, clients
        *_, docx, pdf = api.predict(clients["choices"][0][1], "2026Q2", "zh", api_name="/_draft")
        assert docx and pdf, (docx, pdf)
        assert list(tmp.glob("loanwatch-memo-*/*/*.pdf")), sorted(p.name for p in tmp.iterdir())
        print(f"serve --demo: page answered after {ready:.0f} s")
    finally:
        proc.send_signal(signal.SIGTERM)  # what `kill` or a service manager sends
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    # … stopped with `kill`, the app exits 0 and leaves no temporary folder of its own behind
    assert code == 0, log.read_text()[-2000:]
    assert not list(tmp.glob("loanwatch-memo-*"))


_RAISE_IN_A_COMMAND = textwrap.dedent("""
    import sys
    import assistant.status

    def broken(*args, **kwargs):
        raise RuntimeError("the disk said no")

    assistant.status.portfolio_alerts = broken  # an unexpected failure deep inside a command
    from assistant.cli import main

    main(sys.argv[1:])
""")


@pytest.mark.parametrize("debug", [False, True])
def test_an_unexpected_exception_is_one_line_and_exit_1(home, debug):
    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DEBUG"}
    if debug:
        env["LOANWATCH_DEBUG"] = "1"
    run = subprocess.run([sys.executable, "-c", _RAISE_IN_A_COMMAND, "alerts"], env=env, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 1 and run.stdout == ""
    if debug:  # the details on request
        assert "Traceback" in run.stderr and "RuntimeError: the disk said no" in run.stderr
    else:
        assert run.stderr == ("loanwatch: internal error (RuntimeError: the disk said no); "
                              "set LOANWATCH_DEBUG=1 for details and report it\n")
