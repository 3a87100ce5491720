"""CSV exports neutralise spreadsheet formulas (OWASP CSV injection), issue 15."""

from __future__ import annotations

import csv
import io

import pytest

from app.services.csv_export import csv_text, safe_cell
from tests.study.conftest import fixture_text

EVIL_NAME = "=2+5+cmd|' -C calc'!A0.md"  # no slash: the upload keeps only a name's last part


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_a_material_named_like_a_formula_is_text_in_the_flashcard_csv(user_client, notebook, upload):
    md = await upload(user_client, notebook["id"], EVIL_NAME, fixture_text("photosynthesis.md").encode(), "text/markdown")
    assert md.status_code == 201, md.text
    deck = (await user_client.post(f"/api/notebooks/{notebook['id']}/flashcards", json={"count": 2})).json()
    response = await user_client.get(f"/api/flashcards/{deck['id']}/export?format=csv")
    rows = list(csv.reader(io.StringIO(response.text)))
    sources = {row[3] for row in rows[1:]}
    assert sources == {"'" + EVIL_NAME}
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


@pytest.mark.parametrize("value", ["=1+1", "+SUM(A1)", "-2+3", "@SUM(A1)", "\tx", "\r=1", "=HYPERLINK(\"http://x\")"])
def test_formula_starts_are_prefixed(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["-3", "+1.5", "plain", "a=b", "", 7, None, True])
def test_other_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_csv_text_quotes_what_it_must():
    text = csv_text(["a"], [['=1,"2"']])
    assert list(csv.reader(io.StringIO(text))) == [["a"], ['\'=1,"2"']]
