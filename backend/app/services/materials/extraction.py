"""Plain text out of each supported format (run it in a thread: it is CPU and
disk bound).

- PDF: every page's text, each after a `--- Page N ---` line.
- DOCX: paragraphs in order (headings as Markdown `#`), tables as ` | ` rows.
- XLSX: each sheet as CSV-like text after a `# Sheet: <name>` line.
- CSV / TXT / MD: the text itself (already decoded to str).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from app.services.materials.errors import CorruptFile


def extract_text(path: Path, ext: str, text: str | None = None) -> str:
    if ext in ("csv", "txt", "md"):
        return text if text is not None else path.read_text(encoding="utf-8")
    try:
        return _EXTRACTORS[ext](path)
    except CorruptFile:
        raise
    except Exception as exc:  # every reader has its own error zoo
        raise CorruptFile(f"The file could not be read as {ext.upper()}: {exc}") from None


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise CorruptFile("The PDF is password-protected.")
    pages = reader.pages
    if len(pages) == 0:
        raise CorruptFile("The PDF has no pages.")
    parts = []
    for number, page in enumerate(pages, start=1):
        parts.append(f"--- Page {number} ---\n{(page.extract_text() or '').strip()}")
    return "\n\n".join(parts) + "\n"


def docx_text(path: Path) -> str:
    import docx
    from docx.table import Table

    document = docx.Document(str(path))
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                lines.append(" | ".join(cell.text.strip() for cell in row.cells))
            lines.append("")
            continue
        text = block.text.strip()
        if not text:
            continue
        style = (block.style.name if block.style is not None else "") or ""
        if style.startswith("Heading") and style[-1:].isdigit():
            text = "#" * int(style[-1]) + " " + text
        elif style == "Title":
            text = "# " + text
        lines.append(text)
    return "\n".join(lines).strip() + "\n"


def xlsx_text(path: Path) -> str:
    import openpyxl

    fh = open(path, "rb")  # noqa: SIM115  (a file object: openpyxl judges a path by its suffix)
    workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    try:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for sheet in workbook.worksheets:
            out.write(f"# Sheet: {sheet.title}\n")
            for row in sheet.iter_rows(values_only=True):
                cells = ["" if v is None else str(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                if cells:
                    writer.writerow(cells)
            out.write("\n")
        return out.getvalue()
    finally:
        workbook.close()
        fh.close()


_EXTRACTORS = {"pdf": pdf_text, "docx": docx_text, "xlsx": xlsx_text}
