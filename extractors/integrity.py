"""Is a PDF whole? A check of its bytes before any page of it is trusted.

A PDF reader repairs what it can and says nothing: a damaged cross-reference table is rebuilt by
scanning, a broken page tree yields the pages it still reaches, a compressed stream that fails
its checksum yields what decoded before the damage. Each of these reads as a complete document
with figures missing. ``check_pdf`` reads the raw bytes once and reports what the reader will
not:

- every Flate stream is decompressed in bounded chunks: one that fails (bad data, a checksum
  mismatch, cut short) is *damaged*; one that expands past ``MAX_STREAM_BYTES`` (or, for an
  image, past what its /Width, /Height, /BitsPerComponent and colours declare), or streams that
  together expand past ``MAX_TOTAL_BYTES``, make the file a decompression bomb (refused);
- the page tree's declared /Count (the largest in the file, object streams included) is kept
  for ``open_pdf`` to compare with the pages the reader found;
- a file that does not end with ``%%EOF`` was cut short;
- ``encrypted``: the file holds an /Encrypt dictionary (so a reader's "password" error on a file
  without one is damage, not protection). A file that opens without a password (an empty user
  password: the usual "protection" against copying) has its streams decrypted with pdfminer's
  standard security handler (RC4, AES-128, AES-256) and checked like any other; one whose
  decrypted bytes fail to inflate, and whose raw bytes do too (a stream left unencrypted: a
  cross-reference stream, metadata), is damaged. A file that needs a password is not checked
  (it is refused before any page is read).

Only Flate streams are checked (by far the most common filter; DCT/JPX images and the rare
LZW/RunLength streams are decoded by pdfium alone).
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

MAX_STREAM_BYTES = 128 * 1024 * 1024  # one content stream; a statement page's is a few hundred kB
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # every stream of the file together
_CHUNK = 1 << 20

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
_LENGTH = re.compile(rb"/Length\s+(\d+)\b(?!\s+\d+\s+R)")
_PAGES_COUNT = re.compile(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)|/Count\s+(\d+)[^>]*?/Type\s*/Pages\b")
_INT = r"\s+(\d+)\b"
_WIDTH = re.compile(rb"/Width" + _INT.encode())
_HEIGHT = re.compile(rb"/Height" + _INT.encode())
_BPC = re.compile(rb"/BitsPerComponent" + _INT.encode())


class DecompressionBomb(Exception):
    """A stream (or the streams together) expands past the limits."""


@dataclass
class Integrity:
    """What the bytes say about a PDF."""

    streams: int = 0  # Flate streams checked
    damaged: list[int] = field(default_factory=list)  # byte offsets of the Flate streams that fail to decode
    inflated: int = 0  # bytes the checked streams expand to
    declared_pages: int | None = None  # the page tree's /Count, when the file states one we could read
    truncated: bool = False  # no %%EOF at the end
    encrypted: bool = False  # an /Encrypt entry is present
    decrypted: bool = False  # its streams were decrypted (it opens without a password) and checked
    xref_entries: int = 0  # in-use entries of the classic cross-reference tables
    xref_bad: int = 0  # of those, entries that do not point at their object
    tree_pages: int | None = None  # pages reached by walking the page tree (None: not in plain objects; -1: broken)
    bad_contents: int = 0  # pages of that tree whose /Contents point at an object that is not a stream

    def problems(self) -> list[str]:
        """One line per sign of damage (empty for a whole file)."""
        out = []
        if self.damaged:
            out.append(f"{len(self.damaged)} of {self.streams} compressed streams are damaged and read only in part")
        if self.truncated:
            out.append("the file is cut short (no end-of-file marker)")
        if self.bad_contents:
            out.append(f"the content of {self.bad_contents} page(s) points at an object that is not a content stream")
        if self.xref_bad:
            out.append(f"its cross-reference table is damaged ({self.xref_bad} of {self.xref_entries} entries point elsewhere)")
        return out


def check_pdf(data: bytes) -> Integrity:
    """Check the raw bytes of a PDF; raise ``DecompressionBomb`` when a stream expands past the limits."""
    out = Integrity()
    out.encrypted = encrypted = b"/Encrypt" in data
    decrypt = _decryptor(data) if encrypted else None
    out.decrypted = decrypt is not None
    out.truncated = b"%%EOF" not in data[-2048:]
    counts = [int(a or b) for a, b in _PAGES_COUNT.findall(data)]
    pos = 0
    while True:
        m = _STREAM.search(data, pos)
        if m is None:
            break
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            end = len(data)
        head = _stream_dict(data, m.start())
        pos = max(end, start)
        stop = data.find(b"endobj", start, end)
        length = _LENGTH.search(head)
        if stop >= 0 and not (length and b"endstream" in data[start + int(length.group(1)):start + int(length.group(1)) + 32]):
            out.streams += 1  # its ``endstream`` keyword is damaged: the next object starts inside what would be its data
            out.damaged.append(start)
            pos = stop
            continue
        filters = _filters(head)
        if filters is None:  # a filter no reader knows (a damaged name): the stream cannot be decoded
            out.streams += 1
            out.damaged.append(start)
            continue
        if "FlateDecode" not in filters:
            continue
        body = data[start:end]
        plain = [body]
        if encrypted:  # an encrypted stream decodes only after decryption
            if decrypt is None:
                continue
            plain.insert(0, _decrypted(decrypt, data, m.start(), head, body))
        out.streams += 1
        limit = _limit(head)
        keep = b"/ObjStm" in head  # an object stream may hold the page tree
        for candidate in plain:
            try:
                size, text = _inflate(_ascii_decode(candidate, filters[: filters.index("FlateDecode")]), limit, keep)
                break
            except (zlib.error, ValueError, _Truncated):
                continue
        else:
            out.damaged.append(start)
            continue
        out.inflated += size
        if out.inflated > MAX_TOTAL_BYTES:
            raise DecompressionBomb(f"its compressed streams expand past {MAX_TOTAL_BYTES >> 20} MB")
        if text:
            counts.extend(int(a or b) for a, b in _PAGES_COUNT.findall(text))
    out.declared_pages = max(counts) if counts else None
    headers = _object_headers(data)
    out.xref_entries, out.xref_bad = _check_xref(data, headers)
    out.tree_pages, out.bad_contents = _tree_pages(data, headers)
    return out


Decrypt = Callable[[int, int, bytes], bytes]


def _decryptor(data: bytes) -> Decrypt | None:
    """The stream decryption of an encrypted PDF that opens with an empty password, from pdfminer's
    standard security handler (its RC4 run by ``cryptography``: pdfminer's own is pure Python, seconds
    a document); None when it needs a password or its encryption cannot be read."""
    try:
        from pdfminer.pdfdocument import PDFDocument
        from pdfminer.pdfparser import PDFParser

        decipher = PDFDocument(PDFParser(io.BytesIO(data)), password="").decipher
    except Exception:  # noqa: BLE001 - a wrong password, an unknown handler or a damaged file: not checked here
        return None
    if decipher is None:
        return None
    handler = getattr(decipher, "__self__", None)
    cfm = getattr(handler, "cfm", None)
    method = cfm.get(getattr(handler, "strf", None)) if isinstance(cfm, dict) else getattr(handler, "decrypt_rc4", None)
    if handler is None or method is None or getattr(method, "__name__", "") != "decrypt_rc4":
        return lambda objid, genno, body: decipher(objid, genno, body)
    try:
        from cryptography.hazmat.decrepit.ciphers.algorithms import ARC4
        from cryptography.hazmat.primitives.ciphers import Cipher
    except ImportError:
        return lambda objid, genno, body: decipher(objid, genno, body)

    def rc4(objid: int, genno: int, body: bytes) -> bytes:
        key = handler.key + struct.pack("<L", objid)[:3] + struct.pack("<L", genno)[:2]
        key = hashlib.md5(key).digest()[: min(len(key), 16)]  # noqa: S324 - the PDF standard's key derivation
        return Cipher(ARC4(key), mode=None).decryptor().update(body)

    return rc4


def _decrypted(decrypt: Decrypt, data: bytes, stream_at: int, head: bytes, body: bytes) -> bytes:
    """The stream's bytes decrypted with its object's number and generation; the raw bytes when its
    object header cannot be found (a cross-reference stream is never encrypted)."""
    found = _last_object(data[max(0, stream_at - 8192):stream_at])
    if found is None or b"/XRef" in head:
        return body
    length = _LENGTH.search(head)
    if length is not None and int(length.group(1)) <= len(body):
        body = body[: int(length.group(1))]
    elif body.endswith(b"\r\n"):
        body = body[:-2]
    elif body.endswith((b"\n", b"\r")):
        body = body[:-1]
    try:
        return decrypt(*found[0], body)
    except Exception:  # noqa: BLE001 - a damaged ciphertext (AES padding): the inflate that follows fails
        return b""


_ROOT_PAGES = re.compile(rb"/Type\s*/Catalog\b[^>]*?/Pages\s+(\d+)\s+\d+\s+R|/Pages\s+(\d+)\s+\d+\s+R[^>]*?/Type\s*/Catalog\b")
_REF = re.compile(rb"(\d+)\s+\d+\s+R")
_KIDS = re.compile(rb"/Kids\s*\[([^\]]*)\]")
_TYPE = re.compile(rb"/Type\s*/(Pages|Page)(?![A-Za-z])")


def _tree_pages(data: bytes, headers: dict[int, list[int]]) -> tuple[int | None, int]:
    """(the pages reached by walking the page tree from the catalog, each page object once; the pages
    among them whose /Contents point at an object that holds no stream). The count is None when the
    tree is not all in plain objects (object streams, encryption) or cannot be followed."""
    roots = _ROOT_PAGES.findall(data)
    if not roots:
        return None, 0
    a, b = roots[-1]  # the newest catalog (an incremental update appends its own)
    seen: set[int] = set()
    leaves = bad = 0
    todo = [int(a or b)]
    while todo:
        number = todo.pop()
        if number in seen:
            continue
        seen.add(number)
        if len(seen) > 1_000_000 or number not in headers:
            return None, bad
        body = _object_body(data, headers[number][-1])
        kind = _TYPE.search(body)
        kids = _KIDS.search(body)
        if (kind is not None and kind.group(1) == b"Page") or (kind is None and kids is None and b"/MediaBox" in body):
            leaves += 1
            bad += not _contents_are_streams(data, headers, body)
            continue
        if kids is None:
            return BROKEN_TREE, bad  # the tree points at an object that is neither a page nor a node of pages
        todo.extend(int(r) for r in reversed(_REF.findall(kids.group(1))))
    return leaves, bad


_CONTENTS = re.compile(rb"/Contents\s*(\[[^\]]*\]|\d+\s+\d+\s+R)")


def _object_body(data: bytes, at: int) -> bytes:
    end = min(x for x in (data.find(b"endobj", at), data.find(b"stream", at), len(data)) if x >= 0)
    return data[at:end]


def _contents_are_streams(data: bytes, headers: dict[int, list[int]], page: bytes) -> bool:
    """Does every object the page's /Contents names hold a stream (or an array of them)? True when it
    cannot tell (a reference into an object stream, no /Contents: an empty page)."""
    m = _CONTENTS.search(page)
    if m is None:
        return True
    refs = [int(r) for r in _REF.findall(m.group(1))]
    if m.group(1).startswith(b"[") is False and len(refs) == 1 and refs[0] in headers:
        at = headers[refs[0]][-1]
        body = _object_body(data, at)
        if body.rstrip().endswith(b"]") and _REF.search(body):  # an indirect array of content streams
            refs = [int(r) for r in _REF.findall(body)]
    for r in refs:
        if r not in headers:
            if b"/ObjStm" in data:
                continue  # perhaps in an object stream
            return False  # an object the file does not hold
        at = headers[r][-1]
        end = data.find(b"endobj", at)
        stream = data.find(b"stream", at)
        if stream < 0 or (0 <= end < stream):
            return False
    return True


BROKEN_TREE = -1


_XREF_SECTION = re.compile(rb"xref\s*\r?\n((?:\s*\d+\s+\d+\s*\r?\n(?:\d{10}\s\d{5}\s[nf][ \t]*\r?\n?)*)+)")
_XREF_SUBSECTION = re.compile(rb"(\d+)\s+(\d+)\s*\r?\n((?:\d{10}\s\d{5}\s[nf][ \t]*\r?\n?)*)")
_XREF_ENTRY = re.compile(rb"(\d{10})\s(\d{5})\s([nf])")
_OBJ_BEFORE = re.compile(rb"(\d+)\s+\d+\s*$")


def _object_headers(data: bytes) -> dict[int, list[int]]:
    """Object number → the offsets of its ``N G obj`` headers (found by the literal `` obj``, fast)."""
    out: dict[int, list[int]] = {}
    at = data.find(b"obj")
    while at >= 0:
        if at >= 4:
            m = _OBJ_BEFORE.search(data, max(0, at - 24), at)
            if m is not None:
                out.setdefault(int(m.group(1)), []).append(m.start())
        at = data.find(b"obj", at + 3)
    return out
XREF_SLACK = 32  # bytes an entry may be off (a CR/LF miscounted by the writer) before it counts as damaged


def _check_xref(data: bytes, headers: dict[int, list[int]]) -> tuple[int, int]:
    """(in-use entries, entries that do not point at their object) over every classic xref table."""
    entries = bad = 0
    at = data.find(b"xref")
    while at >= 0:
        section = _XREF_SECTION.match(data, at)
        at = data.find(b"xref", at + 4)
        if section is None:
            continue
        for sub in _XREF_SUBSECTION.finditer(section.group(1)):
            first = int(sub.group(1))
            for k, e in enumerate(_XREF_ENTRY.finditer(sub.group(3))):
                if e.group(3) != b"n":
                    continue
                entries += 1
                offset, number = int(e.group(1)), first + k
                if not any(abs(at - offset) <= XREF_SLACK for at in headers.get(number, ())):
                    bad += 1
    return entries, bad


class _Truncated(Exception):
    pass


def _stream_dict(data: bytes, stream_at: int) -> bytes:
    """The dictionary before the ``stream`` keyword (from the start of its object, at most 8 kB back)."""
    window = data[max(0, stream_at - 8192):stream_at]
    found = _last_object(window)
    return window[found[1]:] if found else window[-2048:]


_OBJ_TAIL = re.compile(rb"(?<!\d)(\d+)\s+(\d+)\s+$")


def _last_object(window: bytes) -> tuple[tuple[int, int], int] | None:
    """((number, generation), the offset just past ``obj``) of the last ``N G obj`` header in ``window``."""
    at = len(window)
    while True:
        at = window.rfind(b"obj", 0, at)
        if at < 0:
            return None
        after = window[at + 3: at + 4]
        if after and (after.isalnum() or after == b"_"):
            continue
        m = _OBJ_TAIL.search(window, max(0, at - 64), at)
        if m is not None:
            return (int(m.group(1)), int(m.group(2))), at + 3


_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[^\s/\[\]<>()]*)")
_ABBREVIATED = {"Fl": "FlateDecode", "A85": "ASCII85Decode", "AHx": "ASCIIHexDecode"}


_KNOWN_FILTERS = frozenset({"ASCIIHexDecode", "ASCII85Decode", "LZWDecode", "FlateDecode", "RunLengthDecode", "CCITTFaxDecode",
                            "JBIG2Decode", "DCTDecode", "JPXDecode", "Crypt", "AHx", "A85", "LZW", "Fl", "RL", "CCF", "DCT"})


def _filters(head: bytes) -> list[str] | None:
    """The stream's filter chain, full names ([] when there is none; None when a name is not a
    filter at all). Only a chain of ASCII filters before FlateDecode is checked."""
    m = _FILTER.search(head)
    if m is None:
        return []
    value = m.group(1)
    raw = re.findall(rb"/([^\s/\[\]<>()]*)", value)
    if not raw or any(n.decode("latin-1") not in _KNOWN_FILTERS for n in raw) or \
            (value.startswith(b"[") and re.sub(rb"/[A-Za-z0-9]+|\s", b"", value[1:-1])):
        return None
    names = [_ABBREVIATED.get(n.decode(), n.decode()) for n in raw]
    if "FlateDecode" in names and any(n not in ("ASCII85Decode", "ASCIIHexDecode") for n in names[: names.index("FlateDecode")]):
        return []
    return names


def _ascii_decode(raw: bytes, filters: list[str]) -> bytes:
    """Undo the ASCII filters before FlateDecode; ``ValueError`` when their data is damaged."""
    import base64
    import binascii

    for name in filters:
        if name == "ASCII85Decode":
            body = re.sub(rb"\s", b"", raw)
            end = body.find(b"~>")
            if end < 0:
                raise ValueError("ASCII85 data without its end marker")
            body = body[:end]
            body = body[2:] if body.startswith(b"<~") else body
            raw = base64.a85decode(body)
        elif name == "ASCIIHexDecode":
            body = re.sub(rb"\s", b"", raw).split(b">")[0]
            try:
                raw = binascii.unhexlify(body + (b"0" if len(body) % 2 else b""))
            except binascii.Error as exc:
                raise ValueError(str(exc)) from None
    return raw


def _limit(head: bytes) -> int:
    """How far this stream may expand: an image what its dictionary declares (with room for
    predictor bytes), anything else ``MAX_STREAM_BYTES``."""
    if b"/Image" in head:
        w, h = _WIDTH.search(head), _HEIGHT.search(head)
        if w and h:
            bpc = _BPC.search(head)
            bits = int(bpc.group(1)) if bpc else 8
            colours = 4 if b"DeviceCMYK" in head else 3 if b"RGB" in head or b"ICCBased" in head else 1
            declared = int(w.group(1)) * int(h.group(1)) * max(1, bits) * colours // 8
            return min(MAX_STREAM_BYTES * 4, declared + int(h.group(1)) * 8 + 65536)
    return MAX_STREAM_BYTES


def _inflate(raw: bytes, limit: int, keep: bool) -> tuple[int, bytes]:
    """Decompress ``raw`` in bounded chunks; return (size, the text when ``keep``)."""
    d = zlib.decompressobj()
    size = 0
    kept: list[bytes] = []
    buf = raw
    while True:
        chunk = d.decompress(buf, _CHUNK)
        buf = d.unconsumed_tail
        size += len(chunk)
        if size > limit:
            raise DecompressionBomb(f"a compressed stream expands past {limit >> 20} MB")
        if keep and size <= 16 * _CHUNK:
            kept.append(chunk)
        if d.eof:
            return size, b"".join(kept)
        if not chunk and not buf:
            raise _Truncated  # the data ends before the compressed stream does
