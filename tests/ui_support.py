"""A small real home for the UI tests: two officers' clients, generated statements, users; the app served.

``make_ui_home(path)`` builds it through the real paths (portfolio import, ingest, user add):
officer_a is in charge of 示例新能源 (one quarter stored; the next quarter is the upload file),
officer_b of 远洋物流 (a leveraged balance sheet that breaches its covenant); a reviewer sees both.
``serve(home)`` starts ``python -m ui`` on a free port and waits for its ready line.
Nothing depends on the real date: the statements arrive on ``RECEIVED`` and the app runs on the
session's fixed day (``tests/clock.py``), when 2026Q2 was on time and 2026Q3 is not yet due.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.clock import TODAY

REPO = Path(__file__).resolve().parents[1]
RECEIVED = dt.date(2026, 7, 30)  # the 2026Q2 statements, before their due date (2026-08-14)
CLIENT_A, CLIENT_B = "示例新能源股份有限公司", "远洋物流股份有限公司"
USERS = {"officer_a": "officer-a-pass", "officer_b": "officer-b-pass", "reviewer": "reviewer-pass"}
#: Debian's Chromium, driven by playwright (the browser tests and ``python -m eval ui``)
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]

PORTFOLIO = f"""
clients:
- name: {CLIENT_A}
  aliases: [示例新能源]
  industry: 光伏发电
  officer: 张伟
  facilities:
  - name: 项目贷款
    amount: '300000000'
    maturity_date: '2032-12-31'
    covenants:
    - {{metric: debt_to_assets, operator: '<=', threshold: '0.70'}}
    - {{metric: current_ratio, operator: '>=', threshold: '1.00'}}
- name: {CLIENT_B}
  aliases: [远洋物流]
  industry: 物流
  officer: 李娜
  facilities:
  - name: 流动资金贷款
    amount: '80000000'
    maturity_date: '2028-06-30'
    covenants:
    - {{metric: debt_to_assets, operator: '<=', threshold: '0.60'}}
"""


@dataclass
class UIHome:
    path: Path
    upload_file: Path  # 示例新能源's next quarter, not yet stored


@contextmanager
def using_home(path: Path):
    """Point settings at ``path`` for the duration (and restore what was there)."""
    from assistant.config import reset_settings

    before = {name: os.environ.get(name) for name in ("LOANWATCH_HOME", "LOANWATCH_TODAY")}
    os.environ.update(LOANWATCH_HOME=str(path), LOANWATCH_TODAY=TODAY.isoformat())
    reset_settings()
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        reset_settings()


def make_ui_home(path: Path) -> UIHome:
    from assistant.access import add_user
    from assistant.demo import StatementSpec, render_pdf
    from assistant.ingest import ingest
    from assistant.portfolio_io import import_portfolio
    from assistant.store import open_store

    inbox = path.parent / f"{path.name}_inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    (inbox / "portfolio.yaml").write_text(PORTFOLIO, encoding="utf-8")
    a_q2 = inbox / "示例新能源2026Q2财务报表.pdf"
    a_q3 = inbox / "示例新能源2026Q3财务报表.pdf"
    b_q2 = inbox / "远洋物流2026Q2财务报表.pdf"
    render_pdf(StatementSpec(company=CLIENT_A, period_end=dt.date(2026, 6, 30), seed=1, layout="listed_notes"), a_q2)
    render_pdf(StatementSpec(company=CLIENT_A, period_end=dt.date(2026, 9, 30), seed=2, layout="listed_notes"), a_q3)
    render_pdf(StatementSpec(company=CLIENT_B, period_end=dt.date(2026, 6, 30), seed=3, leverage=1.8, layout="listed_notes"), b_q2)
    with using_home(path):
        store = open_store()
        import_portfolio(store, inbox / "portfolio.yaml", actor="test")
        report = ingest([a_q2, b_q2], store=store, workers=1, index=False, progress=False, actor="test",
                        received=RECEIVED)
        assert not report.failed, report.summary()
        with store.transaction() as s:
            add_user(s, "officer_a", "officer", USERS["officer_a"], display_name="张伟", clients=[CLIENT_A])
            add_user(s, "officer_b", "officer", USERS["officer_b"], display_name="李娜", clients=[CLIENT_B])
            add_user(s, "reviewer", "reviewer", USERS["reviewer"], display_name="周敏")
    return UIHome(path, a_q3)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    ready_s: float  # from start to the ready line
    output: list[str] = field(default_factory=list)  # what the app printed after its ready line


@contextmanager
def serve(home: Path, timeout: float = 120.0):
    """``python -m ui`` over ``home`` on a free port; yields once it prints its ready line."""
    port = free_port()
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_TODAY": TODAY.isoformat(), "OMP_NUM_THREADS": "1",
           "LOANWATCH_ENGINE": "builtin"}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "ui", "--port", str(port)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    try:
        while True:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the app exited before it was ready:\n" + "".join(lines[-30:]))
            lines.append(line)
            if "is ready at" in line:
                break
            if time.perf_counter() - started > timeout:
                raise RuntimeError("the app was not ready in time:\n" + "".join(lines[-30:]))
        ready = time.perf_counter() - started
        # keep draining the pipe so the server never blocks on a full buffer
        import threading

        server = Server(f"http://127.0.0.1:{port}/", proc, ready)
        threading.Thread(target=lambda: [server.output.append(line) for line in proc.stdout], daemon=True).start()
        yield server
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
