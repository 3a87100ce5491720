"""RAG chat, flashcards and quiz end to end in Debian's Chromium against a real
server (live_server.py: uvicorn + SQLite + Chroma in a temp DATA_DIR, offline
model, the built SPA). Needs frontend/dist (npm run build).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from live_server import live_server  # noqa: F401
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "bench" / "fixtures"

pytestmark = pytest.mark.skipif(
    not (ROOT / "frontend" / "dist" / "index.html").exists(), reason="frontend/dist is not built: npm run build"
)


@pytest.fixture
def notebook_page(live_server, page):  # noqa: F811
    """A signed-in page on a notebook holding two course notes."""
    api = page.context.request
    email = f"study-{uuid.uuid4().hex[:8]}@example.com"
    assert api.post(f"{live_server}/api/auth/register",
                    data={"email": email, "password": "correct horse battery staple"}).status == 201
    notebook = api.post(f"{live_server}/api/notebooks", data={"title": "Science"}).json()
    for name in ("photosynthesis.md", "sorting_algorithms.md"):
        upload = api.post(
            f"{live_server}/api/notebooks/{notebook['id']}/materials",
            multipart={"file": {"name": name, "mimeType": "text/markdown", "buffer": (FIXTURES / name).read_bytes()}},
        )
        assert upload.status == 201, upload.text()
    page.goto(f"{live_server}/notebooks/{notebook['id']}")
    return page


def test_ask_a_question_and_see_a_cited_answer(notebook_page):
    page = notebook_page
    page.get_by_test_id("chat-input").fill("Who invented merge sort?")
    page.get_by_test_id("chat-send").click()
    answer = page.get_by_test_id("message-assistant").last
    expect(answer).to_contain_text("John von Neumann", timeout=90_000)
    expect(answer).to_contain_text("[1]")
    chip = answer.get_by_test_id("citation-chip").first
    expect(chip).to_be_visible()
    expect(chip).to_contain_text("sorting_algorithms.md")


def test_make_and_review_a_flashcard_deck(notebook_page):
    page = notebook_page
    page.get_by_test_id("tab-flashcards").click()
    expect(page.get_by_test_id("flashcards-materials")).to_contain_text("photosynthesis.md")
    page.get_by_test_id("flashcards-count").fill("4")
    page.get_by_test_id("flashcards-generate").click()

    expect(page.get_by_test_id("deck-progress")).to_have_text(re.compile(r"Card 1 of 4 · 0 known"), timeout=60_000)
    front = page.get_by_test_id("flashcard-front").inner_text()
    assert front
    page.get_by_test_id("flashcard").click()
    back = page.get_by_test_id("flashcard-back")
    expect(back).to_be_visible()
    expect(page.get_by_test_id("flashcard-source")).to_contain_text(".md")
    source_text = (FIXTURES / "photosynthesis.md").read_text() + (FIXTURES / "sorting_algorithms.md").read_text()
    assert " ".join(back.inner_text().split()) in " ".join(source_text.split())

    page.get_by_test_id("review-know").click()
    expect(page.get_by_test_id("deck-progress")).to_have_text(re.compile(r"Card 2 of 4 · 1 known"))
    page.get_by_test_id("review-again").click()
    expect(page.get_by_test_id("deck-progress")).to_have_text(re.compile(r"Card 3 of 4 · 1 known"))

    page.reload()  # the deck and its reviews persist
    page.get_by_test_id("tab-flashcards").click()
    expect(page.get_by_test_id("deck-list")).to_contain_text("1/4 known")


def test_take_a_quiz_and_see_the_score(notebook_page):
    page = notebook_page
    page.get_by_test_id("tab-quiz").click()
    page.get_by_test_id("quiz-count").fill("3")
    page.get_by_test_id("quiz-difficulty").select_option("easy")
    page.get_by_test_id("quiz-generate").click()

    questions = page.get_by_test_id("quiz-question")
    expect(questions).to_have_count(3, timeout=60_000)
    for i in range(3):
        questions.nth(i).get_by_role("radio").first.check()
    page.get_by_test_id("quiz-submit").click()

    expect(page.get_by_test_id("quiz-score")).to_have_text(re.compile(r"Score: [0-3] / 3"))
    explanations = page.get_by_test_id("quiz-explanation")
    expect(explanations).to_have_count(3)
    expect(explanations.first).to_contain_text("The material says")
