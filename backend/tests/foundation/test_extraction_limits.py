"""Hostile uploads: files that are small on the wire but expensive to read.
Each is refused (4xx, nothing left behind, worker process gone) or read within
bounded work; limits are lowered through settings to keep the tests fast."""

from __future__ import annotations

import asyncio
import hashlib
from multiprocessing import forkserver
from pathlib import Path

import pytest
from sqlalchemy import func, select
from starlette.requests import ClientDisconnect

from app.models import Material, Notebook, User
from app.services.materials.storage import ReceivedUpload
from app.services.materials.uploads import add_material
from tests import hostile_files

pytestmark = pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)


def live_extraction_workers() -> list[int]:
    """Processes forked by the extraction forkserver that are still running."""
    server = forkserver._forkserver._forkserver_pid
    assert server, "the app's start-up starts the extraction forkserver"
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except OSError:
            continue  # exited while we looked
        if int(ppid) == server and state != "Z":
            pids.append(int(stat.parent.name))
    return pids


async def assert_nothing_left(db, settings) -> None:
    assert await db.scalar(select(func.count()).select_from(Material)) == 0
    roots = (settings.materials_path, settings.upload_tmp_path)
    assert [p for root in roots for p in root.rglob("*") if p.is_file()] == []


async def _text(client, material: dict) -> str:
    response = await client.get(f"/api/materials/{material['id']}/text")
    assert response.status_code == 200
    return response.text


# --- linear DOCX --------------------------------------------------------------------


async def test_docx_with_thousands_of_styles_reads_in_linear_work(user_client, notebook, upload, settings, monkeypatch):
    # 10,000 paragraphs, each in its own style: python-docx's per-paragraph style lookup
    # scans every style (2,000 of each already took 7.9 s and grew ~4x per doubling; this
    # is ~25x that). Read linearly it is well under a second; 30 s is a generous limit
    # that only quadratic work blows. bench/extraction_bench.py prints both.
    monkeypatch.setattr(settings, "EXTRACTION_TIMEOUT", 30)
    data = hostile_files.many_styles_docx(paragraphs=10_000, styles=10_000)
    async with asyncio.timeout(60):  # the same bound for a reader that ignores EXTRACTION_TIMEOUT
        response = await upload(user_client, notebook["id"], "styles.docx", data)
    assert response.status_code == 201, response.text
    text = await _text(user_client, response.json())
    assert text.startswith("# Chapter one\nParagraph 1\nParagraph 2\n")
    assert text.endswith("Paragraph 9999\n")


# --- ZIP bombs ----------------------------------------------------------------------


async def test_docx_zip_bomb_is_refused_before_unpacking(user_client, notebook, upload, db, settings):
    data = hostile_files.docx_bomb(unpacked_mb=24)  # ~30 KiB on the wire
    response = await upload(user_client, notebook["id"], "bomb.docx", data)
    assert response.status_code == 413, response.text
    assert "ZIP bomb" in response.json()["detail"] and "MAX_COMPRESSION_RATIO" in response.json()["detail"]
    await assert_nothing_left(db, settings)
    assert live_extraction_workers() == []


async def test_xlsx_zip_bomb_is_refused_before_parsing(user_client, notebook, upload, db, settings):
    data = hostile_files.xlsx_bomb(unpacked_mb=16)
    response = await upload(user_client, notebook["id"], "bomb.xlsx", data)
    assert response.status_code == 413, response.text
    assert "xl/worksheets/sheet1.xml" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_docx_over_the_unpacked_size_limit_is_refused(user_client, notebook, upload, db, settings, monkeypatch):
    monkeypatch.setattr(settings, "MAX_DECOMPRESSED_MB", 1)
    data = hostile_files.long_docx(paragraphs=40_000)  # ~2 MB of XML, packed ~20:1: no bomb, just big
    response = await upload(user_client, notebook["id"], "big.docx", data)
    assert response.status_code == 413, response.text
    assert "over the 1 MB limit (MAX_DECOMPRESSED_MB)" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_zip_with_too_many_parts_is_refused_from_its_end_record(user_client, notebook, upload, db, settings):
    response = await upload(user_client, notebook["id"], "crowded.docx", hostile_files.crowded_docx(parts=12_000))
    assert response.status_code == 413, response.text
    assert response.json()["detail"] == "The file holds 12,017 parts; at most 10,000 are read."
    await assert_nothing_left(db, settings)


async def test_xlsx_declaring_a_huge_sheet_reads_only_its_cells(user_client, notebook, upload):
    # Rows 1 and 100,000 filled, A1:XFD100000 declared: padding each row to the declared
    # width (the old read) is 1.6 billion cells, minutes; as stored, 100,000 empty rows.
    response = await upload(user_client, notebook["id"], "tiny.xlsx", hostile_files.huge_dimension_xlsx(100_000))
    assert response.status_code == 201, response.text
    assert await _text(user_client, response.json()) == "# Sheet: Sheet\nname,value\nend\n\n"


# --- time and memory limits -----------------------------------------------------------


async def test_over_the_time_limit_is_refused_and_the_worker_killed(user_client, notebook, upload, db, settings, monkeypatch):
    monkeypatch.setattr(settings, "EXTRACTION_TIMEOUT", 0.3)
    data = hostile_files.long_docx(paragraphs=150_000)  # seconds of honest work
    response = await upload(user_client, notebook["id"], "long.docx", data)
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "Reading the file took longer than 0.3 s (EXTRACTION_TIMEOUT); it was stopped."
    assert live_extraction_workers() == []
    await assert_nothing_left(db, settings)


async def test_over_the_memory_limit_is_refused(user_client, notebook, upload, db, settings, monkeypatch, sample_files):
    monkeypatch.setattr(settings, "EXTRACTION_MEMORY_MB", 16)
    response = await upload(user_client, notebook["id"], "wide.docx", hostile_files.huge_paragraph_docx(text_mb=8))
    assert response.status_code == 422, response.text
    assert "more than 16 MB of memory (EXTRACTION_MEMORY_MB)" in response.json()["detail"]
    assert live_extraction_workers() == []
    await assert_nothing_left(db, settings)
    # the same limit leaves room for an ordinary document
    ordinary = await upload(user_client, notebook["id"], "notes.docx", sample_files.docx(["Osmosis."]))
    assert ordinary.status_code == 201, ordinary.text


# --- text limits ----------------------------------------------------------------------


async def test_text_over_the_char_limit_is_cut_with_a_note_and_the_file_kept_whole(
    user_client, notebook, upload, settings, monkeypatch
):
    monkeypatch.setattr(settings, "MAX_EXTRACTED_CHARS", 1000)
    data = hostile_files.long_docx(paragraphs=500)
    response = await upload(user_client, notebook["id"], "long.docx", data)
    assert response.status_code == 201, response.text
    material = response.json()
    text = await _text(user_client, material)
    body, note = text.split("\n\n[", 1)
    assert len(body) == 1000 and body.startswith("Paragraph number 0 of a long text.\n")
    assert note.startswith("Text extraction stopped after 1,000 characters (MAX_EXTRACTED_CHARS)")
    raw = await user_client.get(f"/api/materials/{material['id']}/raw")
    assert raw.content == data


async def test_csv_over_the_char_limit_is_cut_the_same_way(user_client, notebook, upload, settings, monkeypatch):
    monkeypatch.setattr(settings, "MAX_EXTRACTED_CHARS", 100)
    data = ("id,value\n" + "".join(f"{i},{i * i}\n" for i in range(1000))).encode()
    response = await upload(user_client, notebook["id"], "squares.csv", data, "text/csv")
    assert response.status_code == 201, response.text
    text = await _text(user_client, response.json())
    assert text.startswith(data[:100].decode() + "\n\n[Text extraction stopped after 100 characters")
    assert (await user_client.get(f"/api/materials/{response.json()['id']}/raw")).content == data


async def test_xlsx_over_the_cell_limit_is_cut_with_a_note(user_client, notebook, upload, settings, monkeypatch, sample_files):
    monkeypatch.setattr(settings, "MAX_SPREADSHEET_CELLS", 10)
    data = sample_files.xlsx({"Grid": [[r * 10 + c for c in range(4)] for r in range(10)]})
    response = await upload(user_client, notebook["id"], "grid.xlsx", data)
    assert response.status_code == 201, response.text
    text = await _text(user_client, response.json())
    assert text.startswith("# Sheet: Grid\n0,1,2,3\n10,11,12,13\n\n\n[Text extraction stopped after 10 cells")


# --- the client leaving --------------------------------------------------------------


async def test_client_leaving_during_extraction_stops_it_and_saves_nothing(app, db, settings, user_client, notebook):
    data = hostile_files.long_docx(paragraphs=150_000)
    settings.upload_tmp_path.mkdir(parents=True, exist_ok=True)
    tmp = settings.upload_tmp_path / "upload-leaving.part"
    tmp.write_bytes(data)
    received = ReceivedUpload(tmp, "long.docx", len(data), hashlib.sha256(data).hexdigest())
    nb = await db.get(Notebook, notebook["id"])
    user = await db.get(User, user_client.user["id"])
    workers_when_left: list[int] = []

    async def client_left() -> bool:
        workers_when_left.extend(live_extraction_workers())
        return True

    with pytest.raises(ClientDisconnect):
        await add_material(db, settings, nb, user, received, client_left=client_left)
    assert len(workers_when_left) == 1  # it was extracting when the client left ...
    assert live_extraction_workers() == []  # ... and was stopped
    await assert_nothing_left(db, settings)
