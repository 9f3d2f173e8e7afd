"""Store and analytics benchmark: ``python -m eval portfolio``.

1. **Demo ingest throughput.** Build the demo portfolio (``assistant.demo.portfolio``) in a
   fresh home at a fixed date: time writing the files, then the real ingest path (kind
   detection, extraction in worker processes, one transaction per document, ledger);
   pages/s = stored pages / ingest seconds. Search indexing is off unless ``--index``.
2. **Real dev reports.** Ingest ``shared/data/real`` (``LOANWATCH_DATA_DIR`` or
   ``../shared/data``) into a fresh home the same way; skipped with the reason when absent.
   ``--folder DIR`` adds a row for every PDF under ``DIR`` (e.g. a copy of some corpus reports),
   ingested the same way. Each real row notes the machine's load average before and after and
   the CPU seconds of the parent and its worker processes (the pool is closed and reaped at the
   end of the run, so its CPU time is counted).
3. **Status and alerts latency at scale.** 1,000 generated clients × 8 quarters of
   balance sheet, income statement and cash flow, with a facility (covenants, repayment
   schedule) each, about one in ten on the seed story's path. The figures are written
   through the store's own API (``repo.store_document`` with an in-memory
   ``ExtractionResult``: statements, figures and ledger entries as ingest writes them) —
   rendering and extracting 8,000 PDFs would take hours on this machine and measure
   extraction, which (1) and (2) already do. Then time ``status`` per client (warm, in
   process; p50/p95 over a sample), ``alerts`` over the whole portfolio, and both commands
   end to end through the CLI (a fresh process each, so imports included), and the app
   dashboard's tables (``assistant.dashboard_data.dashboard``) over the whole portfolio: every
   client assessed afresh, the first load from an empty ``BOARD`` (cold), the next (warm) and the
   page's refresh (sync plus the Excel workbook); see ``bench_dashboard``.
4. **Portfolio questions at scale** (same book): ``chat.service.ask`` on ranking, filter,
   exposure, comparison and trend questions — the first question builds every client's row
   (cold), the rest read the cached rows (warm, p50/max); then one figure correction through
   ``repo.set_figure`` and the next question, which must rebuild exactly that client's row.

5. **Reads after a restart** (``--restart --scale-home BOOK``; ``--pg`` copies the book,
   ``--clients // its clients`` times, into a throwaway PostgreSQL server from ``tests/pg.py``;
   see ``eval/_copy_book.py``): dashboard data, ``alerts``, ``status`` and a portfolio question,
   each in a fresh process that finds the client rows an earlier process persisted
   (``bench_restart``, ``eval/_restart.py``), with peak RSS; writes
   ``eval/reports/portfolio_restart_<database>-<clients>.md``.

The generated portfolio is cached under ``--cache`` (keyed by the generator's code), so a
rerun only measures. Writes ``eval/reports/portfolio.md`` and ``eval/reports/portfolio.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
REPORTS = REPO / "eval" / "reports"
DEMO_DATE = dt.date(2026, 11, 15)


_DB_URL: str | None = None  # --db-url: the scale book in this database (PostgreSQL) instead of the home's SQLite


def _use_home(path: Path, db_url: str | None = None) -> None:
    from assistant.config import reset_settings
    from assistant.store import close_stores

    os.environ["LOANWATCH_HOME"] = str(path)
    os.environ.pop("LOANWATCH_DB_URL", None)
    if db_url:
        os.environ["LOANWATCH_DB_URL"] = db_url
    reset_settings()
    close_stores()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


# ---------------------------------------------------------------- 1. the demo


def bench_demo(root: Path, *, index: bool, workers: int | None) -> dict:
    from assistant.demo.portfolio import build_demo

    home = root / "demo"
    shutil.rmtree(home, ignore_errors=True)
    _use_home(home)
    r = build_demo(as_of=DEMO_DATE, index=index, workers=workers)
    return {"files": r.files, "stored": r.stored, "failed": r.failed, "pages": r.pages,
            "write_s": r.write_seconds, "ingest_s": r.ingest_seconds, "total_s": r.seconds,
            "pages_per_s": round(r.pages / r.ingest_seconds, 2) if r.ingest_seconds else None, "index": index}


# ---------------------------------------------------------------- 2. real reports


def _data_dir() -> Path | None:
    path = Path(os.environ.get("LOANWATCH_DATA_DIR", REPO.parent / "shared" / "data"))
    return path if (path / "real").is_dir() else None


def bench_real(root: Path, *, index: bool, workers: int | None, folder: Path | None = None) -> dict:
    from assistant.ingest import close_pools, ingest

    if folder is None:
        data = _data_dir()
        if data is None:
            return {"skipped": "real documents not found: set LOANWATCH_DATA_DIR or place shared/data beside the repo"}
        folder = data / "real"
    home = root / f"real-{folder.name}"
    shutil.rmtree(home, ignore_errors=True)
    _use_home(home)
    files = sorted(folder.rglob("*.pdf"))
    close_pools()  # workers start within the timed run, and their CPU time is theirs alone
    load_before, cpu_before = os.getloadavg()[0], _cpu_seconds()
    report = ingest(files, workers=workers, index=index, progress=False)
    close_pools()
    cpu = round(_cpu_seconds() - cpu_before, 1)
    rows = [{"file": Path(r.path).name, "status": r.status, "pages": r.pages, "statements": r.statements,
             "figures": r.figures, "client": r.client, "reason": r.reason} for r in report.results]
    return {"folder": str(folder), "files": len(files), "pages": report.pages, "seconds": report.seconds, "index": index,
            "pages_per_s": round(report.pages / report.seconds, 2) if report.seconds else None,
            "workers": workers, "load_before": round(load_before, 2), "load_after": round(os.getloadavg()[0], 2),
            "cpu_s": cpu, "cpu_ms_per_page": round(1000 * cpu / report.pages, 1) if report.pages else None,
            "failed": [f"{Path(r.path).name}: {r.reason}" for r in report.failed], "documents": rows}


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and its reaped children."""
    import resource

    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


# ---------------------------------------------------------------- 3. a generated portfolio


def _code_key(clients: int, quarters: int) -> str:
    h = hashlib.sha256(f"{clients}/{quarters}".encode())
    for rel in ("eval/portfolio.py", "assistant/demo/portfolio.py", "assistant/demo/figures.py",
                "assistant/store/schema.py", "assistant/store/repo.py"):
        h.update((REPO / rel).read_bytes())
    return h.hexdigest()[:10]


def _statements(book, ends: list[dt.date]) -> list:  # noqa: ANN001 - a demo borrower's books
    """One ExtractionResult per quarter: the quarter's balance sheet, income statement and cash flow."""
    from assistant.demo.layouts import BS, CF, IS
    from extractors.models import Column, LineItem, Statement

    out = []
    for end in ends:
        start = dt.date(end.year, end.month - 2, 1)
        statements = []
        for kind, figures, column in (
            (BS, book.balance(end), Column(period_end=end, label="期末余额")),
            (IS, book.span(IS, start, end), Column(period_start=start, period_end=end, label="本期金额")),
            (CF, book.span(CF, start, end), Column(period_start=start, period_end=end, label="本期金额")),
        ):
            items = [LineItem(key=k, label=k, values=[v], page=1) for k, v in figures.items() if not k.startswith("_")]
            statements.append(Statement(kind=kind, columns=[column], items=items, pages=[1]))
        out.append((end, statements))
    return out


def generate_portfolio(home: Path, clients: int, quarters: int, *, seed: int = 7) -> dict:
    """Write ``clients`` borrowers × ``quarters`` quarters into the store at ``home`` via the repo API."""
    from assistant.demo import portfolio as demo
    from assistant.domain import Covenant, Facility, Repayment
    from assistant.store import open_store, repo
    from extractors.models import ExtractionResult

    _use_home(home, _DB_URL)
    store = open_store()
    ends = demo.demo_quarters(DEMO_DATE, quarters)
    rng = random.Random(seed)
    started = time.perf_counter()
    troubled = 0
    for n in range(clients):
        story = n % 10 == 3
        troubled += story
        name = f"压力测试客户{n:04d}有限公司"
        b = demo.Borrower(name, f"客户{n:04d}", "project finance", f"officer{n % 25:02d}", ("listed_notes",),
                          rng.uniform(2e8, 3e9), "site", "product", seed=n, growth=rng.uniform(0.0, 0.02),
                          leverage=(lambda t: 1.0 + 0.07 * max(0, 4 - t)) if story else (lambda t: 1.0),
                          demand=demo._story_demand if story else (lambda t: 1.0), story=story)
        index = {e: len(ends) - 1 - i for i, e in enumerate(ends)}
        t = lambda d, index=index: index.get(d, index.get(max((e for e in ends if e <= d), default=ends[0]), len(ends) - 1))  # noqa: E731
        book = demo._DemandBorrower(name, "listed_notes", b.seed, b.scale, Decimal("0.01"), ends[0], b.growth,
                                    lambda d, b=b, t=t: b.leverage(t(d)), lambda d: None, "consolidated",
                                    demand=lambda d, b=b, t=t: b.demand(t(demo._quarter_end(d))))
        results = _statements(book, ends)
        ocf = [book.span("cash_flow", dt.date(e.year, e.month - 2, 1), e)["net_cash_operating"] for e in ends[:4]]
        service = (min(ocf) / Decimal("1.5")).quantize(Decimal("10000"))
        interest = (service * Decimal("0.3")).quantize(Decimal("10000"))
        schedule = [Repayment(due=dt.date(e.year, e.month, 20), principal=service - interest, interest=interest,
                              paid_on=dt.date(e.year, e.month, 20), paid_amount=service) for e in ends]
        facility = Facility(name="项目贷款", amount=(service - interest) * 40, rate=Decimal("0.045"),
                            drawdown_date=dt.date(ends[0].year - 1, 1, 15), maturity_date=dt.date(ends[-1].year + 8, 12, 20),
                            covenants=[Covenant("current_ratio", ">=", Decimal("1.00")),
                                       Covenant("debt_to_assets", "<=", Decimal("0.60")),
                                       Covenant("dscr", ">=", Decimal("1.20"))],
                            schedule=schedule)
        with store.transaction() as s:
            client = repo.add_client(s, name, aliases=[b.alias], industry=b.industry, officer=b.officer, actor="bench")
            repo.upsert_facility(s, client, facility, actor="bench")
            for end, statements in results:
                doc_name = f"{b.alias}{end.year}Q{(end.month - 1) // 3 + 1}财务报表.pdf"
                sha = hashlib.sha256(f"{name}/{end}".encode()).hexdigest()
                repo.store_document(s, client, sha256=sha, kind="statement", name=doc_name, stored_path="-", pages=3,
                                    received=end + dt.timedelta(days=20),
                                    extraction=ExtractionResult(file=doc_name, sha256=sha, pages=3, company=name,
                                                                statements=statements), actor="bench")
        if (n + 1) % 100 == 0:
            print(f"  generated {n + 1}/{clients} clients ({time.perf_counter() - started:.0f} s)", flush=True)
    return {"clients": clients, "quarters": quarters, "troubled": troubled,
            "documents": clients * quarters, "seconds": round(time.perf_counter() - started, 1)}


def bench_scale(cache: Path, clients: int, quarters: int, sample: int, home: Path | None = None) -> dict:
    from assistant.status import client_status, portfolio_alerts
    from assistant.store import open_store
    from assistant.store.repo import list_clients

    home = home or cache / f"scale-{clients}x{quarters}-{_code_key(clients, quarters)}"
    marker = home / ".complete"
    generated: dict = {"cached": True}
    if not marker.exists():
        shutil.rmtree(home, ignore_errors=True)
        generated = generate_portfolio(home, clients, quarters)
        marker.write_text(json.dumps(generated), encoding="utf-8")
    else:
        generated = {**json.loads(marker.read_text(encoding="utf-8")), "cached": True}
    _use_home(home, _DB_URL)
    store = open_store()
    with store.session() as s:
        names = [c.name for c in list_clients(s)]
    picks = random.Random(1).sample(names, min(sample, len(names)))
    client_status(store, picks[0], as_of=DEMO_DATE)  # warm: imports, rules, connection
    status_ms = []
    for name in picks:
        t0 = time.perf_counter()
        client_status(store, name, as_of=DEMO_DATE)
        status_ms.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    alerts = portfolio_alerts(store, as_of=DEMO_DATE)
    alerts_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    portfolio_alerts(store, client=picks[0], as_of=DEMO_DATE)
    one_ms = (time.perf_counter() - t0) * 1000
    dash = bench_dashboard(store)
    cli = {}
    env = {**os.environ, "LOANWATCH_HOME": str(home), "OMP_NUM_THREADS": "1", **({"LOANWATCH_DB_URL": _DB_URL} if _DB_URL else {})}
    for label, args in (("status", ["status", picks[1], "--json", "--as-of", DEMO_DATE.isoformat(), "--no-record"]),
                        ("alerts", ["alerts", "--json", "--as-of", DEMO_DATE.isoformat()])):
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "assistant.cli", *args], capture_output=True, text=True, env=env)
        cli[label] = {"seconds": round(time.perf_counter() - t0, 2), "rc": out.returncode}
    flagged = sorted({a["client"] for a in alerts})
    questions = bench_questions(store, names)
    return {"questions": questions,
        "generated": generated, "clients": len(names), "database": "postgresql" if _DB_URL else "sqlite",
        "status_ms": {"n": len(status_ms), "p50": round(statistics.median(status_ms), 1),
                      "p95": round(_pct(status_ms, 0.95), 1), "max": round(max(status_ms), 1)},
        "alerts_all_s": round(alerts_s, 2), "alerts_all_count": len(alerts), "clients_with_alerts": len(flagged),
        "alerts_one_client_ms": round(one_ms, 1), "cli": cli,
        "dashboard": dash,
    }


def bench_dashboard(store) -> dict:  # noqa: ANN001 - a Store
    """The app dashboard's tables over the whole book: assessed afresh, then from the cached client rows.

    ``fresh``: every client assessed on the load (``board=None``, as before the rows were shared);
    ``cold``: the first load with an empty ``BOARD`` (builds every row); ``warm``: the next load;
    ``app``: what the page's refresh does once its first load has synced the watch list and
    warning items — ``sync=True`` plus the Excel workbook (p50 of 3 after one unmeasured load).
    """
    import tempfile as _tempfile

    from assistant.chat import rowcache
    from assistant.chat.board import BOARD
    from assistant.dashboard_data import dashboard, to_xlsx

    t0 = time.perf_counter()
    fresh = dashboard(store, as_of=DEMO_DATE, board=None)  # every table of the app's dashboard (book, watch list, due, warnings)
    fresh_s = time.perf_counter() - t0
    BOARD.clear()
    rowcache.clear(store)  # cold means cold: no rows persisted by an earlier run either
    t0 = time.perf_counter()
    cold = dashboard(store, as_of=DEMO_DATE)
    cold_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = dashboard(store, as_of=DEMO_DATE)
    warm_s = time.perf_counter() - t0
    same = fresh.tables == cold.tables == warm.tables and fresh.total == warm.total
    with _tempfile.TemporaryDirectory() as tmp:
        dashboard(store, as_of=DEMO_DATE, sync=True)  # the first load syncs; the clients it writes for are rebuilt next
        rebuilt = BOARD.built
        dashboard(store, as_of=DEMO_DATE, sync=True)
        rebuilt = BOARD.built - rebuilt
        app = []
        for i in range(3):
            t0 = time.perf_counter()
            d = dashboard(store, as_of=DEMO_DATE, sync=True)
            to_xlsx(d.tables, Path(tmp) / f"d{i}.xlsx")
            app.append(time.perf_counter() - t0)
    return {"clients": warm.clients, "fresh_s": round(fresh_s, 2), "cold_s": round(cold_s, 2), "warm_s": round(warm_s, 2),
            "app_s": round(statistics.median(app), 2), "rebuilt_after_first_sync": rebuilt, "same_tables": same}


QUESTIONS = ("哪些客户需要重点关注？", "Which clients have thin covenant headroom?", "哪些客户违反了契约？", "哪些客户应该考虑退出？",
             "Which clients should we support?", "资产负债率最高的三家客户", "Rank clients by current ratio", "敞口最大的五个客户",
             "Exposure by industry", "按评级统计敞口", "未来60天内哪些客户有还款到期？", "比较客户0001和客户0002",
             "客户0003近四个季度经营现金流趋势", "客户0013的DSCR趋势如何?")


def bench_questions(store, names: list[str]) -> dict:  # noqa: ANN001 - a Store
    """Cold first question, warm questions, then a correction and the next question (one row rebuilt)."""
    from assistant.chat import rowcache
    from assistant.chat.board import BOARD
    from assistant.chat.service import ask
    from assistant.store import repo

    BOARD.clear()
    rowcache.clear(store)  # cold means cold: no rows persisted by an earlier run either
    t0 = time.perf_counter()
    ask(QUESTIONS[0], store=store)
    cold = time.perf_counter() - t0
    warm = []
    for q in QUESTIONS[1:] * 2:
        t0 = time.perf_counter()
        ask(q, store=store)
        warm.append((time.perf_counter() - t0) * 1000)
    built = BOARD.built
    with store.transaction() as s:
        client = repo.get_client(s, names[0])
        end = DEMO_DATE.replace(month=9, day=30)
        repo.set_figure(s, client, f"{end.year}Q3", "revenue", Decimal("123456789"), reason="benchmark: a correction",
                        by="bench")
    t0 = time.perf_counter()
    ask(QUESTIONS[0], store=store)
    after = time.perf_counter() - t0
    return {"cold_s": round(cold, 2), "warm_ms": {"n": len(warm), "p50": round(statistics.median(warm), 1),
                                                  "p95": round(_pct(warm, 0.95), 1), "max": round(max(warm), 1)},
            "after_correction_ms": round(after * 1000, 1), "rows_rebuilt_after_correction": BOARD.built - built}


# ---------------------------------------------------------------- 5. reads after a restart

RESTART_MEASURES = ("dashboard", "alerts", "status", "question")


def bench_restart(home: Path, db_url: str | None, new_day: bool = True) -> dict:
    """Each read in a fresh process that finds the rows an earlier process persisted (``eval._restart``).

    ``prime`` (a process of its own) makes the persisted rows current; then dashboard data,
    ``alerts`` over the book, ``status`` of one client and a portfolio question each run in a
    new process, which reports the call's seconds, its own wall time and peak RSS, the rows it
    built and loaded; then ``loanwatch alerts --json`` end to end. Finally the same reads on a
    new day (the date is part of a row's key: the first read rebuilds every row).
    """
    # every process judges at DEMO_DATE (LOANWATCH_TODAY), as a day's reads do; the last read is the day after
    env = {**os.environ, "LOANWATCH_HOME": str(home), "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO)}
    env.pop("LOANWATCH_DB_URL", None)
    if db_url:
        env["LOANWATCH_DB_URL"] = db_url

    def run(what: str, day: dt.date = DEMO_DATE) -> dict:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "eval._restart", what, day.isoformat(), "客户0007"],
                             capture_output=True, text=True, env={**env, "LOANWATCH_TODAY": day.isoformat()}, cwd=REPO)
        if out.returncode:
            raise RuntimeError(f"eval._restart {what} failed: {out.stderr[-2000:]}")
        got = json.loads(out.stdout.strip().splitlines()[-1])
        got["wall_s"] = round(time.perf_counter() - t0, 2)
        print(f"  {what} {day}: {got}", flush=True)
        return got

    result: dict = {"database": "postgresql" if db_url else "sqlite", "uptime": _uptime()}
    result["prime"] = run("prime")
    result["reads"] = {w: run(w) for w in RESTART_MEASURES}
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant.cli", "alerts", "--json", "--as-of", DEMO_DATE.isoformat()],
                         capture_output=True, text=True, env={**env, "LOANWATCH_TODAY": DEMO_DATE.isoformat()}, cwd=REPO)
    result["cli_alerts"] = {"seconds": round(time.perf_counter() - t0, 2), "rc": out.returncode}
    if new_day:
        result["new_day"] = run("dashboard", DEMO_DATE + dt.timedelta(days=1))
    result["uptime_after"] = _uptime()
    return result


def _uptime() -> str:
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return ""


def run_restart(args: argparse.Namespace) -> dict:
    """``--restart``: the reads after a restart on the SQLite book at ``--scale-home``, or (``--pg``) a copy in PostgreSQL."""
    home = args.scale_home
    if home is None or not (home / "loanwatch.db").exists():
        raise SystemExit("--restart needs --scale-home: a generated book (python -m eval portfolio --skip demo --skip real)")
    if not args.pg:
        return bench_restart(home, None, not args.no_new_day)
    sys.path.insert(0, str(REPO))
    from eval._copy_book import copy_book
    from tests.pg import pg_bin, start_postgres, stop_postgres

    bin_dir = pg_bin()
    if bin_dir is None:
        raise SystemExit("--pg needs the PostgreSQL server binaries (Debian: apt-get install postgresql)")
    import sqlite3

    with sqlite3.connect(home / "loanwatch.db") as c:
        have = c.execute("SELECT count(*) FROM clients").fetchone()[0]
    copies = max(1, args.clients // have)
    keep = args.pg_keep
    made = json.loads((keep / "book.json").read_text()) if keep is not None and (keep / "book.json").exists() else None
    if made is not None and (made["source"], made["copies"]) != (str(home.resolve()), copies):
        raise SystemExit(f"{keep} holds another copy ({made}): remove it or name another folder")
    server = start_postgres(bin_dir, keep)
    try:
        if made is None:
            url = server.create_database()
            print(f"copying {have} clients × {copies} into PostgreSQL …", flush=True)
            copied = copy_book(f"sqlite:///{home / 'loanwatch.db'}", url, copies)
            if keep is not None:  # written last: a copy cut short is not reused
                (keep / "book.json").write_text(json.dumps({"source": str(home.resolve()), "copies": copies,
                                                            "database": url.rsplit("/", 1)[1], "copied": copied}))
        else:  # the copy an earlier run kept: migrated to this code's schema (the row cache rebuilds in `prime`)
            from assistant.store.db import Store, init_db

            url, copied = server.url(made["database"]), {**made["copied"], "reused": str(keep)}
            print(f"reusing the copy in {keep} ({made['copies']} × {have} clients)", flush=True)
            init_db(Store(url))
        out = bench_restart(home, url, not args.no_new_day)
        out["copied"] = copied
        return out
    finally:
        stop_postgres(server, keep=keep is not None)


def _restart_markdown(r: dict) -> str:
    reads = r["reads"]
    clients = reads["dashboard"].get("clients")
    lines = [f"## Reads after a restart ({clients} clients, {r['database']})", "",
             f"Load before: `{r['uptime']}`; after: `{r['uptime_after']}`.", "",
             "| read (fresh process, rows persisted by an earlier one) | call s | call CPU s | again, same process s | process s "
             "| peak RSS MB | rows built / loaded |",
             "|---|---:|---:|---:|---:|---:|---:|",
             f"| prime: make the persisted rows current | {r['prime']['seconds']} | {r['prime'].get('cpu_s', '')} | | "
             f"{r['prime']['wall_s']} | {r['prime']['rss_mb']} | {r['prime']['built']} / {r['prime']['loaded']} |"]
    for w in RESTART_MEASURES:
        x = reads[w]
        lines.append(f"| {w} | {x['seconds']} | {x.get('cpu_s', '')} | {x.get('again_s', '')} | {x['wall_s']} | {x['rss_mb']} | "
                     f"{x['built']} / {x['loaded']} |")
    nd = r.get("new_day")
    if nd:
        lines.append(f"| dashboard on a new day (rebuilds every row) | {nd['seconds']} | {nd.get('cpu_s', '')} | {nd.get('again_s', '')} | "
                     f"{nd['wall_s']} | {nd['rss_mb']} | {nd['built']} / {nd['loaded']} |")
    lines += [f"| `loanwatch alerts --json` end to end | | | | {r['cli_alerts']['seconds']} | | |", "",
              f"Retrieval (chromadb) imported by the question: {reads['question']['chromadb']}; its answer: "
              f"{reads['question'].get('answer_chars')} characters.", ""]
    return "\n".join(lines)


# ---------------------------------------------------------------- report


def _markdown(result: dict) -> str:
    lines = ["# Portfolio benchmark: ingest throughput, status and alerts latency", "",
             f"Run {result['run_at']} on {result['machine']} (`python -m eval portfolio {' '.join(result['argv'])}`).", ""]
    d = result.get("demo")
    lines += ["## Ingest throughput", "", "| corpus | files | pages | ingest s | pages/s | search index | failed |",
              "|---|---:|---:|---:|---:|---|---:|"]
    if d:
        lines.append(f"| demo portfolio (6 borrowers × 8 quarters, notes, filings) | {d['stored']}/{d['files']} | {d['pages']} | "
                     f"{d['ingest_s']} | {d['pages_per_s']} | {'on' if d['index'] else 'off'} | {len(d['failed'])} |")
    r = result.get("real")
    if r and "skipped" not in r:
        lines.append(f"| real dev reports (shared/data/real) | {r['files']} | {r['pages']} | {r['seconds']} | "
                     f"{r['pages_per_s']} | {'on' if r['index'] else 'off'} | {len(r['failed'])} |")
    elif r:
        lines.append(f"| real dev reports | skipped: {r['skipped']} | | | | | |")
    f = result.get("folder")
    if f:
        lines.append(f"| PDFs under {f['folder']} | {f['files']} | {f['pages']} | {f['seconds']} | "
                     f"{f['pages_per_s']} | {'on' if f['index'] else 'off'} | {len(f['failed'])} |")
    for name, row in (("real dev reports", r), ("folder", f)):
        if row and "skipped" not in row:
            lines += ["", f"{name}: load average {row['load_before']} before, {row['load_after']} after (2 cores); "
                      f"{row['cpu_s']} CPU s for parent and workers ({row['cpu_ms_per_page']} ms a page, "
                      f"{row['workers'] or 'default'} workers)."]
    if d:
        lines += ["", f"Demo build total {d['total_s']} s (writing the files {d['write_s']} s, ingest {d['ingest_s']} s)."]
    sc = result.get("scale")
    if sc:
        g = sc["generated"]
        lines += ["", f"## Status and alerts at scale ({sc['clients']} clients × {g.get('quarters', '?')} quarters)", "",
                  "Figures generated straight into the store through `repo.store_document` (statements, figures and "
                  "ledger entries as ingest writes them), not rendered to PDF: 8,000 PDFs would take hours here and "
                  f"measure extraction, which the table above does. Generation: {g.get('seconds', '?')} s"
                  f"{' (cached from an earlier run)' if g.get('cached') else ''}; {g.get('troubled', '?')} clients on the "
                  "seed story's path.", "",
                  "| measure | value |", "|---|---:|",
                  f"| status, one client, warm in process: p50 | {sc['status_ms']['p50']} ms |",
                  f"| status, one client, warm in process: p95 | {sc['status_ms']['p95']} ms (n={sc['status_ms']['n']}) |",
                  f"| alerts, whole portfolio, in process | {sc['alerts_all_s']} s ({sc['alerts_all_count']} alerts, "
                  f"{sc['clients_with_alerts']} clients) |",
                  f"| alerts --client, in process | {sc['alerts_one_client_ms']} ms |",
                  *_dashboard_lines(sc.get("dashboard")),
                  f"| `loanwatch status --json`, fresh process | {sc['cli']['status']['seconds']} s |",
                  f"| `loanwatch alerts --json`, fresh process | {sc['cli']['alerts']['seconds']} s |"]
        qs = sc.get("questions")
        if qs:
            lines += ["", f"Portfolio questions (`chat.service.ask`, in process, {sc.get('database', 'sqlite')}): rows of every client built on the first "
                      "question and cached until the ledger shows their data changed.", "",
                      "| measure | value |", "|---|---:|",
                      f"| first question (cold: builds {sc['clients']} rows) | {qs['cold_s']} s |",
                      f"| warm question p50 | {qs['warm_ms']['p50']} ms |",
                      f"| warm question p95 / max | {qs['warm_ms']['p95']} / {qs['warm_ms']['max']} ms (n={qs['warm_ms']['n']}) |",
                      f"| after one figure correction | {qs['after_correction_ms']} ms ({qs['rows_rebuilt_after_correction']} row rebuilt) |"]
    lines += ["", "Machine load matters: these runs share 2 CPU cores with other work; see `load_average` in the JSON.", ""]
    return "\n".join(lines)


def _dashboard_lines(d: dict | None) -> list[str]:
    if not d:
        return []
    what = "dashboard tables (book by grade/class/industry, heat map, watch list, due, warnings), in process"
    return [f"| {what}: every client assessed afresh | {d['fresh_s']} s ({d['clients']} clients) |",
            f"| {what}: first load, builds the cached rows (cold) | {d['cold_s']} s |",
            f"| {what}: next load, cached rows (warm) | {d['warm_s']} s (tables {'identical' if d['same_tables'] else 'DIFFER'}) |",
            f"| app refresh, warm: sync watch list and warning items + Excel workbook, p50 of 3 | {d['app_s']} s "
            f"({d['rebuilt_after_first_sync']} rows rebuilt after the first sync's writes) |"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval portfolio", description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=1000)
    ap.add_argument("--quarters", type=int, default=8)
    ap.add_argument("--sample", type=int, default=50, help="clients timed for status")
    ap.add_argument("--index", action="store_true", help="include search indexing in the ingest runs")
    ap.add_argument("--workers", type=int, default=None, help="ingest worker processes (default LOANWATCH_WORKERS)")
    ap.add_argument("--skip", action="append", default=[], choices=["demo", "real", "scale"])
    ap.add_argument("--folder", type=Path, default=None, help="also ingest every PDF under this folder (a row of its own)")
    ap.add_argument("--db-url", default=None, help="(3) and (4) in this database, e.g. postgresql+psycopg://… (generated there once)")
    ap.add_argument("--scale-home", type=Path, default=None, help="use this already generated book (LOANWATCH_HOME) for (3) and (4)")
    ap.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "loanwatch-eval-portfolio")
    ap.add_argument("--restart", action="store_true", help="only the reads after a restart on --scale-home (see bench_restart)")
    ap.add_argument("--pg", action="store_true", help="with --restart: copy the book (--clients // its clients times) into a "
                    "throwaway PostgreSQL server (tests/pg.py) and read there")
    ap.add_argument("--pg-keep", type=Path, default=None, help="with --pg: keep the PostgreSQL cluster and its copy of the book "
                    "in this folder, and reuse it when a later run names it again (no second copy)")
    ap.add_argument("--no-new-day", action="store_true", help="with --restart: skip the read on the next day (rebuilds every row)")
    args = ap.parse_args(argv)
    if args.restart:
        r = run_restart(args)
        label = f"{r['database']}-{r['reads']['dashboard'].get('clients')}"
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / f"portfolio_restart_{label}.json").write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
        text = _restart_markdown(r)
        (REPORTS / f"portfolio_restart_{label}.md").write_text(text, encoding="utf-8")
        print(text)
        return 0
    global _DB_URL
    _DB_URL = args.db_url
    args.cache.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="lw-portfolio-"))
    result: dict = {"run_at": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                    "machine": f"{os.cpu_count()} CPUs", "argv": list(argv or []), "load_average": os.getloadavg()}
    try:
        if "demo" not in args.skip:
            print("demo portfolio …", flush=True)
            result["demo"] = bench_demo(work, index=args.index, workers=args.workers)
            print(f"  {result['demo']['pages']} pages in {result['demo']['ingest_s']} s", flush=True)
        if "real" not in args.skip:
            print("real dev reports …", flush=True)
            result["real"] = bench_real(work, index=args.index, workers=args.workers)
        if args.folder is not None:
            print(f"{args.folder} …", flush=True)
            result["folder"] = bench_real(work, index=args.index, workers=args.workers, folder=args.folder)
        if "scale" not in args.skip:
            print(f"{args.clients} clients × {args.quarters} quarters …", flush=True)
            result["scale"] = bench_scale(args.cache, args.clients, args.quarters, args.sample, args.scale_home)
    finally:
        from assistant.store import close_stores

        close_stores()
        shutil.rmtree(work, ignore_errors=True)
    result["load_average_after"] = os.getloadavg()
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "portfolio.json").write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    text = _markdown(result)
    (REPORTS / "portfolio.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
