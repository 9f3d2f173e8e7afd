"""The test session itself: isolated from the machine's home, markers that stay true, one server of each kind."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import conftest
from tests.clock import TODAY

REPO = Path(__file__).resolve().parents[1]


def test_the_session_runs_in_its_own_home_on_a_fixed_day():
    from assistant.analytics.training import model_path
    from assistant.config import get_settings, reset_settings, today

    real_home = conftest._saved_environ.get("HOME")
    session = Path(os.environ["HOME"])
    assert session.name == "home" and session.parent.name.startswith("loanwatch-tests-")
    assert real_home is None or Path(real_home).resolve() != session.resolve()
    reset_settings()
    assert get_settings().home_dir.is_relative_to(session) and model_path().is_relative_to(session)
    assert today() == TODAY


@pytest.mark.slow
def test_a_bank_model_in_the_real_home_changes_nothing(tmp_path):
    """Regression: ``assess(home=None)`` read ~/.loanwatch/models/bank_model.json; with one trained there four
    tests failed (the sound client's grade and three golden memos), and the suite created ~/.loanwatch."""
    from assistant.analytics.training import train
    from tests.test_training import _history

    real_home = tmp_path / "real-home"  # stands for the developer's home
    _history(tmp_path / "history.csv")
    _, planted = train(tmp_path / "history.csv", home=real_home / ".loanwatch")
    assert planted == real_home / ".loanwatch" / "models" / "bank_model.json"

    from assistant.analytics import assess
    from tests.snapshot_builder import ASSESSED, sound_client

    graded_with_it = assess(sound_client(), ASSESSED, home=real_home / ".loanwatch")
    assert [m.model for m in graded_with_it.models] == ["bank_logit"]  # the planted model would change the grade …

    env = {k: v for k, v in os.environ.items() if not k.startswith("LOANWATCH_")}
    env.update(HOME=str(real_home), PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")])))
    before = sorted(p.relative_to(real_home) for p in real_home.rglob("*"))
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--basetemp",
                          str(tmp_path / "inner"), "tests/test_grading.py::test_sound_client_grade_a_and_normal_with_reasons",
                          "tests/test_memo_golden.py"], cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]  # … but the suite never reads it
    assert " passed" in run.stdout and "skipped" not in run.stdout
    assert sorted(p.relative_to(real_home) for p in real_home.rglob("*")) == before  # nor writes there


def _item(nodeid: str, fixtures=(), params=None, marks=()):
    return SimpleNamespace(nodeid=nodeid, fixturenames=list(fixtures),
                           callspec=SimpleNamespace(params=params) if params else None,
                           get_closest_marker=lambda name: name if name in marks else None)


def test_marker_check_names_each_missing_or_unfounded_marker():
    items = [
        _item("t::reads_data", fixtures=["shared_data"]),
        _item("t::reads_data_marked", fixtures=["shared_data"], marks=("real_data",)),
        _item("t::store[postgres]", fixtures=["tmp_path"], params={"store": "postgres"}),
        _item("t::store[sqlite]", fixtures=["tmp_path"], params={"store": "sqlite"}, marks=("postgres",)),
        _item("t::page", fixtures=["browser"], marks=("browser", "slow")),
        _item("t::pdf[chromium]", params={"producer": "chromium"}),
    ]
    assert conftest.marker_problems(items) == [
        "t::reads_data: needs @pytest.mark.real_data",
        "t::store[postgres]: needs @pytest.mark.postgres",
        "t::store[sqlite]: marked postgres but uses none of ['pg_database', 'pg_server', 'postgres']",
        "t::pdf[chromium]: needs @pytest.mark.browser",
    ]


def test_the_collected_suite_has_its_markers(request):
    """Each run checks what it collected (conftest.pytest_collection_modifyitems); this run's items pass it."""
    assert conftest.marker_problems(request.session.items) == []


def test_servers_are_session_fixtures_of_the_conftest_only():
    """A fixture defined or imported in a test module is a second copy: its server would start again."""
    servers = {"pg_server", "pg_database", "chroma_server"}
    offenders = []
    for path in sorted((REPO / "tests").glob("*.py")):
        if path.name == "conftest.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                offenders += [f"{path.name}: imports {a.name}" for a in node.names if a.name in servers]
            elif isinstance(node, ast.FunctionDef) and node.name in servers:
                offenders.append(f"{path.name}: defines {node.name}")
    assert offenders == []


def test_a_dotenv_in_the_working_directory_is_not_read(tmp_path, monkeypatch):
    from assistant import config

    (tmp_path / ".env").write_text("OPENAI_API_KEY=sk-from-a-developers-dotenv\nLOANWATCH_ENGINE=llm\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    config.reset_settings()
    try:
        assert config.get_settings().openai_api_key is None
        assert config.get_settings().engine == "auto"
        monkeypatch.setenv("LOANWATCH_ENV_FILE", ".env")  # what a user's shell has: the file is read
        config.reset_settings()
        assert config.get_settings().openai_api_key == "sk-from-a-developers-dotenv"
    finally:
        config.reset_settings()
