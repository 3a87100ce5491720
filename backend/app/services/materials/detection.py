"""What an upload really is, judged by its bytes (the extension only breaks
ties between text formats: .csv vs .md vs .txt)."""

from __future__ import annotations

import codecs
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import filetype

from app.services.materials.errors import CorruptFile, ExpandsTooLarge, UnsupportedFileType
from app.services.materials.extraction import MAX_ZIP_ENTRIES

SUPPORTED_HINT = "Supported: PDF, DOCX, TXT, MD, CSV, XLSX."

# ext -> (material type, mime served by /raw)
FORMATS: dict[str, tuple[str, str]] = {
    "pdf": ("document", "application/pdf"),
    "docx": (
        "document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "txt": ("document", "text/plain; charset=utf-8"),
    "md": ("document", "text/markdown; charset=utf-8"),
    "csv": ("data", "text/csv; charset=utf-8"),
    "xlsx": ("data", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}
TEXT_EXTS = {"txt": "txt", "text": "txt", "md": "md", "markdown": "md", "csv": "csv", "": "txt"}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NAMED = {"pdf": "a PDF", "docx": "a DOCX document", "xlsx": "an XLSX workbook"}


@dataclass
class DetectedFile:
    ext: str
    type: str  # "data" | "document"
    mime: str
    text: str | None = None  # decoded text, for csv/txt/md
    encoding: str | None = None  # the encoding it was decoded from


def declared_ext(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def _detected(ext: str, **kw) -> DetectedFile:
    kind, mime = FORMATS[ext]
    return DetectedFile(ext=ext, type=kind, mime=mime, **kw)


def detect_file(path: Path, filename: str) -> DetectedFile:
    """Raises UnsupportedFileType or CorruptFile."""
    claimed = declared_ext(filename)
    with open(path, "rb") as fh:
        head = fh.read(8192)

    if b"%PDF-" in head[:1024]:
        return _detected("pdf")
    if head.startswith(b"PK\x03\x04"):
        return _detected(_office_kind(path, claimed))
    if head.startswith(_OLE2):
        raise UnsupportedFileType(
            "Legacy Office files (.doc/.xls) are not supported; save as DOCX or XLSX. "
            + SUPPORTED_HINT
        )
    kind = filetype.guess(head)
    if kind is not None:
        raise UnsupportedFileType(
            f"The file's content is {kind.mime} (.{kind.extension}), whatever its name. "
            + SUPPORTED_HINT
        )

    decoded = decode_text(path.read_bytes())
    if decoded is None:
        raise UnsupportedFileType("The file is binary data of an unknown type. " + SUPPORTED_HINT)
    if claimed in _NAMED:
        raise UnsupportedFileType(
            f"The file is named .{claimed} but its content is plain text, not {_NAMED[claimed]}."
        )
    if claimed not in TEXT_EXTS:
        raise UnsupportedFileType(f".{claimed} files are not supported. " + SUPPORTED_HINT)
    text, encoding = decoded
    return _detected(TEXT_EXTS[claimed], text=text, encoding=encoding)


def _office_kind(path: Path, claimed: str) -> str:
    _refuse_crowded_zip(path)
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError) as exc:
        if claimed in ("docx", "xlsx"):
            raise CorruptFile(f"The file is not a readable {claimed.upper()} (broken ZIP: {exc}).") from None
        raise UnsupportedFileType("The file is a damaged ZIP archive. " + SUPPORTED_HINT) from None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if claimed in ("docx", "xlsx"):
        raise CorruptFile(f"The file is a ZIP archive without the parts of a {claimed.upper()}.")
    raise UnsupportedFileType("ZIP archives other than DOCX/XLSX are not supported. " + SUPPORTED_HINT)


def _refuse_crowded_zip(path: Path) -> None:
    """Listing a ZIP costs memory and time per entry, here in the server: read the
    entry count from the end record first (the 22-byte record, no directory)."""
    with open(path, "rb") as fh:
        end = zipfile._EndRecData(fh)  # stdlib-internal, but stable since Python 2
    if end and end[zipfile._ECD_ENTRIES_TOTAL] > MAX_ZIP_ENTRIES:
        raise ExpandsTooLarge(
            f"The file holds {end[zipfile._ECD_ENTRIES_TOTAL]:,} parts; at most {MAX_ZIP_ENTRIES:,} are read."
        )


def _is_clean(text: str) -> bool:
    """No control characters except whitespace (binary decoded as text has many)."""
    bad = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return bad == 0 or bad / max(len(text), 1) < 0.001


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(text, encoding) if `data` is text in some encoding, else None.

    UTF-8 (with or without BOM) and UTF-16 with a BOM are taken as such. For
    anything else charset-normalizer guesses. It tells scripts apart well
    (cp1251 Cyrillic, Shift-JIS) but not the Latin code pages on short samples
    (it says cp775 or cp1250 for a Spanish cp1252 CSV), so when its guess reads
    as Latin script (or it recognised no language at all) and the bytes decode cleanly as cp1252, cp1252 wins: by far
    the most common legacy encoding (and a superset of Latin-1's printables).
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None
    if b"\x00" in data:
        return None
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
        return (text, encoding) if _is_clean(text) else None
    except UnicodeDecodeError:
        pass

    try:
        western = data.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and not _is_clean(western):
        western = None

    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        return (western, "cp1252") if western is not None else None
    best_text = str(best)
    weak = best.coherence == 0 and not _has_cjk(best_text)  # no language recognised
    if western is not None and (weak or _mostly_latin(best_text)):
        return western, "cp1252"
    return (best_text, best.encoding) if _is_clean(best_text) else None


_CJK = ((0x2E80, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F))


def _has_cjk(text: str) -> bool:
    return any(lo <= ord(ch) <= hi for ch in text[:5000] for lo, hi in _CJK)


def _mostly_latin(text: str) -> bool:
    """Are the non-ASCII letters of `text` Latin script (é, ß, ł …), rather than
    Cyrillic, Greek, Arabic, CJK …?"""
    letters = [ch for ch in text if ord(ch) > 127 and ch.isalpha()]
    if not letters:
        return True
    latin = sum(1 for ch in letters if unicodedata.name(ch, "").startswith("LATIN"))
    return latin >= 0.8 * len(letters)
