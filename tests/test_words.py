"""Word building from pypdfium2 character boxes (extractors.words)."""

from __future__ import annotations

import pytest

from extractors.words import _kerned_word_gap, chars_to_words


def _chars(text: str, x: float = 10.0, advance: float = 4.0, top: float = 100.0) -> list[tuple[str, float, float, float, float]]:
    out = []
    for ch in text:
        out.append((ch, x, x + advance - 0.2, top, top + 9))
        x += advance
    return out


def test_tight_kerning_without_a_blank_glues_the_words():
    # the mechanism's premise: 'of' and 'goods' 0.2 pt apart read as one word when nothing marks the break
    words = chars_to_words(_chars("Costof") + _chars("goods", x=10 + 6 * 4.0))
    assert [w.text for w in words] == ["Costofgoods"]


def test_an_inferred_blank_between_letters_splits_the_word():
    of = _chars("of", x=40.0)
    goods = _chars("goods", x=48.0)
    blank = (" ", of[-1][2], of[-1][2], of[-1][3], of[-1][4])  # what page_lines_pdfium appends
    words = chars_to_words(_chars("Cost") + [(" ", 26.0, 26.0, 100.0, 109.0)] + of + [blank] + goods)
    assert [w.text for w in words] == ["Cost", "of", "goods"]


@pytest.mark.parametrize(("prev", "nxt", "split"), [
    ("f", "g", True), ("s", "(", True), ("d", "$", True),
    ("1", "2", False), ("f", "1", False), ("2", "a", False), ("合", "并", False), ("f", "并", False),
    ("’", "e", True), (",", "c", True), (";", "a", True), (",", "1", False), ("’", "并", False), ("，", "c", False),
])
def test_only_a_blank_between_latin_letters_counts(prev, nxt, split):
    assert _kerned_word_gap(prev, ord(nxt)) is split


@pytest.mark.real_data
def test_coca_cola_labels_keep_their_blanks(shared_data):
    pdf = shared_data / "corpus" / "en" / "COCACOLA_2019_10K.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf} not found")
    from extractors.words import page_lines_pdfium

    lines, _ = page_lines_pdfium(pdf, [68])[0][68]
    text = "\n".join(line.text for line in lines)
    assert "Cost of goods sold" in text
    assert "ofgoods" not in text
