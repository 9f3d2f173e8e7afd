"""One page of a PDF as an image, with a figure's row highlighted (what the officer clicks to check),
and one cell of a stored page cut out (``render_cell``: a figure read by OCR beside its value).

``render_page(path, page, highlight_bbox)`` renders with pypdfium2; the box is in PDF points
with the origin at the top left (pdfplumber's ``x0, top, x1, bottom``, as figures store it).
The highlight spans the whole row across the page, so the label and the value both show.
"""

from __future__ import annotations

import io
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pypdfium2 as pdfium

from extractors.errors import DocumentError
from extractors.pdfium_lock import PDFIUM

HIGHLIGHT = (255, 196, 0, 90)
OUTLINE = (214, 120, 0, 255)


@contextmanager
def _pdf_page(path: str | Path, page: int) -> Iterator["pdfium.PdfPage"]:
    """Page ``page`` (1-based) of the PDF at ``path``; a ``DocumentError`` naming the fix when it cannot be had."""
    name = Path(path).name
    with PDFIUM:  # held while the caller renders the page: pdfium is not thread-safe
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError as exc:
            raise DocumentError(f"cannot open {name} to show page {page} ({exc})",
                                hint="the stored copy may be missing or damaged; ingest the file again") from exc
        try:
            if not 1 <= page <= len(pdf):
                raise DocumentError(f"{name} has {len(pdf)} pages, not a page {page}",
                                    hint="the figure's page number is out of range; check the stored document")
            pg = pdf[page - 1]
            try:
                yield pg
            finally:
                pg.close()
        finally:
            pdf.close()


def render_page(path: str | Path, page: int, highlight_bbox: tuple[float, float, float, float] | None = None, *,
                scale: float = 1.6, whole_row: bool = True):  # noqa: ANN201 - a PIL.Image
    """Page ``page`` (1-based) of the PDF at ``path`` as a PIL image, ``highlight_bbox`` shaded."""
    from PIL import Image, ImageDraw

    with _pdf_page(path, page) as pg:
        image = pg.render(scale=scale).to_pil().convert("RGBA")
    if highlight_bbox is not None and None not in highlight_bbox:
        x0, top, x1, bottom = (v * scale for v in highlight_bbox)
        if whole_row:
            x0, x1 = 6, image.width - 6
        pad = 3 * scale
        box = (x0, top - pad, x1, bottom + pad)
        layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
        ImageDraw.Draw(layer).rectangle(box, fill=HIGHLIGHT, outline=OUTLINE, width=2)
        image = Image.alpha_composite(image, layer)
    return image.convert("RGB")


def render_page_png(path: str | Path, page: int, highlight_bbox=None, **kwargs) -> bytes:  # noqa: ANN001
    """The same page as PNG bytes."""
    buf = io.BytesIO()
    render_page(path, page, highlight_bbox, **kwargs).save(buf, format="PNG")
    return buf.getvalue()


def image_width_pt(im, size: tuple[int, int]) -> float:  # noqa: ANN001 - a PIL image
    """A page image's width in points: from its dpi when it has one, else an A4 page (portrait or landscape)."""
    dpi = im.info.get("dpi")
    if dpi and dpi[0] and 50 <= float(dpi[0]) <= 1200:
        return size[0] * 72.0 / float(dpi[0])
    return 595.0 if size[0] <= size[1] else 842.0


def render_cell(path: str | Path, page: int, bbox: tuple[float, float, float, float], *, pad: float = 4.0,
                dpi: float = 200.0):  # noqa: ANN201 - a PIL.Image
    """The cell at ``bbox`` (points, top-left origin) of page ``page`` of a stored PDF or page image,
    ``pad`` points around it, at ``dpi``: what the recogniser saw, to set beside the value it read."""
    from PIL import Image

    if None in bbox:
        raise DocumentError("the figure has no box on its page", hint="open the whole page instead")
    x0, top, x1, bottom = bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad
    path = Path(path)
    try:
        head = path.read_bytes()[:1024]
    except OSError as exc:
        raise DocumentError(f"cannot open {path.name} to show page {page} ({exc.strerror})",
                            hint="the stored copy may be missing; ingest the file again") from exc
    if head.find(b"%PDF-") >= 0:
        with _pdf_page(path, page) as pg:
            w, h = pg.get_size()
            x0, top, x1, bottom = max(0.0, x0), max(0.0, top), min(w, x1), min(h, bottom)
            # crop is (left, bottom, right, top) margins in points to leave out
            image = pg.render(scale=dpi / 72, crop=(x0, h - bottom, w - x1, top)).to_pil().convert("RGB")
        return image
    with Image.open(path) as im:
        frames = getattr(im, "n_frames", 1)
        if not 1 <= page <= frames:
            raise DocumentError(f"{path.name} has {frames} pages, not a page {page}",
                                hint="the figure's page number is out of range; check the stored document")
        im.seek(page - 1)
        k = im.size[0] / image_width_pt(im, im.size)
        box = (max(0, int(x0 * k)), max(0, int(top * k)), min(im.size[0], int(x1 * k) + 1), min(im.size[1], int(bottom * k) + 1))
        return im.convert("RGB").crop(box)


def render_cell_png(path: str | Path, page: int, bbox: tuple[float, float, float, float], **kwargs) -> bytes:
    """The same cell as PNG bytes."""
    buf = io.BytesIO()
    render_cell(path, page, bbox, **kwargs).save(buf, format="PNG")
    return buf.getvalue()
