"""The sandbox in the real app (issue 11): uvicorn + the built SPA + a scripted
model whose generated code tries to escape; Stop during a running turn; a
second chat on a warm kernel. Chromium, everything on 127.0.0.1.

Needs a built SPA (KEPLER_FRONTEND_DIST, default frontend/dist) and the bundle.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from helpers import ask, finished_messages, new_context, open_notebook_with
from live_server import scripted_env, serve, write_llm_script
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "playwright_tests" / "artifacts"
FRONTEND = Path(os.environ.get("KEPLER_FRONTEND_DIST", ROOT / "frontend" / "dist"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (FRONTEND / "index.html").exists(), reason="the SPA is not built"),
    pytest.mark.skipif(not (ROOT / "pyodide_bundle" / "dist" / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built"),
]

SALES = "region,units\nNorth,12\nSouth,7\nEast,20\n"

ESCAPE = r'''
import json, js
API, OTHER = "/api/auth/me", "http://127.0.0.1:{port}/steal"
out = {{}}
def attempt(name, fn):
    try:
        out[name] = "ALLOWED " + str(fn())[:80]
    except BaseException as e:
        out[name] = "blocked " + type(e).__name__
def xhr(url):
    x = js.XMLHttpRequest.new(); x.open("GET", url, False); x.send(); return x.status
def open_url(url):
    import pyodide
    return pyodide.open_url(url).read()
attempt("sync XHR API", lambda: xhr(API))
attempt("sync XHR other origin", lambda: xhr(OTHER))
attempt("open_url API", lambda: open_url(API))
attempt("open_url other origin", lambda: open_url(OTHER))
attempt("fetch API", lambda: js.fetch(API, js.Object.fromEntries([["credentials", "include"]])).then(None, None) and "sent")
attempt("importScripts", lambda: js.importScripts(OTHER + ".js"))
attempt("WebSocket", lambda: js.WebSocket.new("ws://127.0.0.1:{port}/"))
attempt("IndexedDB", lambda: js.indexedDB.open("x"))
attempt("document.cookie", lambda: js.document.cookie)
attempt("top navigation", lambda: js.eval("top.location = '/api/notebooks'"))
print("PROBE " + json.dumps(out, sort_keys=True))
'''

LONG = "import time\nfor i in range(100000):\n    print('step', i, flush=True)\n    time.sleep(0.2)\n"


class Listener:
    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.stop = True
    lst.thread.join(timeout=2)
    lst.sock.close()


@pytest.fixture(scope="module")
def app_server(request, tmp_path_factory, listener):
    data = tmp_path_factory.mktemp("sandbox-app")
    fence = lambda code: f"```python\n{code}```"  # noqa: E731
    script = write_llm_script(data / "script.json", {"code_generation": [
        fence(ESCAPE.format(port=listener.port)), fence(LONG)]})
    # the default profile (Pyodide 0.27.7), isolated like every profile
    env = scripted_env(script, CODE_EXECUTION_TIMEOUT=120, FRONTEND_DIST_DIR=str(FRONTEND))
    with serve(request, data, env) as server:
        yield server


@pytest.fixture(scope="module")
def app_page(browser, app_server, tmp_path_factory):
    csv = tmp_path_factory.mktemp("m") / "sales.csv"
    csv.write_text(SALES)
    context = new_context(browser)
    page = context.new_page()
    sandbox_loads: list[str] = []
    page.on("request", lambda r: sandbox_loads.append(r.url) if "/api/runtime/sandbox" in r.url else None)
    open_notebook_with(page, app_server.url, "Sandbox", csv)
    yield page, sandbox_loads
    context.close()


def test_generated_code_in_the_app_cannot_get_out(app_page, listener):
    page, _ = app_page
    turn = ask(page, "run my simulation of the sales")
    block = turn.expand()
    stdout = block.get_by_test_id("step-stdout").last.inner_text()
    line = next(ln for ln in stdout.splitlines() if ln.startswith("PROBE "))
    results = json.loads(line[len("PROBE "):])
    # fetch and WebSocket fail asynchronously (CSP): what counts is that nothing arrives
    allowed = {k: v for k, v in results.items() if v.startswith("ALLOWED") and k not in ("fetch API", "WebSocket")}
    assert allowed == {}, results
    time.sleep(1)
    assert listener.hits == 0
    # the session is unharmed: the user is still signed in, the notebook still there
    assert page.evaluate("fetch('/api/auth/me').then(r => r.status)") == 200
    expect(page.get_by_test_id("notebook-title")).to_have_text("Sandbox")


def test_stop_ends_a_running_turn_and_the_next_message_works(app_page):
    page, _ = app_page
    done = finished_messages(page)
    before = done.count()
    page.get_by_test_id("chat-input").fill("run my long simulation of the sales")
    page.get_by_test_id("chat-send").click()
    page.wait_for_function("""() => [...window.__keplerRuntimes.values()].some(
        (rt) => rt.running && (rt._pending.get(rt._current)?.stdout || '').includes('step 3'))""", timeout=120_000)
    stop = page.get_by_test_id("chat-stop")  # the Send button is a Stop button while the turn runs
    expect(stop).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "stop-button-running.png"))
    stop.click()
    expect(done).to_have_count(before + 1, timeout=60_000)
    page.screenshot(path=str(ARTIFACTS / "stop-button-stopped.png"))
    expect(page.get_by_test_id("chat-send")).to_be_visible()
    message = done.nth(before)
    expect(message).to_contain_text("Stopped", timeout=30_000)
    expect(page.get_by_test_id("thinking-bar")).to_have_count(0, timeout=30_000)
    expect(page.get_by_test_id("runtime-status")).to_have_attribute("data-status", "ready", timeout=120_000)
    again = ask(page, "make a bar chart of units by region")
    step = again.expand().get_by_test_id("action-step").last
    expect(step).to_have_attribute("data-status", "success")


def test_a_second_chat_starts_on_the_warm_kernel(app_page):
    page, sandbox_loads = app_page
    loads = len(sandbox_loads)
    page.get_by_test_id("session-new").click()
    t0 = time.monotonic()
    expect(page.get_by_test_id("runtime-status")).to_have_attribute("data-status", "ready", timeout=30_000)
    assert time.monotonic() - t0 < 5
    assert len(sandbox_loads) == loads  # no new worker was booted
    expect(finished_messages(page)).to_have_count(0, timeout=15_000)  # the new chat is on screen
    turn = ask(page, "make a bar chart of units by region")
    step = turn.expand().get_by_test_id("action-step").last
    expect(step).to_have_attribute("data-status", "success")
