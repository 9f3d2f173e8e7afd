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
    from tests.checkers import ensure_user

    store = open_store()
    store_snapshot(store, declining_client())
    ensure_user(store, "李强", "officer")
    ensure_user(store, "张主管", "reviewer")
    close_stores()
    return home


def _run(home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    from tests.checkers import PASSWORD

    env = {**os.environ, "LOANWATCH_HOME": str(home), "OMP_NUM_THREADS": "1", "LOANWATCH_PASSWORD": PASSWORD}
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


def test_life_of_a_memo_on_the_cli(stored, tmp_path):
    """draft → edit → regenerate (edits carried, visible as a diff) → approve; refused when a number is wrong."""
    from assistant import ledger
    from assistant.store import close_stores, open_store

    day = ("--as-of", "2026-10-25")
    first = _run(stored, "memo", CLIENT, "--period", "2026Q3", *day)
    assert first.returncode == 0, first.stderr
    edited = first.stdout.replace("检查发现的问题：", "检查发现的问题（客户经理补充：已约谈实际控制人）：")
    assert edited != first.stdout
    path = tmp_path / "edited.md"
    path.write_text(edited, encoding="utf-8")
    done = _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(path), "--by", "李强")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("v2\tedited\t李强")
    # regenerate: the officer's edit is carried onto the fresh draft and said so
    again = _run(stored, "memo", CLIENT, "--period", "2026Q3", *day)
    assert again.returncode == 0, again.stderr
    assert "1 of the officer's edits carried over" in again.stderr
    assert "客户经理补充：已约谈实际控制人" in again.stdout
    # a wrong number planted by hand: approval is refused, nothing stored
    wrong = tmp_path / "wrong.md"
    wrong.write_text(again.stdout.replace("营业收入 1.52亿元", "营业收入 1.85亿元"), encoding="utf-8")
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(wrong), "--as", "李强").returncode == 0
    refused = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--by", "张主管")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "cannot be approved" in refused.stderr and "1.85亿" in refused.stderr
    # the officer fixes it; the reviewer approves
    fixed = tmp_path / "fixed.md"
    fixed.write_text(again.stdout, encoding="utf-8")
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(fixed), "--as", "李强").returncode == 0
    approved = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--by", "张主管")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith("v7\tapproved\t张主管") and "numbers traceable" in approved.stdout
    listed = _run(stored, "memo", "versions", CLIENT, "--period", "2026Q3")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t")[:3] for line in listed.stdout.splitlines()]
    assert rows == [["v1", "draft", "system"], ["v2", "edited", "李强"], ["v3", "draft", "system"],
                    ["v4", "edited", "system"], ["v5", "edited", "李强"], ["v6", "edited", "李强"],
                    ["v7", "approved", "张主管"]]
    # every version is a ledger entry, and the chain verifies
    store = open_store()
    with store.session() as s:
        from sqlalchemy import func, select

        from assistant.store.schema import LedgerRow

        assert s.execute(select(func.count()).select_from(LedgerRow).where(LedgerRow.action == "memo.save")).scalar_one() == 7
        assert ledger.verify(s) == []
    close_stores()
    # an approved memo cannot be edited; a memo of another client is refused
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(fixed), "--as", "李强").returncode == 1
    other = tmp_path / "other.md"
    other.write_text(again.stdout.replace("2026Q3", "2026Q2"), encoding="utf-8")
    refused = _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(other), "--as", "李强")
    assert refused.returncode == 1 and "not 示例新能源股份有限公司 2026Q3" in refused.stderr
    anonymous = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3")
    assert anonymous.returncode == 1 and "approve memos needs the acting user: pass --as USER" in anonymous.stderr
    officer = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "李强")
    assert officer.returncode == 1 and "李强 (officer) may not approve memos: only reviewer or admin" in officer.stderr


def test_memo_verify_catches_a_figure_swapped_for_another_quarters(stored, tmp_path):
    done = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--as-of", "2026-10-25")
    row = next(line for line in done.stdout.splitlines() if line.startswith("| 营业收入 | 1.52亿元"))
    path = tmp_path / "memo.md"
    path.write_text(done.stdout.replace(row, row.replace("1.52亿元", "1.68亿元", 1)), encoding="utf-8")
    checked = _run(stored, "memo", "verify", str(path))
    assert checked.returncode == 1 and "'1.68亿'" in checked.stderr
