"""Running headers, footers and page labels removed from extracted text before
study content is written from it.

A PDF repeats its header ("Study Notes — Photosynthesis") and footer ("Page 3
of 8") on every page; taken as text they become a "topic" of flashcards,
quizzes, podcasts and slides. A line near the top or bottom of a page that
recurs (digits ignored) on at least half the pages — and on two or more — is
page furniture, as is a bare page label. The `--- Page N ---` markers the
extractor writes are kept: locations are built from them.
"""

from __future__ import annotations

import re
from collections import Counter

PAGE_MARKER = re.compile(r"^--- Page \d+ ---$")
PAGE_LABEL = re.compile(r"^\W*(?:page|p\.|seite|pág\.?)?\s*\d{0,4}\s*(?:(?:of|/|von|de)\s*\d+)?\W*$", re.I)
EDGE_LINES = 3  # how far from a page's top or bottom a running line sits


def _key(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.lower().split()))


def _pages(text: str) -> list[list[str]]:
    pages: list[list[str]] = [[]]
    for line in text.replace("\r\n", "\n").split("\n"):
        if PAGE_MARKER.match(line.strip()) and pages[-1]:
            pages.append([])
        pages[-1].append(line)
    return pages


def running_lines(text: str) -> set[str]:
    """Keys (digits as '#') of lines that repeat at the top or bottom of the pages."""
    pages = _pages(text)
    counts: Counter[str] = Counter()
    for page in pages:
        body = [ln.strip() for ln in page if ln.strip() and not PAGE_MARKER.match(ln.strip())]
        edges = body[:EDGE_LINES] + body[-EDGE_LINES:]
        counts.update({_key(ln) for ln in edges})
    threshold = max(2, (len(pages) + 1) // 2)
    return {key for key, n in counts.items() if n >= threshold}


def is_page_label(line: str) -> bool:
    stripped = line.strip()
    return bool(stripped) and not PAGE_MARKER.match(stripped) and bool(PAGE_LABEL.match(stripped)) and (
        any(ch.isdigit() for ch in stripped) or stripped.lower().strip(".: ") in ("page", "p")
    )


def remove_page_furniture(text: str, keep_markers: bool = True) -> str:
    """`text` without running headers/footers and page labels; the `--- Page N ---` markers are
    kept for chunking (locations) unless `keep_markers` is False (prose for slides/podcasts)."""
    running = running_lines(text) if text.count("--- Page ") >= 2 else set()
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if PAGE_MARKER.match(stripped):
            if not keep_markers:
                kept.append("")
                continue
        elif stripped and (_key(stripped) in running or is_page_label(stripped)):
            continue
        kept.append(line)
    return "\n".join(kept)
