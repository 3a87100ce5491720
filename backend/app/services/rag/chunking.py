"""Split a material's extracted text into retrievable chunks that know where
they came from.

A chunk is a run of whole sentences (about `TARGET_WORDS` words, never more
than `MAX_WORDS`, so all-MiniLM-L6-v2 never truncates it) inside one page of a
PDF, one section of a document, or a block of rows of one sheet. Its
`location` is what a citation shows: "page 3", "section 2 (Light reactions)",
"paragraph 4", "Sheet1 rows 2–40".

Page boundaries in extracted text are form feeds (`\\f`, what pypdf and
pdftotext emit between pages) or marker lines such as `--- page 3 ---`,
`=== Page 3 ===` or `[page 3]`. Sheets are marker lines such as
`=== Sheet: Sales ===` or `## Sheet: Sales`. Chunk ids are deterministic
(`<material_id>:<ordinal>`), so ingesting the same text again replaces the same
vectors.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

TARGET_WORDS = 110
MAX_WORDS = 170
MIN_SECTION_WORDS = 40  # a shorter section is merged into the chunk that follows
OVERLAP_MAX_WORDS = 35  # the last sentence is repeated at the next chunk's start if this short
ROWS_TARGET_WORDS = 150
ROWS_MAX = 40

DATA_EXTENSIONS = {"csv", "tsv", "xlsx", "xls", "xlsm", "ods"}

PAGE_MARKER = re.compile(
    r"^\s*(?:-{2,}|={2,}|\[|<)\s*page\s+(\d+)(?:\s+of\s+\d+)?\s*(?:-{2,}|={2,}|\]|>)?\s*$", re.I
)
SHEET_MARKER = re.compile(
    r"^\s*(?:#{1,6}|-{2,}|={2,}|\[)\s*sheet\s*[:\-]?\s*(.+?)\s*(?:-{2,}|={2,}|\])?\s*$", re.I
)
MARKDOWN_HEADING = re.compile(r"^\s*#{1,6}\s+(.+?)\s*#*\s*$")
SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=[\"'(\[]?[A-Z0-9])")
WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Chunk:
    id: str
    material_id: str
    ordinal: int
    text: str
    location: str
    page: int | None = None
    heading: str = ""

    @property
    def search_text(self) -> str:
        """What is embedded and keyword-indexed: the heading gives the passage its topic."""
        return f"{self.heading}\n{self.text}" if self.heading else self.text

    def metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {
            "material_id": self.material_id,
            "ordinal": self.ordinal,
            "location": self.location,
            "heading": self.heading,
        }
        if self.page is not None:
            meta["page"] = self.page
        return meta


def word_count(text: str) -> int:
    return len(WORD.findall(text))


def split_sentences(paragraph: str) -> list[str]:
    text = " ".join(paragraph.split())
    if not text:
        return []
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


# --- documents -----------------------------------------------------------------


@dataclass
class _Paragraph:
    text: str
    page: int | None
    section: int  # 0 = before any heading
    heading: str
    number: int  # 1-based paragraph number within the material


@dataclass
class _Pending:
    sentences: list[str] = field(default_factory=list)
    words: int = 0
    first: _Paragraph | None = None


FUNCTION_WORDS = {"a", "an", "the", "of", "and", "or", "to", "in", "on", "by", "with", "for", "from", "as", "at"}


def _looks_like_heading(line: str, next_line: str) -> bool:
    """A short capitalised line without closing punctuation that starts a block."""
    words = line.split()
    if not words or len(words) > 8 or len(line) > 60 or line[-1] in ".,;:!?":
        return False
    numbered = bool(re.match(r"^\d+(\.\d+)*\.?$", words[0]))
    if not (numbered or words[0][0].isupper()):
        return False
    if not next_line.strip():
        return True
    if words[-1].lower() in FUNCTION_WORDS:  # a wrapped line of prose, not a title
        return False
    long_words = [w for w in words if len(w) > 3]
    return numbered or sum(w[0].isupper() for w in long_words) * 2 >= len(long_words)


def _paragraphs(text: str) -> list[_Paragraph]:
    """Paragraphs with their page, section number and heading."""
    has_pages = "\f" in text or any(PAGE_MARKER.match(line) for line in text.splitlines())
    page: int | None = 1 if has_pages else None
    section, heading, number = 0, "", 0
    out: list[_Paragraph] = []
    buf: list[str] = []

    def flush() -> None:
        nonlocal number
        para = " ".join(" ".join(buf).split())
        buf.clear()
        if para:
            number += 1
            out.append(_Paragraph(para, page, section, heading, number))

    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, raw in enumerate(lines):
        parts = raw.split("\f")
        for j, line in enumerate(parts):
            if j > 0:  # a form feed: the next page starts here
                flush()
                page = (page or 1) + 1
            marker = PAGE_MARKER.match(line)
            if marker:
                flush()
                page = int(marker.group(1))
                continue
            if not line.strip():
                flush()
                continue
            md = MARKDOWN_HEADING.match(line)
            prev_blank = i == 0 or not lines[i - 1].strip()
            next_line = lines[i + 1] if i + 1 < len(lines) else ""
            if md or (prev_blank and not buf and _looks_like_heading(line.strip(), next_line)):
                flush()
                section += 1
                heading = (md.group(1) if md else line).strip()
                continue
            buf.append(line)
    flush()
    return out


def _location(para: _Paragraph) -> str:
    if para.page is not None:
        return f"page {para.page}"
    if para.heading:
        return f"section {para.section} ({para.heading})"
    return f"paragraph {para.number}"


def _split_long(sentence: str) -> list[str]:
    words = sentence.split()
    return [" ".join(words[i : i + MAX_WORDS]) for i in range(0, len(words), MAX_WORDS)]


def chunk_document(material_id: str, text: str) -> list[Chunk]:
    chunks: list[Chunk] = []
    pending = _Pending()

    def emit() -> None:
        if not pending.sentences or pending.first is None:
            return
        first = pending.first
        chunks.append(
            Chunk(
                id=f"{material_id}:{len(chunks)}",
                material_id=material_id,
                ordinal=len(chunks),
                text=" ".join(pending.sentences),
                location=_location(first),
                page=first.page,
                heading=first.heading,
            )
        )

    def restart(para: _Paragraph, carry: list[str]) -> None:
        pending.sentences = list(carry)
        pending.words = sum(word_count(s) for s in carry)
        pending.first = para

    previous: _Paragraph | None = None
    for para in _paragraphs(text):
        boundary = previous is not None and (
            para.page != previous.page
            or (para.section != previous.section and pending.words >= MIN_SECTION_WORDS)
        )
        if boundary:
            emit()
            restart(para, [])
        if pending.first is None:
            pending.first = para
        sentences = [piece for s in split_sentences(para.text) for piece in _split_long(s)]
        for sentence in sentences:
            n = word_count(sentence)
            if pending.sentences and pending.words + n > MAX_WORDS:
                last = pending.sentences[-1]
                emit()
                carry = [last] if word_count(last) <= OVERLAP_MAX_WORDS else []
                restart(para, carry)
            pending.sentences.append(sentence)
            pending.words += n
        if pending.words >= TARGET_WORDS:  # a paragraph end is a good place to cut
            emit()
            pending.sentences, pending.words, pending.first = [], 0, None
        previous = para
    emit()
    return chunks


# --- spreadsheets --------------------------------------------------------------


def chunk_rows(material_id: str, text: str) -> list[Chunk]:
    """Blocks of rows per sheet; each block repeats the sheet's header row."""
    sheets: list[tuple[str, list[str]]] = []
    current: tuple[str, list[str]] | None = None
    for line in text.replace("\r\n", "\n").split("\n"):
        marker = SHEET_MARKER.match(line)
        if marker:
            current = (marker.group(1).strip(), [])
            sheets.append(current)
            continue
        if current is None:
            current = ("", [])
            sheets.append(current)
        current[1].append(line)

    chunks: list[Chunk] = []
    for name, lines in sheets:
        rows = [(i + 1, line) for i, line in enumerate(lines) if line.strip()]
        if not rows:
            continue
        header = rows[0][1].strip()
        body = rows[1:] or rows
        start = 0
        while start < len(body):
            end, words = start, word_count(header)
            while end < len(body) and end - start < ROWS_MAX:
                n = word_count(body[end][1])
                if end > start and words + n > ROWS_TARGET_WORDS:
                    break
                words += n
                end += 1
            block = body[start:end]
            first_row, last_row = block[0][0], block[-1][0]
            span = f"row {first_row}" if first_row == last_row else f"rows {first_row}–{last_row}"
            location = f"{name} {span}" if name else span
            rows_text = "\n".join(line.strip() for _, line in block)
            chunks.append(
                Chunk(
                    id=f"{material_id}:{len(chunks)}",
                    material_id=material_id,
                    ordinal=len(chunks),
                    text=f"{header}\n{rows_text}" if block[0][1].strip() != header else rows_text,
                    location=location,
                    heading=name,
                )
            )
            start = end
    return chunks


def chunk_material_text(material_id: str, text: str, ext: str = "") -> list[Chunk]:
    """Chunks of one material's extracted text; `ext` picks rows vs prose."""
    if ext.lower().lstrip(".") in DATA_EXTENSIONS:
        return chunk_rows(material_id, text)
    return chunk_document(material_id, text)
