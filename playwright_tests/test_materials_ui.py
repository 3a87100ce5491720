"""The materials panel and the notebook layout in Debian's Chromium against a
real server (live_server.py, offline model, MAX_UPLOAD_MB=1): several files
dropped or picked at once, each with its own progress and error; a material's
preview (document text, data rows) and "Use this file" reaching the agent;
the layout at 390, 768 and 1440 px, light and dark (screenshots in
artifacts/materials_*.png).

Needs a built SPA: frontend/dist, or FRONTEND_DIST_DIR / KEPLER_FRONTEND_DIST.
"""

from __future__ import annotations

import csv
import io
import json
import os
import uuid
from pathlib import Path

import pytest
from helpers import PASSWORD, screenshot, set_dark, wait_runtime_ready
from live_server import serve
from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[1]
DIST = Path(os.environ.get("FRONTEND_DIST_DIR") or os.environ.get("KEPLER_FRONTEND_DIST") or ROOT / "frontend" / "dist")
FIXTURES = ROOT / "bench" / "fixtures"
BROKEN_PDF = "%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\ngarbage without xref or trailer\n"

pytestmark = pytest.mark.skipif(not (DIST / "index.html").exists(), reason=f"{DIST} is not built: npm run build")


@pytest.fixture(scope="module")
def server(request, tmp_path_factory):
    with serve(request, tmp_path_factory.mktemp("materials-ui"), {"MAX_UPLOAD_MB": "1"}) as s:
        yield s.url


def _csv(rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


TEMPS = _csv([["city", "temp_c"], *[[f"City{i}", 10 + i] for i in range(40)]])
SALES = _csv([["region", "amount"], ["North", 120], ["South", 80]])


def _signed_in_notebook(page: Page, base: str, *materials: tuple[str, str, bytes]) -> str:
    """Register through the API (the auth form has its own tests), make a notebook
    with `materials` ({name, mime, bytes}) and open it. Returns the notebook id."""
    api = page.context.request
    email = f"mat-{uuid.uuid4().hex[:8]}@example.com"
    assert api.post(f"{base}/api/auth/register", data={"email": email, "password": PASSWORD}).status == 201
    notebook = api.post(f"{base}/api/notebooks", data={"title": "Climate"}).json()
    for name, mime, data in materials:
        r = api.post(f"{base}/api/notebooks/{notebook['id']}/materials",
                     multipart={"file": {"name": name, "mimeType": mime, "buffer": data}})
        assert r.status == 201, r.text()
    page.goto(f"{base}/notebooks/{notebook['id']}")
    expect(page.get_by_test_id("notebook-title")).to_have_text("Climate", timeout=20_000)
    return notebook["id"]


# Counts the page's material-upload XHRs in flight (send → readyState 4, which
# comes before the app's onload starts the next): network events from the
# browser process lag behind the XHR's own.
_UPLOAD_COUNTER_JS = """
(() => {
  window.__uploads = {now: 0, max: 0};
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    if (body instanceof FormData && body.has('file')) {
      const u = window.__uploads;
      u.now += 1; u.max = Math.max(u.max, u.now);
      this.addEventListener('readystatechange', () => { if (this.readyState === 4) u.now -= 1; });
    }
    return send.call(this, body);
  };
})();
"""


_DROP_JS = """
([files, phase]) => {
  const dt = new DataTransfer();
  for (const f of files) {
    const body = f.repeat ? f.text.repeat(f.repeat) : f.text;
    dt.items.add(new File([body], f.name, {type: f.type}));
  }
  const target = document.querySelector('[data-testid="material-drop-zone"]');
  const fire = (type) => target.dispatchEvent(new DragEvent(type, {bubbles: true, cancelable: true, dataTransfer: dt}));
  if (phase === 'enter') { fire('dragenter'); fire('dragover'); }
  else fire('drop');
}
"""


def test_dropping_several_files_uploads_each_with_its_own_error(server, page):
    page.set_viewport_size({"width": 1440, "height": 900})
    _signed_in_notebook(page, server)
    page.evaluate(_UPLOAD_COUNTER_JS)
    files = [
        {"name": "notes.md", "type": "text/markdown", "text": "# Climate\nThe greenhouse effect traps heat.\n"},
        {"name": "temps.csv", "type": "text/csv", "text": TEMPS.decode()},
        {"name": "broken.pdf", "type": "application/pdf", "text": BROKEN_PDF},
        {"name": "huge.txt", "type": "text/plain", "text": "word ", "repeat": 300_000},  # 1.5 MB > 1 MB
        {"name": "sales.csv", "type": "text/csv", "text": SALES.decode()},
    ]
    panel = page.get_by_test_id("materials-panel")
    page.evaluate(_DROP_JS, [files, "enter"])
    expect(panel).to_have_attribute("data-dragging", "true")
    expect(page.get_by_test_id("material-drop-zone")).to_contain_text("Drop to upload")
    screenshot(page, "materials_drop_highlight_1440_light", page.get_by_test_id("sidebar"))
    page.evaluate(_DROP_JS, [files, "drop"])
    expect(panel).not_to_have_attribute("data-dragging", "true")

    items = page.get_by_test_id("material-item")
    expect(items).to_have_count(3, timeout=60_000)
    for name in ("notes.md", "temps.csv", "sales.csv"):
        expect(items.filter(has_text=name)).to_have_count(1)
    failed = page.locator('[data-testid="material-uploading"][data-state="failed"]')
    expect(failed).to_have_count(2, timeout=30_000)
    expect(failed.filter(has_text="broken.pdf").get_by_test_id("material-upload-error")).to_contain_text(
        "could not be read as PDF")
    expect(failed.filter(has_text="huge.txt").get_by_test_id("material-upload-error")).to_contain_text(
        "larger than the 1 MB upload limit")
    uploads = page.evaluate("window.__uploads")
    assert uploads["max"] == 2, uploads  # five files, two at a time
    screenshot(page, "materials_drop_result_1440_light", page.get_by_test_id("sidebar"))
    set_dark(page, True)
    screenshot(page, "materials_drop_result_1440_dark", page.get_by_test_id("sidebar"))

    # An error stays until dismissed; dismissing one leaves the other.
    failed.filter(has_text="broken.pdf").get_by_test_id("material-upload-dismiss").click()
    expect(failed).to_have_count(1)
    expect(failed).to_contain_text("huge.txt")
    # A file dropped beside the panel does not make the browser leave the app for it.
    missed = page.evaluate("""() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['x'], 'x.txt', {type: 'text/plain'}));
      const ev = new DragEvent('drop', {bubbles: true, cancelable: true, dataTransfer: dt});
      document.querySelector('[data-testid="chat-panel"]').dispatchEvent(ev);
      return ev.defaultPrevented;
    }""")
    assert missed is True
    page.reload()  # the server kept exactly the three good files
    expect(items).to_have_count(3, timeout=20_000)


def test_picking_several_files_uploads_them_all(server, page, tmp_path):
    page.set_viewport_size({"width": 1440, "height": 900})
    _signed_in_notebook(page, server)
    paths = []
    for name, data in [("a.csv", SALES), ("b.md", b"# B\nbody\n"), ("c.txt", b"plain text\n")]:
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    page.get_by_test_id("material-upload").set_input_files(paths)
    items = page.get_by_test_id("material-item")
    expect(items).to_have_count(3, timeout=60_000)
    expect(page.get_by_test_id("material-uploading")).to_have_count(0)
    for name in ("a.csv", "b.md", "c.txt"):
        expect(items.filter(has_text=name)).to_have_count(1)


def test_preview_then_use_this_file_for_the_next_turn(server, page):
    page.set_viewport_size({"width": 1440, "height": 900})
    notes = (FIXTURES / "photosynthesis.md").read_bytes()
    _signed_in_notebook(page, server, ("photosynthesis.md", "text/markdown", notes),
                        ("sales.csv", "text/csv", SALES), ("temps.csv", "text/csv", TEMPS))
    items = page.get_by_test_id("material-item")

    # A document: its opening text.
    items.filter(has_text="photosynthesis.md").get_by_test_id("material-open").click()
    preview = page.get_by_test_id("material-preview")
    expect(preview).to_have_attribute("data-kind", "text", timeout=15_000)
    first_line = notes.decode().strip().splitlines()[0]
    expect(preview.get_by_test_id("material-preview-text")).to_contain_text(first_line)
    page.get_by_test_id("modal-close").click()
    expect(preview).to_have_count(0)

    # A data file: the header and the first rows as a table.
    items.filter(has_text="temps.csv").get_by_test_id("material-open").click()
    expect(preview).to_have_attribute("data-kind", "table", timeout=15_000)
    table = preview.get_by_test_id("material-preview-table")
    expect(table.locator("th")).to_have_text(["city", "temp_c"])
    rows = table.get_by_test_id("material-preview-row")
    expect(rows).to_have_count(20)
    expect(rows.first.locator("td")).to_have_text(["City0", "10"])
    expect(preview).to_contain_text("more in the file")
    screenshot(page, "materials_preview_table_1440_light")
    page.keyboard.press("Escape")  # the theme toggle sits under the dialog
    expect(preview).to_have_count(0)
    set_dark(page, True)
    items.filter(has_text="temps.csv").get_by_test_id("material-open").click()
    expect(rows).to_have_count(20)
    screenshot(page, "materials_preview_table_1440_dark")

    temps_id = items.filter(has_text="temps.csv").get_attribute("data-material-id")
    page.get_by_test_id("material-use").click()
    expect(preview).to_have_count(0)
    chip = page.get_by_test_id("chosen-file")
    expect(chip).to_contain_text("temps.csv")
    expect(items.filter(has_text="temps.csv")).to_have_attribute("data-chosen", "true")
    assert chip.get_attribute("data-material-id") == temps_id
    screenshot(page, "materials_chosen_chip_1440_dark")
    set_dark(page, False)

    # The next turn carries it, and the agent works on that file (not sales.csv).
    wait_runtime_ready(page)
    with page.expect_request(lambda r: r.url.endswith("/api/agent/chat") and r.method == "POST") as req:
        page.get_by_test_id("chat-input").fill("What is the average of the data?")
        page.get_by_test_id("chat-send").click()
    body = json.loads(req.value.post_data or "{}")
    assert body.get("material_id") == temps_id, body
    answer = page.locator('[data-testid="message-assistant"]:not([data-streaming])').last
    expect(answer).to_be_visible(timeout=120_000)
    expect(answer).to_contain_text("temps.csv", timeout=10_000)
    expect(answer).not_to_contain_text("sales.csv")

    page.reload()  # the choice is remembered for the notebook
    expect(chip).to_contain_text("temps.csv", timeout=20_000)

    # A document chosen instead narrows the turn to it (material_ids).
    doc = items.filter(has_text="photosynthesis.md")
    doc_id = doc.get_attribute("data-material-id")
    doc.get_by_test_id("material-open").click()
    page.get_by_test_id("material-use").click()
    expect(chip).to_contain_text("photosynthesis.md")
    expect(items.filter(has_text="temps.csv")).not_to_have_attribute("data-chosen", "true")
    done = page.locator('[data-testid="message-assistant"]:not([data-streaming])')
    before = done.count()
    with page.expect_request(lambda r: r.url.endswith("/api/agent/chat") and r.method == "POST") as req:
        page.get_by_test_id("chat-input").fill("What do plants need for photosynthesis?")
        page.get_by_test_id("chat-send").click()
    body = json.loads(req.value.post_data or "{}")
    assert body.get("material_ids") == [doc_id], body
    expect(done).to_have_count(before + 1, timeout=120_000)
    expect(done.last.get_by_test_id("citation-chip").first).to_contain_text("photosynthesis.md")

    page.get_by_test_id("chosen-file-clear").click()
    expect(chip).to_have_count(0)
    expect(doc).not_to_have_attribute("data-chosen", "true")


def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    sales = wb.active
    sales.title = "Sales"
    for row in [["region", "amount"], ["North", 120], ["South", 80], ["East", "=B2+B3"]]:
        sales.append(row)
    wb.create_sheet("Costs").append(["item", "cost"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_heading("Carbon cycle", level=1)
    d.add_paragraph("Carbon moves between the air, the oceans and living things.")
    out = io.BytesIO()
    d.save(out)
    return out.getvalue()


def test_xlsx_and_docx_previews(server, page):
    page.set_viewport_size({"width": 1440, "height": 900})
    xlsx_mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    docx_mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    _signed_in_notebook(page, server, ("budget.xlsx", xlsx_mime, _xlsx()), ("carbon.docx", docx_mime, _docx()))
    items = page.get_by_test_id("material-item")
    preview = page.get_by_test_id("material-preview")

    items.filter(has_text="budget.xlsx").get_by_test_id("material-open").click()
    expect(preview).to_have_attribute("data-kind", "table", timeout=15_000)
    expect(preview).to_contain_text("Sheet “Sales”")
    expect(preview.locator("th")).to_have_text(["region", "amount"])
    rows = preview.get_by_test_id("material-preview-row")
    expect(rows).to_have_count(3)  # the first sheet only
    expect(rows.nth(2).locator("td")).to_have_text(["East", ""])  # a formula never computed by Excel: no value
    page.keyboard.press("Escape")

    items.filter(has_text="carbon.docx").get_by_test_id("material-open").click()
    expect(preview).to_have_attribute("data-kind", "text", timeout=15_000)
    text = preview.get_by_test_id("material-preview-text")
    expect(text).to_contain_text("# Carbon cycle")
    expect(text).to_contain_text("Carbon moves between the air")


def _width(page: Page, testid: str) -> float:
    box = page.get_by_test_id(testid).bounding_box()
    return box["width"] if box else 0.0


def test_layout_at_phone_tablet_and_desktop_widths(server, page):
    page.set_viewport_size({"width": 390, "height": 844})
    notebook_id = _signed_in_notebook(page, server, ("sales.csv", "text/csv", SALES))
    # The notebook list with a long title fits the phone too (the card truncates it).
    long_title = "Thermodynamics and statistical mechanics, spring term revision"
    assert page.context.request.post(f"{server}/api/notebooks", data={"title": long_title}).ok
    page.goto(server)
    expect(page.get_by_test_id("notebook-card")).to_have_count(2, timeout=20_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "materials_notebooks_390_light")
    page.goto(f"{server}/notebooks/{notebook_id}")
    expect(page.get_by_test_id("chat-input")).to_be_visible(timeout=20_000)

    # Phone: the chat takes the width; the sidebar waits behind the ☰ button.
    sidebar = page.get_by_test_id("sidebar")
    expect(sidebar).to_be_hidden()
    assert _width(page, "chat-panel") >= 0.9 * 390
    assert _width(page, "chat-input") >= 0.6 * 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing pushes the page sideways
    # All five tabs fit beside ☰: none hides behind the tab bar's scroll ("Slid…").
    tabs = page.get_by_test_id("notebook-tabs")
    assert tabs.evaluate("el => el.scrollWidth <= el.clientWidth"), tabs.evaluate("el => [el.scrollWidth, el.clientWidth]")
    screenshot(page, "materials_layout_390_light")
    page.get_by_test_id("sidebar-toggle").click()
    expect(sidebar).to_be_visible()
    expect(page.get_by_test_id("material-item")).to_contain_text("sales.csv")
    expect(page.get_by_test_id("material-drop-zone")).to_be_visible()
    screenshot(page, "materials_layout_390_drawer_light")
    page.get_by_test_id("sidebar-backdrop").click(position={"x": 370, "y": 400})  # beside the drawer
    expect(sidebar).to_be_hidden()
    set_dark(page, True)  # the drawer covers the header's toggle: switch with it closed
    screenshot(page, "materials_layout_390_dark")
    page.get_by_test_id("sidebar-toggle").click()
    expect(sidebar).to_be_visible()
    screenshot(page, "materials_layout_390_drawer_dark")
    page.get_by_test_id("sidebar-close").click()
    expect(sidebar).to_be_hidden()

    # The preview and "Use this file" from the phone drawer: it closes, the chip shows.
    page.get_by_test_id("sidebar-toggle").click()
    page.get_by_test_id("material-open").click()
    expect(page.get_by_test_id("material-preview-row")).to_have_count(2, timeout=20_000)  # a loaded machine: the text fetch
    screenshot(page, "materials_preview_390_dark")
    page.get_by_test_id("material-use").click()
    expect(sidebar).to_be_hidden()
    expect(page.get_by_test_id("chosen-file")).to_contain_text("sales.csv")
    assert _width(page, "chat-input") >= 0.6 * 390
    screenshot(page, "materials_chosen_chip_390_dark")
    page.get_by_test_id("chosen-file-clear").click()
    expect(page.get_by_test_id("chosen-file")).to_have_count(0)
    set_dark(page, False)

    # Tablet: sidebar beside the chat, and it folds away to give the chat the width.
    page.set_viewport_size({"width": 768, "height": 1024})
    expect(sidebar).to_be_visible()
    side = _width(page, "sidebar")
    assert 200 <= side <= 260, side
    assert _width(page, "chat-panel") >= 768 - side - 2
    screenshot(page, "materials_layout_768_light")
    set_dark(page, True)
    screenshot(page, "materials_layout_768_dark")
    page.get_by_test_id("sidebar-toggle").click()
    expect(sidebar).to_be_hidden()
    assert _width(page, "chat-panel") >= 0.98 * 768
    page.get_by_test_id("sidebar-toggle").click()
    expect(sidebar).to_be_visible()
    set_dark(page, False)

    # Desktop: as before, a 288 px sidebar.
    page.set_viewport_size({"width": 1440, "height": 900})
    expect(sidebar).to_be_visible()
    assert _width(page, "sidebar") == pytest.approx(288, abs=2)
    screenshot(page, "materials_layout_1440_light")
    set_dark(page, True)
    screenshot(page, "materials_layout_1440_dark")


def test_the_old_chat_takes_no_input_while_a_new_chat_is_being_made(server, page):
    _signed_in_notebook(page, server)
    expect(page.get_by_test_id("session-item")).to_have_count(1, timeout=20_000)
    held = []  # the POST that makes the new chat, answered when the test says
    page.route("**/api/notebooks/*/sessions",
               lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    page.get_by_test_id("session-new").click()
    area = page.get_by_test_id("chat-area")
    expect(area).to_have_attribute("inert", "")
    page.get_by_test_id("chat-input").focus()  # a user clicking into the old chat's box: nothing there takes focus
    page.keyboard.type("early")
    expect(page.get_by_test_id("chat-input")).to_have_value("")
    page.wait_for_timeout(200)  # lets the held request's route event reach `held`
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_test_id("session-item")).to_have_count(2)
    expect(area).not_to_have_attribute("inert", "")
    page.get_by_test_id("chat-input").fill("now")
    expect(page.get_by_test_id("chat-input")).to_have_value("now")
