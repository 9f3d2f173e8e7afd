"""``loanwatch warm``: a real service in a subprocess answers ``loanwatch ask`` exactly as the
command would in its own process, keeps each caller's scope, and the command falls back
quietly when the service is gone or was started with other settings."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests.test_builtin_engine import store  # noqa: F401 - the fixture that fills the home

pytestmark = pytest.mark.slow

INSPECTION = "2026年9月12日现场检查：发现在建工程进度滞后，实际完成60%，计划75%。施工方资金紧张，部分设备停工。"
LATER = "2026年10月3日现场检查：仓库存货积压，约有三成组件滞销；环保整改尚未完成。"


def _env(**extra: str) -> dict:
    return {**os.environ, "LOANWATCH_ENGINE": "builtin", "OMP_NUM_THREADS": "1", **extra}


def cli(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from assistant.cli import main; main()", *args],
                          capture_output=True, text=True, env=_env(**extra), timeout=300)


def start_service(home, **extra: str) -> subprocess.Popen:  # noqa: ANN001
    proc = subprocess.Popen([sys.executable, "-c", "from assistant.cli import main; main()", "warm"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_env(**extra))
    from assistant import warm

    deadline = time.monotonic() + 240
    while (warm.request({"op": "ping"}, home=home) or {}).get("pid") != proc.pid:  # not a stale file's service
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the warm service did not start: {proc.communicate()[0]}")
        time.sleep(0.2)
    return proc


def answered(home) -> int:  # noqa: ANN001
    from assistant import warm

    reply = warm.request({"op": "ping"}, home=home)
    assert reply is not None, "the service does not answer"
    return reply["answered"]


@pytest.fixture()
def indexed(store, home, monkeypatch):  # noqa: F811
    from assistant.retrieval import index_document, reset_retrieval
    from assistant.store.repo import get_client

    monkeypatch.setenv("LOANWATCH_ENGINE", "builtin")
    with store.session() as s:
        ids = {alias: get_client(s, alias).id for alias in ("华信光伏", "宁远高速")}
    index_document(client_id=ids["华信光伏"], document_id=101, name="华信光伏现场检查.txt", kind="inspection", pages=[INSPECTION])
    index_document(client_id=ids["宁远高速"], document_id=102, name="宁远高速现场检查.txt", kind="inspection",
                   pages=[INSPECTION.replace("60%", "61%")])
    yield ids
    reset_retrieval()


QUESTIONS = [
    ("华信光伏2026年三季度末的流动比率是多少?", "--json"),  # a figure from the store
    ("2026年三季度营业收入是多少?", "--client", "华信光伏"),  # plain text with citations
    ("华信光伏现场检查发现了什么问题?", "--json"),  # a search-backed answer (embedder, BM25, jieba)
    ("营业收入是多少?", "--client", "不存在的公司"),  # an error: one line, exit 1
]


def test_ask_through_the_service_gives_the_in_process_answer_and_falls_back(store, home, indexed):  # noqa: F811
    alone = [cli("ask", *q) for q in QUESTIONS]
    assert [r.returncode for r in alone] == [0, 0, 0, 1], [r.stderr for r in alone]
    assert "华信光伏现场检查.txt" in alone[2].stdout

    proc = start_service(home)
    try:
        state = home / "warm.json"
        assert oct(state.stat().st_mode & 0o777) == "0o600"
        warm = [cli("ask", *q) for q in QUESTIONS]
        assert answered(home) == len(QUESTIONS)  # the service answered every one …
        for a, w in zip(alone, warm, strict=True):  # … as the command does alone, to the byte
            assert (w.returncode, w.stdout, w.stderr) == (a.returncode, a.stdout, a.stderr)

        # a document indexed by another process after the service started is found by it
        from assistant.retrieval import index_document

        index_document(client_id=indexed["华信光伏"], document_id=103, name="华信光伏第二次现场检查.txt", kind="inspection",
                       pages=[LATER])
        question = ("华信光伏现场检查发现环保整改有什么问题?", "--json")
        through = cli("ask", *question)
        assert answered(home) == len(QUESTIONS) + 1
        assert "华信光伏第二次现场检查.txt" in through.stdout

        # other settings than the service's: it refuses, the command answers itself
        other = cli("ask", *question, LOANWATCH_ENGINE="auto")
        assert answered(home) == len(QUESTIONS) + 1
        assert other.returncode == 0 and json.loads(other.stdout)["citations"] == json.loads(through.stdout)["citations"]
    finally:
        proc.send_signal(signal.SIGKILL)  # no clean-up: a stale file and socket stay behind
        proc.wait(timeout=30)
    assert (home / "warm.json").is_file()
    after = cli("ask", *question)
    assert (after.returncode, after.stdout, after.stderr) == (0, through.stdout, "")

    # a clean stop removes the file and the socket
    proc = start_service(home)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    assert not (home / "warm.json").exists() and not (home / "warm.sock").exists()


def test_the_service_answers_as_the_token_holder_and_never_beyond(store, home, indexed):  # noqa: F811
    from assistant import warm
    from assistant.chat.service import ask
    from assistant.errors import AccessDeniedError, LoanwatchError
    from assistant.sessions import open_session, session_user
    from tests.checkers import ensure_user

    ensure_user(store, "zhang_u", "officer", clients=["华信光伏"])
    ensure_user(store, "li_u", "officer", clients=["宁远高速"])
    zhang = open_session(store, "zhang_u", kind="cli")
    proc = start_service(home)
    try:
        for question, client in (("现场检查发现了什么问题?", None), ("宁远高速的流动比率是多少?", None),
                                 ("华信光伏2026年三季度末的流动比率是多少?", None)):
            through = warm.ask(question, client=client, token=zhang)
            assert through is not None
            here = ask(question, user=session_user(zhang, store=store), client=client).to_json_dict()
            here.pop("understood", None)
            assert through == json.loads(json.dumps(here))
            assert not any("宁远" in c["document"] for c in through["citations"]) and "61%" not in through["answer"]

        with pytest.raises(AccessDeniedError) as in_process:
            ask("流动比率是多少?", user=session_user(zhang, store=store), client="宁远高速")
        with pytest.raises(AccessDeniedError) as via_service:
            warm.ask("流动比率是多少?", client="宁远高速", token=zhang)
        assert str(via_service.value) == str(in_process.value)

        with pytest.raises(LoanwatchError, match="log in again"):  # an unknown token is refused, never ignored
            warm.ask("现场检查发现了什么问题?", token="not-a-token")

        # without the secret the service answers nothing
        state = json.loads((home / "warm.json").read_text())
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.connect(state["socket"])
            conn.sendall(json.dumps({"op": "ask", "question": "现场检查发现了什么问题?", "secret": "guess",
                                     "config": warm.fingerprint()}).encode() + b"\n")
            conn.shutdown(socket.SHUT_WR)
            reply = json.loads(b"".join(iter(lambda: conn.recv(65536), b"")))
        assert reply == {"refused": "secret"}
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_the_service_reopens_the_index_when_another_process_wrote_to_it(store, home, indexed):  # noqa: F811
    """An embedded Chroma client keeps the vectors it loaded; the service must reopen it after an ingest elsewhere."""
    from assistant import warm
    from assistant.retrieval import search

    service = warm._Service(home, secret="s", config="c")
    req = {"op": "ask", "question": "华信光伏现场检查发现了什么问题?", "secret": "s", "config": "c"}
    assert "answer" in service.reply(req)
    code = ("from assistant.retrieval import index_document; "
            f"index_document(client_id={indexed['华信光伏']}, document_id=103, name='华信光伏第二次现场检查.txt', "
            f"kind='inspection', pages=[{LATER!r}])")
    subprocess.run([sys.executable, "-c", code], env=_env(), check=True, timeout=300)
    assert "answer" in service.reply(req)
    dense = search("仓库存货积压，环保整改尚未完成", client_ids=[indexed["华信光伏"]], k=5, mode="dense")
    assert "华信光伏第二次现场检查.txt" in {h.document for h in dense}


MEMO = ("memo", "华信光伏", "--period", "2026Q3", "--as-of", "2026-10-25")
COMMANDS = [
    ("client", "list"),
    ("client", "list", "--json"),
    ("status", "华信光伏", "--period", "2026Q3"),  # rich tables, printed by the caller
    ("status", "宁远高速", "--json"),
    ("status", "不存在的公司"),  # an error: one line, exit 1
    MEMO,
    ("memo", "不存在的公司", "--period", "2026Q3"),
]


def _ledger_tail(st, after: int) -> list[tuple[str, str, str]]:  # noqa: ANN001
    from sqlalchemy import select

    from assistant.store.schema import LedgerRow

    with st.session() as s:
        rows = s.execute(select(LedgerRow).where(LedgerRow.seq > after).order_by(LedgerRow.seq)).scalars().all()
        return [(r.actor, r.action, r.entity) for r in rows]


def _ledger_head(st) -> int:  # noqa: ANN001
    from assistant import ledger

    with st.session() as s:
        top = ledger.head(s)
    return top.seq if top else 0


def test_memo_status_and_client_list_through_the_service_print_and_record_what_the_command_does_alone(store, home):  # noqa: F811
    """Each command alone, then through the service: the same bytes, exit status and ledger entries;
    a memo names its caller's session user as its author, never the token of the service's own shell."""
    from assistant.sessions import open_session
    from tests.checkers import ensure_user

    ensure_user(store, "zhang_u", "officer", clients=["华信光伏"])
    ensure_user(store, "li_u", "officer", clients=["宁远高速"])
    zhang, li = open_session(store, "zhang_u", kind="cli"), open_session(store, "li_u", kind="cli")
    saved = home / "session"  # what `loanwatch login` writes
    runs = [(c, {}, None) for c in COMMANDS] + [(MEMO, {"LOANWATCH_TOKEN": zhang}, None), (MEMO, {"LOANWATCH_TOKEN": "not-a-token"}, None),
                                                 (MEMO, {}, 0o600), (MEMO, {}, 0o644)]  # a saved login; one others can read

    def each(via_service: bool) -> list[tuple]:
        out = []
        for args, extra, mode in runs:
            if mode is not None:
                saved.write_text(zhang, encoding="ascii")
                saved.chmod(mode)
            seq = _ledger_head(store)
            done = cli(*args, **extra)
            saved.unlink(missing_ok=True)
            out.append((args, done.returncode, done.stdout, done.stderr, _ledger_tail(store, seq)))
        return out

    alone = each(False)
    assert [r[1] for r in alone] == [0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1], [r[3] for r in alone]
    assert "can be read by other users" in alone[-1][3]
    memo_by = [tuple(a for a, *_ in r[4] if a) for r in alone if r[0] == MEMO and r[1] == 0]
    # the draft's ledger entries name who drafted it; zhang_u drafting the very same memo again stores nothing
    assert memo_by == [("system",), ("zhang_u",), ()], memo_by

    proc = start_service(home, LOANWATCH_TOKEN=li)  # the service's own shell is logged in as someone else
    try:
        through = each(True)
        assert answered(home) == len(runs) - 1  # the service answered every one (not the unsafe token file's) …
        for a, w in zip(alone, through, strict=True):  # … as the command does alone, to the byte and ledger entry
            assert w == a, a[0]
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_through_the_service_a_command_loads_neither_the_store_nor_the_engine(store, home):  # noqa: F811
    """The caller of a running service only formats its reply: no SQLAlchemy, no settings model, no engine."""
    heavy = ("sqlalchemy", "pydantic_settings", "assistant.store", "assistant.chat.service", "assistant.memo.workflow",
             "assistant.status", "chromadb", "jieba")
    code = ("import atexit, sys\n"
            f"atexit.register(lambda: print('LOADED=' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr))\n"
            "from assistant.cli import main\nmain()")
    commands = [("client", "list"), ("status", "华信光伏"), ("status", "华信光伏", "--json"), MEMO,
                ("ask", "华信光伏2026年三季度末的流动比率是多少?")]
    proc = start_service(home)
    try:
        for args in commands:
            done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=_env(), timeout=300)
            assert done.returncode == 0, done.stderr
            line = [x for x in done.stderr.splitlines() if x.startswith("LOADED=")][-1]
            assert line == "LOADED=", (args, line)
        assert answered(home) == len(commands)
    finally:
        proc.terminate()
        proc.wait(timeout=60)
