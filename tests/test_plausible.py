"""A text layer that is not words is damage (issue 14), never a statement "not found".

A font map (ToUnicode CMap) whose targets were permuted gives text of plausible characters in an
implausible order: a Latin one was read as a document without its statements and no warning (the
fuzz's last *silent* cases). ``extractors.plausible`` judges the words of each font; these tests
permute the map of a generated statement (letters within their case, the hardest member of the
family: every word keeps its shape) and of a real 10-K, and check real text is spared.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import string

import pytest

from extractors.plausible import count_implausible, digits_permuted, garbled_fonts, implausible, leading_digit_misfit

# real words of the kinds a report holds: labels, names, codes, addresses, check boxes, chemistry, pinyin
REAL = """Consolidated Balance Sheets (in thousands, except per share data) Total current assets Cash and cash
equivalents Merchandise inventories, net Accounts payable Accrued liabilities Stockholders' equity Retained earnings
Securities Exchange Act of 1934 Section 13 or 15(d) ☒Yes ☐No Sarbanes-Oxley 404(b) Netflix, Inc. Coca‑Cola Co.,Ltd
GmbH NOx HCFCs R1234yf PayPal iPhone McDonald's http://www.cninfo.com.cn ir@netflix.com Form 10-K Item 1A.
Guangdong Hebei Shenzhen Management's Discussion and Analysis of Financial Condition and Results of Operations
Diluted earnings per share Weighted-average shares outstanding Net cash provided by operating activities
Depreciation and amortization Stock-based compensation Deferred income taxes Other non-current liabilities"""


def _permute_letters(text: str, seed: int) -> str:
    rng = random.Random(seed)
    low, up = list(string.ascii_lowercase), list(string.ascii_uppercase)
    rng.shuffle(low)
    rng.shuffle(up)
    return text.translate(str.maketrans(string.ascii_lowercase + string.ascii_uppercase, "".join(low + up)))


def test_real_words_are_words():
    judged, bad = count_implausible(REAL)
    assert judged >= 40 and bad <= 2, [w for w in REAL.split() if implausible(w)]
    assert garbled_fonts({"Times": REAL}) == []


@pytest.mark.parametrize("seed", range(5))
def test_letters_permuted_within_their_case_are_not_words(seed):
    garbled = _permute_letters(REAL, seed)
    assert garbled_fonts({"Times": REAL, "Times,Bold": garbled}) == ["Times,Bold"]


def test_a_shuffled_map_that_mixes_classes_is_not_words():
    # NETFLIX_2017_10K with its bold font's map shuffled (the fuzz's silent case): "Table of Contents" and headings
    heading = "qYPQhCm CHm¶7h¶7U uevpmulB\\)eFapmBa)BFu kC)B TBvPFCMCabp\\FOpkBoBMCs)BFu AFuBlB upEdsBF " * 3
    assert all(implausible(w) for w in heading.split())
    assert garbled_fonts({"Bold": heading}) == ["Bold"]


def _amounts(n: int, seed: int) -> str:
    rng = random.Random(seed)  # amounts spread over orders of magnitude follow Benford's law, as accounts do
    return " ".join(f"{int(10 ** rng.uniform(2, 9)):,}" for _ in range(n))


def test_numbers_through_a_permuted_digit_map_are_told_apart():
    text = _amounts(400, 1)
    assert not digits_permuted([text])
    n, misfit = leading_digit_misfit([text])
    assert 390 <= n <= 400 and misfit < 0.1  # a few read as years (19xx, 20xx) and are left out
    moved = text.translate(str.maketrans("0123456789", "0734921586"))  # 1 → 7, 2 → 3 …
    assert digits_permuted([moved])
    assert not digits_permuted([moved[:300]])  # too few numbers to judge


def test_benford_shares_sum_to_one():
    from extractors.plausible import BENFORD

    assert math.isclose(sum(BENFORD), 1.0) and BENFORD[0] > 0.3 > BENFORD[8] * 6


# ---------------------------------------------------------------- whole files

def _with_map(data: bytes, swap: dict[str, str]) -> bytes:
    """Every font of the file given a ToUnicode CMap (one-byte codes 0x20–0x7E) that reads ``swap``."""
    import pikepdf

    from tests.fuzz import _cmap

    with pikepdf.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            for font in page.obj.Resources.Font.values():
                entries = {b"%02X" % c: swap.get(chr(c), chr(c)) for c in range(0x20, 0x7F)}
                font.ToUnicode = pdf.make_stream(_cmap(entries))
        buf = io.BytesIO()
        pdf.save(buf)
        return buf.getvalue()


@pytest.fixture(scope="module")
def us_10q(tmp_path_factory):
    from assistant.demo import StatementSpec, render_pdf
    from extractors.pipeline import extract_file

    path = tmp_path_factory.mktemp("plausible") / "us_10q.pdf"
    render_pdf(StatementSpec(company="Example Industries Inc.", period_end=dt.date(2026, 9, 30), layout="us_10q", seed=3), path)
    return path, extract_file(path)


def test_a_generated_statement_with_a_true_map_reads_whole(us_10q, tmp_path):
    from extractors.pipeline import extract_file
    from tests.fuzz import classify

    path, original = us_10q
    same = tmp_path / "same.pdf"
    same.write_bytes(_with_map(path.read_bytes(), {}))
    assert original.partial is None
    assert classify(original, "ok", extract_file(same)) == ("complete", "")


@pytest.mark.parametrize("seed", [1, 2])
def test_a_generated_statement_with_its_letters_permuted_is_partial(us_10q, tmp_path, seed):
    from extractors.pipeline import extract_file

    path, _ = us_10q
    rng = random.Random(seed)
    low, up = list(string.ascii_lowercase), list(string.ascii_uppercase)
    rng.shuffle(low)
    rng.shuffle(up)
    bad = tmp_path / "letters.pdf"
    bad.write_bytes(_with_map(path.read_bytes(), dict(zip(string.ascii_letters, low + up))))
    result = extract_file(bad)
    assert result.partial and "decodes to garbage" in result.partial
    assert all(any("read only in part" in w for w in st.warnings) for st in result.statements)


@pytest.mark.parametrize("seed", [1, 2])
def test_a_generated_statement_with_its_digits_permuted_is_never_silent(us_10q, tmp_path, seed):
    # every figure is still a number: the identity checks, the header years and the leading digits must say so
    from tests.fuzz import classify, extract_outcome

    path, original = us_10q
    digits = list(string.digits)
    random.Random(seed).shuffle(digits)
    bad = tmp_path / "digits.pdf"
    bad.write_bytes(_with_map(path.read_bytes(), dict(zip(string.digits, digits))))
    outcome, detail = classify(original, *extract_outcome(str(bad)))
    assert outcome in ("partial", "flagged"), detail


@pytest.mark.real_data
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_real_10k_with_a_font_map_permuted_is_partial_and_whole_without(shared_data, tmp_path, seed):
    from extractors.document import open_pdf
    from tests.fuzz import font_map, letter_map

    path = shared_data / "real" / "NETFLIX_2017_10K.pdf"
    assert open_pdf(path).damage == []
    for kind in (font_map, letter_map):
        bad = tmp_path / f"{kind.__name__}.pdf"
        bad.write_bytes(kind(path.read_bytes(), random.Random(seed)))
        damage = open_pdf(bad).damage
        assert any("decodes to garbage" in d for d in damage), (kind.__name__, damage)


@pytest.mark.real_data
def test_no_real_gold_report_reads_as_garbled(shared_data):
    from extractors.document import open_pdf

    for path in sorted((shared_data / "real").glob("*.pdf")):
        assert open_pdf(path).damage == [], path.name


@pytest.mark.real_data
def test_fonts_asked_per_word_judge_as_fonts_asked_per_character(shared_data, tmp_path):
    """The fast reading (one text call, the font of each judged word's first and last letter) names the
    same garbled fonts as reading every character's font, on a clean and a letter-permuted 10-K."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    from extractors.plausible import _page_font_text_by_char, page_font_text
    from tests.fuzz import letter_map

    path = shared_data / "real" / "NETFLIX_2017_10K.pdf"
    bad = tmp_path / "letters.pdf"
    bad.write_bytes(letter_map(path.read_bytes(), random.Random(0)))
    flagged = 0
    for source in (path, bad):
        doc = pdfium.PdfDocument(source)
        try:
            for i in range(min(len(doc), 40)):
                textpage = doc[i].get_textpage()
                fast, slow = page_font_text(textpage), _page_font_text_by_char(textpage, raw.FPDFText_CountChars(textpage.raw))
                textpage.close()
                assert set(fast) <= set(slow), (source.name, i + 1)
                assert sorted(garbled_fonts(fast)) == sorted(garbled_fonts(slow)), (source.name, i + 1)
                flagged += bool(garbled_fonts(fast)) and source == bad
        finally:
            doc.close()
    assert flagged, "the letter-permuted copy should have a page with a garbled font"


def test_line_numbers_printed_on_every_page_are_not_a_permuted_digit_map(tmp_path):
    """A filing that numbers its lines 10 … 39 on each of its pages (as court filings do) is not read as
    a permuted digit map: each distinct number counts once, so 30 line numbers do not outweigh amounts."""
    from extractors.document import open_pdf
    from tests.test_ingest import write_pdf

    pages = [" ".join(f"line {k}" for k in range(10, 40))] * 8
    assert not digits_permuted(pages)
    path = tmp_path / "filing.pdf"
    write_pdf(path, ["Filing number 7"] + [f"line {k}" for k in range(40)], pages=8)
    assert open_pdf(path).damage == []
