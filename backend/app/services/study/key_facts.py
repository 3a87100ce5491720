"""Key sentences and key terms of study material, for flashcards and quizzes
without a language model (the offline tasks use these).

A *fact* is one sentence of a passage plus the term in it worth asking about:
a term the material defines ("X is a …", "called X", "known as X"), a term
the material keeps coming back to, a name, or a number. Every term is a
verbatim substring of its sentence, so a card's answer always occurs in the
material.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.services.rag.chunking import split_sentences
from app.services.rag.keywords import STOPWORDS, stem

MIN_SENTENCE_WORDS = 6
MAX_SENTENCE_WORDS = 45
BLANK = "_____"

_WORD = re.compile(r"[A-Za-z][A-Za-z0-9'\-]*")
_NAMED = re.compile(r"\b(?:called|known as|termed|named)\s+(?:the\s+)?((?:[A-Za-z0-9][\w'\-+]*)(?:\s[A-Za-z0-9][\w'\-+]*){0,3})")
_TECHNICAL = re.compile(r"\b(?:[A-Z]{2,}[A-Za-z0-9+]*|[A-Z][a-z]?\d+[A-Za-z0-9]*|[A-Z][a-z]+[A-Z][A-Za-z]*)\b")
GENERIC = frozenset(
    ["process", "first", "limited", "power", "needs", "inside", "national", "orders", "sorts", "splits", "element", "elements", "reaction", "reactions", "molecules", "molecule", "plant", "plants", "people", "during", "called", "known", "using", "other", "their", "there", "these", "those", "would", "could", "which", "while", "first", "second", "third", "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december", "important", "different", "number", "large", "small", "several", "common", "often", "usually", "because", "between", "within", "without", "example", "result", "results", "system", "systems", "method", "methods", "amount", "level", "levels", "place"]
)
_DEFINITION = re.compile(
    r"^(?:The |An |A )?(?P<term>[A-Za-z0-9][\w'\-+ ]{1,40}?)\s+(?:is|are)\s+(?P<definition>(?:a|an|the)\s+.+)$"
)
_NUMBER = re.compile(r"\b\d[\d,.]*(?:\s?(?:percent|%|K|kelvin|joules|degrees))?")
_PROPER = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+(?:von|de|of|the)?\s*[A-Z][a-z]+)*|[A-Z]{2,}[A-Za-z0-9+]*|[A-Z]\d+)\b")


@dataclass(frozen=True)
class Fact:
    passage: int  # 1-based passage index (the citation number)
    sentence: str
    term: str  # verbatim in `sentence`
    kind: str  # "definition" | "named" | "key_term" | "name" | "number"
    definition: str = ""  # for kind == "definition": what the term is

    @property
    def cloze(self) -> str:
        return blank_out(self.sentence, self.term)


def blank_out(sentence: str, term: str) -> str:
    """The sentence with every occurrence of the term blanked (a cloze never shows its answer)."""
    return re.sub(re.escape(term), BLANK, sentence, flags=re.IGNORECASE)


def reveals(cloze: str, term: str) -> bool:
    """Does the cloze still give its answer away (the term, or all its word stems, readable in it)?"""
    low, word = cloze.lower(), term.lower().strip()
    if word in low:
        return True
    term_words = re.findall(r"[a-z]+", word)
    cloze_stems = {stem(w) for w in re.findall(r"[a-z]+", low)}
    return bool(term_words) and all(stem(w) in cloze_stems for w in term_words)


def _content_words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text) if w.lower() not in STOPWORDS and len(w) > 3]


def material_vocabulary(texts: Sequence[str]) -> Counter[str]:
    """Stemmed content-word frequencies over all passages."""
    return Counter(stem(w) for t in texts for w in _content_words(t))


def _key_term(sentence: str, vocab: Counter[str], skip: set[str]) -> str | None:
    """The sentence's most recurring content word (>= 2 uses in the material)."""
    best, best_count = None, 1
    for word in _WORD.findall(sentence):
        lower = word.lower()
        if lower in STOPWORDS or len(word) < 5 or lower in skip or lower.endswith(("ly", "ing")):
            continue
        count = vocab[stem(lower)]
        if count > best_count:
            best, best_count = word, count
    return best


def _clean_term(term: str) -> str:
    return term.strip(" ,.;:()\"'")


def facts_from_passages(passages: Sequence[dict]) -> list[Fact]:
    """Facts of every usable sentence, best kinds first within each passage."""
    vocab = material_vocabulary([str(p.get("text", "")) for p in passages])
    facts: list[Fact] = []
    seen_terms: set[str] = set()
    for rank, passage in enumerate(passages, start=1):
        index = int(passage.get("index", rank))
        for sentence in split_sentences(str(passage.get("text", ""))):
            n_words = len(sentence.split())
            if n_words < MIN_SENTENCE_WORDS or n_words > MAX_SENTENCE_WORDS:
                continue
            fact = _fact_of(index, sentence, vocab, seen_terms)
            if fact is not None:
                seen_terms.add(fact.term.lower())
                facts.append(fact)
    return facts


def _named_term(sentence: str) -> str | None:
    """The X of "called X" / "known as X": up to the punctuation, else a capitalised run or one word."""
    match = _NAMED.search(sentence)
    if not match:
        return None
    words = match.group(1).split()
    end = match.end(1)
    if words[0][:1].isupper() or words[0][:1].isdigit():
        run = []
        for word in words:
            if not (word[:1].isupper() or word[:1].isdigit()):
                break
            run.append(word)
        words = run
    else:
        for i, word in enumerate(words):
            if i and word.lower() in STOPWORDS and word.lower() != "of":
                words, end = words[:i], -1
                break
        if end == -1 or not (end >= len(sentence) or sentence[end] in ",.;:)"):
            words = words[:1]
    term = _clean_term(" ".join(words))
    return term if 2 < len(term) <= 40 and term in sentence else None


def _fact_of(index: int, sentence: str, vocab: Counter[str], seen: set[str]) -> Fact | None:
    named = _named_term(sentence)
    if named and named.lower() not in seen:
        return Fact(index, sentence, named, "named")
    definition = _DEFINITION.match(sentence)
    if definition:
        term = _clean_term(definition.group("term"))
        words = term.split()
        if 1 <= len(words) <= 4 and term.lower() not in seen and term.lower() not in STOPWORDS:
            body = definition.group("definition").rstrip(".")
            return Fact(index, sentence, term, "definition", definition=body)
    for match in _TECHNICAL.finditer(sentence):
        if match.group(0).lower() not in seen:
            return Fact(index, sentence, match.group(0), "name")
    key = _key_term(sentence, vocab, seen | GENERIC)
    if key and len(key) >= 6:
        return Fact(index, sentence, key, "key_term")
    for match in _PROPER.finditer(sentence):
        term = match.group(1)
        if match.start() > 0 and term.lower() not in seen | GENERIC and term.lower() not in STOPWORDS:
            return Fact(index, sentence, term, "name")
    if key:
        return Fact(index, sentence, key, "key_term")
    number = _NUMBER.search(sentence)
    if number and number.group(0).strip() not in seen:
        return Fact(index, sentence, number.group(0).strip(" ,."), "number")
    return None


def spread(facts: Sequence[Fact], count: int, material_of: dict[int, str] | None = None) -> list[Fact]:
    """Up to `count` facts taken round-robin over materials, then over each material's
    passages (coverage over depth: every selected material contributes)."""
    material_of = material_of or {}
    by_passage: dict[int, list[Fact]] = {}
    for fact in facts:
        by_passage.setdefault(fact.passage, []).append(fact)
    order = {"named": 0, "definition": 0, "name": 1, "key_term": 2, "number": 3}
    per_material: dict[str, list[list[Fact]]] = {}
    for passage, items in sorted(by_passage.items()):
        per_material.setdefault(material_of.get(passage, ""), []).append(
            sorted(items, key=lambda f: order.get(f.kind, 9)))

    def material_stream(queues: list[list[Fact]]):
        while any(queues):
            for queue in queues:
                if queue:
                    yield queue.pop(0)

    streams = [material_stream(q) for q in per_material.values()]
    out: list[Fact] = []
    while len(out) < count and streams:
        for stream in list(streams):
            fact = next(stream, None)
            if fact is None:
                streams.remove(stream)
            elif len(out) < count:
                out.append(fact)
    return out


def term_kind(term: str) -> str:
    """A coarse class, so distractors look like the answer (numbers for numbers …)."""
    if any(ch.isdigit() for ch in term):
        return "number"
    if term[:1].isupper():
        return "name"
    return "word"


def normalise(text: str) -> str:
    return " ".join(text.lower().split())


def grounded(answer: str, passage_text: str) -> bool:
    """Is the answer text found in the passage (case and spacing ignored)?"""
    return bool(answer.strip()) and normalise(answer.strip(" .")) in normalise(passage_text)
