"""Offline `rag_answer` task: a short extractive answer, composed and cited.

Context (JSON): ``{"question": str, "passages": [{"index": int, "material": str,
"location": str, "text": str}], "history": [...], "mode": "question"|"summary"}``.
Answer: Markdown prose built from the passages' own sentences — the ones that
best match the question (or, for a summary, each passage's most central
sentence) — each followed by its citation ``[n]``, grouped into a paragraph
per material; a plain "not covered" answer without passages.
"""

from __future__ import annotations

from collections import Counter

from app.services.llm.offline.registry import TaskInput, register_task
from app.services.rag.chunking import split_sentences
from app.services.rag.keywords import terms

MAX_SENTENCES = 3
MAX_PER_PASSAGE = 2
MAX_SUMMARY_SENTENCES = 6
MIN_WORDS, MAX_WORDS = 5, 60
NOT_COVERED = "I couldn't find this in your materials, so I won't guess."


def _score(question_terms: set[str], sentence: str, rank: int) -> float:
    sentence_terms = set(terms(sentence))
    overlap = len(question_terms & sentence_terms)
    return overlap + (0.5 if rank == 1 else 0.0) - 0.1 * rank


def _usable(sentence: str) -> bool:
    words = sentence.split()
    return MIN_WORDS <= len(words) <= MAX_WORDS and sentence[:1].isalnum() and sentence.rstrip()[-1:] in ".!?:;)\"'"


def _cited(sentence: str, index: int) -> str:
    body = sentence.strip()
    end = body[-1] if body[-1:] in ".!?" else "."
    return f"{body.rstrip('.!?').rstrip()} [{index}]{end}"


def _compose(chosen: list[tuple[int, int, str]], where: dict[int, dict], opening: str) -> str:
    """One paragraph per material, sentences in reading order, each cited."""
    by_material: dict[str, list[tuple[int, int, str]]] = {}
    for item in sorted(chosen, key=lambda c: (c[0], c[1])):
        by_material.setdefault(str(where.get(item[0], {}).get("material") or ""), []).append(item)
    paragraphs = []
    for material, items in by_material.items():
        text = " ".join(_cited(sentence, index) for index, _pos, sentence in items)
        paragraphs.append(f"**{material}** — {text}" if material and len(by_material) > 1 else text)
    return "\n\n".join([opening, *paragraphs]) + "\n"


def answer_extractively(question: str, passages: list[dict]) -> str:
    if not passages:
        return NOT_COVERED
    q_terms = set(terms(question))
    scored = []
    for rank, passage in enumerate(passages, start=1):
        index = int(passage.get("index", rank))
        for position, sentence in enumerate(split_sentences(str(passage.get("text", "")))):
            if _usable(sentence):
                scored.append((_score(q_terms, sentence, rank), index, position, sentence))
    scored.sort(key=lambda s: s[0], reverse=True)
    chosen, per_passage = [], {}
    for score, index, position, sentence in scored:
        if len(chosen) == MAX_SENTENCES or (chosen and score < 1.0):
            break
        if per_passage.get(index, 0) >= MAX_PER_PASSAGE:
            continue
        per_passage[index] = per_passage.get(index, 0) + 1
        chosen.append((index, position, sentence))
    if not chosen:
        return NOT_COVERED
    where = {int(p.get("index", i)): p for i, p in enumerate(passages, start=1)}
    return _compose(chosen, where, "From your materials:")


def summarise(passages: list[dict]) -> str:
    """Each passage's most central sentence (its terms recur across the selection), cited."""
    if not passages:
        return NOT_COVERED
    doc_terms = Counter(t for p in passages for t in set(terms(str(p.get("text", "")))))
    chosen = []
    for rank, passage in enumerate(passages, start=1):
        index = int(passage.get("index", rank))
        sentences = [(pos, s) for pos, s in enumerate(split_sentences(str(passage.get("text", "")))) if _usable(s)]
        if not sentences:
            continue

        def centrality(item: tuple[int, str]) -> float:
            words = set(terms(item[1]))
            return sum(doc_terms[w] for w in words) / (len(words) ** 0.5 or 1) + (1.0 if item[0] == 0 else 0.0)

        pos, sentence = max(sentences, key=centrality)
        chosen.append((index, pos, sentence))
    if not chosen:
        return NOT_COVERED
    where = {int(p.get("index", i)): p for i, p in enumerate(passages, start=1)}
    names = sorted({str(p.get("material") or "") for p in passages} - {""})
    opening = f"Here is a short summary of {', '.join(names) if names else 'your materials'}:"
    return _compose(chosen[:MAX_SUMMARY_SENTENCES], where, opening)


@register_task("rag_answer")
def write_rag_answer(task: TaskInput) -> str:
    context = task.context
    passages = list(context.get("passages") or [])
    if context.get("mode") == "summary":
        return summarise(passages)
    return answer_extractively(str(context.get("question", "")), passages)
