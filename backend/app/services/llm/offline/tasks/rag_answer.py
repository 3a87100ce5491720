"""Offline `rag_answer` task: an extractive, cited answer.

Context (JSON): ``{"question": str, "passages": [{"index": int, "material": str,
"location": str, "text": str}], "history": [...]}``.
Answer: Markdown quoting the passages' sentences that best match the question,
each followed by its citation ``[n]``; a plain "not covered" answer without
passages.
"""

from __future__ import annotations

from app.services.llm.offline.registry import TaskInput, register_task
from app.services.rag.chunking import split_sentences
from app.services.rag.keywords import terms

MAX_SENTENCES = 3
MAX_PER_PASSAGE = 2
NOT_COVERED = "I couldn't find this in your materials, so I won't guess."


def _score(question_terms: set[str], sentence: str, rank: int) -> float:
    sentence_terms = set(terms(sentence))
    overlap = len(question_terms & sentence_terms)
    return overlap + (0.5 if rank == 1 else 0.0) - 0.1 * rank


def answer_extractively(question: str, passages: list[dict]) -> str:
    if not passages:
        return NOT_COVERED
    q_terms = set(terms(question))
    scored = []
    for rank, passage in enumerate(passages, start=1):
        index = int(passage.get("index", rank))
        for position, sentence in enumerate(split_sentences(str(passage.get("text", "")))):
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
    chosen.sort(key=lambda c: (c[0], c[1]))
    where = {int(p.get("index", i)): p for i, p in enumerate(passages, start=1)}
    lines = ["Here is what your materials say:", ""]
    for index, _position, sentence in chosen:
        source = where.get(index, {})
        label = ", ".join(x for x in (source.get("material"), source.get("location")) if x)
        lines.append(f"> {sentence} [{index}]" + (f"  \n> — *{label}*" if label else ""))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


@register_task("rag_answer")
def write_rag_answer(task: TaskInput) -> str:
    context = task.context
    return answer_extractively(str(context.get("question", "")), list(context.get("passages") or []))
