"""An answer's markdown image from another origin is never loaded (issue 15):
the model's answer embeds an image on an outside listener (as an answer
quoting a document could, with the quote in the URL); in Chromium the listener
gets no request, and the answer shows a link instead of the image."""

from __future__ import annotations

import http.server
import threading
from pathlib import Path

import pytest
from helpers import RequestLog, ask, new_context, open_notebook_with, screenshot
from live_server import scripted_env, serve, write_llm_script
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(not (ROOT / "pyodide_bundle" / "dist" / "manifest.json").exists(),
                                reason="pyodide_bundle/dist is not built: bash pyodide_bundle/build.sh")


@pytest.fixture
def outside_listener():
    """An HTTP server on another port that records every request it gets."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()
    server.server_close()


def test_an_external_image_in_an_answer_is_not_loaded(browser, request, tmp_path, outside_listener):
    outside, hits = outside_listener
    answer = f"Here is the figure:\n\n![secret figure]({outside}/leak.png?q=quoted+text)\n\nDone."
    script = write_llm_script(tmp_path / "script.json", {"general_chat": [answer], "general": [answer]})
    with serve(request, tmp_path / "data", scripted_env(script)) as server:
        requests = RequestLog()
        context = new_context(browser, requests)
        page = context.new_page()
        try:
            open_notebook_with(page, server.url, "Images")
            turn = ask(page, "Hello, show me a figure")
            blocked = turn.body.get_by_test_id("blocked-image")
            expect(blocked).to_have_text("secret figure (external image not loaded)")
            expect(blocked).to_have_attribute("href", f"{outside}/leak.png?q=quoted+text")
            expect(turn.body.locator("img")).to_have_count(0)
            screenshot(page, "answer-external-image-blocked", turn.message)
            page.wait_for_timeout(500)
            assert hits == []
            assert not [u for u in requests.urls if u.startswith(outside)]
        finally:
            context.close()
