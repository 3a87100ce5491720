"""A small same-origin static server for the runtime harness, its tests and
its benchmark: the bundle at /pyodide/, the runtime sources at /runtime/, the
harness page at /harness/ and, optionally, a folder of test files at /files/.

Every response carries the long-lived cache header the real backend sends for
/pyodide/, so a second page load is served from the browser's HTTP cache.

    python pyodide_bundle/harness/static_server.py [--port 8765]
"""

from __future__ import annotations

import argparse
import mimetypes
import os
import sys
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "backend"))

from app.services.code_execution.sandbox_page import SANDBOX_PATH, sandbox_headers, sandbox_html  # noqa: E402

CACHE_CONTROL = "public, max-age=31536000, immutable"

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")


def bundle_dir() -> Path:
    """The bundle served at /pyodide/: PYODIDE_BUNDLE_DIR (as for the backend) or pyodide_bundle/dist."""
    return Path(os.environ.get("PYODIDE_BUNDLE_DIR") or ROOT / "pyodide_bundle" / "dist")


def default_routes(files_dir: Path | None = None) -> dict[str, Path]:
    routes = {
        "/pyodide/": bundle_dir(),
        "/runtime/": ROOT / "frontend" / "src" / "runtime",
        "/harness/": ROOT / "pyodide_bundle" / "harness",
    }
    if files_dir is not None:
        routes["/files/"] = Path(files_dir)
    return routes


class RoutedHandler(SimpleHTTPRequestHandler):
    routes: dict[str, Path] = {}
    precompressed = True  # False: a plain static server (tests the worker's fallback)

    def translate_path(self, path: str) -> str:
        path = unquote(urlsplit(path).path)
        for prefix, folder in self.routes.items():
            if path.startswith(prefix):
                rel = Path(path[len(prefix):])
                if ".." in rel.parts:
                    break
                return str(folder / rel)
        return str(ROOT / "__not_served__")

    def send_head(self):
        """A missing `name` with a `name.gz` beside it is sent gzip-encoded, as the
        backend does (nginx's gzip_static)."""
        path = Path(self.translate_path(self.path))
        gz = path.with_name(path.name + ".gz")
        if (not self.precompressed or path.exists() or not gz.is_file()
                or "gzip" not in self.headers.get("Accept-Encoding", "")):
            return super().send_head()
        f = gz.open("rb")
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(path.name)[0] or "application/octet-stream")
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(os.fstat(f.fileno()).st_size))
        self.end_headers()
        return f

    def do_GET(self) -> None:
        if urlsplit(self.path).path == SANDBOX_PATH:  # the Python sandbox page, as the backend serves it
            self._send_sandbox()
            return
        f = self.send_head()
        if f:
            try:
                self.copyfile(f, self.wfile)
                self.server.served.append((urlsplit(self.path).path, os.fstat(f.fileno()).st_size))
            finally:
                f.close()

    def _send_sandbox(self) -> None:
        body = sandbox_html().encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, value in sandbox_headers().items():
            self.send_header(name, value)
        SimpleHTTPRequestHandler.end_headers(self)  # its own Cache-Control
        self.wfile.write(body)
        self.server.served.append((SANDBOX_PATH, len(body)))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", CACHE_CONTROL)
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # quiet
        pass


class StaticServer:
    """`with StaticServer() as srv: srv.url('/harness/index.html')`"""

    def __init__(self, routes: dict[str, Path] | None = None, port: int = 0, precompressed: bool = True):
        handler = type("Handler", (RoutedHandler,),
                       {"routes": routes or default_routes(), "precompressed": precompressed})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), partial(handler))
        self.httpd.daemon_threads = True
        self.httpd.served = []  # (path, bytes) of every file sent, in order
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def served(self) -> list[tuple[str, int]]:
        return self.httpd.served

    def url(self, path: str) -> str:
        return self.base_url + path

    def __enter__(self) -> StaticServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Serve the runtime harness on 127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with StaticServer(port=args.port) as srv:
        print(f"harness: {srv.url('/harness/index.html')}", flush=True)
        srv.thread.join()
