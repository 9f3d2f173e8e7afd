"""One page of a PDF as an image, with a figure's row highlighted (what the officer clicks to check).

``render_page(path, page, highlight_bbox)`` renders with pypdfium2; the box is in PDF points
with the origin at the top left (pdfplumber's ``x0, top, x1, bottom``, as figures store it).
The highlight spans the whole row across the page, so the label and the value both show.
"""

from __future__ import annotations

import io
from pathlib import Path

import pypdfium2 as pdfium

from extractors.errors import DocumentError

HIGHLIGHT = (255, 196, 0, 90)
OUTLINE = (214, 120, 0, 255)


def render_page(path: str | Path, page: int, highlight_bbox: tuple[float, float, float, float] | None = None, *,
                scale: float = 1.6, whole_row: bool = True):  # noqa: ANN201 - a PIL.Image
    """Page ``page`` (1-based) of the PDF at ``path`` as a PIL image, ``highlight_bbox`` shaded."""
    from PIL import Image, ImageDraw

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise DocumentError(f"cannot open {Path(path).name} to show page {page} ({exc})",
                            hint="the stored copy may be missing or damaged; ingest the file again") from exc
    try:
        if not 1 <= page <= len(pdf):
            raise DocumentError(f"{Path(path).name} has {len(pdf)} pages, not a page {page}",
                                hint="the figure's page number is out of range; check the stored document")
        image = pdf[page - 1].render(scale=scale).to_pil().convert("RGBA")
    finally:
        pdf.close()
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
