"""``loanwatch ingest``: kinds, idempotency, partial failure and recovery from a killed process."""

from __future__ import annotations

import datetime as dt
import os
import random
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assistant import ledger
from assistant.ingest import ingest
from assistant.store import close_stores, load_snapshot, open_store, repo
from assistant.store.schema import DocumentRow, NoteRow, StatementRow

REPO = Path(__file__).resolve().parents[1]
NOTE_ZH = """现场检查报告
借款人：光伏电站项目公司
检查日期：2026年10月8日
检查人：张伟
项目实际完成进度62%，计划进度75%。已完成投资3.2亿元，总预算5亿元。
发现问题：二标段停工，组件到货延迟。
"""
NOTE_EN = "Site visit report\nVisit date: 2026-10-09\nInspector: John Smith\nThe plant operates normally.\n"


def write_pdf(path: Path, lines: list[str], pages: int = 1) -> Path:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4)
    for p in range(pages):
        y = 800
        for line in lines:
            c.drawString(72, y, f"{line} (page {p + 1})")
            y -= 16
        c.showPage()
    c.save()
    return path


def write_docx(path: Path, paragraphs: list[str]) -> Path:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    d.save(str(path))
    return path


@pytest.fixture()
def store(home):
    st = open_store()
    yield st
    close_stores()


def _counts(st) -> dict[str, int]:
    with st.session() as s:
        return repo.document_counts(s)


def _verify(st) -> list[str]:
    with st.session() as s:
        return [str(p) for p in ledger.verify(s)]


def test_kinds_are_detected_and_stored_with_their_text(store, home, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "2026Q3现场检查.txt").write_text(NOTE_ZH, encoding="utf-8")
    write_docx(folder / "visit-october.docx", NOTE_EN.splitlines())
    write_pdf(folder / "board_resolution.pdf", ["Board resolution on the 2026 dividend", "Approved unanimously"], pages=2)
    (folder / ".hidden.txt").write_text("ignored")
    report = ingest([folder], client="光伏电站项目公司", store=store, workers=1, index=False)
    kinds = {Path(r.path).name: (r.status, r.kind, r.pages) for r in report.results}
    assert kinds == {"2026Q3现场检查.txt": ("stored", "inspection", 1), "visit-october.docx": ("stored", "inspection", 1),
                     "board_resolution.pdf": ("stored", "filing", 2)}
    snap = load_snapshot(store, "光伏电站项目公司")
    zh = next(n for n in snap.notes if n.document == "2026Q3现场检查.txt")
    assert "二标段停工" in zh.text
    assert zh.visit_date == dt.date(2026, 10, 8) and zh.inspector == "张伟"  # the note parser's fields are stored
    with store.session() as s:
        docs = s.execute(select(DocumentRow).order_by(DocumentRow.id)).scalars().all()
    for doc in docs:
        copy = home / doc.stored_path
        assert copy.name == f"{doc.sha256}{Path(doc.name).suffix}" and copy.read_bytes() == (folder / doc.name).read_bytes()
    assert _verify(store) == []


def test_audit_verify_files_finds_an_altered_or_missing_stored_copy(store, home, tmp_path):
    a, b = tmp_path / "a-visit.txt", tmp_path / "b-visit.txt"
    a.write_text(NOTE_ZH, encoding="utf-8")
    b.write_text(NOTE_EN, encoding="utf-8")
    ingest([a, b], client="File Co", store=store, workers=1, index=False)
    with store.session() as s:
        assert ledger.verify(s, home=home) == []
        docs = {d.name: d for d in s.execute(select(DocumentRow)).scalars()}
    (home / docs["a-visit.txt"].stored_path).write_text("edited", encoding="utf-8")
    (home / docs["b-visit.txt"].stored_path).unlink()
    with store.session() as s:
        problems = [str(p) for p in ledger.verify(s, home=home)]
        assert ledger.verify(s) == []  # the database itself was not touched
    assert problems == [f"document {docs['a-visit.txt'].id}: its stored copy {docs['a-visit.txt'].stored_path} was altered (sha256 differs)",
                        f"document {docs['b-visit.txt'].id}: its stored copy {docs['b-visit.txt'].stored_path} is missing"]


def test_two_processes_ingesting_into_one_sqlite_file_keep_one_chain(tmp_path):
    home = tmp_path / "home"
    folders = []
    for n in range(2):
        folder = tmp_path / f"batch{n}"
        folder.mkdir()
        for i in range(5):
            (folder / f"{n}-{i}-inspection.txt").write_text(f"Site visit {n}.{i}: all normal.\n", encoding="utf-8")
        folders.append(folder)
    procs = [_run_cli(home, "ingest", str(f), "--client", "Shared Co", "--no-index", "--workers", "1") for f in folders]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    counts = _check_whole(home)
    assert counts["documents"] == 10 and counts["clients"] == 1 and counts["ledger"] == 1 + 10 * 2


def test_same_bytes_twice_is_a_no_op(store, tmp_path):
    note = tmp_path / "inspection-1.txt"
    note.write_text(NOTE_ZH, encoding="utf-8")
    copy = tmp_path / "same-bytes-other-name.txt"
    copy.write_bytes(note.read_bytes())
    first = ingest([note], client="光伏电站项目公司", store=store, index=False)
    before = _counts(store)
    again = ingest([note, copy], client="光伏电站项目公司", store=store, index=False)
    assert [r.status for r in first.results] == ["stored"]
    assert [r.status for r in again.results] == ["duplicate", "duplicate"]
    assert again.results[0].document_id == first.results[0].document_id
    assert _counts(store) == before


def test_one_bad_file_never_stops_the_rest(store, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_empty.pdf").write_bytes(b"")
    (folder / "b_truncated.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n")
    (folder / "c_photo.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(range(256)) * 4)
    (folder / "d_visit.txt").write_text(NOTE_ZH, encoding="utf-8")
    write_pdf(folder / "e_filing.pdf", ["Change of registered address"])
    report = ingest([folder], client="Batch Co", store=store, workers=2, index=False)
    status = {Path(r.path).name: r.status for r in report.results}
    assert status == {"a_empty.pdf": "failed", "b_truncated.pdf": "failed", "c_photo.jpg": "failed",
                      "d_visit.txt": "stored", "e_filing.pdf": "stored"}
    reasons = {Path(r.path).name: r.reason for r in report.failed}
    assert "empty" in reasons["a_empty.pdf"] and "cannot be read" in reasons["c_photo.jpg"]  # a damaged JPEG: OCR reads images now
    assert all(" — " in r for r in reasons.values())  # what happened — what to do
    assert _counts(store)["documents"] == 2 and _verify(store) == []


def test_without_client_the_company_named_in_the_text_is_matched(store, tmp_path):
    with store.transaction() as s:
        repo.add_client(s, "光伏电站项目有限公司", aliases=["光伏电站项目公司"])
    note = tmp_path / "检查.txt"
    note.write_text(NOTE_ZH, encoding="utf-8")
    stray = tmp_path / "memo-inspection.txt"
    stray.write_text("A site inspection of a borrower nobody named.", encoding="utf-8")
    report = ingest([note, stray], store=store, index=False)
    ok, bad = sorted(report.results, key=lambda r: r.path != str(note))
    assert (ok.status, ok.client) == ("stored", "光伏电站项目有限公司")
    assert bad.status == "failed" and "cannot tell which client" in bad.reason and "--client" in bad.reason


def test_a_stored_but_unindexed_document_is_indexed_on_the_next_run(store, tmp_path):
    from assistant import retrieval

    retrieval.reset_retrieval()  # the index lives under this test's home
    note = tmp_path / "site-visit.txt"
    note.write_text(NOTE_ZH, encoding="utf-8")
    (first,) = ingest([note], client="光伏电站项目公司", store=store, index=False).results  # as if killed before indexing
    assert retrieval.search("二标段停工", client_ids=[1]) == []
    (again,) = ingest([note], client="光伏电站项目公司", store=store).results
    assert (again.status, again.document_id, again.warnings) == ("duplicate", first.document_id, [])
    hits = retrieval.search("二标段停工", client_ids=[1])
    assert hits and hits[0].document_id == first.document_id and hits[0].kind == "inspection"
    before = _counts(store)
    (third,) = ingest([note], client="光伏电站项目公司", store=store).results
    assert third.status == "duplicate" and _counts(store) == before
    assert _verify(store) == []  # the index state row is recorded in the ledger with the indexing
    with store.session() as s:
        assert ledger.is_recorded(s, "index_state", first.document_id)
    retrieval.reset_retrieval()


def test_a_pdf_is_read_once_for_its_statements_and_its_index(tmp_path, monkeypatch):
    """One text pass per PDF: extraction and the search index share the pages read by ``open_pdf``."""
    import extractors.document
    import extractors.pdf
    from assistant.demo import StatementSpec, render_pdf
    from assistant.ingest import prepare_file
    from extractors.document import open_pdf, sha256_of

    reads: list[str] = []

    def counted(path, **kwargs):
        reads.append(Path(path).name)
        return open_pdf(path, **kwargs)

    monkeypatch.setattr(extractors.document, "open_pdf", counted)
    monkeypatch.setattr(extractors.pdf, "open_pdf", counted)
    statement = tmp_path / "statement.pdf"
    render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=dt.date(2026, 6, 30), seed=1), statement)
    filing = write_pdf(tmp_path / "filing.pdf", ["Board resolution on the 2026 dividend"], pages=3)
    limits = {"max_pages": 5000, "max_file_mb": 200}
    for path, kind in ((statement, "statement"), (filing, "filing")):
        p = prepare_file(str(path), sha256_of(path), path.stat().st_size, "auto", limits, index=True)
        assert (p.error, p.kind) == (None, kind) and p.page_texts
        assert p.index.chunks and p.index.vectors.shape == (len(p.index.chunks), 512)  # embedded here, in the worker
    assert reads == ["statement.pdf", "filing.pdf"]


def test_the_workers_index_exactly_what_the_parent_would(store, tmp_path):
    """Chunks, vectors and BM25 tokens made in the worker processes equal those the parent makes from
    the same scrubbed page texts and statements: moving the work changes no search result."""
    import json
    import sqlite3

    import numpy as np

    from assistant import retrieval
    from assistant.demo import StatementSpec, render_pdf
    from assistant.ingest import prepare_file
    from assistant.retrieval.search import get_retrieval
    from extractors.document import sha256_of

    retrieval.reset_retrieval()
    folder = tmp_path / "in"
    folder.mkdir()
    render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=dt.date(2026, 6, 30), seed=3), folder / "statement.pdf")
    write_pdf(folder / "filing.pdf", ["Board resolution on the 2026 dividend of 1.20 per share", "Approved\x07 unanimously"], pages=3)
    (folder / "visit.txt").write_text(NOTE_ZH, encoding="utf-8")
    report = ingest([folder], client="示例新能源股份有限公司", store=store, workers=2, issuer_override="test")
    assert [r.status for r in report.results] == ["stored"] * 3
    assert not [w for r in report.results for w in r.warnings if "not indexed" in w]
    engine = get_retrieval()
    limits = {"max_pages": 5000, "max_file_mb": 200}
    for r in report.results:
        path = Path(r.path)
        p = prepare_file(str(path), sha256_of(path), path.stat().st_size, "auto", limits)  # in this process, no index
        tables = list(p.extraction.statements) if p.extraction is not None else None
        want = retrieval.prepare_chunks(p.page_texts or [], tables, embedder=engine.embedder)
        got = engine.store.collection.get(where={"document_id": r.document_id}, include=["documents", "embeddings"])
        order = sorted(range(len(got["ids"])), key=lambda i: int(got["ids"][i].split(":")[1]))
        assert [got["documents"][i] for i in order] == [c.text for c in want.chunks] and want.chunks
        assert np.allclose(np.asarray([got["embeddings"][i] for i in order]), want.vectors, atol=1e-5)
        with sqlite3.connect(engine.lexical.path / "rows.sqlite") as db:
            rows = db.execute("SELECT chunk_id, tokens FROM rows WHERE document_id = ?", (r.document_id,)).fetchall()
        assert sorted((cid, json.loads(tokens)) for cid, tokens in rows) == sorted(
            (f"{r.document_id}:{c.index}", t) for c, t in zip(want.chunks, want.tokens, strict=True))
    retrieval.reset_retrieval()


def test_kind_can_be_forced(store, tmp_path):
    plain = tmp_path / "october.txt"
    plain.write_text("Dam wall 80% complete; no problems.", encoding="utf-8")
    (r,) = ingest([plain], client="Hydro Co", kind="inspection", store=store, index=False).results
    assert (r.status, r.kind) == ("stored", "inspection")
    other = tmp_path / "november.txt"
    other.write_text("Minutes of the lenders' meeting.", encoding="utf-8")
    (r,) = ingest([other], client="Hydro Co", kind="statement", store=store, index=False).results
    assert r.status == "failed" and "no financial statement" in r.reason


def test_generated_statements_are_parsed_on_arrival(store, tmp_path):
    from assistant.demo import StatementSpec, render_pdf
    from assistant.domain import Span
    from extractors.pipeline import extract_file

    paths = []
    for i, end in enumerate([dt.date(2026, 6, 30), dt.date(2026, 9, 30)]):
        paths.append(tmp_path / f"{end}.pdf")
        render_pdf(StatementSpec(company="示例新能源股份有限公司", period_end=end, seed=i), paths[-1])
    report = ingest(paths[:1], store=store, workers=2, index=False)
    (r,) = report.results
    assert (r.status, r.kind, r.client) == ("stored", "statement", "示例新能源股份有限公司"), r.reason
    facts = load_snapshot(store, "示例新能源").facts
    expected = {}
    for st in extract_file(paths[0]).statements:  # what the extractor read is what the store holds
        for item in st.items:
            for col, value in zip(st.columns, item.values):
                if item.key and st.scope == "consolidated":
                    expected.setdefault((item.key, Span(col.period_end, col.period_start)), value)
    assert expected and all(facts.value(k, span) == v for (k, span), v in expected.items())
    (r2,) = ingest(paths[1:], store=store, index=False).results
    assert (r2.status, r2.kind, r2.client) == ("stored", "statement", "示例新能源股份有限公司")
    assert _counts(store)["documents"] == 2 and _verify(store) == []


# ---------------------------------------------------------------- kill during ingest

def _make_folder(folder: Path, n: int) -> None:
    folder.mkdir()
    for i in range(n):
        if i % 3 == 0:
            (folder / f"{i:02d}-现场检查.txt").write_text(NOTE_ZH + f"\n记录编号 {i}\n", encoding="utf-8")
        else:
            write_pdf(folder / f"{i:02d}-filing.pdf", [f"Filing number {i}"] + [f"line {k}" for k in range(40)], pages=8)


def _run_cli(home: Path, *args: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "LOANWATCH_DB_URL"}
    env.update(LOANWATCH_HOME=str(home), OMP_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def _check_whole(home: Path) -> dict[str, int]:
    """No half-stored document: each has its note (or statements), no duplicate, the ledger agrees."""
    from assistant.store.db import Store

    st = Store(f"sqlite:///{home / 'loanwatch.db'}")
    try:
        with st.session() as s:
            docs = s.execute(select(DocumentRow)).scalars().all()
            notes = dict(s.execute(select(NoteRow.document_id, func.count()).group_by(NoteRow.document_id)).all())
            statements = dict(s.execute(select(StatementRow.document_id, func.count())
                                        .group_by(StatementRow.document_id)).all())
            for doc in docs:
                assert notes.get(doc.id, 0) == (1 if doc.kind in ("inspection", "filing") else 0), doc.name  # a filing's text too
                assert (statements.get(doc.id, 0) > 0) == (doc.kind == "statement"), doc.name
            assert len({d.sha256 for d in docs}) == len(docs)
            assert [str(p) for p in ledger.verify(s)] == []
            return repo.document_counts(s)
    finally:
        st.dispose()


def _stored(home: Path) -> int:
    import sqlite3

    db = home / "loanwatch.db"
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def _kill_during_ingest(folder, home, n, rng, index: bool = False) -> list[int]:
    """Start ingest up to four times, SIGKILL each run at a random moment; return what was stored at each kill."""
    kills = []
    for _ in range(4):
        if _stored(home) >= n - 1:
            break
        done = _stored(home)
        target = rng.randint(done, done + (n - 1 - done) // 2)  # kill once this many are stored, then a random instant
        proc = _run_cli(home, "ingest", str(folder), "--client", "Kill Co", "--workers", "2", *([] if index else ["--no-index"]))
        deadline = time.monotonic() + 120
        while proc.poll() is None and _stored(home) < target and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(rng.uniform(0, 0.05))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills.append(_stored(home))
        proc.communicate(timeout=60)
        if (home / "loanwatch.db").exists():
            _check_whole(home)
    return kills


def _check_indexed(home: Path) -> None:
    """Every document the index state names has exactly its recorded chunks in Chroma and the lexical rows."""
    import sqlite3

    from assistant.config import reset_settings
    from assistant.retrieval import reset_retrieval
    from assistant.retrieval.search import get_retrieval

    with sqlite3.connect(home / "loanwatch.db") as db:
        state = dict(db.execute("SELECT document_id, chunks FROM index_state").fetchall())
        documents = {d for (d,) in db.execute("SELECT id FROM documents")}
    assert set(state) == documents  # the run that completed indexed every stored document
    old = os.environ.get("LOANWATCH_HOME")
    os.environ["LOANWATCH_HOME"] = str(home)
    reset_settings()
    reset_retrieval()
    try:
        engine = get_retrieval()
        for doc, chunks in state.items():
            assert len(engine.store.collection.get(where={"document_id": doc}, include=[])["ids"]) == chunks > 0, doc
        with sqlite3.connect(engine.lexical.path / "rows.sqlite") as db:
            rows = dict(db.execute("SELECT document_id, count(*) FROM rows GROUP BY document_id").fetchall())
        assert rows == state
    finally:
        os.environ["LOANWATCH_HOME"] = old or ""
        if old is None:
            del os.environ["LOANWATCH_HOME"]
        reset_settings()
        reset_retrieval()


@pytest.mark.slow
def test_killing_an_indexing_ingest_leaves_no_document_half_indexed(tmp_path):
    """With the search index on (chunks and vectors made in the workers, written by the parent), a
    kill at any moment followed by a complete run leaves every document indexed exactly once."""
    folder = tmp_path / "docs"
    n = 12
    _make_folder(folder, n)
    rng = random.Random(int(os.environ.get("LOANWATCH_KILL_SEED", "2026")))
    home = tmp_path / "home"
    kills = _kill_during_ingest(folder, home, n, rng, index=True)
    print(f"killed with {kills} of {n} documents stored")
    assert any(k < n for k in kills), f"no run was killed mid-way ({kills})"
    final = _run_cli(home, "ingest", str(folder), "--client", "Kill Co", "--workers", "2")
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, (kills, err)
    assert _check_whole(home)["documents"] == n
    _check_indexed(home)


@pytest.mark.slow
def test_killing_ingest_at_random_moments_loses_nothing_and_duplicates_nothing(tmp_path):
    folder = tmp_path / "docs"
    n = 18
    _make_folder(folder, n)
    seed = int(os.environ.get("LOANWATCH_KILL_SEED", "2026"))  # fixed by default: CI runs are reproducible
    rng = random.Random(seed)
    # Results reach the parent in bursts, so a kill can land after the last document was stored;
    # such an attempt proves nothing about recovery and is retried in a fresh home.
    for attempt in range(3):
        home = tmp_path / f"home{attempt}"
        kills = _kill_during_ingest(folder, home, n, rng)
        if any(k < n for k in kills):
            break
    print(f"seed {seed}, attempt {attempt}: killed with {kills} of {n} documents stored")
    assert any(k < n for k in kills), f"seed {seed}: no run was killed mid-way in 3 attempts ({kills})"
    final = _run_cli(home, "ingest", str(folder), "--client", "Kill Co", "--workers", "2", "--no-index")
    out, err = final.communicate(timeout=300)
    assert final.returncode == 0, (seed, err)
    assert out.count("\n") == n + 1  # one line per document, then the summary
    counts = _check_whole(home)
    # every document has its text row: the 6 inspection notes, and the 12 filings' text (read by the keyword rules)
    assert counts["documents"] == n and counts["notes"] == n and counts["clients"] == 1, (seed, counts)


# ---------------------------------------------------------------- a worker process that dies

def _spawned_workers() -> list[int]:
    """Process ids of this process's multiprocessing (spawn) workers, found in /proc."""
    me, out = os.getpid(), []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                if ppid == me and b"spawn_main" in (entry / "cmdline").read_bytes():
                    out.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


class _WorkerKiller:
    """SIGKILLs the workers started after it: once when ``fire`` is called, or from then on (``always``)."""

    def __init__(self, always: bool):
        import threading

        self.always, self.killed, self._stop = always, [], threading.Event()
        self._spared = set(_spawned_workers())  # other tests' pools are left alone
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def fire(self) -> None:
        self._kill()
        if self.always:
            self._thread.start()

    def _kill(self) -> None:
        for pid in set(_spawned_workers()) - self._spared:
            try:
                os.kill(pid, signal.SIGKILL)
                self.killed.append(pid)
            except ProcessLookupError:
                pass

    def _loop(self) -> None:
        while not self._stop.wait(0.05):
            self._kill()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes in /proc (Linux)")
@pytest.mark.parametrize("crashes", ["once", "every time"])
def test_a_worker_killed_mid_file_costs_at_most_that_file(store, tmp_path, crashes):
    """Two notes finish, then the worker busy on a long filing is SIGKILLed (as a native crash would end it).

    The pool breaks; the unfinished file is retried alone in a fresh worker: stored when the crash was a one-off,
    reported as a crash (and nothing half-stored) when the file kills every worker that opens it.
    """
    from assistant import ingest as ingest_module

    folder = tmp_path / "in"
    folder.mkdir()
    write_pdf(folder / "0-long-filing.pdf", [f"Filing line {k} of the annual report" for k in range(45)], pages=300)
    (folder / "1-visit.txt").write_text(NOTE_ZH, encoding="utf-8")
    (folder / "2-visit.txt").write_text(NOTE_EN, encoding="utf-8")
    ingest_module._drop_pool(2)  # a fresh pool for this test
    killer, lines = _WorkerKiller(always=crashes == "every time"), []

    def echo(line: str) -> None:
        lines.append(line)
        if len(lines) == 2:  # both notes are stored; the filing is still being read
            assert not any("long-filing" in x for x in lines), lines
            killer.fire()

    try:
        report = ingest([folder], client="Crash Co", store=store, workers=2, index=False, echo=echo)
    finally:
        killer.stop()
    assert killer.killed, "no worker was killed"
    assert 2 not in ingest_module._pools  # the broken pool was dropped: the retry path ran
    results = {Path(r.path).name: r for r in report.results}
    assert [results[n].status for n in ("1-visit.txt", "2-visit.txt")] == ["stored", "stored"]
    long = results["0-long-filing.pdf"]
    if crashes == "once":
        assert (long.status, long.kind, long.pages) == ("stored", "filing", 300), long.reason
        assert _counts(store)["documents"] == 3
    else:
        assert long.status == "failed" and "worker crashed on this file" in long.reason
        assert _counts(store)["documents"] == 2
    assert _verify(store) == []


def test_cli_ingest_prints_one_line_per_document_and_exits_1_after_the_rest(tmp_path):
    folder, home = tmp_path / "docs", tmp_path / "home"
    folder.mkdir()
    (folder / "1-broken.pdf").write_bytes(b"%PDF-1.4 garbage")
    (folder / "2-visit.txt").write_text(NOTE_EN, encoding="utf-8")
    proc = _run_cli(home, "ingest", str(folder), "--client", "CLI Co", "--no-index")
    out, err = proc.communicate(timeout=120)
    lines = sorted(out.splitlines()[:2]) + out.splitlines()[2:]  # lines come in the order files finish
    assert proc.returncode == 1, err
    assert lines[0].startswith("FAILED     1-broken.pdf:") and lines[1].startswith("stored     2-visit.txt → CLI Co")
    assert lines[2].startswith("2 file(s): 1 stored, 0 already stored, 1 failed")
    again = _run_cli(home, "ingest", str(folder / "2-visit.txt"), "--client", "CLI Co", "--no-index")
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 0 and out.startswith("duplicate  2-visit.txt: already stored for CLI Co")


@pytest.mark.real_data
@pytest.mark.slow
def test_a_real_annual_report_reaches_the_snapshot_with_every_gold_figure(store, shared_data):
    import json

    from assistant.domain import Span

    report = shared_data / "real" / "贵州茅台2020年年度报告.pdf"
    (r,) = ingest([report], store=store, index=False).results
    assert (r.status, r.kind, r.client, r.pages) == ("stored", "statement", "贵州茅台酒股份有限公司", 120), r.reason
    facts = load_snapshot(store, "贵州茅台").facts
    gold = [json.loads(line) for line in (shared_data / "real" / "贵州茅台2020年年度报告.gold.jsonl").open(encoding="utf-8")]
    wrong = []
    for g in gold:
        span = Span(dt.date.fromisoformat(g["period_end"]),
                    dt.date.fromisoformat(g["period_start"]) if g["period_start"] else None)
        fact = facts.get(g["key"], span)
        expected = None if g["value"] is None else Decimal(str(g["value"]))
        if fact is None or fact.value != expected or fact.page is None:
            wrong.append((g["key"], span.label, expected, fact and fact.value))
    assert len(gold) == 150 and wrong == []


@pytest.mark.parametrize("name, short", [
    ("SQUARE, INC.", "Square"), ("BEST BUY CO., INC.", "Best Buy"), ("Apple Inc.", "Apple"), ("AT&T INC.", "AT&T"),
    ("THE HOME DEPOT, INC.", "Home Depot"), ("salesforce.com, inc.", "salesforce.com"),
    ("Block", None), ("Acme Holdings", None), ("贵州茅台酒股份有限公司", None), ("Co", None),
])
def test_short_name_drops_only_the_english_legal_form(name, short):
    assert repo.short_name(name) == short


@pytest.mark.real_data
def test_a_us_filer_gets_its_name_without_the_legal_form_as_alias_and_no_brand(store, shared_data):
    report = shared_data / "real" / "BLOCK_2016_10K.pdf"
    (r,) = ingest([report], store=store, index=False).results
    assert r.status == "stored", r.reason
    with store.session() as s:
        client = repo.get_client(s, r.client)
        assert client.name.upper().startswith("SQUARE") and "Square" in client.aliases
        assert not any("block" in a.lower() for a in client.aliases)  # the later brand is not made up
        assert repo.get_client(s, "Square").id == client.id
