"""Screenshots of the UI in light and dark mode (dev aid, not a test).

Usage: start `npm run dev` (and the backend for the real pages), then
  /work/main/.venv/bin/python frontend/scripts/screenshots.py [base_url] [out_dir]
"""
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:5173"
OUT = Path(sys.argv[2] if len(sys.argv) > 2 else "/tmp/keplerlab_screens")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def shoot(browser, theme, path, name, prepare=None, element=None, height=900):
    ctx = browser.new_context(viewport={"width": 1400, "height": height}, color_scheme=theme)
    page = ctx.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(BASE + path)
    page.wait_for_load_state("networkidle")
    if prepare:
        prepare(page)
    page.wait_for_timeout(400)
    out = OUT / f"{name}-{theme}.png"
    if element:
        page.locator(element).first.screenshot(path=str(out))
    else:
        page.screenshot(path=str(out))
    print(out, "errors:", errors)
    ctx.close()


def open_first_block(page):
    page.get_by_test_id("action-block-toggle").first.click()
    page.wait_for_timeout(400)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        for theme in ("light", "dark"):
            shoot(browser, theme, "/login", "login")
            shoot(browser, theme, "/__preview", "preview-notebook")
            shoot(browser, theme, "/__preview", "preview-message", open_first_block,
                  element='[data-testid="message-assistant"]', height=2400)
        browser.close()


if __name__ == "__main__":
    main()
