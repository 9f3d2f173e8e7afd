"""Is a Latin text layer made of words? A check for font maps that were permuted.

A font's map from glyphs to Unicode (its ToUnicode CMap) that was shuffled or damaged gives text
made of plausible characters in an implausible order: "Table of Contents" reads
``qYPQhCm CHm¶7h¶7U``. ``document.garbled_text`` finds what is not Latin, Greek or CJK at all;
this finds Latin text that is not words, so that a statement whose title or labels went missing
this way is named (the document read in part), never a statement "not found".

Words are judged one by one (``implausible``):

- their shape: letters, digits and joiners (``- ' ’ . / & : , _ +``) only, each letter run lower case,
  capitalised, all capitals or at most one inner capital (``PayPal``, ``iPhone``); anything else
  (``CHm¶7h¶7U``, ``BbVqnxCLqcq``, ``uevpmulB\\)eFa``) is not a word;
- their spelling: a letter run of four or more is scored by how English its letter pairs are, with a
  model of English letter pairs built from ``english_words.txt`` (common words and the labels of
  the lexicon; no document of the corpus); a run whose mean log-probability per pair is below
  ``MIN_BIGRAM_LOGP`` is not English.

A real page holds some words that fail (names, codes, other languages), so a verdict is taken
over much text at once: over the words of one font (``garbled_fonts``), since a permuted map is
one font's, and a heading font's few words per page add up over a document.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

MIN_BIGRAM_LOGP = -3.6  # mean natural-log probability per letter pair below which a run is not English
MIN_UPPER_RUN = 7  # an all-capitals run shorter than this is an acronym, not scored
MIN_JUDGED = 12  # words of one font before it is judged
GARBLED_FONT_SHARE = 0.5  # of a font's judged words that are not words: its map is garbled
MIN_SCREEN = 2  # implausible words on a page before its fonts are looked at one by one

_EDGE = re.compile(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$")  # quotes, brackets, punctuation, check boxes around a word
_REF = re.compile(r"\([A-Za-z0-9]{1,4}\)")  # 15(d), 404(b), (ii)
_PART = re.compile(r"[-'’./&:,_+\x02\xad\u2010-\u2015≤≥<>±×%°~\u3000-\u303f\uff00-\uffef]+")  # CJK punctuation joins words too
_ADDRESS = re.compile(r"[@=?]|/\S*/|://|^www\.|\.(?:com|net|org|gov|edu|cn|hk)\b", re.I)
_LETTERS = re.compile(r"[A-Za-z]")
_WORD_SHAPE = re.compile(r"[a-z]+|[A-Z][a-z]+|[A-Z]+s?|[A-Z]?[a-z]+[A-Z][a-z]+|[a-z][A-Z][a-z]+")


@lru_cache(maxsize=1)
def _model() -> dict[tuple[str, str], float]:
    """log P(next letter | letter) over a-z with ``^`` (start) and ``$`` (end), add-half smoothing."""
    words = [w.strip() for w in (Path(__file__).with_name("english_words.txt")).read_text(encoding="utf-8").splitlines()
             if w.strip() and not w.startswith("#")]
    pairs: Counter = Counter()
    for w in words:
        s = "^" + w + "$"
        pairs.update(zip(s, s[1:]))
    alphabet = "abcdefghijklmnopqrstuvwxyz"
    out = {}
    for a in "^" + alphabet:
        row = sum(pairs[(a, b)] for b in alphabet + "$")
        for b in alphabet + "$":
            out[(a, b)] = math.log((pairs[(a, b)] + 0.5) / (row + 0.5 * 27))
    return out


def bigram_logp(run: str) -> float:
    """Mean log-probability per letter pair of an ASCII letter run (start and end included)."""
    model = _model()
    s = "^" + run.lower() + "$"
    return sum(model[(a, b)] for a, b in zip(s, s[1:])) / (len(s) - 1)


@lru_cache(maxsize=65536)  # a report repeats its words: "the", "of", "Total" are judged once
def implausible(token: str) -> bool | None:
    """Is a whitespace-separated token not a word? None when it is not judged (no letters, too
    short to tell, or letters outside ASCII: names and other languages)."""
    core = _EDGE.sub("", _REF.sub("-", token))
    if not _LETTERS.search(core):
        return None
    if (not core.isascii() and any(ord(c) > 127 and c.isalpha() for c in core)) or _ADDRESS.search(core):
        return None
    judged = False
    for part in _PART.split(core):
        if not part or part.isdigit():
            continue
        if part.isalpha():
            if len(part) <= 4 and not part.islower() and not part.istitle():
                continue  # an abbreviation: ``NOx``, ``GmbH``, ``kWh``, ``USD``
            if not _WORD_SHAPE.fullmatch(part):
                return True
            if part.rstrip("s").isupper() and len(part) < MIN_UPPER_RUN:
                judged = judged or len(part) >= 3
                continue
            if len(part) >= 4:
                if bigram_logp(part) < MIN_BIGRAM_LOGP:
                    return True
                judged = True
            continue
        if part.isalnum():
            continue  # letters and digits: a code (``10th``, ``Q4``, ``R1234yf``, ``C2H2Cl4``), not judged
        return True  # letters among symbols: ``7h¶7U``, ``kC)B``
    return False if judged else None


def count_implausible(text: str) -> tuple[int, int]:
    """(judged words, implausible words) of a text."""
    judged = bad = 0
    for token in text.split():
        verdict = implausible(token)
        if verdict is None:
            continue
        judged += 1
        bad += verdict
    return judged, bad


def garbled_fonts(font_text: dict[str, str]) -> list[str]:
    """The fonts (name → the text written in it) whose text is not words: at least ``MIN_JUDGED``
    words judged and more than ``GARBLED_FONT_SHARE`` of them implausible."""
    out = []
    for font, text in font_text.items():
        judged, bad = count_implausible(text)
        if judged >= MIN_JUDGED and bad > GARBLED_FONT_SHARE * judged:
            out.append(font)
    return out


def page_font_text(textpage) -> dict[str, str]:  # noqa: ANN001 - a pypdfium2 PdfTextPage
    """The page's words by the fonts they are drawn in (name → text): a word goes to every font that
    draws its first or its last letter, whole (a font that draws only the capitals of headings is
    judged on ``Mronouncements``, not on ``M``).

    The page's text is read in one call and the font asked twice a judged word (numbers and signs
    are judged in no font and left out), not once a character; a page with characters outside the Basic
    Multilingual Plane, whose UTF-16 text no longer lines up with the character indices, is read
    character by character."""
    import ctypes

    import pypdfium2.raw as raw

    count = raw.FPDFText_CountChars(textpage.raw)
    if count <= 0:
        return {}
    units = (ctypes.c_ushort * (count + 1))()
    got = raw.FPDFText_GetText(textpage.raw, 0, count, units)
    text = bytes(units)[: 2 * count].decode("utf-16-le", errors="surrogatepass")
    if got - 1 != count or len(text) != count:  # a surrogate pair: one character, two code units
        return _page_font_text_by_char(textpage, count)
    text = text.replace("\x00", " ")
    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()

    def font(i: int) -> str:
        raw.FPDFText_GetFontInfo(textpage.raw, i, buf, 256, ctypes.byref(flags))
        return buf.value.decode("latin-1", "replace")

    words: dict[str, list[str]] = {}
    for m in _WORD.finditer(text):
        if implausible(m.group()) is None:
            continue  # a number or a sign: judged in no font, so its font is not asked
        first = font(m.start())
        words.setdefault(first, []).append(m.group())
        if m.end() - 1 > m.start():
            last = font(m.end() - 1)
            if last != first:
                words.setdefault(last, []).append(m.group())
    return {name: " ".join(w) for name, w in words.items()}


_WORD = re.compile(r"\S+")


def _page_font_text_by_char(textpage, count: int) -> dict[str, str]:  # noqa: ANN001 - a pypdfium2 PdfTextPage
    """``page_font_text`` a character at a time: every font that draws a letter of a word gets it."""
    import ctypes

    import pypdfium2.raw as raw

    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    words: dict[str, list[str]] = {}
    word: list[str] = []
    fonts: set[str] = set()
    for i in range(count + 1):
        code = raw.FPDFText_GetUnicode(textpage.raw, i) if i < count else 32
        ch = chr(code) if 0 < code < 0x110000 else " "
        if ch.isspace():
            for name in fonts:
                words.setdefault(name, []).append("".join(word))
            word, fonts = [], set()
            continue
        raw.FPDFText_GetFontInfo(textpage.raw, i, buf, 256, ctypes.byref(flags))
        fonts.add(buf.value.decode("latin-1", "replace"))
        word.append(ch)
    return {name: " ".join(w) for name, w in words.items()}


# ---------------------------------------------------------------- digits

BENFORD = tuple(math.log10(1 + 1 / d) for d in range(1, 10))
MIN_NUMBERS = 100  # distinct numbers of two digits or more before their leading digits are judged
MAX_BENFORD_CHI2 = 0.45  # chi-square per number against Benford's law; real reports reach 0.19 (71 in the corpus)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w)")
_YEAR = re.compile(r"(?:19|20)\d\d")


def leading_digit_misfit(texts: list[str]) -> tuple[int, float]:
    """(numbers judged, chi-square per number of their leading digits against Benford's law).

    The amounts of accounts follow Benford's law (a leading 1 about 30 % of the time, a 9 under 5 %);
    a font map whose digits were permuted among themselves keeps every number a number but moves
    those shares (every 1 printed as 7: a leading 7 a third of the time). Numbers of one digit,
    years (19xx, 20xx) and repeats are left out: each distinct number counts once, so the line
    numbers a court filing prints on every page, or page and note numbers, do not outweigh the
    amounts (a generated filing of 8 pages numbered "line 10" … "line 39" read as permuted)."""
    counts = [0] * 9
    seen: set[str] = set()
    for text in texts:
        for m in _NUMBER.finditer(text):
            digits = m.group(1).replace(",", "")
            if len(digits) < 2 or digits[0] == "0" or _YEAR.fullmatch(digits) or m.group(0) in seen:
                continue
            seen.add(m.group(0))
            counts[int(digits[0]) - 1] += 1
    n = sum(counts)
    if not n:
        return 0, 0.0
    chi2 = sum((c - n * p) ** 2 / (n * p) for c, p in zip(counts, BENFORD))
    return n, chi2 / n


def digits_permuted(texts: list[str]) -> bool:
    """Do the document's numbers look written through a permuted digit map (``leading_digit_misfit``)?"""
    n, misfit = leading_digit_misfit(texts)
    return n >= MIN_NUMBERS and misfit > MAX_BENFORD_CHI2
