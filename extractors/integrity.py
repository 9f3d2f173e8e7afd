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
  without one is damage, not protection).

Only Flate streams are checked (by far the most common filter; DCT/JPX images and the rare
LZW/RunLength streams are decoded by pdfium alone).
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass, field

MAX_STREAM_BYTES = 128 * 1024 * 1024  # one content stream; a statement page's is a few hundred kB
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # every stream of the file together
_CHUNK = 1 << 20

_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_OBJ = re.compile(rb"\d+\s+\d+\s+obj\b")
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

    def problems(self) -> list[str]:
        """One line per sign of damage (empty for a whole file)."""
        out = []
        if self.damaged:
            out.append(f"{len(self.damaged)} of {self.streams} compressed streams are damaged and read only in part")
        if self.truncated:
            out.append("the file is cut short (no end-of-file marker)")
        return out


def check_pdf(data: bytes) -> Integrity:
    """Check the raw bytes of a PDF; raise ``DecompressionBomb`` when a stream expands past the limits."""
    out = Integrity()
    out.encrypted = encrypted = b"/Encrypt" in data
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
        if encrypted or not _first_filter_is_flate(head):  # an encrypted stream decodes only after decryption
            continue
        out.streams += 1
        limit = _limit(head)
        keep = b"/ObjStm" in head  # an object stream may hold the page tree
        try:
            size, text = _inflate(data[start:end], limit, keep)
        except zlib.error:
            out.damaged.append(start)
            continue
        except _Truncated:
            out.damaged.append(start)
            continue
        out.inflated += size
        if out.inflated > MAX_TOTAL_BYTES:
            raise DecompressionBomb(f"its compressed streams expand past {MAX_TOTAL_BYTES >> 20} MB")
        if text:
            counts.extend(int(a or b) for a, b in _PAGES_COUNT.findall(text))
    out.declared_pages = max(counts) if counts else None
    return out


class _Truncated(Exception):
    pass


def _stream_dict(data: bytes, stream_at: int) -> bytes:
    """The dictionary before the ``stream`` keyword (from the start of its object, at most 8 kB back)."""
    lo = max(0, stream_at - 8192)
    window = data[lo:stream_at]
    starts = [m.end() for m in _OBJ.finditer(window)]
    return window[starts[-1]:] if starts else window[-2048:]


def _first_filter_is_flate(head: bytes) -> bool:
    i = head.find(b"/Filter")
    if i < 0:
        return False
    rest = head[i + 7:].lstrip(b" \r\n\t[")
    return rest.startswith((b"/FlateDecode", b"/Fl\b", b"/Fl ", b"/Fl/", b"/Fl]", b"/Fl>"))


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
