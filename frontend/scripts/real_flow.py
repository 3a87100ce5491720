"""Drive the real app in headless Chromium (dev aid, not a test):
register → create notebook → upload a CSV → ask the agent → screenshots.

  /work/main/.venv/bin/python frontend/scripts/real_flow.py http://127.0.0.1:8000 /path/to/data.csv [out_dir]
"""
import sys
import time
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

BASE, CSV = sys.argv[1], sys.argv[2]
OUT = Path(sys.argv[3] if len(sys.argv) > 3 else "/tmp/keplerlab_screens")
QUESTION = sys.argv[4] if len(sys.argv) > 4 else "Analyze this dataset and make a chart of Revenue by Month"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, color_scheme="light")
        page = ctx.new_page()
        page.on("pageerror", lambda e: print("PAGE ERROR:", e))
        page.on("console", lambda m: m.type in ("error", "warning") and print("console:", m.type, m.text))
        page.goto(BASE + "/register")
        page.get_by_test_id("auth-name").fill("Ada")
        page.get_by_test_id("auth-email").fill(f"ada{int(time.time())}@example.com")
        page.get_by_test_id("auth-password").fill("correct horse battery")
        page.get_by_test_id("auth-submit").click()
        expect(page.get_by_test_id("notebook-create")).to_be_visible()
        page.get_by_test_id("notebook-title-input").fill("Sales study")
        page.get_by_test_id("notebook-create").click()
        expect(page.get_by_test_id("notebook-title")).to_have_text("Sales study")
        page.get_by_test_id("material-upload").set_input_files(CSV)
        expect(page.get_by_test_id("material-item")).to_have_count(1)
        print("material:", page.get_by_test_id("material-item").inner_text().replace("\n", " | "))
        t0 = time.time()
        expect(page.get_by_test_id("runtime-status")).to_have_attribute("data-status", "ready", timeout=60_000)
        print(f"runtime ready after {time.time() - t0:.1f}s")
        page.screenshot(path=str(OUT / "real-notebook-light.png"))

        page.get_by_test_id("chat-input").fill(QUESTION)
        page.get_by_test_id("chat-send").click()
        t0 = time.time()
        expect(page.get_by_test_id("thinking-bar")).to_be_visible(timeout=10_000)
        labels = set()
        while page.get_by_test_id("thinking-bar").count() and time.time() - t0 < 120:
            try:
                labels.add(page.get_by_test_id("thinking-label").inner_text(timeout=500))
            except Exception:
                pass
            page.wait_for_timeout(150)
        print(f"turn took {time.time() - t0:.1f}s; labels seen: {sorted(labels)}")
        msg = page.get_by_test_id("message-assistant").last
        expect(msg).to_be_visible()
        print("answer:", msg.get_by_test_id("message-body").inner_text()[:400].replace("\n", " / "))
        print("file cards:", msg.get_by_test_id("file-card").count(),
              [n.inner_text() for n in msg.get_by_test_id("file-name").all()])
        if msg.get_by_test_id("action-block-toggle").count():
            print("summary:", msg.get_by_test_id("action-block-summary").inner_text())
            msg.get_by_test_id("action-block-toggle").click()
            page.wait_for_timeout(500)
            print("steps:", [s.get_attribute("data-status") for s in msg.get_by_test_id("action-step").all()])
        page.screenshot(path=str(OUT / "real-chat-light.png"))
        page.get_by_test_id("theme-toggle").click()
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "real-chat-dark.png"))
        if msg.get_by_test_id("action-block-toggle").count():
            msg.get_by_test_id("action-block-toggle").click()  # collapse again
            page.wait_for_timeout(500)
        page.screenshot(path=str(OUT / "real-chat-collapsed-dark.png"))
        page.get_by_test_id("theme-toggle").click()
        page.wait_for_timeout(300)
        page.screenshot(path=str(OUT / "real-chat-collapsed-light.png"))
        if msg.get_by_test_id("file-download").count():
            with page.expect_download() as dl:
                msg.get_by_test_id("file-download").first.click()
            d = dl.value
            path = OUT / d.suggested_filename
            d.save_as(path)
            print("downloaded:", d.suggested_filename, path.stat().st_size, "bytes")
        if msg.get_by_test_id("file-preview").count():
            msg.get_by_test_id("file-preview").first.click()
            img = page.get_by_test_id("file-preview-image")
            expect(img).to_be_visible(timeout=10_000)
            print("preview image natural width:", img.evaluate("i => i.naturalWidth"))
            page.screenshot(path=str(OUT / "real-preview-light.png"))
            page.keyboard.press("Escape")
            expect(page.get_by_test_id("modal")).to_have_count(0)
        # Reload: the history (with step log and files) comes back from the server.
        page.reload()
        expect(page.get_by_test_id("message-assistant")).to_have_count(1, timeout=10_000)
        print("after reload: files", page.get_by_test_id("file-card").count(),
              "action blocks", page.get_by_test_id("action-block").count())
        browser.close()


if __name__ == "__main__":
    main()
