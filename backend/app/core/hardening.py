"""Request hardening middleware: security headers and cross-origin (CSRF) refusal.

- Security headers on every response, with setdefault semantics: a route that
  sets its own Content-Security-Policy (the sandbox iframe page, /docs) keeps it.
- CSRF: a state-changing request (POST/PUT/PATCH/DELETE) that a browser sent
  from another origin is refused with 403, judged by `Sec-Fetch-Site` (modern
  browsers) or else `Origin` against the request's own host. Requests with
  `Authorization: Bearer` are exempt (a cross-site page cannot attach one), and
  so are non-browser clients that send neither header.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; "
    "frame-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "referrer-policy": "same-origin",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _frames_itself(headers: MutableHeaders) -> bool:
    return "frame-ancestors 'self'" in headers.get("content-security-policy", "")


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name == "x-frame-options" and _frames_itself(headers):
                        headers.setdefault(name, "SAMEORIGIN")
                    elif name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cross_origin_refusal(scope: Scope) -> str | None:
    """Why this request must be refused as cross-origin, else None."""
    if scope.get("method", "GET") not in UNSAFE_METHODS:
        return None
    headers = Headers(scope=scope)
    scheme, _, _ = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return None
    site = headers.get("sec-fetch-site")
    if site is not None:
        return None if site in ("same-origin", "none") else f"cross-site request refused ({site})"
    origin = headers.get("origin")
    if origin is None:
        return None
    host = headers.get("host", "")
    if origin.lower() == "null" or origin.split("://", 1)[-1].lower() != host.lower():
        return "cross-origin request refused"
    return None


class CrossOriginGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            reason = cross_origin_refusal(scope)
            if reason:
                await JSONResponse({"detail": reason}, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class BodySizeLimitMiddleware:
    """413 for a non-multipart request body over `limit` bytes, before any route
    (or sign-in) reads it: by Content-Length, and counted for chunked bodies.
    Uploads (multipart) have their own limit, MAX_UPLOAD_MB, in the upload route."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if headers.get("content-type", "").lower().startswith("multipart/"):
            await self.app(scope, receive, send)
            return
        too_large = JSONResponse({"detail": f"Request body over {self.limit} bytes"}, status_code=413)
        length = headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await too_large(scope, receive, send)
            return
        seen = 0
        answered = False

        async def counted() -> Message:
            nonlocal seen, answered
            if answered:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    # Answer now; the route sees a disconnect and whatever it sends is dropped.
                    await too_large(scope, receive, send)
                    answered = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if not answered:
                await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not answered:
                raise


class _BodyTooLarge(Exception):
    pass
