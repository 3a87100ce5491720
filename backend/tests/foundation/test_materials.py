"""Uploading materials: every supported type with real files, and every way an
upload can go wrong (each leaving no row and no file behind)."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from app.models import Material


async def _material_rows(db) -> int:
    return await db.scalar(select(func.count()).select_from(Material))


def _stored_files(settings) -> list:
    return [p for root in (settings.materials_path, settings.upload_tmp_path) for p in root.rglob("*") if p.is_file()]


async def assert_nothing_left(db, settings):
    assert await _material_rows(db) == 0
    assert _stored_files(settings) == []


# --- each supported type ----------------------------------------------------------


async def test_pdf_upload_extracts_each_page(user_client, notebook, upload, sample_files):
    data = sample_files.pdf(["Mitochondria are the powerhouse of the cell.", "Ribosomes build proteins."])
    response = await upload(user_client, notebook["id"], "cells.pdf", data, "application/pdf")
    assert response.status_code == 201, response.text
    m = response.json()
    assert (m["ext"], m["type"], m["workspace_name"], m["status"]) == ("pdf", "document", "cells.pdf", "ready")
    assert m["size"] == len(data)
    assert "real_path" not in m and "text_path" not in m
    text = (await user_client.get(f"/api/materials/{m['id']}/text")).text
    assert "--- Page 1 ---\nMitochondria are the powerhouse of the cell." in text
    assert "--- Page 2 ---\nRibosomes build proteins." in text


async def test_docx_upload_extracts_headings_paragraphs_and_tables(user_client, notebook, upload, sample_files):
    data = sample_files.docx(
        ["Osmosis moves water across membranes."], heading="Transport", table=[["Term", "Meaning"], ["ATP", "energy"]]
    )
    response = await upload(user_client, notebook["id"], "notes.docx", data)
    assert response.status_code == 201, response.text
    m = response.json()
    assert (m["ext"], m["type"]) == ("docx", "document")
    text = (await user_client.get(f"/api/materials/{m['id']}/text")).text
    assert "# Transport" in text
    assert "Osmosis moves water across membranes." in text
    assert "ATP | energy" in text


async def test_xlsx_upload_is_data_and_extracts_every_sheet(user_client, notebook, upload, sample_files):
    data = sample_files.xlsx({"Sales": [["region", "amount"], ["North", 10]], "Costs": [["item", "cost"], ["rent", 5]]})
    response = await upload(user_client, notebook["id"], "book.xlsx", data)
    assert response.status_code == 201, response.text
    m = response.json()
    assert (m["ext"], m["type"]) == ("xlsx", "data")
    text = (await user_client.get(f"/api/materials/{m['id']}/text")).text
    assert "# Sheet: Sales\nregion,amount\nNorth,10\n" in text
    assert "# Sheet: Costs\nitem,cost\nrent,5\n" in text


@pytest.mark.parametrize(
    ("filename", "ext", "kind"),
    [("sales.csv", "csv", "data"), ("notes.txt", "txt", "document"), ("README.md", "md", "document")],
)
async def test_text_uploads_keep_their_text(user_client, notebook, upload, sample_files, filename, ext, kind):
    data = {"csv": sample_files.csv, "txt": sample_files.txt, "md": sample_files.md}[ext]()
    response = await upload(user_client, notebook["id"], filename, data, "text/plain")
    assert response.status_code == 201, response.text
    m = response.json()
    assert (m["ext"], m["type"], m["workspace_name"]) == (ext, kind, filename)
    assert (await user_client.get(f"/api/materials/{m['id']}/text")).content == data


async def test_raw_returns_the_original_bytes_with_the_right_content_type(user_client, notebook, upload, sample_files):
    data = sample_files.xlsx({"S": [["a"], [1]]})
    m = (await upload(user_client, notebook["id"], "t.xlsx", data)).json()
    raw = await user_client.get(f"/api/materials/{m['id']}/raw")
    assert raw.status_code == 200
    assert raw.content == data
    assert raw.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    csv_m = (await upload(user_client, notebook["id"], "s.csv", sample_files.csv())).json()
    raw = await user_client.get(f"/api/materials/{csv_m['id']}/raw")
    assert raw.headers["content-type"] == "text/csv; charset=utf-8"
    assert raw.content == sample_files.csv()


async def test_type_is_judged_by_content_not_extension(user_client, notebook, upload, sample_files):
    response = await upload(user_client, notebook["id"], "report.csv", sample_files.pdf(["Hello"]))
    assert response.status_code == 201, response.text
    assert (response.json()["ext"], response.json()["workspace_name"]) == ("pdf", "report.pdf")


async def test_same_name_gets_a_numbered_workspace_name(user_client, notebook, upload, sample_files):
    names = []
    for _ in range(3):
        response = await upload(user_client, notebook["id"], "data.csv", sample_files.csv())
        assert response.status_code == 201
        names.append(response.json()["workspace_name"])
    assert names == ["data.csv", "data_2.csv", "data_3.csv"]


async def test_cp1252_text_is_accepted_and_converted_to_utf8(user_client, notebook, upload):
    text = "name,city,price\nJosé,Málaga,5 €\nRenée,Zürich,7 €\n"
    response = await upload(user_client, notebook["id"], "clients.csv", text.encode("cp1252"))
    assert response.status_code == 201, response.text
    m = response.json()
    assert (await user_client.get(f"/api/materials/{m['id']}/text")).content == text.encode("utf-8")
    raw = await user_client.get(f"/api/materials/{m['id']}/raw")
    assert raw.content.decode("utf-8") == text
    assert m["size"] == len(text.encode("utf-8"))


async def test_latin1_txt_is_accepted_and_converted(user_client, notebook, upload):
    text = "Le garçon mange une crème brûlée à Noël.\n"
    response = await upload(user_client, notebook["id"], "fr.txt", text.encode("latin-1"))
    assert response.status_code == 201, response.text
    assert (await user_client.get(f"/api/materials/{response.json()['id']}/text")).text == text


async def test_utf8_bom_is_stripped(user_client, notebook, upload):
    response = await upload(user_client, notebook["id"], "bom.csv", b"\xef\xbb\xbfa,b\n1,2\n")
    assert response.status_code == 201
    assert (await user_client.get(f"/api/materials/{response.json()['id']}/raw")).content == b"a,b\n1,2\n"


# --- names --------------------------------------------------------------------------


async def test_path_traversal_name_is_sanitised_and_stays_in_storage(user_client, notebook, upload, settings, db):
    response = await upload(user_client, notebook["id"], "../../../etc/passwd.csv", b"a,b\n1,2\n")
    assert response.status_code == 201, response.text
    m = response.json()
    assert m["workspace_name"] == "passwd.csv"
    assert m["filename"] == "passwd.csv"
    row = await db.get(Material, m["id"])
    materials_root = settings.materials_path.resolve()
    for path in (row.real_path, row.text_path):
        assert __import__("pathlib").Path(path).resolve().is_relative_to(materials_root)
    assert not (settings.DATA_DIR.parent / "etc").exists()


async def test_odd_characters_give_a_safe_workspace_name(user_client, notebook, upload):
    response = await upload(user_client, notebook["id"], "Résumé (final) #1 copy; $(rm -rf).txt", b"hello\n")
    assert response.status_code == 201, response.text
    m = response.json()
    assert m["workspace_name"] == "Resume_final_1_copy_rm_-rf.txt"
    assert m["filename"] == "Résumé (final) #1 copy; $(rm -rf).txt"


async def test_windows_path_and_dotfile_names(user_client, notebook, upload):
    r1 = await upload(user_client, notebook["id"], "C:\\Users\\me\\grades.csv", b"x\n1\n")
    r2 = await upload(user_client, notebook["id"], ".hidden.md", b"# t\n")
    r3 = await upload(user_client, notebook["id"], "日本語.txt", b"text\n")
    assert r1.json()["workspace_name"] == "grades.csv"
    assert r2.json()["workspace_name"] == "hidden.md"
    assert r3.json()["workspace_name"] == "file.txt"


# --- refusals: nothing left behind ----------------------------------------------------


async def test_empty_file_is_400(user_client, notebook, upload, db, settings):
    response = await upload(user_client, notebook["id"], "empty.csv", b"")
    assert response.status_code == 400
    assert response.json()["detail"] == "The uploaded file is empty."
    await assert_nothing_left(db, settings)


async def test_png_renamed_csv_is_415(user_client, notebook, upload, db, settings):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
    response = await upload(user_client, notebook["id"], "data.csv", png)
    assert response.status_code == 415
    assert "image/png" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_exe_renamed_pdf_is_415(user_client, notebook, upload, db, settings):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = await upload(user_client, notebook["id"], "paper.pdf", exe)
    assert response.status_code == 415
    assert "application/x-msdownload" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_text_named_pdf_is_415(user_client, notebook, upload, db, settings):
    response = await upload(user_client, notebook["id"], "paper.pdf", b"just some words\n")
    assert response.status_code == 415
    assert "not a PDF" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_unsupported_text_extension_is_415(user_client, notebook, upload, db, settings):
    response = await upload(user_client, notebook["id"], "page.html", b"<html></html>")
    assert response.status_code == 415
    assert ".html files are not supported" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_random_binary_is_415(user_client, notebook, upload, db, settings):
    response = await upload(user_client, notebook["id"], "blob.txt", bytes(range(256)) * 8)
    assert response.status_code == 415
    await assert_nothing_left(db, settings)


async def test_corrupt_pdf_is_422(user_client, notebook, upload, db, settings, sample_files):
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage without xref or trailer\n"
    response = await upload(user_client, notebook["id"], "broken.pdf", broken)
    assert response.status_code == 422
    assert "could not be read as PDF" in response.json()["detail"]
    truncated = sample_files.pdf(["Some text"])[:300]
    response = await upload(user_client, notebook["id"], "cut.pdf", truncated)
    assert response.status_code == 422
    await assert_nothing_left(db, settings)


async def test_corrupt_xlsx_is_422(user_client, notebook, upload, db, settings, sample_files):
    truncated = sample_files.xlsx({"S": [["a", "b"], [1, 2]]})[:400]
    response = await upload(user_client, notebook["id"], "cut.xlsx", truncated)
    assert response.status_code == 422
    assert "XLSX" in response.json()["detail"]
    # a valid zip with the right part name but garbage inside
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<not xml")
        zf.writestr("xl/workbook.xml", "<broken")
    response = await upload(user_client, notebook["id"], "fake.xlsx", buf.getvalue())
    assert response.status_code == 422
    await assert_nothing_left(db, settings)


async def test_plain_zip_named_docx_is_422(user_client, notebook, upload, db, settings):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    response = await upload(user_client, notebook["id"], "letter.docx", buf.getvalue())
    assert response.status_code == 422
    assert "without the parts of a DOCX" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_over_the_size_limit_is_413_by_content_length(app, user_client, notebook, upload, db, settings):
    settings.MAX_UPLOAD_MB = 0.25
    response = await upload(user_client, notebook["id"], "big.csv", b"a,b\n" + b"1,2\n" * 100_000)
    assert response.status_code == 413
    assert "0.25 MB upload limit" in response.json()["detail"]
    await assert_nothing_left(db, settings)


async def test_over_the_size_limit_is_413_while_streaming_without_length(user_client, notebook, db, settings):
    """A chunked body (no Content-Length) is cut off once the file passes the limit."""
    settings.MAX_UPLOAD_MB = 0.25
    boundary = "kplboundary"
    chunks_sent = 0

    async def body():
        nonlocal chunks_sent
        yield (
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        for _ in range(64):  # 4 MB in 64 KB chunks, limit 0.25 MB
            chunks_sent += 1
            yield b"1,2\n" * 16384
        yield f"\r\n--{boundary}--\r\n".encode()

    response = await user_client.post(
        f"/api/notebooks/{notebook['id']}/materials",
        content=body(),
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 413
    assert chunks_sent < 10  # stopped reading soon after the limit
    await assert_nothing_left(db, settings)


async def test_just_under_the_limit_is_accepted(user_client, notebook, upload, settings):
    settings.MAX_UPLOAD_MB = 0.25
    data = b"a,b\n" + b"1,2\n" * 65_000  # 260,004 bytes < 262,144
    response = await upload(user_client, notebook["id"], "ok.csv", data)
    assert response.status_code == 201, response.text
    assert response.json()["size"] == len(data)


async def test_missing_file_field_is_422(user_client, notebook, db, settings):
    response = await user_client.post(
        f"/api/notebooks/{notebook['id']}/materials", files={"document": ("a.csv", b"a\n1\n", "text/csv")}
    )
    assert response.status_code == 422
    assert "field 'file'" in response.json()["detail"]
    response = await user_client.post(f"/api/notebooks/{notebook['id']}/materials", json={"file": "a"})
    assert response.status_code == 422
    await assert_nothing_left(db, settings)


# --- read / list / delete / ownership ----------------------------------------------------


async def test_list_and_get(user_client, notebook, upload, sample_files):
    a = (await upload(user_client, notebook["id"], "a.csv", sample_files.csv())).json()
    b = (await upload(user_client, notebook["id"], "b.md", sample_files.md())).json()
    listed = (await user_client.get(f"/api/notebooks/{notebook['id']}/materials")).json()
    assert [m["id"] for m in listed] == [a["id"], b["id"]]
    got = await user_client.get(f"/api/materials/{a['id']}")
    assert got.status_code == 200 and got.json() == a


async def test_delete_removes_row_and_files(user_client, notebook, upload, sample_files, db, settings):
    m = (await upload(user_client, notebook["id"], "x.pdf", sample_files.pdf(["x"]))).json()
    assert len(_stored_files(settings)) == 2  # the file and its text
    response = await user_client.delete(f"/api/materials/{m['id']}")
    assert response.status_code == 204
    assert (await user_client.get(f"/api/materials/{m['id']}")).status_code == 404
    await assert_nothing_left(db, settings)


async def test_other_users_material_is_404(user_client, other_client, notebook, upload, sample_files, db, settings):
    m = (await upload(user_client, notebook["id"], "a.csv", sample_files.csv())).json()
    for method, path in [
        ("GET", f"/api/materials/{m['id']}"),
        ("GET", f"/api/materials/{m['id']}/raw"),
        ("GET", f"/api/materials/{m['id']}/text"),
        ("DELETE", f"/api/materials/{m['id']}"),
        ("GET", f"/api/notebooks/{notebook['id']}/materials"),
    ]:
        response = await other_client.request(method, path)
        assert response.status_code == 404, (method, path)
    response = await upload(other_client, notebook["id"], "b.csv", sample_files.csv())
    assert response.status_code == 404
    assert await _material_rows(db) == 1  # still there, and nothing added


async def test_text_head_by_range_for_the_preview(user_client, other_client, notebook, upload):
    """The UI previews a material from the first bytes of its text (a Range request)."""
    data = ("city,temp\n" + "".join(f"c{i},{i}\n" for i in range(5000))).encode()
    m = (await upload(user_client, notebook["id"], "big.csv", data, "text/csv")).json()
    head = await user_client.get(f"/api/materials/{m['id']}/text", headers={"Range": "bytes=0-99"})
    assert head.status_code == 206
    assert head.content == data[:100]
    assert head.headers["content-range"] == f"bytes 0-99/{len(data)}"
    other = await other_client.get(f"/api/materials/{m['id']}/text", headers={"Range": "bytes=0-99"})
    assert other.status_code == 404


async def test_unknown_material_is_404(user_client):
    response = await user_client.get("/api/materials/00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
    assert response.json()["detail"] == "Material not found"


async def test_xlsx_extraction_reads_values_not_formulas(user_client, notebook, upload):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Calc"
    ws.append(["x", "y"])
    ws.append([2, 3])
    buf = io.BytesIO()
    wb.save(buf)
    response = await upload(user_client, notebook["id"], "calc.xlsx", buf.getvalue())
    assert response.status_code == 201
    text = (await user_client.get(f"/api/materials/{response.json()['id']}/text")).text
    assert text.startswith("# Sheet: Calc\nx,y\n2,3\n")
