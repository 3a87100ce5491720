"""The data agent end to end, through the real UI, in Debian's Chromium.

Real uvicorn servers (live_server.py: SQLite + Chroma in a temp DATA_DIR), the
built SPA, the offline Pyodide runtime executing the generated code in the
page's worker. Model words come from the built-in offline model or, for the
repair and timeout scenarios, a scripted chat model (the only fake allowed).
Every host but 127.0.0.1 is unresolvable in this browser (conftest.py).

Scenarios (one server per model configuration, one page per scenario):
  analysis  - offline model: analyse a CSV (thinking bar, drawer, no stdout in
              the answer, file cards), CSV/XLSX/DOCX/PDF/PNG downloads opened
              with real parsers, image preview, dark mode, reload.
  rule fix  - scripted code uses `sns` without importing seaborn -> rule fix.
  model fix - scripted code hits ZeroDivisionError -> scripted model repair.
  timeout   - scripted `while True: pass`, CODE_EXECUTION_TIMEOUT=5.
Screenshots land in playwright_tests/artifacts/.
"""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest
from helpers import (
    ARTIFACTS,
    RequestLog,
    ask,
    background,
    download,
    finished_messages,
    new_context,
    open_notebook_with,
    screenshot,
    set_dark,
)
from live_server import scripted_env, serve, write_llm_script
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[1]
DOWNLOADS = ARTIFACTS / "downloads"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (ROOT / "frontend" / "dist" / "index.html").exists(),
                       reason="frontend/dist is not built: cd frontend && npm run build"),
    pytest.mark.skipif(not (ROOT / "pyodide_bundle" / "dist" / "manifest.json").exists(),
                       reason="pyodide_bundle/dist is not built: bash pyodide_bundle/build.sh"),
]

SALES_CSV = """date,region,product,units,price,revenue
2024-01-05,North,Widget,12,2.5,30.0
2024-01-12,South,Gadget,7,4.0,28.0
2024-02-03,East,Widget,20,2.5,50.0
2024-02-17,West,Gizmo,5,10.0,50.0
2024-03-08,North,Gadget,9,4.0,36.0
2024-03-22,South,Widget,15,2.5,37.5
2024-04-02,East,Gizmo,3,10.0,30.0
2024-04-19,West,Widget,11,2.5,27.5
2024-05-06,North,Gizmo,6,10.0,60.0
2024-05-25,South,Gadget,14,4.0,56.0
2024-06-10,East,Gadget,8,4.0,32.0
2024-06-28,West,Gizmo,4,10.0,40.0
"""
# The scripted code reads the upload through the variable the workspace header
# defines for it (workspace_builder.variable_name_for): sales.csv -> sales_path.
SNS_CODE = """df = pd.read_csv(sales_path)
totals = df.groupby("region", as_index=False)["units"].sum()
fig, ax = plt.subplots(figsize=(6, 4))
sns.barplot(data=totals, x="region", y="units", ax=ax)
ax.set_title("Units by region")
out = os.path.join(OUTPUT_DIR, "units_by_region_sns.png")
fig.savefig(out)
print("FILE_SAVED:" + out)
"""

ZERO_DIV_CODE = """df = pd.read_csv(sales_path)
bulk_orders = [u for u in df["units"] if u > 1000]
avg_bulk = sum(bulk_orders) / len(bulk_orders)
print("average bulk order:", avg_bulk)
"""
ZERO_DIV_FIXED = """df = pd.read_csv(sales_path)
bulk_orders = [u for u in df["units"] if u > 1000]
avg_bulk = sum(bulk_orders) / len(bulk_orders) if bulk_orders else 0.0
print("average bulk order:", avg_bulk)
summary = df.groupby("region")["revenue"].sum()
fig, ax = plt.subplots(figsize=(6, 4))
summary.plot(kind="bar", ax=ax)
out = os.path.join(OUTPUT_DIR, "revenue_by_region.png")
fig.savefig(out)
print("FILE_SAVED:" + out)
"""

TIMEOUT_S = 5

# Every context of every test records its requests here (checked at the end).
REQUESTS: dict[str, RequestLog] = {}
TIMINGS: dict[str, object] = {}  # written to artifacts/timings.json by the last test


def ask_timed(page, text: str, **kwargs):
    turn = ask(page, text, **kwargs)
    TIMINGS[f"turn: {text}"] = round(turn.seconds, 1)
    return turn


def fence(code: str) -> str:
    return f"```python\n{code}```"


@pytest.fixture(scope="module")
def sales_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("materials") / "sales.csv"
    path.write_text(SALES_CSV)
    return path


def _scenario_page(browser, base_url: str, sales_csv: Path, title: str):
    log = REQUESTS.setdefault(base_url, RequestLog())
    context = new_context(browser, log)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    TIMINGS[f"runtime ready: {title}"] = round(open_notebook_with(page, base_url, title, sales_csv), 1)
    return context, page, errors


# --- servers -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def offline_server(request, tmp_path_factory):
    with serve(request, tmp_path_factory.mktemp("e2e-offline")) as server:
        yield server


@pytest.fixture(scope="module")
def rule_fix_server(request, tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-rule-fix")
    script = write_llm_script(data / "script.json", {"code_generation": [fence(SNS_CODE)]})
    with serve(request, data, scripted_env(script)) as server:
        yield server


@pytest.fixture(scope="module")
def model_fix_server(request, tmp_path_factory):
    data = tmp_path_factory.mktemp("e2e-model-fix")
    script = write_llm_script(data / "script.json", {"code_generation": [fence(ZERO_DIV_CODE)],
                                                     "code_repair": [fence(ZERO_DIV_FIXED)]})
    with serve(request, data, scripted_env(script)) as server:
        yield server


@pytest.fixture(scope="module")
def timeout_server(request, tmp_path_factory):
    # The offline repair hands `while True` back unchanged, so one timeout ends the turn.
    data = tmp_path_factory.mktemp("e2e-timeout")
    script = write_llm_script(data / "script.json", {"code_generation": [fence("while True:\n    pass\n")]})
    with serve(request, data, scripted_env(script, CODE_EXECUTION_TIMEOUT=TIMEOUT_S)) as server:
        yield server


@pytest.fixture(scope="module")
def analysis(browser, offline_server, sales_csv):
    """One signed-in page on a notebook holding sales.csv, shared by the analysis tests."""
    context, page, errors = _scenario_page(browser, offline_server.url, sales_csv, "Sales study")
    state = {"page": page, "url": offline_server.url, "errors": errors}
    yield state
    context.close()


# --- 1. analyse a dataset --------------------------------------------------------------

def test_analyze_dataset_thinking_bar_drawer_answer_and_files(analysis):
    page = analysis["page"]
    turn = ask_timed(page, "analyze this dataset", screenshot_as="thinking-bar-mid-run")
    analysis["first_turn"] = turn

    # The thinking bar showed live labels and is gone now.
    assert len(set(turn.labels)) >= 2, turn.labels
    TIMINGS["labels: analyze this dataset"] = turn.labels
    profiling = next(i for i, label in enumerate(turn.labels) if "Profiling" in label)
    running = [i for i, label in enumerate(turn.labels) if "Running Python" in label or "Analysing" in label]
    assert running and max(running) > profiling, turn.labels
    expect(page.get_by_test_id("thinking-bar")).to_have_count(0)
    assert turn.mid_run_screenshot is not None, "the thinking bar was never caught on screen mid-run"

    # The drawer is collapsed: steps and code exist in the DOM but are not visible.
    block = turn.drawer()
    expect(block).to_have_attribute("data-open", "false")
    expect(turn.message.get_by_test_id("action-block-summary")).to_contain_text("Ran 2 steps")
    expect(turn.message.get_by_test_id("step-code").first).not_to_be_visible()
    screenshot(page, "drawer-collapsed", turn.message)

    # Files came out as cards.
    expect(turn.files.first).to_be_visible()
    assert turn.files.count() >= 1
    screenshot(page, "file-cards", turn.message.get_by_test_id("file-cards"))

    # Expanded: the profiler step (run on the server: its findings, no code),
    # then the code step with its code and a stdout box.
    block = turn.expand()
    steps = block.get_by_test_id("action-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0).get_by_test_id("step-tool")).to_have_text("Profiling the data")  # never the tool id
    expect(steps.nth(0)).to_contain_text("12 rows")
    expect(steps.nth(1).get_by_test_id("step-tool")).to_have_text("Running Python")
    for i in range(2):
        expect(steps.nth(i)).to_have_attribute("data-status", "success")
    code_step = steps.nth(1)
    expect(code_step.get_by_test_id("step-code")).to_be_visible()
    expect(code_step.get_by_test_id("step-code")).to_contain_text("read_table(sales_path)")
    stdout_box = code_step.get_by_test_id("step-stdout")
    expect(stdout_box).to_be_visible()
    stdout = stdout_box.inner_text()
    assert stdout.strip(), "the code step printed nothing"
    screenshot(page, "drawer-expanded-code-stdout", scroll_to=stdout_box)

    # The answer is prose about the data and carries no raw stdout line.
    answer = turn.body.inner_text()
    assert "sales.csv" in answer and answer.strip()
    leaked = [line.strip() for line in stdout.splitlines()
              if len(line.strip()) >= 12 and line.strip() in answer]
    assert not leaked, f"raw stdout lines in the answer: {leaked}"
    assert "FILE_SAVED" not in answer and "Traceback" not in answer
    # The code that ran lives in the drawer only, not in the answer.
    assert "read_csv" not in answer and turn.body.get_by_test_id("step-code").count() == 0

    # Collapse again, for the reload test at the end.
    turn.message.get_by_test_id("action-block-toggle").click()
    expect(block).to_have_attribute("data-open", "false")


# --- 2. a CSV from the model's own knowledge ---------------------------------------------

def test_top10_countries_csv_download(analysis):
    page = analysis["page"]
    turn = ask_timed(page, "create a CSV of top 10 countries by population")
    card = turn.file(".csv")
    dl, data = download(page, card, DOWNLOADS)
    assert dl.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, body = rows[0], [r for r in rows[1:] if any(cell.strip() for cell in r)]
    assert len(body) == 10, rows
    countries = {cell for row in body for cell in row}
    assert {"India", "China"} <= countries, body
    assert any("country" in h.lower() for h in header), header


# --- 3. XLSX, DOCX, PDF, chart ---------------------------------------------------------

def test_excel_export_opens_with_openpyxl(analysis):
    import openpyxl

    page = analysis["page"]
    turn = ask_timed(page, "export the data to excel")
    _, data = download(page, turn.file(".xlsx"), DOWNLOADS)
    assert data[:2] == b"PK"
    wb = openpyxl.load_workbook(io.BytesIO(data))
    values = [[c for c in row] for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]
    flat = {str(v) for row in values for v in row if v is not None}
    assert {"region", "units"} <= flat, values[:3]
    assert {"North", "South", "East", "West"} <= flat
    assert len(values) >= 13  # header + the 12 rows


def test_word_report_opens_with_python_docx(analysis):
    import docx

    page = analysis["page"]
    turn = ask_timed(page, "write a word report of this dataset")
    _, data = download(page, turn.file(".docx"), DOWNLOADS)
    document = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in document.paragraphs)
    text += "\n".join(cell.text for t in document.tables for row in t.rows for cell in row.cells)
    assert len(text.strip()) > 50, text
    assert "units" in text.lower() or "region" in text.lower(), text[:500]


def test_pdf_report_opens_with_pypdf(analysis):
    import pypdf

    page = analysis["page"]
    turn = ask_timed(page, "make a pdf report of the sales")
    _, data = download(page, turn.file(".pdf"), DOWNLOADS)
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 1
    text = "\n".join(p.extract_text() or "" for p in reader.pages)
    assert "sales" in text.lower() or "revenue" in text.lower(), text[:500]


def test_bar_chart_download_and_preview(analysis):
    page = analysis["page"]
    turn = ask_timed(page, "make a bar chart of units by region")
    card = turn.file(".png")
    _, data = download(page, card, DOWNLOADS)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width >= 200 and height >= 150 and len(data) > 5_000, (width, height, len(data))
    # The answer names this turn's file, not every file of the session.
    answer = turn.body.inner_text()
    assert "units_by_region.png" in answer, answer
    assert "sales_summary.pdf" not in answer and "sales_report.pdf" not in answer and "sales_data.xlsx" not in answer, answer

    card.get_by_test_id("file-preview").click()
    image = page.get_by_test_id("file-preview-image")
    expect(image).to_be_visible(timeout=15_000)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert image.evaluate("img => img.naturalWidth") == width
    assert image.get_attribute("src").startswith("blob:")
    screenshot(page, "image-preview")
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("modal")).to_have_count(0)


# --- 6. dark mode on the new components --------------------------------------------------

def _ensure_history(analysis) -> None:
    """Tests run alone (-k) still find an answered analysis on the page."""
    if finished_messages(analysis["page"]).count() == 0:
        ask_timed(analysis["page"], "analyze this dataset")


def test_dark_mode_colours_of_drawer_and_file_card(analysis):
    page = analysis["page"]
    _ensure_history(analysis)
    message = finished_messages(page).first
    block = message.get_by_test_id("action-block")
    card = message.get_by_test_id("file-card").first

    set_dark(page, False)
    light = {"action-block": background(block), "file-card": background(card)}
    set_dark(page, True)
    dark = {"action-block": background(block), "file-card": background(card)}
    TIMINGS["background luminance"] = {f"{mode} {name}": round(v[name]["luminance"], 3)
                                       for mode, v in (("light", light), ("dark", dark)) for name in v}
    for name in light:
        assert light[name]["luminance"] > 0.7, (name, light[name])
        assert dark[name]["luminance"] < 0.3, (name, dark[name])

    message.get_by_test_id("action-block-toggle").click()
    expect(block).to_have_attribute("data-open", "true")
    screenshot(page, "dark-drawer-expanded", scroll_to=message.get_by_test_id("step-stdout").first)
    turn = ask_timed(page, "make a bar chart of revenue by region", screenshot_as="dark-thinking-bar")
    screenshot(page, "dark-file-card", turn.files.first)
    message.get_by_test_id("action-block-toggle").click()
    expect(block).to_have_attribute("data-open", "false")
    set_dark(page, False)


# --- 8. reload keeps history with drawers and files ---------------------------------------

def test_reload_shows_past_messages_with_drawers_and_files(analysis):
    page = analysis["page"]
    _ensure_history(analysis)
    before = finished_messages(page)
    count = before.count()
    first_files = [n.inner_text() for n in before.first.get_by_test_id("file-name").all()]
    first_answer = before.first.get_by_test_id("message-body").inner_text()
    assert count >= 1 and first_files

    page.reload()
    messages = finished_messages(page)
    expect(messages).to_have_count(count, timeout=30_000)
    first = messages.first
    expect(first.get_by_test_id("message-body")).to_have_text(first_answer)
    block = first.get_by_test_id("action-block")
    expect(block).to_have_attribute("data-open", "false")
    expect(first.get_by_test_id("step-code").first).not_to_be_visible()
    assert [n.inner_text() for n in first.get_by_test_id("file-name").all()] == first_files
    # The bytes come back from the server (uploaded by the page after the run).
    dl, data = download(page, first.get_by_test_id("file-card").first, DOWNLOADS / "after-reload")
    assert dl.suggested_filename == first_files[0] and data[:8] == b"\x89PNG\r\n\x1a\n"
    first.get_by_test_id("action-block-toggle").click()
    expect(first.get_by_test_id("action-step")).to_have_count(2)
    expect(first.get_by_test_id("step-stdout").first).to_be_visible()
    screenshot(page, "after-reload", scroll_to=first.get_by_test_id("step-stdout").first)
    assert not analysis["errors"], analysis["errors"]


# --- 4. repair: rule and model -------------------------------------------------------------

def _check_repaired_turn(turn, removed: str, added: str, fixed_by: str):
    block = turn.expand()
    steps = block.get_by_test_id("action-step")
    code_step = steps.last
    expect(code_step).to_have_attribute("data-status", "success")
    code = code_step.get_by_test_id("step-code").inner_text()
    assert added.strip() in code, code
    diff = code_step.get_by_test_id("repair-diff")
    expect(diff).to_have_count(1)
    expect(diff).to_contain_text(fixed_by)
    text = diff.inner_text()
    lines = [line.strip() for line in text.splitlines()]
    if removed:
        assert any(line.startswith("-") and removed in line for line in lines), text
    assert any(line.startswith("+") and added in line for line in lines), text
    expect(turn.files.first).to_be_visible()
    return code_step


def test_missing_import_is_fixed_by_rule_and_rerun(browser, rule_fix_server, sales_csv):
    context, page, errors = _scenario_page(browser, rule_fix_server.url, sales_csv, "Rule fix")
    try:
        turn = ask_timed(page, "make a seaborn bar chart of units by region")
        step = _check_repaired_turn(turn, removed="", added="import seaborn as sns", fixed_by="rule-based fix")
        expect(step.get_by_test_id("repair-diff")).to_contain_text("sns")
        # `sales_path` is defined only by the workspace header (sales.csv -> sales_path):
        # the step succeeding on pd.read_csv(sales_path) proves the header named it so.
        expect(step.get_by_test_id("step-code")).to_contain_text("pd.read_csv(sales_path)")
        turn.file("units_by_region_sns.png")
        screenshot(page, "repair-diff-rule", scroll_to=turn.files.first)
        assert "failed" not in turn.body.inner_text().lower()
        assert not errors, errors
    finally:
        context.close()


def test_runtime_error_is_fixed_by_model_and_rerun(browser, model_fix_server, sales_csv):
    context, page, errors = _scenario_page(browser, model_fix_server.url, sales_csv, "Model fix")
    try:
        turn = ask_timed(page, "what is the average bulk order, and chart revenue by region")
        step = _check_repaired_turn(turn, removed="avg_bulk = sum(bulk_orders) / len(bulk_orders)",
                                    added="if bulk_orders else 0.0", fixed_by="model fix")
        expect(step.get_by_test_id("repair-diff")).to_contain_text("ZeroDivisionError")
        expect(step.get_by_test_id("step-stdout")).to_contain_text("average bulk order: 0.0")
        turn.file("revenue_by_region.png")
        screenshot(page, "repair-diff-model", scroll_to=turn.files.first)
        assert not errors, errors
    finally:
        context.close()


# --- 5. a runaway loop is stopped at the timeout ---------------------------------------------

def test_runaway_loop_times_out_then_session_still_works(browser, timeout_server, sales_csv):
    context, page, errors = _scenario_page(browser, timeout_server.url, sales_csv, "Timeout")
    try:
        t0 = time.monotonic()
        turn = ask_timed(page, "run my simulation of the sales")
        elapsed = time.monotonic() - t0
        assert TIMEOUT_S <= elapsed < TIMEOUT_S + 30, elapsed  # slack: a loaded 2-core machine
        block = turn.expand()
        step = block.get_by_test_id("action-step").last
        expect(step).to_have_attribute("data-status", "error")
        expect(step.get_by_test_id("step-stderr")).to_contain_text("TimeoutError")
        # The answer owns up, naming the timeout (not the restart note after it).
        expect(turn.message.get_by_test_id("message-error")).to_contain_text("ran out of time")
        assert "fail" in turn.body.inner_text().lower() or "couldn't" in turn.body.inner_text().lower()
        screenshot(page, "timeout-failed", scroll_to=turn.message.get_by_test_id("message-error"))
        TIMINGS["timeout turn (s)"] = round(elapsed, 1)

        # A fresh worker serves the next request of the same session.
        expect(page.get_by_test_id("runtime-status")).to_have_attribute("data-status", "ready", timeout=120_000)
        again = ask_timed(page, "make a bar chart of units by region")
        again_step = again.expand().get_by_test_id("action-step").last
        expect(again_step).to_have_attribute("data-status", "success")
        again.file(".png")
        assert not errors, errors
    finally:
        context.close()


# --- 7. nothing leaves the app's origin -------------------------------------------------------

def test_every_request_went_to_the_app_origin():
    if not REQUESTS:
        pytest.skip("no scenario of this module ran in this session")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "timings.json").write_text(json.dumps(TIMINGS, indent=1))
    (ARTIFACTS / "requests.json").write_text(json.dumps(
        {url: sorted({u.split("?")[0] for u in log.urls}) for url, log in REQUESTS.items()}, indent=1))
    for base_url, log in REQUESTS.items():
        assert len(log.urls) > 20, (base_url, log.urls)
        # The recorder sees the runtime's own fetches too (bundle files, wheels).
        assert any(u.endswith("/pyodide/modern/pyodide.asm.wasm") for u in log.urls), log.urls[:50]
        foreign = log.foreign(base_url)
        assert not foreign, json.dumps(foreign[:20], indent=1)
