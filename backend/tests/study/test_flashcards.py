"""Flashcard decks: grounded cards with sources, reviews persisted, exports."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.services.study.key_facts import normalise

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


async def material_text(db, material_id: str) -> str:
    from app.models import Material

    return Path((await db.get(Material, material_id)).text_path).read_text(encoding="utf-8")


async def test_deck_cards_are_grounded_in_their_cited_material(user_client, course_notebook, db):
    response = await user_client.post(f"/api/notebooks/{course_notebook['id']}/flashcards", json={"count": 8})
    assert response.status_code == 201, response.text
    deck = response.json()
    assert deck["card_count"] == len(deck["cards"]) == 8
    texts = {m["id"]: normalise(await material_text(db, m["id"])) for m in (course_notebook["pdf"], course_notebook["md"])}
    for card in deck["cards"]:
        assert normalise(card["back"]) in texts[card["material_id"]], card
        assert card["front"] and card["location"]
        if card["kind"] == "cloze":
            assert "_____" in card["front"]
    assert {c["material_id"] for c in deck["cards"]} == set(texts)  # both materials are covered
    assert any(c["location"].startswith("page ") for c in deck["cards"])


async def test_selected_material_only(user_client, course_notebook):
    md_id = course_notebook["md"]["id"]
    deck = (await user_client.post(
        f"/api/notebooks/{course_notebook['id']}/flashcards", json={"count": 5, "material_ids": [md_id]}
    )).json()
    assert deck["material_ids"] == [md_id]
    assert {c["material_id"] for c in deck["cards"]} == {md_id}


async def test_reviews_persist_and_decks_list(user_client, course_notebook):
    nb = course_notebook["id"]
    deck = (await user_client.post(f"/api/notebooks/{nb}/flashcards", json={"count": 3})).json()
    first, second = deck["cards"][0]["id"], deck["cards"][1]["id"]
    r = await user_client.post(f"/api/flashcards/{deck['id']}/cards/{first}/review", json={"result": "know"})
    assert r.status_code == 200 and r.json()["known"] is True
    await user_client.post(f"/api/flashcards/{deck['id']}/cards/{second}/review", json={"result": "again"})
    again = (await user_client.get(f"/api/flashcards/{deck['id']}")).json()
    by_id = {c["id"]: c for c in again["cards"]}
    assert by_id[first]["reviews"] == 1 and by_id[first]["last_result"] == "know"
    assert by_id[second]["lapses"] == 1 and by_id[second]["known"] is False
    listed = (await user_client.get(f"/api/notebooks/{nb}/flashcards")).json()
    assert [(d["id"], d["known_count"], d["card_count"]) for d in listed] == [(deck["id"], 1, 3)]
    bad = await user_client.post(f"/api/flashcards/{deck['id']}/cards/{first}/review", json={"result": "maybe"})
    assert bad.status_code == 422


async def test_exports_csv_and_anki_tsv(user_client, course_notebook):
    deck = (await user_client.post(f"/api/notebooks/{course_notebook['id']}/flashcards", json={"count": 4})).json()
    response = await user_client.get(f"/api/flashcards/{deck['id']}/export?format=csv")
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:2] == ["front", "back"] and len(rows) == 5
    assert rows[1][0] == deck["cards"][0]["front"]
    anki = (await user_client.get(f"/api/flashcards/{deck['id']}/export?format=anki")).text.splitlines()
    assert anki[0] == "#separator:tab"
    notes = [line.split("\t") for line in anki if not line.startswith("#")]
    assert len(notes) == 4 and all(len(n) == 3 for n in notes)
    assert notes[0][1].startswith(deck["cards"][0]["back"])


async def test_delete_and_ownership(user_client, other_client, course_notebook):
    deck = (await user_client.post(f"/api/notebooks/{course_notebook['id']}/flashcards", json={"count": 2})).json()
    card = deck["cards"][0]["id"]
    assert (await other_client.get(f"/api/flashcards/{deck['id']}")).status_code == 404
    assert (await other_client.delete(f"/api/flashcards/{deck['id']}")).status_code == 404
    assert (await other_client.post(f"/api/flashcards/{deck['id']}/cards/{card}/review", json={"result": "know"})).status_code == 404
    assert (await other_client.post(f"/api/notebooks/{course_notebook['id']}/flashcards", json={})).status_code == 404
    assert (await user_client.post(f"/api/flashcards/{deck['id']}/cards/nope/review", json={"result": "know"})).status_code == 404
    assert (await user_client.get("/api/flashcards/nope")).status_code == 404
    bad = await user_client.post(f"/api/notebooks/{course_notebook['id']}/flashcards", json={"material_ids": ["nope"]})
    assert bad.status_code == 404
    assert (await user_client.delete(f"/api/flashcards/{deck['id']}")).status_code == 204
    assert (await user_client.get(f"/api/flashcards/{deck['id']}")).status_code == 404


async def test_empty_notebook_is_a_clear_400(user_client, notebook):
    response = await user_client.post(f"/api/notebooks/{notebook['id']}/flashcards", json={"count": 5})
    assert response.status_code == 400
    assert "no materials" in response.json()["detail"]
