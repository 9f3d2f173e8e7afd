"""``python -m eval``: an evaluation with nothing to measure, or missing what it needs, says so."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import eval.memos
from eval.__main__ import main
from eval._needs import install_hint


def test_eval_memos_on_an_empty_home_has_nothing_to_measure(home, tmp_path, monkeypatch, capsys):
    """0 of 0 numbers is not "100.00 %": no score, exit 1, and the last report is left alone."""
    reports = tmp_path / "reports"
    monkeypatch.setattr(eval.memos, "REPORTS", reports)
    assert main(["memos"]) == 1
    out, err = capsys.readouterr()
    assert "nothing to measure" in err and "loanwatch demo" in err and "--fixtures" in err
    assert "100.00" not in out + err
    assert not reports.exists()


def test_eval_memos_report_without_numbers_gives_no_percentage():
    row = {"client": "x", "period": "2026Q3", "lang": "zh", "build_s": 0.1,
           **{f: {"numbers": 0, "traceable": 0, "unsupported": []} for f in ("md", "docx", "pdf")}}
    text = eval.memos._markdown([row], "test")
    assert "0/0 (no number found: nothing to score)" in text and "%)" not in text.split("planted")[0]


def test_eval_ui_without_playwright_names_the_extra_before_any_work(monkeypatch, capsys):
    import tests.ui_support

    def no_work(*a, **k):
        raise AssertionError("eval ui started building its home before checking what it needs")

    monkeypatch.setattr(tests.ui_support, "make_ui_home", no_work)
    monkeypatch.setitem(sys.modules, "playwright", None)  # import playwright → ModuleNotFoundError
    assert main(["ui"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == 'python -m eval ui: needs playwright (not installed): pip install -e ".[test]"'


def test_an_unnamed_missing_module_also_names_its_extra(monkeypatch, capsys):
    """The safety net for an import no ``require()`` listed: the extra is read from pyproject.toml."""
    def boom(argv):
        raise ModuleNotFoundError("No module named 'weasyprint'", name="weasyprint")

    monkeypatch.setattr(eval.memos, "main", boom)
    assert main(["memos"]) == 2
    assert capsys.readouterr().err.strip().endswith('needs weasyprint (not installed): pip install -e ".[eval]"')


def test_install_hint_picks_the_smallest_extra_and_names_the_rest():
    assert install_hint(["gradio_client", "pikepdf"]) == 'pip install -e ".[test]"'
    assert install_hint(["psycopg"]) == 'pip install -e ".[postgres]"'
    assert install_hint(["nosuchmodule"]) == "pip install nosuchmodule"


@pytest.mark.slow
def test_python_m_eval_memos_exit_code_on_an_empty_home(tmp_path):
    """Through the real entry point: a non-zero exit, no 100 %."""
    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    env["LOANWATCH_HOME"] = str(tmp_path / "home")
    done = subprocess.run([sys.executable, "-m", "eval", "memos"], capture_output=True, text=True, env=env, check=False,
                          cwd=str(eval.memos.REPORTS.parents[1]), timeout=300)
    assert done.returncode == 1
    assert "nothing to measure" in done.stderr and "100.00" not in done.stdout
