"""A process that holds the search index open (the app, ``loanwatch warm``) searches what another
process indexed or removed after it opened it, as a new process would.

Real chromadb (embedded, and a real server), the real embedder, bm25s and jieba; the other
process is a real ``python`` or ``loanwatch ingest`` on the same LOANWATCH_HOME. An embedded
Chroma client does not see another process's writes: before the fix this process's search
missed the new document, or failed ("Error finding id") once its client was in scope.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_builtin_engine import store  # noqa: F401 - the fixture that fills a home with two clients
from tests.test_retrieval import ACME_A, MODES, _engine, no_network, rx  # noqa: F401 - fixtures

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
SWAP = ("Fourth quarter monitoring note. The interest rate swap counterparty was downgraded to BB; "
        "the borrower must replace the hedge within sixty days or post cash collateral.")


def _in_another_process(code: str) -> None:
    """Run ``code`` (with ``rx`` = assistant.retrieval) in a new Python process on this test's home and settings."""
    done = subprocess.run([sys.executable, "-c", f"from assistant import retrieval as rx\n{code}"], cwd=REPO,
                          env={**os.environ, "OMP_NUM_THREADS": "1"}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]


def test_a_document_another_process_indexes_is_found_by_an_open_index(rx) -> None:  # noqa: F811
    rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A)
    rx.index_document(client_id=2, document_id=21, name="zenith-q3.pdf", kind="monitoring", pages=ACME_A[:1])
    for mode in MODES:  # the index is open and searched here, every retriever loaded
        assert {h.document_id for h in rx.search("swap counterparty downgraded hedge", client_ids=[1], k=5, mode=mode)} <= {11}

    _in_another_process("rx.index_document(client_id=1, document_id=12, name='acme-q4.pdf', kind='monitoring', pages=[" + repr(SWAP) + "])")

    for mode in MODES:
        hits = rx.search("swap counterparty downgraded hedge", client_ids=[1], k=5, mode=mode)
        assert hits and hits[0].document_id == 12 and hits[0].document == "acme-q4.pdf" and "BB" in hits[0].text, mode
        assert {h.document_id for h in rx.search("swap counterparty downgraded hedge", client_ids=[2], k=5, mode=mode)} <= {21}  # still scoped


def test_a_document_another_process_removes_is_no_longer_cited(rx) -> None:  # noqa: F811
    rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A)
    rx.index_document(client_id=1, document_id=12, name="acme-q4.pdf", kind="monitoring", pages=[SWAP])
    for mode in MODES:
        assert 11 in {h.document_id for h in rx.search("maintenance reserve account", client_ids=[1], k=5, mode=mode)}

    _in_another_process("rx.delete_document(11)")

    for mode in MODES:
        hits = rx.search("maintenance reserve account toll road traffic", client_ids=[1], k=10, mode=mode)
        assert {h.document_id for h in hits} == ({12} if mode != "lexical" else set()), (mode, [(h.chunk_id, h.text[:40]) for h in hits])


def test_this_process_writes_do_not_reopen_its_index_but_another_process_writes_do(rx, request) -> None:  # noqa: F811
    rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A)
    engine = _engine()
    opened = engine.store
    rx.search("maintenance reserve", client_ids=[1], k=1)  # the lexical rows are checked against Chroma once: a rebuild is a write too
    rx.index_document(client_id=1, document_id=12, name="acme-q4.pdf", kind="monitoring", pages=[SWAP])
    rx.delete_document(12)
    assert rx.search("maintenance reserve", client_ids=[1], k=1)[0].document_id == 11
    assert engine.store is opened  # an ingest of many documents never reopens its own index

    _in_another_process("rx.index_document(client_id=1, document_id=12, name='acme-q4.pdf', kind='monitoring', pages=[" + repr(SWAP) + "])")
    assert rx.search("swap counterparty downgraded", client_ids=[1], k=1)[0].document_id == 12
    embedded = request.node.callspec.params["rx"] == "embedded"
    assert (engine.store is not opened) == embedded  # a server serves every process the same vectors: nothing to reopen
    assert rx.search("swap counterparty downgraded", client_ids=[1], k=1)[0].document_id == 12
    again = engine.store
    rx.search("maintenance reserve", client_ids=[1], k=1)
    assert engine.store is again  # reopened once, not at every search


def test_a_search_in_flight_keeps_its_client_while_another_waits_for_the_reopen(rx, request) -> None:  # noqa: F811
    """The app answers several officers at once: an embedded client is closed only when no call uses it."""
    import threading

    rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A)
    engine = _engine()
    embedded = request.node.callspec.params["rx"] == "embedded"
    found: list = []
    with engine._current():  # a call in flight (a search, an upload's indexing) holds the open client
        opened = engine.store
        _in_another_process("rx.index_document(client_id=1, document_id=12, name='acme-q4.pdf', kind='monitoring', pages=[" + repr(SWAP) + "])")
        waiting = threading.Thread(target=lambda: found.extend(rx.search("swap counterparty downgraded", client_ids=[1], k=1)))
        waiting.start()
        waiting.join(timeout=2 if embedded else 120)
        assert waiting.is_alive() == embedded  # embedded: it waits for the reopen; a server has nothing to reopen
        assert engine.store is opened and opened.count() == 3  # not closed under the call in flight
    waiting.join(timeout=120)
    assert not waiting.is_alive() and found and found[0].document_id == 12


def test_the_app_cites_a_filing_ingested_by_the_command_while_it_runs(store, home, monkeypatch) -> None:  # noqa: F811
    """The app's ask handler (in this process, index open) after `loanwatch ingest` in another process."""
    from assistant.retrieval import index_document, reset_retrieval
    from assistant.store.repo import get_client
    from tests.checkers import PASSWORD, ensure_user
    from ui import work as W

    monkeypatch.setenv("LOANWATCH_ENGINE", "builtin")
    monkeypatch.delenv("LOANWATCH_CHROMA_URL", raising=False)
    reset_retrieval()
    with store.session() as s:
        client_id = get_client(s, "华信光伏").id
    index_document(client_id=client_id, document_id=101, name="华信光伏现场检查.txt", kind="inspection",
                   pages=["2026年9月12日现场检查：发现在建工程进度滞后，实际完成60%，计划75%。施工方资金紧张，部分设备停工。"])
    officer = ensure_user(store, "zhang_u", "officer", clients=["华信光伏"])
    question = "华信光伏现场检查发现环保整改有什么问题?"
    before = list(W.ask_stream(store, officer, question, "华信光伏"))[-1]
    assert before.done and "华信光伏现场检查.txt" in {c["document"] for c in before.citations}  # the app's index is open

    note = home.parent / "华信光伏第二次现场检查.txt"
    note.write_text("现场检查\n检查日期：2026年10月3日\n仓库存货积压，约有三成组件滞销；环保整改尚未完成，环保部门已下达整改通知。\n",
                    encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assistant.cli", "ingest", str(note), "--client", "华信光伏", "--kind", "inspection",
                           "--workers", "1", "--as", "zhang_u"], cwd=REPO, env={**os.environ, "OMP_NUM_THREADS": "1", "LOANWATCH_PASSWORD": PASSWORD},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "not indexed" not in done.stdout, done.stdout + done.stderr

    after = list(W.ask_stream(store, officer, question, "华信光伏"))[-1]
    cited = [c for c in after.citations if c["document"] == note.name]
    assert cited and "2026年10月3日" in cited[0]["quote"], after.citations
    reset_retrieval()
