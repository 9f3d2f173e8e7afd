"""Open a document safely and read every page's text with a fast pass.

``sniff_format`` decides what a file is from its bytes (not its name). ``open_pdf`` opens a
PDF with pypdfium2 (a PDF with an empty user password opens normally), refuses what we
cannot read with a ``DocumentError`` that says what to do, and returns the text of every
page: 200–450 pages/s, fast enough to find the statement pages of a long report before the
slow word-level analysis runs on those pages alone.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from extractors.errors import (
    CorruptDocumentError,
    DocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    NotAPdfError,
    ScannedDocumentError,
    TooLargeDocumentError,
    UnsupportedFormatError,
)
from extractors.integrity import BROKEN_TREE, DecompressionBomb, check_pdf
from extractors.plausible import MIN_SCREEN, count_implausible, digits_permuted, garbled_fonts, page_font_text

_TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".csv"}


@dataclass
class PdfText:
    """The fast-pass view of a PDF: page count and each page's plain text."""

    path: Path
    sha256: str
    page_texts: list[str]
    image_pages: int = 0  # pages with images but no text (a scan)
    warnings: list[str] = field(default_factory=list)
    damage: list[str] = field(default_factory=list)  # why the file was read only in part (empty: whole)

    @property
    def page_count(self) -> int:
        return len(self.page_texts)


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def sniff_format(path: str | Path) -> str:
    """Return ``pdf``, ``xlsx``, ``docx``, ``image`` (PNG, JPEG, TIFF: a scan) or ``text``, judged by its bytes."""
    path = Path(path)
    if not path.exists():
        raise NotAPdfError(f"{path.name}: file not found", path=str(path), hint="check the path")
    if path.is_dir():
        raise UnsupportedFormatError(f"{path.name}: is a folder, not a file", path=str(path))
    size = path.stat().st_size
    if size == 0:
        raise EmptyDocumentError(f"{path.name}: the file is empty (0 bytes)", path=str(path))
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        if suffix in {".xlsx", ".xlsm"}:
            return "xlsx"
        if suffix == ".docx":
            return "docx"
        raise UnsupportedFormatError(f"{path.name}: a ZIP archive that is not .xlsx or .docx", path=str(path))
    if suffix == ".pdf":
        raise NotAPdfError(f"{path.name}: not a PDF (no %PDF header)", path=str(path))
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")):
        return "image"
    if suffix in _TEXT_SUFFIXES or _looks_like_text(head):
        return "text"
    raise UnsupportedFormatError(f"{path.name}: not a format loanwatch reads", path=str(path))


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:  # a multi-byte char cut at the end of the sample is fine
        if exc.start < len(head) - 4:
            return False
    return True


#: A page with more characters than this is not a financial statement (a statement page holds
#: a few thousand); its text is skipped with a warning so that no later, slower analysis
#: spends unbounded time or memory on it.
MAX_PAGE_CHARS = 100_000


def open_pdf(path: str | Path, *, max_pages: int = 5000, max_file_mb: int = 200) -> PdfText:
    """Read every page's text with pypdfium2, or raise a DocumentError saying what to do."""
    import pypdfium2 as pdfium

    from extractors.pdfium_lock import PDFIUM

    path = Path(path)
    size = _checked_size(path)
    if size > max_file_mb * 1024 * 1024:
        raise TooLargeDocumentError(
            f"{path.name}: {size / 1e6:.0f} MB is over the {max_file_mb} MB limit", path=str(path)
        )
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise NotAPdfError(f"{path.name}: not a PDF (no %PDF header)", path=str(path))
    try:
        integrity = check_pdf(data)
    except DecompressionBomb as exc:
        raise CorruptDocumentError(f"{path.name}: {exc} (a decompression bomb); not read", path=str(path)) from None
    with PDFIUM:  # pdfium is not thread-safe (extractors.pdfium_lock)
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower() and integrity.encrypted:
                raise EncryptedDocumentError(f"{path.name}: the PDF is password-protected", path=str(path)) from exc
            what = "it reads as protected but holds no encryption dictionary" if "password" in str(exc).lower() else \
                "its structure cannot be read"
            raise CorruptDocumentError(f"{path.name}: the PDF is damaged ({what})", path=str(path)) from exc
        try:
            n = len(pdf)
            if n == 0:
                raise CorruptDocumentError(f"{path.name}: the PDF has no pages", path=str(path))
            if n > max_pages:
                raise TooLargeDocumentError(f"{path.name}: {n} pages is over the {max_pages}-page limit", path=str(path))
            texts: list[str] = []
            fonts: dict[int, dict[str, str]] = {}  # page → font → text, for pages whose words look wrong
            image_pages = 0
            failed: list[int] = []
            oversized: list[int] = []
            for i in range(n):
                try:
                    page = pdf[i]
                except pdfium.PdfiumError:
                    failed.append(i + 1)
                    texts.append("")
                    continue
                try:
                    text = _page_text(page)
                    if text is None:
                        oversized.append(i + 1)
                        text = ""
                    elif not text.strip() and _has_images(page, pdfium):
                        image_pages += 1
                    elif len(fonts) < MAX_FONT_PAGES and count_implausible(text)[1] >= MIN_SCREEN:
                        fonts[i + 1] = _font_text(page)
                    texts.append(text)
                except pdfium.PdfiumError:
                    failed.append(i + 1)
                    texts.append("")
                finally:
                    page.close()
        finally:
            pdf.close()
    warnings = [f"page {p} could not be read" for p in failed]
    warnings += [f"page {p} holds over {MAX_PAGE_CHARS:,} characters and was skipped" for p in oversized]
    if failed and len(failed) == n:
        raise CorruptDocumentError(f"{path.name}: no page of the PDF could be read", path=str(path))
    damage = integrity.problems()
    if integrity.declared_pages is not None and integrity.declared_pages != n:
        damage.append(f"its page tree declares {integrity.declared_pages} pages but {n} were found")
    elif integrity.tree_pages == BROKEN_TREE:
        damage.append("its page tree points at an object that is not a page")
    elif integrity.tree_pages is not None and integrity.tree_pages != n:
        damage.append(f"its page tree holds {integrity.tree_pages} pages but {n} were found")
    if failed:
        damage.append(f"{_pages(failed)} could not be read")
    if oversized:
        damage.append(f"{_pages(oversized)} skipped (over {MAX_PAGE_CHARS:,} characters)")
    garbled = sorted({i + 1 for i, t in enumerate(texts) if garbled_text(t)} | set(_garbled_font_pages(fonts)))
    if garbled:
        damage.append(f"the text of {_pages(garbled)} decodes to garbage (a damaged font map)")
        warnings.append(f"the text of {_pages(garbled)} decodes to garbage (a damaged font map)")
    if digits_permuted(texts):
        damage.append("the leading digits of its numbers are not spread as in real accounts (Benford's law): a font map's digits may be permuted")
        warnings.append(damage[-1])
    if image_pages and not any(t.strip() for t in texts):
        raise ScannedDocumentError(
            f"{path.name}: a scanned PDF ({image_pages} image-only pages)", path=str(path)
        )
    if image_pages:
        warnings.append(f"{image_pages} page(s) are images without a text layer and were not read")
    return PdfText(path=path, sha256=hashlib.sha256(data).hexdigest(), page_texts=texts, image_pages=image_pages,
                   warnings=warnings, damage=damage)


MAX_FONT_PAGES = 60  # pages whose text is read again font by font (those with implausible words, in order)


def _font_text(page) -> dict[str, str]:
    textpage = page.get_textpage()
    try:
        return page_font_text(textpage)
    finally:
        textpage.close()


def _garbled_font_pages(fonts: dict[int, dict[str, str]]) -> list[int]:
    """The pages written in part in a font whose map is permuted (``extractors.plausible``): judged over
    all the pages looked at (a heading font writes a few words a page) and over each page alone."""
    whole: dict[str, list[str]] = {}
    for by_font in fonts.values():
        for name, text in by_font.items():
            whole.setdefault(name, []).append(text)
    bad = set(garbled_fonts({name: " ".join(parts) for name, parts in whole.items()}))
    out = []
    for page, by_font in fonts.items():
        if any(count_implausible(by_font[name])[1] for name in bad if name in by_font) or garbled_fonts(by_font):
            out.append(page)
    return out


def _pages(pages: list[int]) -> str:
    shown = ", ".join(map(str, pages[:8])) + (f" and {len(pages) - 8} more" if len(pages) > 8 else "")
    return f"page {shown}" if len(pages) == 1 else f"pages {shown}"


_PLAUSIBLE = (  # the blocks a financial document's text is written in
    (0x20, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x400, 0x4FF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2100, 0x218F),
    (0x2190, 0x23FF), (0x2460, 0x24FF), (0x2500, 0x25FF), (0x2600, 0x27BF), (0x3000, 0x303F), (0x3040, 0x30FF),
    (0x3100, 0x312F), (0x3200, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF), (0xAC00, 0xD7AF),
)
GARBLED_SHARE = 0.3  # of a page's visible characters outside those blocks (or U+FFFD, private use, controls)


def garbled_text(text: str, *, min_chars: int = 40) -> bool:
    """Does a page's text layer decode to garbage (a damaged or missing font map)?

    True when more than ``GARBLED_SHARE`` of its visible characters are replacement characters,
    private-use or control code points, or lie outside the scripts financial documents are
    written in (Latin, Greek, Cyrillic, CJK, kana, Hangul and their punctuation and symbols).
    Pages with fewer than ``min_chars`` visible characters are not judged."""
    visible = len(text) - len(_SPACE.findall(text))
    if visible < min_chars:
        return False
    if len(_IMPLAUSIBLE.findall(text)) > GARBLED_SHARE * visible:
        return True
    # a CID font read through the wrong CMap gives Han characters, but rare ones: real reports (simplified
    # or traditional) use almost only characters of GB2312 or Big5 (at most 2.4 % others on any page of the
    # corpus), a garbled page a third or more
    han = _HAN.findall(text)
    if len(han) >= min_chars:
        counts = Counter(han)
        if sum(n for ch, n in counts.items() if _rare_han(ch)) > RARE_HAN_SHARE * len(han):
            return True
    # a font map whose targets were shuffled gives common characters in uncommon order: no page of
    # real Chinese runs 80 Han characters without one of the commonest words (English has no such
    # test: a list of subsidiaries is real text without common words)
    if len(han) >= 80 and not any(w in text for w in _ZH_COMMON):
        return True
    # two-byte codes read through a one-byte fallback font: control characters among Latin-1 letters
    return len(_CONTROL.findall(text)) > CONTROL_SHARE * visible


CONTROL_SHARE = 0.02
_CONTROL = re.compile(r"[\x00\x01\x03-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # U+0002 is pdfium's soft hyphen
_ZH_COMMON = tuple("""公司 资产 資產 负债 負債 合计 合計 利润 利潤 现金 現金 收入 本期 上期 年度 报告 報告 项目 項目 金额 金額
股份 有限 经营 經營 投资 投資 管理 财务 財務 会计 會計 期末 期初 人民币 人民幣 董事 股东 股東 集团 集團 业务 業務 情况 情況 以及
其他 主要 相关 相關 单位 單位 根据 根據 发生 發生 费用 費用 本年 上年 银行 銀行 交易 风险 風險 的""".split())


RARE_HAN_SHARE = 0.15
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=65536)
def _rare_han(ch: str) -> bool:
    for encoding in ("gb2312", "big5"):
        try:
            ch.encode(encoding)
            return False
        except UnicodeEncodeError:
            continue
    return True


_SPACE = re.compile(r"\s")
_IMPLAUSIBLE = re.compile("[^\\s" + "".join(f"\\u{lo:04x}-\\u{hi:04x}" for lo, hi in _PLAUSIBLE) + "]")


def _checked_size(path: Path) -> int:
    """The file's size; a missing, unreadable or empty file raises a DocumentError."""
    if not path.exists():
        raise NotAPdfError(f"{path.name}: file not found", path=str(path), hint="check the path")
    if path.is_dir():
        raise UnsupportedFormatError(f"{path.name}: is a folder, not a file", path=str(path))
    try:
        size = path.stat().st_size
        with open(path, "rb"):
            pass
    except PermissionError as exc:
        raise DocumentError(f"{path.name}: permission denied", path=str(path),
                            hint="make the file readable for this user and try again") from exc
    if size == 0:
        raise EmptyDocumentError(f"{path.name}: the file is empty (0 bytes)", path=str(path))
    return size


def _page_text(page) -> str | None:
    """The page's plain text, or None when it holds more than ``MAX_PAGE_CHARS`` characters."""
    textpage = page.get_textpage()
    try:
        if textpage.count_chars() > MAX_PAGE_CHARS:
            return None
        text = textpage.get_text_range()
    finally:
        textpage.close()
    return text.replace("\r\n", "\n").replace("\r", "\n")


@contextmanager
def open_plumber(path: str | Path, *, password: str = "", pages: list[int] | None = None) -> Iterator[Any]:
    """``pdfplumber.open`` whose failures (pdfminer syntax/EOF/password errors) become DocumentErrors.

    Open only pages that ``open_pdf`` already read; this guards the slower, stricter parser.
    """
    import pdfplumber

    path = Path(path)
    try:
        pdf = pdfplumber.open(path, password=password, pages=pages)
    except Exception as exc:  # noqa: BLE001 - pdfminer raises many unrelated classes
        raise _plumber_error(path, exc) from exc
    try:
        yield pdf
    except DocumentError:
        raise
    except (RecursionError, MemoryError) as exc:
        raise CorruptDocumentError(f"{path.name}: the PDF is too deeply nested or too large to analyse",
                                   path=str(path)) from exc
    except Exception as exc:  # noqa: BLE001
        if type(exc).__module__.startswith(("pdfminer", "pdfplumber")) or _raised_in_parser(exc):
            raise _plumber_error(path, exc) from exc
        raise
    finally:
        try:
            pdf.close()
        except Exception:  # noqa: BLE001 - closing a damaged file re-reads its page tree; the error above (if any) is the one to report
            pass


def _raised_in_parser(exc: Exception) -> bool:
    """Was ``exc`` raised inside pdfplumber or pdfminer (a damaged file that trips their code with a plain
    ``TypeError``: a page whose /MediaBox name lost a bit reads as None and is iterated)?"""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    name = tb.tb_frame.f_code.co_filename if tb is not None else ""
    return any(f"{sep}{pkg}{sep}" in name for pkg in ("pdfplumber", "pdfminer") for sep in ("/", "\\"))


def _plumber_error(path: Path, exc: Exception) -> DocumentError:
    name = type(exc).__name__
    if "Password" in name or "Encrypt" in name:
        return EncryptedDocumentError(f"{path.name}: the PDF is password-protected", path=str(path))
    return CorruptDocumentError(f"{path.name}: the PDF is damaged ({name} while analysing it)", path=str(path))


def _has_images(page, pdfium) -> bool:
    import pypdfium2.raw as raw

    try:
        for obj in page.get_objects(max_depth=1):
            if obj.type == raw.FPDF_PAGEOBJ_IMAGE:
                return True
    except Exception:  # noqa: BLE001 - a broken object list just means "no images seen"
        return False
    return False
