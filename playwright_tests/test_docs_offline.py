"""/docs in Chromium with every host but 127.0.0.1 unresolvable (conftest.py):
Swagger UI comes from the build (routes/docs.py), lists the API's operations,
and the page asks for nothing outside the app's origin."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import RequestLog, new_context, screenshot
from live_server import live_server  # noqa: F401  (module fixture)
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FRONTEND_DIST_DIR", ROOT / "frontend" / "dist"))

pytestmark = pytest.mark.skipif(not (DIST / "swagger-ui" / "swagger-ui-bundle.js").is_file(),
                                reason=f"{DIST} has no swagger-ui/ (cd frontend && npm run build)")


def test_docs_lists_operations_offline(live_server, browser):  # noqa: F811  (the fixture)
    requests = RequestLog()
    context = new_context(browser, requests)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server}/docs")
        expect(page.locator(".swagger-ui .info .title")).to_contain_text("KeplerLab", timeout=20_000)
        operations = page.locator(".opblock")
        expect(operations.first).to_be_visible()
        assert operations.count() > 20
        expect(page.locator(".opblock-summary-path", has_text="/api/auth/register")).to_have_count(1)
        # An operation opens (Swagger UI's own scripts run under the page's CSP).
        page.locator(".opblock-summary-path", has_text="/api/auth/register").click()
        expect(page.locator(".opblock.is-open .opblock-body")).to_be_visible()
        screenshot(page, "docs-offline")
        assert requests.foreign(live_server) == []
        assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    finally:
        context.close()
