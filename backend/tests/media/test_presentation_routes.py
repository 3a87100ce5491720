"""Presentation API: a real .pptx opened with python-pptx; outline JSON; signed download; ownership."""

from __future__ import annotations

import io
from pathlib import Path

from pptx import Presentation as open_pptx
from pptx.dml.color import RGBColor

from app.models import ChatSession, GeneratedFile
from app.services.study.presentation_pptx import NAVY
from tests.media.conftest import MATERIAL, SECTION_TITLES

EXPECTED_TITLES = ["Photosynthesis", "Agenda", *SECTION_TITLES, "Summary"]


async def _create(client, notebook_id: str, **body):
    return await client.post(f"/api/notebooks/{notebook_id}/presentations", json=body)


def _material_words() -> str:
    return " ".join(MATERIAL.read_text(encoding="utf-8").split())


async def test_the_deck_has_title_agenda_one_slide_per_section_and_summary(user_client, notebook, material, settings):
    response = await _create(user_client, notebook["id"], material_ids=[material["id"]])
    assert response.status_code == 201, response.text
    deck = response.json()

    prs = open_pptx(settings.presentations_output_path / f"{deck['id']}.pptx")
    slides = list(prs.slides)
    assert len(slides) == deck["slide_count"] == 6
    assert [s.shapes.title.text for s in slides] == EXPECTED_TITLES
    assert [s["title"] for s in deck["slides"]] == EXPECTED_TITLES


async def test_section_slides_carry_short_bullets_and_notes_from_the_material(user_client, notebook, material, settings):
    deck = (await _create(user_client, notebook["id"])).json()
    prs = open_pptx(settings.presentations_output_path / f"{deck['id']}.pptx")
    material_text = _material_words()
    for slide, outline in zip(list(prs.slides)[2:5], deck["slides"][2:5], strict=True):
        bullets = [p.text for p in slide.placeholders[1].text_frame.paragraphs]
        assert bullets == outline["bullets"]
        assert 1 <= len(bullets) <= 6
        assert all(len(b.split()) <= 16 and b.rstrip("…") in material_text for b in bullets)
        notes = slide.notes_slide.notes_text_frame.text
        assert notes == outline["notes"] and notes in material_text
    agenda = [p.text for p in prs.slides[1].placeholders[1].text_frame.paragraphs]
    assert agenda == SECTION_TITLES


async def test_the_deck_has_a_theme_not_the_blank_default(user_client, notebook, material, settings):
    deck = (await _create(user_client, notebook["id"])).json()
    prs = open_pptx(settings.presentations_output_path / f"{deck['id']}.pptx")
    assert prs.slide_width > prs.slide_height * 1.7  # 16:9
    assert prs.slides[0].background.fill.fore_color.rgb == NAVY
    section = prs.slides[2]
    bars = [s for s in section.shapes if s.shape_type == 1 and s.top == 0 and s.width == prs.slide_width]
    assert bars and bars[0].fill.fore_color.rgb == NAVY
    title_run = section.shapes.title.text_frame.paragraphs[0].runs[0]
    assert title_run.font.color.rgb == RGBColor(0xFF, 0xFF, 0xFF) and title_run.font.name == "Calibri"
    footers = [s.text_frame.text for s in section.shapes if s.has_text_frame and "3 / 6" in s.text_frame.text]
    assert footers


async def test_list_get_and_signed_download(user_client, client, notebook, material):
    created = (await _create(user_client, notebook["id"], title="Plant energy")).json()
    listed = (await user_client.get(f"/api/notebooks/{notebook['id']}/presentations")).json()
    assert [d["id"] for d in listed] == [created["id"]]
    detail = (await user_client.get(f"/api/presentations/{created['id']}")).json()
    assert detail["title"] == "Plant energy" and detail["slides"][0]["title"] == "Plant energy"
    assert [s["kind"] for s in detail["slides"]] == ["title", "agenda", "section", "section", "section", "summary"]

    response = await client.get(detail["download_url"])  # no cookie: the signed link is enough
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument")
    assert len(open_pptx(io.BytesIO(response.content)).slides) == 6
    assert (await client.get(f"/api/presentations/{created['id']}/download?token=forged")).status_code == 403


async def test_another_users_deck_is_not_found(user_client, other_client, notebook, material):
    deck = (await _create(user_client, notebook["id"])).json()
    assert (await other_client.get(f"/api/presentations/{deck['id']}")).status_code == 404
    assert (await other_client.delete(f"/api/presentations/{deck['id']}")).status_code == 404
    assert (await other_client.get(f"/api/notebooks/{notebook['id']}/presentations")).status_code == 404
    assert (await _create(other_client, notebook["id"])).status_code == 404
    assert (await user_client.get(f"/api/presentations/{deck['id']}")).status_code == 200


async def test_delete_removes_the_file(user_client, notebook, material, settings):
    deck = (await _create(user_client, notebook["id"])).json()
    path = settings.presentations_output_path / f"{deck['id']}.pptx"
    assert path.is_file()
    assert (await user_client.delete(f"/api/presentations/{deck['id']}")).status_code == 204
    assert not path.exists()
    assert (await user_client.get(f"/api/notebooks/{notebook['id']}/presentations")).json() == []


async def test_a_notebook_without_materials_is_refused(user_client, notebook):
    response = await _create(user_client, notebook["id"])
    assert response.status_code == 422


async def test_a_generated_chart_becomes_a_figure_slide(
    user_client, other_client, notebook, material, db, settings, upload
):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    session = ChatSession(notebook_id=notebook["id"], user_id=user_client.user["id"], title="s")
    db.add(session)
    await db.commit()
    png = Path(settings.generated_output_path) / "chart.png"
    png.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.bar(["light", "dark"], [3, 1])
    fig.savefig(png)
    plt.close(fig)
    chart = GeneratedFile(user_id=user_client.user["id"], session_id=session.id, filename="chart.png",
                          storage_path=str(png), size=png.stat().st_size, mime="image/png", type="png")
    db.add(chart)
    await db.commit()

    theirs = (await other_client.post("/api/notebooks", json={"title": "x"})).json()
    assert (await upload(other_client, theirs["id"], "notes.txt", MATERIAL.read_bytes(), "text/plain")).status_code == 201
    assert (await _create(other_client, theirs["id"], image_file_id=chart.id)).status_code == 404

    deck = (await _create(user_client, notebook["id"], image_file_id=chart.id)).json()
    assert [s["kind"] for s in deck["slides"]][-2:] == ["figure", "summary"]
    prs = open_pptx(settings.presentations_output_path / f"{deck['id']}.pptx")
    figure = prs.slides[len(prs.slides) - 2]
    assert any(s.shape_type == 13 for s in figure.shapes)  # a picture
