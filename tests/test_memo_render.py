"""Renderers: Markdown footnotes, a Word file that reads back, a PDF whose Chinese renders."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from assistant.errors import ConfigError, DocumentError
from assistant.memo import Table, build_memo, pdf_font, render_docx, render_markdown, render_pdf
from tests.memo_fixtures import declining_client, sound_client


@pytest.fixture(scope="module")
def memo():
    return build_memo(declining_client(), "2026Q3")


def test_markdown_footnotes_all_defined_and_used(memo):
    text = render_markdown(memo)
    used = {int(n) for n in re.findall(r"\[\^(\d+)\](?!:)", text)}
    defined = {int(n) for n in re.findall(r"^\[\^(\d+)\]:", text, re.M)}
    assert used == defined == {s.n for s in memo.sources}
    assert "[^2]: 2026Q3财务报表.pdf，第4页" in text
    assert re.search(r"^## 9\. 资料来源$", text, re.M)
    assert text.count("\n| ") > 20  # real tables


def test_word_file_reads_back_with_tables_and_citations(tmp_path, memo):
    path = tmp_path / "memo.docx"
    render_docx(memo, path)
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == memo.title
    assert headings[1:] == [f"{i}. {s.title}" for i, s in enumerate(memo.sections, start=1)]
    n_tables = sum(isinstance(b, Table) for s in memo.sections for b in s.blocks)
    assert len(doc.tables) == n_tables
    perf = next(t for t in doc.tables if t.rows[0].cells[0].text == "项目")
    revenue = next(r for r in perf.rows if r.cells[0].text == "营业收入")
    assert revenue.cells[1].text.startswith("1.52亿元")
    # citations: superscript [n] runs pointing at numbered endnotes
    sup = [r.text for p in doc.paragraphs for r in p.runs if r.font.superscript]
    sup += [r.text for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs
            for r in p.runs if r.font.superscript]
    cited = {int(n) for s in sup for n in re.findall(r"\[(\d+)\]", s)}
    assert cited == {s.n for s in memo.sources}
    endnotes = [p.text for p in doc.paragraphs if re.match(r"^\[\d+\] ", p.text)]
    assert len(endnotes) == len(memo.sources)
    assert endnotes[1] == "[2] 2026Q3财务报表.pdf，第4页"
    # Chinese font named for East Asian text
    rfonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert rfonts.get(qn("w:eastAsia")) == "SimSun"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_word_file_names_the_east_asian_font_everywhere(tmp_path, lang):
    """A theme font wins over a named one, and the template's theme has no East Asian font: the
    headings (and the defaults) would set Chinese in whatever face Word falls back to."""
    path = tmp_path / "memo.docx"
    render_docx(build_memo(declining_client(), "2026Q3", lang=lang), path)
    doc = Document(str(path))
    defaults = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    used = {p.style.name for p in doc.paragraphs} | {"Table Grid"}
    holders = [defaults] + [doc.styles[name].element.rPr for name in sorted(used)]
    holders += [r.element.rPr for p in doc.paragraphs for r in p.runs if r.element.rPr is not None]
    for rpr in holders:
        rfonts = rpr.find(qn("w:rFonts"))
        assert rfonts is not None and rfonts.get(qn("w:eastAsia")) == "SimSun"
        assert not [a for a in rfonts.attrib if a.endswith("Theme") or a.endswith("theme")]
    assert defaults.find(qn("w:lang")).get(qn("w:eastAsia")) == ("zh-CN" if lang == "zh" else "en-US")


def _pdffonts(path) -> list[dict[str, str]]:
    """``pdffonts`` rows as dicts (columns cut where its dashed rule cuts them)."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    head, rule, rows = lines[0], lines[1], lines[2:]
    cuts = [m.span() for m in re.finditer(r"-+", rule)]
    names = [head[a:b].strip() for a, b in cuts]
    return [{n: row[a:b].strip() for n, (a, b) in zip(names, cuts)} for row in rows if row.strip()]


@pytest.fixture(scope="module")
def memo_en():
    return build_memo(sound_client(), "2026Q3", lang="en")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_pdf_text_has_the_chinese_and_the_numbers(tmp_path, memo):
    path = tmp_path / "memo.pdf"
    render_pdf(memo, path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "借款人与授信概况" in text and "风险评级与五级分类建议" in text
    assert "1.52亿元" in text


@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed")
@pytest.mark.parametrize("which", ["memo", "memo_en"])
def test_pdf_embeds_every_font(tmp_path, request, which):
    """A PDF that names a font without embedding it shows blank text where the viewer lacks it
    (poppler without poppler-data, a bank desktop without Adobe's CJK resources)."""
    path = tmp_path / "memo.pdf"
    render_pdf(request.getfixturevalue(which), path)
    fonts = _pdffonts(path)
    assert fonts, "pdffonts lists no font"
    assert [f["name"] for f in fonts if f["emb"] != "yes"] == []
    assert all(f["sub"] == "yes" and f["uni"] == "yes" for f in fonts)  # subsets, text extractable


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) not installed")
@pytest.mark.parametrize("which", ["memo", "memo_en"])
def test_pdf_page_renders_ink(tmp_path, request, which):
    """Render page 1 to PNG: the title line must hold glyphs (checked by eye once; here: ink)."""
    from PIL import Image

    path = tmp_path / "memo.pdf"
    render_pdf(request.getfixturevalue(which), path)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    title_band = image.crop((40, 40, image.width - 40, 90))
    dark = sum(title_band.histogram()[:128])
    assert dark > 500


def test_pdf_without_any_cjk_font_names_the_fix(monkeypatch, memo):
    monkeypatch.setattr(pdf_font, "font_candidates", list)
    with pytest.raises(ConfigError) as err:
        render_pdf(memo)
    assert "pip install paperang-p2-fonts-cjk" in str(err.value)
    assert "\n" not in str(err.value)


def test_pdf_refuses_a_character_no_font_draws(memo):
    # U+20000 (CJK Extension B) is in neither WenQuanYi font: a box in a signed memo is wrong
    odd = memo.model_copy(update={"title": memo.title + "\U00020000"})
    with pytest.raises(DocumentError, match="U\\+20000"):
        render_pdf(odd)


ZENHEI = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@pytest.mark.skipif(not ZENHEI.is_file(), reason="fonts-wqy-zenhei not installed")
@pytest.mark.skipif(shutil.which("pdffonts") is None, reason="poppler-utils (pdffonts) not installed")
def test_pdf_falls_back_to_the_debian_font(tmp_path, monkeypatch, memo):
    """Without the PyPI font the Debian .ttc (face 0) is embedded; its missing U+2022 bullet is
    swapped for one it has."""
    monkeypatch.setattr(pdf_font, "_pypi_font", lambda: None)
    path = tmp_path / "memo.pdf"
    render_pdf(memo, path)
    names = {f["name"].split("+")[-1] for f in _pdffonts(path)}
    assert names == {"WenQuanYiZenHei-0"}
    assert pdf_font.bullet_for("WenQuanYiZenHei") == "\u25cf"


def test_pdf_takes_the_font_that_draws_every_character(monkeypatch, memo):
    if ZENHEI.is_file() is False or pdf_font._pypi_font() is None:
        pytest.skip("needs both WenQuanYi fonts")
    # U+3400 (Extension A): Micro Hei lacks it, Zen Hei has it
    assert pdf_font.font_for("借款人") == "WenQuanYiMicroHei"
    assert pdf_font.font_for("借款人\u3400") == "WenQuanYiZenHei"


def test_pdf_figure_wider_than_its_column_is_set_smaller_not_run_into_the_next_cell(tmp_path, memo):
    """A figure keeps its unit and citations on one line; one wider than its column ran over the
    next cell, and read back glued to it ("+1.7—个百分点", seen on the demo portfolio)."""
    from assistant.memo import memo_text
    from assistant.memo.model import Cell, CellSource

    perf = memo.section("performance")
    table = next(b for b in perf.blocks if isinstance(b, Table))
    wide = Cell(text="+1.7个百分点", source=CellSource(kind="formula", cites=[5, 6, 7, 12, 13]))
    row = [table.rows[0][0].model_copy(update={"text": "经营现金流量比率"}), *table.rows[0][1:4], wide, Cell(text="—")]
    blocks = [table.model_copy(update={"rows": [row]}) if b is table else b for b in perf.blocks]
    sections = [s.model_copy(update={"blocks": blocks}) if s is perf else s for s in memo.sections]
    path = tmp_path / "memo.pdf"
    render_pdf(memo.model_copy(update={"sections": sections}), path)
    text, _ = memo_text(path)
    line = next(x for x in text.splitlines() if x.startswith("经营现金流量比率"))
    assert "+1.7个百分点" in line and line.rstrip().endswith("—"), line


def test_pdf_is_deterministic(memo):
    assert render_pdf(memo) == render_pdf(memo)
