"""Chunking keeps where each passage came from."""

from __future__ import annotations

from app.services.rag.chunking import MAX_WORDS, chunk_material_text, word_count


def test_pdf_page_markers_become_page_locations():
    text = "--- Page 1 ---\nAlpha is the first letter.\n\n--- Page 2 ---\nBeta comes second.\n"
    chunks = chunk_material_text("m", text, "pdf")
    assert [(c.location, c.page) for c in chunks] == [("page 1", 1), ("page 2", 2)]
    assert chunks[1].text == "Beta comes second."


def test_form_feeds_separate_pages():
    chunks = chunk_material_text("m", "One page.\fTwo page.\fThree page.", "pdf")
    assert [c.page for c in chunks] == [1, 2, 3]


def test_markdown_headings_become_sections():
    text = "# Cells\n\n" + "The cell is the unit of life. " * 8 + "\n\n## Membranes\n\n" + "Membranes hold the cell together. " * 10
    chunks = chunk_material_text("m", text, "md")
    assert chunks[-1].location == "section 2 (Membranes)"
    assert chunks[-1].heading == "Membranes"


def test_sheets_become_row_ranges_with_the_header_repeated():
    rows = "\n".join(f"North,{i},{i * 10}" for i in range(1, 61))
    text = f"# Sheet: Sales\nregion,month,sales\n{rows}\n\n# Sheet: Notes\nnote\nhello\n"
    chunks = chunk_material_text("m", text, "xlsx")
    assert chunks[0].location == "Sales rows 2–41"
    assert chunks[0].text.startswith("region,month,sales\nNorth,1,10")
    assert chunks[1].location == "Sales rows 42–61"
    assert chunks[1].text.startswith("region,month,sales\n")
    assert chunks[-1].location == "Notes row 2"


def test_chunks_never_exceed_the_model_window_and_ids_are_deterministic():
    text = ("This sentence has exactly eight words in it. " * 200).strip()
    first = chunk_material_text("mat", text, "txt")
    assert all(word_count(c.text) <= MAX_WORDS for c in first)
    assert [c.id for c in first] == [c.id for c in chunk_material_text("mat", text, "txt")]
    assert first[0].location == "paragraph 1"
