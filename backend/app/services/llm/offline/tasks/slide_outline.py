"""Offline `slide_outline` task: a slide deck outline from the material's own sections.

Context (JSON): ``{"title": str, "materials": [{"name": str, "text": str}], "max_sections": int}``.
Answer: a ```json fence with ``{"title", "subtitle", "slides": [{"title", "bullets", "notes"}],
"summary": {"bullets", "notes"}}``.

The outline is extractive: section titles are the material's headings (or, for
unheaded prose, the paragraph's most frequent terms), bullets are the section's
highest-scoring sentences shortened to a clause, notes are the full sentences.
`outline_sections` is also the key-point source of the offline podcast script.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from app.services.llm.offline.registry import TaskInput, register_task

MAX_BULLETS = 5
MAX_BULLET_WORDS = 22
DEFAULT_MAX_SECTIONS = 8

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself just
    many may me might more most much must my no nor not now of off on once one only or other our
    ours out over own same she should so some such than that the their theirs them then there
    these they this those through thus to too two under until up upon us very via was we were
    what when where which while who whom why will with within without would you your yours
    however therefore often usually called known used using use uses make makes made like
    """.split()  # noqa: SIM905
)
_SUBORDINATE_OPENERS = frozenset(
    """after although as because before by during for from if in on since through unless until
    using when whereas while with without""".split()  # noqa: SIM905
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")
_NUMBERED = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVX]+\.)\s+")
_BULLET_PREFIX = re.compile(r"^\s*(?:[-*•‣–]|\d+[.)])\s+")


@dataclass
class Section:
    title: str
    sentences: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(self.sentences)


def split_sentences(text: str) -> list[str]:
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        return []
    return [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) > 1]


def content_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in _STOPWORDS and len(w) > 2]


def display_name(filename: str) -> str:
    """A file name as a title: "cell_biology-notes.pdf" -> "Cell biology notes"."""
    stem = re.sub(r"\.[A-Za-z0-9]{1,5}$", "", filename.strip())
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Study notes"


def _is_heading(line: str, next_line: str | None) -> str | None:
    """The heading text when `line` looks like a heading, else None."""
    md = _MD_HEADING.match(line)
    if md:
        return md.group(1).strip()
    stripped = line.strip()
    if not stripped or next_line is None or not next_line.strip():
        # A heading is followed by its body on the next non-empty line (blank lines are skipped
        # by the caller, so `next_line` is the next non-empty one or None at the end).
        return None
    words = stripped.split()
    if len(words) > 9 or stripped[-1] in ".!?,;" or _BULLET_PREFIX.match(stripped):
        return None
    if not stripped[0].isupper() and not _NUMBERED.match(stripped):
        return None
    return _NUMBERED.sub("", stripped).rstrip(":").strip() or None


def _keyword_title(sentences: list[str], limit: int = 3) -> str:
    counts = Counter(content_words(" ".join(sentences)))
    first_seen: dict[str, int] = {}
    for i, w in enumerate(content_words(" ".join(sentences))):
        first_seen.setdefault(w, i)
    top = sorted(counts, key=lambda w: (-counts[w], first_seen[w]))[:limit]
    if not top:
        return "Overview"
    words = [w.capitalize() for w in top]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def outline_sections(text: str, max_sections: int = DEFAULT_MAX_SECTIONS) -> list[Section]:
    """The material's sections: headed blocks, or paragraphs when it has no headings."""
    raw_lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").split("\n")]
    # Paragraph blocks, remembering which lines were headings.
    nonempty = [i for i, ln in enumerate(raw_lines) if ln.strip()]
    sections: list[Section] = []
    current: Section | None = None
    paragraph: list[str] = []

    def flush_paragraph() -> None:
        nonlocal current
        if not paragraph:
            return
        body = " ".join(_BULLET_PREFIX.sub("", p) for p in paragraph)
        sentences = split_sentences(body)
        paragraph.clear()
        if not sentences:
            return
        if current is None:
            sections.append(Section(title="", sentences=sentences))
        else:
            current.sentences.extend(sentences)

    for pos, i in enumerate(nonempty):
        line = raw_lines[i]
        nxt = raw_lines[nonempty[pos + 1]] if pos + 1 < len(nonempty) else None
        heading = _is_heading(line, nxt)
        if heading:
            flush_paragraph()
            current = Section(title=heading)
            sections.append(current)
            continue
        if paragraph and not raw_lines[i - 1].strip():
            # A blank line ends a paragraph: under a heading it joins that section,
            # in unheaded prose it becomes a section of its own.
            flush_paragraph()
        paragraph.append(line.strip())
    flush_paragraph()

    sections = [s for s in sections if s.sentences]
    for s in sections:
        if not s.title:
            s.title = _keyword_title(s.sentences)
    return _limit_sections(sections, max_sections)


def _limit_sections(sections: list[Section], max_sections: int) -> list[Section]:
    """Merge the shortest neighbours until at most `max_sections` remain."""
    sections = list(sections)
    while len(sections) > max(1, max_sections):
        i = min(range(len(sections) - 1), key=lambda k: len(sections[k].text) + len(sections[k + 1].text))
        a, b = sections[i], sections[i + 1]
        sections[i : i + 2] = [Section(title=a.title, sentences=a.sentences + b.sentences)]
    return sections


def rank_sentences(sentences: list[str], doc_counts: Counter[str]) -> list[int]:
    """Indices of `sentences`, best first: frequent document terms, not too long or short."""

    def score(idx: int) -> float:
        words = content_words(sentences[idx])
        if not words:
            return 0.0
        base = sum(doc_counts[w] for w in set(words)) / (len(words) ** 0.5)
        return base + (0.5 if idx == 0 else 0.0)

    return sorted(range(len(sentences)), key=lambda k: (-score(k), k))


def short_bullet(sentence: str, max_words: int = MAX_BULLET_WORDS) -> str:
    """A sentence as a slide bullet: whole when short enough, else its first complete
    clause (before ";", a dash, ":" or ", and/but"), else still whole — never cut mid-sentence."""
    s = sentence.strip().rstrip(".!?;:")
    words = s.split()
    if len(words) <= max_words:
        return s
    for sep in ("; ", " — ", " – ", " - ", ": ", ", and ", ", but ", ", while ", ", whereas "):
        head = s.split(sep)[0].strip().rstrip(",")
        n = len(head.split())
        # "Using X, the cycle builds Y": the head of a subordinate opening is no bullet.
        if 4 <= n <= max_words and head.split()[0].lower() not in _SUBORDINATE_OPENERS:
            return head
    return s


def key_sentences(section: Section, doc_counts: Counter[str], limit: int) -> list[str]:
    """The section's `limit` best sentences, in reading order."""
    chosen = sorted(rank_sentences(section.sentences, doc_counts)[:limit])
    return [section.sentences[k] for k in chosen]


def build_outline(context: dict) -> dict:
    materials = context.get("materials") or []
    title = (context.get("title") or "").strip() or (
        display_name(materials[0].get("name", "")) if materials else "Study notes"
    )
    max_sections = int(context.get("max_sections") or DEFAULT_MAX_SECTIONS)
    full_text = "\n\n".join(m.get("text", "") for m in materials)
    sections = outline_sections(full_text, max_sections=max_sections)
    doc_counts = Counter(content_words(full_text))

    slides = []
    for section in sections:
        sentences = key_sentences(section, doc_counts, MAX_BULLETS)
        slides.append(
            {
                "title": section.title,
                "bullets": [short_bullet(s) for s in sentences],
                "notes": " ".join(sentences[:4]),
            }
        )
    summary_bullets = []
    for section in sections[:6]:
        best = key_sentences(section, doc_counts, 1)
        if best:
            summary_bullets.append(short_bullet(best[0], 12))
    names = ", ".join(m.get("name", "") for m in materials if m.get("name"))
    return {
        "title": title,
        "subtitle": f"Key ideas from {names}" if names else "Key ideas",
        "slides": slides,
        "summary": {
            "bullets": summary_bullets,
            "notes": "Recap: " + "; ".join(s["title"] for s in slides) + "." if slides else "",
        },
    }


@register_task("slide_outline")
def slide_outline(task: TaskInput) -> str:
    return "```json\n" + json.dumps(build_outline(task.context), indent=2, ensure_ascii=False) + "\n```"
