"""Plain text out of each supported format, within limits. Runs inside the
extraction worker process (extraction_worker.py), never on the server's loop.

- PDF: every page's text, each after a `--- Page N ---` line.
- DOCX: paragraphs in order (headings as Markdown `#`), tables as ` | ` rows.
  Read straight from word/document.xml with lxml iterparse, so the work is
  linear in the document (python-docx looked each paragraph's style up by a
  scan over all styles: quadratic, minutes for a 124 KiB file).
- XLSX: each sheet as CSV-like text after a `# Sheet: <name>` line
  (openpyxl read-only, at most MAX_SPREADSHEET_CELLS cells).
- CSV / TXT / MD: the text itself (already decoded to str).

DOCX/XLSX are ZIPs: their directory is checked before any parsing
(MAX_DECOMPRESSED_MB, MAX_COMPRESSION_RATIO). The text stops at
MAX_EXTRACTED_CHARS with a note at its end: the upload is kept (the file
itself stays whole for code to read), only the text for search is cut.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from app.services.materials.errors import CorruptFile, ExpandsTooLarge, MaterialError

_MB = 1024 * 1024
_RATIO_FLOOR = 1 * _MB  # small entries (styles, themes) may compress tighter without harm
MAX_ZIP_ENTRIES = 10_000
TEXT_EXTS = ("csv", "txt", "md")


@dataclass(frozen=True)
class ExtractionLimits:
    max_chars: int
    max_decompressed_bytes: int
    max_compression_ratio: float
    max_cells: int

    @classmethod
    def from_settings(cls, settings) -> ExtractionLimits:
        return cls(
            max_chars=settings.MAX_EXTRACTED_CHARS,
            max_decompressed_bytes=int(settings.MAX_DECOMPRESSED_MB * _MB),
            max_compression_ratio=settings.MAX_COMPRESSION_RATIO,
            max_cells=settings.MAX_SPREADSHEET_CELLS,
        )


@dataclass(frozen=True)
class Extracted:
    chars: int
    truncated: bool  # the text was cut at a limit; a note at its end says which


class _Full(Exception):
    """A limit on the output was reached: stop reading, keep what was written."""

    def __init__(self, note: str) -> None:
        super().__init__(note)
        self.note = note


class _TextSink:
    """Writes text to the output file, up to `max_chars`."""

    def __init__(self, fh: TextIO, max_chars: int) -> None:
        self.fh = fh
        self.max_chars = max_chars
        self.chars = 0

    def write(self, text: str) -> None:
        room = self.max_chars - self.chars
        if len(text) > room:
            self.fh.write(text[:room])
            self.chars += room
            raise _Full(f"Text extraction stopped after {self.max_chars:,} characters (MAX_EXTRACTED_CHARS)")
        self.fh.write(text)
        self.chars += len(text)


class _Lines:
    """`"\\n".join(lines).strip() + "\\n"`, streamed: blank lines at either end dropped."""

    def __init__(self, sink: _TextSink) -> None:
        self.sink = sink
        self.started = False
        self.blank = 0

    def add(self, line: str) -> None:
        if not line:
            self.blank += self.started
            return
        if self.started:
            self.sink.write("\n" * (1 + self.blank))
        self.sink.write(line)
        self.started, self.blank = True, 0

    def end(self) -> None:
        self.sink.write("\n")


def extract_to_file(
    path: Path, ext: str, out_path: Path, limits: ExtractionLimits, text: str | None = None
) -> Extracted:
    """Write the text of `path` (of type `ext`) to `out_path`. Raises MaterialError
    subclasses (CorruptFile, ExpandsTooLarge); a limit on the text cuts it instead."""
    with open(out_path, "w", encoding="utf-8") as fh:
        sink = _TextSink(fh, limits.max_chars)
        try:
            if ext in TEXT_EXTS:
                sink.write(text if text is not None else path.read_text(encoding="utf-8"))
            else:
                _read(path, ext, sink, limits)
        except _Full as full:
            fh.write(f"\n\n[{full.note}; the rest of the file is not in this text. The file itself is stored whole.]\n")
            return Extracted(sink.chars, True)
    return Extracted(sink.chars, False)


def _read(path: Path, ext: str, sink: _TextSink, limits: ExtractionLimits) -> None:
    if ext in ("docx", "xlsx"):
        check_zip(path, limits)
    try:
        _EXTRACTORS[ext](path, sink, limits)
    except (MaterialError, _Full, MemoryError):
        raise
    except Exception as exc:  # every reader has its own error zoo
        raise CorruptFile(f"The file could not be read as {ext.upper()}: {exc}") from None


def check_zip(path: Path, limits: ExtractionLimits) -> None:
    """Refuse a ZIP whose directory promises too much, before anything is unpacked.
    (Readers cannot get more out of an entry than its declared size: zipfile stops
    there and fails the CRC check.)"""
    try:
        with zipfile.ZipFile(path) as zf:
            entries = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFile(f"The file is a broken ZIP archive: {exc}") from None
    limit_mb = limits.max_decompressed_bytes / _MB
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ExpandsTooLarge(f"The file holds {len(entries):,} parts; at most {MAX_ZIP_ENTRIES:,} are read.")
    total = sum(e.file_size for e in entries)
    if total > limits.max_decompressed_bytes:
        raise ExpandsTooLarge(
            f"The file unpacks to {total / _MB:,.0f} MB, over the {limit_mb:g} MB limit (MAX_DECOMPRESSED_MB)."
        )
    for e in entries:
        if e.file_size > _RATIO_FLOOR and e.file_size > limits.max_compression_ratio * max(e.compress_size, 1):
            ratio = e.file_size / max(e.compress_size, 1)
            raise ExpandsTooLarge(
                f"The file's part {e.filename!r} is packed {ratio:,.0f}:1 (over {limits.max_compression_ratio:g}:1, "
                "MAX_COMPRESSION_RATIO): refused as a likely ZIP bomb."
            )


# --- PDF ---------------------------------------------------------------------------


def pdf_text(path: Path, sink: _TextSink, limits: ExtractionLimits) -> None:
    from pypdf import PdfReader

    reader = PdfReader(path)
    if reader.is_encrypted and not reader.decrypt(""):
        raise CorruptFile("The PDF is password-protected.")
    pages = reader.pages
    if len(pages) == 0:
        raise CorruptFile("The PDF has no pages.")
    for number, page in enumerate(pages, start=1):
        sep = "\n\n" if number > 1 else ""
        sink.write(f"{sep}--- Page {number} ---\n{(page.extract_text() or '').strip()}")
    sink.write("\n")


# --- DOCX --------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_P, _TBL, _TR, _TC, _R, _BODY = (f"{_W}{t}" for t in ("p", "tbl", "tr", "tc", "r", "body"))
_SDT_CONTENT = f"{_W}sdtContent"
_VAL = f"{_W}val"
_RUN_TEXT = {f"{_W}t": None, f"{_W}tab": "\t", f"{_W}br": "\n", f"{_W}cr": "\n", f"{_W}noBreakHyphen": "-"}


def _xml_events(source, tags: tuple[str, ...]) -> Iterator:
    from lxml import etree

    # no entities, no network, no huge trees: a billion-laughs part fails instead of growing
    return etree.iterparse(source, events=("end",), tag=tags, resolve_entities=False, no_network=True)


def _heading_levels(zf: zipfile.ZipFile) -> tuple[dict[str, int], int]:
    """Paragraph style id -> Markdown heading level (0: not a heading), and the
    level of the default paragraph style. One pass over styles.xml."""
    levels: dict[str, int] = {}
    default = 0
    if "word/styles.xml" not in zf.namelist():
        return levels, default
    with zf.open("word/styles.xml") as fh:
        for _, style in _xml_events(fh, (f"{_W}style",)):
            if style.get(f"{_W}type") == "paragraph":
                name_el = style.find(f"{_W}name")
                level = _level_of(name_el.get(_VAL, "") if name_el is not None else "")
                levels[style.get(f"{_W}styleId", "")] = level
                if style.get(f"{_W}default") in ("1", "true", "on"):
                    default = level
            style.clear()
    return levels, default


def _level_of(name: str) -> int:
    """python-docx's names: `heading N` is shown as `Heading N`; `Title` is level 1."""
    if name.lower().startswith("heading") and name[-1:].isdigit():
        return int(name[-1])
    return 1 if name == "Title" else 0


def _paragraph_text(p) -> str:
    parts: list[str] = []
    for run in p.iter(_R):
        for child in run:
            if child.tag in _RUN_TEXT:
                parts.append(_RUN_TEXT[child.tag] or child.text or "")
    return "".join(parts)


def _paragraph_line(p, levels: dict[str, int], default: int) -> str:
    text = _paragraph_text(p).strip()
    if not text:
        return ""
    style = p.find(f"{_W}pPr/{_W}pStyle")
    level = levels.get(style.get(_VAL, ""), default) if style is not None else default
    return "#" * level + " " + text if level else text


def _table_lines(tbl) -> Iterator[str]:
    """Each row as ` | `-joined cell texts; a merged cell repeats, as python-docx's row.cells."""
    above: dict[int, str] = {}
    for tr in tbl.iterchildren(_TR):
        cells: list[str] = []
        for tc in tr.iterchildren(_TC):
            span_el = tc.find(f"{_W}tcPr/{_W}gridSpan")
            span = int(span_el.get(_VAL, "1")) if span_el is not None else 1
            vmerge = tc.find(f"{_W}tcPr/{_W}vMerge")
            if vmerge is not None and vmerge.get(_VAL, "continue") == "continue":
                text = above.get(len(cells), "")
            else:
                text = "\n".join(_paragraph_text(p) for p in tc.iterchildren(_P)).strip()
            for _ in range(max(1, min(span, 64))):
                above[len(cells)] = text
                cells.append(text)
        yield " | ".join(cells)
    yield ""


def _is_top_level(el) -> bool:
    parent = el.getparent()
    if parent is None:
        return False
    if parent.tag == _BODY:
        return True
    sdt = parent.getparent() if parent.tag == _SDT_CONTENT else None  # a content control in the body
    return sdt is not None and sdt.getparent() is not None and sdt.getparent().tag == _BODY


def docx_text(path: Path, sink: _TextSink, limits: ExtractionLimits) -> None:
    lines = _Lines(sink)
    with zipfile.ZipFile(path) as zf:
        levels, default = _heading_levels(zf)
        with zf.open("word/document.xml") as fh:
            for _, el in _xml_events(fh, (_P, _TBL)):
                if not _is_top_level(el):
                    continue  # a paragraph inside a table cell: read with its table
                if el.tag == _TBL:
                    for line in _table_lines(el):
                        lines.add(line)
                elif line := _paragraph_line(el, levels, default):  # empty paragraphs leave no line
                    lines.add(line)
                # done with this block: free it and everything before it (memory stays flat)
                el.clear()
                parent = el.getparent()
                while el.getprevious() is not None:
                    del parent[0]
    lines.end()


# --- XLSX --------------------------------------------------------------------------


def xlsx_text(path: Path, sink: _TextSink, limits: ExtractionLimits) -> None:
    import openpyxl

    fh = open(path, "rb")  # noqa: SIM115  (a file object: openpyxl judges a path by its suffix)
    workbook = openpyxl.load_workbook(fh, read_only=True, data_only=True)
    cells_left = limits.max_cells
    try:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for sheet in workbook.worksheets:
            sink.write(f"# Sheet: {sheet.title}\n")
            # Rows as stored, not padded to the sheet's declared size (a tiny file can
            # declare A1:XFD1048576): each row is as wide as its last cell.
            sheet.reset_dimensions()
            for row in sheet.iter_rows(values_only=True):
                cells_left -= max(len(row), 1)
                if cells_left < 0:
                    raise _Full(f"Text extraction stopped after {limits.max_cells:,} cells (MAX_SPREADSHEET_CELLS)")
                cells = ["" if v is None else str(v) for v in row]
                while cells and cells[-1] == "":
                    cells.pop()
                if cells:
                    writer.writerow(cells)
                    sink.write(out.getvalue())
                    out.seek(0)
                    out.truncate()
            sink.write("\n")
    finally:
        workbook.close()
        fh.close()


_EXTRACTORS = {"pdf": pdf_text, "docx": docx_text, "xlsx": xlsx_text}
