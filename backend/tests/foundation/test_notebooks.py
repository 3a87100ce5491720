"""Notebooks CRUD, ownership, and cascading deletion (rows and files)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from app.models import AgentRun, ChatSession, GeneratedFile, Material, Message


async def test_create_list_get_rename(user_client):
    created = await user_client.post("/api/notebooks", json={"title": "  Chemistry  "})
    assert created.status_code == 201
    nb = created.json()
    assert nb["title"] == "Chemistry"
    assert set(nb) == {"id", "title", "created_at", "updated_at"}
    listed = (await user_client.get("/api/notebooks")).json()
    assert [n["id"] for n in listed] == [nb["id"]]
    assert (await user_client.get(f"/api/notebooks/{nb['id']}")).json() == nb
    renamed = await user_client.patch(f"/api/notebooks/{nb['id']}", json={"title": "Organic chemistry"})
    assert renamed.status_code == 200
    assert renamed.json()["title"] == "Organic chemistry"
    assert renamed.json()["updated_at"] >= nb["updated_at"]


async def test_list_shows_only_my_notebooks(user_client, other_client):
    await user_client.post("/api/notebooks", json={"title": "mine"})
    await other_client.post("/api/notebooks", json={"title": "theirs"})
    assert [n["title"] for n in (await user_client.get("/api/notebooks")).json()] == ["mine"]


async def test_blank_or_missing_title_is_422(user_client):
    for body in ({"title": "   "}, {}, {"title": "x" * 201}):
        assert (await user_client.post("/api/notebooks", json=body)).status_code == 422


async def test_other_users_notebook_is_404_not_403(user_client, other_client, notebook):
    nb = notebook["id"]
    for method, path, body in [
        ("GET", f"/api/notebooks/{nb}", None),
        ("PATCH", f"/api/notebooks/{nb}", {"title": "stolen"}),
        ("DELETE", f"/api/notebooks/{nb}", None),
        ("GET", f"/api/notebooks/{nb}/sessions", None),
        ("POST", f"/api/notebooks/{nb}/sessions", {}),
    ]:
        response = await other_client.request(method, path, json=body)
        assert response.status_code == 404, (method, path)
        assert response.json()["detail"] == "Notebook not found"
    assert (await user_client.get(f"/api/notebooks/{nb}")).json()["title"] == "Biology 101"


async def test_delete_cascades_to_materials_sessions_messages_runs_and_files(
    user_client, notebook, upload, sample_files, db, settings
):
    nb = notebook["id"]
    material = (await upload(user_client, nb, "a.csv", sample_files.csv())).json()
    session = (await user_client.post(f"/api/notebooks/{nb}/sessions", json={"title": "s"})).json()
    user_id = user_client.user["id"]
    out_dir = settings.generated_output_path / user_id / session["id"]
    out_dir.mkdir(parents=True)
    (out_dir / "chart.png").write_bytes(b"\x89PNG fake")
    message = Message(session_id=session["id"], role="assistant", content="hi")
    db.add(message)
    await db.flush()
    run = AgentRun(user_id=user_id, session_id=session["id"], message_id=message.id, status="completed")
    db.add(run)
    await db.flush()
    db.add(
        GeneratedFile(
            user_id=user_id,
            session_id=session["id"],
            run_id=run.id,
            filename="chart.png",
            storage_path=str(out_dir / "chart.png"),
            size=9,
            mime="image/png",
        )
    )
    await db.commit()
    material_files = [p for p in settings.materials_path.rglob("*") if p.is_file()]
    assert len(material_files) == 2

    response = await user_client.delete(f"/api/notebooks/{nb}")
    assert response.status_code == 204
    assert (await user_client.get(f"/api/notebooks/{nb}")).status_code == 404
    assert (await user_client.get(f"/api/materials/{material['id']}")).status_code == 404
    db.expunge_all()
    for model in (Material, ChatSession, Message, AgentRun, GeneratedFile):
        assert await db.scalar(select(func.count()).select_from(model)) == 0, model.__name__
    assert not any(p.is_file() for p in settings.materials_path.rglob("*"))
    assert not out_dir.exists()
    assert not any(Path(p).exists() for p in material_files)


async def test_deleting_one_notebook_keeps_the_others(user_client, upload, sample_files):
    a = (await user_client.post("/api/notebooks", json={"title": "a"})).json()
    b = (await user_client.post("/api/notebooks", json={"title": "b"})).json()
    mb = (await upload(user_client, b["id"], "b.csv", sample_files.csv())).json()
    await user_client.delete(f"/api/notebooks/{a['id']}")
    assert (await user_client.get(f"/api/materials/{mb['id']}/raw")).content == sample_files.csv()


async def test_unknown_notebook_id_is_404(user_client):
    for nb_id in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", "..%2F..%2Fetc"):
        assert (await user_client.get(f"/api/notebooks/{nb_id}")).status_code == 404
