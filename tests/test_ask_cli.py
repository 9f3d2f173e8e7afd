"""``loanwatch ask`` through its real entry point, in a subprocess, against a prepared home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal

import pytest

from tests.test_builtin_engine import HUAXIN, store  # noqa: F401 - the fixture that fills the home


def run(*args: str, home) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_ENGINE": "builtin", "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", "ask", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_ask_json_follows_the_contract(store, home):  # noqa: F811
    out = run("华信光伏2026年三季度末的流动比率是多少?", "--json", home=home)
    assert out.returncode == 0, out.stderr
    obj = json.loads(out.stdout)
    assert list(obj)[:5] == ["answer", "value", "unit", "citations", "engine"]
    expected = Decimal(HUAXIN["total_current_assets"][0]) / Decimal(HUAXIN["total_current_liabilities"][0])
    assert obj["value"] == pytest.approx(float(expected), rel=1e-12)
    assert obj["unit"] == "ratio" and obj["engine"] == "builtin"
    assert obj["citations"][0] == {"document": "华信光伏2026Q3财务报表.pdf", "page": 1,
                                   "quote": obj["citations"][0]["quote"]}
    assert "流动资产合计" in " ".join(c["quote"] for c in obj["citations"])


def test_ask_missing_data_is_an_answer_with_null_value(store, home):  # noqa: F811
    out = run("What was Netflix's total current liabilities at the end of 2017?", "--json", home=home)
    assert out.returncode == 0
    obj = json.loads(out.stdout)
    assert obj["value"] is None and "Netflix" in obj["answer"]


def test_ask_with_client_option_and_plain_text(store, home):  # noqa: F811
    out = run("2026年三季度营业收入是多少?", "--client", "华信光伏", home=home)
    assert out.returncode == 0 and "420,000,000" in out.stdout and "华信光伏2026Q3财务报表.pdf" in out.stdout


def test_ask_unknown_client_option_exits_1_with_one_line(store, home):  # noqa: F811
    out = run("营业收入是多少?", "--client", "不存在的公司", home=home)
    assert out.returncode == 1
    assert out.stderr.startswith("loanwatch: ") and out.stderr.count("\n") == 1
