"""The LLM memo engine against the scripted OpenAI-compatible server on 127.0.0.1.

A scripted model that rewrites faithfully is accepted; one that plants a wrong number has
that paragraph rejected (the built-in wording stays) and flagged in the memo and the CLI.
The real openai client and LangChain code run; nothing of our own stack is mocked.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.llm import Endpoint, OpenAIBackend
from assistant.memo import allowed_numbers, build_memo, render_markdown, verify_memo
from assistant.memo.builder import resolve_span
from assistant.memo.model import Paragraph, Table
from assistant.memo.render_md import read_meta
from assistant.memo.rewrite import MASK, NARRATIVE_SECTIONS, parse_numbered, rewrite_memo
from tests.memo_fixtures import declining_client, store_snapshot
from tests.openai_server import OpenAIServer

REPO = Path(__file__).resolve().parents[1]
PREFIX = {"zh": "据资料显示，", "en": "Per the filings, "}
_DRAFT = re.compile(r"<<<DATA \w+ draft>>>\n(.*?)\n<<<END DATA", re.S)


def draft_of(body: dict) -> str:
    request = next(m["content"] for m in body["messages"] if _DRAFT.search(m.get("content") or ""))
    return _DRAFT.search(request).group(1)


def faithful(lang: str):
    """A model that rephrases each paragraph without touching a number."""

    def turn(body: dict) -> str:
        paragraphs = parse_numbered(draft_of(body))
        return "\n\n".join(f"[[{n}]]\n{PREFIX[lang]}{text}" for n, text in sorted(paragraphs.items()))

    return turn


def planting(old: str, new: str):
    """A model that rephrases faithfully except one planted wrong number."""

    def turn(body: dict) -> str:
        return faithful("zh")(body).replace(old, new, 1)

    return turn


def backend_for(server: OpenAIServer) -> OpenAIBackend:
    return OpenAIBackend(Endpoint("test-key", server.base_url, "scripted-model", max_retries=0),
                         today=dt.date(2026, 11, 29))


@pytest.fixture(scope="module")
def client():
    snap = declining_client()
    return snap, allowed_numbers(snap, resolve_span("2026Q3"))


def _narrative_texts(memo) -> list[str]:
    return [b.text for s in memo.sections if s.key in NARRATIVE_SECTIONS for b in s.blocks
            if isinstance(b, Paragraph) and b.style != "quote"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_faithful_rewrite_is_accepted_and_tables_and_citations_stay_code_written(client, lang):
    snap, allowed = client
    builtin = build_memo(snap, "2026Q3", lang=lang)
    with OpenAIServer([faithful(lang)]) as server:
        memo = rewrite_memo(builtin, backend_for(server), allowed, model="scripted-model")
        sent = server.requests[0]["messages"]
    assert (memo.engine, memo.model, memo.flags) == ("llm", "scripted-model", [])
    texts = _narrative_texts(memo)
    assert texts and all(t.startswith(PREFIX[lang]) for t in texts)
    assert [s.key for s in memo.sections if s.key != "review"] == [s.key for s in builtin.sections]
    for old, new in zip(builtin.sections, [s for s in memo.sections if s.key != "review"]):  # same tables, citations
        assert old.key == new.key
        assert [b for b in old.blocks if isinstance(b, Table)] == [b for b in new.blocks if isinstance(b, Table)]
        assert [sorted(set(b.cites)) for b in old.blocks if isinstance(b, Paragraph)] == \
               [sorted(set(b.cites)) for b in new.blocks if isinstance(b, Paragraph)]
    assert memo.sources == builtin.sources
    assert "[[1]]" in draft_of({"messages": sent}) and "<<<DATA" in sent[-1]["content"]
    text = render_markdown(memo)
    assert read_meta(text)["engine"] == "llm" and read_meta(text)["model"] == "scripted-model"
    assert verify_memo(text, allowed).ok
    review = [s for s in memo.sections if s.key == "review"]
    assert review and memo.sections[-1].key == "sources" and memo.sections[-2].key == "review"


def test_a_planted_wrong_number_is_removed_and_flagged(client):
    snap, allowed = client
    builtin = build_memo(snap, "2026Q3")
    rendered = render_markdown(builtin)
    assert "营业收入 1.52亿元" in rendered
    plant = planting("1.52亿元", "1.85亿元")
    with OpenAIServer([plant, plant]) as server:  # first answer, then the one asked again
        memo = rewrite_memo(builtin, backend_for(server), allowed, model="scripted-model")
        assert len(server.requests) == 2
    text = render_markdown(memo)
    assert "1.85亿" not in text  # the planted number never reaches the memo
    assert verify_memo(text, allowed).ok
    kinds = [f.kind for f in memo.flags]
    assert kinds.count("unsupported_number") == 1 and "regenerated" in kinds
    flag = next(f for f in memo.flags if f.kind == "unsupported_number")
    assert "1.85亿" in flag.detail and flag.section in NARRATIVE_SECTIONS
    assert MASK in flag.message and "1.85" not in flag.message
    review = memo.section("review")
    assert any(flag.message == b.text for b in review.blocks)
    # the paragraph with the planted number keeps the built-in wording; the others are rewritten
    kept = [t for t in _narrative_texts(memo) if not t.startswith(PREFIX["zh"])]
    assert len(kept) == 1 and "1.52亿元" in kept[0]
    assert kept[0] in _narrative_texts(builtin)


def test_a_missing_paragraph_keeps_the_builtin_wording(client):
    snap, allowed = client
    builtin = build_memo(snap, "2026Q3")

    def drops_first(body: dict) -> str:
        answer = faithful("zh")(body)
        return answer.split("\n\n", 1)[1]

    with OpenAIServer([drops_first]) as server:
        memo = rewrite_memo(builtin, backend_for(server), allowed)
    assert [f.kind for f in memo.flags] == ["missing_paragraph"]
    assert _narrative_texts(memo)[0] == _narrative_texts(builtin)[0]


def test_cli_drafts_with_the_llm_engine_when_configured(home, tmp_path):
    from assistant.store import close_stores, open_store

    store_snapshot(open_store(), declining_client())
    close_stores()
    plant = planting("1.52亿元", "1.85亿元")
    with OpenAIServer([plant, plant]) as server:
        env = {**os.environ, "LOANWATCH_HOME": str(home), "OMP_NUM_THREADS": "1", "OPENAI_API_KEY": "test-key",
               "OPENAI_BASE_URL": server.base_url, "LOANWATCH_LLM_MODEL": "scripted-model", "LOANWATCH_ENGINE": "auto"}
        done = subprocess.run([sys.executable, "-m", "assistant.cli", "memo", "示例新能源", "--period", "2026Q3",
                               "--as-of", "2026-10-25"], capture_output=True, text=True, env=env, cwd=REPO,
                              timeout=120)
    assert done.returncode == 0, done.stderr
    assert "engine llm (scripted-model)" in done.stderr and "unsupported_number" in done.stderr
    assert "1.85亿" in done.stderr and "1.85亿" not in done.stdout
    assert read_meta(done.stdout)["engine"] == "llm"
    assert "## 9. 审阅提示" in done.stdout and PREFIX["zh"] in done.stdout
    path = tmp_path / "memo.md"
    path.write_text(done.stdout, encoding="utf-8")
    checked = subprocess.run([sys.executable, "-m", "assistant.cli", "memo", "verify", str(path)], capture_output=True,
                             text=True, env={**os.environ, "LOANWATCH_HOME": str(home)}, cwd=REPO, timeout=120)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_an_llm_memo_file_reads_back_and_verifies(client, tmp_path, fmt):
    from assistant.memo import memo_text, render_docx, render_pdf

    snap, allowed = client
    plant = planting("1.52亿元", "1.85亿元")
    with OpenAIServer([plant, plant]) as server:
        memo = rewrite_memo(build_memo(snap, "2026Q3"), backend_for(server), allowed, model="scripted-model")
    path = tmp_path / f"memo.{fmt}"
    (render_docx if fmt == "docx" else render_pdf)(memo, path)
    text, meta = memo_text(path)
    assert meta["engine"] == "llm" and meta["model"] == "scripted-model"
    assert "审阅提示" in text and MASK in text and "1.85" not in text
    report = verify_memo(text, allowed)
    assert report.ok, report.summary()


def test_a_rewrite_that_contradicts_a_claim_is_not_used(client):
    """The model writes "已达标" where the covenant is breached: every number traces, the claim does not."""
    from assistant.memo.claims import claim_facts

    snap, allowed = client
    builtin = build_memo(snap, "2026Q3")
    assert "已构成违约" in render_markdown(builtin)
    plant = planting("已构成违约", "已达标")
    with OpenAIServer([plant]) as server:
        memo = rewrite_memo(builtin, backend_for(server), allowed, model="scripted-model",
                            claims=claim_facts(snap, resolve_span("2026Q3")))
    covenants = " ".join(b.text for b in memo.section("covenants").blocks if isinstance(b, Paragraph))
    assert "已达标" not in covenants and "已构成违约" in covenants  # the built-in wording stays
    flag = next(f for f in memo.flags if f.kind == "contradiction")
    assert flag.section == "covenants" and "达标" in flag.detail
    assert any(flag.message == b.text for b in memo.section("review").blocks)
