"""The chat as a person sees it, in Chromium (issue 14): a chart the turn made
shows in the answer without a click (and enlarges), the drawer names steps in
words with the bar's step count and shows a printed DataFrame as a table, a long step shows its elapsed seconds, a file
written again by a later turn marks the older card replaced, and the auth
forms say what is wrong in plain words.

One scripted-model server (the model's words are the only fake): turn 1 draws
chart.png after ~4 s of work; turn 2 ("change chart.png ...") writes
chart.png again. Screenshots (light and dark) land in artifacts/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import (
    PASSWORD,
    Turn,
    ask,
    finished_messages,
    new_context,
    open_notebook_with,
    screenshot,
    set_dark,
)
from live_server import scripted_env, serve, write_llm_script
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / "pyodide_bundle" / "dist" / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: bash pyodide_bundle/build.sh"),
]

SALES_CSV = """date,region,product,units
2024-01-05,North,Widget,12
2024-01-12,South,Gadget,7
2024-02-03,East,Widget,20
2024-02-17,West,Gizmo,5
"""
# ~4 s of work before the chart, so the bar's clock has time to tick.
CHART_V1 = """```python
import time
t0 = time.time()
while time.time() - t0 < 4:
    pass
df = pd.read_csv(sales_path)
print(df.head(3))
fig, ax = plt.subplots(figsize=(6, 4))
df.groupby("region")["units"].sum().plot(kind="bar", color="teal", ax=ax)
ax.set_title("Units by region")
fig.savefig(os.path.join(OUTPUT_DIR, "chart.png"))
```"""
CHART_V2 = """```python
df = pd.read_csv(sales_path)
fig, ax = plt.subplots(figsize=(6, 4))
df.groupby("region")["units"].sum().plot(kind="bar", color="crimson", ax=ax)
ax.set_title("Units by region (red)")
fig.savefig(os.path.join(OUTPUT_DIR, "chart.png"))
```"""

# Samples the thinking bar and the live drawer's summary every 100 ms.
SAMPLER = """(() => {
  window.__bar = [];
  window.__barTimer = setInterval(() => {
    const bar = document.querySelector('[data-testid="thinking-bar"]');
    if (!bar) return;
    const live = document.querySelector('[data-testid="message-assistant"][data-streaming] [data-testid="action-block-summary"]');
    window.__bar.push({
      text: bar.textContent,
      count: bar.querySelector('[data-testid="thinking-step-count"]')?.textContent ?? null,
      drawer: live ? live.textContent : null,
    });
  }, 100);
})()"""


@pytest.fixture(scope="module")
def chart_server(request, tmp_path_factory):
    data = tmp_path_factory.mktemp("chat-ui")
    script = write_llm_script(data / "script.json", {"code_generation": [CHART_V1, CHART_V2]})
    with serve(request, data, scripted_env(script)) as server:
        yield server


def test_inline_chart_progress_and_replaced_file(browser, chart_server, tmp_path):
    csv_path = tmp_path / "sales.csv"
    csv_path.write_text(SALES_CSV)
    context = new_context(browser)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        open_notebook_with(page, chart_server.url, "Charts", csv_path)

        # Turn 1: progress reads true while it runs.
        page.evaluate(SAMPLER)
        page.get_by_test_id("chat-input").fill("bar chart of units by region")
        page.get_by_test_id("chat-send").click()
        # Mid-run: the bar's clock runs while Python works; the live drawer's running step shows it too.
        expect(page.get_by_test_id("thinking-elapsed")).to_be_visible(timeout=60_000)
        live = page.locator('[data-testid="message-assistant"][data-streaming]')
        live.get_by_test_id("action-block-toggle").click()
        expect(live.get_by_test_id("step-elapsed")).to_be_visible()
        screenshot(page, "chat-elapsed-mid-run-light")
        expect(page.get_by_test_id("thinking-bar")).to_have_count(0, timeout=120_000)
        expect(finished_messages(page)).to_have_count(1, timeout=30_000)
        first = Turn(message=finished_messages(page).first)
        samples = page.evaluate("clearInterval(window.__barTimer), window.__bar")
        ticking = [s["text"] for s in samples if re.search(r"Running Python · \d+ s", s["text"])]
        assert ticking, [s["text"] for s in samples]
        seconds = {int(re.search(r"· (\d+) s", t).group(1)) for t in ticking}
        assert len(seconds) >= 2, seconds  # the clock ticked
        # Bar and live drawer never disagree on "Step N of M".
        both = [(s["count"], s["drawer"]) for s in samples if s["count"] and s["drawer"]]
        assert both, samples[-10:]
        for count, drawer in both:
            assert drawer.startswith(count), (count, drawer)

        # The chart is in the answer, visible without a click, its real pixels loaded.
        image = first.message.get_by_test_id("inline-image").locator("img")
        expect(image).to_be_visible(timeout=20_000)
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
        assert image.evaluate("img => img.naturalWidth") >= 300
        assert image.get_attribute("src").startswith("blob:")
        expect(first.file("chart.png").get_by_test_id("file-download")).to_be_visible()  # the card stays

        # The drawer names steps in words, never tool ids.
        block = first.expand()
        tools = block.get_by_test_id("step-tool").all_inner_texts()
        assert tools == ["Profiling the data", "Creating the file"], tools  # a chart is a file step
        assert not re.search(r"data_profiler|code_executor|generate_response", block.inner_text())
        # The DataFrame the code printed is a table in the drawer.
        table = block.get_by_test_id("step-table")
        expect(table).to_have_count(1)
        expect(table.locator("thead th")).to_have_text(["", "date", "region", "product", "units"])
        expect(table.locator("tbody tr")).to_have_count(3)
        expect(table.locator("tbody tr").first).to_contain_text("North")
        expect(first.message.get_by_test_id("action-block-summary")).to_contain_text(
            "Ran 2 steps · Profiling the data, Creating the file")
        screenshot(page, "chat-inline-chart-light", first.message)

        # Click to enlarge.
        image.click()
        big = page.get_by_test_id("file-preview-image")
        expect(big).to_be_visible()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=big.element_handle())
        page.keyboard.press("Escape")
        expect(page.get_by_test_id("modal")).to_have_count(0)

        # Turn 2 writes chart.png again: a new version; the older card says so.
        second = ask(page, "change chart.png to red bars")
        new_card = second.file("chart.png")
        expect(new_card).to_have_attribute("data-version", "2")
        expect(new_card.get_by_test_id("file-version")).to_have_text(re.compile("Version 2, replaces the earlier file"))
        expect(second.message.get_by_test_id("inline-image")).to_have_count(1)
        expect(second.message.get_by_test_id("action-block-summary")).to_contain_text(
            "Profiling the data, Editing the file")
        old_card = first.file("chart.png")
        expect(old_card).to_have_attribute("data-replaced", "true")
        expect(old_card.get_by_test_id("file-replaced")).to_have_text(
            re.compile("Replaced by version 2 in a later answer"))
        expect(old_card.get_by_test_id("file-download")).to_have_text("Download latest")
        expect(old_card.get_by_test_id("file-preview")).to_have_count(0)
        # The older answer no longer shows bytes that are not its own.
        expect(first.message.get_by_test_id("inline-image")).to_have_count(0)
        screenshot(page, "chat-replaced-file-light", scroll_to=second.message)

        # After a reload the stored history says the same.
        page.reload()
        done = finished_messages(page)
        expect(done).to_have_count(2, timeout=30_000)
        expect(done.nth(0).get_by_test_id("file-replaced")).to_have_count(1)
        expect(done.nth(1).get_by_test_id("inline-image").locator("img")).to_be_visible(timeout=20_000)

        set_dark(page, True)
        done.nth(1).get_by_test_id("inline-image").scroll_into_view_if_needed()
        screenshot(page, "chat-inline-chart-dark")
        reloaded = Turn(message=done.nth(0))
        drawer = reloaded.expand()
        expect(drawer.get_by_test_id("step-table")).to_have_count(1)  # rebuilt from the stored step log
        screenshot(page, "chat-drawer-table-dark", scroll_to=drawer.get_by_test_id("step-table"))

        # At phone width the chart fits the chat column and the card keeps its Download.
        page.set_viewport_size({"width": 390, "height": 844})
        newest = done.nth(1)
        newest.get_by_test_id("inline-image").scroll_into_view_if_needed()
        box = newest.get_by_test_id("inline-image").locator("img").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        expect(newest.get_by_test_id("file-download")).to_be_visible()
        screenshot(page, "chat-inline-chart-390-dark")
        assert errors == []
    finally:
        context.close()


def test_auth_forms_speak_plainly(browser, chart_server):
    context = new_context(browser)
    page = context.new_page()
    base = chart_server.url
    try:
        page.goto(f"{base}/register")
        expect(page.get_by_test_id("auth-password")).to_be_visible()
        page.get_by_test_id("auth-email").fill("ada@")
        page.get_by_test_id("auth-password").fill("short")
        page.get_by_test_id("auth-submit").click()
        expect(page.get_by_test_id("auth-password-error")).to_have_text("Use at least 8 characters.")
        expect(page.get_by_test_id("auth-email-error")).to_have_text("Enter an email address like name@example.com.")
        assert "String should have" not in page.inner_text("body")
        screenshot(page, "auth-friendly-errors-light", page.get_by_test_id("auth-form"))
        # Fixed fields lose their messages as they are typed.
        page.get_by_test_id("auth-password").fill(PASSWORD)
        expect(page.get_by_test_id("auth-password-error")).to_have_count(0)

        # The server's own answers, mapped: duplicate account (409) ...
        email = "grace@example.com"
        page.get_by_test_id("auth-email").fill(email)
        page.get_by_test_id("auth-submit").click()
        expect(page.get_by_test_id("notebook-create")).to_be_visible(timeout=20_000)
        context.clear_cookies()
        page.goto(f"{base}/register")
        page.get_by_test_id("auth-email").fill(email)
        page.get_by_test_id("auth-password").fill(PASSWORD)
        page.get_by_test_id("auth-submit").click()
        expect(page.get_by_test_id("auth-email-error")).to_have_text(
            "An account with this email already exists. Sign in instead.")

        # ... and a wrong password (401).
        page.goto(f"{base}/login")
        page.get_by_test_id("auth-email").fill(email)
        page.get_by_test_id("auth-password").fill("not the password")
        page.get_by_test_id("auth-submit").click()
        expect(page.get_by_test_id("auth-error")).to_have_text(
            "That email and password don’t match. Check them and try again.")
        set_dark(page, True)
        screenshot(page, "auth-wrong-password-dark", page.get_by_test_id("auth-form"))
    finally:
        context.close()
