"""``loanwatch ingest``: documents in, stored with their statements, notes and ledger entries.

Steps for each file: ``_fingerprint`` (sha256, a duplicate is a no-op) → ``prepare_file``
in a worker process (detect the kind, read a PDF's text once, extract statements from it,
read a note's text and parse it; with indexing on, chunk the pages, embed the chunks and
tokenise them for BM25: ``retrieval.prepare_chunks``) → ``_store_prepared`` in the parent
(copy the bytes under ``LOANWATCH_HOME/documents``, then the document row, statements,
figures, note and ledger entries in ONE transaction) → ``_index`` (writes the worker's
chunks and vectors to Chroma and the lexical rows, then the index state; its failure is
reported, not fatal).

One bad file never stops the rest: every file gets a ``FileResult`` with its status and
reason. Killing the process at any moment leaves whole documents or none; running the same
command again completes the job without duplicates.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator, Literal

from assistant import ledger
from assistant.domain import InspectionNote
from assistant.errors import ConfigError, IssuerMismatchError, LoanwatchError, NotFoundError
from assistant.safety import clean_name, scrub
from assistant.store import repo
from assistant.store.db import Store, open_store
from assistant.store.schema import DocumentRow, IndexStateRow
from extractors.models import ExtractionResult
from extractors.procs import worker_pool

Kind = Literal["auto", "statement", "filing", "inspection"]
KINDS = ("auto", "statement", "filing", "inspection")
_NOTE_WORDS = re.compile(r"检查|巡查|巡检|现场|走访|实地|visit|inspection|site\s+report", re.I)
_SKIP = re.compile(r"^(\.|~\$)|\.(tmp|part)$", re.I)


@dataclass
class Prepared:
    """What a worker learnt about one file (picklable; no database access)."""

    path: str
    sha256: str
    size: int
    kind: str | None = None
    pages: int = 0
    company: str | None = None
    aliases: list[str] = field(default_factory=list)  # the issuer's short names and codes printed in it
    extraction: ExtractionResult | None = None
    text: str | None = None
    page_texts: list[str] | None = None
    note: InspectionNote | None = None
    index: object | None = None  # retrieval.PreparedChunks of page_texts (+ statements) when indexing is on
    warnings: list[str] = field(default_factory=list)
    partial: str | None = None  # why the file was read only in part (None: read whole)
    error: str | None = None


@dataclass
class FileResult:
    path: str
    status: Literal["stored", "duplicate", "failed"]
    kind: str | None = None
    client: str | None = None
    document_id: int | None = None
    pages: int = 0
    statements: int = 0
    figures: int = 0
    reason: str = ""
    warnings: list[str] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)  # "balance_sheet: <its warnings>" per statement flagged for review
    partial: str | None = None  # stored, but read only in part: why

    def line(self) -> str:
        name = Path(self.path).name
        if self.status == "failed":
            reason = self.reason.removeprefix(f"{name}: ")
            return f"FAILED     {name}: {reason}"
        if self.status == "duplicate":
            return f"duplicate  {name}: already stored for {self.client} (document {self.document_id})"
        detail = f"{self.statements} statements, {self.figures} figures" if self.kind == "statement" else self.kind
        extra = f"; {len(self.warnings)} warning(s): {'; '.join(self.warnings)}" if self.warnings else ""
        pages = f"{self.pages} page{'' if self.pages == 1 else 's'}"
        out = f"stored     {name} → {self.client} (document {self.document_id}, {pages}, {detail}{extra})"
        if self.partial:
            out += f"\n           PARTIAL: read only in part ({self.partial}); its figures are flagged for review"
        if self.flagged:
            out += (f"\n           FLAGGED FOR REVIEW ({len(self.flagged)} statement(s); figures unconfirmed until "
                    f"`loanwatch review confirm D{self.document_id}`): " + " | ".join(self.flagged))
        return out


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results if r.status == "stored")

    def summary(self) -> str:
        counts = {s: sum(r.status == s for r in self.results) for s in ("stored", "duplicate", "failed")}
        rate = f", {self.pages / self.seconds:.1f} pages/s" if self.seconds and self.pages else ""
        return (f"{len(self.results)} file(s): {counts['stored']} stored, {counts['duplicate']} already stored, "
                f"{counts['failed']} failed in {self.seconds:.1f} s{rate}")


# ---------------------------------------------------------------- the command

def ingest(
    paths: list[str | Path],
    *,
    client: str | None = None,
    kind: Kind = "auto",
    store: Store | None = None,
    workers: int | None = None,
    echo: Callable[[str], None] | None = None,
    progress: bool | None = None,
    actor: str = "system",
    received: dt.date | None = None,
    index: bool = True,
    issuer_override: str | None = None,
) -> IngestReport:
    """Ingest files and folders; return one result per file (never raises for a bad file).

    Upload guard: with ``client``, a statement or report whose printed issuer is another company is
    refused (``issuer_mismatch``) unless ``issuer_override`` gives the reason an admin stores
    it anyway (the caller checks the role; the reason is kept in the document's warnings and
    a ``document.issuer_override`` ledger entry names the actor). A statement that prints no
    issuer name is stored with a warning.

    ``index``: also add each document to the retrieval index (when ``assistant.retrieval``
    is available); a stored document that is not indexed yet is indexed on the next run.
    """
    from assistant.config import get_settings

    if kind not in KINDS:
        raise ConfigError(f"unknown kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    settings = get_settings()
    store = store or open_store()
    files = collect_files(paths)
    workers = max(1, workers or settings.workers)
    started = time.perf_counter()
    report = IngestReport()
    bar = _progress_bar(len(files), enabled=progress)
    say = echo or (lambda _line: None)
    if bar is not None and echo is not None:
        say = lambda line: bar.console.print(line, markup=False, highlight=False)  # noqa: E731

    def done(result: FileResult) -> None:
        report.results.append(result)
        say(result.line())
        if bar:
            bar.advance(bar.task_ids[0])

    with bar if bar is not None else nullcontext():
        todo: list[tuple[Path, str, int]] = []
        for path in files:
            try:
                sha, size = _fingerprint(path)
            except OSError as exc:
                done(FileResult(str(path), "failed", reason=f"cannot read the file ({exc.strerror})"))
                continue
            duplicate = _find_duplicate(store, sha, client)
            if duplicate is not None and (duplicate[3] or not index or _index_function() is None):
                kind_, owner, doc_id, _ = duplicate
                done(FileResult(str(path), "duplicate", kind=kind_, client=owner, document_id=doc_id))
                continue
            todo.append((path, sha, size))
        limits = {"max_pages": settings.max_pages, "max_file_mb": settings.max_file_mb}
        pages = sys.stderr.isatty() if progress is None else progress  # one stderr line per scanned page read by OCR
        for prepared in _prepare_all(todo, kind, limits, workers, pages, index=index):
            done(_store_prepared(store, prepared, client=client, actor=actor, received=received,
                                 home=settings.home_dir, index=index, issuer_override=issuer_override))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def collect_files(paths: list[str | Path]) -> list[Path]:
    """Files named and files under folders named (recursively, sorted, hidden files skipped)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(sorted(f for f in p.rglob("*") if f.is_file() and not _SKIP.search(f.name)
                              and not any(part.startswith(".") for part in f.relative_to(p).parts)))
        else:
            out.append(p)
    seen: set[Path] = set()
    return [f for f in out if not (f.resolve() in seen or seen.add(f.resolve()))]


def _fingerprint(path: Path) -> tuple[str, int]:
    from extractors.document import sha256_of

    return sha256_of(path), path.stat().st_size


def _find_duplicate(store: Store, sha: str, client: str | None) -> tuple[str, str, int, bool] | None:
    """(kind, client name, document id, indexed) of the stored copy of these bytes, if any."""
    with store.session() as s:
        client_id = None
        if client is not None:
            try:
                client_id = repo.get_client(s, client).id
            except NotFoundError:
                return None
        doc = repo.find_document(s, sha, client_id)
        if doc is None:
            return None
        owner = s.get(repo.Client, doc.client_id)
        return doc.kind, owner.name, doc.id, s.get(IndexStateRow, doc.id) is not None


def _progress_bar(total: int, *, enabled: bool | None):  # noqa: ANN202
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled or total == 0:
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    bar.add_task("ingest", total=total)
    return bar


# ---------------------------------------------------------------- workers

_pools: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """A worker pool kept for the life of the process (the demo ingests day by day)."""
    pool = _pools.get(workers)
    if pool is None:
        pool = _pools[workers] = worker_pool(workers)
    return pool


def close_pools() -> None:
    """Shut the kept worker pools down and wait for their processes (the next ingest starts new ones)."""
    while _pools:
        _pools.popitem()[1].shutdown(wait=True, cancel_futures=True)


def _drop_pool(workers: int) -> None:
    pool = _pools.pop(workers, None)
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def _prepare_all(todo: list[tuple[Path, str, int]], kind: str, limits: dict, workers: int,
                 pages: bool = False, *, index: bool = False) -> Iterator[Prepared]:
    """Prepare files in worker processes; a crashed worker costs only its own file."""
    index = index and _index_function() is not None
    if workers == 1 or len(todo) <= 1:
        for path, sha, size in todo:
            yield prepare_file(str(path), sha, size, kind, limits, pages, index)
        return
    retry: list[tuple[Path, str, int]] = []
    # largest first: a big report left for last would keep one worker busy while the others idle
    futures = {_pool(workers).submit(prepare_file, str(p), sha, size, kind, limits, pages, index): (p, sha, size)
               for p, sha, size in sorted(todo, key=lambda item: -item[2])}
    for future in as_completed(futures):
        try:
            yield future.result()
        except BrokenProcessPool:
            retry.append(futures[future])
    if retry:  # a worker died (a crash in a native library): retry one at a time to find the culprit
        _drop_pool(workers)
        for item in retry:
            with worker_pool(1) as alone:
                try:
                    yield alone.submit(prepare_file, str(item[0]), item[1], item[2], kind, limits, False, index).result()
                except BrokenProcessPool:
                    yield Prepared(str(item[0]), item[1], item[2], error="the extraction worker crashed on this file"
                                   " — send it to the loanwatch maintainers; ingest the others meanwhile")


def prepare_file(path: str, sha: str, size: int, kind: str, limits: dict, pages: bool = False,
                 index: bool = False) -> Prepared:
    """Worker: detect the kind and extract what the file holds (no database access); ``pages``: one
    stderr line per scanned page read by OCR; ``index``: also chunk, embed and tokenise its text
    for the search index (``Prepared.index``)."""
    out = Prepared(path=path, sha256=sha, size=size)
    try:
        _prepare(Path(path), kind, limits, out, pages)
    except LoanwatchError as exc:
        out.error = str(exc)
    except Exception as exc:  # noqa: BLE001 - one file's surprise must not stop the batch
        out.error = f"unexpected {type(exc).__name__}: {exc}"
    scrub(out)  # document text is data: no NUL, control character or lone surrogate reaches SQL or a terminal
    if index and out.error is None:
        out.index = _prepare_index(out)
    return out


def _prepare_index(p: Prepared):  # noqa: ANN202 - a retrieval.PreparedChunks or None
    """Chunks, vectors and BM25 tokens of the scrubbed page texts and statements, as ``_index`` would
    compute them; ``None`` when that fails here (the parent then tries again and reports the failure)."""
    try:
        from assistant.retrieval import prepare_chunks

        return prepare_chunks(p.page_texts or [], _index_tables(p))
    except Exception:  # noqa: BLE001 - best effort: _index recomputes and reports
        return None


def _index_tables(p: Prepared) -> list | None:
    return list(p.extraction.statements) if p.extraction is not None else None


def _page_line(name: str):  # noqa: ANN202 - a progress callback
    def say(line: str) -> None:
        sys.stderr.write(f"{name}: {line}\n")
        sys.stderr.flush()

    return say


def _prepare(path: Path, kind: str, limits: dict, out: Prepared, pages: bool = False) -> None:
    from extractors.document import sniff_format

    fmt = sniff_format(path)
    text = _pdf_text(path, limits) if fmt == "pdf" else None  # the one text pass: extraction and the index share it
    if fmt == "image" and kind not in ("auto", "statement"):
        raise ConfigError(f"{path.name}: a scanned image is read as a statement, not as a {kind}",
                          hint="ingest it without --kind (or with --kind statement)")
    if kind in ("auto", "statement") and fmt in ("pdf", "xlsx", "image"):
        from extractors.pipeline import extract_file

        try:
            result = extract_file(path, **limits, progress=_page_line(path.name) if pages else None,
                                  text=None if text is _SCANNED else text)
        except ImportError as exc:  # the extractor for this format is not installed yet
            if kind == "statement":
                raise ConfigError(f"{path.name}: no {fmt} statement extractor available ({exc})") from exc
            out.warnings.append(f"statement extraction unavailable for {fmt}: {exc}")
        else:
            out.extraction, out.pages, out.company = result, result.pages, result.company
            out.partial = result.partial
            out.warnings.extend(result.warnings)
            if result.statements:
                out.kind = "statement"
                out.page_texts = _page_texts(path, fmt, limits, out, text)  # for the retrieval index
                out.aliases = _issuer_aliases(out.page_texts) if out.company else []
                return
    if kind == "statement":
        raise ConfigError(f"{path.name}: no financial statement found in it",
                          hint="ingest it with --kind filing or --kind inspection")
    out.page_texts = _page_texts(path, fmt, limits, out, text)
    out.text = "\n".join(out.page_texts)
    out.pages = out.pages or len(out.page_texts)
    if kind == "inspection" or (kind == "auto" and _NOTE_WORDS.search(path.stem + "\n" + out.text[:3000])):
        out.kind = "inspection"
        out.note = parse_note(out.text)
    else:
        out.kind = "filing"
        out.note = InspectionNote(visit_date=None, text=out.text)  # kept for the bank's keyword rules
    if out.extraction is not None and not out.extraction.statements:
        out.extraction = None  # keep the company name, store no empty statement list
    if out.company and out.kind == "filing":
        out.aliases = _issuer_aliases(out.page_texts)


def _issuer_aliases(page_texts: list[str]) -> list[str]:
    """The issuer's short names, codes, ticker and English name (and its short form) from the cover."""
    from assistant.store.repo import short_name
    from extractors.company import issuer_aliases

    out: list[str] = []
    for name in issuer_aliases(page_texts):
        for n in (name, short_name(name)):
            if n and n not in out and _usable_name(n):
                out.append(n)
    return out


def _usable_name(name: str) -> bool:
    try:
        clean_name(name, what="alias")
    except ConfigError:
        return False
    return True


_SCANNED = object()  # _pdf_text's answer for a PDF without a text layer


def _pdf_text(path: Path, limits: dict):  # noqa: ANN202 - an extractors.document.PdfText, _SCANNED or None
    """The PDF's fast text pass; ``_SCANNED`` for a scan (extraction reads it by OCR, nothing to
    index), ``None`` when it cannot be opened (extraction opens it itself and raises as before)."""
    from extractors.document import open_pdf
    from extractors.errors import DocumentError, ScannedDocumentError

    try:
        return open_pdf(path, **limits)
    except ScannedDocumentError:
        return _SCANNED
    except DocumentError:
        return None


def _page_texts(path: Path, fmt: str, limits: dict, out: Prepared | None = None, text=None) -> list[str]:  # noqa: ANN001
    """Each page's text (for the index and for notes); a PDF read only in part sets ``out.partial``;
    ``text``: the PDF's text pass when already read."""
    if fmt == "image":
        return []  # a scan's words live in its statements; there is no text layer to index
    if fmt == "pdf":
        from extractors.document import open_pdf
        from extractors.errors import ScannedDocumentError

        if text is _SCANNED:
            return []  # a scanned PDF read by OCR: nothing to index for search
        try:
            text = text if text is not None else open_pdf(path, **limits)
            if out is not None and text.damage and out.partial is None:
                out.partial = "; ".join(text.damage)
            return text.page_texts
        except ScannedDocumentError:
            return []  # a scanned PDF read by OCR: nothing to index for search
    if fmt == "docx":
        import docx

        d = docx.Document(str(path))
        parts = [p.text for p in d.paragraphs]
        for table in d.tables:
            parts.extend(" | ".join(c.text for c in row.cells) for row in table.rows)
        return ["\n".join(parts)]
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            return ["\n".join(" | ".join("" if v is None else str(v) for v in row)
                              for row in ws.iter_rows(values_only=True)) for ws in wb.worksheets]
        finally:
            wb.close()
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return [raw.decode(encoding)]
        except UnicodeDecodeError:
            continue
    return [raw.decode("utf-8", errors="replace")]


_NOTE_FIELDS = ("visit_date", "inspector", "site", "progress_actual", "progress_planned", "cost_spent",
                "cost_budget", "operating_status", "problems")


def parse_note(text: str) -> InspectionNote:
    """The note's fields via ``extractors.notes.parse_note`` when present; the full text always."""
    try:
        from extractors.notes import parse_note as _parse
    except ImportError:
        return InspectionNote(visit_date=None, text=text)
    parsed = _parse(text)
    values = {f: getattr(parsed, f, None) for f in _NOTE_FIELDS}
    for money in ("progress_actual", "progress_planned", "cost_spent", "cost_budget"):
        v = values[money]
        values[money] = None if v is None else Decimal(str(v))
    values["problems"] = list(values["problems"] or [])
    return InspectionNote(text=text, **values)


# ---------------------------------------------------------------- the parent's writes

def _store_prepared(store: Store, p: Prepared, *, client: str | None, actor: str, received: dt.date | None,
                    home: Path, index: bool = True, issuer_override: str | None = None) -> FileResult:
    if p.error is not None:
        return FileResult(p.path, "failed", reason=p.error)
    stored_path = None
    try:
        stored_path = _keep_copy(Path(p.path), p.sha256, home)
        with store.transaction() as s:
            owner = _resolve_client(s, p, client, actor)
            doc = repo.find_document(s, p.sha256, owner.id)
            if doc is not None:
                result = FileResult(p.path, "duplicate", kind=doc.kind, client=owner.name, document_id=doc.id)
            else:
                overridden = _check_issuer(s, owner, p, client, issuer_override, actor)
                _add_issuer_aliases(s, owner, p, actor)
                partial_note = [f"read only in part: {p.partial}"] if p.partial and p.extraction is None else []
                doc = repo.store_document(
                    s, owner, sha256=p.sha256, kind=p.kind or "filing", name=Path(p.path).name,
                    stored_path=stored_path, pages=p.pages, size=p.size, received=received,
                    extraction=p.extraction, note=p.note, actor=actor, warnings=partial_note,
                )
                if overridden:  # the reason is kept with the document; the entry names the admin
                    if overridden not in (doc.warnings or []):
                        doc.warnings = [*(doc.warnings or []), overridden]
                    ledger.append(s, actor=actor, action="document.issuer_override", entity="document", entity_id=doc.id)
                statements = p.extraction.statements if p.extraction else []
                result = FileResult(
                    p.path, "stored", kind=doc.kind, client=owner.name, document_id=doc.id, pages=p.pages,
                    statements=len(statements), figures=sum(len(i.values) for st in statements for i in st.items),
                    warnings=list(p.warnings),
                    flagged=[f"{st.kind}{'' if st.scope == 'consolidated' else f' ({st.scope})'}: {'; '.join(st.warnings)}"
                             for st in statements if st.warnings],
                    partial=p.partial,
                )
            indexed = s.get(IndexStateRow, doc.id) is not None
    except LoanwatchError as exc:
        _drop_orphan(store, home, stored_path)
        return FileResult(p.path, "failed", reason=str(exc))
    except Exception as exc:  # noqa: BLE001 - report it against this file and go on
        _drop_orphan(store, home, stored_path)
        from assistant.safety import error_line

        return FileResult(p.path, "failed", reason=f"could not store it ({error_line(exc)})")
    if index and not indexed:
        warning = _index(store, doc, p)
        if warning:
            result.warnings.append(warning)
    return result


def _keep_copy(path: Path, sha: str, home: Path) -> str:
    """Copy the bytes to documents/<sha256><suffix> (atomic rename; harmless if left by a kill)."""
    rel = Path("documents") / f"{sha}{path.suffix.lower()}"
    target = home / rel
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_bytes(path.read_bytes())
        os.replace(tmp, target)
    return rel.as_posix()


def _drop_orphan(store: Store, home: Path, stored_path: str | None) -> None:
    """Remove the copy under documents/ when the store failed and no stored document refers to it."""
    if stored_path is None:
        return
    try:
        with store.session() as s:
            if s.query(DocumentRow.id).filter(DocumentRow.stored_path == stored_path).first() is not None:
                return
        (home / stored_path).unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a copy left behind is harmless (same bytes, same name) and `audit verify` lists it
        pass


def _resolve_client(s, p: Prepared, client: str | None, actor: str):  # noqa: ANN001, ANN202
    if client is not None:
        try:
            return repo.get_client(s, client)
        except NotFoundError:
            return repo.add_client(s, client, actor=actor)
    if p.company:
        try:  # the printed name is data: a name with control, bidi or zero-width characters is refused
            company = clean_name(p.company, what="company name printed in it")
        except ConfigError as exc:
            raise ConfigError(f"{Path(p.path).name}: {exc.message}", hint="pass --client NAME") from exc
        short = repo.short_name(company)  # "SQUARE, INC." is also "Square"
        found = repo.match_client(s, company) or _client_by_alias(s, p.aliases)
        return found or repo.add_client(s, company, aliases=[short] if short else [], actor=actor)
    if p.text:
        found = _client_named_in(s, p.text)
        if found is not None:
            return found
    raise ConfigError(f"{Path(p.path).name}: cannot tell which client it belongs to (no company name found)",
                      hint="pass --client NAME")


def issuer_matches(s, owner, company: str, aliases: list[str] = ()) -> bool:  # noqa: ANN001
    """Whether the printed issuer ``company`` (or one of its printed short names) is the client ``owner``."""
    own = [n for n in (repo.normalise_name(x) for x in [owner.name, *owner.aliases]) if n]
    printed = [n for n in (repo.normalise_name(x) for x in [company, *aliases]) if n]
    if any(a == b or (min(len(a), len(b)) >= 2 and (a in b or b in a)) for a in printed for b in own):
        return True
    return repo.match_client(s, company) is owner


def _check_issuer(s, owner, p: Prepared, client: str | None, override: str | None, actor: str) -> str | None:  # noqa: ANN001
    """The upload guard for a document filed under a named client; the override note when an admin's override let it through.

    Covers statements and reports read as filings (a report whose statements were not found
    still feeds answers through the search index). Adds a warning (kept with the document) for
    one that prints no issuer name; raises ``IssuerMismatchError`` naming both companies when
    the issuer is another one.
    """
    if client is None or p.kind not in ("statement", "filing"):
        return None  # an inspection note is the bank's own
    if not p.company:
        if p.kind == "statement":  # a filing may be anything (a contract, a news cutting): only statements must name one
            p.warnings.append(f"no issuer name found in {Path(p.path).name}: not checked against the client {owner.name}")
            if p.extraction is not None:
                p.extraction.warnings.append(p.warnings[-1])
        return None
    if issuer_matches(s, owner, p.company, p.aliases):
        return None
    known = ", ".join([owner.name, *owner.aliases])
    if not (override or "").strip():
        raise IssuerMismatchError(
            f"{Path(p.path).name}: the {'statements are' if p.kind == 'statement' else 'report is'} issued by {p.company}, "
            f"not by the client {owner.name} ({known})",
            hint="upload it to the right client, or an admin may store it anyway with --issuer-override REASON")
    note = f"issuer {p.company} is not the client {owner.name}; stored by {actor}'s override: {override.strip()}"
    p.warnings.append(note)
    if p.extraction is not None:
        p.extraction.warnings.append(note)
    return note


def _add_issuer_aliases(s, owner, p: Prepared, actor: str) -> list[str]:  # noqa: ANN001
    """Store the issuer's printed short names and codes as aliases of ``owner`` (ledger: client.update).

    Only when the document's printed company is this client (a guarantor's report filed under
    the borrower adds nothing), and never a name another client already goes by.
    """
    if not p.aliases or not p.company:
        return []
    own = {repo.normalise_name(n) for n in [owner.name, *owner.aliases]}
    same = (repo.normalise_name(p.company) in own or repo.match_client(s, p.company) is owner
            or any(repo.normalise_name(a) in own for a in p.aliases))  # the client was registered by its short name
    if not same:
        return []
    others = {repo.normalise_name(n) for c in repo.list_clients(s) if c.id != owner.id for n in [c.name, *c.aliases]}
    have = {n.casefold() for n in [owner.name, *owner.aliases]}
    new = [a for a in p.aliases if a.casefold() not in have and repo.normalise_name(a) not in others]
    if new:
        repo.update_client(s, owner, aliases=new, actor=actor)
    return new


def _client_by_alias(s, aliases: list[str]):  # noqa: ANN001, ANN202
    """The one client whose name or alias is exactly one of the issuer's printed short names or codes."""
    wanted = {repo.normalise_name(a) for a in aliases} - {""}
    hits = [c for c in repo.list_clients(s) if wanted & {repo.normalise_name(n) for n in [c.name, *c.aliases]}]
    return hits[0] if len(hits) == 1 else None


def _client_named_in(s, text: str):  # noqa: ANN001, ANN202
    head = text[:5000]
    hits = [c for c in repo.list_clients(s) if any(n and n in head for n in [c.name, *c.aliases])]
    return hits[0] if len(hits) == 1 else None


def _index_function():  # noqa: ANN202
    try:
        from assistant.retrieval import index_document
    except ImportError:
        return None
    return index_document


def _index(store: Store, doc: DocumentRow, p: Prepared) -> str | None:
    """Add the document to the retrieval index and remember it; a failure is a warning."""
    index_document = _index_function()
    if index_document is None:
        return None
    when = p.note.visit_date if p.note is not None and p.note.visit_date else doc.received
    try:
        chunks = index_document(
            client_id=doc.client_id, document_id=doc.id, name=doc.name, kind=doc.kind, pages=p.page_texts or [],
            period=doc.period_end.isoformat() if doc.period_end else None, date=when,
            tables=_index_tables(p), prepared=p.index,
        )
        with store.transaction() as s:
            row = s.merge(IndexStateRow(document_id=doc.id, chunks=int(chunks or 0)))
            s.flush()
            ledger.append(s, actor="system", action="index_state.index", entity="index_state", entity_id=row.document_id)
    except Exception as exc:  # noqa: BLE001 - indexing is best effort per file
        from assistant.safety import error_line

        return (f"not indexed for search ({error_line(exc, limit=300)}); the next ingest retries it, "
                "`loanwatch index status` lists what is not indexed")
    return None


def unindexed(store: Store) -> list[tuple[int, str, str]]:
    """(document id, client name, file name) of every stored document not yet in the search index."""
    from sqlalchemy import select

    from assistant.store.schema import Client

    with store.session() as s:
        rows = s.execute(select(DocumentRow.id, Client.name, DocumentRow.name)
                         .join(Client, Client.id == DocumentRow.client_id)
                         .outerjoin(IndexStateRow, IndexStateRow.document_id == DocumentRow.id)
                         .where(IndexStateRow.document_id.is_(None)).order_by(DocumentRow.id)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def index_pending(store: Store | None = None, *, echo: Callable[[str], None] | None = None) -> IngestReport:
    """Index every stored document the search index lacks (a kill or a Chroma outage cut its indexing).

    Each is read again from its kept copy under ``documents/`` and goes through ``ingest`` for
    its own client, which finds the stored document and only indexes it: nothing is stored
    twice and the ledger records the ``index_state`` entry as for any indexing. A document
    whose copy is missing is reported, not guessed.
    """
    from sqlalchemy import select

    from assistant.config import get_settings

    store = store or open_store()
    home = get_settings().home_dir
    report = IngestReport()
    pending = {d for d, _c, _n in unindexed(store)}
    if not pending:
        return report
    with store.session() as s:
        rows = s.execute(select(DocumentRow.id, DocumentRow.client_id, DocumentRow.stored_path, DocumentRow.name)
                         .where(DocumentRow.id.in_(pending)).order_by(DocumentRow.id)).all()
    for doc_id, client_id, stored, name in rows:
        path = home / stored if stored and stored != "-" else None
        if path is None or not path.is_file():
            result = FileResult(name, "failed", document_id=doc_id,
                                reason="its kept copy is missing: ingest the original file again to index it")
            report.results.append(result)
            if echo:
                echo(result.line())
            continue
        report.results.extend(ingest([path], client=str(client_id), store=store, echo=echo, progress=False, index=True).results)
    return report
