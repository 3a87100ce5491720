"""Small files that are expensive to read, built with the libraries that write
them (python-docx, openpyxl) and then reshaped with zipfile. Used by the
extraction tests and by bench/extraction_bench.py.

    many_styles_docx(paragraphs, styles)  each paragraph in its own style (python-docx: quadratic)
    long_docx(paragraphs)                 a plain long document (linear, but seconds to read)
    docx_bomb(unpacked_mb)                a DOCX with a part of zeros packed ~1000:1
    crowded_docx(parts)                   a DOCX with that many extra (empty) parts
    xlsx_bomb(unpacked_mb)                an XLSX whose sheet is one row repeated, packed ~500:1
    huge_dimension_xlsx(rows)             three cells, the last in row `rows`; declares A1:XFD<rows>
    huge_paragraph_docx(text_mb)          one paragraph of that many MB of text
    wide_rows_xlsx(rows)                  each row a cell in column A and one in XFD (16,384 wide)
"""

from __future__ import annotations

import io
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _rezip(base: bytes, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(base)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, replace.get(item.filename, zin.read(item.filename)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)
    return out.getvalue()


def _base_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def _docx_with_body(paragraphs_xml: str, extra_styles_xml: str = "") -> bytes:
    base = _base_docx()
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        styles = zf.read("word/styles.xml").decode("utf-8")
    if extra_styles_xml:
        styles = styles.replace("</w:styles>", extra_styles_xml + "</w:styles>")
    document = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<w:document xmlns:w="{W_NS}"><w:body>{paragraphs_xml}<w:sectPr/></w:body></w:document>'
    )
    return _rezip(base, {"word/document.xml": document.encode(), "word/styles.xml": styles.encode()})


def _paragraph(text: str, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}<w:r><w:t>{text}</w:t></w:r></w:p>"


def many_styles_docx(paragraphs: int, styles: int) -> bytes:
    """`styles` paragraph styles and `paragraphs` paragraphs, paragraph i in style i % styles;
    paragraph 0 is a "Heading 1" (built-in style id Heading1)."""
    style_xml = "".join(
        f'<w:style w:type="paragraph" w:styleId="S{i}"><w:name w:val="Style {i}"/></w:style>' for i in range(styles)
    )
    body = _paragraph("Chapter one", "Heading1") + "".join(
        _paragraph(f"Paragraph {i}", f"S{i % styles}") for i in range(1, paragraphs)
    )
    return _docx_with_body(body, style_xml)


def long_docx(paragraphs: int) -> bytes:
    return _docx_with_body("".join(_paragraph(f"Paragraph number {i} of a long text.") for i in range(paragraphs)))


def docx_bomb(unpacked_mb: int) -> bytes:
    return _rezip(_base_docx(), {}, {"word/media/filler.bin": bytes(unpacked_mb * 1024 * 1024)})


def crowded_docx(parts: int) -> bytes:
    return _rezip(_base_docx(), {}, {f"word/media/p{i}.bin": b"" for i in range(parts)})


def _base_xlsx(rows: list[list]) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


def xlsx_bomb(unpacked_mb: int) -> bytes:
    row = '<row r="1"><c r="A1" t="n"><v>1</v></c></row>'
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + row * (unpacked_mb * 1024 * 1024 // len(row))
        + "</sheetData></worksheet>"
    )
    return _rezip(_base_xlsx([[1]]), {"xl/worksheets/sheet1.xml": sheet.encode()})


def huge_dimension_xlsx(rows: int = 100_000) -> bytes:
    """Three cells, the last in row `rows`, and a sheet that declares A1:XFD<rows>: a reader
    that pads every row to the declared width makes `rows` x 16,384 cells of it."""
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["name", "value"])
    workbook.active.cell(rows, 1, "end")
    buf = io.BytesIO()
    workbook.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml").decode("utf-8")
    declared = f'<dimension ref="A1:B{rows}"/>'
    assert declared in sheet
    sheet = sheet.replace(declared, f'<dimension ref="A1:XFD{rows}"/>')
    return _rezip(buf.getvalue(), {"xl/worksheets/sheet1.xml": sheet.encode()})


def huge_paragraph_docx(text_mb: int) -> bytes:
    """One paragraph of `text_mb` MB of hex digits (packs only ~2:1, so no ZIP limit trips)."""
    import os

    return _docx_with_body(_paragraph(os.urandom(text_mb * 1024 * 512).hex()))


def wide_rows_xlsx(rows: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for r in range(1, rows + 1):
        sheet.cell(r, 1, f"row {r}")
        sheet.cell(r, 16_384, r)
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()
