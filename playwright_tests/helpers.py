"""Drive KeplerLab through its real UI (Playwright sync API): sign up, make a
notebook, upload materials, ask the agent and watch the turn, download files,
read colours. Used by test_agent_e2e.py; usable by any end-to-end test.
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Download, Locator, Page, expect

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "correct horse battery staple"
RUNTIME_READY_MS = 120_000
TURN_MS = 120_000

# Records every change of the thinking bar (appear / label / disappear) with a
# timestamp, so a test sees each label however briefly it was shown.
_THINKING_RECORDER = """
(() => {
  if (window.__thinking) return;
  window.__thinking = [];
  let last = null;
  const sample = () => {
    const bar = document.querySelector('[data-testid="thinking-bar"]');
    const label = bar ? (bar.querySelector('[data-testid="thinking-label"]')?.textContent ?? '') : null;
    if (label !== last) {
      last = label;
      window.__thinking.push({t: performance.now(), label});
    }
  };
  const start = () => {
    new MutationObserver(sample).observe(document.body, {subtree: true, childList: true, characterData: true});
    sample();
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""

# Effective background of an element as painted: ancestors' backgrounds
# composited outermost-first on a 1x1 canvas (handles oklch() and alpha), then
# WCAG relative luminance of the resulting sRGB pixel.
_LUMINANCE_JS = """
(el) => {
  const chain = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) chain.push(getComputedStyle(n).backgroundColor);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#ffffff';  // the page canvas under <html>
  ctx.fillRect(0, 0, 1, 1);
  for (const color of chain.reverse()) { ctx.fillStyle = color; ctx.fillRect(0, 0, 1, 1); }
  const [r, g, b] = ctx.getImageData(0, 0, 1, 1).data;
  const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  return {rgb: [r, g, b], luminance: 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b),
          own: chain[chain.length - 1]};
}
"""


class RequestLog:
    """Every URL any page (or worker) of the recorded contexts requested."""

    def __init__(self) -> None:
        self.urls: list[str] = []

    def attach(self, context: BrowserContext) -> None:
        context.on("request", lambda request: self.urls.append(request.url))

    def foreign(self, base_url: str) -> list[str]:
        return [u for u in self.urls if not (u == base_url or u.startswith(base_url + "/")
                                             or u.startswith(("blob:", "data:")))]


def new_context(browser: Browser, requests: RequestLog | None = None, **kwargs) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="light",
                                  accept_downloads=True, **kwargs)
    if requests is not None:
        requests.attach(context)
    context.add_init_script(_THINKING_RECORDER)
    return context


def settle(locator: Locator) -> None:
    """Wait for the element's finite CSS transitions/animations (e.g. the drawer opening)."""
    locator.evaluate("""el => Promise.all(el.getAnimations({subtree: true})
        .filter(a => Number.isFinite(a.effect?.getComputedTiming().endTime))
        .map(a => a.finished.catch(() => null)))""")


def screenshot(page: Page, name: str, locator: Locator | None = None, *, scroll_to: Locator | None = None) -> Path:
    """artifacts/<name>.png of `locator` (short elements), else of the viewport,
    after scrolling `scroll_to` into view (tall elements inside the chat's scroller)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if scroll_to is not None:
        settle(scroll_to.page.locator("html"))
        scroll_to.scroll_into_view_if_needed()
    (locator or page).screenshot(path=str(path))
    return path


# --- account, notebook, materials ------------------------------------------------

def register(page: Page, base_url: str, name: str = "Ada") -> str:
    """Sign up through the form; lands on the notebooks page. Returns the email."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    page.goto(f"{base_url}/register")
    page.get_by_test_id("auth-name").fill(name)
    page.get_by_test_id("auth-email").fill(email)
    page.get_by_test_id("auth-password").fill(PASSWORD)
    page.get_by_test_id("auth-submit").click()
    expect(page.get_by_test_id("notebook-create")).to_be_visible(timeout=20_000)
    return email


def create_notebook(page: Page, title: str) -> str:
    """Create a notebook from the list page and open it. Returns its id."""
    page.get_by_test_id("notebook-title-input").fill(title)
    page.get_by_test_id("notebook-create").click()
    expect(page.get_by_test_id("notebook-title")).to_have_text(title, timeout=20_000)
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def upload(page: Page, path: Path) -> Locator:
    """Upload a material with the file input; waits for its row."""
    items = page.get_by_test_id("material-item")
    before = items.count()
    page.get_by_test_id("material-upload").set_input_files(str(path))
    expect(items).to_have_count(before + 1, timeout=60_000)
    row = items.filter(has_text=path.name)
    expect(row).to_have_count(1)
    return row


def wait_runtime_ready(page: Page, timeout_ms: int = RUNTIME_READY_MS) -> float:
    t0 = time.monotonic()
    expect(page.get_by_test_id("runtime-status")).to_have_attribute("data-status", "ready", timeout=timeout_ms)
    return time.monotonic() - t0


def open_notebook_with(page: Page, base_url: str, title: str, *materials: Path) -> float:
    """Sign up, create a notebook, upload `materials`, wait for the Python
    runtime. Returns the seconds from opening the notebook to a ready runtime."""
    register(page, base_url)
    t0 = time.monotonic()
    create_notebook(page, title)
    for path in materials:
        upload(page, path)
    wait_runtime_ready(page)
    return time.monotonic() - t0


# --- asking the agent ----------------------------------------------------------------

@dataclass
class Turn:
    message: Locator  # the finished assistant message
    labels: list[str] = field(default_factory=list)  # thinking-bar labels, in order shown
    seconds: float = 0.0
    mid_run_screenshot: Path | None = None

    @property
    def body(self) -> Locator:
        return self.message.get_by_test_id("message-body")

    @property
    def files(self) -> Locator:
        return self.message.get_by_test_id("file-card")

    def file(self, suffix: str) -> Locator:
        """The card of the (first) file whose name ends with `suffix`."""
        name = self.message.page.get_by_test_id("file-name").filter(
            has_text=re.compile(re.escape(suffix) + r"\s*$", re.I))
        card = self.files.filter(has=name).first
        expect(card).to_be_visible()
        return card

    def drawer(self) -> Locator:
        return self.message.get_by_test_id("action-block")

    def expand(self) -> Locator:
        """Open the action drawer (if closed) and return it."""
        block = self.drawer()
        if block.get_attribute("data-open") != "true":
            self.message.get_by_test_id("action-block-toggle").click()
        expect(block).to_have_attribute("data-open", "true")
        expect(block.get_by_test_id("action-step").first).to_be_visible()
        settle(block)
        return block


def finished_messages(page: Page) -> Locator:
    return page.locator('[data-testid="message-assistant"]:not([data-streaming])')


def ask(page: Page, text: str, *, timeout_ms: int = TURN_MS, screenshot_as: str | None = None) -> Turn:
    """Send `text`, wait for the turn to end, return its message and the labels seen."""
    done = finished_messages(page)
    before = done.count()
    page.evaluate("window.__thinking && (window.__thinking.length = 0)")
    page.get_by_test_id("chat-input").fill(text)
    t0 = time.monotonic()
    page.get_by_test_id("chat-send").click()
    bar = page.get_by_test_id("thinking-bar")
    expect(bar).to_be_visible(timeout=15_000)
    shot = None
    if screenshot_as:
        # Mid-run: a first shot as soon as the bar shows (a fast turn may be
        # over before its drawer appears), then a better one with the live drawer.
        shot = screenshot(page, screenshot_as)
        live = page.locator('[data-testid="message-assistant"][data-streaming]')
        try:
            expect(live.get_by_test_id("action-block")).to_be_visible(timeout=timeout_ms)
            if bar.is_visible():
                shot = screenshot(page, screenshot_as)
        except AssertionError:
            pass
    expect(bar).to_have_count(0, timeout=timeout_ms)
    expect(done).to_have_count(before + 1, timeout=30_000)
    seconds = time.monotonic() - t0
    history = page.evaluate("window.__thinking || []")
    labels = []
    for entry in history:
        if entry["label"] is not None and (not labels or labels[-1] != entry["label"]):
            labels.append(entry["label"])
    return Turn(message=done.nth(before), labels=labels, seconds=seconds, mid_run_screenshot=shot)


def download(page: Page, card: Locator, save_dir: Path) -> tuple[Download, bytes]:
    """Click a file card's Download and return the download and its bytes."""
    with page.expect_download(timeout=30_000) as info:
        card.get_by_test_id("file-download").click()
    dl = info.value
    assert dl.failure() is None, dl.failure()
    save_dir.mkdir(parents=True, exist_ok=True)
    target = save_dir / dl.suggested_filename
    dl.save_as(str(target))
    return dl, target.read_bytes()


def background(locator: Locator) -> dict:
    """{'rgb': [r, g, b], 'luminance': 0..1, 'own': css colour} of the element as painted."""
    return locator.evaluate(_LUMINANCE_JS)


def set_dark(page: Page, dark: bool) -> None:
    is_dark = page.evaluate("document.documentElement.classList.contains('dark')")
    if is_dark != dark:
        page.get_by_test_id("theme-toggle").click()
    page.wait_for_function("d => document.documentElement.classList.contains('dark') === d", arg=dark)
    settle(page.locator("html"))
