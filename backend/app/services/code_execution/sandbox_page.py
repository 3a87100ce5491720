"""The sandbox document the Python worker lives in (GET /api/runtime/sandbox).

Generated code is untrusted: a dataset or document with injected instructions
can make the model write code that tries to act as the user. So the worker does
not run on the app's origin. The page embeds this document as
`<iframe sandbox="allow-scripts">` (see frontend/src/runtime/sandboxHost.js);
the response's own CSP repeats the sandbox, so the document is an opaque origin
even when opened some other way. An opaque origin has no cookies and no
storage; the CSP below gives it no network either:

- `connect-src 'none'`: no fetch / XHR / WebSocket / EventSource / beacon to any
  origin, the app's API included. The runtime's files reach the worker as bytes
  the page fetched (its HTTP cache, first-party partition) and transferred.
- `script-src` only this document's relay (by hash) and `blob:` (the worker and
  the scripts the page handed over): no importScripts of a URL. `'unsafe-eval'`
  because Pyodide needs it; it adds nothing that `js` does not already give.
- `frame-ancestors 'self'`: only the app can embed it; `default-src 'none'`,
  `form-action 'none'`, `base-uri 'none'`: nothing else loads or navigates.

The relay and the worker bootstrap are in sandbox_host.html beside this file.
Security-headers middleware (core) uses setdefault semantics, so these headers
win over the app-wide defaults.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

SANDBOX_PATH = "/api/runtime/sandbox"
HOST_FILE = Path(__file__).with_name("sandbox_host.html")


@lru_cache(maxsize=1)
def sandbox_html() -> str:
    return HOST_FILE.read_text(encoding="utf-8")


def _inline_script_hashes(html: str) -> list[str]:
    """CSP hashes of the document's executable inline scripts (not text/plain ones)."""
    hashes = []
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        if "text/plain" in attrs:
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        hashes.append(f"'sha256-{digest}'")
    return hashes


def sandbox_csp() -> str:
    # 'unsafe-eval': Pyodide builds JS functions from strings; inside the sandbox
    # that is no extra power (generated code can run any JS through `js` anyway).
    scripts = " ".join([*_inline_script_hashes(sandbox_html()), "blob:", "'unsafe-eval'", "'wasm-unsafe-eval'"])
    return "; ".join([
        "default-src 'none'",
        f"script-src {scripts}",
        "worker-src blob:",
        "connect-src 'none'",
        "frame-ancestors 'self'",
        "form-action 'none'",
        "base-uri 'none'",
        "sandbox allow-scripts",
    ])


def sandbox_headers() -> dict[str, str]:
    return {
        "Content-Security-Policy": sandbox_csp(),
        "Cache-Control": "no-cache",
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Permissions-Policy": "camera=(), microphone=(), geolocation=(), usb=(), serial=(), "
                              "payment=(), clipboard-read=(), clipboard-write=()",
    }
