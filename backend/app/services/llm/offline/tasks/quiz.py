"""Offline `quiz` task: multiple-choice questions from key sentences.

Context (JSON): ``{"count": int, "difficulty": "easy"|"medium"|"hard",
"passages": [{"index": int, "material": str, "location": str, "text": str}]}``.
Answer: a ```json fence with ``{"questions": [{"question", "options", "answer",
"explanation", "source"}]}``. Each question blanks a key term of a sentence;
the distractors are terms of the same kind (names for names, numbers for
numbers) from the same material first: from nearby passages for hard quizzes, from
other passages for easy ones. Deterministic for a given context.
"""

from __future__ import annotations

import hashlib
import json
import random

from app.services.llm.offline.registry import TaskInput, register_task
from app.services.study.key_facts import Fact, facts_from_passages, reveals, spread, term_kind

DEFAULT_COUNT = 5
N_OPTIONS = 4


def _rng(seed_text: str) -> random.Random:
    return random.Random(int(hashlib.sha256(seed_text.encode()).hexdigest()[:16], 16))


def _distractors(
    fact: Fact, pool: list[Fact], difficulty: str, rng: random.Random, material_of: dict[int, str]
) -> list[str]:
    sentence = fact.sentence.lower()
    seen = {fact.term.lower()}
    candidates = []
    for other in pool:
        term = other.term
        if len(term) < 2 or term.lower() in seen or term.lower() in sentence or fact.term.lower() in term.lower():
            continue
        seen.add(term.lower())
        same_kind = term_kind(term) == term_kind(fact.term)
        same_passage = other.passage == fact.passage
        other_material = material_of.get(other.passage) != material_of.get(fact.passage)
        near = abs(other.passage - fact.passage)
        if difficulty == "hard":
            rank = (other_material, not same_kind, near, rng.random())
        elif difficulty == "easy":
            rank = (other_material, not same_kind, -near, rng.random())
        else:
            rank = (other_material, not same_kind, same_passage, rng.random())
        candidates.append((rank, term))
    candidates.sort()
    return [term for _, term in candidates[: N_OPTIONS - 1]]


def _question_of(fact: Fact, passages: dict[int, dict]) -> str:
    source = passages.get(fact.passage, {})
    where = source.get("material") or "the material"
    if fact.kind == "definition" and fact.definition:
        return f"Which term does {where} define as “{fact.definition}”?"
    return f"Which term completes this statement from {where}? “{fact.cloze}”"


def build_questions(context: dict) -> list[dict]:
    count = max(1, int(context.get("count") or DEFAULT_COUNT))
    difficulty = str(context.get("difficulty") or "medium").lower()
    passages = list(context.get("passages") or [])
    by_index = {int(p.get("index", i)): p for i, p in enumerate(passages, start=1)}
    material_of = {i: str(p.get("material", "")) for i, p in by_index.items()}
    facts = [f for f in facts_from_passages(passages) if not reveals(f.cloze, f.term)]
    if difficulty == "hard":  # less obvious facts first: key terms and numbers
        facts = sorted(facts, key=lambda f: f.kind in ("definition", "named"))
    chosen = spread(facts, count, material_of)
    questions = []
    for fact in chosen:
        rng = _rng(fact.sentence + difficulty)
        distractors = _distractors(fact, facts, difficulty, rng, material_of)
        if len(distractors) < N_OPTIONS - 1:
            continue
        options = [fact.term, *distractors]
        rng.shuffle(options)
        questions.append(
            {
                "question": _question_of(fact, by_index),
                "options": options,
                "answer": options.index(fact.term),
                "explanation": f"The material says: “{fact.sentence}” [{fact.passage}]",
                "source": fact.passage,
            }
        )
    return questions


@register_task("quiz")
def write_quiz(task: TaskInput) -> str:
    questions = build_questions(task.context)
    return "```json\n" + json.dumps({"questions": questions}, indent=2, ensure_ascii=False) + "\n```"
