"""Mutated PDFs and the oracle that judges what the extractor made of them (tests/test_fuzz.py, eval fuzz).

Mutations, each ``(bytes, random.Random) -> bytes``, seeded so a run is reproducible:

- ``bitflip``: one to eight bits flipped anywhere in the file;
- ``truncate``: the file cut at 30–99 % of its length;
- ``xref``: the cross-reference table or ``startxref`` offset overwritten with other digits;
- ``page_tree``: the page tree's /Count changed, a /Kids entry pointed elsewhere or a page's
  /Type renamed;
- ``flate_bomb``: a content stream that inflates to 200 MB of zeros added to a page;
- ``font_map``: a font's mapping to Unicode garbled (a ToUnicode CMap's targets shuffled, or a
  CID font's /Encoding changed);
- ``letter_map``: a ToUnicode CMap's letters permuted among themselves, lower case among lower
  case and capitals among capitals (the text keeps the shape of words: ``Total`` reads ``Wovuf``);
- ``digit_map``: a ToUnicode CMap's digits permuted among themselves (``1,250`` reads ``7,904``).

``judge`` runs the extractor on a mutated file in a worker process (a crash of native code or a
hang costs that file only) and sorts the result into one of:

- ``complete``: the same statements and figures as the original;
- ``partial``: read only in part and said so (``ExtractionResult.partial``);
- ``flagged``: figures differ, but every statement that differs carries a warning and none is lost;
- ``refused``: a ``DocumentError`` with a one-line message;
- ``silent``: figures differ or a statement is lost with no partial mark nor warning (a failure);
- ``crash``: any other exception, or the worker died (a failure);
- ``hang``: over the time limit (a failure).
"""

from __future__ import annotations

import io
import random
import re
import zlib
from collections import Counter
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

FAILURES = ("silent", "crash", "hang")
BOMB_BYTES = 200 * 1024 * 1024


# ---------------------------------------------------------------- mutations

def bitflip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: max(16, int(len(data) * rng.uniform(0.3, 0.99)))]


def xref(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    at = data.rfind(b"startxref")
    table = data.rfind(b"xref\n", 0, at if at > 0 else len(data))
    if rng.random() < 0.5 and at > 0:
        m = re.compile(rb"\d+").search(data, at)
        if m:
            digits = str(rng.randrange(10 ** max(1, len(m.group())))).zfill(len(m.group())).encode()
            out[m.start():m.end()] = digits
            return bytes(out)
    if table >= 0:
        for m in list(re.compile(rb"\d{10} \d{5} [nf]").finditer(data, table, at if at > 0 else len(data))):
            if rng.random() < 0.3:
                out[m.start():m.start() + 10] = str(rng.randrange(10 ** 10)).zfill(10).encode()
        return bytes(out)
    return bitflip(data, rng)  # an xref stream (PDF 1.5): its bytes are compressed, flip some


_COUNT = re.compile(rb"/Count\s+(\d+)")
_KID = re.compile(rb"/Kids\s*\[\s*((?:\d+\s+\d+\s+R\s*)+)\]")
_PAGE_TYPE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def page_tree(data: bytes, rng: random.Random) -> bytes:
    """The page tree damaged in the raw bytes (a file whose tree sits in an object stream gets bit flips)."""
    choice = rng.randrange(3)
    if choice == 0 and (counts := list(_COUNT.finditer(data))):
        m = rng.choice(counts)
        new = str(max(0, int(m.group(1)) + rng.choice([-3, -1, 1, 5, 60]))).encode()
        return data[:m.start(1)] + new + data[m.end(1):]
    if choice == 1 and (kids := list(_KID.finditer(data))):
        m = rng.choice(kids)
        refs = list(re.finditer(rb"(\d+)\s+\d+\s+R", m.group(1)))
        ref = rng.choice(refs)
        at = m.start(1) + ref.start(1)
        wrong = str(int(ref.group(1)) + rng.choice([1, 2, 7, 1000])).encode()
        return data[:at] + wrong + data[at + len(ref.group(1)):]
    if (types := list(_PAGE_TYPE.finditer(data))):
        m = rng.choice(types)
        return data[:m.end() - 1] + b"x" + data[m.end():]  # /Page → /Pagx, same length
    return bitflip(data, rng)


@lru_cache(maxsize=1)
def _bomb() -> bytes:
    c = zlib.compressobj(9)
    zeros = bytes(1 << 20)
    return b"".join(c.compress(zeros) for _ in range(BOMB_BYTES >> 20)) + c.flush()


def flate_bomb(data: bytes, rng: random.Random) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[rng.randrange(len(pdf.pages))]
        bomb = pikepdf.Stream(pdf, _bomb())
        bomb.Filter = pikepdf.Name("/FlateDecode")
        contents = page.obj.get("/Contents")
        items = list(contents) if isinstance(contents, pikepdf.Array) else [contents] if contents is not None else []
        page.obj.Contents = pikepdf.Array([*items, bomb])
        buf = io.BytesIO()
        pdf.save(buf, fix_metadata_version=False, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 compress_streams=False)
        return buf.getvalue()


_CMAP_TARGET = re.compile(rb"<([0-9A-Fa-f]{4,8})>\s*$", re.M)


def font_map(data: bytes, rng: random.Random) -> bytes:
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = []
        for page in pdf.pages:
            res = page.obj.get("/Resources")
            for font in (res.get("/Font", {}) if res is not None else {}).values():
                fonts.append(font)
        rng.shuffle(fonts)
        changed = False
        for font in fonts:
            if "/ToUnicode" in font:
                cmap = font.ToUnicode.read_bytes()
                targets = [m.group(1) for m in _CMAP_TARGET.finditer(cmap)]
                if len(targets) > 2:
                    shuffled = targets[:]
                    rng.shuffle(shuffled)
                    it = iter(shuffled)
                    font.ToUnicode.write(_CMAP_TARGET.sub(lambda m: b"<" + next(it) + b">", cmap))
                    changed = True
                    break
            elif str(font.get("/Encoding", "")) in ("/UniGB-UCS2-H", "/UniCNS-UCS2-H", "/UniJIS-UCS2-H"):
                font.Encoding = pikepdf.Name(rng.choice(["/Identity-H", "/GBK-EUC-H", "/UniKS-UCS2-H"]))  # the last one reads the same
                changed = True
                break
        if not changed:
            return bitflip(data, rng)
        buf = io.BytesIO()
        pdf.save(buf, fix_metadata_version=False, deterministic_id=True)
        return buf.getvalue()


_CLASSES = {"letters": ("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "digits": ("0123456789",)}


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_CHAR_ENTRY = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_RANGE_ENTRY = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])")
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>")


def _cmap_entries(cmap: bytes) -> dict[bytes, str]:
    """A ToUnicode CMap as source code (hex) → text, its ranges and arrays spelt out."""
    out: dict[bytes, str] = {}

    def text(h: bytes) -> str:
        return bytes.fromhex(h.decode()).decode("utf-16-be", "replace")

    for block in _BFCHAR.finditer(cmap):
        for m in _CHAR_ENTRY.finditer(block.group(1)):
            out[m.group(1).upper()] = text(m.group(2))
    for block in _BFRANGE.finditer(cmap):
        for m in _RANGE_ENTRY.finditer(block.group(1)):
            lo, hi, width = int(m.group(1), 16), int(m.group(2), 16), len(m.group(1))
            targets = _HEX.findall(m.group(3))
            for k in range(min(hi - lo + 1, 65536)):
                src = b"%0*X" % (width, lo + k)
                if m.group(3).startswith(b"["):
                    if k < len(targets):
                        out[src] = text(targets[k])
                else:
                    t = text(targets[0])
                    out[src] = t[:-1] + chr(ord(t[-1]) + k) if t and ord(t[-1]) + k < 0xD800 else t
    return out


def _cmap(entries: dict[bytes, str]) -> bytes:
    """A ToUnicode CMap of bfchar entries only."""
    items = sorted(entries.items())
    width = max(len(k) for k, _ in items)
    body = [b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) "
            b"/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            b"1 begincodespacerange\n<" + b"0" * width + b"> <" + b"F" * width + b">\nendcodespacerange\n"]
    for i in range(0, len(items), 100):
        chunk = items[i:i + 100]
        body.append(b"%d beginbfchar\n" % len(chunk))
        body += [b"<" + k + b"> <" + v.encode("utf-16-be").hex().upper().encode() + b">\n" for k, v in chunk]
        body.append(b"endbfchar\n")
    body.append(b"endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
    return b"".join(body)


def _class_map(data: bytes, rng: random.Random, what: str) -> bytes:
    """One font's ToUnicode targets of each class in ``_CLASSES[what]`` permuted among themselves."""
    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = []
        for page in pdf.pages:
            res = page.obj.get("/Resources")
            fonts.extend(f for f in (res.get("/Font", {}) if res is not None else {}).values() if "/ToUnicode" in f)
        rng.shuffle(fonts)
        for font in fonts:
            entries = _cmap_entries(font.ToUnicode.read_bytes())
            swap: dict[str, str] = {}
            for alphabet in _CLASSES[what]:
                members = sorted({t for t in entries.values() if t in alphabet})
                if len(members) > 2:
                    moved = members[:]
                    while moved == members:
                        rng.shuffle(moved)
                    swap.update(zip(members, moved))
            if not swap:
                continue
            font.ToUnicode.write(_cmap({k: swap.get(v, v) for k, v in entries.items()}))
            buf = io.BytesIO()
            pdf.save(buf, fix_metadata_version=False, deterministic_id=True)
            return buf.getvalue()
    return bitflip(data, rng)


def letter_map(data: bytes, rng: random.Random) -> bytes:
    return _class_map(data, rng, "letters")


def digit_map(data: bytes, rng: random.Random) -> bytes:
    return _class_map(data, rng, "digits")


MUTATIONS = {"bitflip": bitflip, "truncate": truncate, "xref": xref, "page_tree": page_tree,
             "flate_bomb": flate_bomb, "font_map": font_map,
             "letter_map": letter_map, "digit_map": digit_map}


def mutate(data: bytes, kind: str, rng: random.Random) -> bytes:
    try:
        return MUTATIONS[kind](data, rng)
    except Exception:  # noqa: BLE001 - pikepdf cannot open it: fall back to flipping bits
        return bitflip(data, rng)


# ---------------------------------------------------------------- the oracle

def figures(result) -> dict[tuple, frozenset]:  # noqa: ANN001
    """(kind, scope) → every (label, key, period, value) the statement holds."""
    out: dict[tuple, set] = {}
    for st in result.statements:
        cells = out.setdefault((st.kind, st.scope), set())
        for item in st.items:
            for col, value in zip(st.columns, item.values):
                cells.add((item.label, item.key, col.period_start, col.period_end, value))
    return {k: frozenset(v) for k, v in out.items()}


def extract_outcome(path: str) -> tuple[str, object]:
    """Worker: ("ok", result) or ("refused", message) or ("crash", description)."""
    from extractors.errors import DocumentError
    from extractors.pipeline import extract_file

    try:
        return "ok", extract_file(path, workers=1)
    except DocumentError as exc:
        return "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 - the oracle reports it
        return "crash", f"{type(exc).__name__}: {exc}"


def classify(original, status: str, value) -> tuple[str, str]:  # noqa: ANN001
    """The outcome of one mutated file against the original's result: (class, detail)."""
    if status == "crash":
        return "crash", str(value)
    if status == "refused":
        message = str(value)
        if "\n" in message or not message.strip():
            return "crash", f"refused without a one-line message: {message!r}"
        return "refused", message
    result = value
    if result.partial:
        return "partial", result.partial
    want, got = figures(original), figures(result)
    if want == got:
        return "complete", ""
    warned = {(st.kind, st.scope) for st in result.statements if st.warnings}
    lost = [k for k in want if k not in got]
    differ = [k for k in got if want.get(k) != got[k]]
    unflagged = [k for k in differ if k not in warned]
    if not lost and not unflagged:
        return "flagged", ", ".join(f"{k}/{s}" for k, s in differ)
    what = [f"{k}/{s} lost" for k, s in lost] + [f"{k}/{s} differs" for k, s in unflagged]
    return "silent", "; ".join(what)


@dataclass
class Case:
    source: str
    mutation: str
    seed: int
    outcome: str = ""
    detail: str = ""


def run_cases(cases: list[tuple[str, bytes, object, str, int]], folder: Path, *, workers: int = 2,
              timeout: float = 60.0) -> list[Case]:
    """Mutate and judge every (source name, bytes, original result, mutation, seed) in worker processes."""
    from extractors.procs import worker_pool

    folder.mkdir(parents=True, exist_ok=True)
    todo = []
    for n, (name, data, original, kind, seed) in enumerate(cases):
        path = folder / f"{n:04d}_{kind}.pdf"
        path.write_bytes(mutate(data, kind, random.Random(seed)))
        todo.append((Case(name, kind, seed), original, path))
    out: list[Case] = []
    pool = worker_pool(workers)
    try:
        futures = [(case, original, pool.submit(extract_outcome, str(path))) for case, original, path in todo]
        for case, original, future in futures:
            try:
                status, value = future.result(timeout=timeout)
                case.outcome, case.detail = classify(original, status, value)
            except FutureTimeout:
                case.outcome, case.detail = "hang", f"over {timeout:.0f} s"
                _kill(pool)
                pool = worker_pool(workers)
            except BrokenProcessPool:
                case.outcome, case.detail = "crash", "the worker process died"
                pool = worker_pool(workers)
            out.append(case)
    finally:
        _kill(pool)
    return out


def _kill(pool) -> None:  # noqa: ANN001
    for proc in list(getattr(pool, "_processes", {}).values()):
        proc.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def table(cases: list[Case]) -> str:
    """A Markdown table: mutation × outcome counts."""
    kinds = sorted({c.mutation for c in cases})
    outcomes = ["complete", "partial", "flagged", "refused", *FAILURES]
    counts = Counter((c.mutation, c.outcome) for c in cases)
    lines = ["| mutation | " + " | ".join(outcomes) + " | total |", "|---" * (len(outcomes) + 2) + "|"]
    for k in kinds:
        row = [counts[(k, o)] for o in outcomes]
        lines.append(f"| {k} | " + " | ".join(map(str, row)) + f" | {sum(row)} |")
    total = [sum(counts[(k, o)] for k in kinds) for o in outcomes]
    lines.append("| **all** | " + " | ".join(map(str, total)) + f" | {sum(total)} |")
    return "\n".join(lines)
