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


def _users(home: Path) -> None:
    from assistant.access import add_user
    from assistant.store import close_stores, open_store
    from tests.checkers import PASSWORD  # the password _run passes in LOANWATCH_PASSWORD

    with open_store().transaction() as s:
        add_user(s, "李强", "officer", PASSWORD, clients=[CLIENT])
        add_user(s, "张主管", "reviewer", PASSWORD)
        add_user(s, "王审查", "reviewer", PASSWORD)
    close_stores()


def test_life_of_a_memo_on_the_cli(stored, tmp_path):
    """draft → edit → regenerate (edits carried) → submit → approve (four eyes; refused when a number is wrong)."""
    from assistant import ledger
    from assistant.store import close_stores, open_store

    _users(stored)
    day = ("--as-of", "2026-10-25")
    first = _run(stored, "memo", CLIENT, "--period", "2026Q3", *day)
    assert first.returncode == 0, first.stderr
    edited = first.stdout.replace("检查发现的问题：", "检查发现的问题（客户经理补充：已约谈实际控制人）：")
    assert edited != first.stdout
    path = tmp_path / "edited.md"
    path.write_text(edited, encoding="utf-8")
    done = _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(path), "--as", "李强")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("v2\tedited\t李强")
    # regenerate: the officer's edit is carried onto the fresh draft and said so
    again = _run(stored, "memo", CLIENT, "--period", "2026Q3", *day)
    assert again.returncode == 0, again.stderr
    assert "1 of the officer's edits carried over" in again.stderr
    assert "客户经理补充：已约谈实际控制人" in again.stdout
    # a wrong number planted by hand and submitted: approval is refused, nothing stored
    wrong = tmp_path / "wrong.md"
    wrong.write_text(again.stdout.replace("营业收入 1.52亿元", "营业收入 1.85亿元"), encoding="utf-8")
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(wrong), "--as", "李强").returncode == 0
    assert _run(stored, "memo", "submit", CLIENT, "--period", "2026Q3", "--as", "李强").returncode == 0
    refused = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "张主管")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "cannot be approved" in refused.stderr and "1.85亿" in refused.stderr
    # the reviewer returns it with comments; the officer fixes it and submits again
    back = _run(stored, "memo", "return", CLIENT, "--period", "2026Q3", "--as", "张主管", "--comment", "营业收入与报表不符")
    assert back.returncode == 0, back.stderr
    fixed = tmp_path / "fixed.md"
    fixed.write_text(again.stdout, encoding="utf-8")
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(fixed), "--as", "李强").returncode == 0
    assert _run(stored, "memo", "submit", CLIENT, "--period", "2026Q3", "--as", "李强").returncode == 0
    # the reviewer sees exactly the submitted version and its diff
    shown = _run(stored, "memo", "diff", CLIENT, "--period", "2026Q3")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("v9 submitted by 李强") and "compared with v7 returned by 张主管" in shown.stdout
    assert "numbers traceable" in shown.stdout and "-营业收入 1.85亿元" in shown.stdout and "+营业收入 1.52亿元" in shown.stdout
    stale = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "张主管", "--version", "8")
    assert stale.returncode == 1 and "not the latest" in stale.stderr
    approved = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "张主管", "--version", "9")
    assert approved.returncode == 0, approved.stderr
    assert approved.stdout.startswith("v10\tapproved\t张主管") and "numbers traceable" in approved.stdout
    listed = _run(stored, "memo", "versions", CLIENT, "--period", "2026Q3")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t")[:3] for line in listed.stdout.splitlines()]
    assert rows == [["v1", "draft", "system"], ["v2", "edited", "李强"], ["v3", "draft", "system"],
                    ["v4", "edited", "system"], ["v5", "edited", "李强"], ["v6", "submitted", "李强"],
                    ["v7", "returned", "张主管"], ["v8", "edited", "李强"], ["v9", "submitted", "李强"],
                    ["v10", "approved", "张主管"]]
    assert listed.stdout.splitlines()[6].endswith("营业收入与报表不符")  # the reviewer's comments are kept
    # every version is a ledger entry, and the chain verifies
    store = open_store()
    with store.session() as s:
        from sqlalchemy import func, select

        from assistant.store.schema import LedgerRow

        count = s.execute(select(func.count()).select_from(LedgerRow).where(LedgerRow.action == "memo.save")).scalar_one()
        assert count == len(rows)
        assert ledger.verify(s) == []
    close_stores()
    # an approved memo cannot be edited; a memo of another client is refused
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(fixed), "--as", "李强").returncode == 1
    other = tmp_path / "other.md"
    other.write_text(again.stdout.replace("2026Q3", "2026Q2"), encoding="utf-8")
    assert _run(stored, "memo", CLIENT, "--period", "2026Q3", *day).returncode == 0  # a new draft after approval
    refused = _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(other), "--as", "李强")
    assert refused.returncode == 1 and "not 示例新能源股份有限公司 2026Q3" in refused.stderr
    anonymous = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3")
    assert anonymous.returncode == 1 and "approve memos needs the acting user: pass --as USER" in anonymous.stderr
    officer = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "李强")
    assert officer.returncode == 1 and "李强 (officer) may not approve memos: only reviewer or admin" in officer.stderr


def test_one_person_cannot_approve_their_own_memo_on_the_cli(stored, tmp_path):
    """Every path one reviewer might take to approve their own memo fails with a clear message."""
    _users(stored)
    day = ("--as-of", "2026-10-25")
    # the reviewer drafts, then submits: they wrote it
    assert _run(stored, "memo", CLIENT, "--period", "2026Q3", "--as", "张主管", *day).returncode == 0
    assert _run(stored, "memo", "submit", CLIENT, "--period", "2026Q3", "--as", "张主管").returncode == 0
    own = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "张主管")
    assert own.returncode == 1 and "张主管 wrote v" in own.stderr and own.stderr.count("\n") == 1
    # an officer may not approve; a name that is no user may not either; nor no name at all
    officer = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "李强")
    assert officer.returncode == 1 and "officer" in officer.stderr
    nobody = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--by", "officer_x")
    assert nobody.returncode == 1 and "unknown user or wrong password for 'officer_x'" in nobody.stderr
    anonymous = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3")
    assert anonymous.returncode == 1 and "--as USER" in anonymous.stderr
    # a different reviewer approves
    ok = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "王审查")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split("\t")[:3] == ["v3", "approved", "王审查"]
    # approving a draft that was never submitted is refused with the fix
    assert _run(stored, "memo", CLIENT, "--period", "2026Q3", *day).returncode == 0
    early = _run(stored, "memo", "approve", CLIENT, "--period", "2026Q3", "--as", "王审查")
    assert early.returncode == 1 and "submit" in early.stderr


def test_memo_verify_catches_a_figure_swapped_for_another_quarters(stored, tmp_path):
    done = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--as-of", "2026-10-25")
    row = next(line for line in done.stdout.splitlines() if line.startswith("| 营业收入 | 1.52亿元"))
    path = tmp_path / "memo.md"
    path.write_text(done.stdout.replace(row, row.replace("1.52亿元", "1.68亿元", 1)), encoding="utf-8")
    checked = _run(stored, "memo", "verify", str(path))
    assert checked.returncode == 1 and "'1.68亿'" in checked.stderr


def test_the_stored_export_is_the_saved_text_with_edits(stored, tmp_path):
    _users(stored)
    first = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--as-of", "2026-10-25")
    edited = tmp_path / "edited.md"
    edited.write_text(first.stdout.replace("检查发现的问题：", "检查发现的问题（客户经理补充：已约谈实际控制人）："), encoding="utf-8")
    assert _run(stored, "memo", "edit", CLIENT, "--period", "2026Q3", "--file", str(edited), "--as", "李强").returncode == 0
    out = tmp_path / "stored.docx"
    done = _run(stored, "memo", CLIENT, "--period", "2026Q3", "--stored", "--format", "docx", "--out", str(out))
    assert done.returncode == 0, done.stderr
    from docx import Document

    doc = Document(str(out))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "客户经理补充：已约谈实际控制人" in text and "loanwatch-memo" not in text
    assert "DRAFT" in doc.sections[0].header.paragraphs[0].text
    md = tmp_path / "stored.md"
    assert _run(stored, "memo", CLIENT, "--period", "2026Q3", "--stored", "--out", str(md)).returncode == 0
    assert md.read_text(encoding="utf-8") == edited.read_text(encoding="utf-8")  # byte for byte the saved text
    assert _run(stored, "memo", "verify", str(out)).returncode == 0
