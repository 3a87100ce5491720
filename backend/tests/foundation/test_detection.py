"""File names and text encodings, checked directly (no app needed)."""

from __future__ import annotations

import pytest

from app.services.materials.detection import decode_text
from app.services.materials.storage import display_filename, safe_stem, workspace_candidates


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\grades.csv", "grades.csv"),
        ("bell\x07and\x00nul\r\n.txt", "bellandnul.txt"),
        ("..", "upload"),
        ("", "upload"),
        ("  spaced name.md  ", "spaced name.md"),
    ],
)
def test_display_filename_drops_directories_and_control_characters(raw, expected):
    assert display_filename(raw) == expected


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("Résumé (final) #1.txt", "Resume_final_1"),
        ("a/b\\c.csv", "a_b_c"),
        ("---.csv", "file"),
        ("x" * 500 + ".csv", "x" * 120),
        ("report.v2.final.pdf", "report.v2.final"),
    ],
)
def test_safe_stem_is_ascii_and_path_safe(name, stem):
    assert safe_stem(name) == stem


def test_workspace_candidates_number_from_two():
    names = workspace_candidates("data.csv", "csv")
    assert [next(names) for _ in range(3)] == ["data.csv", "data_2.csv", "data_3.csv"]


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        ("name,city\nJosé,Málaga\nRenée,Zürich\n", "cp1252"),
        ("Prix: 5 € – “très” cher\n", "cp1252"),
        ("Short café", "latin-1"),
        ("Привет, как дела? Это тест кодировки текста на русском языке.\n", "cp1251"),
        ("日本語のテキストです。これはテストです。文字コードの判定。\n", "shift_jis"),
        ("plain ascii, nothing special\n", "ascii"),
        ("utf-8 já está ✓\n", "utf-8"),
        ("utf-16 with bom ✓\n", "utf-16"),
    ],
)
def test_decode_text_recovers_the_original_text(text, encoding):
    decoded = decode_text(text.encode(encoding))
    assert decoded is not None
    assert decoded[0] == text


@pytest.mark.parametrize(
    "data",
    [bytes(range(256)), b"\x00\x01\x02binary\x00", b"\xff\xd8\xff\xe0" + bytes(range(50)) * 3],
)
def test_decode_text_refuses_binary(data):
    assert decode_text(data) is None
