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

_OUTER = "\"'“”‘’()[]{}<>,.;:!?*•·–—-…"
_PART = re.compile(r"[-'’./&:,_+\x02≤≥<>±×%°~\u3000-\u303f\uff00-\uffef]+")  # CJK punctuation joins words too
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


def implausible(token: str) -> bool | None:
    """Is a whitespace-separated token not a word? None when it is not judged (no letters, too
    short to tell, or letters outside ASCII: names and other languages)."""
    core = token.strip(_OUTER)
    if not _LETTERS.search(core):
        return None
    if any(ord(c) > 127 and c.isalpha() for c in core) or _ADDRESS.search(core):
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
    """The page's characters grouped by the font they are drawn in (name → text; a change of font
    ends a word)."""
    import ctypes

    import pypdfium2.raw as raw

    buf = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    chars: dict[str, list[str]] = {}
    last = None
    for i in range(textpage.count_chars()):
        raw.FPDFText_GetFontInfo(textpage.raw, i, buf, 256, ctypes.byref(flags))
        name = buf.value.decode("latin-1", "replace")
        code = raw.FPDFText_GetUnicode(textpage.raw, i)
        run = chars.setdefault(name, [])
        if name != last:
            run.append(" ")
            last = name
        run.append(chr(code) if 0 < code < 0x110000 else " ")
    return {name: "".join(c) for name, c in chars.items()}
