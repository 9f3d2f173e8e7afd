"""The font a memo PDF embeds, so the file reads the same on every machine.

A memo PDF carries a subset of a free CJK TrueType font (reportlab's ``TTFont`` embeds only
the glyphs used) instead of naming a font the viewer must supply: a PDF that names Adobe's
``STSong-Light`` shows blank Chinese wherever the Adobe CJK resources are missing (poppler
without ``poppler-data``, many bank desktops).

Where the font comes from, first found wins:

1. WenQuanYi Micro Hei from the PyPI package ``paperang-p2-fonts-cjk`` (a dependency of
   loanwatch, so ``pip install -e .`` brings it; the font is Apache-2.0 licensed, as its
   ``name`` table says);
2. WenQuanYi Zen Hei or Micro Hei from Debian (``fonts-wqy-zenhei`` / ``fonts-wqy-microhei``).

A memo takes the first of these that draws every character it prints (Micro Hei lacks CJK
Extension A, Zen Hei has it). Both have Latin glyphs, so English memos use the same font.
Neither has a bold face: ``<b>`` sets the regular face, as before. A font found nowhere is a
``ConfigError`` that names the fix; a character no font found can draw is a
``DocumentError`` naming the character, never a box or a blank in a memo an officer signs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from assistant.errors import ConfigError, DocumentError

PYPI_PACKAGE = "paperang-p2-fonts-cjk"
_DEBIAN_FONTS = (
    ("WenQuanYiZenHei", Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")),
    ("WenQuanYiMicroHei", Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")),
)
_BULLETS = ("\u2022", "\u25cf")  # •, ●
MISSING_HINT = f"pip install {PYPI_PACKAGE} (or: apt-get install fonts-wqy-zenhei)"


@dataclass(frozen=True)
class EmbeddedFont:
    name: str  # the name registered with reportlab
    path: Path
    subfont: int  # index of the face in a .ttc collection


def _pypi_font() -> Path | None:
    try:
        from importlib.resources import files

        path = Path(str(files("paperang_p2_fonts_cjk") / "fonts" / "wqy-microhei.ttc"))
    except ModuleNotFoundError:
        return None
    return path if path.is_file() else None


def font_candidates() -> list[EmbeddedFont]:
    """The font files to try, in order of preference (only those that exist)."""
    out = []
    pypi = _pypi_font()
    if pypi is not None:
        out.append(EmbeddedFont("WenQuanYiMicroHei", pypi, 0))
    out += [EmbeddedFont(name, path, 0) for name, path in _DEBIAN_FONTS if path.is_file()]
    return out


def _register(font: EmbeddedFont) -> str:
    if font.name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(font.name, str(font.path), subfontIndex=font.subfont))
    return font.name


def _missing(font_name: str, text: str) -> list[str]:
    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    return sorted({ch for ch in text if not ch.isspace() and ord(ch) not in cmap})


def font_for(text: str) -> str:
    """Register (once) and name the first font that draws every character of ``text``.

    ``ConfigError`` when no font is installed; ``DocumentError`` naming the characters when
    none of them can draw the text.
    """
    candidates = font_candidates()
    if not candidates:
        raise ConfigError("no CJK font to embed in memo PDFs", hint=MISSING_HINT)
    first_missing: list[str] = []
    for font in candidates:
        name = _register(font)
        missing = _missing(name, text)
        if not missing:
            return name
        first_missing = first_missing or missing
    shown = ", ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in first_missing[:8])
    tried = ", ".join(font.name for font in candidates)
    raise DocumentError(
        f"memo PDF: no glyph for {shown} in the fonts found ({tried})",
        hint="export the memo as Markdown or Word, or change that text",
    )


def bullet_for(font_name: str) -> str:
    """A bullet the font draws (WenQuanYi Zen Hei has no U+2022)."""
    cmap = pdfmetrics.getFont(font_name).face.charToGlyph
    return next((b for b in _BULLETS if ord(b) in cmap), "-")
