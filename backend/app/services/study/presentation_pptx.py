"""Render a deck outline to a themed 16:9 .pptx with python-pptx.

Theme: a navy title bar with a teal accent strip, Calibri throughout, an
off-white canvas, a footer with the deck title and the slide number; the
title slide is navy full-bleed. Titles and bullets sit in the layouts' real
placeholders (so PowerPoint's outline view and screen readers see them), and
every slide carries its speaker notes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from pptx import Presentation as new_pptx
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.util import Emu, Inches, Pt

NAVY = RGBColor(0x1E, 0x2A, 0x4A)
TEAL = RGBColor(0x2B, 0xA3, 0xA3)
CANVAS = RGBColor(0xF7, 0xF8, 0xFA)
INK = RGBColor(0x22, 0x2B, 0x3A)
MUTED = RGBColor(0x6B, 0x74, 0x85)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
FONT = "Calibri"

WIDTH, HEIGHT = Inches(13.333), Inches(7.5)
BAR_HEIGHT = Inches(1.15)
MARGIN = Inches(0.6)

_TITLE_LAYOUT, _CONTENT_LAYOUT, _TITLE_ONLY_LAYOUT = 0, 1, 5


def _fill(shape, color: RGBColor) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = color
    shape.line.fill.background()


def _send_to_back(slide, shape) -> None:
    tree = slide.shapes._spTree
    tree.remove(shape._element)
    tree.insert(2, shape._element)  # after the group's nvGrpSpPr and grpSpPr


def _style_runs(frame, size: int, color: RGBColor, bold: bool = False) -> None:
    for para in frame.paragraphs:
        for run in para.runs:
            run.font.name = FONT
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = color


def _place(shape, left, top, width, height) -> None:
    shape.left, shape.top, shape.width, shape.height = Emu(left), Emu(top), Emu(width), Emu(height)


def _title_bar(slide, title: str) -> None:
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, 0, WIDTH, BAR_HEIGHT)
    _fill(bar, NAVY)
    strip = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, BAR_HEIGHT, WIDTH, Inches(0.08))
    _fill(strip, TEAL)
    _send_to_back(slide, strip)
    _send_to_back(slide, bar)
    holder = slide.shapes.title
    _place(holder, MARGIN, Inches(0.12), WIDTH - 2 * MARGIN, BAR_HEIGHT - Inches(0.24))
    holder.text_frame.text = title
    holder.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    holder.text_frame.word_wrap = True
    for para in holder.text_frame.paragraphs:
        para.alignment = PP_ALIGN.LEFT
    _style_runs(holder.text_frame, 32, WHITE, bold=True)


def _footer(slide, deck_title: str, number: int, total: int) -> None:
    box = slide.shapes.add_textbox(MARGIN, HEIGHT - Inches(0.5), WIDTH - 2 * MARGIN, Inches(0.35))
    frame = box.text_frame
    frame.text = f"{deck_title}    ·    {number} / {total}"
    frame.paragraphs[0].alignment = PP_ALIGN.RIGHT
    _style_runs(frame, 11, MUTED)


def _bullets(slide, items: list[str], color: RGBColor = INK) -> None:
    body = slide.placeholders[1]
    _place(body, MARGIN, BAR_HEIGHT + Inches(0.45), WIDTH - 2 * MARGIN, HEIGHT - BAR_HEIGHT - Inches(1.15))
    frame = body.text_frame
    frame.word_wrap = True
    frame.text = items[0] if items else ""
    for item in items[1:]:
        frame.add_paragraph().text = item
    for para in frame.paragraphs:
        para.space_after = Pt(10)
    _style_runs(frame, 24 if len(items) <= 4 else 20, color)


def _notes(slide, text: str) -> None:
    slide.notes_slide.notes_text_frame.text = text


def _title_slide(prs, outline: dict, slide_data: dict) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE_LAYOUT])
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = NAVY
    accent = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, MARGIN, Inches(4.1), Inches(2.2), Inches(0.1))
    _fill(accent, TEAL)
    title = slide.shapes.title
    _place(title, MARGIN, Inches(1.8), WIDTH - 2 * MARGIN, Inches(2.2))
    title.text_frame.text = slide_data["title"]
    title.text_frame.word_wrap = True
    title.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
    title.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    _style_runs(title.text_frame, 44, WHITE, bold=True)
    subtitle = slide.placeholders[1]
    _place(subtitle, MARGIN, Inches(4.4), WIDTH - 2 * MARGIN, Inches(1.2))
    subtitle.text_frame.text = " ".join(slide_data.get("bullets") or []) or outline.get("subtitle", "")
    subtitle.text_frame.paragraphs[0].alignment = PP_ALIGN.LEFT
    _style_runs(subtitle.text_frame, 22, RGBColor(0xC9, 0xE8, 0xE8))
    _notes(slide, slide_data.get("notes", ""))


def _content_slide(prs, slide_data: dict) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_CONTENT_LAYOUT])
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = CANVAS
    _title_bar(slide, slide_data["title"])
    _bullets(slide, slide_data.get("bullets") or [])
    _notes(slide, slide_data.get("notes", ""))


def _figure_slide(prs, slide_data: dict, image_path: Path) -> None:
    slide = prs.slides.add_slide(prs.slide_layouts[_TITLE_ONLY_LAYOUT])
    slide.background.fill.solid()
    slide.background.fill.fore_color.rgb = CANVAS
    _title_bar(slide, slide_data["title"])
    top = BAR_HEIGHT + Inches(0.4)
    max_w, max_h = WIDTH - 2 * MARGIN, HEIGHT - top - Inches(0.7)
    picture = slide.shapes.add_picture(str(image_path), MARGIN, top)
    scale = min(max_w / picture.width, max_h / picture.height, 1.0)
    picture.width, picture.height = int(picture.width * scale), int(picture.height * scale)
    picture.left = int((WIDTH - picture.width) / 2)
    _notes(slide, slide_data.get("notes", ""))


def render_pptx(outline: dict, dest: Path, image_path: Path | None = None) -> int:
    """Write the deck for `outline` (see presentation_outline.frame_outline) to `dest`
    atomically; returns the number of slides."""
    prs = new_pptx()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    slides = outline["slides"]
    for data in slides:
        kind = data.get("kind", "section")
        if kind == "title":
            _title_slide(prs, outline, data)
        elif kind == "figure":
            if image_path is None:
                continue
            _figure_slide(prs, data, image_path)
        else:
            _content_slide(prs, data)
    total = len(prs.slides)
    for number, slide in enumerate(prs.slides, start=1):
        if number > 1:
            _footer(slide, outline["title"], number, total)

    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.stem}-", suffix=".pptx", dir=dest.parent)
    os.close(fd)
    try:
        prs.save(tmp)
        os.replace(tmp, dest)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return total
