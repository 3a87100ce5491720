"""Dev aid: a run left waiting for the browser is resumed after a reload,
and an image card's Preview opens the image.

  /work/main/.venv/bin/python frontend/scripts/real_resume.py http://127.0.0.1:8000 data.csv
"""
import sys
import time

from playwright.sync_api import expect, sync_playwright

BASE, CSV = sys.argv[1], sys.argv[2]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

with sync_playwright() as p:
    browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("pageerror", lambda e: print("PAGE ERROR:", e))
    page.goto(BASE + "/register")
    page.get_by_test_id("auth-email").fill(f"res{int(time.time())}@example.com")
    page.get_by_test_id("auth-password").fill("correct horse battery")
    page.get_by_test_id("auth-submit").click()
    page.get_by_test_id("notebook-create").click()
    page.get_by_test_id("material-upload").set_input_files(CSV)
    expect(page.get_by_test_id("material-item")).to_have_count(1)

    # The result POST never reaches the server: the run stays awaiting_execution.
    page.route("**/executions/**", lambda route: route.abort())
    page.get_by_test_id("chat-input").fill("Make a chart of Revenue by Month")
    page.get_by_test_id("chat-send").click()
    expect(page.get_by_test_id("message-error")).to_be_visible(timeout=90_000)
    print("interrupted:", page.get_by_test_id("message-error").inner_text())
    page.unroute("**/executions/**")

    page.reload()
    t0 = time.time()
    expect(page.get_by_test_id("thinking-bar")).to_be_visible(timeout=30_000)
    print("resuming, label:", page.get_by_test_id("thinking-label").inner_text())
    expect(page.get_by_test_id("thinking-bar")).to_have_count(0, timeout=90_000)
    msg = page.get_by_test_id("message-assistant").last
    print(f"resumed turn finished in {time.time() - t0:.1f}s;",
          "files:", [n.inner_text() for n in msg.get_by_test_id("file-name").all()])
    if msg.get_by_test_id("file-preview").count():
        msg.get_by_test_id("file-preview").first.click()
        img = page.get_by_test_id("file-preview-image")
        expect(img).to_be_visible(timeout=10_000)
        w = img.evaluate("i => i.naturalWidth")
        print("preview image natural width:", w)
        page.screenshot(path="/tmp/keplerlab_screens/real-preview-light.png")
    browser.close()
