"""Partial files of killed uploads, podcasts and generated-file saves are removed
at start-up and when their podcast or notebook is deleted (issue 15)."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from app.main import create_app
from app.models import Podcast
from app.services.leftovers import sweep_partial_files


def _write(path, data=b"x", age: float = 0):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if age:
        past = time.time() - age
        os.utime(path, (past, past))
        if path.parent.name.startswith("."):
            os.utime(path.parent, (past, past))
    return path


def _podcast_work(settings, podcast_id: str, age: float = 0):
    work = settings.podcasts_output_path / f".{podcast_id}-k3x_9q2a"
    _write(work / "chunk-0000.wav", b"RIFF", age)
    _write(work / "chunk-0001.wav", b"RIFF", age)
    return work


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
async def test_start_up_removes_what_a_killed_process_left_and_nothing_else(settings):
    user_dir = settings.generated_output_path / "u1" / "s1"
    partials = [
        _write(settings.upload_tmp_path / "upload-0123abcd.part", age=5),
        _write(user_dir / ".report.csv.part", age=5),
    ]
    work = _podcast_work(settings, str(uuid.uuid4()), age=5)
    kept = [
        _write(user_dir / "report.csv"),
        _write(settings.podcasts_output_path / f"{uuid.uuid4()}.mp3"),
        _write(settings.materials_path / "nb" / "m.pdf"),
        _write(settings.upload_tmp_path / "notes.txt"),  # not a name this app writes partials under
    ]
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        assert not any(p.exists() for p in partials)
        assert not work.exists()
        assert all(p.exists() for p in kept)


@pytest.mark.parametrize("db_backend", ["sqlite"], indirect=True)
def test_with_shared_storage_only_files_untouched_for_the_grace_period_go(settings):
    now = time.time()
    old = _write(settings.upload_tmp_path / "upload-old.part", age=700)
    live = _write(settings.upload_tmp_path / "upload-live.part", age=100)  # another replica is writing it
    old_work = _podcast_work(settings, str(uuid.uuid4()), age=700)
    live_work = _podcast_work(settings, str(uuid.uuid4()), age=700)
    _write(live_work / "chunk-0002.wav", b"RIFF")  # the job just added a chunk
    removed = sweep_partial_files(settings, started_at=now, grace=600)
    assert set(removed) == {old, old_work}
    assert live.exists() and live_work.exists()


async def _podcast(db, client, notebook, status="failed") -> Podcast:
    row = Podcast(user_id=client.user["id"], notebook_id=notebook["id"], title="p", status=status)
    db.add(row)
    await db.commit()
    return row


async def test_deleting_a_podcast_removes_its_chunks(user_client, notebook, db, settings):
    mine = await _podcast(db, user_client, notebook)
    other = await _podcast(db, user_client, notebook)
    work, other_work = _podcast_work(settings, mine.id), _podcast_work(settings, other.id)
    assert (await user_client.delete(f"/api/podcasts/{mine.id}")).status_code == 204
    assert not work.exists()
    assert other_work.exists()


async def test_deleting_a_notebook_removes_its_podcasts_chunks(user_client, notebook, db, settings):
    row = await _podcast(db, user_client, notebook)
    work = _podcast_work(settings, row.id)
    assert (await user_client.delete(f"/api/notebooks/{notebook['id']}")).status_code == 204
    assert not work.exists()
