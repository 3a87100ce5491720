"""Partial files a killed process leaves behind, removed at start-up and on delete.

What a kill mid-write leaves (all under DATA_DIR):
    tmp/upload-<uuid>.part                       an upload being received
    output/podcasts/.<podcast id>-<random>/      a podcast's chunk-*.wav, joined.wav, encoded.*
    output/generated/<user>/<session>/.<name>.part  a browser-run file being saved

At start-up the ones last written before this process started are removed. When
other processes may share DATA_DIR (PostgreSQL: replicas and job workers), only
those untouched for `grace` seconds more: a live write touches its file all the
time (uploads stream, podcasts add a chunk every few seconds), so a file that
old belongs to no running request or job.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

from app.core.config import Settings

log = logging.getLogger("keplerlab.leftovers")

_PODCAST_WORK = re.compile(r"^\.(?P<id>[A-Za-z0-9_-]+)-[A-Za-z0-9_]+$")


def _last_write(path: Path) -> float:
    """The newest mtime of `path` and, for a directory, of what is directly in it."""
    newest = path.stat().st_mtime
    if path.is_dir():
        for child in path.iterdir():
            newest = max(newest, child.stat().st_mtime)
    return newest


def _partials(settings: Settings) -> list[Path]:
    found = list(settings.upload_tmp_path.glob("upload-*.part"))
    if settings.podcasts_output_path.is_dir():
        found += [p for p in settings.podcasts_output_path.iterdir() if p.is_dir() and _PODCAST_WORK.match(p.name)]
    found += list(settings.generated_output_path.glob("*/*/.*.part"))
    return found


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def sweep_partial_files(settings: Settings, started_at: float, grace: float = 0) -> list[Path]:
    """Remove partial files last written before `started_at - grace`; returns them."""
    cutoff = started_at - grace
    removed = []
    for path in _partials(settings):
        try:
            if _last_write(path) < cutoff:
                _remove(path)
                removed.append(path)
        except FileNotFoundError:  # finished (renamed away) meanwhile
            continue
    if removed:
        log.info("removed %d partial file(s) left by an earlier process", len(removed))
    return removed


def remove_podcast_work(settings: Settings, podcast_id: str) -> None:
    """A deleted podcast's synthesis folders (chunk-*.wav), if a killed job left any."""
    root = settings.podcasts_output_path
    if not root.is_dir():
        return
    for path in root.iterdir():
        match = _PODCAST_WORK.match(path.name)
        if match and match["id"] == podcast_id and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)

