"""Quizzes: one grounded correct option with material distractors, attempts scored and persisted."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.models import Material
from app.services.study.key_facts import normalise

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


async def make_quiz(client, notebook_id, **body):
    response = await client.post(f"/api/notebooks/{notebook_id}/quizzes", json={"count": 5, **body})
    assert response.status_code == 201, response.text
    return response.json()


async def test_questions_hide_answers_until_an_attempt_scores_them(user_client, course_notebook, db):
    quiz = await make_quiz(user_client, course_notebook["id"], difficulty="easy")
    assert quiz["question_count"] == 5 and quiz["difficulty"] == "easy"
    assert all("correct_index" not in q for q in quiz["questions"])
    assert all(len(q["options"]) == 4 and len(set(q["options"])) == 4 for q in quiz["questions"])

    answers = [0] * 5
    response = await user_client.post(f"/api/quizzes/{quiz['id']}/attempts", json={"answers": answers})
    assert response.status_code == 201
    attempt = response.json()
    assert attempt["total"] == 5
    assert attempt["score"] == sum(r["correct_index"] == 0 for r in attempt["results"])
    for question, result in zip(quiz["questions"], attempt["results"], strict=True):
        material = await db.get(Material, question["material_id"])
        text = normalise(Path(material.text_path).read_text(encoding="utf-8"))
        correct = question["options"][result["correct_index"]]
        assert normalise(correct) in text  # the answer is in the material
        distractors_in_material = [o for o in question["options"] if o != correct and normalise(o) in text]
        assert distractors_in_material  # distractors drawn from the material
        assert result["explanation"].rstrip().endswith("]")  # cites its passage


async def test_perfect_attempt_scores_full_marks_and_attempts_persist(user_client, course_notebook):
    quiz = await make_quiz(user_client, course_notebook["id"], count=3, difficulty="hard")
    first = (await user_client.post(f"/api/quizzes/{quiz['id']}/attempts", json={"answers": [None] * 3})).json()
    assert first["score"] == 0
    correct = [r["correct_index"] for r in first["results"]]
    second = (await user_client.post(f"/api/quizzes/{quiz['id']}/attempts", json={"answers": correct})).json()
    assert second["score"] == second["total"] == 3
    attempts = (await user_client.get(f"/api/quizzes/{quiz['id']}/attempts")).json()
    assert sorted(a["score"] for a in attempts) == [0, 3]
    wrong_length = await user_client.post(f"/api/quizzes/{quiz['id']}/attempts", json={"answers": [0]})
    assert wrong_length.status_code == 422


async def test_ownership_unknown_ids_and_empty_notebook(user_client, other_client, course_notebook, notebook):
    quiz = await make_quiz(user_client, course_notebook["id"], count=2)
    assert (await other_client.get(f"/api/quizzes/{quiz['id']}")).status_code == 404
    assert (await other_client.post(f"/api/quizzes/{quiz['id']}/attempts", json={"answers": [0, 0]})).status_code == 404
    assert (await other_client.get(f"/api/notebooks/{course_notebook['id']}/quizzes")).status_code == 404
    assert (await user_client.get("/api/quizzes/nope")).status_code == 404
    listed = (await user_client.get(f"/api/notebooks/{course_notebook['id']}/quizzes")).json()
    assert [q["id"] for q in listed] == [quiz["id"]]
    assert (await user_client.delete(f"/api/quizzes/{quiz['id']}")).status_code == 204
    assert (await user_client.get(f"/api/quizzes/{quiz['id']}")).status_code == 404
    empty = await user_client.post("/api/notebooks", json={"title": "Empty"})
    response = await user_client.post(f"/api/notebooks/{empty.json()['id']}/quizzes", json={"count": 3})
    assert response.status_code == 400 and "no materials" in response.json()["detail"]
