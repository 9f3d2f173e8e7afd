"""Retrieval quality and speed: ``python -m eval retrieval``.

1. **Recall@5 on evidence pages.** Index the FinanceBench dev documents of
   ``shared/data/real`` (every page, via ``extractors.document.open_pdf``), each document as
   its own client, and ask every question of ``questions/financebench_dev.jsonl`` scoped to
   its company's client (as ``ask`` does once it has resolved the company) and, harder,
   across all clients. Recall = share of the evidence pages (``evidence_page_num``, 0-based)
   among the pages of the top 5 hits; "hit" = at least one evidence page in the top 5.
   Dense, lexical and hybrid (reciprocal-rank fusion) are measured separately.
   A second, larger set: the ``figure`` questions of ``questions/figures_dev.jsonl`` (English and
   Chinese), each one's evidence page being the page the gold file (``real/*.gold.jsonl``) prints
   the asked value on for that period; scored the same way, scoped to the company.
2. **Latency at scale.** Generate a corpus of ``--chunks`` (100,000) synthetic chunks
   (monitoring notes, statement rows, inspection findings; Chinese and English, 200 clients),
   index it with the real embedder into a cached home, and time ``search`` (warm, one query
   at a time) for queries scoped to one client and to 20 clients: p50 / p95 per mode.

Indexes are cached under ``--cache`` (default ``$TMPDIR/loanwatch-eval-retrieval``), keyed by
the embedding model and a hash of the chunking/tokenising code, so a rerun only searches.
Writes ``eval/reports/retrieval.md`` and ``.json`` (``retrieval-e5.*`` etc. for another embedding).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "eval" / "reports"
MODES = ("dense", "lexical", "hybrid")
K = 5


def _code_hash() -> str:
    h = hashlib.sha256()
    for name in ("chunking.py", "embeddings.py"):  # lexical rows rebuild themselves (TOKENIZER_VERSION)
        h.update((REPO / "assistant" / "retrieval" / name).read_bytes())
    return h.hexdigest()[:10]


def _use_home(path: Path) -> None:
    from assistant.config import reset_settings
    from assistant.retrieval import reset_retrieval

    os.environ["LOANWATCH_HOME"] = str(path)
    os.environ.pop("LOANWATCH_CHROMA_URL", None)
    reset_settings()
    reset_retrieval()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


# ---- 1. recall on the FinanceBench dev questions ----------------------------------------


def index_dev_documents(data: Path, home: Path) -> dict[str, int]:
    """Index every dev PDF as its own client (once per cache key); return doc name → client id."""
    from assistant.retrieval import index_document
    from extractors.document import open_pdf

    pdfs = sorted((data / "real").glob("*.pdf"))
    clients = {p.stem: i for i, p in enumerate(pdfs, start=1)}
    marker = home / "dev-indexed.json"
    if marker.exists():
        return clients
    for pdf in pdfs:
        started = time.perf_counter()
        text = open_pdf(pdf)
        n = index_document(
            client_id=clients[pdf.stem], document_id=clients[pdf.stem], name=pdf.name, kind="annual_report", pages=text.page_texts
        )
        print(f"  indexed {pdf.name}: {text.page_count} pages, {n} chunks, {time.perf_counter() - started:.1f}s", file=sys.stderr)
    marker.write_text(json.dumps(clients, ensure_ascii=False))
    return clients


def score_recall(data: Path, clients: dict[str, int]) -> dict:
    from assistant.retrieval import search

    questions = [json.loads(line) for line in (data / "questions" / "financebench_dev.jsonl").read_text().splitlines() if line.strip()]
    all_clients = list(clients.values())
    out: dict = {"questions": len(questions), "scoped": {}, "all_clients": {}, "per_question": []}
    for scope_name in ("scoped", "all_clients"):
        for mode in MODES:
            recalls, hits = [], []
            for q in questions:
                doc = q["doc_name"]
                evidence = {e["evidence_page_num"] for e in q["evidence"] if e.get("doc_name", doc) == doc}
                scope = [clients[doc]] if scope_name == "scoped" else all_clients
                found = search(q["question"], client_ids=scope, k=K, mode=mode)
                pages = {h.page - 1 for h in found if h.document_id == clients[doc]}
                recalls.append(len(evidence & pages) / len(evidence))
                hits.append(bool(evidence & pages))
                if scope_name == "scoped":
                    out["per_question"].append(
                        {"id": q["financebench_id"], "mode": mode, "evidence": sorted(evidence), "top5_pages": [h.page - 1 for h in found]}
                    )
            out[scope_name][mode] = {"recall@5": round(statistics.mean(recalls), 3), "hit@5": round(statistics.mean(hits), 3)}
    return out


def figure_questions(data: Path) -> list[dict]:
    """``figure`` questions of figures_dev with their evidence pages (1-based) from the gold files."""
    pages: dict[tuple, set[int]] = {}
    for gold in (data / "real").glob("*.gold.jsonl"):
        for line in gold.read_text(encoding="utf-8").splitlines():
            if line.strip():
                g = json.loads(line)
                pages.setdefault((g["doc"], g.get("period_start"), g["period_end"], g["value"]), set()).add(int(g["page"]))
    out = []
    for line in (data / "questions" / "figures_dev.jsonl").read_text(encoding="utf-8").splitlines():
        q = json.loads(line) if line.strip() else None
        if q and q.get("type") == "figure":
            found = pages.get((q["doc"], q.get("period_start"), q["period_end"], q["value"])) or \
                pages.get((q["doc"], None, q["period_end"], q["value"]))
            if found:
                out.append({**q, "evidence": sorted(found)})
    return out


def score_figure_recall(data: Path, clients: dict[str, int]) -> dict:
    from assistant.retrieval import search

    questions = figure_questions(data)
    out: dict = {"questions": len(questions), "by_lang": {}}
    for mode in MODES:
        recalls: dict[str, list[float]] = {}
        for q in questions:
            client = clients[Path(q["doc"]).stem]
            found = search(q["question"], client_ids=[client], k=K, mode=mode)
            got = {h.page for h in found}
            recalls.setdefault(q.get("lang", "?"), []).append(len(got & set(q["evidence"])) / len(q["evidence"]))
        every = [r for rs in recalls.values() for r in rs]
        out[mode] = {"recall@5": round(statistics.mean(every), 3), "hit@5": round(statistics.mean(r > 0 for r in every), 3)}
        out["by_lang"][mode] = {lang: round(statistics.mean(rs), 3) for lang, rs in sorted(recalls.items())}
    return out


# ---- 2. latency at scale -----------------------------------------------------------------

_COMPANIES = ["华信光伏", "东方路桥", "长江电力设备", "海川物流", "金石化工", "Northwind Foods", "Acme Toll Road",
              "Blue River Energy", "Summit Retail", "Harbor Logistics", "宏达纺织", "新辰医药", "Pioneer Steel", "云帆科技"]
_ZH = [
    "{c}{p}营业收入{a}万元，同比{d}{x}%，主要原因是{r}。",
    "现场检查发现{c}存货周转放缓，仓库积压约{a}万元，{r}。",
    "{c}{p}末流动比率{x}，资产负债率{y}%，较年初{d}。",
    "{c}对外担保余额{a}万元，涉及关联方{n}家，需关注代偿风险。",
    "贷后检查：{c}按期支付利息，{p}经营性现金流净额{a}万元，{r}。",
    "{c}的应收账款账龄超过一年的占比{x}%，坏账准备计提{a}万元。",
]
_EN = [
    "{c} reported {p} revenue of {a} thousand, {dir} {x}% year over year, mainly because {re}.",
    "Site visit to {c}: inventory levels {dir} to {a} thousand; management cited {re}.",
    "{c} debt service coverage ratio was {x} in {p}, against a covenant minimum of {y}.",
    "Traffic on the {c} section {dir} {x}% in {p}; toll income reached {a} thousand.",
    "{c} disclosed a guarantee of {a} thousand for a related party; {re}.",
    "Accounts receivable of {c} over 180 days rose to {a} thousand, {x}% of the total.",
]
_REASONS_ZH = ["原材料价格上涨", "下游需求回暖", "新增产能投产", "客户回款延迟", "疫情影响减弱", "政府补贴到位"]
_REASONS_EN = ["higher input costs", "a new distribution contract", "weaker demand in the east region",
               "delayed customer payments", "the opening of a new plant", "lower interest rates"]
_PERIODS = ["2024年一季度", "2024年上半年", "2025年三季度", "2025年度", "2026年一季度", "FY2024", "Q3 2025", "FY2026"]


def _synthetic_chunk(rng: random.Random) -> str:
    zh = rng.random() < 0.5
    parts = []
    for _ in range(rng.randint(2, 4)):
        tpl = rng.choice(_ZH if zh else _EN)
        parts.append(
            tpl.format(
                c=rng.choice(_COMPANIES), p=rng.choice(_PERIODS), a=f"{rng.randint(100, 999999):,}", x=rng.randint(1, 99),
                y=rng.randint(20, 90), n=rng.randint(1, 9), d=rng.choice(["增长", "下降"]), dir=rng.choice(["up", "down"]),
                r=rng.choice(_REASONS_ZH), re=rng.choice(_REASONS_EN),
            )
        )
    return ("" if zh else " ").join(parts)


def index_synthetic(home: Path, chunks: int, *, pool: int, clients: int = 200, per_doc: int = 100) -> float:
    """Index ``chunks`` synthetic one-chunk pages (cached); return the seconds it took (0 if cached).

    ``pool`` = 0 embeds every chunk with the real embedder (≈20–300 chunks/s here, depending on
    load: up to ~1.5 h for 100k). Otherwise ``pool`` distinct chunks are embedded for real and
    every chunk reuses one of them with a unique reference line and a perturbed vector (cosine
    ≈0.95 to the original): the search path measured is unchanged (query embedding, Chroma HNSW
    with the client filter, BM25 over every chunk), only the corpus vectors are cheaper to make.
    """
    import numpy as np

    from assistant.retrieval.lexical import LexicalRow
    from assistant.retrieval.search import get_retrieval

    marker = home / f"scale-{chunks}.done"
    if marker.exists():
        return 0.0
    engine = get_retrieval()
    rng = random.Random(20261129)
    noise = np.random.default_rng(7)
    started = time.perf_counter()
    base = [_synthetic_chunk(rng) for _ in range(pool)] if pool else []
    base_vectors = engine.embedder.embed_passages(base) if pool else None
    for d in range(chunks // per_doc):
        client, document = d % clients + 1, d + 1
        numbers = range(d * per_doc, (d + 1) * per_doc)
        if pool:
            texts = [f"{base[i % pool]}\nRef LW-{i}" for i in numbers]
            vectors = base_vectors[[i % pool for i in numbers]]
            vectors = vectors + noise.normal(0, 0.3 / np.sqrt(vectors.shape[1]), vectors.shape).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        else:
            texts = [_synthetic_chunk(rng) for _ in numbers]
            vectors = engine.embedder.embed_passages(texts)
        ids = [f"{document}:{j}" for j in range(per_doc)]
        metas = [
            {"client_id": client, "document_id": document, "document": f"synthetic-{document}.pdf", "kind": "inspection",
             "page": j + 1, "chunk": j, "block": "text"}
            for j in range(per_doc)
        ]
        engine.store.add(ids, texts, metas, vectors)
        engine.lexical.add(LexicalRow(i, client, document, "inspection", t) for i, t in zip(ids, texts, strict=True))
        if (d + 1) % 100 == 0:
            print(f"  {((d + 1) * per_doc):,} chunks indexed, {time.perf_counter() - started:.0f}s", file=sys.stderr)
    seconds = time.perf_counter() - started
    marker.write_text(f"{seconds:.1f}")
    return seconds


def score_latency(home: Path, chunks: int, queries: int = 200) -> dict:
    from assistant.retrieval import search
    from assistant.retrieval.search import get_retrieval

    engine = get_retrieval()
    stored = engine.store.count()
    started = time.perf_counter()
    engine.search("warm up 预热", client_ids=[1], k=K)  # loads the BM25 matrix (or builds it once)
    warm = time.perf_counter() - started
    rng = random.Random(7)
    asks = [
        rng.choice(["{c}现场检查发现了什么问题？", "{c}的应收账款账龄情况如何", "{c}对外担保余额是多少", "How is {c} toll income doing?",
                    "Why did {c} revenue change?", "{c} debt service coverage ratio covenant"]).format(c=rng.choice(_COMPANIES))
        for _ in range(queries)
    ]
    out: dict = {"chunks_indexed": stored, "first_search_s": round(warm, 2)}
    for scope_name, width in (("1 client", 1), ("20 clients", 20)):
        for mode in MODES:
            times = []
            for i, ask in enumerate(asks):
                first = (i * 7) % 200 + 1
                scope = [(first + j - 1) % 200 + 1 for j in range(width)]
                t = time.perf_counter()
                search(ask, client_ids=scope, k=K, mode=mode)
                times.append((time.perf_counter() - t) * 1000)
            out[f"{scope_name} / {mode}"] = {"p50_ms": round(_percentile(times, 0.5), 1), "p95_ms": round(_percentile(times, 0.95), 1)}
    return out


# ---- report ------------------------------------------------------------------------------


def _report(result: dict) -> str:
    lines = ["# Retrieval evaluation", "", f"Command: `python -m eval retrieval` (embedding `{result['embedding']}`).", ""]
    if "recall" in result:
        r = result["recall"]
        lines += [f"## Recall@{K} on FinanceBench dev evidence pages ({r['questions']} questions)", "",
                  "| mode | recall@5 (scoped to the company) | hit@5 (scoped) | recall@5 (all clients) | hit@5 (all) |",
                  "|---|---|---|---|---|"]
        for mode in MODES:
            s, a = r["scoped"][mode], r["all_clients"][mode]
            lines.append(f"| {mode} | {s['recall@5']:.3f} | {s['hit@5']:.3f} | {a['recall@5']:.3f} | {a['hit@5']:.3f} |")
        lines.append("")
    if "figure_recall" in result:
        f = result["figure_recall"]
        lines += [f"## Recall@{K} on the pages printing the asked figure (figures_dev `figure` questions, {f['questions']}, scoped)", "",
                  "| mode | recall@5 | hit@5 | recall@5 by language |", "|---|---|---|---|"]
        for mode in MODES:
            langs = ", ".join(f"{k} {v:.3f}" for k, v in f["by_lang"][mode].items())
            lines.append(f"| {mode} | {f[mode]['recall@5']:.3f} | {f[mode]['hit@5']:.3f} | {langs} |")
        lines.append("")
    if "latency" in result:
        lat = result["latency"]
        lines += [f"## Search latency, {lat['chunks_indexed']:,} chunks indexed (warm, k={K})", "",
                  f"Indexing took {result.get('index_seconds', 0):.0f} s (0 = cached); first search (BM25 load/build) {lat['first_search_s']} s.",
                  _pool_note(result.get("pool", 0)), "",
                  "| scope / mode | p50 ms | p95 ms |", "|---|---|---|"]
        for key, value in lat.items():
            if isinstance(value, dict):
                lines.append(f"| {key} | {value['p50_ms']} | {value['p95_ms']} |")
        lines.append("")
    return "\n".join(lines)


def _pool_note(pool: int) -> str:
    if not pool:
        return "Every chunk embedded with the real model."
    return (f"Corpus vectors: {pool:,} chunks embedded with the real model, each reused with a unique reference line "
            "and a perturbed vector (cos ≈0.95); `--pool 0` embeds all (slow on a shared 2-core machine).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval retrieval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("LOANWATCH_DATA_DIR", REPO.parent / "shared" / "data")))
    parser.add_argument("--chunks", type=int, default=100_000, help="synthetic chunks for the latency benchmark (0: skip)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "loanwatch-eval-retrieval")
    parser.add_argument("--embedding", default=os.environ.get("LOANWATCH_EMBEDDING", "use"))
    parser.add_argument("--pool", type=int, default=5000, help="real embeddings reused across the scale corpus (0: embed all)")
    parser.add_argument("--skip-recall", action="store_true")
    args = parser.parse_args(argv)
    os.environ["LOANWATCH_EMBEDDING"] = args.embedding
    key = f"{args.embedding}-{_code_hash()}"
    result: dict = {"embedding": args.embedding, "k": K}

    if not args.skip_recall:
        home = args.cache / f"dev-{key}"
        _use_home(home)
        clients = index_dev_documents(args.data, home)
        result["recall"] = score_recall(args.data, clients)
        result["figure_recall"] = score_figure_recall(args.data, clients)
    if args.chunks:
        home = args.cache / f"scale-{args.chunks}-{args.embedding}-pool{args.pool}"  # no chunker involved
        _use_home(home)
        result["index_seconds"] = index_synthetic(home, args.chunks, pool=args.pool)
        result["pool"] = args.pool
        result["latency"] = score_latency(home, args.chunks)

    report = _report(result)
    print(report)
    REPORTS.mkdir(parents=True, exist_ok=True)
    name = "retrieval" if args.embedding == "use" else f"retrieval-{args.embedding}"
    (REPORTS / f"{name}.md").write_text(report + "\n", encoding="utf-8")
    (REPORTS / f"{name}.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
