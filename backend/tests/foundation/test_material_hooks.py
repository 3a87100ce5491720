"""Other services hear about materials through app.services.materials.hooks."""

from __future__ import annotations

from app.services.materials import hooks


async def test_ready_and_deleted_hooks_fire_after_commit(user_client, notebook, upload, sample_files, db):
    seen: list[tuple[str, str, str]] = []

    async def on_ready(material, settings):
        seen.append(("ready", material.id, material.workspace_name))

    async def on_deleted(material, settings):
        seen.append(("deleted", material.id, material.workspace_name))

    hooks.on_material_ready(on_ready)
    hooks.on_material_deleted(on_deleted)
    a = (await upload(user_client, notebook["id"], "a.csv", sample_files.csv())).json()
    b = (await upload(user_client, notebook["id"], "b.txt", sample_files.txt())).json()
    await user_client.delete(f"/api/materials/{a['id']}")
    await user_client.delete(f"/api/notebooks/{notebook['id']}")
    assert seen == [
        ("ready", a["id"], "a.csv"),
        ("ready", b["id"], "b.txt"),
        ("deleted", a["id"], "a.csv"),
        ("deleted", b["id"], "b.txt"),
    ]


async def test_a_failing_hook_does_not_undo_the_upload(user_client, notebook, upload, sample_files):
    async def broken(material, settings):
        raise RuntimeError("index down")

    hooks.on_material_ready(broken)
    response = await upload(user_client, notebook["id"], "a.csv", sample_files.csv())
    assert response.status_code == 201
    assert (await user_client.get(f"/api/materials/{response.json()['id']}")).status_code == 200


async def test_refused_upload_fires_no_hook(user_client, notebook, upload):
    seen = []

    async def on_ready(material, settings):
        seen.append(material.id)

    hooks.on_material_ready(on_ready)
    assert (await upload(user_client, notebook["id"], "x.pdf", b"%PDF-1.4 broken")).status_code == 422
    assert seen == []
