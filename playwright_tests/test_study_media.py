"""Podcast and slides end to end in Debian's Chromium against a real server
(uvicorn + SQLite in a temp DATA_DIR, offline model, the built SPA).

Needs frontend/dist (npm run build). Uses `live_server.py` from this folder
when it exists (shared with the other study tests), else starts its own.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
MATERIAL = ROOT / "backend" / "tests" / "media" / "photosynthesis.txt"
SECTION_TITLES = ["Photosynthesis", "Light Reactions", "The Calvin Cycle"]

pytestmark = pytest.mark.skipif(
    not (ROOT / "frontend" / "dist" / "index.html").exists(), reason="frontend/dist is not built: npm run build"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory):
    """A uvicorn serving the app on 127.0.0.1 with its own DATA_DIR."""
    data = tmp_path_factory.mktemp("media-e2e")
    port = _free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data),
        "DATABASE_URL": "",
        "LLM_PROVIDER": "offline",
        "PYTHONPATH": str(ROOT / "backend"),
    }
    with open(data / "server.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "app.main:create_app", "--host", "127.0.0.1",
             "--port", str(port), "--log-level", "warning"],
            cwd=ROOT / "backend", env=env, stdout=subprocess.DEVNULL, stderr=log,
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/auth/me", timeout=2)
        except urllib.error.HTTPError:
            break  # 401: the app is up
        except OSError:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError((data / "server.log").read_text()) from None
            time.sleep(0.3)
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def notebook_page(base_url, page):
    """A signed-in page on a notebook holding the photosynthesis material."""
    api = page.context.request
    email = f"media-{uuid.uuid4().hex[:8]}@example.com"
    assert api.post(f"{base_url}/api/auth/register",
                    data={"email": email, "password": "correct horse battery staple"}).status == 201
    notebook = api.post(f"{base_url}/api/notebooks", data={"title": "Biology"}).json()
    upload = api.post(
        f"{base_url}/api/notebooks/{notebook['id']}/materials",
        multipart={"file": {"name": "photosynthesis.txt", "mimeType": "text/plain", "buffer": MATERIAL.read_bytes()}},
    )
    assert upload.status == 201, upload.text()
    page.goto(f"{base_url}/notebooks/{notebook['id']}")
    return page


def test_generate_play_and_download_a_podcast(notebook_page, tmp_path):
    page = notebook_page
    page.get_by_test_id("tab-podcast").click()
    expect(page.get_by_test_id("podcast-materials")).to_contain_text("photosynthesis.txt")
    page.get_by_test_id("podcast-generate").click()

    episode = page.get_by_test_id("podcast-episode").first
    expect(episode).to_have_attribute("data-status", "ready", timeout=90_000)
    expect(episode.get_by_test_id("podcast-status")).to_contain_text("Ready")

    audio = episode.get_by_test_id("podcast-audio")
    expect(audio).to_be_visible()
    # The browser itself loads and decodes the stream: a real duration, not NaN.
    page.wait_for_function(
        "el => el.readyState >= 1 && el.duration > 10", arg=audio.element_handle(), timeout=30_000
    )

    transcript = episode.get_by_test_id("podcast-transcript")
    expect(transcript).to_contain_text("Welcome to the KeplerLab study podcast")
    speakers = set(episode.get_by_test_id("podcast-speaker").all_inner_texts())
    assert speakers == {"Alex:", "Sam:"}

    with page.expect_download() as info:
        episode.get_by_test_id("podcast-download").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".mp3"
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=format_name,duration",
                          "-of", "default=nw=1", str(saved)], capture_output=True, text=True, check=True).stdout
    assert "format_name=mp3" in out
    assert float(out.split("duration=")[1].split()[0]) > 10


def test_progress_bar_shows_while_generating(notebook_page):
    page = notebook_page
    page.get_by_test_id("tab-podcast").click()
    page.get_by_test_id("podcast-generate").click()
    episode = page.get_by_test_id("podcast-episode").first
    # Either the bar is caught mid-way or the episode already finished; both end ready.
    expect(episode.get_by_test_id("podcast-progress").or_(episode.get_by_test_id("podcast-audio"))).to_be_visible()
    expect(episode).to_have_attribute("data-status", "ready", timeout=90_000)
    expect(episode.get_by_test_id("podcast-progress")).to_have_count(0)


def test_an_episode_started_while_the_list_loads_is_kept(notebook_page, base_url):
    """The opening list answering after the create did made the new episode vanish
    ("No episodes yet.", seen in CI). Here the list is held until the create is done."""
    page = notebook_page
    notebook_id = page.url.rsplit("/", 1)[1]
    older = page.context.request.post(f"{base_url}/api/notebooks/{notebook_id}/podcasts", data={"title": "Older"})
    assert older.status == 202, older.text()

    held = []

    def hold_list(route):
        if route.request.method != "GET":
            return route.continue_()
        held.append((route, route.fetch()))  # the server's answer now, delivered late

    page.route(f"**/api/notebooks/{notebook_id}/podcasts", hold_list)
    page.get_by_test_id("tab-podcast").click()
    page.get_by_test_id("podcast-generate").click()
    episodes = page.get_by_test_id("podcast-episode")
    expect(episodes).to_have_count(1)
    assert len(held) == 1
    route, response = held[0]
    route.fulfill(response=response)
    expect(episodes).to_have_count(2)
    expect(episodes.first).to_have_attribute("data-status", "ready", timeout=90_000)


def test_generate_outline_and_download_slides(notebook_page, tmp_path):
    from pptx import Presentation

    page = notebook_page
    page.get_by_test_id("tab-slides").click()
    expect(page.get_by_test_id("slides-materials")).to_contain_text("photosynthesis.txt")
    page.get_by_test_id("slides-generate").click()

    outline = page.get_by_test_id("slides-outline")
    expect(outline).to_be_visible(timeout=60_000)
    titles = outline.get_by_test_id("slides-slide-title").all_inner_texts()
    assert titles == ["Photosynthesis", "Agenda", *SECTION_TITLES, "Summary"]
    expect(outline).to_contain_text("Chlorophyll absorbs red and blue light")
    expect(page.get_by_test_id("slides-deck")).to_have_count(1)

    with page.expect_download() as info:
        page.get_by_test_id("slides-download").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    deck = Presentation(io.BytesIO(saved.read_bytes()))
    assert [s.shapes.title.text for s in deck.slides] == titles
