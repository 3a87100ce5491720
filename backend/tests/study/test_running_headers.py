"""A PDF with a running header and page footers yields no flashcard, quiz
question, slide or podcast line built from them, and every selected material
contributes; cloze cards never show their answer.

The PDF is written with fpdf2 (header and footer on every page), read back by
the real extractor (pypdf), cleaned, chunked like the study sources, and given
to the offline builders the study features use.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from fpdf import FPDF

from app.core.config import Settings
from app.services.llm.offline.tasks.flashcards import build_cards
from app.services.llm.offline.tasks.podcast_script import build_script
from app.services.llm.offline.tasks.quiz import build_questions
from app.services.llm.offline.tasks.slide_outline import build_outline
from app.services.materials.extraction import ExtractionLimits, extract_to_file
from app.services.rag.chunking import chunk_material_text
from app.services.study.key_facts import BLANK
from app.services.study.page_furniture import remove_page_furniture
from app.services.study.presentation_outline import frame_outline, parse_outline

HEADER = "Study Notes Photosynthesis"
PAGES = [
    ("Photosynthesis", "Photosynthesis is the process by which green plants turn light energy into chemical energy. "
     "It takes place in the leaves, inside organelles called chloroplasts. Chlorophyll is a green pigment that "
     "absorbs red and blue light."),
    ("Light reactions", "The light reactions happen in the thylakoid membranes of the chloroplast. Water is split "
     "and oxygen is released as a by-product. The energy is stored in molecules called ATP and NADPH."),
    ("The Calvin cycle", "The Calvin cycle runs in the stroma of the chloroplast. The enzyme RuBisCO fixes carbon "
     "dioxide from the air. Step by step the cycle builds glucose, which the plant uses for growth."),
]
CELLS = ("Cell biology", "The mitochondrion is an organelle that releases energy from glucose during respiration. "
         "Ribosomes are small structures that build proteins from amino acids. The nucleus holds the cell's DNA.")


class NotesPDF(FPDF):
    def header(self):
        self.set_font("Helvetica", "B", 10)
        self.cell(0, 8, HEADER, new_x="LMARGIN", new_y="NEXT")

    def footer(self):
        self.set_y(-15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 8, f"Page {self.page_no()}", align="C")


def write_pdf(path: Path, pages) -> Path:
    pdf = NotesPDF()
    for title, body in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        pdf.multi_cell(0, 6, body, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def extract_text(path: Path, ext: str) -> str:
    """The text the upload path stores for `path` (same reader, default limits)."""
    out = path.with_suffix(".txt")
    extract_to_file(path, ext, out, ExtractionLimits.from_settings(Settings()))
    return out.read_text(encoding="utf-8")


def passages_of(materials: dict[str, str]) -> list[dict]:
    out = []
    for name, text in materials.items():
        for chunk in chunk_material_text(name, text, "pdf"):
            out.append({"index": len(out) + 1, "material": name, "location": chunk.location, "text": chunk.text})
    return out


def mentions_furniture(text: str) -> bool:
    return "study notes" in text.lower() or re.search(r"\bpage\s*\d", text.lower()) is not None


def test_extracted_pdf_really_has_the_running_header(tmp_path):
    raw = extract_text(write_pdf(tmp_path / "notes.pdf", PAGES), "pdf")
    assert raw.count(HEADER) == 3 and "Page 2" in raw
    cleaned = remove_page_furniture(raw)
    assert HEADER not in cleaned and not re.search(r"^Page \d+$", cleaned, re.M)
    assert "--- Page 2 ---" in cleaned  # locations still come from the page markers
    assert "RuBisCO fixes carbon dioxide" in cleaned


def test_no_card_question_slide_or_podcast_line_comes_from_the_header(tmp_path):
    notes = remove_page_furniture(extract_text(write_pdf(tmp_path / "notes.pdf", PAGES), "pdf"))
    cells = remove_page_furniture(extract_text(write_pdf(tmp_path / "cells.pdf", [CELLS, CELLS[:1] + (
        "Cells divide by mitosis to make two identical daughter cells. The cell membrane controls what enters "
        "and leaves the cell.",)]), "pdf"))
    materials = {"notes.pdf": notes, "cells.pdf": cells}
    passages = passages_of(materials)
    prose = [{"name": n, "text": remove_page_furniture(t, keep_markers=False)} for n, t in materials.items()]

    cards = build_cards({"count": 12, "passages": passages})
    questions = build_questions({"count": 8, "difficulty": "medium", "passages": passages})
    outline = build_outline({"title": "", "materials": prose})
    deck = frame_outline(parse_outline(json.dumps(outline)), None)
    script = build_script({"title": "", "materials": prose})

    assert cards and questions and deck["slides"] and script["turns"]
    texts = [c["front"] + " " + c["back"] for c in cards]
    texts += [q["question"] + " " + " ".join(q["options"]) for q in questions]
    texts += [s["title"] + " " + " ".join(s["bullets"]) for s in deck["slides"]]
    texts += [t["text"] for t in script["turns"]]
    assert not [t for t in texts if mentions_furniture(t)]

    # every selected material contributes to the cards and the quiz
    material_of = {p["index"]: p["material"] for p in passages}
    assert {material_of[c["source"]] for c in cards} == set(materials)
    assert {material_of[q["source"]] for q in questions} == set(materials)

    # a cloze card never contains its own answer
    for card in cards:
        if card["kind"] == "cloze":
            assert BLANK in card["front"] and card["back"].lower() not in card["front"].lower()

    # slide bullets are whole sentences or clean phrases, never cut mid-sentence
    for slide in deck["slides"]:
        for bullet in slide["bullets"]:
            assert not bullet.endswith(("…", ",", " the", " of", " and", " a"))
