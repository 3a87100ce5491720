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

import json
import math
import re

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
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


# --- text the database cannot store -------------------------------------------------
# NUL is refused by PostgreSQL text columns; a lone UTF-16 surrogate (JSON "\ud800")
# cannot be encoded as UTF-8 by either driver. Both used to surface as 500s.
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")


class _NonFinite(ValueError):
    pass


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 parses to inf
        raise _NonFinite(text)
    return value


def _reject_constant(name: str) -> float:
    raise _NonFinite(name)


def _problem(loc: list, msg: str, kind: str) -> dict:
    return {"loc": loc, "msg": msg, "type": kind}


def _bad_text_msg(text: str) -> tuple[str, str]:
    if "\x00" in text:
        return "Text may not contain NUL characters", "text_nul"
    return "Text may not contain unpaired UTF-16 surrogates", "text_surrogate"


def json_text_problems(body: bytes) -> list[dict] | None:
    """Validation errors (FastAPI's [{loc, msg, type}] shape) for a JSON body with
    NaN/Infinity or a string (key or value) holding NUL or a lone surrogate;
    None when the body is fine or not JSON at all (the route then reports it)."""
    try:
        data = json.loads(body, parse_constant=_reject_constant, parse_float=_finite)
    except _NonFinite as exc:
        return [_problem(["body"], f"Numbers must be finite ({exc} is not JSON)", "json_non_finite")]
    except RecursionError:
        return [_problem(["body"], "The JSON is nested too deeply", "json_too_deep")]
    except ValueError:  # JSONDecodeError, UnicodeDecodeError: FastAPI answers those itself
        return None
    stack: list[tuple[list, object]] = [(["body"], data)]
    while stack:  # iterative: a deeply nested body cannot exhaust the stack
        loc, value = stack.pop()
        if isinstance(value, str):
            if _BAD_TEXT.search(value):
                return [_problem(loc, *_bad_text_msg(value))]
        elif isinstance(value, dict):
            for key, item in value.items():
                if _BAD_TEXT.search(key):
                    return [_problem(loc, *_bad_text_msg(key))]
                stack.append(([*loc, key], item))
        elif isinstance(value, list):
            stack.extend(([*loc, i], item) for i, item in enumerate(value))
    return None


def scrub_text(data: object) -> object:
    """The same JSON value with NUL and lone surrogates replaced by U+FFFD."""
    if isinstance(data, str):
        return _BAD_TEXT.sub("\ufffd", data)
    if isinstance(data, dict):
        return {scrub_text(key): scrub_text(value) for key, value in data.items()}
    if isinstance(data, list):
        return [scrub_text(item) for item in data]
    return data


def url_text_problems(scope: Scope) -> list[dict] | None:
    if "\x00" in scope.get("path", ""):
        return [_problem(["path"], "Text may not contain NUL characters", "text_nul")]
    if b"%00" in scope.get("query_string", b"").lower():
        return [_problem(["query"], "Text may not contain NUL characters", "text_nul")]
    return None


def _is_json(headers: Headers) -> bool:
    media = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


# A browser run's output (stdout of user code may print "\0") is not typed text
# to refuse: it is kept, with the unstorable characters replaced.
PROGRAM_OUTPUT_PATHS = re.compile(r"^/api/agent/runs/[^/]+/executions/[^/]+$")


class TextGuardMiddleware:
    """422 before any route runs for text no database can store: NUL in the URL,
    and in JSON bodies NaN/Infinity, NUL or lone surrogates in any string
    (scrubbed instead on PROGRAM_OUTPUT_PATHS). The JSON body is read once here
    (already bounded by BodySizeLimitMiddleware, which wraps this one) and
    handed on. Multipart form fields are covered by the unstorable-text
    exception handlers in main.py."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problems = url_text_problems(scope)
        if problems is None and scope.get("method") in UNSAFE_METHODS and _is_json(Headers(scope=scope)):
            chunks: list[bytes] = []
            while True:
                message = await receive()
                if message["type"] != "http.request":
                    return  # the client left (or the body limit already answered)
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            problems = json_text_problems(body)
            if problems and problems[0]["type"].startswith("text_") and PROGRAM_OUTPUT_PATHS.match(scope["path"]):
                body = json.dumps(scrub_text(json.loads(body)), ensure_ascii=False).encode()
                headers = [(k, v) for k, v in scope["headers"] if k.lower() != b"content-length"]
                scope = {**scope, "headers": [*headers, (b"content-length", str(len(body)).encode())]}
                problems = None
            replayed = False
            original = receive

            async def replay() -> Message:
                nonlocal replayed
                if replayed:  # after the body: disconnect notices come from the server
                    return await original()
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}

            receive = replay
        if problems:
            await JSONResponse({"detail": problems}, status_code=422)(scope, receive, send)
            return
        await self.app(scope, receive, send)


# --- the same, for text that arrives another way (multipart form fields) -------------
# 22021: invalid byte sequence (NUL in text); 22P05: untranslatable character (\u0000 in JSONB).
_UNSTORABLE_SQLSTATES = frozenset({"22021", "22P05"})


def _sqlstate(exc: BaseException) -> str | None:
    for err in (getattr(exc, "orig", None), exc.__cause__, getattr(getattr(exc, "orig", None), "__cause__", None)):
        state = getattr(err, "sqlstate", None)
        if state:
            return state
    return None


async def unstorable_text_handler(request: Request, exc: Exception) -> JSONResponse:
    """422 for text a driver could not encode (a lone surrogate) or PostgreSQL
    would not store (NUL); any other database error stays a 500."""
    if isinstance(exc, UnicodeEncodeError):
        msg, kind = "Text may not contain unpaired UTF-16 surrogates", "text_surrogate"
    elif _sqlstate(exc) in _UNSTORABLE_SQLSTATES:
        msg, kind = "Text may not contain NUL characters", "text_nul"
    else:
        raise exc
    return JSONResponse({"detail": [_problem(["body"], msg, kind)]}, status_code=422)
