"""Bad input never hangs and never shows a traceback: one line on stderr, exit 1.

Every fixture is generated here (tmp_path): empty, random, truncated, password-protected,
non-PDF and image-only files; a PDF with an empty user password (opens normally); and a
3,000-page blank PDF (finishes promptly with no statements). Each case runs through the real
entry point (``python -m assistant.cli``) and at function level (the right exception class).
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from extractors.document import open_pdf, sniff_format
from extractors.errors import (
    CorruptDocumentError,
    DocumentError,
    EmptyDocumentError,
    EncryptedDocumentError,
    NotAPdfError,
    ScannedDocumentError,
    UnsupportedFormatError,
)
from extractors.pipeline import extract_file

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(120)


def _text_pdf(path: Path, pages: int = 2) -> Path:
    """A small real text PDF (a balance-sheet-like page) made with reportlab."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), invariant=1)
    for n in range(pages):
        c.setFont("Helvetica", 11)
        c.drawString(72, 760, f"Balance sheet page {n + 1}")
        c.drawString(72, 740, "Cash and cash equivalents      1,234      1,100")
        c.showPage()
    c.save()
    return path


def _png_bytes() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (120, 60), (250, 250, 250)).save(buf, "PNG")
    return buf.getvalue()


def _scanned_pdf(path: Path, pages: int = 3) -> Path:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    png = _png_bytes()
    c = canvas.Canvas(str(path), invariant=1)
    for _ in range(pages):
        c.drawImage(ImageReader(io.BytesIO(png)), 40, 300, 500, 400)
        c.showPage()
    c.save()
    return path


def _encrypted(src: Path, dst: Path, user: str) -> Path:
    import pikepdf

    with pikepdf.open(src) as pdf:
        pdf.save(dst, encryption=pikepdf.Encryption(user=user, owner="owner-secret", R=6))
    return dst


def _run_cli(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, LOANWATCH_HOME=str(home), OMP_NUM_THREADS="1")
    env.pop("LOANWATCH_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli", *args], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=90,
    )


def _assert_one_line_failure(proc: subprocess.CompletedProcess, *words: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stdout[-500:], proc.stderr[-2000:])
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert "Traceback" not in line and "internal error" not in line, line
    for word in words:
        assert word.lower() in line.lower(), (word, line)
    assert " — " in line, f"no advice on what to do: {line}"
    return line


# --- the bad files ------------------------------------------------------------------------

def _empty(d: Path) -> Path:
    p = d / "empty.pdf"
    p.write_bytes(b"")
    return p


def _random(d: Path) -> Path:
    p = d / "random.pdf"
    p.write_bytes(random.Random(7).randbytes(64 * 1024))
    return p


def _truncated(d: Path) -> Path:
    src = _text_pdf(d / "whole.pdf", pages=3).read_bytes()
    p = d / "truncated.pdf"
    p.write_bytes(src[: len(src) // 2])
    return p


def _header_only(d: Path) -> Path:
    p = d / "header_only.pdf"
    p.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog")
    return p


def _locked(d: Path) -> Path:
    return _encrypted(_text_pdf(d / "plain.pdf"), d / "locked.pdf", user="s3cret")


def _png_named_pdf(d: Path) -> Path:
    p = d / "photo.pdf"
    p.write_bytes(_png_bytes())
    return p


def _txt_named_pdf(d: Path) -> Path:
    p = d / "notes.pdf"
    p.write_text("资产负债表\n货币资金 1,234\n", encoding="utf-8")
    return p


def _scan(d: Path) -> Path:
    return _scanned_pdf(d / "scan.pdf")


CASES = [
    # (builder, exception class, words the one-line message must hold)
    (_empty, EmptyDocumentError, ["empty"]),
    (_random, NotAPdfError, ["not a PDF"]),
    (_truncated, CorruptDocumentError, ["damaged"]),
    (_header_only, CorruptDocumentError, ["damaged"]),
    (_locked, EncryptedDocumentError, ["password"]),
    (_png_named_pdf, NotAPdfError, ["not a PDF"]),
    (_txt_named_pdf, NotAPdfError, ["not a PDF"]),
    (_scan, ScannedDocumentError, ["scanned", "no text could be read"]),  # read by OCR: blank pages
]
IDS = [builder.__name__.strip("_") for builder, _, _ in CASES]


@pytest.mark.parametrize(("builder", "error", "words"), CASES, ids=IDS)
def test_bad_file_raises_its_error_class(tmp_path, builder, error, words):
    path = builder(tmp_path)
    with pytest.raises(error) as info:
        extract_file(path)
    message = str(info.value)
    assert "\n" not in message
    for word in words:
        assert word.lower() in message.lower()


@pytest.mark.parametrize(("builder", "error", "words"), CASES, ids=IDS)
def test_open_pdf_raises_its_error_class(tmp_path, builder, error, words):
    """The fast pass (what every PDF goes through first) refuses the file by itself."""
    with pytest.raises(error):
        open_pdf(builder(tmp_path))


@pytest.mark.parametrize(("builder", "error", "words"), CASES, ids=IDS)
def test_bad_file_exits_1_with_one_line(tmp_path, home, builder, error, words):
    path = builder(tmp_path)
    line = _assert_one_line_failure(_run_cli("extract", str(path), "--json", home=home), *words)
    assert path.name in line


def test_random_bytes_without_pdf_name_are_refused(tmp_path):
    p = tmp_path / "blob.bin"
    p.write_bytes(b"\x00\x01\x02" + random.Random(1).randbytes(4096))
    with pytest.raises(UnsupportedFormatError):
        sniff_format(p)


def test_text_file_is_not_a_statement_source(tmp_path, home):
    p = tmp_path / "memo.txt"
    p.write_text("贷后检查记录：经营正常。", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError):
        extract_file(p)
    _assert_one_line_failure(_run_cli("extract", str(p), "--json", home=home), "statements")


def test_missing_file_is_one_line(tmp_path, home):
    proc = _run_cli("extract", str(tmp_path / "nope.pdf"), "--json", home=home)
    assert proc.returncode in (1, 2)  # typer may refuse it as a usage error first
    assert "Traceback" not in proc.stderr


def test_empty_user_password_opens_normally(tmp_path, home):
    path = _encrypted(_text_pdf(tmp_path / "plain.pdf"), tmp_path / "owner_only.pdf", user="")
    text = open_pdf(path)
    assert text.page_count == 2
    assert "Cash and cash equivalents" in text.page_texts[0]
    proc = _run_cli("extract", str(path), "--json", home=home)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["pages"] == 2


def test_scan_with_a_few_text_pages_is_not_refused(tmp_path):
    """One image-only page among text pages is a warning, not a refusal."""
    import pikepdf

    text = _text_pdf(tmp_path / "text.pdf", pages=2)
    scan = _scanned_pdf(tmp_path / "scan.pdf", pages=1)
    with pikepdf.open(text) as a, pikepdf.open(scan) as b:
        a.pages.extend(b.pages)
        a.save(tmp_path / "mixed.pdf")
    result = open_pdf(tmp_path / "mixed.pdf")
    assert result.image_pages == 1
    assert any("without a text layer" in w for w in result.warnings)


def test_oversized_page_text_is_skipped_with_a_warning(tmp_path, monkeypatch):
    import extractors.document as document

    monkeypatch.setattr(document, "MAX_PAGE_CHARS", 20)
    result = open_pdf(_text_pdf(tmp_path / "t.pdf", pages=2))
    assert result.page_texts == ["", ""]
    assert len(result.warnings) == 2 and "skipped" in result.warnings[0]


@pytest.mark.slow
def test_three_thousand_blank_pages_finish_promptly(tmp_path, home):
    from reportlab.pdfgen import canvas

    path = tmp_path / "blank3000.pdf"
    c = canvas.Canvas(str(path), invariant=1)
    for _ in range(3000):
        c.showPage()
    c.save()

    started = time.perf_counter()
    result = extract_file(path)
    in_process = time.perf_counter() - started
    assert result.pages == 3000
    assert result.statements == []
    assert in_process < 10, f"3,000 blank pages took {in_process:.1f} s"

    started = time.perf_counter()
    proc = _run_cli("extract", str(path), "--json", home=home)
    via_cli = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["statements"] == [] and out["pages"] == 3000
    assert via_cli < 30, f"the CLI took {via_cli:.1f} s"


def test_document_errors_share_the_base_class():
    for _, error, _ in CASES:
        assert issubclass(error, DocumentError)


def test_page_limit_is_enforced_with_its_fix(tmp_path, home):
    from extractors.errors import TooLargeDocumentError

    path = _text_pdf(tmp_path / "three.pdf", pages=3)
    with pytest.raises(TooLargeDocumentError):
        extract_file(path, max_pages=2)
    env = dict(os.environ, LOANWATCH_HOME=str(home), OMP_NUM_THREADS="1", LOANWATCH_MAX_PAGES="2")
    proc = subprocess.run([sys.executable, "-m", "assistant.cli", "extract", str(path), "--json"],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=90)
    _assert_one_line_failure(proc, "page limit", "LOANWATCH_MAX_PAGES")
