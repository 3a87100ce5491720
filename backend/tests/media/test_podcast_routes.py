"""Podcast API: background generation with progress, streaming, signed download, ownership, failure."""

from __future__ import annotations

from pathlib import Path

from app.services.study.podcast_audio import HOST_VOICES, VoiceProfile
from tests.media.audio_checks import probe


async def _generate(client, notebook_id: str, **body) -> dict:
    response = await client.post(f"/api/notebooks/{notebook_id}/podcasts", json=body)
    assert response.status_code == 202, response.text
    return response.json()


async def test_generation_runs_in_the_background_and_ends_ready(user_client, notebook, material, wait_for_podcast):
    started = await _generate(user_client, notebook["id"], material_ids=[material["id"]])
    assert started["status"] == "pending" and started["audio_url"] is None

    podcast = await wait_for_podcast(user_client, started["id"])
    assert podcast["status"] == "ready", podcast["error"]
    assert podcast["progress"] == 1.0
    seen = podcast["_progress_seen"]
    assert seen == sorted(seen)
    assert podcast["material_ids"] == [material["id"]]
    assert 15 < podcast["duration_s"] < 90


async def test_the_script_has_speaker_labels_and_voice_metadata(user_client, notebook, material, wait_for_podcast):
    podcast = await wait_for_podcast(user_client, (await _generate(user_client, notebook["id"]))["id"])
    turns = podcast["script"]["turns"]
    assert {(t["speaker"], t["name"]) for t in turns} == {("A", "Alex"), ("B", "Sam")}
    assert podcast["title"] == "Photosynthesis"
    chunks = podcast["chunks"]
    assert [c["speaker"] for c in chunks] == [t["speaker"] for t in turns]
    assert {c["voice"] for c in chunks} == {HOST_VOICES["A"].voice, HOST_VOICES["B"].voice}


async def test_audio_streams_inline_with_range_support(user_client, notebook, material, wait_for_podcast, settings):
    podcast = await wait_for_podcast(user_client, (await _generate(user_client, notebook["id"]))["id"])
    response = await user_client.get(podcast["audio_url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.headers["content-disposition"].startswith("inline")
    saved = settings.podcasts_output_path / f"{podcast['id']}.mp3"
    assert response.content == saved.read_bytes()
    assert probe(saved)["format"]["format_name"] == "mp3"

    part = await user_client.get(podcast["audio_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert len(part.content) == 100


async def test_download_needs_the_signed_link(user_client, client, notebook, material, wait_for_podcast):
    podcast = await wait_for_podcast(user_client, (await _generate(user_client, notebook["id"]))["id"])
    response = await client.get(podcast["download_url"])  # a signed link works without the cookie
    assert response.status_code == 200
    assert response.headers["content-disposition"].startswith("attachment")
    assert response.headers["content-type"] == "audio/mpeg"
    assert response.content[:3] == b"ID3" or response.content[0] == 0xFF

    tampered = podcast["download_url"][:-3] + "abc"
    assert (await client.get(tampered)).status_code == 403
    assert (await client.get(f"/api/podcasts/{podcast['id']}/download?token=x")).status_code == 403


async def test_another_users_podcast_is_not_found(user_client, other_client, notebook, material, wait_for_podcast):
    podcast = await wait_for_podcast(user_client, (await _generate(user_client, notebook["id"]))["id"])
    for method, url in [
        ("GET", f"/api/podcasts/{podcast['id']}"),
        ("GET", f"/api/podcasts/{podcast['id']}/audio"),
        ("DELETE", f"/api/podcasts/{podcast['id']}"),
        ("GET", f"/api/notebooks/{notebook['id']}/podcasts"),
        ("POST", f"/api/notebooks/{notebook['id']}/podcasts"),
    ]:
        response = await other_client.request(method, url, json={} if method == "POST" else None)
        assert response.status_code == 404, (method, url)


async def test_a_material_of_another_notebook_is_not_found(user_client, notebook, material):
    other = (await user_client.post("/api/notebooks", json={"title": "Other"})).json()
    response = await user_client.post(f"/api/notebooks/{other['id']}/podcasts", json={"material_ids": [material["id"]]})
    assert response.status_code == 404


async def test_a_failing_chunk_fails_the_podcast_and_leaves_nothing(
    user_client, notebook, material, wait_for_podcast, settings, monkeypatch
):
    monkeypatch.setitem(HOST_VOICES, "B", VoiceProfile(voice="nonexistent-voice", pitch=50, speed=170))
    podcast = await wait_for_podcast(user_client, (await _generate(user_client, notebook["id"]))["id"])
    assert podcast["status"] == "failed"
    assert podcast["error"].startswith("chunk 2 of ")
    assert "(host B): espeak-ng failed" in podcast["error"]
    assert podcast["audio_url"] is None and podcast["download_url"] is None

    listed = (await user_client.get(f"/api/notebooks/{notebook['id']}/podcasts")).json()
    assert [p["status"] for p in listed] == ["failed"]
    assert list(Path(settings.podcasts_output_path).iterdir()) == []
    assert (await user_client.get(f"/api/podcasts/{podcast['id']}/audio")).status_code == 409


async def test_delete_removes_the_row_and_the_file(user_client, notebook, material, wait_for_podcast, settings):
    podcast = await wait_for_podcast(user_client, (await _generate(user_client, notebook["id"]))["id"])
    saved = settings.podcasts_output_path / f"{podcast['id']}.mp3"
    assert saved.is_file()
    assert (await user_client.delete(f"/api/podcasts/{podcast['id']}")).status_code == 204
    assert not saved.exists()
    assert (await user_client.get(f"/api/podcasts/{podcast['id']}")).status_code == 404
    assert (await user_client.get(f"/api/notebooks/{notebook['id']}/podcasts")).json() == []
