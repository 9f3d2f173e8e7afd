"""Strings from documents and users are data: never a path, never raw SQL or document text on stderr.

Regression tests for issue 14: a registrant named ``../../etc`` made ``loanwatch memo`` write two
folders up and the app's export write ``/etc_2025.pdf``; names with newlines, RTL overrides and
zero-width characters were accepted; a 5,000-character name crashed memo export; on PostgreSQL a
NUL byte in a note or a 200+ character name failed with the raw SQL on stderr.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import ConfigError, StoreError
from assistant.safety import clean_name, clean_text, error_line, output_path, scrub

REPO = Path(__file__).resolve().parents[1]
HOSTILE = ["../../etc", "/etc", "..", "a/../../b", "C:\\Windows\\x", "\\\\server\\share", "x" * 5000, "", "...."]


def _cli(home: Path, *args: str, cwd: Path | None = None, url: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LOANWATCH_HOME": str(home), "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    env.pop("LOANWATCH_DB_URL", None)
    if url:
        env["LOANWATCH_DB_URL"] = url
    return subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True,
                          env=env, cwd=cwd or REPO, timeout=180)


# ---------------------------------------------------------------- names

def test_names_are_nfkc_and_stripped():
    assert clean_name("  ＡＢＣ　Ｃｏ．, Ltd.  ") == "ABC Co., Ltd."
    assert clean_name("示例新能源（深圳）有限公司") == "示例新能源(深圳)有限公司"


@pytest.mark.parametrize("bad, words", [
    ("示例\n新能源", "control"), ("示例\t新能源", "control"), ("示例\x00", "control"),
    ("evil\u202egnp.exe", "bidirectional"), ("a\u2066b", "bidirectional"), ("示例\u200b新能源", "zero-width"),
    ("\ufeff示例", "zero-width"), ("x" * 201, "201 characters"), ("   ", "empty"),
])
def test_names_with_hidden_characters_or_too_long_are_refused_in_one_line(bad, words):
    with pytest.raises(ConfigError) as err:
        clean_name(bad)
    assert words in str(err.value) and "\n" not in str(err.value) and len(str(err.value)) < 200


def test_free_text_loses_nul_and_controls_but_keeps_lines():
    assert clean_text("现场\x00检查\n第二行\t完\x1b[31m") == "现场检查\n第二行\t完[31m"
    assert clean_text("bad \udc80 surrogate").encode("utf-8")  # encodable after cleaning


def test_scrub_reaches_nested_records():
    from extractors.models import Column, ExtractionResult, LineItem, Statement

    st = Statement(kind="balance_sheet", pages=[1], columns=[Column(period_end=None, label="期末\x00")],
                   items=[LineItem(key=None, label="货币\x00资金", values=[None], page=1)])
    result = scrub(ExtractionResult(file="a.pdf", sha256="0" * 64, pages=1, company="A\x00", statements=[st]))
    assert result.company == "A" and result.statements[0].items[0].label == "货币资金"
    assert result.statements[0].columns[0].label == "期末"


# ---------------------------------------------------------------- paths

@pytest.mark.parametrize("name", HOSTILE)
def test_output_files_stay_inside_the_chosen_folder(tmp_path, name):
    folder = tmp_path / "out"
    folder.mkdir()
    path = output_path(folder, name, "2025", suffix="docx")
    assert path.parent == folder and path.resolve().parent == folder.resolve()
    assert path.name.endswith(".docx") and len(path.name.encode()) < 255
    path.write_bytes(b"x")  # a real file system takes it


def test_a_hostile_suffix_cannot_escape_either(tmp_path):
    assert output_path(tmp_path, "a", suffix="/../../x").parent == tmp_path


def _stored_client(name: str):
    from assistant.store import close_stores, open_store
    from tests.memo_fixtures import declining_client, store_snapshot

    snap = declining_client()
    snap = dataclasses.replace(snap, client=dataclasses.replace(snap.client, name=name, aliases=[]))
    store_snapshot(open_store(), snap)
    close_stores()


@pytest.mark.parametrize("name", ["../../etc", "/tmp/loanwatch-abs", "x" * 200])
def test_cli_memo_writes_a_generated_name_in_the_working_folder(home, tmp_path, name):
    _stored_client(name)
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    done = _cli(home, "memo", name, "--period", "2026Q3", "--format", "docx", "--as-of", "2026-10-25", cwd=work)
    assert done.returncode == 0, done.stderr
    written = Path(done.stdout.strip())
    assert written.resolve().parent == work.resolve() and written.is_file(), done.stdout
    assert sorted(p.name for p in work.iterdir()) == [written.name]
    assert not (tmp_path / "etc_2026Q3.docx").exists() and not Path("/tmp/loanwatch-abs_2026Q3.docx").exists()


def test_app_memo_export_stays_in_its_export_folder(home):
    from assistant.access import User
    from assistant.memo import workflow
    from assistant.store import open_store
    from ui import work

    _stored_client("../../etc")
    store = open_store()
    workflow.draft_memo(store, "../../etc", "2026Q3", by="system")
    admin = User("root", "admin", "root", 0, ())
    path = Path(work.memo_file(store, admin, "../../etc", "2026Q3", "pdf"))
    assert path.is_file() and path.name == "etc_2026Q3_v1.pdf"  # the stored version exported: its number in the name
    assert Path(work._exports.name).resolve() in path.resolve().parents


def test_a_stored_path_outside_home_is_refused(tmp_path):
    from assistant.safety import inside

    assert inside(tmp_path, "documents/a.pdf") == (tmp_path / "documents/a.pdf").resolve()
    for bad in ("../x.pdf", "/etc/passwd", "documents/../../x"):
        with pytest.raises(ConfigError):
            inside(tmp_path, bad)


# ---------------------------------------------------------------- ingest: the printed name is data

@pytest.mark.parametrize("company", ["示例\u202e新能源股份有限公司", "示例\u200b新能源", "A" * 300, "示例\n新能源"])
def test_ingest_refuses_a_printed_company_name_that_is_not_a_name(home, tmp_path, company):
    from assistant.ingest import Prepared, _store_prepared
    from assistant.store import open_store
    from assistant.store.schema import Client

    doc = tmp_path / "filing.txt"
    doc.write_text("a filing", encoding="utf-8")
    p = Prepared(path=str(doc), sha256="1" * 64, size=8, kind="filing", pages=1, company=company, text="a filing")
    store = open_store()
    r = _store_prepared(store, p, client=None, actor="t", received=None, home=home, index=False)
    assert r.status == "failed" and "pass --client NAME" in r.reason and "\n" not in r.reason, r.reason
    with store.session() as s:
        assert s.query(Client).count() == 0
    assert not list((home / "documents").glob("*")) if (home / "documents").exists() else True


def test_ingest_stores_a_note_with_a_nul_byte_without_it(home, tmp_path):
    from assistant.ingest import ingest
    from assistant.store import open_store
    from assistant.store.schema import NoteRow

    note = tmp_path / "现场检查.txt"
    note.write_bytes("现场检查\n检查日期：2026年10月8日\n二期\x00工程停工。\n".encode())
    (r,) = ingest([note], client="Hydro Co", store=open_store(), index=False).results
    assert r.status == "stored", r.reason
    with open_store().session() as s:
        assert "二期工程停工" in s.query(NoteRow).one().text


def test_cli_client_add_refuses_a_long_name_in_one_line(home):
    done = _cli(home, "client", "add", "x" * 250)
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "250 characters" in done.stderr
    assert "x" * 60 not in done.stderr


def test_error_line_hides_sql_and_parameters():
    from sqlalchemy.exc import DataError

    exc = DataError("INSERT INTO notes (text) VALUES (%(text)s)", {"text": "secret document text"},
                    ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes\nDETAIL: secret"))
    line = error_line(exc)
    assert line == "ValueError: PostgreSQL text fields cannot contain NUL (0x00) bytes"


# ---------------------------------------------------------------- PostgreSQL

@pytest.mark.postgres
def test_postgres_long_name_and_nul_fail_or_clean_in_one_line(tmp_path, pg_database):
    home = tmp_path / "home"
    long_name = "长" * 230
    done = _cli(home, "client", "add", long_name, url=pg_database)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "230 characters" in done.stderr and "INSERT" not in done.stderr and long_name not in done.stderr
    done = _cli(home, "status", long_name, url=pg_database)  # a lookup by a long name never reaches SQL either
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "SELECT" not in done.stderr, done.stderr
    note = tmp_path / "现场检查.txt"
    note.write_bytes("现场检查\n检查日期：2026年10月8日\n机密\x00文本\n".encode())
    done = _cli(home, "ingest", str(note), "--client", "Hydro Co", "--no-index", url=pg_database)
    assert done.returncode == 0 and "stored" in done.stdout, done.stderr
    assert _cli(home, "audit", "verify", url=pg_database).returncode == 0


@pytest.mark.postgres
def test_postgres_refused_value_is_a_store_error_without_sql(pg_database):
    from assistant.store import repo
    from assistant.store.db import Store, init_db

    store = Store(pg_database)
    init_db(store)
    with store.transaction() as s:
        client = repo.add_client(s, "Hydro Co")
    with pytest.raises(StoreError) as err:
        with store.transaction() as s:
            repo.set_figure(s, s.get(repo.Client, client.id), "2026Q3", "revenue", None, reason="机密\x00文本", by="t")
    text = str(err.value)
    assert "\n" not in text and "INSERT" not in text and "机密" not in text and "NUL" in text, text
    store.dispose()
