"""`loanwatch memo` and `loanwatch memo verify` through the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.memo_fixtures import declining_client, store_snapshot

REPO = Path(__file__).resolve().parents[1]
CLIENT = "示例新能源"  # an alias: the store resolves it


@pytest.fixture()
def stored(home):
    from assistant.store import close_stores, open_store

    store_snapshot(open_store(), declining_client())
    close_stores()
    return home


def _run(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOANWATCH_HOME": str(home), "OMP_NUM_THREADS": "1"}
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or REPO, timeout=120)


def test_memo_markdown_to_stdout_then_verify(stored, tmp_path):
    done = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--as-of", "2026-10-25")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("# 示例新能源股份有限公司 2026Q3 季度贷后检查报告")
    assert "## 8. 建议措施" in done.stdout
    path = tmp_path / "memo.md"
    path.write_text(done.stdout, encoding="utf-8")
    checked = _run(stored, "memo", "verify", str(path))
    assert checked.returncode == 0, checked.stderr
    assert "numbers traceable" in checked.stdout


def test_memo_verify_fails_on_a_planted_number(stored, tmp_path):
    done = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--as-of", "2026-10-25")
    path = tmp_path / "memo.md"
    path.write_text(done.stdout.replace("营业收入 1.52亿元", "营业收入 1.85亿元"), encoding="utf-8")
    checked = _run(stored, "memo", "verify", str(path))
    assert checked.returncode == 1
    assert checked.stderr.count("\n") == 1 and "1.85亿" in checked.stderr


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_memo_files(stored, tmp_path, fmt):
    out = tmp_path / f"memo.{fmt}"
    done = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--format", fmt, "--out", str(out), "--lang", "en",
                "--as-of", "2026-10-25")
    assert done.returncode == 0, done.stderr
    assert out.is_file() and out.stat().st_size > 5000
    checked = _run(stored, "memo", "verify", str(out))
    assert checked.returncode == 0, checked.stderr


def test_memo_errors_are_one_line(stored):
    done = _run(stored, "memo", "没有这个客户", "--period", "2026Q3")
    assert done.returncode == 1 and done.stderr.startswith("loanwatch: ") and done.stderr.count("\n") == 1
    bad_period = _run(stored, "memo", CLIENT, "--period", "2026Q9")
    assert bad_period.returncode == 1 and "period" in bad_period.stderr
    no_period = _run(stored, "memo", CLIENT)
    assert no_period.returncode == 2
