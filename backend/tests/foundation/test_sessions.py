"""Chat sessions: create/list per notebook, messages, delete, ownership."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.models import GeneratedFile, Message


async def test_create_and_list_sessions(user_client, notebook):
    nb = notebook["id"]
    first = await user_client.post(f"/api/notebooks/{nb}/sessions", json={"title": "Revision"})
    assert first.status_code == 201
    assert first.json()["title"] == "Revision"
    assert first.json()["notebook_id"] == nb
    second = await user_client.post(f"/api/notebooks/{nb}/sessions")  # no body: default title
    assert second.status_code == 201
    assert second.json()["title"] == "New chat"
    listed = (await user_client.get(f"/api/notebooks/{nb}/sessions")).json()
    assert {s["id"] for s in listed} == {first.json()["id"], second.json()["id"]}
    assert set(listed[0]) == {"id", "notebook_id", "title", "created_at"}


async def test_messages_are_listed_oldest_first_with_agent_fields(user_client, notebook, db):
    session = (await user_client.post(f"/api/notebooks/{notebook['id']}/sessions")).json()
    now = datetime.now(UTC)
    db.add_all(
        [
            Message(
                session_id=session["id"],
                role="assistant",
                content="Here is the chart.",
                agent_metadata={"intent": "DATA_ANALYSIS"},
                step_log=[{"tool": "python", "status": "success"}],
                generated_files=[{"filename": "chart.png", "size": 10}],
                created_at=now + timedelta(seconds=1),
            ),
            Message(session_id=session["id"], role="user", content="Plot sales", created_at=now),
        ]
    )
    await db.commit()
    response = await user_client.get(f"/api/sessions/{session['id']}/messages")
    assert response.status_code == 200
    messages = response.json()
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["agent_metadata"] == {} and messages[0]["step_log"] == []
    assert messages[1]["agent_metadata"] == {"intent": "DATA_ANALYSIS"}
    assert messages[1]["step_log"] == [{"tool": "python", "status": "success"}]
    assert messages[1]["generated_files"] == [{"filename": "chart.png", "size": 10}]
    assert messages[1]["created_at"].endswith("Z") or "+00:00" in messages[1]["created_at"]


async def test_delete_session_removes_messages_and_generated_files(user_client, notebook, db, settings):
    session = (await user_client.post(f"/api/notebooks/{notebook['id']}/sessions")).json()
    out_dir = settings.generated_output_path / user_client.user["id"] / session["id"]
    out_dir.mkdir(parents=True)
    (out_dir / "r.csv").write_text("a\n1\n")
    db.add(Message(session_id=session["id"], role="user", content="x"))
    db.add(
        GeneratedFile(
            user_id=user_client.user["id"],
            session_id=session["id"],
            filename="r.csv",
            storage_path=str(out_dir / "r.csv"),
        )
    )
    await db.commit()
    assert (await user_client.delete(f"/api/sessions/{session['id']}")).status_code == 204
    assert (await user_client.get(f"/api/sessions/{session['id']}/messages")).status_code == 404
    assert not out_dir.exists()
    assert (await user_client.get(f"/api/notebooks/{notebook['id']}")).status_code == 200


async def test_other_users_session_is_404(user_client, other_client, notebook):
    session = (await user_client.post(f"/api/notebooks/{notebook['id']}/sessions")).json()
    for method, path in [
        ("GET", f"/api/sessions/{session['id']}"),
        ("GET", f"/api/sessions/{session['id']}/messages"),
        ("DELETE", f"/api/sessions/{session['id']}"),
    ]:
        response = await other_client.request(method, path)
        assert response.status_code == 404
        assert response.json()["detail"] == "Chat session not found"
    assert (await user_client.get(f"/api/sessions/{session['id']}/messages")).status_code == 200


async def test_session_title_too_long_is_422(user_client, notebook):
    response = await user_client.post(f"/api/notebooks/{notebook['id']}/sessions", json={"title": "x" * 300})
    assert response.status_code == 422
